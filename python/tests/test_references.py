"""Published values reached through Python, the same references the Rust tests use."""

import math

import numpy as np
import pytest


def test_sdplib_theta1(engine, root):
    # SDPLIB 1.2 (Borchers 1999): theta1 has optimal value 23 (a Lovász theta number).
    r = engine.run("sdp.solve", file=str(root / "data/sdplib/theta1.dat-s"))
    assert r["status"] == "optimal"
    assert r["primal_objective"] == pytest.approx(23.0, rel=1e-7)


def test_delsarte_kissing_number_in_dimension_8(engine):
    # Delsarte, Goethals and Seidel (1977): the LP bound for the kissing number in dimension
    # 8 is 240, attained by E8.
    r = engine.run("sdp.delsarte", dim=8, degree=6)
    assert r["status"] == "optimal"
    assert r["bound"] == pytest.approx(240.0, rel=1e-7)


def test_greedy_coupling_entropy(engine):
    # Compton, Katz, Qi, Greenewald and Kocaoglu (AISTATS 2023), reference implementation
    # `Greed::calc_greed` on this instance: 1.77245715658 bits (plugins/mecb/tests).
    r = engine.run("mecb.couple", marginals=[[0.103, 0.546, 0.155, 0.196], [0.667, 0.333]])
    assert r["entropy"] == pytest.approx(1.77245715658, abs=1e-9)


def hs6_problem(calls):
    """Hock and Schittkowski (1981), problem 6: min (1 − x₁)² s.t. 10(x₂ − x₁²) = 0 from
    (−1.2, 1); the optimum is f* = 0 at (1, 1)."""

    def f(x):
        calls["f"] += 1
        assert isinstance(x, np.ndarray) and x.shape == (2,)
        return (1.0 - x[0]) ** 2

    def c(x):
        return [10.0 * (x[1] - x[0] ** 2)]

    def grad(x):
        return np.array([-2.0 * (1.0 - x[0]), 0.0])

    def jac(x):
        return np.array([[-20.0 * x[0], 10.0]])

    def hess(args):
        lam = args["lambda"][0]
        return np.array([[2.0 - 20.0 * lam, 0.0], [0.0, 0.0]])

    return dict(n=2, m=1, x0=np.array([-1.2, 1.0]), f=f, c=c, grad=grad, jac=jac, hess=hess)


def test_hs6_through_python_callables(engine):
    calls = {"f": 0}
    r = engine.run("alsketch.solve", problem=hs6_problem(calls), sketch="direct")
    assert r["status"] == "converged", r
    x = r["x"]
    assert isinstance(x, np.ndarray)
    np.testing.assert_allclose(x, [1.0, 1.0], atol=1e-6)
    assert r["f"] == pytest.approx(0.0, abs=1e-10)
    assert calls["f"] > 0


def test_hs6_callables_match_the_built_in_problem(engine):
    # The same problem hand-coded in Rust (alsketch's library `hs6`): the same iterates.
    ours = engine.run("alsketch.solve", problem=hs6_problem({"f": 0}), sketch="direct")
    builtin = engine.run("alsketch.solve", problem="hs6", sketch="direct")
    assert ours["iterations"] == builtin["iterations"]
    np.testing.assert_allclose(ours["x"], builtin["x"], rtol=1e-10)
    assert math.isclose(ours["f"], builtin["f"], abs_tol=1e-12)
