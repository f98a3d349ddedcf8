"""The SDP game's best-bound curve (scripts/sdp_game.rhai in Python): about a minute.

    python examples/python/sdp_game_curve.py [budget]

Model-based search (BO + MCTS) over Cohn–Elkies formulations in dimension 8 against random
search at the same budget; plots the best density bound against the number of SDP evaluations
to sdp_game_curve.png when matplotlib is installed, and prints the curves otherwise.
"""

import math
import sys

import boundlab

budget = int(sys.argv[1]) if len(sys.argv) > 1 else 20
engine = boundlab.Engine(out_dir="runs/python-sdp-game", seed=0)

curves = {}
for strategy in ("mcts", "random"):
    r = engine.run(
        "sdp.game",
        target="cohn_elkies",
        dim=8,
        degree=8,
        budget=budget,
        workers=2,
        seed=0,
        strategy=strategy,
        precision="dd",
    )
    best = [v for v in r["best_so_far"]]
    curves[strategy] = best
    baseline = r["baseline_bound"]
    print(f"{strategy}: best bound {r['best_bound']:.10f} after {r['evaluations']} evaluations"
          f" (default formulation {baseline:.10f})")

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    for name, ys in curves.items():
        print(name, ["nan" if math.isnan(v) else f"{v:.8f}" for v in ys])
else:
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, label in (("mcts", "BO + MCTS"), ("random", "random search")):
        ys = curves[name]
        xs = [i + 1 for i, v in enumerate(ys) if not math.isnan(v)]
        ax.plot(xs, [v for v in ys if not math.isnan(v)], label=label)
    ax.axhline(baseline, color="gray", linestyle="--", label="default formulation")
    ax.set_xlabel("SDP evaluations")
    ax.set_ylabel("best density bound")
    ax.set_title("SDP game: Cohn–Elkies bound in dimension 8")
    ax.legend()
    fig.tight_layout()
    fig.savefig("sdp_game_curve.png", dpi=120)
    print("plot: sdp_game_curve.png")
