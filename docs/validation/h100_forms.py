#!/usr/bin/env python3
"""The H100 validation's two checks besides the whole-model error (docs/validation.md, "The H100"):
- the convolution forms: for each convolution that may run on cuDNN or as im2col + cuBLASLt, the form the
  measured program took (the profile's `implementation`) against the form the prediction took (the faster it
  predicts; simulate --json's layers);
- the measured layers against the measured inference: the sum of the layer medians over the median latency
  (with layer_timing "graph" the layers are replayed as the timed loop replays them).

usage: h100_forms.py CASE=PREDICTED.json,MEASURED.json ..."""
import json
import sys


def form(implementation):
    return "im2col" if implementation.startswith("im2col") else "cudnn" if implementation.startswith("cudnn") else None


def main(args):
    print("| case | layer timing | layers / latency | convolutions with a choice | measured im2col | predicted im2col | same form |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for arg in args:
        case, files = arg.split("=", 1)
        predicted_path, measured_path = files.split(",")
        with open(predicted_path) as f:
            p = json.load(f)
        with open(measured_path) as f:
            m = json.load(f)
        predicted = {l["name"]: form(l.get("implementation", "")) for l in p["layers"]}
        pairs = [(form(l["implementation"]), predicted.get(l["name"])) for l in m["layers"]
                 if form(l.get("implementation", "")) and predicted.get(l["name"])]
        ratio = sum(l["median_ms"] for l in m["layers"]) / m["summary"]["latency_ms"]["median"]
        timing = m["options"].get("layer_timing", "host")
        print(f"| {case} | {timing} | {ratio:.2f} | {len(pairs)} | {sum(a == 'im2col' for a, _ in pairs)} "
              f"| {sum(b == 'im2col' for _, b in pairs)} | {sum(a == b for a, b in pairs)} |")


if __name__ == "__main__":
    main(sys.argv[1:])
