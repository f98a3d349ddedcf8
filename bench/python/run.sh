#!/usr/bin/env bash
# The Python package's overheads (issue 17's targets): engine.run on a trivial algorithm, a
# 10^6-entry numpy array in and out, and alsketch.solve with Python functions against the same
# problem as Rhai closures. Builds the package into its own virtual environment
# (target/bench-python-venv: maturin, numpy, scipy from PyPI) and writes
# bench/results/python.md. About a minute after the build.
#   bench/python/run.sh [--out FILE]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
venv=target/bench-python-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q maturin numpy scipy
"$venv/bin/pip" install -q ./python
"$venv/bin/python" bench/python/bench.py "$@"
