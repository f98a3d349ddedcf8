#!/usr/bin/env bash
# SDPLIB side by side: boundlab-sdp vs Clarabel, SCS, CVXOPT in one run (about 5 minutes on
# 2 cores, most of it SCS and Clarabel), then the slow ignored tests of the sdp crate.
# Writes bench/results/sdp_sdplib.md.
#   bench/sdp/run.sh [--problems theta1,truss1] [--scs-time 60]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
PY=$(bench/venv.sh)
cargo build --release -j2 -p boundlab-sdp-solver --example solve_sdpa --example warm_start_study
"$PY" bench/sdp/sdplib_bench.py "$@"
# Warm starts on perturbed problems (a few seconds).
data=data/sdplib
files="$data/theta1.dat-s $data/theta2.dat-s $data/mcp100.dat-s $data/qap5.dat-s $data/truss4.dat-s $data/arch0.dat-s $data/gpp100.dat-s $data/control1.dat-s"
{
  echo "# Warm starts on perturbed SDPLIB problems"
  echo
  echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores shared with other builds. Date: $(date +%F). Produced by \`bench/sdp/run.sh\`."
  echo
  echo "Each problem is solved, then c and the entries of F_0 are multiplied by (1 + ε u), u uniform in (-1, 1) (seed 1), and the perturbed problem is solved cold and warm-started from the first solution with the start (1 − λ)·previous + λ·default. Double precision, tol 1e-8, 1 thread. Cells: iterations (seconds). (!) marks a warm start that did not end optimal with the cold start's objective (to 1e-6): perturbed qap5 is dual infeasible (the cold start certifies it, warm starts near the old optimum end numerical_error or find the certificate later), and arch0/gpp100 sometimes end within a factor 2 of 1e-8 and stop on 'no progress' in f64 (precision auto would finish them in double-double)."
  echo
  target/release/examples/warm_start_study 1e-3 $files 2>/dev/null
  echo
  target/release/examples/warm_start_study 1e-2 $files 2>/dev/null | tail -n +3
} > bench/results/sdp_warm_start.md
# Every SDPLIB problem in double-double from the first iteration (ignored in CI: ~1-2 min).
cargo test --release -j2 -p boundlab-sdp-solver --test sdplib -- --ignored
