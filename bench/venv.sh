#!/usr/bin/env bash
# Creates (once) the Python virtual environment with the benchmark peers and prints its python.
# Usage: PY=$(bench/venv.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ] || [ "$here/requirements.txt" -nt "$venv/.installed" ]; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --upgrade pip >&2
  "$venv/bin/pip" install --quiet -r "$here/requirements.txt" >&2
  touch "$venv/.installed"
fi
echo "$venv/bin/python"
