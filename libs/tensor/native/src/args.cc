#include "args.h"

#include <cmath>

namespace memgen {

void fail(Napi::Env env, const std::string& kernel, const std::string& message) {
  throw Napi::Error::New(env, "memgen native " + kernel + ": " + message);
}

static Napi::TypedArray typedArray(Napi::Env env, Napi::Value value, const char* kernel, const std::string& name) {
  if (!value.IsTypedArray()) fail(env, kernel, name + " must be a typed array");
  return value.As<Napi::TypedArray>();
}

F32Arg f32Value(Napi::Env env, Napi::Value value, const char* kernel, const std::string& name) {
  Napi::TypedArray array = typedArray(env, value, kernel, name);
  if (array.TypedArrayType() != napi_float32_array) fail(env, kernel, name + " must be a Float32Array");
  auto f32 = array.As<Napi::Float32Array>();
  return {f32.Data(), f32.ElementLength()};
}

F32Arg f32Arg(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name) {
  return f32Value(info.Env(), info[index], kernel, name);
}

I32Arg i32Arg(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name) {
  Napi::TypedArray array = typedArray(info.Env(), info[index], kernel, name);
  if (array.TypedArrayType() != napi_int32_array) fail(info.Env(), kernel, std::string(name) + " must be an Int32Array");
  auto i32 = array.As<Napi::Int32Array>();
  return {i32.Data(), i32.ElementLength()};
}

WordArg wordValue(Napi::Env env, Napi::Value value, const char* kernel, const std::string& name) {
  Napi::TypedArray array = typedArray(env, value, kernel, name);
  napi_typedarray_type type = array.TypedArrayType();
  if (type == napi_float32_array) {
    auto a = array.As<Napi::Float32Array>();
    return {reinterpret_cast<uint32_t*>(a.Data()), a.ElementLength(), type};
  }
  if (type == napi_int32_array) {
    auto a = array.As<Napi::Int32Array>();
    return {reinterpret_cast<uint32_t*>(a.Data()), a.ElementLength(), type};
  }
  fail(env, kernel, name + " must be a Float32Array or an Int32Array");
}

WordArg wordArg(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name) {
  return wordValue(info.Env(), info[index], kernel, name);
}

int64_t intArg(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name, int64_t lo,
               int64_t hi) {
  if (!info[index].IsNumber()) fail(info.Env(), kernel, std::string(name) + " must be a number");
  double value = info[index].As<Napi::Number>().DoubleValue();
  if (!(value == std::floor(value)) || value < static_cast<double>(lo) || value > static_cast<double>(hi)) {
    fail(info.Env(), kernel,
         std::string(name) + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
             "], got " + std::to_string(value));
  }
  return static_cast<int64_t>(value);
}

double numberArg(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name) {
  if (!info[index].IsNumber()) fail(info.Env(), kernel, std::string(name) + " must be a number");
  return info[index].As<Napi::Number>().DoubleValue();
}

bool boolArg(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name) {
  if (!info[index].IsBoolean()) fail(info.Env(), kernel, std::string(name) + " must be a boolean");
  return info[index].As<Napi::Boolean>().Value();
}

std::vector<int64_t> intListArg(const Napi::CallbackInfo& info, size_t index, const char* kernel,
                                const char* name) {
  if (!info[index].IsArray()) fail(info.Env(), kernel, std::string(name) + " must be an array of integers");
  Napi::Array array = info[index].As<Napi::Array>();
  std::vector<int64_t> out(array.Length());
  for (uint32_t i = 0; i < array.Length(); i++) {
    Napi::Value v = array.Get(i);
    double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1.0;
    if (!(d >= 0 && d == std::floor(d) && d < 9007199254740992.0)) {
      fail(info.Env(), kernel, std::string(name) + "[" + std::to_string(i) + "] must be a non-negative integer");
    }
    out[i] = static_cast<int64_t>(d);
  }
  return out;
}

Napi::Array arrayArg(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name) {
  if (!info[index].IsArray()) fail(info.Env(), kernel, std::string(name) + " must be an array");
  return info[index].As<Napi::Array>();
}

size_t checkedProduct(Napi::Env env, const char* kernel, const std::vector<int64_t>& sizes) {
  double total = 1;
  size_t product = 1;
  for (int64_t s : sizes) {
    total *= static_cast<double>(s);
    product *= static_cast<size_t>(s);
  }
  if (total > 9007199254740992.0) fail(env, kernel, "tensor size overflows");
  return product;
}

Napi::Env kernelStart(const Napi::CallbackInfo& info, const char* kernel, size_t count) {
  if (info.Length() != count) fail(info.Env(), kernel, "expects " + std::to_string(count) + " arguments");
  return info.Env();
}

OpKernelStart opKernelStart(const Napi::CallbackInfo& info, const char* kernel, size_t count, int opCount) {
  Napi::Env env = kernelStart(info, kernel, count);
  return {env, static_cast<int>(intArg(info, 0, kernel, "op", 0, opCount - 1))};
}

void exportKernels(Napi::Env env, Napi::Object exports,
                   std::initializer_list<std::pair<const char*, KernelFn>> kernels) {
  for (const auto& [name, fn] : kernels) exports.Set(name, Napi::Function::New(env, fn, name));
}

void requireLength(Napi::Env env, const char* kernel, const char* name, size_t actual, size_t expected) {
  if (actual != expected) {
    fail(env, kernel,
         std::string(name) + " has " + std::to_string(actual) + " elements, expected " + std::to_string(expected));
  }
}

}  // namespace memgen
