// Compiles loops.inc for three instruction sets and picks one at load time, so the addon is
// built for baseline x86-64 (portable) yet runs AVX2/AVX-512 code where the CPU has it.
#include "dispatch.h"

#include <cmath>
#include <math.h>
#include <cstdlib>
#include <cstring>

#include "ops.h"

namespace memgen {

namespace isa_base {
#define ISA_NAME "x86-64"
#include "loops.inc"
#undef ISA_NAME
}  // namespace isa_base

#if defined(__x86_64__)
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace isa_avx2 {
#define ISA_NAME "avx2"
#include "loops.inc"
#undef ISA_NAME
}  // namespace isa_avx2
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")
namespace isa_avx512 {
#define ISA_NAME "avx512"
#include "loops.inc"
#undef ISA_NAME
}  // namespace isa_avx512
#pragma GCC pop_options
#endif

static const LoopTable* choose() {
  // MEMGEN_NATIVE_ISA=x86-64|avx2|avx512 caps the choice (for testing every copy on one machine).
  const char* cap = std::getenv("MEMGEN_NATIVE_ISA");
#if defined(__x86_64__)
  __builtin_cpu_init();
  bool allow512 = !cap || std::strcmp(cap, "avx512") == 0;
  bool allow2 = allow512 || (cap && std::strcmp(cap, "avx2") == 0);
  if (allow512 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq")) {
    return &isa_avx512::table;
  }
  if (allow2 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return &isa_avx2::table;
#endif
  (void)cap;
  return &isa_base::table;
}

const LoopTable& kernels() {
  static const LoopTable* chosen = choose();
  return *chosen;
}

}  // namespace memgen
