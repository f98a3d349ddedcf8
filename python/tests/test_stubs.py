"""The typing stub and `Engine.run`'s algorithm reference match the linked-in schemas."""

import ast
import pathlib

import boundlab
from boundlab import _stubs

PACKAGE = pathlib.Path(boundlab.__file__).parent


def test_the_stub_is_generated_from_the_current_schemas(engine):
    stub = (PACKAGE / "__init__.pyi").read_text()
    assert stub == _stubs.render_stub(engine), (
        "python/boundlab/__init__.pyi is stale: run `python -m boundlab._stubs python/boundlab`"
    )
    ast.parse(stub)  # valid Python syntax


def test_the_run_reference_is_generated_from_the_current_schemas(engine):
    reference = (PACKAGE / "_algorithms.py").read_text()
    assert reference == _stubs.render_reference(engine), (
        "python/boundlab/_algorithms.py is stale: run `python -m boundlab._stubs python/boundlab`"
    )
    doc = boundlab.Engine.run.__doc__
    for algorithm in engine.algorithms():
        assert algorithm in doc
    assert "degree : int, required" in doc
