#!/usr/bin/env bash
# Packs what bench/gpu_session.sh runs on the GPU machine: edgescope and the GPU test binaries of BUILD_DIR
# (stripped) and the shared libraries they need that the GPU machine lacks (everything ldd resolves
# here except the CUDA libraries, which the GPU machine has), into PACK (default .carry/cuda/pack.tar.xz;
# gpu_session.sh reads another one named by ES_PACK).
#
#   bench/gpu_pack.sh BUILD_DIR [PACK]
set -euo pipefail
build="$1"
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pack=$(realpath -m "${2:-$root/.carry/cuda/pack.tar.xz}")
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib" "$(dirname "$pack")"
for b in src/cli/edgescope tests/backends/cuda_backend_test tests/backends/cuda_nvtx_test tests/runtime/hetero_test \
         tests/runtime/restriction_test tests/runtime/reference_models \
         tests/conformance/onnx_conformance_test; do
  [[ -x "$build/$b" ]] || { echo "gpu_pack: $build/$b is not built" >&2; exit 2; }
  strip -o "$stage/bin/$(basename "$b")" "$build/$b"
done
# cuda_nvtx_test loads its NVTX injection library from beside itself.
recorder="$build/tests/backends/libes_nvtx_recorder.so"
[[ -f "$recorder" ]] || { echo "gpu_pack: $recorder is not built" >&2; exit 2; }
strip --strip-unneeded -o "$stage/bin/$(basename "$recorder")" "$recorder"
ldd "$stage"/bin/* | awk '/=> \// { print $3 }' | sort -u |
  grep -vE '/(libcudnn[a-z_]*|libcublas(Lt)?|libcudart|libcuda|libnvrtc|libc|libm|libstdc\+\+|libgcc_s|ld-linux|libdl|librt|libpthread)[.-]' |
  while read -r lib; do cp -L "$lib" "$stage/lib/"; done
# The test binaries read the source tree and ../shared at paths compiled in: gpu_session.sh links them there.
cache="$build/CMakeCache.txt"
{
  echo "source=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$cache")"
  echo "shared=$(sed -n 's/^ES_SHARED_DIR:PATH=//p' "$cache")"
} > "$stage/paths"
tar cJf "$pack" -C "$stage" bin lib paths
ls -la "$pack"
