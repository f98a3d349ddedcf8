#!/usr/bin/env bash
# SDPLIB: boundlab-sdp against SDPA 7.3 and CSDP 6.2 (issue 16: as fast as SDPA and CSDP on every
# SDPLIB problem, in double precision). Writes bench/results/sdp_peers.md.
#
# Usage (from anywhere):
#   bench/sdp_peers/run.sh [--problems truss1,theta1,qap5] [--repeat 3] [--out FILE]
#                          [--timeout 300] [--no-f64] [--no-build]
# Installs the peers when missing (apt-get install sdpa coinor-csdp; sudo only when not root),
# builds target/release/examples/solve_sdpa (a no-op when up to date; --no-build skips it and uses
# the binary as it is), then runs bench/sdp_peers/compare.py (Python 3, standard library only),
# which passes the other options through; see its header for what is measured and how.
# Takes about 16 s for the 16 problems with 3 repeats, on one core (every solver single-threaded,
# one process at a time); the apt install adds a minute the first time.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

build=1
args=()
for a in "$@"; do
  if [ "$a" = --no-build ]; then build=0; else args+=("$a"); fi
done

if ! command -v sdpa >/dev/null || ! command -v csdp >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y sdpa coinor-csdp || { $sudo apt-get update && $sudo apt-get install -y sdpa coinor-csdp; }
fi

if [ "$build" = 1 ]; then
  cargo build --release -j2 -p boundlab-sdp-solver --example solve_sdpa
fi

SDP_PEERS_COMMAND="bench/sdp_peers/run.sh${*:+ $*}" exec python3 bench/sdp_peers/compare.py ${args[@]+"${args[@]}"}
