#!/usr/bin/env bash
# On the GPU machine: top-1/top-5 of MobileNetV2 over ../shared's 1,000 labelled ImageNet photos on the cuda
# backend in FP32, TF32 and FP16 (issue 5: reduced precision must not change the top-1), through
# `edgescope bench --images --labels`. Carry (git-ignored) .carry/top1 with pack.tar.xz (bench/gpu_pack.sh),
# images.tar (imagenet-sample-images/ + imagenet_sample_labels.tsv) and mobilenetv2-12-fp32-dequantized.onnx.
#
#   bench/gpu_top1.sh            # writes $OUT/top1-<precision>.json, prints the accuracy lines and, photo by
#                                # photo, how TF32 and FP16 change FP32's first class (bench/compare_predictions.py)
set -uo pipefail
CARRY="$(pwd)/.carry/top1"
WORK=/tmp/es-top1
OUT=${OUT:-/tmp/es-top1-out}
mkdir -p "$WORK" "$OUT"
tar xJf "$CARRY/pack.tar.xz" -C "$WORK"
tar xf "$CARRY/images.tar" -C "$WORK"
dirs="$WORK/lib"
for name in libcudnn.so.9 libcublas.so.13 libcublasLt.so.13 libcudart.so.13; do
  f=$(find /opt/torch/.venv/ /usr/local/cuda/lib64/ /usr/local/cuda/targets/ /usr/lib/x86_64-linux-gnu/ -name "$name" 2>/dev/null | head -1)
  [[ -n "$f" ]] && dirs="$dirs:$(dirname "$f")"
done
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
for precision in fp32 tf32 fp16; do
  LD_LIBRARY_PATH="$dirs" "$WORK/bin/edgescope" bench "$CARRY/mobilenetv2-12-fp32-dequantized.onnx" --device cuda \
    --precision "$precision" --cuda-graph --iterations 1000 --images "$WORK/imagenet-sample-images" \
    --labels "$WORK/imagenet_sample_labels.tsv" --json "$OUT/top1-$precision.json" 2>&1 |
    grep -E "accuracy|median|error" | sed "s/^/$precision: /"
done
for precision in tf32 fp16; do
  echo "$precision against fp32:"
  python3 "$(dirname "$0")/compare_predictions.py" "$OUT/top1-fp32.json" "$OUT/top1-$precision.json"
done
