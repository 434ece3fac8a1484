#!/usr/bin/env bash
# Packs what `npm run gpu:check` needs on a machine with a GPU, no internet and no node_modules:
# the check bundled into one file, dawn.node, the native engine with its OpenBLAS / OpenMP / Fortran
# libraries, the Vulkan loader, libstdc++ for an older system, and Node itself (used only where the
# system has no Node ≥ 20). Writes .cache/gpu-pack.tar.xz (≈ 40 MB; the run tool carries ≤ 64 MiB).
# There: tar xf gpu-pack.tar.xz && bash gpu-pack/gpu-check.sh [gpu:check flags].
set -euo pipefail
cd "$(dirname "$0")/.."
out=.cache/gpu-pack
rm -rf "$out" && mkdir -p "$out/lib" "$out/node_modules/webgpu/dist/linux-x64"

node_modules/.bin/esbuild bench/gpu/check.ts --bundle --platform=node --format=esm --target=node20 \
  --outfile="$out/check.mjs" --external:webgpu --alias:@resvg/resvg-js=./bench/gpu/resvg-stub.ts \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
  --log-level=warning

cp node_modules/webgpu/index.js node_modules/webgpu/package.json "$out/node_modules/webgpu/"
cp node_modules/webgpu/dist/linux-x64/dawn.node "$out/node_modules/webgpu/dist/linux-x64/"

addon=libs/tensor/native/build/Release/memgen_native.node
[ -f "$addon" ] || bash scripts/build-native.sh
cp "$addon" "$out/lib/"
# The addon's libraries that a GPU image rarely has (libc, libm, libgcc_s it always has).
for lib in $(ldd "$addon" | awk '/=> \//{print $3}' | grep -E 'openblas|gomp|gfortran|quadmath'); do
  cp -L "$lib" "$out/lib/"
done
vulkan=$(ldconfig -p | awk '/libvulkan.so.1 .*x86-64/{print $NF; exit}')
[ -n "$vulkan" ] || { echo "gpu-pack: no libvulkan.so.1 here (bash scripts/setup-vulkan.sh)" >&2; exit 1; }
cp -L "$vulkan" "$out/lib/"
mkdir -p "$out/lib/fallback"
cp -L "$(ldconfig -p | awk '/libstdc\+\+.so.6 .*x86-64/{print $NF; exit}')" "$out/lib/fallback/"
cp -L "$(command -v node)" "$out/node"
cp scripts/gpu-check.sh "$out/gpu-check.sh"

tar -C .cache -cf - gpu-pack | xz -T0 -6 >.cache/gpu-pack.tar.xz
du -sh "$out" .cache/gpu-pack.tar.xz
