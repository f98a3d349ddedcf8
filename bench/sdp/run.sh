#!/usr/bin/env bash
# SDPLIB side by side: boundlab-sdp vs Clarabel, SCS, CVXOPT in one run (about 5 minutes on
# 2 cores, most of it SCS and Clarabel), then the slow ignored tests of the sdp crate.
# Writes bench/results/sdp_sdplib.md.
#   bench/sdp/run.sh [--problems theta1,truss1] [--scs-time 60]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
PY=$(bench/venv.sh)
cargo build --release -j2 -p boundlab-sdp --example solve_sdpa
"$PY" bench/sdp/sdplib_bench.py "$@"
# Every SDPLIB problem in double-double from the first iteration (ignored in CI: ~1-2 min).
cargo test --release -j2 -p boundlab-sdp --test sdplib -- --ignored
