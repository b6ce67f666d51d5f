#!/usr/bin/env bash
# A/B of two edgescope builds on the GPU, to measure one change within one device call: every cell (model,
# batch, precision) runs both binaries alternately, ROUNDS times (`bench --device cuda --cuda-graph`, study
# mode with the inputs in pageable memory), and the table gives each binary's median compute and latency per
# round and the ratio of their medians over the rounds (B / A; below 1: B is faster).
#
#   bench/ab_cuda.sh A_EDGESCOPE B_EDGESCOPE WORKDIR [--models "resnet50-v1.5 mobilenetv2-12"]
#                    [--batches "1 8 32"] [--precisions "fp16"] [--rounds 3] [--iterations 300]
#
# A model is a zoo name (`edgescope zoo`, random weights) or an .onnx path.
set -euo pipefail
[[ $# -ge 3 ]] || { sed -n '2,10p' "$0"; exit 2; }
a="$1" b="$2" work="$3"
shift 3
models="resnet50-v1.5 mobilenetv2-12" batches="1 8 32" precisions="fp16" rounds=3 iterations=300
while [[ $# -gt 0 ]]; do
  case "$1" in
    --models) models="$2" ;;
    --batches) batches="$2" ;;
    --precisions) precisions="$2" ;;
    --rounds) rounds="$2" ;;
    --iterations) iterations="$2" ;;
    *) echo "ab_cuda: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift 2
done
mkdir -p "$work"
model_file() {
  if [[ -f "$1" ]]; then echo "$1"; return; fi
  [[ -f "$work/$1.onnx" ]] || "$a" zoo "$1" -o "$work/$1.onnx" > /dev/null
  echo "$work/$1.onnx"
}
for m in $models; do
  file=$(model_file "$m")
  for batch in $batches; do
    for p in $precisions; do
      for r in $(seq "$rounds"); do
        for side in a b; do
          bin=$a; [[ $side == b ]] && bin=$b
          json="$work/$(basename "$file" .onnx).b$batch.$p.r$r.$side.json"
          "$bin" bench "$file" --device cuda --batch "$batch" --precision "$p" --cuda-graph --host-memory pageable \
            --iterations "$iterations" --json "$json" > /dev/null
          echo "ab_cuda: $(basename "$json")" >&2
        done
      done
    done
  done
done
python3 - "$work" <<'PY'
import glob, json, os, re, statistics, sys
work = sys.argv[1]
cells = {}
for path in sorted(glob.glob(os.path.join(work, "*.json"))):
    m = re.match(r"(.+)\.b(\d+)\.(\w+)\.r(\d+)\.([ab])\.json$", os.path.basename(path))
    if not m:
        continue
    s = json.load(open(path))["summary"]
    cell = cells.setdefault((m[1], int(m[2]), m[3]), {"a": [], "b": []})
    cell[m[5]].append((s["compute_ms"]["median"], s["latency_ms"]["median"]))
print("| model | batch | precision | A compute ms (rounds) | B compute ms (rounds) | B/A compute | A latency ms | B latency ms | B/A latency |")
print("|---|---:|---|---|---|---:|---:|---:|---:|")
for (model, batch, precision), c in sorted(cells.items()):
    med = lambda side, i: statistics.median(v[i] for v in c[side])
    rounds = lambda side: " ".join(f"{v[0]:.3f}" for v in c[side])
    print(f"| {model} | {batch} | {precision} | {med('a', 0):.3f} ({rounds('a')}) | {med('b', 0):.3f} ({rounds('b')}) | "
          f"{med('b', 0) / med('a', 0):.3f} | {med('a', 1):.3f} | {med('b', 1):.3f} | {med('b', 1) / med('a', 1):.3f} |")
PY
