#!/bin/bash
# The H100 validation of docs/validation.md on the profiles of docs/validation/h100/ (measured on the GPU
# machine, see its README; two rounds, NAME.rN.json, timed with --cuda-graph): calibrate the h100-sxm target
# on some of round 1's profiles, predict every case with --cuda-graph, print predicted against measured for
# round 1 and, as the test-retest check, for round 2, then the convolution forms (measured against predicted)
# and the layer sums against the latency. Runs here (no GPU needed).
#   EDGESCOPE=build/src/cli/edgescope docs/validation/h100_validation.sh WORKDIR
# The profiles name their models where the GPU machine had them: /tmp/es/profiles (the zoo models, written
# again here) and /tmp/es/shared/models (a link to ../shared/models).
set -euo pipefail
E=$(realpath "${EDGESCOPE:-$(command -v edgescope)}")
HERE=$(cd "$(dirname "$0")" && pwd)
H="${H100_PROFILES:-$HERE/h100}"  # another folder of profiles: H100_PROFILES=DIR
mkdir -p /tmp/es/profiles /tmp/es/shared
[[ -e /tmp/es/shared/models ]] || ln -s "$(realpath "$HERE/../../../shared/models")" /tmp/es/shared/models
for z in mobilenetv2-12 resnet50-v1-12 resnet50-v1.5; do "$E" zoo $z -o /tmp/es/profiles/$z.onnx > /dev/null; done
mkdir -p "$1" && cd "$1"

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

"$E" calibrate $(for c in $CALIBRATION; do echo "$H/$c.r1.json"; done) --target h100-sxm --name h100-sxm-calibrated \
     -o h100-sxm-calibrated.json
pairs=() retest=()
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
       --cuda-graph --iterations 10 --json "pred-$c.json" > /dev/null
  pairs+=("$c=pred-$c.json,$H/$c.r1.json")
  retest+=("$c=pred-$c.json,$H/$c.r2.json")
done
echo "## round 1"
python3 "$HERE/compare_runs.py" --calibration "$(echo $CALIBRATION)" "${pairs[@]}"
echo "## round 2 (the same prediction against the retest)"
python3 "$HERE/compare_runs.py" --calibration "$(echo $CALIBRATION)" "${retest[@]}"
echo "## convolution forms and layer sums (round 1, round 2)"
python3 "$HERE/h100_forms.py" "${pairs[@]}"
python3 "$HERE/h100_forms.py" "${retest[@]}"
