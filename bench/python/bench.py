"""Measures the Python package's overheads; see run.sh. Medians of repeated timings."""

import argparse
import datetime
import os
import platform
import re
import statistics
import subprocess
import tempfile
import time

# numpy's OpenBLAS threads spin for a while after each BLAS call and take a core from the
# engine on this 2-core machine; the package itself calls no BLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

import boundlab  # noqa: E402


def median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def record_wall_seconds(path):
    """The `wall_seconds` of every record in a records.ron (one RON record per line)."""
    with open(path) as f:
        return [float(m.group(1)) for m in (re.search(r"wall_seconds:([-0-9.e+]+)", line) for line in f) if m]


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


# HS6 with exact derivatives: min (1 − x₁)² s.t. 10(x₂ − x₁²) = 0 (Hock–Schittkowski 1981).
def hs6_python():
    return dict(
        n=2,
        m=1,
        x0=np.array([-1.2, 1.0]),
        f=lambda x: (1.0 - x[0]) ** 2,
        c=lambda x: [10.0 * (x[1] - x[0] ** 2)],
        grad=lambda x: np.array([-2.0 * (1.0 - x[0]), 0.0]),
        jac=lambda x: np.array([[-20.0 * x[0], 10.0]]),
        hess=lambda a: np.array([[2.0 - 20.0 * a["lambda"][0], 0.0], [0.0, 0.0]]),
    )


HS6_RHAI = """
run("alsketch.solve", #{ sketch: "direct", problem: #{
    n: 2, m: 1, x0: [-1.2, 1.0],
    f: |x| (1.0 - x[0]) ** 2,
    c: |x| [10.0 * (x[1] - x[0] * x[0])],
    grad: |x| [-2.0 * (1.0 - x[0]), 0.0],
    jac: |x| [[-20.0 * x[0], 10.0]],
    hess: |a| [[2.0 - 20.0 * a.lambda[0], 0.0], [0.0, 0.0]] } })
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="bench/results/python.md")
    args = ap.parse_args()
    out_dir = tempfile.mkdtemp(prefix="boundlab-bench-python-")
    engine = boundlab.Engine(out_dir=out_dir, progress=None)
    rows = []

    # 1. A trivial run: the entropy lower bound of two 2-point marginals (a sort and a sum),
    # recorded; then CG on a 1×1 system, whose scipy matrix adds the sparse conversion.
    marginals = [[0.5, 0.5], [0.2, 0.8]]
    # Warm-up: the first ~10⁴ runs of a fresh process are slower (caches, the record file's
    # first blocks), and a steady state is what a loop of small runs sees.
    for _ in range(10000):
        engine.run("mecb.lower_bound", marginals=marginals)
    t_trivial = median_time(lambda: engine.run("mecb.lower_bound", marginals=marginals), 5000)
    rows.append(("`engine.run` on mecb.lower_bound, two 2-point marginals (recorded run)", t_trivial, 20e-6))
    one = sp.csc_matrix(np.array([[2.0]]))
    rhs = np.array([1.0])
    engine.run("template.cg", matrix=one, rhs=rhs)
    t_run = median_time(lambda: engine.run("template.cg", matrix=one, rhs=rhs), 2000)
    t_eval = median_time(lambda: engine.eval("1"), 2000)
    rows.append(("`engine.run` on template.cg, 1×1 scipy matrix (recorded run)", t_run, None))
    rows.append(("`engine.eval(\"1\")` (a Rhai snippet)", t_eval, None))

    # 2. 10⁶ entries in and out: CG on a diagonal 10⁶×10⁶ matrix (one iteration): the
    # sparse matrix (10⁶ values) and the right-hand side in, the solution vector out.
    n = 10**6
    diag = sp.diags(np.full(n, 2.0)).tocsc()
    b = np.linspace(1.0, 2.0, n)
    r = engine.run("template.cg", matrix=diag, rhs=b)
    assert np.allclose(r["x"], b / 2.0)
    t_big = median_time(lambda: engine.run("template.cg", matrix=diag, rhs=b), 15)
    rows.append(("10⁶-entry sparse matrix + 10⁶ vector in, 10⁶ vector out (CG, one iteration; same data each call, so the record stores it once)", t_big, 10e-3))
    fresh = iter([b * (1.0 + k) for k in range(16)])
    t_fresh = median_time(lambda: engine.run("template.cg", matrix=diag, rhs=next(fresh)), 15)
    rows.append(("the same with a new right-hand side each call (its 8 MB written to `records.bin`)", t_fresh, None))
    walls = record_wall_seconds(engine.records_path)[-15:]
    t_alg = statistics.median(walls)
    rows.append(("of which the algorithm itself (CG's `create` + `run`: the records' `wall_seconds`)", t_alg, None))
    rows.append(("so the package's share: conversions both ways, parameter check, record", t_fresh - t_alg, 10e-3))

    # 3. alsketch.solve with Python functions against the same problem as Rhai closures.
    py = engine.run("alsketch.solve", problem=hs6_python(), sketch="direct")
    rh = engine.eval(HS6_RHAI)
    assert py["iterations"] == rh["iterations"], (py["iterations"], rh["iterations"])
    t_py = median_time(lambda: engine.run("alsketch.solve", problem=hs6_python(), sketch="direct"), 50)
    t_rh = median_time(lambda: engine.eval(HS6_RHAI), 50)
    rows.append((f"alsketch.solve HS6, Python functions ({py['iterations']} iterations)", t_py, None))
    rows.append((f"alsketch.solve HS6, Rhai closures ({rh['iterations']} iterations)", t_rh, None))

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout
    dirty = " (with uncommitted changes)" if changed.strip() else ""
    lines = [
        "# The Python package: overheads (issue 17)",
        "",
        f"Machine: {cpu_model()}, {os.cpu_count()} cores (shared: timings are noisy). "
        f"Date: {datetime.date.today()}. Python {platform.python_version()}, numpy {np.__version__}. "
        f"boundlab at {commit}{dirty}, release build. Produced by `bench/python/run.sh`.",
        "",
        "Each time is the median of repeated calls (wall time, from Python), with",
        "`OPENBLAS_NUM_THREADS=1` (numpy's idle BLAS threads otherwise spin on the second core).",
        "",
        "| what | time | target | met |",
        "|---|---|---|---|",
    ]
    for what, t, target in rows:
        tt = f"{t * 1e6:.1f} µs" if t < 1e-3 else f"{t * 1e3:.2f} ms"
        tg = "" if target is None else (f"≤ {target * 1e6:.0f} µs" if target < 1e-3 else f"≤ {target * 1e3:.0f} ms")
        met = "" if target is None else ("yes" if t <= target else "no")
        lines.append(f"| {what} | {tt} | {tg} | {met} |")
    ratio = t_py / t_rh
    lines += [
        "",
        f"Python functions / Rhai closures on alsketch.solve: {ratio:.2f}× (target ≤ 2×: "
        f"{'met' if ratio <= 2 else 'not met'}).",
        "",
    ]
    lines += [
        "Reading: a run's fixed cost (the trivial row) is the parameter check, the algorithm's",
        "creation through the ABI and one line appended to `records.ron`. The 10⁶ rows pass three",
        "10⁶-entry arrays in (the CSC matrix's values and row indices, the right-hand side) and one",
        "out; besides the algorithm (the template's CG decodes its parameters through serde, checks",
        "symmetry and runs three matrix-vector products), the package copies each numpy array once",
        "into the engine, the engine copies the parameters once for the record, and the record",
        "stores new arrays in `records.bin` (hashed, compared and written in 1 MiB chunks).",
        "",
    ]
    with open(args.out, "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
