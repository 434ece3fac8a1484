// Reductions over the middle axis of an [outer, mid, inner] view, and row softmax.
#include <algorithm>

#include "args.h"
#include "dispatch.h"
#include "ops.h"
#include "parallel.h"

namespace memgen {
namespace {

// reduce(op, out, x, outer, mid, inner): out[o, j] = reduce_m x[o, m, j]; mid ≥ 1.
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  const char* kName = "reduce";
  const auto [env, op] = opKernelStart(info, kName, 6, kReduceOpCount);
  auto [out, x] = f32Args(info, 1, kName, {"out", "x"});
  const int64_t limit = int64_t{1} << 52;
  const size_t outer = static_cast<size_t>(intArg(info, 3, kName, "outer", 0, limit));
  const size_t mid = static_cast<size_t>(intArg(info, 4, kName, "mid", 1, limit));
  const size_t inner = static_cast<size_t>(intArg(info, 5, kName, "inner", 0, limit));
  const size_t outCount = checkedProduct(env, kName, {static_cast<int64_t>(outer), static_cast<int64_t>(inner)});
  requireLength(env, kName, "out", out.length, outCount);
  requireLength(env, kName, "x", x.length,
                checkedProduct(env, kName, {static_cast<int64_t>(outCount), static_cast<int64_t>(mid)}));
  if (outCount == 0) return env.Undefined();
  const LoopTable& k = kernels();
  const int base = op == kMean ? kSum : op;
  if (inner == 1) {
    parallelRanges(outer, grainFor(mid), [&](size_t begin, size_t end) {
      k.reduceRows(base, out.data + begin, x.data + begin * mid, end - begin, mid);
    });
  } else if (outer >= static_cast<size_t>(omp_get_max_threads())) {
    parallelRanges(outer, grainFor(mid * inner), [&](size_t begin, size_t end) {
      for (size_t o = begin; o < end; o++) {
        k.reduceColumns(base, out.data + o * inner, x.data + o * mid * inner, mid, inner, inner);
      }
    });
  } else {
    // Few slabs (a bias gradient: [rows, C] → [C]): split the columns instead, in blocks of 16.
    const size_t blocks = (inner + 15) / 16;
    parallelRanges(blocks, grainFor(mid * 16 * outer), [&](size_t begin, size_t end) {
      const size_t j0 = begin * 16;
      const size_t j1 = std::min(inner, end * 16);
      for (size_t o = 0; o < outer; o++) {
        k.reduceColumns(base, out.data + o * inner + j0, x.data + o * mid * inner + j0, mid, j1 - j0, inner);
      }
    });
  }
  if (op == kMean) {
    const float scale = 1.0f / static_cast<float>(mid);
    for (size_t i = 0; i < outCount; i++) out.data[i] *= scale;
  }
  return env.Undefined();
}

// softmax(out, x, rows, cols): softmax over the last axis.
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  const char* kName = "softmax";
  Napi::Env env = kernelStart(info, kName, 4);
  auto [out, x] = f32Args(info, 0, kName, {"out", "x"});
  const int64_t limit = int64_t{1} << 52;
  const size_t rows = static_cast<size_t>(intArg(info, 2, kName, "rows", 0, limit));
  const size_t cols = static_cast<size_t>(intArg(info, 3, kName, "cols", 1, limit));
  const size_t total = checkedProduct(env, kName, {static_cast<int64_t>(rows), static_cast<int64_t>(cols)});
  requireLength(env, kName, "x", x.length, total);
  requireLength(env, kName, "out", out.length, total);
  const LoopTable& k = kernels();
  parallelRanges(rows, grainFor(cols * 4), [&](size_t begin, size_t end) {
    k.softmaxRows(out.data + begin * cols, x.data + begin * cols, end - begin, cols);
  });
  return env.Undefined();
}

}  // namespace

void registerReduce(Napi::Env env, Napi::Object exports) {
  exportKernels(env, exports, {{"reduce", Reduce}, {"softmax", Softmax}});
}

}  // namespace memgen
