// Argument checking for every exported kernel: each JS value is verified (type, element type,
// length, range) before any native code touches memory, and a violation becomes a JS Error
// naming the kernel and the argument.
#pragma once
#include <napi.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace memgen {

struct F32Arg {
  float* data;
  size_t length;
};

struct I32Arg {
  int32_t* data;
  size_t length;
};

/** A typed array of 4-byte elements (Float32Array or Int32Array): layout ops copy words. */
struct WordArg {
  uint32_t* data;
  size_t length;
  napi_typedarray_type type;
};

[[noreturn]] void fail(Napi::Env env, const std::string& kernel, const std::string& message);

F32Arg f32Arg(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name);
I32Arg i32Arg(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name);
WordArg wordArg(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name);
WordArg wordValue(Napi::Env env, Napi::Value value, const char* kernel, const std::string& name);
F32Arg f32Value(Napi::Env env, Napi::Value value, const char* kernel, const std::string& name);

/** An integer argument in [lo, hi]. */
int64_t intArg(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name, int64_t lo,
               int64_t hi);
double numberArg(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name);
bool boolArg(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name);

/** A JS array of non-negative integers (shapes, strides, sizes). */
std::vector<int64_t> intListArg(const Napi::CallbackInfo& info, size_t index, const char* kernel,
                                const char* name);
/** A JS array whose elements are typed arrays (the inputs of Concat/AddN, the outputs of Split). */
Napi::Array arrayArg(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name);

/** Product of sizes; fails when it overflows 2^53 (no real tensor gets there). */
size_t checkedProduct(Napi::Env env, const char* kernel, const std::vector<int64_t>& sizes);

/** The start of every kernel: fails unless it got exactly `count` arguments; returns the env. */
Napi::Env kernelStart(const Napi::CallbackInfo& info, const char* kernel, size_t count);

struct OpKernelStart {
  Napi::Env env;
  int op;
};

/** kernelStart for a kernel that dispatches on an op code: argument 0, in [0, opCount). */
OpKernelStart opKernelStart(const Napi::CallbackInfo& info, const char* kernel, size_t count, int opCount);

/** f32Arg of `N` consecutive arguments from `first`, one name each (bind with `auto [a, b] = …`). */
template <size_t N>
std::array<F32Arg, N> f32Args(const Napi::CallbackInfo& info, size_t first, const char* kernel,
                              const char* const (&names)[N]) {
  std::array<F32Arg, N> out{};
  for (size_t i = 0; i < N; i++) out[i] = f32Arg(info, first + i, kernel, names[i]);
  return out;
}

using KernelFn = Napi::Value (*)(const Napi::CallbackInfo&);

/** exports[name] = the kernel, for every (name, kernel). */
void exportKernels(Napi::Env env, Napi::Object exports,
                   std::initializer_list<std::pair<const char*, KernelFn>> kernels);

/** Requires `arg.length == expected`. */
void requireLength(Napi::Env env, const char* kernel, const char* name, size_t actual, size_t expected);

}  // namespace memgen
