#!/usr/bin/env bash
# edgescope's CUDA backend against PyTorch 2.11 on the same GPU, same models, same random weights; prints a
# markdown table for docs/benchmarks.md (and writes it to --output). Runs on the GPU machine.
#
#   bench/cuda_vs_pytorch.sh --edgescope PATH [--iterations N] [--batches "1 32"] [--precisions "fp32 tf32 fp16"]
#                            [--models "mobilenet_v2 resnet50"] [--work DIR] [--output FILE.md] [--torch-only]
#
# torch.compile takes most of the time (a compile per model, batch, precision and memory format), so the
# PyTorch timings can be taken in one run (--torch-only) and reused in the next: a WORK/torch.MODEL.BATCH.json
# already present is not re-timed (the model is only re-exported, with the same seed and so the same weights).
#
# For each torchvision model and batch, one Python process seeds the weights (torch.manual_seed(0)), exports
# the model to ONNX (opset 17, static batch) and times PyTorch: eager and torch.compile(mode='reduce-overhead'),
# each in NCHW and channels_last (the better memory format counts), per precision. Then edgescope benches the
# exported file (study mode, with and without --cuda-graph; the better of each time counts). Two times per cell:
#   latency = copy in + infer + copy out + synchronise (host input, host output), median of --iterations;
#   compute = the device time of the inference alone (CUDA events), median; TFLOP/s = 2*MACs / compute (MACs
#   of the convolutions and linear layers at that batch, counted by forward hooks).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EDGESCOPE=""
ITERATIONS=300
BATCHES="1 32"
PRECISIONS="fp32 tf32 fp16"
MODELS="mobilenet_v2 resnet50"
WORK=""
OUTPUT=""
TORCH_ONLY=0
PYTHON="${PYTHON:-python3}"

die() { echo "cuda_vs_pytorch: $*" >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --edgescope) EDGESCOPE="$(realpath "$2")"; shift 2 ;;
    --iterations) ITERATIONS="$2"; shift 2 ;;
    --batches) BATCHES="$2"; shift 2 ;;
    --precisions) PRECISIONS="$2"; shift 2 ;;
    --models) MODELS="$2"; shift 2 ;;
    --work) WORK="$(realpath -m "$2")"; shift 2 ;;
    --output) OUTPUT="$(realpath -m "$2")"; shift 2 ;;
    --torch-only) TORCH_ONLY=1; shift ;;
    -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[[ "$TORCH_ONLY" == 1 || -x "$EDGESCOPE" ]] || die "--edgescope PATH to the edgescope binary is required"
[[ "$ITERATIONS" -ge 50 ]] || die "--iterations must be at least 50 (got $ITERATIONS)"
"$PYTHON" -c 'import torch, torchvision; assert torch.cuda.is_available()' || die "needs PyTorch with a GPU"
if [[ -z "$WORK" ]]; then
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK"

# PyTorch side: export + time; one JSON per (model, batch) with a row per (precision, mode).
cat > "$WORK/torch_side.py" <<'PY'
import json, sys, time
import torch, torchvision

model_name, batch, iterations, onnx_path, precisions = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5].split()
export_only = len(sys.argv) > 6 and sys.argv[6] == "export-only"
torch.manual_seed(0)
model = getattr(torchvision.models, model_name)(weights=None).eval()
x_host = torch.randn(batch, 3, 224, 224)
torch.onnx.export(model, (x_host,), onnx_path, opset_version=17, input_names=["input"], output_names=["output"], dynamo=False)
if export_only:
    sys.exit(0)

# Multiply-accumulates of convolutions and linear layers, per batch.
macs = 0
def count(mod, inp, out):
    global macs
    if isinstance(mod, torch.nn.Conv2d):
        macs += out.numel() * (mod.in_channels // mod.groups) * mod.kernel_size[0] * mod.kernel_size[1]
    elif isinstance(mod, torch.nn.Linear):
        macs += out.numel() * mod.in_features
hooks = [m.register_forward_hook(count) for m in model.modules()]
with torch.no_grad():
    model(x_host)
for h in hooks:
    h.remove()

def median(values):
    v = sorted(values)
    return v[len(v) // 2]

def time_one(fn, x_host, dtype, memory_format):
    x_dev = x_host.to("cuda", dtype).contiguous(memory_format=memory_format)
    for _ in range(20):
        fn(x_dev)
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    compute, latency = [], []
    for _ in range(iterations):
        start.record(); fn(x_dev); end.record(); end.synchronize()
        compute.append(start.elapsed_time(end))
    for _ in range(iterations):
        t = time.perf_counter()
        y = fn(x_host.to("cuda", dtype).contiguous(memory_format=memory_format)).float().cpu()
        latency.append((time.perf_counter() - t) * 1e3)
    return median(latency), median(compute)

rows = []
for precision in precisions:
    torch.backends.cudnn.allow_tf32 = precision == "tf32"
    torch.backends.cuda.matmul.allow_tf32 = precision == "tf32"
    dtype = torch.float16 if precision == "fp16" else torch.float32
    for mode in ("eager", "compile"):
        best = None
        for memory_format in (torch.contiguous_format, torch.channels_last):
            m = getattr(torchvision.models, model_name)(weights=None).eval()
            m.load_state_dict(model.state_dict())
            m = m.to("cuda", dtype).to(memory_format=memory_format)
            if mode == "compile":
                torch._dynamo.reset()  # a fresh compile per memory format and precision
            fn = torch.compile(m, mode="reduce-overhead") if mode == "compile" else m
            with torch.no_grad():
                lat, comp = time_one(fn, x_host, dtype, memory_format)
            fmt = "channels_last" if memory_format == torch.channels_last else "nchw"
            if best is None or lat < best["latency_ms"]:
                best = {"precision": precision, "mode": mode, "format": fmt, "latency_ms": lat, "compute_ms": comp}
        rows.append(best)
json.dump({"macs": macs, "rows": rows}, sys.stdout)
PY

ms() { awk -v v="$1" 'BEGIN { printf "%.3f", v }'; }
# macs are counted on the batched input already.
tflops() { awk -v macs="$1" -v t="$2" 'BEGIN { printf "%.1f", 2 * macs / (t * 1e-3) / 1e12 }'; }

TABLE="| model | batch | precision | edgescope latency ms | edgescope compute ms | edgescope TFLOP/s | PyTorch eager latency / compute ms | torch.compile latency / compute ms | latency ratio (edgescope / best PyTorch) |"$'\n'
TABLE+="|---|---|---|---|---|---|---|---|---|"$'\n'
for model in $MODELS; do
  for batch in $BATCHES; do
    onnx="$WORK/$model.b$batch.onnx"
    if [[ -s "$WORK/torch.$model.$batch.json" ]]; then
      echo "== $model batch $batch: PyTorch timings of an earlier run reused; export only" >&2
      "$PYTHON" "$WORK/torch_side.py" "$model" "$batch" "$ITERATIONS" "$onnx" "$PRECISIONS" export-only
    else
      echo "== $model batch $batch: PyTorch" >&2
      "$PYTHON" "$WORK/torch_side.py" "$model" "$batch" "$ITERATIONS" "$onnx" "$PRECISIONS" > "$WORK/torch.$model.$batch.json.tmp"
      mv "$WORK/torch.$model.$batch.json.tmp" "$WORK/torch.$model.$batch.json"
    fi
    [[ "$TORCH_ONLY" == 1 ]] && continue
    macs=$("$PYTHON" -c "import json,sys; print(json.load(open(sys.argv[1]))['macs'])" "$WORK/torch.$model.$batch.json")
    for precision in $PRECISIONS; do
      torch_cell() {  # "latency / compute (format)" of one mode; the best latency as the last line's value
        "$PYTHON" - "$WORK/torch.$model.$batch.json" "$precision" "$1" <<'PY'
import json, sys
rows = [r for r in json.load(open(sys.argv[1]))["rows"] if r["precision"] == sys.argv[2] and r["mode"] == sys.argv[3]]
r = rows[0]
print(f'{r["latency_ms"]:.3f} / {r["compute_ms"]:.3f} ({r["format"]})\t{r["latency_ms"]}')
PY
      }
      eager=$(torch_cell eager) compiled=$(torch_cell compile)
      best_torch=$(printf '%s\n%s\n' "${eager#*$'\t'}" "${compiled#*$'\t'}" | sort -g | head -1)
      es_lat="" es_comp=""
      for graph_flag in "" "--cuda-graph"; do
        json="$WORK/es.$model.$batch.$precision${graph_flag:+.graph}.json"
        echo "== $model batch $batch $precision: edgescope $graph_flag" >&2
        # Pageable host memory on both sides: PyTorch copies its ordinary CPU tensor (x.to('cuda')).
        if "$EDGESCOPE" bench "$onnx" --device cuda --host-memory pageable --precision "$precision" $graph_flag --iterations "$ITERATIONS" \
             --json "$json" > "$WORK/es.log" 2>&1; then
          read -r lat comp < <("$PYTHON" -c "import json,sys; s=json.load(open(sys.argv[1]))['summary']; print(s['latency_ms']['median'], s['compute_ms']['median'])" "$json")
          # Latency and compute each count their better mode: a CUDA Graph replay shortens the device time, while
          # the host copies around it vary by more between runs than the graph saves at batch 32.
          if [[ -z "$es_lat" ]] || awk -v a="$lat" -v b="$es_lat" 'BEGIN { exit !(a < b) }'; then es_lat=$lat; fi
          if [[ -z "$es_comp" ]] || awk -v a="$comp" -v b="$es_comp" 'BEGIN { exit !(a < b) }'; then es_comp=$comp; fi
        else
          echo "edgescope failed: $(tail -1 "$WORK/es.log")" >&2
        fi
      done
      if [[ -n "$es_lat" ]]; then
        TABLE+="| $model | $batch | $precision | $(ms "$es_lat") | $(ms "$es_comp") | $(tflops "$macs" "$es_comp") | ${eager%%$'\t'*} | ${compiled%%$'\t'*} | $(awk -v a="$es_lat" -v b="$best_torch" 'BEGIN { printf "%.2f", a / b }') |"$'\n'
      else
        TABLE+="| $model | $batch | $precision | unsupported | unsupported | - | ${eager%%$'\t'*} | ${compiled%%$'\t'*} | - |"$'\n'
      fi
    done
  done
done

HEADER="### CUDA backend vs PyTorch $("$PYTHON" -c 'import torch; print(torch.__version__)') on $(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)"$'\n\n'
# Provenance: when, on which GPU and driver, which edgescope build (its commit).
HEADER+="Measured $(date -u '+%Y-%m-%d %H:%M') UTC on $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1 | sed 's/, / (driver /;s/$/)/'), $("$EDGESCOPE" --version 2>/dev/null || echo 'edgescope (version unknown)')."$'\n\n'
HEADER+="\`bench/cuda_vs_pytorch.sh --iterations $ITERATIONS\`; medians of $ITERATIONS iterations; latency includes host->device and device->host copies; edgescope's latency and compute are each the better of with and without --cuda-graph; PyTorch cells are 'latency / compute (best memory format)'."$'\n\n'
printf '%s%s' "$HEADER" "$TABLE"
[[ -z "$OUTPUT" ]] || printf '%s%s' "$HEADER" "$TABLE" > "$OUTPUT"
