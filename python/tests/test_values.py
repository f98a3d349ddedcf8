"""Values both ways: numbers, strings, lists, dicts, numpy arrays, scipy.sparse matrices."""

import numpy as np
import pytest

import boundlab


@pytest.fixture
def echo(tmp_path):
    """A script that returns its constant `value` unchanged."""
    path = tmp_path / "echo.rhai"
    path.write_text("value\n")
    return path


@pytest.mark.parametrize(
    "value",
    [3, -7, 2.5, "text", True, False, None, [1, "a", True], {"a": 1, "b": {"c": "d"}}],
)
def test_plain_values_round_trip(engine, echo, value):
    assert engine.run_script(echo, value=value) == value


def test_a_list_of_floats_is_a_vector(engine, echo):
    out = engine.run_script(echo, value=[1.0, 2.0, 3.5])
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    np.testing.assert_array_equal(out, [1.0, 2.0, 3.5])


def test_numpy_vectors_and_matrices_round_trip(engine, echo):
    v = np.linspace(0.0, 1.0, 7)
    np.testing.assert_array_equal(engine.run_script(echo, value=v), v)
    m = np.arange(12.0).reshape(3, 4)
    out = engine.run_script(echo, value=m)
    assert out.shape == (3, 4)
    np.testing.assert_array_equal(out, m)
    # A transposed (Fortran-ordered) view and an integer array convert by value.
    np.testing.assert_array_equal(engine.run_script(echo, value=m.T), m.T)
    np.testing.assert_array_equal(engine.run_script(echo, value=np.arange(5)), np.arange(5.0))


def test_scipy_sparse_round_trips_as_csc(engine, echo):
    sparse = pytest.importorskip("scipy.sparse")
    a = sparse.random(6, 5, density=0.4, random_state=1, format="coo")
    out = engine.run_script(echo, value=a)
    assert sparse.issparse(out) and out.format == "csc"
    np.testing.assert_array_equal(out.toarray(), a.toarray())


def test_non_canonical_csc_is_summed_on_a_copy(engine, echo):
    sparse = pytest.importorskip("scipy.sparse")
    # Column 0 holds row 1 before row 0 and row 1 twice: scipy sums duplicates in toarray().
    data, rows, ptr = np.array([1.0, 2.0, 3.0]), np.array([1, 0, 1]), np.array([0, 3])
    a = sparse.csc_matrix((data, rows, ptr), shape=(2, 1))
    assert not a.has_canonical_format
    out = engine.run_script(echo, value=a)
    np.testing.assert_array_equal(out.toarray(), a.toarray())
    assert out.nnz == 2
    np.testing.assert_array_equal(a.indices, rows)  # the caller's matrix is left as it was


def test_results_carry_numpy_arrays(engine):
    r = engine.run("sdp.delsarte", dim=8, degree=6)
    assert isinstance(r, dict)
    assert isinstance(r["bound"], float)


def test_the_default_engine_and_module_functions():
    assert "sdp.delsarte" in boundlab.algorithms()
    assert "dim" in boundlab.describe("sdp.delsarte")
    names = [p["name"] for p in boundlab.schema("sdp.delsarte")["params"]]
    assert "degree" in names
    assert boundlab.eval("1 + 2") == 3
