"""The quickstart tour in Python (scripts/quickstart.rhai's calls): a few seconds.

    pip install ./python            # once, from the repository root
    python examples/python/quickstart.py

One call into each first-party plugin family and the plugin template, with numpy in and out
and a Python function as an optimisation problem. The runs are recorded in the folder printed
at the end, as the command line records them.
"""

import numpy as np
import scipy.sparse as sp

import boundlab

engine = boundlab.Engine(out_dir="runs/python-quickstart", seed=1)
print("algorithms loaded:", ", ".join(engine.algorithms()))

# The plugin template's conjugate gradients on the 1-D Poisson matrix tridiag(-1, 2, -1):
# -u'' = 1 with zero boundary values has u(t) = t (1 - t) / 2.
n = 200
poisson = sp.diags([-np.ones(n - 1), 2 * np.ones(n), -np.ones(n - 1)], [-1, 0, 1])
h = 1.0 / (n + 1)
cg = engine.run("template.cg", matrix=poisson, rhs=np.full(n, h * h), tol=1e-10)
t = (n // 2 + 1) * h
print(
    f"template.cg: {cg['iterations']} iterations, u({t:.4f}) = {cg['x'][n // 2]:.6f},"
    f" exact {t * (1 - t) / 2:.6f}"
)

# The Delsarte LP bound for the kissing number in dimension 8 is sharp: 240 (E8).
kiss = engine.run("sdp.delsarte", dim=8, degree=10)
print(f"sdp.delsarte: kissing number in dimension 8 <= {kiss['bound']:.6f} ({kiss['status']})")

# Python functions as the problem: min x² + y² subject to x + y = 1, optimum (1/2, 1/2).
# Derivatives not given come from finite differences (a warning says so); give grad, jac and
# hess as functions too for exact ones.
al = engine.run(
    "alsketch.solve",
    problem=dict(
        n=2,
        m=1,
        x0=np.array([2.0, 0.0]),
        f=lambda x: x @ x,
        c=lambda x: [x[0] + x[1] - 1.0],
        grad=lambda x: 2 * x,
        jac=lambda x: np.array([[1.0, 1.0]]),
        hess=lambda a: 2 * np.eye(2),
    ),
    sketch="block",
)
print(f"alsketch.solve: x = {al['x']}, f = {al['f']:.6f} ({al['status']})")

coupling = engine.run("mecb.couple", marginals=[[0.5, 0.25, 0.25], [0.4, 0.4, 0.2]])
print(
    f"mecb.couple: joint entropy {coupling['entropy']:.6f} bits"
    f" (lower bound {coupling['lower_bound']:.6f})"
)

# A batch on the engine's workers: SSO on a synthetic logistic-regression problem (numpy
# data, labels from a known weight vector with 5% flipped), one seed per run.
rng = np.random.default_rng(0)
features = rng.normal(size=(400, 5))
labels = np.sign(features @ np.array([1.0, -2.0, 0.5, 0.0, 1.5]))
labels[rng.random(400) < 0.05] *= -1
runs = [dict(x=features, y=labels, loss="logistic", epochs=5.0, seed=s) for s in range(3)]
sso = engine.run_batch("surrogate.sso", runs)
print("surrogate.sso: final training loss per seed", [round(r["final_loss"], 4) for r in sso])

print("records:", engine.records_path)
