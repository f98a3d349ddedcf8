"""Reference LQR for the imitation-learning task of the surrogate plugin.

Builds the explicit-Euler cart-pole of plugins/surrogate/src/imitation.rs (cart 1 kg, pole 0.1 kg,
rod 0.5 m, g = 9.81, dt = 0.05, Q = I, R = 0.1) and solves the discrete algebraic Riccati equation
with scipy.linalg.solve_discrete_are, an independent solver (the crate iterates the Riccati map).
Usage: PY=$(bench/venv.sh); $PY bench/surrogate/reference_lqr.py
"""
import numpy as np
from scipy.linalg import solve_discrete_are

M, m, l, g, dt = 1.0, 0.1, 0.5, 9.81, 0.05
Ac = np.zeros((4, 4))
Ac[0, 1] = 1.0
Ac[1, 2] = -m * g / M
Ac[2, 3] = 1.0
Ac[3, 2] = (M + m) * g / (M * l)
Bc = np.array([[0.0], [1.0 / M], [0.0], [-1.0 / (M * l)]])
A = np.eye(4) + dt * Ac
B = dt * Bc
Q = np.eye(4)
R = np.array([[0.1]])
P = solve_discrete_are(A, B, Q, R)
K = np.linalg.solve(R + B.T @ P @ B, B.T @ P @ A)
np.set_printoptions(precision=17)
print("K =", repr(K.ravel().tolist()))
print("P00 =", repr(P[0, 0]))
print("closed-loop spectral radius =", max(abs(np.linalg.eigvals(A - B @ K))))
