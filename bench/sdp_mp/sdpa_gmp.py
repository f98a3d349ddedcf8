#!/usr/bin/env python3
"""Solves one SDPA sparse file with SDPA-GMP (PyPI `sdpa-multiprecision`, module `sdpap`) and
prints one JSON line: phase, objectives (in the file's SDPA sign convention, min c·x), iterations,
times.

Usage:  sdpa_gmp.py FILE.dat-s BITS [--eps 1e-12] [--threads 1]

`sdpap.importsdpa` flips the sign (it returns the problem as a CLP maximisation), so the
objectives it reports are negated here to be comparable with boundlab's `sdp.solve` (SDPA
convention). It reads the file's numbers as double-precision floats.
"""
import argparse
import json
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("bits", type=int)
    ap.add_argument("--eps", type=float, default=1e-12)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    import sdpap

    t0 = time.perf_counter()
    A, b, c, K, J = sdpap.importsdpa(args.file)
    t1 = time.perf_counter()
    option = {
        "mpfPrecision": args.bits,
        "numThreads": args.threads,
        "epsilonStar": args.eps,
        "epsilonDash": args.eps,
        "print": "no",
    }
    _x, _y, info, _timeinfo, sdpainfo = sdpap.solve(A, b, c, K, J, option)
    t2 = time.perf_counter()
    out = {
        "phase": str(sdpainfo.get("phasevalue", info.get("phasevalue"))),
        "primal_objective": -float(info["primalObj"]),
        "dual_objective": -float(info["dualObj"]),
        "iterations": int(sdpainfo.get("iteration", -1)),
        "gap": float(info.get("dualityGap", float("nan"))),
        "read_seconds": t1 - t0,
        "solve_seconds": t2 - t1,
        "sdpa_seconds": float(sdpainfo.get("sdpaTime", float("nan"))),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
