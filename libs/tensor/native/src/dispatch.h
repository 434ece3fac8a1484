// The hot inner loops, compiled three times (baseline x86-64, AVX2+FMA, AVX-512) in dispatch.cc;
// `kernels()` returns the copy the running CPU supports. Every function works on one
// contiguous range so callers can split work across OpenMP threads.
#pragma once
#include <cstddef>

namespace memgen {

/** The per-step constants of an in-place AdamW update (see fused.cc's AdamW for their meaning). */
struct AdamWScalars {
  float beta1, beta2, oneMinusBeta1, oneMinusBeta2, epsilon, decay, stepSize, invSqrtC2;
  /** Multiplies every gradient first: the global-norm clip, folded into the update. */
  float gradScale;
};

struct LoopTable {
  const char* isa;
  /** o[i] = a[i*sa] op b[i*sb] for i < n; sa, sb ∈ {0, 1}. */
  void (*binary)(int op, float* o, const float* a, const float* b, size_t n, int sa, int sb);
  void (*unary)(int op, float* o, const float* x, size_t n, float alpha);
  /** o[r] = reduce(x[r*cols .. r*cols+cols)) for r < rows (kMean is handled as kSum by callers). */
  void (*reduceRows)(int op, float* o, const float* x, size_t rows, size_t cols);
  /** o[j] = reduce_m x[m*stride + j] for j < width, m < mid. */
  void (*reduceColumns)(int op, float* o, const float* x, size_t mid, size_t width, size_t stride);
  void (*softmaxRows)(float* o, const float* x, size_t rows, size_t cols);
  /** o[i] += x[i]. */
  void (*accumulate)(float* o, const float* x, size_t n);
  /** tanh-approximation GELU and its derivative (dx = dy * gelu'(x)). */
  void (*gelu)(float* o, const float* x, size_t n);
  void (*geluGrad)(float* dx, const float* dy, const float* x, size_t n);
  /** Per row: y = (x - mean) * rstd * gamma + beta; writes mean and rstd per row. */
  void (*layerNormRows)(float* y, float* mean, float* rstd, const float* x, const float* gamma, const float* beta,
                        size_t rows, size_t cols, float epsilon);
  /** Per row: dx from dy, x, mean, rstd, gamma (dgamma/dbeta are reduced by the caller). */
  void (*layerNormGradRows)(float* dx, const float* dy, const float* x, const float* mean, const float* rstd,
                            const float* gamma, size_t rows, size_t cols);
  /** Per row of logits: loss[r] = logsumexp - logit[label]; probs (softmax) kept for the gradient. */
  void (*softmaxCrossEntropyRows)(float* loss, float* probs, const float* logits, const int* labels, size_t rows,
                                  size_t cols);
  /** AdamW on a range: new param, m, v from the old ones and the gradient (see loops.inc). */
  void (*adamw)(float* p, float* m, float* v, const float* p0, const float* m0, const float* v0, const float* g,
                size_t n, float beta1, float beta2, float oneMinusBeta1, float oneMinusBeta2, float epsilon, float decay,
                float stepSize, float invSqrtC2);
  /** AdamW on a range, in place on p, m, v, with the gradient scaled by s.gradScale first. */
  void (*adamwInPlace)(float* p, float* m, float* v, const float* g, size_t n, const AdamWScalars& s);
  /** Σ x[i]² of a range, accumulated in double. */
  double (*sumSquares)(const float* x, size_t n);
  /**
   * Softmax of one attention score row in place over the keys query `query` may see (key ≤ query
   * and keyMask[key] ≠ 0), 0 elsewhere; a row that sees no key is uniform over all `seq` keys, as
   * an additive −1e9 mask makes it.
   */
  void (*maskedSoftmaxRow)(float* row, size_t query, size_t seq, const float* keyMask);
  /**
   * One query against `seq` cached keys, stored transposed [dh, capacity], and values [seq, dh]:
   * out [dh]; scratch holds seq scores.
   */
  void (*attendQuery)(float* out, float* scratch, const float* q, const float* keysT, const float* values,
                      const float* keyMask, size_t seq, size_t query, size_t dh, size_t capacity, float scale);
};

const LoopTable& kernels();

}  // namespace memgen
