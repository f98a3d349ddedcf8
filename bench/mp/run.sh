#!/usr/bin/env bash
# Multiprecision kernels: ns per multiply-add of boundlab's Mp<L> against MPFR (rug) at 128..1024
# bits, and the Cholesky kernel's GFLOP-equivalent per second in f64, dd and mp (one thread
# each, one run). Installs Debian's libgmp-dev and libmpfr-dev for rug. About a minute.
# Writes bench/results/mp_kernels.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
if ! dpkg -s libgmp-dev libmpfr-dev >/dev/null 2>&1; then
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get install -y -q libgmp-dev libmpfr-dev >&2
fi
cd "$root/bench/mp"
cargo build --release -j2 --target-dir "$root/target/mp-bench" >&2
{
  echo "# Multiprecision kernels"
  echo
  echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores. Date: $(date +%F). Produced by \`bench/mp/run.sh\` (one thread)."
  echo
  "$root/target/mp-bench/release/boundlab-mp-bench"
} > "$root/bench/results/mp_kernels.md"
cat "$root/bench/results/mp_kernels.md"
