#!/usr/bin/env bash
# One device-tool call on the GPU machine: unpacks what .carry/cuda brings (binaries built on the dev
# machine, the shared libraries the GPU machine lacks, ../shared's models and references, the ONNX test
# data), then runs the named stages in order and leaves logs in $OUT (logs.tar.gz plus a few top files).
#
#   bench/gpu_session.sh STAGE...     (run from the repository root on the GPU machine)
#
# Stages:
#   env          GPU, driver, cuDNN/cuBLAS found, tools present
#   tests        cuda_backend_test, cuda_nvtx_test, hetero_test, restriction_test, reference_models (cuda),
#                onnx_conformance_test (cuda)
#   smoke        edgescope bench on the shared models with each option family
#   diag         per-layer profiles of ResNet-50 (batch 32) and MobileNetV2 (batch 1), FP16 and TF32
#   kernels      every kernel of one inference under Nsight Compute, with its layer, and the forms chosen (-vv)
#   torch        PyTorch side of bench/cuda_vs_pytorch.sh (timings into $OUT/torch_json.tar.gz)
#   compare      bench/cuda_vs_pytorch.sh with the PyTorch timings of an earlier torch stage (.carry/cuda/torch)
#   profiles     per-layer profiles for the simulator (bench/gpu_profiles.sh) into $OUT/h100_profiles.tar.gz
#   ab           bench/ab_cuda.sh: the pack's edgescope (B) against an earlier build's (A: .carry/cuda/baseline.xz,
#                an xz-compressed stripped edgescope that runs with the pack's libraries) into $OUT/ab.md
#   restrict     bench/restrict_dla.sh (cuda vs cuda restricted to the DLA's rules) into $OUT/restrict_dla.md
#   nvtx         the NVTX ranges (phases, layers) as a profiler sees them: Nsight Systems where the machine has it
#                (a short restricted bench captured, `nsys stats` into logs/nvtx*.csv), else cuda_nvtx_test's
#                injection library on a short restricted bench (logs/nvtx_record.txt) and Nsight Compute's
#                --nvtx on a few kernels of the timed loop (logs/ncu_nvtx.txt)
set -uo pipefail
ROOT=$(pwd)
CARRY="$ROOT/.carry/cuda"
PACK="${ES_PACK:-$CARRY/pack.tar.xz}"  # another build's pack (bench/gpu_pack.sh BUILD_DIR PACK) may be named instead
WORK=/tmp/es
OUT=${OUT:-/tmp/es-out}
mkdir -p "$WORK" "$OUT/logs"
LOG="$OUT/logs"

unpack() {
  rm -rf "$WORK/bin" "$WORK/lib" "$WORK/paths"  # a warm machine may hold an older pack
  tar xJf "$PACK" -C "$WORK"
  [[ -d "$WORK/shared" ]] || tar xJf "$CARRY/shared.tar.xz" -C "$WORK"
  [[ -d "$WORK/testdata" ]] || tar xJf "$CARRY/testdata.tar.xz" -C "$WORK"
  # Paths compiled into the test binaries (ES_SHARED_DIR, ES_SOURCE_DIR, ES_ONNX_TESTDATA_DIR).
  mkdir -p /work /usr/share/libonnx-testdata
  # Links are refreshed on every call (a warm machine keeps those of the call before, whose checkout may be
  # gone); a real directory there is left alone.
  link() { [[ -e "$2" && ! -L "$2" ]] || ln -sfn "$1" "$2"; }
  local source=/work/main shared=/work/shared
  [[ -f "$WORK/paths" ]] && . "$WORK/paths"  # where the pack's build had them (bench/gpu_pack.sh)
  # The source first: the shared path is usually SOURCE/../shared, resolved through that link.
  mkdir -p "$(dirname "$source")" && link "$ROOT" "$source"
  mkdir -p "$(dirname "$shared")" && link "$WORK/shared" "$shared"
  link "$WORK/testdata" /usr/share/libonnx-testdata/data
}

# cuDNN and cuBLAS come from the GPU machine: cuDNN from PyTorch's wheel first (the version the dev machine
# compiles against; the toolkit's may be older), cuBLAS from the toolkit; the rest from the pack. Only
# edgescope's binaries get this path (through bin/*.sh wrappers): PyTorch must keep finding its own libraries.
libpath() {
  local dirs="$WORK/lib"
  for name in libcudnn.so.9 libcublas.so.13 libcublasLt.so.13 libcudart.so.13 libnvrtc.so.13; do
    local f
    f=$(find /opt/torch/.venv/ /usr/local/cuda/lib64/ /usr/local/cuda/targets/ /usr/lib/x86_64-linux-gnu/ /usr/local/lib/ \
          -name "$name" 2>/dev/null | head -1)
    [[ -n "$f" ]] && dirs="$dirs:$(dirname "$f")"
  done
  ES_LD="$dirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  for b in "$WORK"/bin/*; do
    [[ "$b" == *.sh || "$b" == *.so ]] || wrap "$b"
  done
}

# BIN.sh: BIN with edgescope's library path (libpath).
wrap() {
  printf '#!/bin/sh\nLD_LIBRARY_PATH="%s" exec "%s" "$@"\n' "$ES_LD" "$1" > "$1.sh"
  chmod +x "$1.sh"
}

stage_env() {
  {
    date -u +%Y-%m-%dT%H:%M:%SZ
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
    echo "edgescope's LD_LIBRARY_PATH=$ES_LD"
    LD_LIBRARY_PATH="$ES_LD" ldd "$WORK/bin/edgescope" | grep -E "not found|cudnn|cublas|cudart"
    python3 -c 'import torch, torchvision, onnx; print("torch", torch.__version__, "torchvision", torchvision.__version__, "onnx", onnx.__version__, "cudnn", torch.backends.cudnn.version())'
    which nsys ncu compute-sanitizer 2>&1
  } 2>&1 | tee "$LOG/env.txt"
}

# One test binary: NAME SECONDS GTEST_FILTER LINES_TO_SHOW (an extended regex of its log).
run_test() {
  [[ -x "$WORK/bin/$1" ]] || { echo "no bin/$1"; return; }
  (cd "$WORK" && timeout "$2" "bin/$1.sh" --gtest_filter="$3" > "$LOG/$1.log" 2>&1)
  echo "$1 rc=$?"
  grep -E "$4" "$LOG/$1.log" | head -60
}

# ES_TESTS picks some of them (e.g. "restriction_test hetero_test"); all by default.
stage_tests() {
  local summary="^\[  (FAILED|PASSED|SKIPPED) |Failure|error:"
  for t in ${ES_TESTS:-cuda_backend_test cuda_nvtx_test hetero_test restriction_test reference_models onnx_conformance_test}; do
    case "$t" in
      cuda_backend_test|cuda_nvtx_test|hetero_test|restriction_test) run_test "$t" 120 '*' "$summary" ;;
      reference_models) run_test "$t" 200 '*Cuda*' "relative L2|$summary" ;;
      onnx_conformance_test) run_test "$t" 200 '*cuda_*' "^conformance:|^  FAILED " ;;
      *) echo "no test '$t'" ;;
    esac
  done
}

stage_smoke() {
  local M="$WORK/shared/models" es="$WORK/bin/edgescope.sh"
  for m in yolox_nano version-RFB-320 ch_PP-OCRv4_det_infer ch_PP-OCRv4_rec_infer mobilenetv2-12-fp32-dequantized; do
    for flags in "" "--cuda-graph" "--precision tf32 --cuda-graph" "--precision fp16 --cuda-graph"; do
      echo "== $m $flags"
      timeout 60 "$es" bench "$M/$m.onnx" --device cuda $flags --iterations 200 2>&1 | grep -iE "latency|compute|h2d|d2h|error|device|fall" | head -8
    done
  done 2>&1 | tee "$LOG/smoke.log"
  echo "== fallback/pin" | tee -a "$LOG/smoke.log"
  timeout 60 "$es" bench "$M/yolox_nano.onnx" --device cuda --iterations 50 --profile-layers 2 > "$LOG/profile.log" 2>&1
  head -60 "$LOG/profile.log"
}

# Per-layer profiles of the comparison's models in each precision (what to speed up next).
stage_diag() {
  local es="$WORK/bin/edgescope.sh" d="$WORK/diag"
  mkdir -p "$d"
  "$es" zoo resnet50-v1.5 -o "$d/r50.onnx" > /dev/null
  "$es" zoo mobilenetv2-12 -o "$d/mv2.onnx" > /dev/null
  for p in fp16 tf32; do
    for mb in "r50 32" "mv2 1"; do
      set -- $mb
      timeout 60 "$es" bench "$d/$1.onnx" --batch "$2" --device cuda --precision $p --cuda-graph --iterations 100 \
        --profile-layers 5 --json "$d/$1.b$2.$p.json" 2>&1 | grep -E "^compute|error" | head -3
    done
  done
  (cd "$d" && tar czf "$OUT/diag.tar.gz" *.json)
}

# Every kernel of one inference as Nsight Compute times it (boost clocks left alone), with the layer (NVTX range)
# that launched it, and the forms the backend chose per convolution at compile time (-vv): where the compute time
# of ResNet-50 at batch 32 goes. KERNELS_CASES overrides the "MODEL BATCH PRECISION" list.
stage_kernels() {
  local es="$WORK/bin/edgescope.sh" d="$WORK/kernels"
  mkdir -p "$d"
  command -v ncu > /dev/null || PATH="$PATH:/usr/local/cuda/bin"
  "$es" zoo resnet50-v1.5 -o "$d/resnet50-v1.5.onnx" > /dev/null
  "$es" zoo mobilenetv2-12 -o "$d/mobilenetv2-12.onnx" > /dev/null
  while read -r model batch precision; do
    [[ -z "$model" ]] && continue
    local name="$model.b$batch.$precision"
    timeout 120 "$es" -vv bench "$d/$model.onnx" --batch "$batch" --device cuda --precision "$precision" \
      --iterations 50 > "$LOG/$name.forms.txt" 2>&1
    grep -E "^compute" "$LOG/$name.forms.txt"
    timeout 200 ncu --clock-control none --nvtx --nvtx-include compute/ \
      --metrics gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum \
      "$es" bench "$d/$model.onnx" --batch "$batch" --device cuda --precision "$precision" --iterations 1 \
      --warmup-iterations 0 > "$LOG/$name.ncu.txt" 2>&1
    echo "$name: ncu rc=$?"
    bench/ncu_summary.py "$LOG/$name.ncu.txt"
  done <<< "${KERNELS_CASES:-resnet50-v1.5 32 fp16}"
}

stage_torch() {
  mkdir -p "$WORK/cmp"
  timeout 560 bench/cuda_vs_pytorch.sh --edgescope "$WORK/bin/edgescope.sh" --torch-only --work "$WORK/cmp" \
    ${TORCH_MODELS:+--models "$TORCH_MODELS"} 2>&1 | tee "$LOG/torch.log" | tail -20
  tar czf "$OUT/torch_json.tar.gz" -C "$WORK/cmp" $(cd "$WORK/cmp" && ls torch.*.json 2>/dev/null)
}

stage_compare() {
  mkdir -p "$WORK/cmp"
  [[ -d "$CARRY/torch" ]] && cp "$CARRY"/torch/torch.*.json "$WORK/cmp/"
  timeout $((570 - SECONDS)) bench/cuda_vs_pytorch.sh --edgescope "$WORK/bin/edgescope.sh" --work "$WORK/cmp" --output "$OUT/cuda_vs_pytorch.md" \
    --iterations "${COMPARE_ITERATIONS:-300}" \
    2>&1 | tee "$LOG/compare.log" | tail -30
  (cd "$WORK/cmp" && tar czf "$OUT/es_json.tar.gz" es.*.json)
}

stage_profiles() {
  timeout $((570 - SECONDS)) bench/gpu_profiles.sh "$WORK/bin/edgescope.sh" "$WORK/shared/models" "$WORK/profiles" 2>&1 | tee "$LOG/profiles.log" | tail -20
  tar czf "$OUT/h100_profiles.tar.gz" -C "$WORK" profiles
}

stage_ab() {
  [[ -f "$CARRY/baseline.xz" ]] || { echo "ab: no $CARRY/baseline.xz"; return; }
  xz -dc "$CARRY/baseline.xz" > "$WORK/bin/baseline" && chmod +x "$WORK/bin/baseline" && wrap "$WORK/bin/baseline"
  timeout $((570 - SECONDS)) bench/ab_cuda.sh "$WORK/bin/baseline.sh" "$WORK/bin/edgescope.sh" "$WORK/ab" \
    --models "${AB_MODELS:-resnet50-v1.5 resnet50-v1-12}" --batches "${AB_BATCHES:-1 8 32}" \
    --precisions "${AB_PRECISIONS:-fp16}" --rounds "${AB_ROUNDS:-3}" 2>"$LOG/ab.log" | tee "$OUT/ab.md"
}

stage_restrict() {
  local M="$WORK/shared/models"
  timeout $((570 - SECONDS)) bench/restrict_dla.sh --edgescope "$WORK/bin/edgescope.sh" --work "$WORK/restrict" \
    --models "mobilenetv2-12 resnet50-v1.5 $M/yolox_nano.onnx $M/version-RFB-320.onnx" \
    --iterations "${RESTRICT_ITERATIONS:-1000}" --output "$OUT/restrict_dla.md" 2>&1 | tee "$LOG/restrict.log"
  cp "$WORK"/restrict/*.restrict.r1.log "$LOG/" 2>/dev/null
  (cd "$WORK/restrict" && tar czf "$OUT/restrict_json.tar.gz" *.json)
}

stage_nvtx() {
  local nsys es="$WORK/bin/edgescope.sh" d="$WORK/nvtx"
  mkdir -p "$d"
  "$es" zoo mobilenetv2-12 -o "$d/mv2.onnx" > /dev/null
  nsys=$(command -v nsys || ls /usr/local/cuda*/bin/nsys /opt/nvidia/nsight-systems*/bin/nsys \
           /opt/nvidia/nsight-systems*/*/bin/nsys 2>/dev/null | head -1)
  if [[ -n "$nsys" ]]; then
    { "$nsys" --version
      timeout 200 "$nsys" profile --trace=cuda,nvtx --force-overwrite true -o "$d/restrict" \
        "$es" bench "$d/mv2.onnx" --device cuda --restrict cuda=dla --iterations 20 --warmup-iterations 2 | tail -3
      for report in nvtx_sum nvtxsum; do
        timeout 120 "$nsys" stats --report "$report" --format csv --output "$LOG/nvtx" "$d/restrict.nsys-rep" && break
      done
    } 2>&1 | tee "$LOG/nsys.txt" | tail -30
    return
  fi
  echo "nsys: not on this machine (PATH, /usr/local/cuda*/bin, /opt/nvidia/nsight-systems*); $(find / -xdev -maxdepth 6 \
        -name nsys -type f 2>/dev/null | head -3 | tr '\n' ' ')"
  # Every range as a profiler receives it, through cuda_nvtx_test's NVTX injection library: the restricted plan
  # (CUDA segments around a CPU one), a few iterations and a one-run per-layer profile, into logs/nvtx_record.txt.
  NVTX_INJECTION64_PATH="$WORK/bin/libes_nvtx_recorder.so" ES_NVTX_RECORD="$LOG/nvtx_record.txt" \
    "$es" bench "$d/mv2.onnx" --device cuda --restrict cuda=dla --iterations 3 --warmup-iterations 1 --profile-layers 1 \
    > "$LOG/nvtx_bench.txt" 2>&1
  echo "recorded $(grep -c '^push' "$LOG/nvtx_record.txt") ranges; top-level ones by name:"
  awk '/^push/ { if (depth++ == 0) count[substr($0, 6)]++ } /^pop/ { depth-- } END { for (n in count) print count[n], n }' \
    "$LOG/nvtx_record.txt" | sort -k2 | head -30
  command -v ncu > /dev/null || PATH="$PATH:/usr/local/cuda/bin"
  # FP16 converts the input to NHWC half inside the H2D range: that kernel, then a few of the timed loop's layers.
  { ncu --version | tail -1
    for filter in '--nvtx-include H2D/ --launch-count 2' '--nvtx-include compute/ --launch-skip 150 --launch-count 4'; do
      echo "== ncu --nvtx $filter"
      timeout 150 ncu --nvtx $filter --metrics gpu__time_duration.sum \
        "$es" bench "$d/mv2.onnx" --device cuda --precision fp16 --restrict cuda=dla --iterations 5 --warmup-iterations 0
      echo "ncu rc=$?"
    done
  } > "$LOG/ncu_nvtx.txt" 2>&1
  grep -E -A10 "^== ncu|rc=|NVTX|==ERROR|==WARNING" "$LOG/ncu_nvtx.txt" | head -90
}

unpack
libpath
for stage in "$@"; do
  echo "######## $stage"
  "stage_$stage"
done
tar czf "$OUT/logs.tar.gz" -C "$OUT" logs && rm -rf "$OUT/logs"
