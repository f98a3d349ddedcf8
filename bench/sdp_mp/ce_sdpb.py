#!/usr/bin/env python3
"""The Cohn–Elkies LP bound of `sdp.cohn_elkies` as an SDPB 1.0 polynomial matrix program.

f(x) = p(|x|²) e^{−π|x|²},  p(y) = Σ_k c_k φ_k(y),  φ_k(y) = L_k^{α}(2πy) / M_k,  α = n/2 − 1,
M_k = √C(k+α, k) (the same normalised Laguerre basis as boundlab), f̂(ξ) = Σ_k (−1)^k c_k φ_k(|ξ|²)
e^{−π|ξ|²}. The LP, in the variables z = (c_0, …, c_D):

    maximise −f(0) = −Σ_k c_k φ_k(0)
    s.t.     −p(r² + x) ≥ 0  for x ≥ 0        (f ≤ 0 for |x| ≥ r)
             p̂(x) = Σ_k (−1)^k c_k φ_k(x) ≥ 0 for x ≥ 0   (f̂ ≥ 0)
             f̂(0) = Σ_k (−1)^k c_k φ_k(0) = 1 (normalisation)

and the bound is vol(B^n_{r/2}) · (−optimum). As in SDPB's Mathematica interface (SDPB.m,
`reshuffleWithNormalization`), the normalisation eliminates the component j with the largest
|n_j|: M_0 = W_j / n_j, M_i = W_i − n_i W_j / n_j (i ≠ j), b_0 = a_j / n_j, b_i = a_i − n_i a_j / n_j.
Each of the two 1×1 constraints has the prefactor e^{−πx}: sample points are the rescaled
Laguerre points √π (4k − 1)² / (−64 (D+1) log(3 − 2√2)), k = 0..D (the form boundlab's
`rescaled_laguerre_points` uses, at scale 1; `--points pi2` gives SDPB 1.0's SDPB.m form with π²
in place of √π, 5.6 times wider, with which SDPB at 512 bits ends "maxIterations exceeded" on
n = 3, degree 63), the sample scalings e^{−πx_k}, and the bilinear basis the polynomials
orthonormal for e^{−πx} dx on [0, ∞), √π L_m(πx), m = 0..⌊D/2⌋.

r² is by default the double-precision number boundlab uses (sqrt(1 + n/8) rounded to a double,
then squared in double precision: exactly 1.375 for n = 3, 2 + 4.4e-16 for n = 8), so both
solvers solve the same LP; `--exact-r2` uses 1 + n/8 exactly.

Usage:  ce_sdpb.py write DIM DEGREE FILE.xml [--digits 200] [--exact-r2] [--points sqrtpi|pi2]
        ce_sdpb.py bound DIM OBJECTIVE [--exact-r2]      (prints vol(B_{r/2}) · (−OBJECTIVE))
"""
import argparse
import math
import sys

import mpmath
from mpmath import mp, mpf


def r_squared(dim, exact):
    if exact:
        return mpf(1) + mpf(dim) / 8
    r = math.sqrt(1.0 + dim / 8.0)  # IEEE double, as boundlab's default_radius
    return mpf(r * r)  # the double product, converted exactly


def poly_mul_linear(p, a, b):
    """p(x) · (a + b x)."""
    out = [mpf(0)] * (len(p) + 1)
    for i, c in enumerate(p):
        out[i] += c * a
        out[i + 1] += c * b
    return out


def laguerre_polys(degree, alpha, t0, t1):
    """Monomial coefficients in x of L_k^α(t0 + t1 x), k = 0..degree (three-term recurrence)."""
    out = [[mpf(1)]]
    if degree >= 1:
        out.append([1 + alpha - t0, -t1])
    for k in range(1, degree):
        # (k+1) L_{k+1} = (2k + 1 + α − t) L_k − (k + α) L_{k−1}
        a = poly_mul_linear(out[k], 2 * k + 1 + alpha - t0, -t1)
        prev = out[k - 1]
        nxt = [(a[i] - (k + alpha) * (prev[i] if i < len(prev) else 0)) / (k + 1) for i in range(len(a))]
        out.append(nxt)
    return out


def ball_volume(dim, radius):
    return mpmath.pi ** (mpf(dim) / 2) * radius ** dim / mpmath.gamma(mpf(dim) / 2 + 1)


def fmt(x, digits):
    if x == 0:
        return "0"
    return mpmath.nstr(x, digits, strip_zeros=False)


def write_xml(dim, degree, path, digits=200, exact_r2=False, points="sqrtpi", point_scale=1):
    mp.prec = max(2048, 12 * digits)
    alpha = mpf(dim) / 2 - 1
    two_pi = 2 * mpmath.pi
    r2 = r_squared(dim, exact_r2)
    norms = [mpmath.sqrt(mpmath.binomial(k + alpha, k)) for k in range(degree + 1)]
    # φ_k(r² + x) and φ_k(x) as polynomials in x
    shifted = laguerre_polys(degree, alpha, two_pi * r2, two_pi)
    plain = laguerre_polys(degree, alpha, mpf(0), two_pi)
    phi0 = [p[0] / m for p, m in zip(plain, norms)]  # φ_k(0)
    sign = [1 if k % 2 == 0 else -1 for k in range(degree + 1)]
    # W^k for the two constraints (length D+1, polynomials of degree ≤ D)
    w_a = [[-c / norms[k] for c in shifted[k]] for k in range(degree + 1)]
    w_b = [[sign[k] * c / norms[k] for c in plain[k]] for k in range(degree + 1)]
    objective = [-v for v in phi0]
    normal = [sign[k] * phi0[k] for k in range(degree + 1)]
    j = max(range(degree + 1), key=lambda k: abs(normal[k]))

    def reshuffle_scalar(v):
        const = v[j] / normal[j]
        return [const] + [v[i] - normal[i] * const for i in range(degree + 1) if i != j]

    def reshuffle_polys(w):
        length = degree + 1
        pad = [p + [mpf(0)] * (length - len(p)) for p in w]
        const = [c / normal[j] for c in pad[j]]
        rest = [[pad[i][t] - normal[i] * const[t] for t in range(length)] for i in range(degree + 1) if i != j]
        return [const] + rest

    factor = {"pi2": mpmath.pi ** 2, "sqrtpi": mpmath.sqrt(mpmath.pi)}[points] * mpf(point_scale)
    samples = [factor * (4 * k - 1) ** 2 / (-64 * (degree + 1) * mpmath.log(3 - 2 * mpmath.sqrt(2)))
               for k in range(degree + 1)]
    scalings = [mpmath.exp(-mpmath.pi * x) for x in samples]
    half = degree // 2
    basis_lag = laguerre_polys(half, mpf(0), mpf(0), mpmath.pi)
    basis = [[mpmath.sqrt(mpmath.pi) * c for c in p] for p in basis_lag]

    out = []
    w = out.append

    def vec(tag, values):
        w("<%s>" % tag)
        for v in values:
            w("<elt>%s</elt>" % fmt(v, digits))
        w("</%s>\n" % tag)

    def poly(p):
        w("<polynomial>")
        for c in p:
            w("<coeff>%s</coeff>" % fmt(c, digits))
        w("</polynomial>\n")

    w("<sdp>\n")
    vec("objective", reshuffle_scalar(objective))
    w("<polynomialVectorMatrices>\n")
    for wm in (w_a, w_b):
        w("<polynomialVectorMatrix>\n<rows>1</rows>\n<cols>1</cols>\n<elements>\n<polynomialVector>\n")
        for p in reshuffle_polys(wm):
            poly(p)
        w("</polynomialVector>\n</elements>\n")
        vec("samplePoints", samples)
        vec("sampleScalings", scalings)
        w("<bilinearBasis>\n")
        for p in basis:
            poly(p)
        w("</bilinearBasis>\n</polynomialVectorMatrix>\n")
    w("</polynomialVectorMatrices>\n</sdp>\n")
    with open(path, "w") as fh:
        fh.write("".join(out))


def bound_from_objective(dim, objective, exact_r2=False, digits=40):
    """vol(B^n_{r/2}) · (−objective), with r = √r² as in the XML."""
    mp.prec = 1024
    r2 = r_squared(dim, exact_r2)
    return ball_volume(dim, mpmath.sqrt(r2) / 2) * (-mpf(objective))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("write")
    a.add_argument("dim", type=int)
    a.add_argument("degree", type=int)
    a.add_argument("file")
    a.add_argument("--digits", type=int, default=200)
    a.add_argument("--exact-r2", action="store_true")
    a.add_argument("--points", choices=["pi2", "sqrtpi"], default="sqrtpi")
    a.add_argument("--point-scale", default="1")
    b = sub.add_parser("bound")
    b.add_argument("dim", type=int)
    b.add_argument("objective")
    b.add_argument("--exact-r2", action="store_true")
    args = ap.parse_args()
    if args.cmd == "write":
        write_xml(args.dim, args.degree, args.file, args.digits, args.exact_r2, args.points, args.point_scale)
    else:
        print(mpmath.nstr(bound_from_objective(args.dim, args.objective, args.exact_r2), 40))


if __name__ == "__main__":
    sys.exit(main())
