#!/usr/bin/env bash
# Installs the Debian packages edgescope needs to build and test, only those missing.
# Idempotent: a second run on a ready machine does nothing and takes well under a second.
set -euo pipefail
packages=(
  cmake ninja-build g++ clang pkg-config
  libonnx-dev libprotobuf-dev protobuf-compiler
  libdnnl-dev libcli11-dev nlohmann-json3-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libjpeg-dev libpng-dev libstb-dev
  libonnx-testdata
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "edgescope: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -q
  $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
