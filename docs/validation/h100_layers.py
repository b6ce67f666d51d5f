#!/usr/bin/env python3
"""One H100 case's layers, measured against predicted (docs/validation.md, "The H100"): each layer's fastest
median over every call and round (as calibrate takes it) less the event node the graph-timed profile holds after
it, with the implementation that ran it, against the layer of simulate --json (the form the plan chose, and its
time as replayed in the graph). Then per measured form: layers, measured and predicted sums.

usage: h100_layers.py --folders "DIR DIR ..." --event-us US CASE PREDICTED.json
US: the calibrated cuda.graph_event_us (h100_validation.sh's WORKDIR/h100-sxm-calibrated.json)."""
import collections
import json
import os
import sys


def main(args):
    folders, event_us = [], 0.0
    while args and args[0].startswith("--"):
        if args[0] == "--folders":
            folders = args[1].split()
        elif args[0] == "--event-us":
            event_us = float(args[1])
        args = args[2:]
    case, predicted_path = args
    with open(predicted_path) as f:
        predicted = {l["name"]: l for l in json.load(f)["layers"]}
    runs = []
    for folder in folders:
        for r in (1, 2):
            path = os.path.join(folder, f"{case}.r{r}.json")
            if os.path.exists(path):
                with open(path) as f:
                    runs.append({l["name"]: l for l in json.load(f)["layers"]})
    print("| layer | op | measured form | measured µs | predicted form | predicted µs | error |")
    print("|---|---|---|---:|---|---:|---:|")
    forms = collections.defaultdict(lambda: [0, 0.0, 0.0])
    for name, first in runs[0].items():
        if name not in predicted:
            continue
        measured = min(run[name]["median_ms"] for run in runs if name in run) * 1000 - event_us
        p = predicted[name]
        us = p["median_ms"] * 1000
        form = first.get("implementation", "")
        print(f"| {name} | {first['op']} | {form} | {measured:.1f} | {p.get('implementation', '')} | {us:.1f} "
              f"| {(us / measured - 1) * 100:+.0f}% |")
        total = forms[form.split(":")[0] + ("+act" if form.endswith("+act") and ":" in form else "")]
        total[0] += 1
        total[1] += measured
        total[2] += us
    print("\n| measured form | layers | measured µs | predicted µs |\n|---|---:|---:|---:|")
    for form, (n, measured, us) in sorted(forms.items()):
        print(f"| {form} | {n} | {measured:.1f} | {us:.1f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
