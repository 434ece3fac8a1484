#!/usr/bin/env bash
# The Vulkan loader and Mesa's software Vulkan driver (lavapipe), which the webgpu backend (Dawn)
# runs on where no GPU driver provides Vulkan; on NVIDIA nodes the driver's own ICD is used and
# only the loader is needed. Dawn refuses Debian bookworm's Mesa 22.3 ("Vulkan
# shaderUniform*ArrayDynamicIndexing required"), so on bookworm both packages come from
# bookworm-backports (Mesa 25). Idempotent; never fails the caller: without apt, root or the
# network it says what is missing and exits 0, and the webgpu tests skip naming the reason.
set -uo pipefail

MIN_MESA=23
skip() {
  echo "memgen setup: webgpu on software Vulkan not set up: $*" >&2
  exit 0
}

mesa_version() { dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null; }

installed() {
  local version
  version=$(mesa_version) || return 1
  dpkg -s libvulkan1 >/dev/null 2>&1 && dpkg --compare-versions "$version" ge "$MIN_MESA"
}

command -v dpkg >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 || skip "no apt (Debian packages mesa-vulkan-drivers ≥ $MIN_MESA and libvulkan1 are needed)"
installed && exit 0

sudo_cmd=()
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || skip "not root and no sudo (install mesa-vulkan-drivers ≥ $MIN_MESA and libvulkan1)"
  sudo_cmd=(sudo)
fi

codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
target=()
if [ "$codename" = bookworm ]; then
  # A sources entry of our own, added once, unless one for bookworm-backports exists already.
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "memgen setup: adding bookworm-backports (for Mesa ≥ $MIN_MESA) to /etc/apt/sources.list.d/memgen-backports.sources"
    printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm-backports' \
      'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' |
      "${sudo_cmd[@]}" tee /etc/apt/sources.list.d/memgen-backports.sources >/dev/null ||
      skip "could not write the backports source"
  fi
  target=(-t bookworm-backports)
fi

echo "memgen setup: apt-get install ${target[*]} mesa-vulkan-drivers libvulkan1"
"${sudo_cmd[@]}" apt-get update -qq || skip "apt-get update failed"
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${target[@]}" \
  mesa-vulkan-drivers libvulkan1 >/dev/null || skip "apt-get install mesa-vulkan-drivers libvulkan1 failed"
installed || skip "mesa-vulkan-drivers $(mesa_version) is older than $MIN_MESA (Dawn refuses it)"
echo "memgen setup: mesa-vulkan-drivers $(mesa_version) installed"
