"""Third-party plugin libraries from Python: a panic is an exception, an ABI mismatch an error.

The libraries are the ones the engine's Rust tests build (engine/tests/support: `testkit`,
which has an algorithm that panics, and the same plugin built against an sdk with ABI version
999); `.ci/run` runs those tests before this suite.
"""

import pytest

import boundlab

LIBS = "target/test-plugins/target/debug"


def library(root, name):
    path = root / LIBS / f"lib{name}.so"
    if not path.exists():
        pytest.skip(f"{path} is built by `cargo test -p boundlab-engine` (run it first)")
    return path


def test_a_panicking_plugin_raises_and_the_interpreter_survives(root, tmp_path):
    engine = boundlab.Engine(plugins=[library(root, "testkit_plugin")], out_dir=tmp_path, progress=None)
    with pytest.raises(boundlab.InternalError, match="deliberate panic in testkit"):
        engine.run("testkit.panic")
    # The engine is still usable, and so is the plugin's other algorithm with a Python function.
    r = engine.run("testkit.map", f=lambda x: 2 * x, xs=[1.0, 2.5])
    assert r["ys"] == [2.0, 5.0]


def test_an_incompatible_plugin_is_refused_with_both_versions(root, tmp_path):
    with pytest.raises(boundlab.PluginLoadError, match="999") as info:
        boundlab.Engine(plugins=[library(root, "abi999_plugin")], out_dir=tmp_path, progress=None)
    assert str(boundlab.ABI_VERSION) in str(info.value)
