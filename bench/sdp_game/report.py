"""Turns bench/sdp_game/out/sdp_game_bench.json (written by bench.rhai) into the Markdown
table of bench/results/sdp_game.md. Run: python3 bench/sdp_game/report.py [out-dir]

Per target and dimension, for each strategy (BO + MCTS, BO over the parameters only, random
search), over the seeds: the best bound after 5, 10, 20 and all evaluations as a ratio to the
default formulation's bound (the baseline; below 1 = better), the evaluations each search
needed to reach the baseline (median over the seeds that reached it, and how many did), and
the share of evaluations that did not end `optimal`.
"""
import json
import math
import os
import statistics
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "out")
data = json.load(open(os.path.join(out, "sdp_game_bench.json")))
rows = data["rows"]
budget = data["budget"]
marks = [k for k in (5, 10, 20) if k < budget] + [budget]
strategies = ["mcts", "bo", "random"]
names = {"mcts": "BO + MCTS", "bo": "BO only", "random": "random"}


def ratio(row, k):
    v = row["best_so_far"][k - 1]
    ok = v is not None and v == v and row["baseline"] is not None
    return v / row["baseline"] if ok else math.inf


def fmt(x):
    return "∞" if math.isinf(x) else f"{x:.6f}"


lines = []
summary = {s: {"reached": 0, "runs": 0, "evals": [], "final": []} for s in strategies}
for target in ["cohn_elkies", "three_point_kissing"]:
    dims = sorted({r["dim"] for r in rows if r["target"] == target})
    if not dims:
        continue
    degree = data["ce_degree"] if target == "cohn_elkies" else data["kissing_degree"]
    lines.append(f"\n### {target} (default formulation: degree {degree})\n")
    head = "| n | baseline | strategy | " + " | ".join(f"best/baseline @{k}" for k in marks)
    head += " | evaluations to baseline (median, reached) | failed solves |"
    lines.append(head)
    lines.append("|" + "---|" * (5 + len(marks)))
    for n in dims:
        for s in strategies:
            rs = [r for r in rows if r["target"] == target and r["dim"] == n and r["strategy"] == s]
            if not rs:
                continue
            base = rs[0]["baseline"]
            cells = []
            for k in marks:
                vals = [ratio(r, k) for r in rs]
                finite = [v for v in vals if not math.isinf(v)]
                if len(finite) == len(vals):
                    m = statistics.mean(vals)
                    cells.append(f"{fmt(m)}")
                else:
                    cells.append(f"{len(vals) - len(finite)}/{len(vals)} none")
            reached = [r["reached"] for r in rs if r["reached"] > 0]
            med = statistics.median(reached) if reached else "–"
            fails = sum(r["failures"] for r in rs) / (len(rs) * budget)
            summary[s]["runs"] += len(rs)
            summary[s]["reached"] += len(reached)
            summary[s]["evals"] += [r["reached"] if r["reached"] > 0 else budget + 1 for r in rs]
            summary[s]["final"] += [ratio(r, budget) for r in rs]
            lines.append(
                f"| {n} | {base:.9g} | {names[s]} | " + " | ".join(cells)
                + f" | {med} ({len(reached)}/{len(rs)}) | {100 * fails:.0f}% |"
            )

print("## Summary over all games and seeds\n")
print("| strategy | searches that reached the baseline | median evaluations to the baseline (budget+1 when never) | mean best/baseline at the budget |")
print("|---|---|---|---|")
for s in strategies:
    d = summary[s]
    if d["runs"]:
        fin = [v for v in d["final"] if not math.isinf(v)]
        print(f"| {names[s]} | {d['reached']}/{d['runs']} | {statistics.median(d['evals'])} | {statistics.mean(fin):.6f} |")
print("\n".join(lines))
