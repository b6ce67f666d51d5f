#!/usr/bin/env python3
"""Predicted vs measured, for docs/validation.md: reads pairs of edgescope JSON results (simulate --json and
bench --profile-layers --json) and prints per-case whole-model and per-layer errors as a Markdown table.

usage: compare_runs.py [--calibration "CASE CASE ..."] CASE=PREDICTED.json,MEASURED.json ...
Whole model: the prediction's mean latency against the measured median latency (the study's loop, copies
included). Per layer: layers matched by name; MAPE and RMSPE of the per-layer time (measured: median of the
separate profiling runs). Cases named by --calibration (the profiles the target was calibrated on) are marked
and counted apart from the others."""
import json
import math
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def main(args):
    calibration = set()
    if args[:1] == ["--calibration"]:
        calibration, args = set(args[1].split()), args[2:]
    counts = {True: [0, 0], False: [0, 0]}  # calibration case? -> [within, cases]
    print("| case | measured ms (median) | predicted ms | error | layers matched | per-layer MAPE | per-layer RMSPE |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for arg in args:
        case, files = arg.split("=", 1)
        predicted_path, measured_path = files.split(",")
        p, m = load(predicted_path), load(measured_path)
        measured = m["summary"]["latency_ms"]["median"]
        predicted = p["summary"]["latency_ms"]["mean"]
        error = predicted / measured - 1
        seen = case in calibration
        counts[seen][0] += abs(error) <= 0.10
        counts[seen][1] += 1
        by_name = {l["name"]: l for l in p["layers"]}
        errors = [by_name[l["name"]]["average_ms"] / l["median_ms"] - 1
                  for l in m["layers"] if l["name"] in by_name and l["median_ms"] > 0]
        mape = sum(abs(e) for e in errors) / len(errors) if errors else float("nan")
        rmspe = math.sqrt(sum(e * e for e in errors) / len(errors)) if errors else float("nan")
        label = f"{case} (calibration)" if seen else case
        print(f"| {label} | {measured:.3f} | {predicted:.3f} | {error * 100:+.1f}% | {len(errors)}/{len(m['layers'])} "
              f"| {mape * 100:.1f}% | {rmspe * 100:.1f}% |")
    print(f"\nNot used for calibration: {counts[False][0]} of {counts[False][1]} cases within ±10% whole-model.")
    if calibration:
        print(f"Calibration cases: {counts[True][0]} of {counts[True][1]} within ±10% whole-model.")


if __name__ == "__main__":
    main(sys.argv[1:])
