#!/bin/bash
# The CPU validation of docs/validation.md, end to end: measure every case with `edgescope bench` (ROUNDS
# rounds over all cases in one sitting, default 3, keeping each case's fastest run; the rounds are the
# test-retest pairs that show the measurement's noise), calibrate the epyc-zen5-2c target on some models,
# predict every case with the calibrated target, and print predicted against measured.
#   EDGESCOPE=build/src/cli/edgescope MODELS=../shared/models [QUIET=/tmp/prof/quiet.sh] \
#     docs/validation/cpu_validation.sh WORKDIR [measure|sweep|predict]
# `measure` only measures the cases, `sweep` only the synthetic calibration sweep (cpu_sweep.py's models, written
# into WORKDIR), `predict` only calibrates and predicts (on an earlier measurement in WORKDIR: e.g. a copy of
# docs/validation/cpu/ and docs/validation/cpu-sweep/, the fastest rounds of docs/validation.md's runs).
# QUIET names a command that runs its arguments with the machine's other work paused (on the shared
# development machine, /tmp/prof/quiet.sh); it wraps each measurement, one bench at a time.
set -euo pipefail
E=$(realpath "${EDGESCOPE:-$(command -v edgescope)}")
S=$(realpath "${MODELS:-../shared/models}")
HERE=$(cd "$(dirname "$0")" && pwd)
STEP=${2:-all}
ROUNDS=${ROUNDS:-3}
QUIET=${QUIET:-}
mkdir -p "$1" && cd "$1"

# name | model | extra options (shape / batch). The calibration models contain every kernel class the CPU
# backend runs (sim/kernel_class.h): convolutions, depthwise, a classifier, element-wise and broadcast kernels,
# layout conversions, edgescope's reference Resize/Slice/Transpose/Concat/Softmax and oneDNN's reference code.
CASES="mobilenetv2-12|mobilenetv2-12.onnx|
resnet50-v1-12|resnet50-v1-12.onnx|
yolox_nano|$S/yolox_nano.onnx|
ppocr-det|$S/ch_PP-OCRv4_det_infer.onnx|--shape x:1x3x480x480
rfb320|$S/version-RFB-320.onnx|
resnet50-v1.5|resnet50-v1.5.onnx|
resnet50-v1.5-b4|resnet50-v1.5.onnx|--batch 4
mnv2-deq|$S/mobilenetv2-12-fp32-dequantized.onnx|
mnv2-deq-b4|$S/mobilenetv2-12-fp32-dequantized.onnx|--batch 4
rfb640|$S/version-RFB-640.onnx|
rfb640-b2|$S/version-RFB-640.onnx|--batch 2
ppocr-cls|$S/ch_ppocr_mobile_v2.0_cls_infer.onnx|--shape x:1x3x48x192
ppocr-cls-b8|$S/ch_ppocr_mobile_v2.0_cls_infer.onnx|--shape x:8x3x48x192
ppocr-rec|$S/ch_PP-OCRv4_rec_infer.onnx|--shape x:1x3x48x320
ppocr-rec-640|$S/ch_PP-OCRv4_rec_infer.onnx|--shape x:1x3x48x640"
# The calibration: five models, and the synthetic sweep of layers over the cache levels and of L2-resident
# models (cpu_sweep.py says why), added on 2026-11-24 before the sweep was measured.
SWEEP=$(/usr/bin/python3 "$HERE/cpu_sweep.py" .)
SWEEP_CASES=$(for n in $SWEEP; do echo "$n|$n.onnx|"; done)
CALIBRATION="mobilenetv2-12 yolox_nano resnet50-v1-12 ppocr-det rfb320 $(echo $SWEEP)"

# The zoo models, where the bench JSONs name them (beside them, relative).
for z in mobilenetv2-12 resnet50-v1-12 resnet50-v1.5; do "$E" zoo $z -o $z.onnx > /dev/null; done

# The study's loop, 20 timed iterations, 5 separate per-layer profiling runs, one thread, at a real-time
# priority (chrt -f 10: nothing preempts the measuring thread), each bench under $QUIET. The cases of one list
# are measured in the same rounds, so all see the same machine; each case keeps its fastest round.
measure() {
  for round in $(seq 1 "$ROUNDS"); do
    echo "$1" | while IFS='|' read -r name model extra; do
      $QUIET chrt -f 10 "$E" bench "$model" $extra --device cpu --threads 1 --iterations 20 --profile-layers 5 \
           --json "$name.r$round.json" > /dev/null
    done
  done
  echo "$1" | while IFS='|' read -r name model extra; do
    best=$(for f in "$name".r[0-9]*.json; do
             python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['summary']['latency_ms']['median'], sys.argv[1])" "$f"
           done | sort -g | head -1 | cut -d' ' -f2)
    cp "$best" "$name.json"
  done
  # Test-retest: each case's median latency in every round, and the slowest round against the fastest.
  echo "| case | $(seq -s ' | ' -f 'round %g' 1 "$ROUNDS") | slowest / fastest |"
  echo "|---|$(printf -- '---:|%.0s' $(seq 1 "$ROUNDS"))---:|"
  echo "$1" | while IFS='|' read -r name model extra; do
    python3 -c "
import json, sys
m = [json.load(open(f))['summary']['latency_ms']['median'] for f in sys.argv[2:]]
print(f'| {sys.argv[1]} | ' + ' | '.join(f'{v:.3f}' for v in m) + f' | {(max(m) / min(m) - 1) * 100:+.1f}% |')
" "$name" $(seq -f "$name.r%g.json" 1 "$ROUNDS")
  done
}
if [[ $STEP == all || $STEP == measure ]]; then measure "$CASES"; fi
if [[ $STEP == all || $STEP == sweep ]]; then measure "$SWEEP_CASES"; fi
[[ $STEP == sweep ]] && exit 0
[[ $STEP == measure ]] && exit 0

# Calibrate on some models, predict all of them (the calibration models marked as such).
"$E" calibrate $(for c in $CALIBRATION; do echo $c.json; done) --target epyc-zen5-2c --name epyc-zen5-2c-calibrated \
     -o epyc-zen5-2c-calibrated.json
printf '%s\n%s\n' "$CASES" "$SWEEP_CASES" | while IFS='|' read -r name model extra; do
  "$E" simulate "$model" $extra --target epyc-zen5-2c-calibrated.json --device cpu --precision fp32 --threads 1 \
       --iterations 10 --json "pred-$name.json" > /dev/null
done
python3 "$HERE/compare_runs.py" --calibration "$CALIBRATION" \
  $(printf '%s\n%s\n' "$CASES" "$SWEEP_CASES" | while IFS='|' read -r name model extra; do echo "$name=pred-$name.json,$name.json"; done)
