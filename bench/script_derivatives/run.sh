#!/usr/bin/env bash
# Time per derivative of a problem written as Rhai closures: the engine's automatic
# differentiation against the central finite differences alsketch.solve falls back to, through
# the same ScriptProblem code the solver calls, at n = 10 and 100 (one thread, one run; about
# a minute in release). Writes bench/results/script_derivatives.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
cargo build --release -j2 -p boundlab-alsketch --example derivatives_bench >&2
{
  echo "# Script derivatives: automatic differentiation against finite differences"
  echo
  echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores. Date: $(date +%F). Produced by \`bench/script_derivatives/run.sh\` (release build)."
  echo
  echo "Problem (Rhai closures): f = Σᵢ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)² + 0.01 Σᵢ exp(xᵢ), m = n/2 constraints"
  echo "x₂ₖ² + sin(x₂ₖ₊₁) − ½, at xᵢ = −1.2 + 0.1 i/n; Hessian of L = f + λᵀc. Median time of one"
  echo "evaluation through \`ScriptProblem\` (the code \`alsketch.solve\` calls): \`derivatives: \"exact\"\`"
  echo "against \`\"finite_differences\"\` (central differences; the Hessian from f and c alone). The last"
  echo "column is max |AD − FD| / max |AD| (finite-difference error; AD is exact to rounding, checked"
  echo "against closed forms in \`engine/src/script/jet.rs\` and the HS tests)."
  echo
  target/release/examples/derivatives_bench
} > bench/results/script_derivatives.md
cat bench/results/script_derivatives.md
