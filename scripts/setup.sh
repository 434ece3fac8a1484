#!/usr/bin/env bash
# One-time set-up on a fresh Debian machine with Node 20: system packages (apt), the npm dependencies
# from the lockfile, and the native engine. Safe to re-run: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

# nats-server: the distributed mode's broker (integration tests start their own);
# libopenblas-openmp-dev + g++: the native engine; fonts-dejavu-core: text in PNG figures;
# prometheus (+ promtool): the tests that run every dashboard query and alert rule for real.
need=()
command -v nats-server >/dev/null 2>&1 || need+=(nats-server)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
dpkg -s libopenblas-openmp-dev >/dev/null 2>&1 || need+=(libopenblas-openmp-dev)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v make >/dev/null 2>&1 || need+=(make)
if [ ${#need[@]} -gt 0 ]; then
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  if [ "$(id -u)" = 0 ] || command -v sudo >/dev/null 2>&1; then
    echo "memgen setup: apt-get install ${need[*]}"
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "memgen setup: cannot install ${need[*]} (not root, no sudo); install them with apt to get every feature" >&2
  fi
fi

# The Vulkan loader and Mesa's lavapipe for the webgpu backend (its own script: never fails setup).
bash scripts/setup-vulkan.sh || true

# npm dependencies exactly as locked; skipped when node_modules is newer than the lockfile.
if [ ! -f node_modules/.memgen-setup ] || [ package-lock.json -nt node_modules/.memgen-setup ]; then
  npm ci --no-audit --no-fund
  touch node_modules/.memgen-setup
fi

# The native engine is optional: without it memgen runs on wasm and says so once per run.
if ! bash scripts/build-native.sh; then
  echo "memgen setup: the native engine was not built (see above); memgen will use the wasm backend" >&2
fi
