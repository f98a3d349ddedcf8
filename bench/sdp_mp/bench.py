#!/usr/bin/env python3
"""Multiprecision side by side: boundlab's `sdp.cohn_elkies` (mp) against SDPB 1.0, and boundlab's
`sdp.solve` (mp) against SDPA-GMP on the three-point SDPs that `sdp.three_point` exports.
Started by bench/sdp_mp/run.sh (which installs the peers); writes a Markdown report.

Table 1: the Cohn–Elkies LP for each n and degree: boundlab at `--bits` bits with 1 and 2
threads, SDPB 1.0 at 512 bits (one thread) on the same LP written by ce_sdpb.py.
Table 2: for each three-point degree, the SDPA file exported once by boundlab (double-double
entries), solved by boundlab and by SDPA-GMP at each of `--tp-bits`.

Times are process wall times (the solver's own time is in the notes below the tables). Every
solve has a time limit (`--timeout`); one that exceeds it is reported as skipped.
"""
import argparse
import datetime
import json
import math
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import ce_sdpb  # noqa: E402

COMMANDS = []  # every command run, in order, for the report


def run(cmd, timeout, env_extra=None):
    """Runs cmd; returns (stdout, stderr, wall seconds, returncode or None on timeout)."""
    env = dict(os.environ)
    env.update({"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"})
    if env_extra:
        env.update(env_extra)
    COMMANDS.append(" ".join(shlex.quote(c) for c in cmd))
    print("  $ " + COMMANDS[-1], file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        return out, "", time.perf_counter() - t0, None
    return p.stdout, p.stderr, time.perf_counter() - t0, p.returncode


def ron_field(text, key):
    m = re.search(r'"%s":\s*("([^"]*)"|[^,\n]+)' % re.escape(key), text)
    if not m:
        return None
    return m.group(2) if m.group(2) is not None else m.group(1).strip()


def digits_of(s):
    """(negative, significant digits, exponent of the leading digit) of a decimal string."""
    d = Decimal(s.strip())
    t = d.as_tuple()
    ds = "".join(map(str, t.digits)).lstrip("0")
    if not ds:
        return t.sign == 1, "", 0
    lead = len("".join(map(str, t.digits))) + t.exponent - 1 - (len("".join(map(str, t.digits))) - len(ds))
    return t.sign == 1, ds, lead


def matching_digits(a, b):
    """Leading significant digits a and b share, and how many digits the shorter one has."""
    sa, da, ea = digits_of(a)
    sb, db, eb = digits_of(b)
    n = min(len(da), len(db))
    if sa != sb or ea != eb:
        return 0, n
    k = 0
    while k < n and da[k] == db[k]:
        k += 1
    return k, n


def status_its(r):
    return "%s (%s)" % (r.get("status"), r["iterations"]) if r.get("iterations") is not None else str(r.get("status"))


def fmt_s(x):
    return "–" if x is None else ("%.1f" % x if x >= 10 else "%.2f" % x)


# ----------------------------------------------------------------------------------------------
# Cohn–Elkies


def boundlab_ce(args, dim, degree, threads, outdir):
    cmd = [args.boundlab, "solve", "sdp.cohn_elkies", "--set", "dim=%d" % dim, "--set", "degree=%d" % degree,
           "--set", "precision=mp", "--set", "bits=%d" % args.bits, "--set", "tol=%s" % args.tol,
           "--set", "threads=%d" % threads, "--out", outdir]
    out, err, wall, rc = run(cmd, args.timeout)
    r = {"wall": wall, "rc": rc}
    if rc is None:
        r["status"] = "timeout"
        return r
    if rc != 0:
        r["status"] = "failed (exit %d): %s" % (rc, err.strip().splitlines()[-1] if err.strip() else "")
        return r
    for k in ("bound_decimal", "status", "iterations", "seconds", "precision", "gap"):
        r[k] = ron_field(out, k)
    return r


def sdpb_ce(args, dim, degree, work):
    xml = os.path.join(work, "ce_n%d_d%d.xml" % (dim, degree))
    t0 = time.perf_counter()
    ce_sdpb.write_xml(dim, degree, xml, digits=200)
    gen = time.perf_counter() - t0
    outfile = xml[:-4] + ".out"
    cmd = ["sdpb", "-s", xml, "--precision=%d" % args.sdpb_bits, "--maxThreads=1",
           "--dualityGapThreshold=1e-30", "--primalErrorThreshold=1e-30", "--dualErrorThreshold=1e-30",
           "--noFinalCheckpoint", "-o", outfile, "-c", xml[:-4] + ".ck", "--maxRuntime=%d" % args.timeout]
    out, err, wall, rc = run(cmd, args.timeout + 30)
    r = {"wall": wall, "rc": rc, "gen": gen}
    if rc is None:
        r["status"] = "timeout"
        return r
    its = [int(m.group(1)) for m in re.finditer(r"^\s*(\d+)\s+\d\d:\d\d:\d\d", out, re.M)]
    r["iterations"] = its[-1] if its else None
    m = re.search(r"Solver runtime\s*:\s*([0-9.]+)s wall", out)
    r["seconds"] = float(m.group(1)) if m else None
    if not os.path.exists(outfile):
        r["status"] = "failed (exit %s, no output file): %s" % (rc, (err or out).strip()[-300:])
        return r
    text = open(outfile).read()
    reason = re.search(r'terminateReason\s*=\s*"([^"]*)"', text)
    r["status"] = reason.group(1) if reason else "no terminateReason"
    for k in ("primalObjective", "dualObjective", "dualityGap"):
        m = re.search(r"%s\s*=\s*([-+0-9.eE]+)" % k, text)
        r[k] = m.group(1) if m else None
    if r.get("dualObjective"):
        b = ce_sdpb.bound_from_objective(dim, r["dualObjective"])
        import mpmath
        r["bound"] = mpmath.nstr(b, 33, strip_zeros=False)
    return r


def ce_table(args, work, report):
    rows = []
    skipped = []
    for dim in args.dims:
        over = None  # (degree, seconds) of the first row over the budget
        for degree in sorted(args.degrees):
            if over is not None:
                report["skips"].append("Cohn–Elkies n=%d degree %d: skipped, the degree %d row took %.0f s"
                                       % (dim, degree, over[0], over[1]))
                skipped.append("| %d | %d | – | skipped: the degree %d row took %.0f s (budget %d s per row) "
                               "| | | | | | | |" % (dim, degree, over[0], over[1], args.row_budget))
                continue
            print("Cohn–Elkies n=%d degree=%d" % (dim, degree), file=sys.stderr, flush=True)
            t0 = time.perf_counter()
            b1 = boundlab_ce(args, dim, degree, 1, os.path.join(work, "bl"))
            b2 = boundlab_ce(args, dim, degree, 2, os.path.join(work, "bl"))
            sd = sdpb_ce(args, dim, degree, work)
            rows.append((dim, degree, b1, b2, sd, time.perf_counter() - t0))
            if rows[-1][-1] > args.row_budget:
                over = (degree, rows[-1][-1])
            print("  boundlab %s %s | SDPB %s %s" % (b1.get("bound_decimal"), b1.get("status"),
                                                     sd.get("bound"), sd.get("status")), file=sys.stderr)
    lines = ["| n | degree | boundlab bits | boundlab bound (bound_decimal) | boundlab s (1 thread) "
             "| boundlab s (2 threads) | SDPB bound (%d bits) | SDPB s | matching digits "
             "| SDPB/boundlab time | status: boundlab / SDPB (iterations) |" % args.sdpb_bits,
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    problems = []
    for dim, degree, b1, b2, sd, _total in rows:
        bd = b1.get("bound_decimal")
        sb = sd.get("bound")
        ok1 = b1.get("status") == "optimal"
        ok2 = sd.get("status") == "found primal-dual optimal solution"
        if bd and sb and ok1 and ok2:
            k, n = matching_digits(bd, sb)
            rel = abs(Decimal(bd) - Decimal(sb)) / abs(Decimal(sb))
            match = "%d of %d" % (k, n)
            if k < n:
                match += " (rel. diff. %.0e)" % rel
            if rel > Decimal(10) ** (2 - n):
                match = "**%s DISAGREE**" % match
                problems.append("n=%d degree %d: boundlab %s vs SDPB %s share only %d digits (rel. diff. %.1e)"
                                % (dim, degree, bd, sb, k, rel))
        else:
            match = "–"
            if not ok1:
                problems.append("n=%d degree %d: boundlab ended %s" % (dim, degree, b1.get("status")))
            if not ok2:
                problems.append("n=%d degree %d: SDPB ended %s" % (dim, degree, sd.get("status")))
        ratio = ("%.2fx" % (sd["wall"] / b1["wall"])) if (ok1 and ok2) else "–"
        if b2.get("status") not in (None, "optimal"):
            problems.append("n=%d degree %d: boundlab 2 threads ended %s" % (dim, degree, b2.get("status")))
        if b2.get("bound_decimal") and bd and b2.get("bound_decimal") != bd:
            problems.append("n=%d degree %d: boundlab 1 and 2 threads differ: %s vs %s"
                            % (dim, degree, bd, b2.get("bound_decimal")))
        lines.append("| %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s (%s) / %s (%s) |" % (
            dim, degree, args.bits, bd or b1.get("status"),
            fmt_s(b1["wall"]) if ok1 else "%s (%s)" % (fmt_s(b1["wall"]), b1.get("status")),
            fmt_s(b2["wall"]) if b2.get("status") == "optimal" else "%s (%s)" % (fmt_s(b2["wall"]), b2.get("status")),
            sb or "–", fmt_s(sd["wall"]), match, ratio,
            b1.get("status"), b1.get("iterations"), sd.get("status"), sd.get("iterations")))
    report["ce_lines"] = lines + skipped
    report["ce_rows"] = rows
    report["problems"] += problems


# ----------------------------------------------------------------------------------------------
# three-point SDPA files


def tp_boundlab(args, f, bits, work):
    cmd = [args.boundlab, "solve", "sdp.solve", "--set", 'file="%s"' % f, "--set", "precision=mp",
           "--set", "bits=%d" % bits, "--set", "tol=%s" % args.tp_tol, "--set", "threads=1",
           "--out", os.path.join(work, "bl")]
    out, err, wall, rc = run(cmd, args.timeout)
    bl = {"wall": wall, "rc": rc}
    if rc == 0:
        for k in ("status", "objective_decimal", "objective", "iterations", "seconds", "gap",
                  "primal_objective", "dual_objective"):
            bl[k] = ron_field(out, k)
    else:
        bl["status"] = "timeout" if rc is None else "failed (exit %d)" % rc
    return bl


def tp_sdpa(args, f, bits):
    cmd = [args.python, os.path.join(HERE, "sdpa_gmp.py"), f, str(bits), "--eps", str(args.tp_tol),
           "--threads", "1"]
    out, err, wall, rc = run(cmd, args.timeout)
    sg = {"wall": wall, "rc": rc}
    if rc == 0 and out.strip():
        sg.update(json.loads(out.strip().splitlines()[-1]))
        sg["objective"] = (sg["primal_objective"] + sg["dual_objective"]) / 2
        sg["status"] = sg["phase"]
    else:
        sg["status"] = "timeout" if rc is None else "failed (exit %s): %s" % (rc, err.strip()[-300:])
    return sg


def tp_table(args, work, report):
    rows = []
    problems = []
    for degree in args.tp_degrees:
        f = os.path.join(work, "tp%d.dat-s" % degree)
        print("three-point degree %d: export" % degree, file=sys.stderr, flush=True)
        cmd = [args.boundlab, "solve", "sdp.three_point", "--set", "dim=3", "--set", "degree=%d" % degree,
               "--set", 'save_sdp="%s"' % f, "--set", "precision=dd", "--out", os.path.join(work, "bl")]
        out, err, wall, rc = run(cmd, args.timeout)
        export = {"wall": wall, "bound": ron_field(out, "bound"), "status": ron_field(out, "status")}
        if rc != 0 or not os.path.exists(f):
            problems.append("three-point degree %d: export failed (exit %s)" % (degree, rc))
            continue
        slow = {}  # solver -> (bits, seconds) of a run at this degree over --tp-skip-after
        for bits in sorted(args.tp_bits):
            print("three-point degree %d, %d bits" % (degree, bits), file=sys.stderr, flush=True)
            if "boundlab" in slow:
                b0, s0 = slow["boundlab"]
                bl = {"wall": None, "status": "skipped (%d bits took %.0f s)" % (b0, s0)}
            else:
                bl = tp_boundlab(args, f, bits, work)
                if bl["wall"] > args.tp_skip_after:
                    slow["boundlab"] = (bits, bl["wall"])
            if "sdpa" in slow:
                b0, s0 = slow["sdpa"]
                sg = {"wall": None, "status": "skipped (%d bits took %.0f s)" % (b0, s0)}
            else:
                sg = tp_sdpa(args, f, bits)
                if sg["wall"] > args.tp_skip_after:
                    slow["sdpa"] = (bits, sg["wall"])
            rows.append((degree, bits, export, bl, sg))
            print("  boundlab %s %s | SDPA-GMP %s %s" % (bl.get("objective_decimal"), bl.get("status"),
                                                         sg.get("objective"), sg.get("status")), file=sys.stderr)
    lines = ["| degree | bits | boundlab value | boundlab status (iterations) | boundlab s | SDPA-GMP value "
             "| SDPA-GMP status (iterations) | SDPA-GMP s | SDPA-GMP/boundlab time | rel. difference |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for degree, bits, export, bl, sg in rows:
        bv = bl.get("objective_decimal")
        sv = sg.get("objective")
        ok1 = bl.get("status") == "optimal"
        ok2 = sg.get("status") == "pdOPT"
        if bv and sv is not None:
            rel = abs(float(Decimal(bv) - Decimal(repr(sv)))) / max(1.0, abs(sv))
            diff = "%.1e" % rel
            if rel > args.tp_flag:
                diff = "**%s (DISAGREE)**" % diff
                problems.append("three-point degree %d, %d bits: boundlab %s vs SDPA-GMP %r (rel. %.1e)"
                                % (degree, bits, bv, sv, rel))
        else:
            diff = "–"
        for name, r, ok in (("boundlab", bl, ok1), ("SDPA-GMP", sg, ok2)):
            if not ok:
                (report["skips"] if str(r.get("status")).startswith("skipped") else problems).append(
                    "three-point degree %d, %d bits: %s %s" % (degree, bits, name, r.get("status")))
        shown = "%.13g" % float(bv) if bv else "–"
        lines.append("| %d | %d | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            degree, bits, shown, status_its(bl), fmt_s(bl["wall"]),
            ("%.13g" % sv) if sv is not None else "–", status_its(sg),
            fmt_s(sg["wall"]), ("%.2fx" % (sg["wall"] / bl["wall"])) if (ok1 and ok2) else "–", diff))
    report["tp_lines"] = lines
    report["tp_rows"] = rows
    report["problems"] += problems


# ----------------------------------------------------------------------------------------------


def machine():
    model = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return model, os.cpu_count()


def tool_version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception:  # noqa: BLE001
        return "?"


def write_report(args, report, started, total):
    model, cores = machine()
    sdpb_ver = tool_version(["dpkg-query", "-W", "-f=${Version}", "sdpb"])
    gmp_ver = tool_version([args.python, "-c", "import importlib.metadata as m; print(m.version('sdpa-multiprecision'))"])
    L = []
    L.append("# Multiprecision SDP: boundlab vs SDPB 1.0 and SDPA-GMP")
    L.append("")
    L.append("Machine: %s, %d cores (shared with another developer's builds: times are noisy, compare ratios "
             "from this one run). Date: %s. Produced by `bench/sdp_mp/run.sh` in %.1f minutes. SDPB %s (Debian), "
             "sdpa-multiprecision %s (PyPI). Times are process wall times; peers run with one thread "
             "(`OMP_NUM_THREADS=1`)." % (model, cores, started.strftime("%Y-%m-%d %H:%M UTC"), total / 60,
                                        sdpb_ver, gmp_ver))
    commit = tool_version(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    dirty = tool_version(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"])
    built = datetime.datetime.fromtimestamp(os.path.getmtime(args.boundlab), datetime.timezone.utc)
    L.append("")
    L.append("boundlab: `%s`, built %s from commit %s%s." % (
        os.path.relpath(args.boundlab, ROOT), built.strftime("%Y-%m-%d %H:%M UTC"), commit,
        " with uncommitted changes in the work tree" if dirty else ""))
    L.append("")
    L.append("## 1. Cohn–Elkies LP bound, r = √(1 + n/8)")
    L.append("")
    L.append("boundlab: `boundlab solve sdp.cohn_elkies --set dim=N --set degree=D --set precision=mp "
             "--set bits=%d --set tol=%s --set threads=T`. SDPB: `sdpb -s ce_nN_dD.xml --precision=%d "
             "--maxThreads=1 --dualityGapThreshold=1e-30 --primalErrorThreshold=1e-30 --dualErrorThreshold=1e-30 "
             "--noFinalCheckpoint` on the XML written by `bench/sdp_mp/ce_sdpb.py write N D` (same LP: normalised "
             "Laguerre basis L_k^{n/2−1}(2πy)/√C(k+α,k), rescaled Laguerre sample points √π(4k−1)²/(−64(D+1)ln(3−2√2)) "
             "(boundlab's `rescaled_laguerre_points` at scale 1), sample scalings "
             "e^{−πx}, bilinear basis √π L_m(πx); r² is boundlab's double `sqrt(1+n/8)²`); the SDPB bound is "
             "vol(B^n_{r/2})·(−dualObjective). Matching digits: leading significant digits shared, out of the "
             "shorter decimal (boundlab's certified digits)."
             % (args.bits, args.tol, args.sdpb_bits))
    L.append("")
    L += report.get("ce_lines", ["(not run)"])
    L.append("")
    L.append("r² matters past digit ~20: for n = 8 boundlab's r² is the double 2 + 4.4e-16, and SDPB on the XML "
             "with r² = 2 exactly (`ce_sdpb.py write 8 24 --exact-r2`) gives 0.253759721288788844234102750181 "
             "at degree 24, against 0.253759721288788844233619903869 for the double r² (boundlab: "
             "2.53759721288788844233619903869e-1). The SDPB values for n = 8 in "
             "shared/notes/peer-sdp-c-and-mp.md are the exact-r² ones; for n = 3 (r² = 1.375) both coincide. "
             "Checked while writing this benchmark, not rerun here. Sample points matter too: with SDPB.m's "
             "form of the rescaled Laguerre points (π² in place of √π, `ce_sdpb.py write --points pi2`) SDPB "
             "at 512 bits ends \"maxIterations exceeded\" (500 iterations, dual objective stuck at −128) on "
             "n = 3, degree 63; with the √π points it converges to the notes' value.")
    L.append("")
    for dim, degree, b1, b2, sd, total in report.get("ce_rows", []):
        L.append("- n=%d degree %d: row %.0f s; solver-reported: boundlab %s s (1 thread), %s s (2 threads), "
                 "SDPB %s s; XML generation %.1f s (not counted)." % (
                     dim, degree, total, b1.get("seconds", "–"), b2.get("seconds", "–"),
                     sd.get("seconds", "–"), sd.get("gen", 0.0)))
    L.append("")
    L.append("## 2. Three-point SDPs (n = 3), SDPA files exported by boundlab")
    L.append("")
    L.append("Export: `boundlab solve sdp.three_point --set dim=3 --set degree=D --set save_sdp='\"tpD.dat-s\"' "
             "--set precision=dd` (entries in double-double). boundlab: `boundlab solve sdp.solve --set "
             "file='\"tpD.dat-s\"' --set precision=mp --set bits=B --set tol=%s --set threads=1`. SDPA-GMP: "
             "`bench/sdp_mp/sdpa_gmp.py tpD.dat-s B --eps %s` (`sdpap.importsdpa`, then `sdpap.solve` with "
             "mpfPrecision B, numThreads 1, epsilonStar = epsilonDash = %s; it reads the entries as doubles). "
             "Values: the SDP objective (SDPA convention, min c·x; mean of primal and dual objective) — the "
             "three-point bound is 1 − value. Disagreement flag: relative difference above %.0e."
             % (args.tp_tol, args.tp_tol, args.tp_tol, args.tp_flag))
    L.append("")
    L += report.get("tp_lines", ["(not run)"])
    L.append("")
    for degree, bits, export, bl, sg in report.get("tp_rows", []):
        if bl.get("wall") is None and sg.get("wall") is None:
            continue
        L.append("- degree %d, %d bits: boundlab solver %s s (objective_decimal %s); SDPA-GMP read %.1f s, "
                 "sdpa %.1f s; boundlab's dd solve at export: %s (%s) in %.1f s." % (
                     degree, bits, bl.get("seconds", "–"), bl.get("objective_decimal", "–"),
                     sg.get("read_seconds", float("nan")), sg.get("sdpa_seconds", float("nan")),
                     export.get("bound"), export.get("status"), export.get("wall")))
    L.append("")
    L.append("## Problems")
    L.append("")
    L += (["- " + p for p in report["problems"]] or ["None: every solve that ran ended optimal and the values agree."])
    L.append("")
    if report["skips"]:
        L.append("Skipped (time budget: a Cohn–Elkies row over %d s skips the higher degrees of that n; a "
                 "three-point solve over %d s skips that solver's higher bits at that degree):"
                 % (args.row_budget, args.tp_skip_after))
        L.append("")
        L += ["- " + p for p in report["skips"]]
        L.append("")
    L.append("## Commands run (in order)")
    L.append("")
    L.append("`$WORK` is a temporary folder (removed afterwards); other paths are relative to the repository root.")
    L.append("")
    L.append("```")
    for c in COMMANDS:
        c = c.replace(report.get("work", "\0"), "$WORK").replace(ROOT + "/", "")
        L.append(c)
    L.append("```")
    L.append("")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as fh:
        fh.write("\n".join(L))


def ints(s):
    return [int(x) for x in s.split(",") if x]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--boundlab", default=os.path.join(ROOT, "target", "release", "boundlab"))
    ap.add_argument("--python", default=sys.executable, help="python with sdpap (bench/.venv)")
    ap.add_argument("--dims", type=ints, default=[3, 8])
    ap.add_argument("--degrees", type=ints, default=[31, 47, 63])
    ap.add_argument("--bits", type=int, default=512, help="boundlab's bits for Cohn–Elkies")
    ap.add_argument("--tol", default="1e-30")
    ap.add_argument("--sdpb-bits", type=int, default=512)
    ap.add_argument("--tp-degrees", type=ints, default=[5, 7])
    ap.add_argument("--tp-bits", type=ints, default=[128, 256])
    ap.add_argument("--tp-tol", default="1e-12")
    ap.add_argument("--tp-flag", type=float, default=1e-10)
    ap.add_argument("--timeout", type=int, default=900, help="seconds per solve before it is cut")
    ap.add_argument("--row-budget", type=int, default=180,
                    help="Cohn–Elkies: once a row (3 solves) takes longer, the higher degrees of that n are skipped")
    ap.add_argument("--tp-skip-after", type=int, default=300,
                    help="three-point: once a solver takes longer at some bits, its higher bits are skipped")
    ap.add_argument("--skip-ce", action="store_true")
    ap.add_argument("--skip-tp", action="store_true")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "sdp_mp.md"))
    args = ap.parse_args()
    started = datetime.datetime.now(datetime.timezone.utc)
    t0 = time.perf_counter()
    report = {"problems": [], "skips": []}
    with tempfile.TemporaryDirectory(prefix="sdp_mp.") as work:
        report["work"] = work
        if not args.skip_ce:
            ce_table(args, work, report)
        if not args.skip_tp:
            tp_table(args, work, report)
    total = time.perf_counter() - t0
    write_report(args, report, started, total)
    print(open(args.out).read())
    print("total %.1f s" % total, file=sys.stderr)


if __name__ == "__main__":
    main()
