#!/usr/bin/env python3
"""The three-point n = 3, d = 6 SDP (clrs form) in Clarabel, next to boundlab-sdp's solve.

Reads the SDPA file and boundlab-sdp's results written by the `timings` benchmark
(plugins/sdp/tests/bounds_bench.rs) into OUT, solves the same SDP with Clarabel through the
SDPA reader and conic model of bench/sdp/sdplib_bench.py (solve call timed only, tol 1e-8,
one thread), and prints a Markdown table. The SDP's primal objective is 1 − bound.
    $PY bench/sdp_bounds/clarabel_side.py OUT
"""

import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "sdp"))
import sdplib_bench as sb  # noqa: E402


def main():
    out = sys.argv[1]
    c, sizes, mats = sb.read_sdpa(os.path.join(out, "three_point_n3_d6.dat-s"))
    t0 = time.perf_counter()
    r = sb.run_clarabel(c, sizes, mats)
    wall = time.perf_counter() - t0
    ours = [json.loads(line) for line in open(os.path.join(out, "ours_three_point_n3_d6.jsonl"))]
    print("| solver | bound (1 − objective) | status | iterations | seconds | time ratio to boundlab f64 |")
    print("|---|---|---|---|---|---|")
    base = ours[0]["seconds"]
    for o in ours:
        print(f"| boundlab-sdp ({o['precision']}) | {o['bound']:.8f} | {o['status']} | {o['iterations']} | {o['seconds']:.3f} | {o['seconds'] / base:.2f} |")
    secs = r.get("seconds", wall)
    it = r.get("iterations", "-")
    print(f"| Clarabel (f64) | {1 - r['objective']:.8f} | {r['status']} | {it} | {secs:.3f} | {secs / base:.2f} |")


if __name__ == "__main__":
    main()
