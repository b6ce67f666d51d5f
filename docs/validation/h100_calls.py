#!/usr/bin/env python3
"""The H100 validation over several device calls (docs/validation.md, "The H100", "Protocol"): one prediction
per case, compared with that case's measurement in every call (round 1 and round 2 of each profile folder)
and with the case's fastest measurement over all of them (the per-case best of calls). Prints the whole-model
error per case and column, and per column how many cases are within ±10 %, unseen and calibration cases apart.

usage: h100_calls.py --calibration "CASE CASE ..." --folders "DIR DIR ..." CASE=PREDICTED.json ...
Measured: the median latency of the timed loop (summary.latency_ms.median) of DIR/CASE.rN.json; predicted: the
mean latency of simulate --json. A folder without a case's file leaves that cell empty."""
import json
import os
import sys


def latency(path, key):
    with open(path) as f:
        return json.load(f)["summary"]["latency_ms"][key]


def main(args):
    calibration, folders = set(), []
    while args and args[0].startswith("--"):
        if args[0] == "--calibration":
            calibration = set(args[1].split())
        elif args[0] == "--folders":
            folders = args[1].split()
        args = args[2:]
    columns = [(folder, r) for folder in folders for r in (1, 2)]
    names = [f"{os.path.basename(folder.rstrip('/'))} r{r}" for folder, r in columns] + ["best of calls"]
    print("| case | predicted ms | " + " | ".join(names) + " |")
    print("|---|---:|" + "---:|" * len(names))
    counts = {seen: [[0, 0] for _ in names] for seen in (True, False)}  # [within, measured] per column
    for arg in args:
        case, predicted_path = arg.split("=", 1)
        predicted = latency(predicted_path, "mean")
        measured = []
        for folder, r in columns:
            path = os.path.join(folder, f"{case}.r{r}.json")
            measured.append(latency(path, "median") if os.path.exists(path) else None)
        present = [m for m in measured if m is not None]
        measured.append(min(present) if present else None)
        seen = case in calibration
        cells = []
        for i, m in enumerate(measured):
            if m is None:
                cells.append("")
                continue
            error = predicted / m - 1
            counts[seen][i][0] += abs(error) <= 0.10
            counts[seen][i][1] += 1
            cells.append(f"{m:.3f} ({error * 100:+.1f}%)")
        label = f"{case} (calibration)" if seen else case
        print(f"| {label} | {predicted:.3f} | " + " | ".join(cells) + " |")
    for seen, what in ((False, "Not used for calibration"), (True, "Calibration cases")):
        if any(n for _, n in counts[seen]):
            print(f"\n{what}, within ±10% whole-model: " +
                  ", ".join(f"{name} {w} of {n}" for name, (w, n) in zip(names, counts[seen])))


if __name__ == "__main__":
    main(sys.argv[1:])
