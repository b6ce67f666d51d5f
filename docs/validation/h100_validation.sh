#!/bin/bash
# The H100 validation of docs/validation.md ("The H100", "Protocol") on profiles measured on the GPU machine
# (bench/gpu_profiles.sh; two rounds per call, NAME.rN.json, timed with --cuda-graph), one folder per device
# call: calibrate the h100-sxm target on the calibration cases of every round of every folder (calibrate takes
# each layer's fastest time over the repeats of a case), predict every case with --cuda-graph, and compare the
# prediction with each folder's round 1 and round 2 and with each case's fastest measurement over all of them;
# then the convolution forms (measured against predicted) and the layer sums against the latency. Runs here
# (no GPU needed).
#   EDGESCOPE=build/src/cli/edgescope docs/validation/h100_validation.sh WORKDIR
#   H100_PROFILES="DIR DIR ..." picks the folders (default: the calls of the protocol, below).
# The profiles name their models where the GPU machine had them: /tmp/es/profiles (the zoo models, written
# again here) and /tmp/es/shared/models (a link to ../shared/models).
set -euo pipefail
E=$(realpath "${EDGESCOPE:-$(command -v edgescope)}")
HERE=$(cd "$(dirname "$0")" && pwd)
# The calls of the protocol: the two calls on the CUDA program of 893e512 (inputs and outputs in pinned host
# memory, bench's default; ResNet's FP16 stem and MaxPool in one kernel; ReLU6 before a depthwise convolution
# clipped by the depthwise kernel), predicted by the simulator of 893e512, committed before they were measured.
# Earlier calls measured other programs: h100-8c8a888-* (each ReLU6 an activation kernel), h100-bfee107-* (the stem on cuDNN,
# its MaxPool a kernel of its own), h100-024af22-* (the depthwise kernel before bfee107), h100-374f56b-* (inputs and outputs in pageable memory, large ones staged on several host cores),
# h100-ccd8fd0/ and h100-5c79b1f/ (every copy staged on one core: pass H100_TARGET, below), h100/ (3c2b2da with
# uncommitted work, whose own kernels were up to 3x slower).
CALL_FOLDERS=()
for h in ${H100_PROFILES:-$HERE/h100-893e512-1 $HERE/h100-893e512-2}; do CALL_FOLDERS+=("$(realpath "$h")"); done
mkdir -p /tmp/es/profiles /tmp/es/shared
[[ -e /tmp/es/shared/models ]] || ln -s "$(realpath "$HERE/../../../shared/models")" /tmp/es/shared/models
for z in mobilenetv2-12 resnet50-v1-12 resnet50-v1.5; do "$E" zoo $z -o /tmp/es/profiles/$z.onnx > /dev/null; done
mkdir -p "$1" && cd "$1"
# The profiles, unpacked from each call's archive into WORKDIR/calls/NAME.
mapfile -t FOLDERS < <("$HERE/unpack_calls.sh" . "${CALL_FOLDERS[@]}")

# The calibration profiles hold every kernel kind of the CUDA backend: cuDNN convolutions (FP32 FMA, FP16
# tensor cores), im2col + cuBLASLt and 1x1 cuBLASLt products, cuBLAS GEMMs, depthwise, and the backend's own
# element-wise, pooling and data-movement kernels. Besides the six batch-1 profiles, two large-batch cases
# (chosen before they were measured, none of them a case predicted below): ResNet-50 v1 at batch 32 and
# YOLOX-nano at batch 8, for the rates of large products that batch 1 leaves unconstrained.
CALIBRATION="mobilenetv2-12.b1.fp32 mobilenetv2-12.b1.fp16 resnet50-v1-12.b1.fp32 resnet50-v1-12.b1.fp16
yolox_nano.b1.fp32 yolox_nano.b1.fp16 resnet50-v1-12.b32.fp32 resnet50-v1-12.b32.fp16 yolox_nano.b8.fp32
yolox_nano.b8.fp16"
PREDICT="resnet50-v1.5.b1.fp32 resnet50-v1.5.b1.fp16 resnet50-v1.5.b8.fp32 resnet50-v1.5.b8.fp16
mobilenetv2-12.b8.fp32 mobilenetv2-12.b8.fp16 resnet50-v1-12.b8.fp32 resnet50-v1-12.b8.fp16
version-RFB-320.b1.fp32 version-RFB-320.b1.fp16 ch_PP-OCRv4_rec_infer.b1.fp32 ch_PP-OCRv4_rec_infer.b1.fp16
ch_ppocr_mobile_v2.0_cls_infer.b1.fp32 ch_ppocr_mobile_v2.0_cls_infer.b1.fp16"

profiles=()
for h in "${FOLDERS[@]}"; do for c in $CALIBRATION; do for r in 1 2; do
  [[ -f $h/$c.r$r.json ]] && profiles+=("$h/$c.r$r.json")
done; done; done
# H100_TARGET: the target to start from (default h100-sxm, whose memory.staging_threads 8 is the program of
# 374f56b). Calls before 374f56b staged every copy on one host core: for those, a copy of h100-sxm with
# memory.staging_threads 0 describes their program (docs/validation.md, "The H100", history).
"$E" calibrate "${profiles[@]}" --target "${H100_TARGET:-h100-sxm}" --name h100-sxm-calibrated -o h100-sxm-calibrated.json
# Predicted with the host memory the profiles were measured with (bench --host-memory; profiles from before it
# staged every copy: pageable).
host_memory=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["options"].get("host_memory", "pageable"))' "${profiles[0]}")
predictions=()
for c in $CALIBRATION $PREDICT; do
  model=${c%%.b*} rest=${c#*.b}
  batch=${rest%%.*} precision=${rest#*.}
  path=/tmp/es/profiles/$model.onnx
  [[ -f $path ]] || path=/tmp/es/shared/models/$model.onnx
  extra=()
  [[ $batch != 1 ]] && extra=(--batch "$batch")
  case $model in  # the input sizes the profiles were measured at (h100/README.md)
    ch_PP-OCRv4_rec_infer) extra=(--shape x:1x3x48x320) ;;
    ch_ppocr_mobile_v2.0_cls_infer) extra=(--shape x:1x3x48x192) ;;
  esac
  "$E" simulate "$path" "${extra[@]}" --target h100-sxm-calibrated.json --device cuda --precision "$precision" \
       --host-memory "$host_memory" --cuda-graph --iterations 10 --json "pred-$c.json" > /dev/null
  predictions+=("$c=pred-$c.json")
done
for h in "${FOLDERS[@]}"; do for r in 1 2; do
  echo "## $(basename "$h") round $r"
  python3 "$HERE/compare_runs.py" --calibration "$(echo $CALIBRATION)" \
      $(for p in "${predictions[@]}"; do echo "$p,$h/${p%%=*}.r$r.json"; done)
  echo "## $(basename "$h") round $r: convolution forms and layer sums"
  python3 "$HERE/h100_forms.py" $(for p in "${predictions[@]}"; do echo "$p,$h/${p%%=*}.r$r.json"; done)
done; done
echo "## every call, and each case's fastest measurement over the calls"
python3 "$HERE/h100_calls.py" --calibration "$(echo $CALIBRATION)" --folders "${FOLDERS[*]}" "${predictions[@]}"
