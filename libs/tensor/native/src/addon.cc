// Module entry: thread control, build facts, and the registration of every kernel family.
#include <cblas.h>
#include <napi.h>
#include <omp.h>

#include "args.h"
#include "dispatch.h"
#include "parallel.h"

namespace memgen {
void registerMatMul(Napi::Env env, Napi::Object exports);
void registerElementwise(Napi::Env env, Napi::Object exports);
void registerReduce(Napi::Env env, Napi::Object exports);
void registerLayout(Napi::Env env, Napi::Object exports);
void registerFused(Napi::Env env, Napi::Object exports);
void registerAttention(Napi::Env env, Napi::Object exports);
void registerOptim(Napi::Env env, Napi::Object exports);
void registerLinear(Napi::Env env, Napi::Object exports);
}  // namespace memgen

extern "C" {
// Declared by OpenBLAS's cblas.h on some builds only; the OpenMP build exports all three.
void openblas_set_num_threads(int);
int openblas_get_num_threads(void);
char* openblas_get_config(void);
}

namespace {

// setThreads(n): OpenMP and OpenBLAS share one pool of n threads.
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  int64_t n = memgen::intArg(info, 0, "setThreads", "threads", 1, 1024);
  omp_set_num_threads(static_cast<int>(n));
  openblas_set_num_threads(static_cast<int>(n));
  return info.Env().Undefined();
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), omp_get_max_threads());
}

// info(): what was built and what was chosen at load time, for logs and benchmarks.
Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("isa", memgen::kernels().isa);
  out.Set("blas", openblas_get_config());
  out.Set("threads", omp_get_max_threads());
  out.Set("processors", omp_get_num_procs());
  out.Set("serialGemm", static_cast<double>(memgen::kSerialGemm));
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("setThreads", Napi::Function::New(env, SetThreads, "setThreads"));
  exports.Set("getThreads", Napi::Function::New(env, GetThreads, "getThreads"));
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  memgen::registerMatMul(env, exports);
  memgen::registerElementwise(env, exports);
  memgen::registerReduce(env, exports);
  memgen::registerLayout(env, exports);
  memgen::registerFused(env, exports);
  memgen::registerAttention(env, exports);
  memgen::registerOptim(env, exports);
  memgen::registerLinear(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(memgen_native, Init)
