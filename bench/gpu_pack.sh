#!/usr/bin/env bash
# Packs what bench/gpu_session.sh runs on the GPU machine: edgescope and the GPU test binaries of BUILD_DIR
# (stripped) and the shared libraries they need that the GPU machine lacks (everything ldd resolves
# here except the CUDA libraries, which the GPU machine has), into .carry/cuda/pack.tar.xz.
#
#   bench/gpu_pack.sh BUILD_DIR
set -euo pipefail
build="$1"
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib" "$root/.carry/cuda"
for b in src/cli/edgescope tests/backends/cuda_backend_test tests/runtime/hetero_test tests/runtime/reference_models \
         tests/conformance/onnx_conformance_test; do
  [[ -x "$build/$b" ]] || { echo "gpu_pack: $build/$b is not built" >&2; exit 2; }
  strip -o "$stage/bin/$(basename "$b")" "$build/$b"
done
ldd "$stage"/bin/* | awk '/=> \// { print $3 }' | sort -u |
  grep -vE '/(libcudnn[a-z_]*|libcublas(Lt)?|libcudart|libcuda|libnvrtc|libc|libm|libstdc\+\+|libgcc_s|ld-linux|libdl|librt|libpthread)[.-]' |
  while read -r lib; do cp -L "$lib" "$stage/lib/"; done
tar cJf "$root/.carry/cuda/pack.tar.xz" -C "$stage" bin lib
ls -la "$root/.carry/cuda/pack.tar.xz"
