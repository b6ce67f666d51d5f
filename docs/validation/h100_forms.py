#!/usr/bin/env python3
"""The H100 validation's two checks besides the whole-model error (docs/validation.md, "The H100"):
- the convolution forms: for each convolution that may run on cuDNN or as im2col + cuBLASLt, the form the
  measured program took (the profile's `implementation`) against the form the prediction took (the faster it
  predicts; simulate --json's layers);
- the measured layers against the measured compute (CUDA events around the replayed graph): the sum of the
  layer medians over the median compute, and what the layers add per layer beyond it (with layer_timing
  "graph" the layers are replayed as the timed loop replays them, with an event node after each).

usage: h100_forms.py CASE=PREDICTED.json,MEASURED.json ..."""
import json
import sys


def form(implementation):
    return "im2col" if implementation.startswith("im2col") else "cudnn" if implementation.startswith("cudnn") else None


def main(args):
    print("| case | layer timing | layers / compute | µs per layer beyond compute | convolutions with a choice "
          "| measured im2col | predicted im2col | same form |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
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
        layers, compute = sum(l["median_ms"] for l in m["layers"]), m["summary"]["compute_ms"]["median"]
        excess_us = (layers - compute) / len(m["layers"]) * 1000
        timing = m["options"].get("layer_timing", "host")
        print(f"| {case} | {timing} | {layers / compute:.2f} | {excess_us:.1f} | {len(pairs)} | {sum(a == 'im2col' for a, _ in pairs)} "
              f"| {sum(b == 'im2col' for _, b in pairs)} | {sum(a == b for a, b in pairs)} |")


if __name__ == "__main__":
    main(sys.argv[1:])
