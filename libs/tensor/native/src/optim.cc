// The optimizer's whole-model kernels: the squared global gradient norm, and one AdamW update of
// every parameter in place with the clip factor folded in. One call each per training step, over
// work split into equal chunks across all parameters, instead of a kernel (and fresh output
// buffers) per parameter and per element-wise step.
#include <omp.h>

#include <cmath>
#include <string>
#include <vector>

#include "args.h"
#include "dispatch.h"

namespace memgen {
namespace {

/** Elements per unit of parallel work: small parameters share no chunk, large ones split. */
constexpr size_t kChunk = 32768;

struct Chunk {
  size_t array, begin, end;
};

std::vector<F32Arg> f32List(Napi::Env env, Napi::Array list, const char* kernel, const char* name) {
  std::vector<F32Arg> out;
  out.reserve(list.Length());
  for (uint32_t i = 0; i < list.Length(); i++) {
    out.push_back(f32Value(env, list.Get(i), kernel, std::string(name) + "[" + std::to_string(i) + "]"));
  }
  return out;
}

/** Every array cut into chunks of at most kChunk elements, in array order. */
std::vector<Chunk> chunksOf(const std::vector<F32Arg>& arrays) {
  std::vector<Chunk> chunks;
  for (size_t a = 0; a < arrays.size(); a++) {
    for (size_t b = 0; b < arrays[a].length; b += kChunk) chunks.push_back({a, b, std::min(b + kChunk, arrays[a].length)});
  }
  return chunks;
}

/** f(chunk) for every chunk, across threads when there is more than one. */
template <class F>
void eachChunk(const std::vector<Chunk>& chunks, F f) {
  const auto n = static_cast<int64_t>(chunks.size());
#pragma omp parallel for schedule(static) if (n > 1 && omp_get_max_threads() > 1)
  for (int64_t c = 0; c < n; c++) f(chunks[static_cast<size_t>(c)]);
}

// sumSquares(arrays: Float32Array[]) → Σ over all arrays of x², summed in chunk order (the same
// result on any number of threads).
Napi::Value SumSquares(const Napi::CallbackInfo& info) {
  const char* kName = "sumSquares";
  Napi::Env env = kernelStart(info, kName, 1);
  const std::vector<F32Arg> arrays = f32List(env, arrayArg(info, 0, kName, "arrays"), kName, "arrays");
  const std::vector<Chunk> chunks = chunksOf(arrays);
  std::vector<double> partial(chunks.size());
  const LoopTable& k = kernels();
  eachChunk(chunks, [&](const Chunk& c) {
    partial[&c - chunks.data()] = k.sumSquares(arrays[c.array].data + c.begin, c.end - c.begin);
  });
  double total = 0.0;
  for (double p : partial) total += p;
  return Napi::Number::New(env, total);
}

// adamwInPlace(params, ms, vs, grads: Float32Array[], weightDecays: Float64Array, lr, beta1, beta2,
// epsilon, step, gradScale): PyTorch's AdamW (decoupled decay, bias-corrected moments) on every
// parameter, overwriting params, ms and vs; each gradient is multiplied by gradScale first.
Napi::Value AdamWInPlace(const Napi::CallbackInfo& info) {
  const char* kName = "adamwInPlace";
  Napi::Env env = kernelStart(info, kName, 11);
  const auto params = f32List(env, arrayArg(info, 0, kName, "params"), kName, "params");
  const auto ms = f32List(env, arrayArg(info, 1, kName, "ms"), kName, "ms");
  const auto vs = f32List(env, arrayArg(info, 2, kName, "vs"), kName, "vs");
  const auto grads = f32List(env, arrayArg(info, 3, kName, "grads"), kName, "grads");
  if (!info[4].IsTypedArray() || info[4].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    fail(env, kName, "weightDecays must be a Float64Array");
  const auto decays = info[4].As<Napi::Float64Array>();
  const size_t n = params.size();
  for (const auto* list : {&ms, &vs, &grads}) requireLength(env, kName, "a state list", list->size(), n);
  requireLength(env, kName, "weightDecays", decays.ElementLength(), n);
  for (size_t j = 0; j < n; j++) {
    const std::string at = "[" + std::to_string(j) + "]";
    requireLength(env, kName, ("ms" + at).c_str(), ms[j].length, params[j].length);
    requireLength(env, kName, ("vs" + at).c_str(), vs[j].length, params[j].length);
    requireLength(env, kName, ("grads" + at).c_str(), grads[j].length, params[j].length);
    const float* arrays[] = {params[j].data, ms[j].data, vs[j].data, grads[j].data};
    for (int a = 0; a < 4; a++) {
      for (int b = a + 1; b < 4; b++) {
        if (arrays[a] == arrays[b] && params[j].length > 0) fail(env, kName, "param" + at + " shares a buffer with its state");
      }
    }
  }
  const double lr = numberArg(info, 5, kName, "lr");
  const double beta1 = numberArg(info, 6, kName, "beta1");
  const double beta2 = numberArg(info, 7, kName, "beta2");
  const double step = static_cast<double>(intArg(info, 9, kName, "step", 1, int64_t{1} << 40));
  AdamWScalars base{};
  base.beta1 = static_cast<float>(beta1);
  base.beta2 = static_cast<float>(beta2);
  base.oneMinusBeta1 = static_cast<float>(1.0 - beta1);
  base.oneMinusBeta2 = static_cast<float>(1.0 - beta2);
  base.epsilon = static_cast<float>(numberArg(info, 8, kName, "epsilon"));
  base.stepSize = static_cast<float>(lr / (1.0 - std::pow(beta1, step)));
  base.invSqrtC2 = static_cast<float>(1.0 / std::sqrt(1.0 - std::pow(beta2, step)));
  base.gradScale = static_cast<float>(numberArg(info, 10, kName, "gradScale"));
  std::vector<AdamWScalars> scalars(n, base);
  for (size_t j = 0; j < n; j++) scalars[j].decay = static_cast<float>(1.0 - lr * decays[j]);
  const std::vector<Chunk> chunks = chunksOf(params);
  const LoopTable& k = kernels();
  eachChunk(chunks, [&](const Chunk& c) {
    const size_t j = c.array, b = c.begin;
    k.adamwInPlace(params[j].data + b, ms[j].data + b, vs[j].data + b, grads[j].data + b, c.end - b, scalars[j]);
  });
  return env.Undefined();
}

}  // namespace

void registerOptim(Napi::Env env, Napi::Object exports) {
  exportKernels(env, exports, {{"sumSquares", SumSquares}, {"adamwInPlace", AdamWInPlace}});
}

}  // namespace memgen
