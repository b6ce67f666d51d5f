#!/usr/bin/env python3
"""The H100 validation's two checks besides the whole-model error (docs/validation.md, "The H100"):
- the convolution forms: for each convolution that may take more than one form (on cuDNN's legacy API or as
  im2col + cuBLASLt; in FP16 also, 1x1 ones too, as one cuDNN operation graph, "cudnn-graph:ENGINE"), the form
  the measured program took (the profile's `implementation`) against the form the prediction took (the fastest
  it predicts; simulate --json's layers), as counts measured/predicted per form;
- the measured layers against the measured compute (CUDA events around the replayed graph): the sum of the
  layer medians over the median compute, and what the layers add per layer beyond it (with layer_timing
  "graph" the layers are replayed as the timed loop replays them, with an event node after each).

usage: h100_forms.py CASE=PREDICTED.json,MEASURED.json ..."""
import json
import sys


FORMS = ("cudnn", "im2col", "graph", "cublaslt")


def form(implementation):
    """The form a convolution's implementation names; None for the backend's own (depthwise) kernel."""
    for prefix, name in (("cudnn-graph", "graph"), ("cudnn", "cudnn"), ("im2col", "im2col"), ("cublaslt", "cublaslt")):
        if implementation.startswith(prefix):
            return name
    return None


def main(args):
    print("| case | layer timing | layers / compute | µs per layer beyond compute | convolutions with a choice "
          "| cuDNN legacy (measured/predicted) | im2col + cuBLASLt | cuDNN graph | 1x1 cuBLASLt | same form |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for arg in args:
        case, files = arg.split("=", 1)
        predicted_path, measured_path = files.split(",")
        with open(predicted_path) as f:
            p = json.load(f)
        with open(measured_path) as f:
            m = json.load(f)
        predicted = {l["name"]: form(l.get("implementation", "")) for l in p["layers"]}
        # FP16 (tensor cores): every convolution but a depthwise one may also run as a cuDNN operation graph. FP32:
        # those that may run on cuDNN or as im2col (a 1x1 one is always a cuBLASLt product).
        fp16 = m["options"].get("precision") == "fp16"
        choice = ("cudnn", "im2col", "graph", "cublaslt") if fp16 else ("cudnn", "im2col")
        pairs = [(form(l["implementation"]), predicted.get(l["name"])) for l in m["layers"]
                 if form(l.get("implementation", "")) in choice and predicted.get(l["name"]) in choice]
        layers, compute = sum(l["median_ms"] for l in m["layers"]), m["summary"]["compute_ms"]["median"]
        excess_us = (layers - compute) / len(m["layers"]) * 1000
        timing = m["options"].get("layer_timing", "host")
        counts = " | ".join(f"{sum(a == f for a, _ in pairs)}/{sum(b == f for _, b in pairs)}" for f in FORMS)
        print(f"| {case} | {timing} | {layers / compute:.2f} | {excess_us:.1f} | {len(pairs)} | {counts} "
              f"| {sum(a == b for a, b in pairs)} |")


if __name__ == "__main__":
    main(sys.argv[1:])
