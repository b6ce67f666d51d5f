#!/usr/bin/env bash
# The study's DLA->GPU fallback measured on a GPU machine: `--restrict cuda=dla` applies the Orin DLA's rules to
# the GPU, so the GPU plays the DLA and the CPU plays the Jetson's GPU (the nodes the DLA engine would hand to
# the GPU run on the CPU, with real copies and waits at each boundary). Benches the zoo's MobileNetV2 and
# ResNet-50 (ONNX files with a symbolic batch, as the Model Zoo ships them) and any other models given, on cuda,
# unrestricted and restricted, and on the CPU alone, and prints a markdown table for docs/benchmarks.md (section
# restrict_dla). Runs on the GPU machine (bench/gpu_session.sh stage `restrict`).
#
#   bench/restrict_dla.sh --edgescope PATH [--models "mobilenetv2-12 resnet50-v1.5 FILE.onnx"] [--iterations N]
#                         [--configs "fp32 --cuda-graph;fp16 --cuda-graph"] [--rounds 3] [--work DIR] [--output FILE.md]
#
# A model is a zoo name (written with `edgescope zoo`) or an ONNX file; a config is a precision and any other
# bench flags, the same for both plans. A bench that fails gives a row saying so.
# Each bench: study mode (copy in, infer, copy out, synchronise; 100 untimed, then N timed iterations, medians),
# then a separate profile run (--profile-layers 20) whose layers give the boundary copies and the CPU's share. A
# first bench, thrown away, brings the GPU to its clocks; every GPU bench runs in each of --rounds rounds (the
# table gives the median over rounds), the CPU ones once. CUDA graphs by default: without them these batch-1 runs
# are bound by kernel launches, which made the same row differ by up to 45% between two runs.
set -euo pipefail

EDGESCOPE=""
ITERATIONS=1000
CONFIGS="fp32 --cuda-graph;fp16 --cuda-graph"
ROUNDS=3
MODELS="mobilenetv2-12 resnet50-v1.5"
WORK=""
OUTPUT=""
PYTHON="${PYTHON:-python3}"

die() { echo "restrict_dla: $*" >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --edgescope) EDGESCOPE="$(realpath "$2")"; shift 2 ;;
    --models) MODELS="$2"; shift 2 ;;
    --iterations) ITERATIONS="$2"; shift 2 ;;
    --configs) CONFIGS="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --work) WORK="$(realpath -m "$2")"; shift 2 ;;
    --output) OUTPUT="$(realpath -m "$2")"; shift 2 ;;
    -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[[ -x "$EDGESCOPE" ]] || die "--edgescope PATH to the edgescope binary is required"
if [[ -z "$WORK" ]]; then
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK"

# One bench: NAME, then edgescope's bench arguments after the model. Console output in NAME.log, result in
# NAME.json (absent when it failed: the log's error line says why).
bench() {
  local name="$1" model="$2"
  shift 2
  echo "== edgescope bench $(basename "$model") $*" >&2
  # Pageable host memory in every row: a restricted plan's boundaries pass through ordinary host tensors.
  "$EDGESCOPE" bench "$model" --iterations "$ITERATIONS" --warmup-iterations 100 --profile-layers 20 --host-memory pageable \
    --json "$WORK/$name.json" "$@" \
    > "$WORK/$name.log" 2>&1 || { echo "failed: $(grep -m1 "error:" "$WORK/$name.log")" >&2; rm -f "$WORK/$name.json"; }
}

IFS=';' read -ra CONFIG_LIST <<< "$CONFIGS"
declare -A ONNX
for model in $MODELS; do
  if [[ "$model" == *.onnx ]]; then
    ONNX[$(basename "$model" .onnx)]="$(realpath "$model")"
  else
    ONNX[$model]="$WORK/$model.onnx"
    "$EDGESCOPE" zoo "$model" -o "$WORK/$model.onnx" > /dev/null
  fi
done
NAMES=()
for model in $MODELS; do NAMES+=("$(basename "$model" .onnx)"); done

bench warm-up "${ONNX[${NAMES[0]}]}" --device cuda
rm -f "$WORK/warm-up.json"
# Rounds outermost, so that what changes on the machine over the minutes spreads over every row.
for round in $(seq "$ROUNDS"); do
  for model in "${NAMES[@]}"; do
    for config in "${CONFIG_LIST[@]}"; do
      read -ra flags <<< "$config"
      name="$model.$(tr ' ' '_' <<< "$config")"
      bench "$name.cuda.r$round" "${ONNX[$model]}" --device cuda --precision "${flags[@]}"
      bench "$name.restrict.r$round" "${ONNX[$model]}" --device cuda --precision "${flags[@]}" --restrict cuda=dla
    done
    if [[ "$round" == 1 ]]; then bench "$model.cpu.r1" "${ONNX[$model]}" --device cpu; fi
  done
done

GPU=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1 | sed 's/, / (driver /; s/$/)/' || true)
"$PYTHON" - "$WORK" "$ITERATIONS" "$ROUNDS" "${GPU:-no GPU}" "$CONFIGS" "${NAMES[@]}" > "$WORK/table.md" <<'PY'
import glob, json, os, statistics, sys
work, iterations, rounds, gpu, configs, models = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5].split(";"), sys.argv[6:]

def runs(name):  # the rounds' results of one bench, in round order
    return [json.load(open(p)) for p in sorted(glob.glob(f"{work}/{name}.r*.json"))]

def failure(name):
    errors = [l for p in sorted(glob.glob(f"{work}/{name}.r*.log")) for l in open(p) if "error:" in l] or ["no log"]
    return "failed: " + errors[0].strip().replace("|", "/")

def median(values):
    return statistics.median(values)

def cells(rs):
    """The median over the rounds of each number; the latency also per round."""
    s = [r["summary"] for r in rs]
    def phase(key, stat="median"):
        return median([x[key][stat] for x in s])
    def profile(cpu):
        picked = [[l for l in r["layers"] if l["name"].startswith("copy ") != cpu and (not cpu or l["device"] == "cpu")]
                  for r in rs]
        return f"{len(picked[0])} / {median([sum(l['average_ms'] for l in p) for p in picked]):.3f}"
    per_round = " ".join(f"{x['latency_ms']['median']:.3f}" for x in s)
    latency = phase("latency_ms")
    text = (f"{latency:.3f} ({per_round}) | {phase('latency_ms', 'p99'):.3f} | {phase('h2d_ms'):.3f} | "
            f"{phase('compute_ms'):.3f} | {phase('d2h_ms'):.3f} | {profile(True)} | {profile(False)}")
    return text, latency

def moved(name):
    # The summary line `--restrict` prints: "restrict ... : N of M nodes go to cpu".
    for line in open(f"{work}/{name}.r1.log"):
        if line.startswith("restrict "):
            return line.split(": ")[-1].split(" go to")[0]
    return "-"

def row(model, config, plan, name, nodes, cuda_ms):
    rs = runs(name)
    if not rs:
        print(f"| {model} | {config} | {plan} | {nodes} | {failure(name)} |||||||")
        return None
    text, ms = cells(rs)
    print(f"| {model} | {config} | {plan} | {nodes} | {text} | {f'{ms / cuda_ms:.2f}' if cuda_ms else '-'} |")
    return ms

p = next(r for r in (json.load(open(f)) for f in sorted(glob.glob(f"{work}/*.json"))))["provenance"]
libraries = ", ".join(f"{k} {v}" for k, v in sorted(p["libraries"].items()))
print(f"Measured {p['date'][:10]} on {gpu}, host CPU {p['host']}, with `bench/restrict_dla.sh --iterations "
      f"{iterations} --rounds {rounds}` (edgescope {p['version']}; {libraries}). Batch 1, study mode (copy in, infer, "
      f"copy out, synchronise) after 100 untimed iterations, {rounds} rounds of every GPU row (the CPU rows: one): "
      "each number is the median over the rounds of that round's value; the latency median is also given per round. "
      "H2D / compute / D2H are the phase medians, where a restricted plan's H2D and D2H include every boundary copy "
      "and its compute includes the CPU's nodes. The last two columns come from the separate per-layer profile run "
      "(20 iterations, average ms): CPU layers and boundary copies, count / summed time.\n")
print("| model | precision, flags | plan | nodes on the CPU | median ms (per round) | p99 ms | H2D ms | compute ms | D2H ms "
      "| CPU layers n / ms | boundary copies n / ms | vs cuda |")
print("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for model in models:
    cuda_fp32 = None
    for config in configs:
        base = f"{model}.{config.replace(' ', '_')}"
        cuda_ms = row(model, config, "`--device cuda`", base + ".cuda", "0", None)
        if config.split()[0] == "fp32" and cuda_fp32 is None:
            cuda_fp32 = cuda_ms
        row(model, config, "`--device cuda --restrict cuda=dla`", base + ".restrict", moved(base + ".restrict"), cuda_ms)
    row(model, "fp32", "`--device cpu`", f"{model}.cpu", "all", cuda_fp32)
PY
cat "$WORK/table.md"
[[ -z "$OUTPUT" ]] || cp "$WORK/table.md" "$OUTPUT"
