#!/usr/bin/env bash
# Builds the memgen native engine (libs/tensor/native → libs/tensor/native/build/Release/memgen_native.node).
# Needs: g++ (C++17, OpenMP), Debian's OpenMP OpenBLAS, Node's headers under /usr/include/node, and
# node-gyp (bundled with npm). Works offline. Exits non-zero with a message naming what is missing.
#   apt-get install -y g++ libopenblas-openmp-dev nodejs npm
# Environment: MEMGEN_NATIVE_SANITIZE=address builds with AddressSanitizer (scripts/native-sanitize.sh).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
native_dir="$root/libs/tensor/native"
blas_dir=/usr/lib/x86_64-linux-gnu/openblas-openmp
blas_include=/usr/include/x86_64-linux-gnu/openblas-openmp

missing() {
  echo "build-native: $1" >&2
  echo "build-native: the native backend is not built; memgen will use wasm instead." >&2
  exit 1
}

command -v g++ >/dev/null 2>&1 || missing "g++ not found (apt-get install -y g++)"
[ -f "$blas_include/cblas.h" ] && [ -e "$blas_dir/libopenblas.so" ] ||
  missing "OpenMP OpenBLAS not found in $blas_dir (apt-get install -y libopenblas-openmp-dev)"
node_prefix="$(dirname "$(dirname "$(command -v node)")")"
[ -f "$node_prefix/include/node/node_api.h" ] ||
  missing "Node headers not found in $node_prefix/include/node (Debian: apt-get install -y libnode-dev or nodejs from NodeSource)"
[ -d "$root/node_modules/node-addon-api" ] || missing "node-addon-api is not installed (npm ci)"

gyp=""
for candidate in "$node_prefix/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js" \
  "$root/node_modules/node-gyp/bin/node-gyp.js"; do
  if [ -f "$candidate" ]; then gyp="$candidate"; break; fi
done
[ -n "$gyp" ] || missing "node-gyp not found (it ships with npm: $node_prefix/lib/node_modules/npm)"

cd "$native_dir"
log="$(mktemp)"
# --nodedir: use the installed headers; without it node-gyp tries to download them.
if ! node "$gyp" rebuild --nodedir="$node_prefix" -j 2 >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  missing "compilation failed (full log: $log)"
fi
mv "$log" "$native_dir/build/build-native.log"
node -e "
  const addon = require('$native_dir/build/Release/memgen_native.node');
  const i = addon.info();
  console.log('build-native: ok (' + i.isa + ' loops, ' + i.blas.split(' ').slice(0, 2).join(' ') + ', ' + i.threads + ' threads)');
" || missing "the addon was built but does not load"
