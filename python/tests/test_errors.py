"""Bad input: each a clear Python exception that names what was wrong."""

import os
import signal
import threading
import time

import numpy as np
import pytest

import boundlab


def test_unknown_algorithm_suggests_the_closest(engine):
    with pytest.raises(boundlab.BadParameterError, match="sdp.delsarte"):
        engine.run("sdp.delsart", dim=8)


def test_unknown_keyword_suggests_the_closest(engine):
    with pytest.raises(boundlab.BadParameterError, match="degree"):
        engine.run("sdp.delsarte", dim=8, degre=6)


def test_wrong_dtype_and_shape_are_named(engine, tmp_path):
    with pytest.raises(boundlab.BadParameterError, match="`x`.*complex128"):
        engine.run("sdp.delsarte", dim=8, x=np.zeros(3, dtype=complex))
    with pytest.raises(boundlab.BadParameterError, match=r"`x`.*\(2, 2, 2\)"):
        engine.run("sdp.delsarte", dim=8, x=np.zeros((2, 2, 2)))
    with pytest.raises(boundlab.BadParameterError, match="`x`.*object"):
        engine.run("sdp.delsarte", dim=8, x=object())


def test_a_non_callable_where_a_function_is_expected(engine):
    problem = dict(n=2, m=1, x0=np.array([-1.2, 1.0]), f=3.0, c=lambda x: [x[1] - x[0]])
    with pytest.raises(boundlab.BadParameterError, match="f"):
        engine.run("alsketch.solve", problem=problem)


def test_a_callable_that_raises_comes_back_as_the_cause(engine):
    def f(x):
        raise ZeroDivisionError("boom in f")

    problem = dict(n=2, m=0, x0=np.array([1.0, 2.0]), f=f)
    with pytest.raises(boundlab.CallbackError, match="boom in f") as info:
        engine.run("alsketch.solve", problem=problem)
    assert "`problem.f`" in str(info.value)
    assert isinstance(info.value.__cause__, ZeroDivisionError)
    assert info.value.__cause__.__traceback__ is not None


def test_a_script_error_says_where(engine, tmp_path):
    path = tmp_path / "bad.rhai"
    path.write_text("let a = 1;\nlet b = a +;\n")
    with pytest.raises(boundlab.ScriptError) as info:
        engine.run_script(path)
    assert info.value.line == 2
    assert info.value.file.endswith("bad.rhai")


def test_ctrl_c_cancels_the_running_algorithm(engine):
    # A 512-bit Cohn–Elkies solve takes several seconds; SIGINT after 0.5 s must stop it
    # within a few iterations and leave the engine usable.
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        engine.run("sdp.cohn_elkies", dim=8, degree=47, precision="mp", bits=512, tol=1e-30)
    assert time.monotonic() - start < 4.0
    assert engine.run("sdp.delsarte", dim=8, degree=6)["status"] == "optimal"


def test_batch_failures_are_raised_or_returned(engine):
    good, bad = {"dim": 8, "degree": 6}, {"dim": 8, "degree": -1}
    with pytest.raises(boundlab.BadParameterError, match="run 1 of the batch"):
        engine.run_batch("sdp.delsarte", [good, bad])
    results = engine.run_batch("sdp.delsarte", [good, bad], errors="return")
    assert results[0]["status"] == "optimal"
    assert isinstance(results[1], boundlab.BadParameterError)
