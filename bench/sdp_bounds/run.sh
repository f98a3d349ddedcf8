#!/usr/bin/env bash
# Bounds benchmark: time of each bound vs degree in f64 and double-double, and the
# three-point n = 3, d = 6 SDP side by side with Clarabel (same SDPA file). A few minutes on
# 2 cores. Writes bench/results/sdp_bounds.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
PY=$(bench/venv.sh)
out=$(mktemp -d)
SDP_BOUNDS_OUT=$out cargo test --release -j2 -p boundlab-sphere-bounds --test bounds_bench -- --ignored --nocapture >/dev/null
{
  echo "# Sphere-packing and spherical-code bounds: solve times"
  echo
  echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores shared with other builds. Date: $(date +%F). Produced by \`bench/sdp_bounds/run.sh\`."
  echo
  echo "Cells: bound (iterations, seconds of the solve), with the status when not optimal. tol 1e-8, one thread. f64 failures end \`numerical_error\` or \`max_iter\`, never \`optimal\` with a wrong value."
  echo
  cat "$out/timings.md"
  echo
  echo "## Three-point n = 3, d = 6 (clrs form, 12.718780 in ClusteredLowRankSolver's test): boundlab-sdp and Clarabel on the same SDPA file"
  echo
  "$PY" bench/sdp_bounds/clarabel_side.py "$out"
} > bench/results/sdp_bounds.md
# Mittelmann–Vallentin s_11(3) = 12.42167009 in double-double (ignored in CI).
cargo test --release -j2 -p boundlab-sphere-bounds --test bounds_three_point -- --ignored mittelmann
