// Fused causal self-attention over a packed qkv projection, and its backward: per (sequence, head)
// the scores, the causal and padding mask, the softmax and the weighted sum of values, reading q, k
// and v straight out of the [rows, 3D] projection (BLAS strides) and writing heads merged, so the
// slices, transposes and half a dozen element-wise kernels of the composite path never run.
#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "args.h"
#include "dispatch.h"
#include "parallel.h"

namespace memgen {
namespace {

/** Multiply-adds of a cached-attention call under which it stays on the calling thread. */
constexpr size_t kSerialCachedAttention = size_t{1} << 16;

struct Shape {
  size_t batch, seq, heads, width, headWidth;
};

Shape attentionShape(const Napi::CallbackInfo& info, size_t at, const char* kName, size_t qkvLength) {
  Napi::Env env = info.Env();
  const int64_t limit = int64_t{1} << 31;
  Shape s{};
  s.batch = static_cast<size_t>(intArg(info, at, kName, "batch", 1, limit));
  s.seq = static_cast<size_t>(intArg(info, at + 1, kName, "seq", 1, limit));
  s.heads = static_cast<size_t>(intArg(info, at + 2, kName, "heads", 1, limit));
  const size_t rows = s.batch * s.seq;
  if (qkvLength % (rows * 3) != 0) fail(env, kName, "qkv is not [batch·seq, 3·width]");
  s.width = qkvLength / (rows * 3);
  if (s.width % s.heads != 0) fail(env, kName, "heads must divide the width");
  s.headWidth = s.width / s.heads;
  return s;
}

/** Runs f(b, h) over every (sequence, head), one pair per OpenMP iteration when `parallel`. */
template <class F>
void eachHead(const Shape& s, bool parallel, F f) {
  const auto pairs = static_cast<int64_t>(s.batch * s.heads);
#pragma omp parallel for schedule(static) if (parallel && pairs > 1 && omp_get_max_threads() > 1)
  for (int64_t i = 0; i < pairs; i++) f(static_cast<size_t>(i) / s.heads, static_cast<size_t>(i) % s.heads);
}

// attention(z, probs, qkv, keyMask, batch, seq, heads):
//   qkv [batch·seq, 3D] (q | k | v, heads of D/heads each), keyMask [batch, seq] (1 real, 0 pad)
//   → z [batch·seq, D] heads merged, probs [batch, heads, seq, seq] (kept for the backward)
Napi::Value Attention(const Napi::CallbackInfo& info) {
  const char* kName = "attention";
  Napi::Env env = kernelStart(info, kName, 7);
  auto [z, probs, qkv, keyMask] = f32Args(info, 0, kName, {"z", "probs", "qkv", "keyMask"});
  const Shape s = attentionShape(info, 4, kName, qkv.length);
  const size_t T = s.seq, D = s.width, dh = s.headWidth, ld = 3 * D;
  requireLength(env, kName, "keyMask", keyMask.length, s.batch * T);
  requireLength(env, kName, "z", z.length, s.batch * T * D);
  requireLength(env, kName, "probs", probs.length, s.batch * s.heads * T * T);
  const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
  const int t = static_cast<int>(T), n = static_cast<int>(dh);
  const LoopTable& k = kernels();
  eachHead(s, true, [&](size_t b, size_t h) {
    const float* q = qkv.data + b * T * ld + h * dh;
    float* p = probs.data + (b * s.heads + h) * T * T;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, t, t, n, scale, q, ld, q + D, ld, 0.0f, p, t);
    for (size_t row = 0; row < T; row++) k.maskedSoftmaxRow(p + row * T, row, T, keyMask.data + b * T);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, t, n, t, 1.0f, p, t, q + 2 * D, ld, 0.0f,
                z.data + b * T * D + h * dh, static_cast<int>(D));
  });
  return env.Undefined();
}

// attentionGrad(dqkv, dz, probs, qkv, batch, seq, heads) → dqkv [batch·seq, 3D]
Napi::Value AttentionGrad(const Napi::CallbackInfo& info) {
  const char* kName = "attentionGrad";
  Napi::Env env = kernelStart(info, kName, 7);
  auto [dqkv, dz, probs, qkv] = f32Args(info, 0, kName, {"dqkv", "dz", "probs", "qkv"});
  const Shape s = attentionShape(info, 4, kName, qkv.length);
  const size_t T = s.seq, D = s.width, dh = s.headWidth, ld = 3 * D;
  requireLength(env, kName, "dqkv", dqkv.length, qkv.length);
  requireLength(env, kName, "dz", dz.length, s.batch * T * D);
  requireLength(env, kName, "probs", probs.length, s.batch * s.heads * T * T);
  const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
  const int t = static_cast<int>(T), n = static_cast<int>(dh), ldz = static_cast<int>(D), l = static_cast<int>(ld);
  eachHead(s, true, [&](size_t b, size_t h) {
    thread_local std::vector<float> ds;
    ds.resize(T * T);
    const float* q = qkv.data + b * T * ld + h * dh;
    const float* p = probs.data + (b * s.heads + h) * T * T;
    const float* g = dz.data + b * T * D + h * dh;
    float* dq = dqkv.data + b * T * ld + h * dh;
    // dP = dZ·Vᵀ, then the softmax backward row by row: dS = P ∘ (dP − Σ dP∘P).
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, t, t, n, 1.0f, g, ldz, q + 2 * D, l, 0.0f, ds.data(), t);
    for (size_t row = 0; row < T; row++) {
      float* dr = ds.data() + row * T;
      const float* pr = p + row * T;
      float dot = 0.0f;
      for (size_t c = 0; c < T; c++) dot += dr[c] * pr[c];
      for (size_t c = 0; c < T; c++) dr[c] = pr[c] * (dr[c] - dot);
    }
    // dV = Pᵀ·dZ, dQ = scale·dS·K, dK = scale·dSᵀ·Q.
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, t, n, t, 1.0f, p, t, g, ldz, 0.0f, dq + 2 * D, l);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, t, n, t, scale, ds.data(), t, q + D, l, 0.0f, dq, l);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, t, n, t, scale, ds.data(), t, q, l, 0.0f, dq + D, l);
  });
  return env.Undefined();
}

// cachedAttention(z, keys, values, qkv, keyMask, batch, seq, heads, offset, capacity): decoding with
// a KV cache. keys [batch, heads, D/heads, capacity] (transposed, so a query's scores run along
// contiguous keys) and values [batch, heads, capacity, D/heads] hold `offset` positions; this call
// writes the `seq` new ones from qkv [batch·seq, 3D] after them, then attends each new query to
// every cached key up to its own position that keyMask [batch, offset + seq] marks real.
Napi::Value CachedAttention(const Napi::CallbackInfo& info) {
  const char* kName = "cachedAttention";
  Napi::Env env = kernelStart(info, kName, 10);
  auto [z, keys, values, qkv, keyMask] = f32Args(info, 0, kName, {"z", "keys", "values", "qkv", "keyMask"});
  const Shape s = attentionShape(info, 5, kName, qkv.length);
  const int64_t limit = int64_t{1} << 31;
  const auto offset = static_cast<size_t>(intArg(info, 8, kName, "offset", 0, limit));
  const auto capacity = static_cast<size_t>(intArg(info, 9, kName, "capacity", 1, limit));
  const size_t T = s.seq, D = s.width, dh = s.headWidth, S = offset + T;
  if (S > capacity) fail(env, kName, "the cache holds " + std::to_string(capacity) + " positions, not " + std::to_string(S));
  requireLength(env, kName, "keys", keys.length, s.batch * s.heads * capacity * dh);
  requireLength(env, kName, "values", values.length, keys.length);
  requireLength(env, kName, "keyMask", keyMask.length, s.batch * S);
  requireLength(env, kName, "z", z.length, s.batch * T * D);
  const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
  const LoopTable& k = kernels();
  // A decoding step streams the whole cache once for little arithmetic: memory-bound, so a second
  // core's cache and bandwidth pay from a far smaller call than a GEMM's split does.
  const bool parallel = s.batch * s.heads * T * S * dh >= kSerialCachedAttention;
  eachHead(s, parallel, [&](size_t b, size_t h) {
    thread_local std::vector<float> row;
    row.resize(T * S);
    float* kc = keys.data + (b * s.heads + h) * capacity * dh;
    float* vc = values.data + (b * s.heads + h) * capacity * dh;
    for (size_t t = 0; t < T; t++) {
      const float* src = qkv.data + (b * T + t) * 3 * D + h * dh;
      for (size_t c = 0; c < dh; c++) kc[c * capacity + offset + t] = src[D + c];
      std::copy(src + 2 * D, src + 2 * D + dh, vc + (offset + t) * dh);
    }
    const float* q = qkv.data + b * T * 3 * D + h * dh;
    float* out = z.data + b * T * D + h * dh;
    const float* mask = keyMask.data + b * S;
    if (T == 1) {
      k.attendQuery(out, row.data(), q, kc, vc, mask, S, offset, dh, capacity, scale);
      return;
    }
    // A prompt: T×S scores and their weighted sum as two GEMMs, as in training.
    const int rows = static_cast<int>(T), keysN = static_cast<int>(S), n = static_cast<int>(dh);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, keysN, n, scale, q, static_cast<int>(3 * D), kc,
                static_cast<int>(capacity), 0.0f, row.data(), keysN);
    for (size_t t = 0; t < T; t++) k.maskedSoftmaxRow(row.data() + t * S, offset + t, S, mask);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, n, keysN, 1.0f, row.data(), keysN, vc, n, 0.0f, out,
                static_cast<int>(D));
  });
  return env.Undefined();
}

}  // namespace

void registerAttention(Napi::Env env, Napi::Object exports) {
  exportKernels(env, exports,
                {{"attention", Attention}, {"attentionGrad", AttentionGrad}, {"cachedAttention", CachedAttention}});
}

}  // namespace memgen
