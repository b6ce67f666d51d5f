#!/usr/bin/env python3
"""Summarises an Nsight Compute text report of one inference (bench/gpu_session.sh's `kernels` stage):
total kernel time, time per kernel family, and each kernel with the layer (innermost NVTX range) that
launched it.

    bench/ncu_summary.py REPORT.ncu.txt [--kernels]
"""
import argparse
import collections
import re

UNITS = {"ns": 1e-6, "us": 1e-3, "usecond": 1e-3, "ms": 1.0, "msecond": 1.0}


def kernels(text):
    """(layer, kernel name, milliseconds) for each profiled kernel, in launch order."""
    for block in re.split(r"\n  (?=\S)", text):
        head = re.match(r"(.*?) \(\d+, \d+, \d+\)x\(\d+, \d+, \d+\)", block)
        duration = re.search(r"gpu__time_duration.sum\s+(\S+)\s+([\d.,]+)", block)
        if not head or not duration:
            continue
        ranges = re.findall(r"<\d+,([^>]*)>", block)
        unit, value = duration.group(1), float(duration.group(2).replace(",", ""))
        yield ranges[-1] if ranges else "?", head.group(1), value * UNITS[unit]


def family(name):
    """A kernel's family: cuBLASLt's nvjet kernels together, templates and arguments dropped."""
    if name.startswith("nvjet"):
        return "cuBLASLt (nvjet)"
    name = name.removeprefix("void ").replace("es::<unnamed>::", "edgescope ")
    return name.split("(")[0].split("<")[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report")
    parser.add_argument("--kernels", action="store_true", help="list every kernel with its layer")
    args = parser.parse_args()
    with open(args.report) as f:
        rows = list(kernels(f.read()))
    print(f"{len(rows)} kernels, {sum(ms for _, _, ms in rows):.4f} ms in all")
    families = collections.Counter()
    for _, name, ms in rows:
        families[family(name)] += ms
    for name, ms in families.most_common():
        print(f"  {ms:8.4f} ms  {name}")
    if args.kernels:
        for layer, name, ms in rows:
            print(f"{ms:8.4f} ms  {layer[:32]:32}  {name[:70]}")


if __name__ == "__main__":
    main()
