// The dense layer y = x·W + b and its backward in one call each: the bias is the GEMM's starting
// value (beta = 1) instead of a broadcast add, and its gradient (the column sums of dy) is a loop
// beside the two gradient GEMMs instead of a ones-vector product.
#include <cblas.h>

#include <algorithm>
#include <vector>

#include "args.h"
#include "parallel.h"

namespace memgen {
namespace {

/** Rows summed together before the partial sums are added in order: the same result on any thread count. */
constexpr size_t kSumBlock = 256;

struct Dims {
  size_t rows, in, out;
};

Dims linearDims(const Napi::CallbackInfo& info, size_t at, const char* kName) {
  const int64_t limit = int64_t{1} << 31;
  return {static_cast<size_t>(intArg(info, at, kName, "rows", 1, limit)),
          static_cast<size_t>(intArg(info, at + 1, kName, "in", 1, limit)),
          static_cast<size_t>(intArg(info, at + 2, kName, "out", 1, limit))};
}

// linear(y, x, w, b, rows, in, out): y [rows, out] = x [rows, in] · w [in, out] + b [out]
Napi::Value Linear(const Napi::CallbackInfo& info) {
  const char* kName = "linear";
  Napi::Env env = kernelStart(info, kName, 7);
  auto [y, x, w, b] = f32Args(info, 0, kName, {"y", "x", "w", "b"});
  const Dims d = linearDims(info, 4, kName);
  requireLength(env, kName, "x", x.length, d.rows * d.in);
  requireLength(env, kName, "w", w.length, d.in * d.out);
  requireLength(env, kName, "b", b.length, d.out);
  requireLength(env, kName, "y", y.length, d.rows * d.out);
  parallelRanges(d.rows, grainFor(d.out), [&](size_t r0, size_t r1) {
    for (size_t r = r0; r < r1; r++) std::copy(b.data, b.data + d.out, y.data + r * d.out);
  });
  const int m = static_cast<int>(d.rows), k = static_cast<int>(d.in), n = static_cast<int>(d.out);
  gemmSizedThreads(d.rows * d.in * d.out, [&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, x.data, k, w.data, n, 1.0f, y.data, n);
  });
  return env.Undefined();
}

// linearGrad(dx, dw, db, dy, x, w, rows, in, out): dx = dy·wᵀ, dw = xᵀ·dy, db = Σ_rows dy
Napi::Value LinearGrad(const Napi::CallbackInfo& info) {
  const char* kName = "linearGrad";
  Napi::Env env = kernelStart(info, kName, 9);
  auto [dx, dw, db, dy, x, w] = f32Args(info, 0, kName, {"dx", "dw", "db", "dy", "x", "w"});
  const Dims d = linearDims(info, 6, kName);
  requireLength(env, kName, "x", x.length, d.rows * d.in);
  requireLength(env, kName, "w", w.length, d.in * d.out);
  requireLength(env, kName, "dy", dy.length, d.rows * d.out);
  requireLength(env, kName, "dx", dx.length, d.rows * d.in);
  requireLength(env, kName, "dw", dw.length, d.in * d.out);
  requireLength(env, kName, "db", db.length, d.out);
  const int m = static_cast<int>(d.rows), k = static_cast<int>(d.in), n = static_cast<int>(d.out);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, k, n, 1.0f, dy.data, n, w.data, n, 0.0f, dx.data, k);
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, n, m, 1.0f, x.data, k, dy.data, n, 0.0f, dw.data, n);
  const size_t blocks = (d.rows + kSumBlock - 1) / kSumBlock;
  std::vector<float> partial(blocks * d.out, 0.0f);
  parallelRanges(blocks, 1, [&](size_t b0, size_t b1) {
    for (size_t blk = b0; blk < b1; blk++) {
      float* acc = partial.data() + blk * d.out;
      for (size_t r = blk * kSumBlock; r < std::min(d.rows, (blk + 1) * kSumBlock); r++) {
        const float* row = dy.data + r * d.out;
        for (size_t c = 0; c < d.out; c++) acc[c] += row[c];
      }
    }
  });
  std::fill(db.data, db.data + d.out, 0.0f);
  for (size_t blk = 0; blk < blocks; blk++) {
    const float* acc = partial.data() + blk * d.out;
    for (size_t c = 0; c < d.out; c++) db.data[c] += acc[c];
  }
  return env.Undefined();
}

}  // namespace

void registerLinear(Napi::Env env, Napi::Object exports) {
  exportKernels(env, exports, {{"linear", Linear}, {"linearGrad", LinearGrad}});
}

}  // namespace memgen
