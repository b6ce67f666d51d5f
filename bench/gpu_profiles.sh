#!/usr/bin/env bash
# Per-layer GPU profiles for the simulator's calibration (docs/validation/h100/): each model at batch 1
# (and 8 for the zoo models, whose batch is symbolic), FP32 and FP16, 200 timed iterations and 20
# profiling runs, one JSON per run (edgescope's bench JSON: summary phases and layers, no per-iteration rows).
# Two large-batch calibration cases besides: ResNet-50 v1 at batch 32 and YOLOX-nano at batch 8 (its input
# rebatched), whose rates batch-1 profiles do not constrain. Each layer names what ran it (`implementation`).
# ROUNDS (default 1) repeats the whole list, each round's files named NAME.bBATCH.PRECISION.rROUND.json: the
# rounds are test-retest pairs. GRAPH=1 times the loop with --cuda-graph (one replay per inference, no host
# launch in the timed latency), and the per-layer profiling runs then replay the steps in a graph too, with an
# event between each two (the JSON's options say layer_timing "graph"); without it both launch from the host.
#
#   [ROUNDS=2] [GRAPH=1] bench/gpu_profiles.sh EDGESCOPE SHARED_MODELS_DIR OUT_DIR
set -uo pipefail
es="$1" models="$2" out="$3"
rounds=${ROUNDS:-1} graph=()
[[ "${GRAPH:-0}" == 1 ]] && graph=(--cuda-graph)
mkdir -p "$out"
for zoo in mobilenetv2-12 resnet50-v1-12 resnet50-v1.5; do
  "$es" zoo "$zoo" -o "$out/$zoo.onnx" >/dev/null || echo "zoo $zoo failed"
done
run() {  # NAME MODEL BATCH PRECISION [--shape ...]
  local name="$1" model="$2" batch="$3" precision="$4"
  shift 4
  local json="$out/$name.b$batch.$precision.json" batch_flag=()
  [[ "$rounds" != 1 ]] && json="$out/$name.b$batch.$precision.r$round.json"
  [[ "$batch" != 1 ]] && batch_flag=(--batch "$batch")
  echo "== $name batch $batch $precision $* ${graph[*]} (round $round)"
  "$es" bench "$model" --device cuda "${batch_flag[@]}" --precision "$precision" --iterations 200 \
    --profile-layers 20 "${graph[@]}" --json "$json" "$@" 2>&1 | grep -E "^latency|^compute|error" | head -3
}
# The PP-OCR models have dynamic image sizes: the sizes of ../shared/reference's inputs (PaddleOCR's own).
# (PP-OCRv4 det is left out: it runs partly on the CPU, which the simulator's CUDA plan does not predict.)
declare -A shapes=([ch_PP-OCRv4_rec_infer]="x:1x3x48x320" [ch_ppocr_mobile_v2.0_cls_infer]="x:1x3x48x192")
declare -A batches=([resnet50-v1-12]="1 8 32" [yolox_nano]="1 8")
for round in $(seq 1 "$rounds"); do
  for zoo in mobilenetv2-12 resnet50-v1-12 resnet50-v1.5; do
    for batch in ${batches[$zoo]:-1 8}; do
      for precision in fp32 fp16; do run "$zoo" "$out/$zoo.onnx" "$batch" "$precision"; done
    done
  done
  for m in version-RFB-320 yolox_nano ch_PP-OCRv4_rec_infer ch_ppocr_mobile_v2.0_cls_infer; do
    shape=()
    [[ -n "${shapes[$m]:-}" ]] && shape=(--shape "${shapes[$m]}")
    for batch in ${batches[$m]:-1}; do
      for precision in fp32 fp16; do run "$m" "$models/$m.onnx" "$batch" "$precision" "${shape[@]}"; done
    done
  done
done
rm -f "$out"/*.onnx
