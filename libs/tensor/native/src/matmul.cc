// BatchMatMul on OpenBLAS: out[i] = op(a[aIndex[i]]) · op(b[bIndex[i]]) for each batch entry i,
// where the JS side resolves batch broadcasting into the two index lists.
#include <cblas.h>
#include <omp.h>

#include <cstring>

#include "args.h"
#include "parallel.h"

namespace memgen {
namespace {

constexpr const char* kName = "matMul";

// matMul(out, a, b, m, n, k, transposeA, transposeB, aIndex: Int32Array, bIndex: Int32Array)
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  Napi::Env env = kernelStart(info, kName, 10);
  auto [out, a, b] = f32Args(info, 0, kName, {"out", "a", "b"});
  const int64_t limit = int64_t{1} << 31;
  const size_t m = static_cast<size_t>(intArg(info, 3, kName, "m", 0, limit - 1));
  const size_t n = static_cast<size_t>(intArg(info, 4, kName, "n", 0, limit - 1));
  const size_t k = static_cast<size_t>(intArg(info, 5, kName, "k", 0, limit - 1));
  const bool transA = boolArg(info, 6, kName, "transposeA");
  const bool transB = boolArg(info, 7, kName, "transposeB");
  I32Arg aIndex = i32Arg(info, 8, kName, "aIndex");
  I32Arg bIndex = i32Arg(info, 9, kName, "bIndex");
  const size_t batch = aIndex.length;
  requireLength(env, kName, "bIndex", bIndex.length, batch);
  requireLength(env, kName, "out", out.length, batch * m * n);
  const size_t aSize = m * k;
  const size_t bSize = k * n;
  for (size_t i = 0; i < batch; i++) {
    if (aIndex.data[i] < 0 || (static_cast<size_t>(aIndex.data[i]) + 1) * aSize > a.length) {
      fail(env, kName, "aIndex[" + std::to_string(i) + "] points outside a");
    }
    if (bIndex.data[i] < 0 || (static_cast<size_t>(bIndex.data[i]) + 1) * bSize > b.length) {
      fail(env, kName, "bIndex[" + std::to_string(i) + "] points outside b");
    }
  }
  if (out.length == 0) return env.Undefined();
  if (k == 0) {
    std::memset(out.data, 0, out.length * sizeof(float));
    return env.Undefined();
  }
  const CBLAS_TRANSPOSE ta = transA ? CblasTrans : CblasNoTrans;
  const CBLAS_TRANSPOSE tb = transB ? CblasTrans : CblasNoTrans;
  const int lda = static_cast<int>(transA ? m : k);
  const int ldb = static_cast<int>(transB ? k : n);

  // A run of consecutive, untransposed a matrices against one shared b is a single taller GEMM
  // (x[B,T,C] · W[C,D]): far better than B small calls.
  bool foldable = !transA && batch > 1;
  for (size_t i = 1; foldable && i < batch; i++) {
    foldable = aIndex.data[i] == aIndex.data[0] + static_cast<int32_t>(i) && bIndex.data[i] == bIndex.data[0];
  }
  if (foldable || batch == 1) {
    const size_t rows = foldable ? batch * m : m;
    gemmSizedThreads(rows * n * k, [&] {
      cblas_sgemm(CblasRowMajor, ta, tb, static_cast<int>(rows), static_cast<int>(n), static_cast<int>(k), 1.0f,
                  a.data + aIndex.data[0] * aSize, lda, b.data + bIndex.data[0] * bSize, ldb, 0.0f, out.data,
                  static_cast<int>(n));
    });
    return env.Undefined();
  }
  auto one = [&](size_t i) {
    cblas_sgemm(CblasRowMajor, ta, tb, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), 1.0f,
                a.data + aIndex.data[i] * aSize, lda, b.data + bIndex.data[i] * bSize, ldb, 0.0f,
                out.data + i * m * n, static_cast<int>(n));
  };
  // Many small products (attention heads): one product per thread, each single-threaded inside
  // OpenBLAS (its OpenMP build runs serially when called from a parallel region).
  const int threads = omp_get_max_threads();
  if (threads > 1 && batch >= static_cast<size_t>(threads)) {
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < batch; i++) one(i);
  } else {
    for (size_t i = 0; i < batch; i++) one(i);
  }
  return env.Undefined();
}

}  // namespace

void registerMatMul(Napi::Env env, Napi::Object exports) {
  exportKernels(env, exports, {{"matMul", MatMul}});
}

}  // namespace memgen
