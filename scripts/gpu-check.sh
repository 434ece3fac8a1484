#!/usr/bin/env bash
# Runs the packed device check (scripts/gpu-pack.sh) with the libraries beside it: the system's
# Node when it is 20 or newer, else the packed one; libstdc++ from the pack only when the system's
# is older than dawn.node needs (GLIBCXX_3.4.30). Flags go to gpu:check (--full, --out FILE, …).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
node=$here/node
if command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ]; then
  node=$(command -v node)
fi
libs=$here/lib
system_cxx=$(ldconfig -p | awk '/libstdc\+\+.so.6 .*x86-64/{print $NF; exit}')
if [ -z "$system_cxx" ] || ! grep -qa GLIBCXX_3.4.30 "$system_cxx"; then libs=$libs:$here/lib/fallback; fi
export LD_LIBRARY_PATH=$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export MEMGEN_NATIVE_ADDON=$here/lib/memgen_native.node
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=index,name,driver_version,memory.total --format=csv,noheader || true
exec "$node" "$here/check.mjs" "$@"
