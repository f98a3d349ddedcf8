"""Reference numbers for the SDP game's surrogate models, computed independently with
numpy/scipy (the Rust tests in plugins/sdp/tests/game_models.rs hard-code what this prints).

GP: Matérn-5/2 kernel with ARD length scales (Rasmussen & Williams 2006, eq. 4.17, 2.25-2.30).
Bayesian linear regression: Bishop 2006, eq. 3.53-3.54, 3.58-3.59, 3.86.

Run: PY=$(bench/venv.sh); $PY bench/sdp_game/reference.py
"""
import numpy as np
from scipy.optimize import minimize

np.set_printoptions(precision=17)


def matern52(a, b, ls, sf):
    d = np.sqrt((((a[:, None, :] - b[None, :, :]) / ls) ** 2).sum(-1))
    s = np.sqrt(5.0) * d
    return sf**2 * (1 + s + s * s / 3) * np.exp(-s)


def gp_posterior(X, y, ls, sf, sn, Xs):
    K = matern52(X, X, ls, sf) + sn**2 * np.eye(len(X))
    Ks = matern52(X, Xs, ls, sf)
    Kinv = np.linalg.inv(K)
    mean = Ks.T @ Kinv @ y
    var = sf**2 - np.einsum("ij,ik,kj->j", Ks, Kinv, Ks)
    sign, logdet = np.linalg.slogdet(K)
    lml = -0.5 * y @ Kinv @ y - 0.5 * logdet - 0.5 * len(X) * np.log(2 * np.pi)
    return mean, var, lml


# Data: the same closed-form points as the Rust test.
X = np.array([[(0.37 * i) % 1.0, (0.61 * i + 0.2) % 1.0] for i in range(8)])
y = np.array([np.sin(3 * a) + b * b for a, b in X])
Xs = np.array([[0.25, 0.75], [0.9, 0.1]])
ls = np.array([0.3, 0.6])
mean, var, lml = gp_posterior(X, y, ls, 1.3, 0.1, Xs)
print("gp fixed: mean", repr(mean), "var", repr(var), "lml", repr(lml))

# Maximum marginal likelihood on standardised y, same box as HyperBounds::default().
ys = (y - y.mean()) / y.std()
lo = np.log([0.02, 0.02, 0.05, 1e-4])
hi = np.log([10.0, 10.0, 20.0, 1.0])


def neg_lml(t):
    K = matern52(X, X, np.exp(t[:2]), np.exp(t[2])) + np.exp(2 * t[3]) * np.eye(len(X))
    try:
        L = np.linalg.cholesky(K)
    except np.linalg.LinAlgError:
        return 1e10
    a = np.linalg.solve(L.T, np.linalg.solve(L, ys))
    return 0.5 * ys @ a + np.log(np.diag(L)).sum() + 0.5 * len(X) * np.log(2 * np.pi)


best = None
rng = np.random.default_rng(0)
for _ in range(200):
    t0 = lo + (hi - lo) * rng.random(4)
    r = minimize(neg_lml, t0, method="L-BFGS-B", bounds=list(zip(lo, hi)))
    if best is None or r.fun < best.fun:
        best = r
print("gp ml: best lml", repr(-best.fun), "at", repr(np.exp(best.x)))

# Bayesian linear regression.
Phi = np.array([[np.sin(0.3 * i), np.cos(0.7 * i), np.tanh(2 * np.sin(1.3 * i))] for i in range(12)])
t = np.array([2 * p[0] - p[1] + 0.5 * p[2] + 3 + 0.1 * np.sin(5.1 * i) for i, p in enumerate(Phi)])
tc = t - t.mean()


def blr(alpha, beta):
    M = Phi.shape[1]
    A = alpha * np.eye(M) + beta * Phi.T @ Phi
    S = np.linalg.inv(A)
    m = beta * S @ Phi.T @ tc
    E = 0.5 * beta * ((tc - Phi @ m) ** 2).sum() + 0.5 * alpha * m @ m
    N = len(tc)
    ev = 0.5 * M * np.log(alpha) + 0.5 * N * np.log(beta) - E - 0.5 * np.linalg.slogdet(A)[1] - 0.5 * N * np.log(2 * np.pi)
    return m, S, ev


m, S, ev = blr(0.5, 40.0)
phi = np.array([0.2, -0.4, 0.9])
print("blr fixed: m", repr(m), "pred mean", repr(t.mean() + phi @ m), "pred var", repr(1 / 40.0 + phi @ S @ phi), "evidence", repr(ev))
r = minimize(lambda z: -blr(np.exp(z[0]), np.exp(z[1]))[2], [0.0, 0.0], method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})
print("blr ml: evidence", repr(-r.fun), "alpha, beta", repr(np.exp(r.x)))
