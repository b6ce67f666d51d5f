#!/bin/bash
# The CPU validation of docs/validation.md, end to end: measure every case with `edgescope bench` (3 runs each,
# keeping the least disturbed), calibrate the epyc-zen5-2c target on two models, predict every case with the
# calibrated target, and print predicted against measured.
#   EDGESCOPE=build/src/cli/edgescope MODELS=../shared/models docs/validation/cpu_validation.sh WORKDIR
set -euo pipefail
E=${EDGESCOPE:-edgescope}
S=${MODELS:-../shared/models}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1" && cd "$1"

# name | model | extra options (shape / batch)
CASES="mobilenetv2-12|mobilenetv2-12.onnx|
resnet50-v1-12|resnet50-v1-12.onnx|
resnet50-v1.5|resnet50-v1.5.onnx|
mnv2-deq|$S/mobilenetv2-12-fp32-dequantized.onnx|
yolox_nano|$S/yolox_nano.onnx|
rfb320|$S/version-RFB-320.onnx|
rfb640|$S/version-RFB-640.onnx|
ppocr-cls|$S/ch_ppocr_mobile_v2.0_cls_infer.onnx|--shape x:1x3x48x192
ppocr-det|$S/ch_PP-OCRv4_det_infer.onnx|--shape x:1x3x480x480
ppocr-rec|$S/ch_PP-OCRv4_rec_infer.onnx|--shape x:1x3x48x320
mnv2-deq-b4|$S/mobilenetv2-12-fp32-dequantized.onnx|--batch 4
resnet50-v1.5-b4|resnet50-v1.5.onnx|--batch 4"
CALIBRATION="mobilenetv2-12 resnet50-v1-12"

for z in mobilenetv2-12 resnet50-v1-12 resnet50-v1.5; do "$E" zoo $z -o $z.onnx; done

# Measure: the study's loop, 20 timed iterations, 5 separate per-layer profiling runs, one thread; six runs
# of each case, keeping the one with the lowest median latency (other work shares this machine).
echo "$CASES" | while IFS='|' read -r name model extra; do
  for i in 1 2 3 4 5 6; do
    "$E" bench "$model" $extra --device cpu --threads 1 --iterations 20 --profile-layers 5 --json "$name.r$i.json" > /dev/null
  done
  best=$(for i in 1 2 3 4 5 6; do python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['summary']['latency_ms']['median'], sys.argv[1])" "$name.r$i.json"; done | sort -g | head -1 | cut -d' ' -f2)
  cp "$best" "$name.json"
done

# Calibrate on some models, predict all of them.
"$E" calibrate $(for c in $CALIBRATION; do echo $c.json; done) --target epyc-zen5-2c --name epyc-zen5-2c-calibrated -o epyc-zen5-2c-calibrated.json
echo "$CASES" | while IFS='|' read -r name model extra; do
  "$E" simulate "$model" $extra --target epyc-zen5-2c-calibrated.json --device cpu --precision fp32 --threads 1 \
       --iterations 10 --json "pred-$name.json" > /dev/null
done
python3 "$HERE/compare_runs.py" $(echo "$CASES" | while IFS='|' read -r name model extra; do echo "$name=pred-$name.json,$name.json"; done)
