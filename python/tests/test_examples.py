"""The Python quickstart runs as the README says (a second)."""

import subprocess
import sys


def test_quickstart_example_runs(root, tmp_path):
    out = subprocess.run(
        [sys.executable, str(root / "examples/python/quickstart.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert "kissing number in dimension 8 <= 240.0000" in out.stdout
    assert (tmp_path / "runs/python-quickstart/records.ron").exists()
