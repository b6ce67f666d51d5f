#!/usr/bin/env bash
# The main job on the built-in default models: write the zoo models, summarise them, show where their
# layers would run on a Jetson AGX Orin's DLA, run one on this machine, then the whole study in one command
# (Table 1, a quick local bench, and the predicted GPU vs DLA comparison for the Orin).
set -euo pipefail
es=${1:?usage: demo.sh EDGESCOPE_BINARY OUTPUT_DIR}
out=${2:?usage: demo.sh EDGESCOPE_BINARY OUTPUT_DIR}
mkdir -p "$out"
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step "$es" zoo --list
step "$es" zoo mobilenetv2-12 -o "$out/mobilenetv2-12.onnx"
step "$es" zoo resnet50-v1-12 -o "$out/resnet50-v1-12.onnx"
step "$es" inspect "$out/mobilenetv2-12.onnx"
step "$es" inspect "$out/resnet50-v1-12.onnx" --target orin-agx-32gb --device dla0 --precision fp16 --allow-gpu-fallback
step "$es" run "$out/mobilenetv2-12.onnx" --top 3
step "$es" study --target orin-agx-32gb -o "$out/study"
