#!/usr/bin/env bash
# Runs the native kernel tests once against an AddressSanitizer build of the addon (out-of-bounds
# reads/writes, use-after-free). The ASan build goes to a temporary directory, so the release
# build in libs/tensor/native/build is untouched. Needs what build-native.sh needs, plus libasan
# (Debian: part of g++).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_prefix="$(dirname "$(dirname "$(command -v node)")")"
gyp="$node_prefix/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$gyp" ] || { echo "native-sanitize: node-gyp not found at $gyp" >&2; exit 1; }
asan="$(g++ -print-file-name=libasan.so)"
[ -f "$asan" ] || { echo "native-sanitize: libasan not found (apt-get install -y g++)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$root/libs/tensor/native/binding.gyp" "$root/libs/tensor/native/src" "$work/"
echo "native-sanitize: building with -fsanitize=address in $work"
(cd "$work" && NODE_PATH="$root/node_modules" MEMGEN_NATIVE_SANITIZE=address \
  node "$gyp" rebuild --nodedir="$node_prefix" -j 2 >"$work/build.log" 2>&1) ||
  { tail -n 30 "$work/build.log" >&2; echo "native-sanitize: build failed" >&2; exit 1; }
# grep without -q: with pipefail, -q exiting early would SIGPIPE nm and fail the pipeline.
nm -D "$work/build/Release/memgen_native.node" | grep __asan_init >/dev/null ||
  { echo "native-sanitize: the build is not instrumented (no __asan_init)" >&2; exit 1; }

# Node is not instrumented, so libasan is preloaded; leak checking would report V8's allocations.
cd "$root"
LD_PRELOAD="$asan" ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1" \
  MEMGEN_NATIVE_ADDON="$work/build/Release/memgen_native.node" \
  node node_modules/vitest/vitest.mjs run \
  libs/tensor/src/native/addon.test.ts libs/tensor/src/native/matmul.test.ts \
  libs/tensor/src/native/elementwise.test.ts libs/tensor/src/native/reduce.test.ts \
  libs/tensor/src/native/layout.test.ts libs/tensor/src/native/fused.test.ts \
  libs/tensor/src/native/backend.test.ts libs/tensor/src/native/attention.test.ts \
  libs/model/src/decode.test.ts
echo "native-sanitize: no AddressSanitizer reports"
