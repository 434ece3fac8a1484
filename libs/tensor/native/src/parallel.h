// Splitting a loop over OpenMP threads only when there is enough work to pay for the fork:
// most of a training step's kernels are small, and a parallel region costs a few microseconds.
#pragma once
#include <omp.h>

#include <algorithm>
#include <cstddef>

namespace memgen {

/** Elements of simple element-wise work below which one thread is faster than several. */
constexpr size_t kParallelGrain = 32768;

/**
 * Calls f(begin, end) over [0, n) in at most omp_get_max_threads() contiguous chunks of at least
 * `minChunk` items each (one chunk, on the calling thread, when n is small).
 */
template <class F>
void parallelRanges(size_t n, size_t minChunk, F f) {
  if (n == 0) return;
  const size_t threads = static_cast<size_t>(omp_get_max_threads());
  const size_t chunks = std::min(threads, std::max<size_t>(1, n / std::max<size_t>(1, minChunk)));
  if (chunks <= 1) {
    f(size_t{0}, n);
    return;
  }
#pragma omp parallel for num_threads(static_cast<int>(chunks)) schedule(static, 1)
  for (size_t c = 0; c < chunks; c++) f(n * c / chunks, n * (c + 1) / chunks);
}

/**
 * Multiply-adds of one GEMM below which it runs on the calling thread alone, as decoding's
 * per-step products do (micro at 64 rows: [64, 64]·[64, 256], 1 M): too small to split.
 */
constexpr size_t kSerialGemm = size_t{1} << 21;

/**
 * Runs f with one OpenMP thread when `work` (multiply-adds) is under kSerialGemm, the pool's size
 * otherwise. OpenMP OpenBLAS sizes each call by the calling thread's omp_get_max_threads().
 */
template <class F>
void gemmSizedThreads(size_t work, F f) {
  const int threads = omp_get_max_threads();
  if (threads == 1 || work >= kSerialGemm) {
    f();
    return;
  }
  omp_set_num_threads(1);
  f();
  omp_set_num_threads(threads);
}

/** Items per chunk so that each chunk holds about kParallelGrain elements of `itemSize` each. */
inline size_t grainFor(size_t itemSize) { return std::max<size_t>(1, kParallelGrain / std::max<size_t>(1, itemSize)); }

}  // namespace memgen
