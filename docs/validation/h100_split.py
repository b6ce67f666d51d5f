#!/usr/bin/env python3
"""The H100 validation's whole-model error split in two (docs/validation.md, "The H100"): the GPU's compute
(summary.compute_ms: CUDA events around the replayed graph) and the host's part (latency less compute: staging
and copying inputs and outputs, synchronising), predicted against measured in every call and round. A case
whose compute is right and whose latency misses is the host's, not the kernels'.

usage: h100_split.py --folders "DIR DIR ..." CASE=PREDICTED.json ...
Measured: the medians of DIR/CASE.rN.json; predicted: simulate --json's. Errors are predicted / measured - 1."""
import json
import os
import sys


def parts(path):
    with open(path) as f:
        s = json.load(f)["summary"]
    compute = s["compute_ms"]["median"]
    return compute, s["latency_ms"]["median"] - compute


def main(args):
    folders = []
    if args[:1] == ["--folders"]:
        folders, args = args[1].split(), args[2:]
    columns = [(folder, r) for folder in folders for r in (1, 2)]
    names = [f"{os.path.basename(folder.rstrip('/'))} r{r}" for folder, r in columns]
    print("| case | predicted compute ms | measured compute (error): " + " / ".join(names) +
          " | predicted host ms | measured host (error): " + " / ".join(names) + " |")
    print("|---|---:|---|---:|---|")
    for arg in args:
        case, predicted_path = arg.split("=", 1)
        compute, host = parts(predicted_path)
        measured = [parts(os.path.join(folder, f"{case}.r{r}.json")) for folder, r in columns
                    if os.path.exists(os.path.join(folder, f"{case}.r{r}.json"))]
        cells = [" / ".join(f"{m[i]:.3f} ({(p / m[i] - 1) * 100:+.0f}%)" for m in measured) for i, p in ((0, compute), (1, host))]
        print(f"| {case} | {compute:.3f} | {cells[0]} | {host:.3f} | {cells[1]} |")


if __name__ == "__main__":
    main(sys.argv[1:])
