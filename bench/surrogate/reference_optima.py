"""Independent reference optima for the surrogate plugin's convergence tests and benchmark targets.

Minimises h(W, b) = (1/n) sum_i loss(x_i W + b, y_i) + (lam/2)(||W||^2 + ||b||^2) for a linear
model on the bundled LIBSVM sets with scipy (L-BFGS-B to a gradient norm below 1e-10; squared
loss also by the ridge normal equations), using numpy/scipy only - no code shared with the Rust
crate. Label encoding as in plugins/surrogate/src/data.rs: two classes -> {0, 1} (one output) for
squared/logistic, one-hot columns otherwise (and always for cross-entropy).

Usage: PY=$(bench/venv.sh); $PY bench/surrogate/reference_optima.py
Prints one line per (data set, loss, lambda): h*, ||grad h*||, and h(0).
"""
import os
import sys

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "data", "libsvm")


def read_libsvm(path):
    labels, rows = [], []
    d = 0
    for line in open(path):
        line = line.split("#")[0].split()
        if not line:
            continue
        labels.append(float(line[0]))
        row = {}
        for tok in line[1:]:
            i, v = tok.split(":")
            row[int(i) - 1] = float(v)
            d = max(d, int(i))
        rows.append(row)
    x = np.zeros((len(rows), d))
    for r, row in enumerate(rows):
        for j, v in row.items():
            x[r, j] = v
    return x, np.array(labels)


def encode(labels, loss):
    classes = np.unique(labels)
    idx = np.searchsorted(classes, labels)
    if len(classes) == 2 and loss in ("squared", "logistic"):
        return idx[:, None].astype(float)
    y = np.zeros((len(labels), len(classes)))
    y[np.arange(len(labels)), idx] = 1.0
    return y


def objective(loss, x, y, lam):
    n, d = x.shape
    k = y.shape[1]
    D = np.hstack([x, np.ones((n, 1))])

    def f(theta):
        T = theta.reshape(d + 1, k)
        z = D @ T
        if loss == "squared":
            val = 0.5 * np.sum((z - y) ** 2) / n
            g = (z - y) / n
        elif loss == "logistic":
            val = np.sum(np.logaddexp(0.0, z) - y * z) / n
            g = (1.0 / (1.0 + np.exp(-z)) - y) / n
        else:
            lse = logsumexp(z, axis=1, keepdims=True)
            val = np.sum(lse - np.sum(y * z, axis=1, keepdims=True)) / n
            g = (np.exp(z - lse) - y) / n
        grad = D.T @ g + lam * T
        return val + 0.5 * lam * np.sum(theta ** 2), grad.ravel()

    return f, D, k


def solve(name, loss, lam):
    x, labels = read_libsvm(os.path.join(DATA, name))
    y = encode(labels, loss)
    f, D, k = objective(loss, x, y, lam)
    p = D.shape[1] * k
    res = minimize(f, np.zeros(p), jac=True, method="L-BFGS-B",
                   options={"maxiter": 100000, "maxfun": 200000, "gtol": 1e-12, "ftol": 1e-16})
    val, grad = f(res.x)
    if loss == "squared":
        # closed form ridge: (D^T D / n + lam I) T = D^T y / n
        n = D.shape[0]
        T = np.linalg.solve(D.T @ D / n + lam * np.eye(D.shape[1]), D.T @ y / n)
        val_cf, _ = f(T.ravel())
        assert abs(val_cf - val) < 1e-9, (val_cf, val)
        val, grad = f(T.ravel())
    h0, _ = f(np.zeros(p))
    print(f"{name:26s} {loss:13s} lam={lam:<8g} h*={val:.12f} |grad|={np.linalg.norm(grad):.2e} h0={h0:.12f}")


if __name__ == "__main__":
    for lam in (1e-2, 1e-3, 1e-4):
        solve("breast_cancer_scale.svm", "logistic", lam)
        solve("breast_cancer_scale.svm", "squared", lam)
        solve("wine_scale.svm", "cross_entropy", lam)
        solve("digits.svm", "cross_entropy", lam)
        solve("digits.svm", "squared", lam)
    sys.stdout.flush()
