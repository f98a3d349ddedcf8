#!/usr/bin/env bash
# Multiprecision SDP side by side, in one run (one thread per peer):
#   1. the Cohn–Elkies LP bound (n = 3, 8; degrees 31, 47, 63): boundlab's `sdp.cohn_elkies` at
#      512 bits (tol 1e-30) with 1 and 2 threads against SDPB 1.0 at 512 bits, on the same LP
#      written as an SDPB polynomial matrix program by bench/sdp_mp/ce_sdpb.py;
#   2. the three-point SDPs (n = 3, degrees 5 and 7) that `sdp.three_point` exports as SDPA files:
#      boundlab's `sdp.solve` against SDPA-GMP (PyPI sdpa-multiprecision) at 128 and 256 bits,
#      tol 1e-12 for both.
# Installs what it needs: Debian's `sdpb` (with sudo when not root) and, into bench/.venv
# (bench/venv.sh), the packages of bench/sdp_mp/requirements.txt (sdpa-multiprecision, mpmath).
# Uses the built binary target/release/boundlab (it does not build it: `cargo build --release`).
# Takes about 30 minutes on 2 cores: the Cohn–Elkies table ~10 min, three-point degree 5 ~1.5 min,
# degree 7 ~18 min (SDPA-GMP at 128 bits alone ~9.5 min). Time budget: a Cohn–Elkies row (three
# solves) over --row-budget s (180) skips the higher degrees of that n; a three-point solve over
# --tp-skip-after s (300) skips that solver's higher bits at that degree (so SDPA-GMP at 256 bits,
# degree 7, is skipped); any solve is cut after --timeout s (900). Skips are listed in the report.
# Writes bench/results/sdp_mp.md (machine, date, exact commands, the two tables, problems).
#   bench/sdp_mp/run.sh [bench.py options, e.g. --dims 3 --degrees 15 --tp-degrees 5 --tp-bits 128
#                        --out /tmp/sdp_mp.md for a short check]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
bin=target/release/boundlab
if [ ! -x "$bin" ]; then
  echo "run.sh: $bin is missing: build it first (cargo build --release)" >&2
  exit 1
fi
if ! command -v sdpb >/dev/null 2>&1; then
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get install -y -q sdpb >&2 || { $sudo apt-get update -q >&2 && $sudo apt-get install -y -q sdpb >&2; }
fi
PY=$(bench/venv.sh)
stamp="$root/bench/.venv/.sdp_mp-installed"
if [ ! -e "$stamp" ] || [ bench/sdp_mp/requirements.txt -nt "$stamp" ]; then
  "$PY" -m pip install --quiet -r bench/sdp_mp/requirements.txt >&2
  touch "$stamp"
fi
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
"$PY" bench/sdp_mp/bench.py --boundlab "$root/$bin" --python "$PY" "$@"
