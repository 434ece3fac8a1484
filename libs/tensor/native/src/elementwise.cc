// Element-wise kernels: binary ops with broadcasting, unary ops, AddN.
#include <cstring>
#include <vector>

#include "args.h"
#include "dispatch.h"
#include "ops.h"
#include "parallel.h"

namespace memgen {
namespace {

// binary(op, out, a, b, dims) — dims is a flat list of [size, strideA, strideB] per output
// dimension, outermost first, already collapsed by the JS side; broadcast dimensions have
// stride 0 and the innermost strides are 0 or 1.
Napi::Value Binary(const Napi::CallbackInfo& info) {
  const char* kName = "binary";
  const auto [env, op] = opKernelStart(info, kName, 5, kBinaryOpCount);
  auto [out, a, b] = f32Args(info, 1, kName, {"out", "a", "b"});
  std::vector<int64_t> dims = intListArg(info, 4, kName, "dims");
  if (dims.empty() || dims.size() % 3 != 0) fail(env, kName, "dims must hold [size, strideA, strideB] triples");
  const size_t rank = dims.size() / 3;
  std::vector<int64_t> sizes(rank);
  size_t lastA = 0;
  size_t lastB = 0;
  for (size_t d = 0; d < rank; d++) {
    sizes[d] = dims[3 * d];
    lastA += static_cast<size_t>(dims[3 * d] > 0 ? dims[3 * d] - 1 : 0) * static_cast<size_t>(dims[3 * d + 1]);
    lastB += static_cast<size_t>(dims[3 * d] > 0 ? dims[3 * d] - 1 : 0) * static_cast<size_t>(dims[3 * d + 2]);
  }
  const size_t total = checkedProduct(env, kName, sizes);
  requireLength(env, kName, "out", out.length, total);
  if (total == 0) return env.Undefined();
  if (lastA >= a.length) fail(env, kName, "a is too short for its strides");
  if (lastB >= b.length) fail(env, kName, "b is too short for its strides");
  const int sa = static_cast<int>(dims[3 * rank - 2]);
  const int sb = static_cast<int>(dims[3 * rank - 1]);
  if (sa > 1 || sb > 1) fail(env, kName, "innermost strides must be 0 or 1");
  const size_t inner = static_cast<size_t>(sizes[rank - 1]);
  const size_t rows = total / inner;
  const LoopTable& k = kernels();
  parallelRanges(rows, grainFor(inner), [&](size_t begin, size_t end) {
    // Odometer over the outer dimensions, started at row `begin`.
    std::vector<int64_t> index(rank, 0);
    size_t offA = 0;
    size_t offB = 0;
    size_t rest = begin;
    for (size_t d = rank - 1; d-- > 0;) {
      index[d] = static_cast<int64_t>(rest % static_cast<size_t>(sizes[d]));
      rest /= static_cast<size_t>(sizes[d]);
      offA += static_cast<size_t>(index[d] * dims[3 * d + 1]);
      offB += static_cast<size_t>(index[d] * dims[3 * d + 2]);
    }
    for (size_t r = begin; r < end; r++) {
      k.binary(op, out.data + r * inner, a.data + offA, b.data + offB, inner, sa, sb);
      for (size_t d = rank - 1; d-- > 0;) {
        offA += static_cast<size_t>(dims[3 * d + 1]);
        offB += static_cast<size_t>(dims[3 * d + 2]);
        if (++index[d] < sizes[d]) break;
        offA -= static_cast<size_t>(sizes[d] * dims[3 * d + 1]);
        offB -= static_cast<size_t>(sizes[d] * dims[3 * d + 2]);
        index[d] = 0;
      }
    }
  });
  return env.Undefined();
}

// unary(op, out, x, alpha)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  const char* kName = "unary";
  const auto [env, op] = opKernelStart(info, kName, 4, kUnaryOpCount);
  auto [out, x] = f32Args(info, 1, kName, {"out", "x"});
  const float alpha = static_cast<float>(numberArg(info, 3, kName, "alpha"));
  requireLength(env, kName, "out", out.length, x.length);
  const LoopTable& k = kernels();
  parallelRanges(x.length, kParallelGrain / 4, [&](size_t begin, size_t end) {
    k.unary(op, out.data + begin, x.data + begin, end - begin, alpha);
  });
  return env.Undefined();
}

// addN(out, inputs: Float32Array[]) — every input has out's length.
Napi::Value AddN(const Napi::CallbackInfo& info) {
  const char* kName = "addN";
  Napi::Env env = kernelStart(info, kName, 2);
  F32Arg out = f32Arg(info, 0, kName, "out");
  Napi::Array list = arrayArg(info, 1, kName, "inputs");
  if (list.Length() == 0) fail(env, kName, "needs at least one input");
  std::vector<const float*> inputs;
  for (uint32_t i = 0; i < list.Length(); i++) {
    F32Arg x = f32Value(env, list.Get(i), kName, "inputs[" + std::to_string(i) + "]");
    requireLength(env, kName, "an input", x.length, out.length);
    inputs.push_back(x.data);
  }
  const LoopTable& k = kernels();
  parallelRanges(out.length, kParallelGrain, [&](size_t begin, size_t end) {
    std::memcpy(out.data + begin, inputs[0] + begin, (end - begin) * sizeof(float));
    for (size_t i = 1; i < inputs.size(); i++) k.accumulate(out.data + begin, inputs[i] + begin, end - begin);
  });
  return env.Undefined();
}

}  // namespace

void registerElementwise(Napi::Env env, Napi::Object exports) {
  exportKernels(env, exports, {{"binary", Binary}, {"unary", Unary}, {"addN", AddN}});
}

}  // namespace memgen
