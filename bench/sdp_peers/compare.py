#!/usr/bin/env python3
"""SDPLIB: boundlab-sdp against SDPA 7.3 and CSDP 6.2 as command-line programs (issue 16).

How to run (from anywhere; run.sh installs the peers and builds our binary first):
    bench/sdp_peers/run.sh [--problems truss1,theta1,qap5] [--repeat 3] [--out bench/results/sdp_peers.md]
or, with the peers installed and target/release/examples/solve_sdpa built:
    python3 bench/sdp_peers/compare.py [same options] [--timeout 300] [--raw-dir DIR] [--no-f64]

How long: the whole SDPLIB subset in data/sdplib (16 problems), 3 repeats, four runs per problem
and repeat (ours --auto, ours f64, SDPA, CSDP), took 16 s of wall time on the 2-core machine
(2026-12-03), over half of it arch0 (CSDP 1.5 s, ours 0.5 s, SDPA 0.3 s per run), then theta2 and
gpp100. One process at a time, each single-threaded, so it uses one core.

What it does: each problem is solved by each solver as a separate process, one after another
(the solvers interleaved within each repeat), with OMP/OPENBLAS/GOTO/MKL_NUM_THREADS=1 in every
child's environment, in a scratch working directory (so no ./param.csdp or ./param.sdpa is
picked up). Time = the process's wall time (time.perf_counter around subprocess.run: start-up,
reading the file, solving, writing the solution), the minimum over the repeats. A run past the
timeout is killed and reported as `timeout`, not fatal.
  ours:  target/release/examples/solve_sdpa --auto --json --threads 1 --tol 1e-8 FILE
         (and the same without --auto: plain f64 throughout)
  SDPA:  sdpa -ds FILE -o OUT -pt 0 -numThreads 1   (-pt 0: SDPA's built-in default parameters,
         epsilonStar = epsilonDash = 1e-7, maxIteration 100, no parameter file read)
  CSDP:  csdp FILE OUT   (default parameters: no param.csdp in the working directory;
         axtol = atytol = objtol = 1e-8, maxiter 100)
The published optima are read from data/sdplib/README.md (its table); an objective matches when
it is within one unit in the last digit given (the rule of crates/sdp-solver/tests/sdplib.rs).
Raw outputs of the last repeat and a results.json are kept under --raw-dir (default
target/sdp_peers/) for checking the parsers by hand.

Standard library only (no venv).
"""

import argparse
import glob
import json
import math
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DATA = os.path.join(ROOT, "data", "sdplib")
OURS = os.path.join(ROOT, "target", "release", "examples", "solve_sdpa")

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "MKL_NUM_THREADS")

# CSDP's return codes (CSDP 6.2 user's guide, "Return codes"). CSDP's primal is
# max tr(C X) s.t. A(X) = a, X PSD, i.e. SDPA's dual; CSDP's dual is SDPA's primal.
CSDP_CODES = {
    0: "solved", 1: "primal infeasible", 2: "dual infeasible", 3: "partial success",
    4: "max iterations", 5: "stuck at edge of primal feasibility",
    6: "stuck at edge of dual feasibility", 7: "lack of progress", 8: "X, Z or O singular",
    9: "NaN or Inf", 10: "stopped by signal",
}
# What a correct answer is, per published status (in SDPA's primal/dual naming, as the README).
EXPECTED = {
    "optimal": {"ours": {"optimal"}, "sdpa": {"pdOPT"}, "csdp": {0}},
    # SDPA's primal (min c.x s.t. sum x_i F_i - F_0 PSD) infeasible: SDPA says the dual is
    # unbounded (dUNBD) or pINF_dFEAS; for CSDP that problem is its *dual*: code 2.
    "primal infeasible": {"ours": {"primal_infeasible"}, "sdpa": {"dUNBD", "pINF_dFEAS"}, "csdp": {2}},
    # SDPA's dual (max F_0.Y s.t. F_i.Y = c_i, Y PSD) infeasible: pUNBD or pFEAS_dINF; CSDP code 1.
    "dual infeasible": {"ours": {"dual_infeasible"}, "sdpa": {"pUNBD", "pFEAS_dINF"}, "csdp": {1}},
}
SOLVERS = ["ours", "f64", "sdpa", "csdp"]


# ---------------------------------------------------------------------------- published optima

def read_published(readme):
    """{problem: text} from the README's markdown table (| problem | m | n | optimal objective |)."""
    out = {}
    with open(readme) as f:
        for line in f:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) != 4 or not line.lstrip().startswith("|"):
                continue
            name, m, n, value = cells
            if not m.isdigit():
                continue  # the header and the --- line
            out[name] = value
    return out


def published_kind(text):
    """("optimal", value, unit) or (status text, None, None)."""
    t = text.strip().lower()
    if "infeasible" in t:
        return t, None, None
    mantissa, _, exponent = t.partition("e")
    decimals = len(mantissa.split(".", 1)[1]) if "." in mantissa else 0
    return "optimal", float(t), 10.0 ** (int(exponent or 0) - decimals)


# ---------------------------------------------------------------------------- running

def child_env():
    env = dict(os.environ)
    for v in THREAD_VARS:
        env[v] = "1"
    return env


def timed(cmd, cwd, timeout):
    """(seconds, returncode or None on timeout, stdout, stderr)."""
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, cwd=cwd, env=child_env(), capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        return time.perf_counter() - t0, None, out, ""
    return time.perf_counter() - t0, p.returncode, p.stdout, p.stderr


def fnum(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def parse_ours(rc, stdout, stderr):
    lines = [l for l in stdout.strip().splitlines() if l.startswith("{")]
    if rc != 0 or not lines:
        msg = (stderr.strip().splitlines() or ["no output"])[-1][:80]
        return dict(status=f"error rc={rc}", objective=None, iterations=None, precision="?", message=msg)
    r = json.loads(lines[-1])  # Python's reader accepts Infinity/NaN as printed
    return dict(status=r["status"], objective=r["objective"], primal=r["primal_objective"],
                dual=r["dual_objective"], iterations=r["iterations"], precision=r["precision"],
                solver_seconds=r["seconds"])


def parse_sdpa(rc, outfile_text):
    """From SDPA's output file: phase.value, Iteration, objValPrimal, objValDual."""
    def field(name):
        m = re.search(r"^\s*" + re.escape(name) + r"\s*=\s*(\S+)", outfile_text, re.M)
        return m.group(1) if m else None
    phase = field("phase.value")
    if phase is None:
        return dict(status=f"error rc={rc}", objective=None, iterations=None)
    p, d = fnum(field("objValPrimal")), fnum(field("objValDual"))
    it = field("Iteration")
    obj = (p + d) / 2 if p is not None and d is not None else None
    # An infeasible primal (dual unbounded) has the value +inf, an infeasible dual -inf, as ours
    # reports them; SDPA's objValPrimal/objValDual are then just the last iterate's.
    if phase in ("dUNBD", "pINF_dFEAS"):
        obj = math.inf
    elif phase in ("pUNBD", "pFEAS_dINF"):
        obj = -math.inf
    return dict(status=phase, objective=obj, primal=p, dual=d,
                iterations=int(it) if it and it.isdigit() else None, rc=rc)


def parse_csdp(rc, stdout):
    """From CSDP's stdout: the return code, the last 'Iter: N', the objective values."""
    its = re.findall(r"^Iter:\s*(\d+)", stdout, re.M)
    p = re.search(r"^Primal objective value:\s*(\S+)", stdout, re.M)
    d = re.search(r"^Dual objective value:\s*(\S+)", stdout, re.M)
    p = fnum(p.group(1)) if p else None
    d = fnum(d.group(1)) if d else None
    obj = (p + d) / 2 if p is not None and d is not None else None
    if rc == 2:  # CSDP's dual (SDPA's primal) infeasible: +inf in SDPA's/our convention
        obj = math.inf
    elif rc == 1:  # CSDP's primal (SDPA's dual) infeasible
        obj = -math.inf
    verdict = [l.strip() for l in stdout.splitlines()
               if re.match(r"^(Success|Partial Success|Failure|Stuck|Lack)", l.strip())]
    return dict(status=rc, objective=obj, primal=p, dual=d,
                iterations=int(its[-1]) if its else None, message=verdict[-1] if verdict else "")


def run_one(solver, path, work, timeout, ours_bin):
    name = os.path.basename(path)[: -len(".dat-s")]
    if solver in ("ours", "f64"):
        cmd = [ours_bin] + (["--auto"] if solver == "ours" else []) + \
              ["--json", "--threads", "1", "--tol", "1e-8", path]
        t, rc, out, err = timed(cmd, work, timeout)
        raw = out + err
        r = parse_ours(rc, out, err) if rc is not None else dict(status="timeout", objective=None, iterations=None, precision="?")
    elif solver == "sdpa":
        outfile = os.path.join(work, name + ".sdpa.out")
        if os.path.exists(outfile):
            os.remove(outfile)
        cmd = ["sdpa", "-ds", path, "-o", outfile, "-pt", "0", "-numThreads", "1"]
        t, rc, out, err = timed(cmd, work, timeout)
        text = open(outfile, errors="replace").read() if os.path.exists(outfile) else ""
        raw = text or (out + err)
        r = parse_sdpa(rc, text) if rc is not None else dict(status="timeout", objective=None, iterations=None)
    else:
        outfile = os.path.join(work, name + ".csdp.sol")
        cmd = ["csdp", path, outfile]
        t, rc, out, err = timed(cmd, work, timeout)
        raw = out + err
        r = parse_csdp(rc, out) if rc is not None else dict(status="timeout", objective=None, iterations=None)
    r["seconds"] = t
    r["command"] = " ".join(shlex.quote(c) for c in cmd)
    return r, raw


# ---------------------------------------------------------------------------- checking

def check(solver, r, published):
    """(status ok, objective ok) against the published text."""
    kind, value, unit = published_kind(published)
    key = "ours" if solver == "f64" else solver
    status_ok = r["status"] in EXPECTED[kind][key]
    if kind == "optimal":
        o = r.get("objective")
        obj_ok = isinstance(o, float) and math.isfinite(o) and abs(o - value) <= unit
    else:
        obj_ok = status_ok  # no value to compare: the certificate is the answer
    return status_ok, obj_ok


def fmt_t(t, r=None):
    if r is not None and r.get("status") == "timeout":
        return f"> {t:.3g}"
    return "-" if t is None else f"{t:.3g}"


def fmt_obj(o):
    if o is None:
        return "-"
    if isinstance(o, float) and not math.isfinite(o):
        return "+inf" if o > 0 else ("-inf" if o < 0 else "nan")
    return f"{o:.8g}"


def status_text(solver, r):
    s = r["status"]
    if solver == "csdp" and isinstance(s, int):
        return f"{s} {CSDP_CODES.get(s, '?')}"
    if solver == "ours" and s != "timeout" and not str(s).startswith("error"):
        return f"{s} ({r.get('precision', '?')})"
    return str(s)


def mark(text, ok):
    return text if ok else f"{text} (!)"


def ratio(peer, ours):
    """(peer time / our time, text); a peer that timed out gives a lower bound, ours a '-'."""
    a, b = peer["seconds"], ours["seconds"]
    if a is None or b is None or b <= 0 or ours["status"] == "timeout":
        return None, "-"
    x = a / b
    return x, (f"> {x:.2f}" if peer["status"] == "timeout" else f"{x:.2f}")


# ---------------------------------------------------------------------------- machine facts

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def sh(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def blas_of(binary):
    """Which BLAS a peer uses: the shared libblas/openblas it loads, or statically linked."""
    path = shutil.which(binary)
    if not path:
        return "not installed"
    libs = [l.split("=>")[1].split("(")[0].strip() for l in sh(["ldd", path]).splitlines()
            if "=>" in l and re.search(r"blas|sdp\.so", l)]
    found = []
    for lib in libs:
        real = os.path.realpath(lib)
        if "libsdp" in os.path.basename(lib):  # CSDP's own library: look one level down
            found += [os.path.realpath(l.split("=>")[1].split("(")[0].strip())
                      for l in sh(["ldd", real]).splitlines() if "=>" in l and "blas" in l]
        else:
            found.append(real)
    found = sorted(set(found))
    if found:
        names = []
        for f in found:
            kind = "OpenBLAS" if "openblas" in f else ("reference BLAS (netlib)" if "/blas/" in f else "")
            names.append(f"{f}" + (f", {kind}" if kind else ""))
        return "; ".join(names)
    try:
        with open(path, "rb") as f:
            if b"OpenBLAS" in f.read():
                return "OpenBLAS linked statically"
    except OSError:
        pass
    return "BLAS linked statically"


# ---------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--problems", default="", help="comma-separated names (default: every *.dat-s in data/sdplib)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per solver and problem; the minimum wall time is kept")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "sdp_peers.md"))
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per run (reported, not fatal)")
    ap.add_argument("--raw-dir", default=os.path.join(ROOT, "target", "sdp_peers"),
                    help="scratch working directory; raw outputs and results.json are kept there")
    ap.add_argument("--ours", default=OURS, help="the solve_sdpa binary")
    ap.add_argument("--no-f64", action="store_true", help="skip the plain-f64 run of ours")
    ap.add_argument("--command", default=os.environ.get("SDP_PEERS_COMMAND"),
                    help="the command line to print in the report (run.sh passes its own)")
    args = ap.parse_args()

    published = read_published(os.path.join(DATA, "README.md"))
    if args.problems:
        names = [n.strip().removesuffix(".dat-s") for n in args.problems.split(",") if n.strip()]
    else:
        names = sorted(os.path.basename(p)[: -len(".dat-s")] for p in glob.glob(os.path.join(DATA, "*.dat-s")))
    missing = [n for n in names if not os.path.exists(os.path.join(DATA, n + ".dat-s"))]
    if missing:
        sys.exit(f"no such problem in {DATA}: {', '.join(missing)}")
    for tool in ("sdpa", "csdp"):
        if not shutil.which(tool):
            sys.exit(f"{tool} not found (bench/sdp_peers/run.sh installs it)")
    if not os.access(args.ours, os.X_OK):
        sys.exit(f"{args.ours} not built (bench/sdp_peers/run.sh builds it)")
    solvers = [s for s in SOLVERS if not (args.no_f64 and s == "f64")]
    os.makedirs(args.raw_dir, exist_ok=True)

    results = {}
    t_start = time.perf_counter()
    for name in names:
        path = os.path.join(DATA, name + ".dat-s")
        work = os.path.join(args.raw_dir, name)
        os.makedirs(work, exist_ok=True)
        best, runs = {}, {s: [] for s in solvers}
        for rep in range(max(1, args.repeat)):
            for s in solvers:
                if s in best and best[s]["status"] == "timeout":
                    continue  # do not spend another timeout on it
                r, raw = run_one(s, path, work, args.timeout, args.ours)
                runs[s].append(r)
                with open(os.path.join(work, f"{s}.raw.txt"), "w") as f:
                    f.write(f"$ {r['command']}\n# wall {r['seconds']:.6f} s\n{raw}")
                if s not in best or r["seconds"] < best[s]["seconds"]:
                    best[s] = r
        row = {}
        for s in solvers:
            r = dict(best[s])
            statuses = sorted({str(x["status"]) for x in runs[s]})
            if len(statuses) > 1:
                r["unstable"] = statuses  # different answers across repeats
            row[s] = r
        results[name] = row
        print(f"{name:9} " + "  ".join(
            f"{s} {status_text(s, row[s])} {fmt_obj(row[s].get('objective'))} {fmt_t(row[s]['seconds'])}s"
            for s in solvers), file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - t_start
    with open(os.path.join(args.raw_dir, "results.json"), "w") as f:
        json.dump(results, f, indent=1)

    write_report(args, names, solvers, results, published, elapsed)


def write_report(args, names, solvers, results, published, elapsed):
    versions = sh(["dpkg-query", "-W", "sdpa", "coinor-csdp"]).replace("\t", " ").splitlines()
    command = args.command or ("python3 bench/sdp_peers/compare.py " + " ".join(shlex.quote(a) for a in sys.argv[1:]))
    L = []
    L.append("# SDPLIB: boundlab-sdp against SDPA and CSDP (issue 16)\n")
    L.append(f"Machine: {cpu_model()}, {os.cpu_count()} cores (`nproc`: {sh(['nproc']) or '?'}), "
             f"{platform.system()} {platform.release()}. Date: {sh(['date', '+%F']) or time.strftime('%F')}. "
             f"Peers: {', '.join(versions) or '?'} (Debian packages). Produced by `{command}` "
             f"in {elapsed:.1f} s.\n")
    L.append("Settings. ours: `solve_sdpa --auto --json --threads 1 --tol 1e-8` (precision `auto`: f64, "
             "continued in double-double when f64 runs out of accuracy); the `f64` column is the same "
             "without `--auto`. SDPA: `sdpa -ds FILE -o OUT -pt 0 -numThreads 1` (built-in default "
             "parameters: epsilonStar = epsilonDash = 1e-7, i.e. a looser stopping rule than ours; "
             f"BLAS: {blas_of('sdpa')}). CSDP: `csdp FILE OUT` with default parameters (no param.csdp; "
             f"axtol = atytol = objtol = 1e-8; BLAS: {blas_of('csdp')}). Every process single-threaded "
             "(OMP/OPENBLAS/GOTO/MKL_NUM_THREADS=1). "
             f"Time = process wall time in seconds (start-up, reading the file, solving, writing the "
             f"output), minimum of {args.repeat} runs; timeout {args.timeout:.0f} s. obj = mean of the "
             "solver's primal and dual objectives. it = iterations. (!) marks a status or objective "
             "that does not match the published one (objective within one unit in the last digit "
             "given). SDPA/ours and CSDP/ours = peer time / our time (`auto` column): > 1 means we are "
             "faster.\n")
    head = ["problem", "published", "ours status (precision)", "ours obj", "ours it", "ours s"]
    if "f64" in solvers:
        head += ["f64: status, it, s"]
    head += ["SDPA phase", "SDPA obj", "SDPA it", "SDPA s", "CSDP status", "CSDP obj", "CSDP it",
             "CSDP s", "SDPA/ours", "CSDP/ours"]
    L.append("| " + " | ".join(head) + " |")
    left = ("problem", "published", "ours status (precision)", "f64: status, it, s", "SDPA phase", "CSDP status")
    L.append("|" + "|".join("---" if h in left else "---:" for h in head) + "|")
    correct = {s: 0 for s in solvers}
    seconds = {s: 0.0 for s in solvers}
    timeouts = {s: 0 for s in solvers}
    below_sdpa, below_csdp, notes = [], [], []
    for name in names:
        row, pub = results[name], published.get(name, "?")
        ok = {}
        for s in solvers:
            ok[s] = check(s, row[s], pub) if pub != "?" else (False, False)
            correct[s] += ok[s][0] and ok[s][1]
            seconds[s] += row[s]["seconds"] or 0.0
            timeouts[s] += row[s]["status"] == "timeout"
            if row[s].get("unstable"):
                notes.append(f"{name}: {s} gave different statuses across repeats: {', '.join(row[s]['unstable'])}")
        o, sd, cs = row["ours"], row["sdpa"], row["csdp"]
        (rs, rs_text), (rc, rc_text) = ratio(sd, o), ratio(cs, o)
        cells = [name, pub,
                 mark(status_text("ours", o), ok["ours"][0]), mark(fmt_obj(o.get("objective")), ok["ours"][1]),
                 str(o.get("iterations") or "-"), fmt_t(o["seconds"], o)]
        if "f64" in solvers:
            f = row["f64"]
            cells.append(mark(f"{f['status']}, {f.get('iterations') or '-'}, {fmt_t(f['seconds'], f)}",
                              ok["f64"][0] and ok["f64"][1]))
        cells += [mark(status_text("sdpa", sd), ok["sdpa"][0]), mark(fmt_obj(sd.get("objective")), ok["sdpa"][1]),
                  str(sd.get("iterations") or "-"), fmt_t(sd["seconds"], sd),
                  mark(status_text("csdp", cs), ok["csdp"][0]), mark(fmt_obj(cs.get("objective")), ok["csdp"][1]),
                  str(cs.get("iterations") or "-"), fmt_t(cs["seconds"], cs), rs_text, rc_text]
        L.append("| " + " | ".join(cells) + " |")
        if sd["seconds"] >= 0.05 and rs is not None and rs < 1.0 and sd["status"] != "timeout":
            below_sdpa.append(f"{name} ({rs:.2f}: SDPA {fmt_t(sd['seconds'])} s, ours {fmt_t(o['seconds'])} s)")
        if rc is not None and rc < 1.0 and cs["status"] != "timeout":
            below_csdp.append(f"{name} ({rc:.2f}: CSDP {fmt_t(cs['seconds'])} s, ours {fmt_t(o['seconds'])} s)")
    n = len(names)
    label = {"ours": "ours (auto)", "f64": "ours (f64)", "sdpa": "SDPA", "csdp": "CSDP"}
    L.append("")
    L.append("Total wall time: " + ", ".join(
        f"{label[s]} {seconds[s]:.2f} s" + (f" ({timeouts[s]} timed out, counted at the timeout)" if timeouts[s] else "")
        for s in solvers) + ".")
    L.append("")
    L.append("Correct (status and objective as published): " +
             ", ".join(f"{label[s]} {correct[s]} of {n}" for s in solvers) + ".")
    L.append("")
    L.append("Issue 16's target: SDPA/ours ≥ 1 wherever SDPA takes ≥ 0.05 s, and CSDP/ours ≥ 1 everywhere.")
    L.append("")
    L.append("- Below target against SDPA (SDPA ≥ 0.05 s and SDPA/ours < 1): " +
             ("; ".join(below_sdpa) if below_sdpa else "none") + ".")
    L.append("- Below target against CSDP (CSDP/ours < 1): " +
             ("; ".join(below_csdp) if below_csdp else "none") + ".")
    L.append("")
    L.append("Notes.")
    L.append("")
    L.append("- Primal and dual: the published \"primal infeasible\" / \"dual infeasible\" and our "
             "statuses use SDPA's naming: primal = min c·x s.t. Σ x_i F_i − F_0 ⪰ 0, dual = max F_0•Y "
             "s.t. F_i•Y = c_i, Y ⪰ 0. SDPA reports an infeasible primal as `dUNBD` (its dual is "
             "unbounded; `pINF_dFEAS` would also be right) and an infeasible dual as `pUNBD` "
             "(or `pFEAS_dINF`). CSDP's primal is max tr(C X) s.t. A(X) = a, X ⪰ 0 with C = F_0, "
             "A_i = F_i, a = c, i.e. SDPA's dual, so the names swap: SDPA-primal-infeasible infp1 is "
             "CSDP code 2 (\"dual infeasible\") and infd1 is CSDP code 1 (\"primal infeasible\"). The "
             "optimal values agree in all three conventions (SDPA's objValPrimal = c·x, CSDP's "
             "\"Primal objective value\" = tr(C X) = SDPA's dual objective).")
    L.append("- SDPA stops at a relative gap of 1e-7 (its default), CSDP and ours at 1e-8, so SDPA "
             "does a little less work per problem; its objectives still carry the published digits "
             "wherever it ends pdOPT.")
    L.append("- The times include process start-up (about a millisecond for each solver) and file "
             "reading: on the small problems the ratios mostly compare start-up and parsing.")
    for note in notes:
        L.append(f"- {note}")
    L.append("")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("\n".join(L))
    print("\n".join(L))


if __name__ == "__main__":
    main()
