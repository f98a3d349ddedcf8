#!/usr/bin/env bash
# Side-by-side benchmark of AdaSketch-Newton (alsketch) against IPOPT (casadi) and scipy
# (SLSQP, trust-constr) on the same problems and start points, in one run.
#
# Usage: bench/alsketch/run.sh [hs|logreg|pde|all]   (default: all)
# Writes bench/results/alsketch_<suite>.md; raw JSON of our runs goes to bench/alsketch/out/.
# Takes about 2 min (hs), 3 min (logreg) and 6 min (pde, 20 s per sketched run) on 2 cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
PY=$(bench/venv.sh)
suites=${1:-all}
[ "$suites" = all ] && suites="hs logreg pde"
cargo build --release -j2 -p boundlab-alsketch --example alsketch_bench
out=bench/alsketch/out
mkdir -p "$out" bench/results
for s in $suites; do
  target/release/examples/alsketch_bench "$out" "$s" ${ALSKETCH_BENCH_ARGS:-}
  "$PY" bench/alsketch/compare.py "$out" "$s" "bench/results/alsketch_$s.md"
done
