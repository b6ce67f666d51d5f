#!/usr/bin/env python3
"""Compare two `edgescope bench --images --labels --json` results photo by photo.

    bench/compare_predictions.py REFERENCE.json OTHER.json

Prints how many photos keep their first class, and of those that change, how many the change makes right or
wrong: a reduced precision can leave the top-1 accuracy unchanged while photos flip both ways.
"""
import json
import sys


def predictions(path):
    with open(path) as f:
        accuracy = json.load(f).get("accuracy")
    if not accuracy or "predictions" not in accuracy:
        sys.exit(f"compare_predictions: {path}: no per-photo predictions (run bench with --images and --labels)")
    return {p["image"]: p for p in accuracy["predictions"]}


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: compare_predictions.py REFERENCE.json OTHER.json")
    ref, other = predictions(sys.argv[1]), predictions(sys.argv[2])
    common = sorted(ref.keys() & other.keys())
    if not common:
        sys.exit("compare_predictions: the two runs share no photo")
    changed = [name for name in common if ref[name]["top1"] != other[name]["top1"]]
    made_right = sum(other[n]["top1"] == other[n]["label"] for n in changed)
    made_wrong = sum(ref[n]["top1"] == ref[n]["label"] for n in changed)
    print(f"same first class on {len(common) - len(changed)} of {len(common)} photos; "
          f"{len(changed)} changed: {made_right} became right, {made_wrong} became wrong, "
          f"{len(changed) - made_right - made_wrong} stayed wrong")
    for name in changed:
        print(f"  {name}: label {ref[name]['label']}, {ref[name]['top1']} -> {other[name]['top1']}")


if __name__ == "__main__":
    main()
