//! Rigorous Delsarte bounds: the floating certificate rounded to exact rationals and its
//! positivity conditions checked in exact arithmetic.
//!
//! The solver returns `a_k ≥ 0` with `f = 1 + Σ a_k P_k ≤ 0` on `[−1, s]` up to its
//! tolerances; at the optimum `f` touches zero (at the inner products of the best codes), so
//! the rounded `f` may be slightly positive there. The check therefore lowers `f_0` by a
//! margin `η` (tried from `10⁻¹⁴` up to the largest margin the `10⁻⁶` budget allows), and for
//! `f = (1 − η) + Σ a'_k P_k` with the exact rationals `a'_k` of the solver's values proves:
//!
//! 1. `a'_k ≥ 0` (values below zero by round-off are set to 0 first; a clearly negative one is
//!    an error);
//! 2. `−f(−1) > 0` and `−f` has no root in `(−1, s]`, by Sturm's theorem on the exact
//!    polynomial (the Gegenbauer polynomials' coefficients are rational, and `s` is the exact
//!    value of the `f64` given);
//!
//! then `f ≤ 0` on `[−1, s]` and the code size is at most `f(1)/f_0 = 1 + Σ a'_k / (1 − η)`,
//! returned as an exact fraction and as the next `f64` above it.

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// A polynomial with exact rational coefficients, lowest degree first.
pub type RatPoly = Vec<BigRational>;

/// A rigorous bound.
#[derive(Clone, Debug)]
pub struct VerifiedBound {
    /// The smallest `f64` at or above the exact bound.
    pub bound: f64,
    /// The exact bound as `p/q`.
    pub exact: String,
    /// The margin `η` by which `f_0` was lowered.
    pub margin: f64,
    /// `(bound − floating value) / floating value`.
    pub relative_excess: f64,
}

fn rat(x: f64) -> BigRational {
    BigRational::from_float(x).expect("finite")
}

/// The exact rational value of a decimal number (`-1.25e-3`, `7`, `.5`), such as the working
/// precision's digits of a certificate coefficient.
pub fn rat_decimal(text: &str) -> Result<BigRational, String> {
    let t = text.trim();
    let bad = || format!("verify: `{text}` is not a decimal number");
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], t[i + 1..].parse::<i64>().map_err(|_| bad())?),
        None => (t, 0),
    };
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int}{frac}");
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: BigInt = digits.parse().map_err(|_| bad())?;
    let e = exponent - frac.len() as i64;
    if e.unsigned_abs() > 100_000 {
        return Err(bad());
    }
    let ten = BigInt::from(10);
    let scale = num_traits::pow(ten, e.unsigned_abs() as usize);
    let v = if e >= 0 {
        BigRational::from_integer(n * scale)
    } else {
        BigRational::new(n, scale)
    };
    Ok(if negative { -v } else { v })
}

/// The Gegenbauer polynomials `P_0..P_degree` of [`super::poly::gegenbauer`] with exact
/// rational coefficients (same recurrence).
pub fn gegenbauer_exact(degree: usize, n: usize) -> Vec<RatPoly> {
    let r = |a: usize, b: usize| BigRational::new(BigInt::from(a), BigInt::from(b));
    let mut p: Vec<RatPoly> = vec![vec![BigRational::one()]];
    if degree >= 1 {
        p.push(vec![BigRational::zero(), BigRational::one()]);
    }
    for l in 2..=degree {
        let c1 = r(2 * l + n - 4, l + n - 3);
        let c2 = r(l - 1, l + n - 3);
        let mut next = vec![BigRational::zero(); l + 1];
        for (i, c) in p[l - 1].iter().enumerate() {
            next[i + 1] += &c1 * c;
        }
        for (i, c) in p[l - 2].iter().enumerate() {
            next[i] -= &c2 * c;
        }
        p.push(next);
    }
    p
}

fn trim(p: &mut RatPoly) {
    while p.last().is_some_and(|c| c.is_zero()) {
        p.pop();
    }
}

/// `p(x)` exactly (Horner).
pub fn eval(p: &RatPoly, x: &BigRational) -> BigRational {
    let mut s = BigRational::zero();
    for c in p.iter().rev() {
        s = s * x + c;
    }
    s
}

fn derivative(p: &RatPoly) -> RatPoly {
    p.iter()
        .enumerate()
        .skip(1)
        .map(|(i, c)| c * BigRational::from_integer(BigInt::from(i)))
        .collect()
}

/// The remainder of `a` divided by `b` (`b` nonzero, trimmed).
fn remainder(a: &RatPoly, b: &RatPoly) -> RatPoly {
    let mut r = a.clone();
    trim(&mut r);
    let db = b.len() - 1;
    let lb = b.last().expect("nonzero divisor").clone();
    while r.len() > db && !r.is_empty() {
        let shift = r.len() - 1 - db;
        let q = r.last().unwrap().clone() / &lb;
        for (i, c) in b.iter().enumerate() {
            r[i + shift] -= &q * c;
        }
        r.pop(); // the leading term cancels exactly
        trim(&mut r);
    }
    r
}

/// `p` times a positive rational so that its coefficients are coprime integers (the sign
/// pattern, and so the Sturm sequence's sign changes, is unchanged).
fn primitive(p: &RatPoly) -> RatPoly {
    let mut l = BigInt::one();
    for c in p {
        l = l.lcm(c.denom());
    }
    let ints: Vec<BigInt> = p
        .iter()
        .map(|c| (c * BigRational::from_integer(l.clone())).to_integer())
        .collect();
    let mut g = BigInt::zero();
    for c in &ints {
        g = g.gcd(c);
    }
    if g.is_zero() {
        return p.clone();
    }
    ints.into_iter()
        .map(|c| BigRational::from_integer(c / &g))
        .collect()
}

/// The Sturm sequence of `p` (`p`, `p'`, then negated remainders), each made primitive.
pub fn sturm_sequence(p: &RatPoly) -> Vec<RatPoly> {
    let mut p0 = p.clone();
    trim(&mut p0);
    let mut seq = vec![primitive(&p0)];
    let mut p1 = derivative(&seq[0]);
    trim(&mut p1);
    if p1.is_empty() {
        return seq;
    }
    seq.push(primitive(&p1));
    loop {
        let n = seq.len();
        let r = remainder(&seq[n - 2], &seq[n - 1]);
        if r.is_empty() {
            break;
        }
        let neg: RatPoly = r.iter().map(|c| -c).collect();
        seq.push(primitive(&neg));
    }
    seq
}

fn sign_changes(seq: &[RatPoly], x: &BigRational) -> usize {
    let mut changes = 0;
    let mut last = 0i8;
    for p in seq {
        let v = eval(p, x);
        let s = if v.is_positive() {
            1
        } else if v.is_negative() {
            -1
        } else {
            0
        };
        if s != 0 {
            if last != 0 && s != last {
                changes += 1;
            }
            last = s;
        }
    }
    changes
}

/// The number of distinct real roots of `p` in `(a, b]` (Sturm's theorem; `p` nonzero).
pub fn count_roots(p: &RatPoly, a: &BigRational, b: &BigRational) -> usize {
    let seq = sturm_sequence(p);
    sign_changes(&seq, a).saturating_sub(sign_changes(&seq, b))
}

/// The smallest `f64` that is at least `r`.
pub fn f64_at_least(r: &BigRational) -> f64 {
    let mut x = r.to_f64().unwrap_or(f64::INFINITY);
    while x.is_finite() && &rat(x) < r {
        x = x.next_up();
    }
    x
}

/// Checks a Delsarte certificate exactly (see the module documentation).
///
/// `coefficients[k]` is `a_k` for `k ≥ 1` (index 0, `f_0 = 1`, is ignored); `float_bound` is
/// the floating value `1 + Σ a_k` the rigorous bound is compared with.
pub fn verify_delsarte(
    dim: usize,
    cos_theta: f64,
    coefficients: &[String],
    float_bound: f64,
) -> Result<VerifiedBound, String> {
    let degree = coefficients.len().saturating_sub(1);
    if degree == 0 {
        return Err("verify: the certificate has no term of degree ≥ 1".into());
    }
    let exact: Vec<BigRational> = coefficients
        .iter()
        .map(|c| rat_decimal(c))
        .collect::<Result<_, _>>()?;
    let float = |v: &BigRational| v.to_f64().unwrap_or(f64::NAN);
    let total: f64 = 1.0 + exact[1..].iter().map(|c| float(c).abs()).sum::<f64>();
    let mut a: Vec<BigRational> = Vec::with_capacity(degree + 1);
    a.push(BigRational::zero());
    for (k, v) in exact.into_iter().enumerate().skip(1) {
        if v.is_negative() {
            if float(&v) < -1e-9 * total {
                return Err(format!(
                    "verify: condition a_k ≥ 0 fails for k = {k} (a_{k} = {:e})",
                    float(&v)
                ));
            }
            a.push(BigRational::zero());
        } else {
            a.push(v);
        }
    }
    let p = gegenbauer_exact(degree, dim);
    // g = Σ a_k P_k (k ≥ 1)
    let mut g: RatPoly = vec![BigRational::zero(); degree + 1];
    for k in 1..=degree {
        if a[k].is_zero() {
            continue;
        }
        for (i, c) in p[k].iter().enumerate() {
            g[i] += &a[k] * c;
        }
    }
    let sum_a: BigRational = a.iter().fold(BigRational::zero(), |s, x| s + x);
    let lo = -BigRational::one();
    let hi = rat(cos_theta);
    let float = rat(float_bound);
    let budget = 1e-6;
    let mut last_failure = String::new();
    for exp in [14u32, 13, 12, 11, 10, 9, 8, 7] {
        for mant in [1u32, 5] {
            // η = mant · 10^-exp, as an exact fraction
            let eta = BigRational::new(BigInt::from(mant), BigInt::from(10u32).pow(exp));
            let f0 = BigRational::one() - &eta;
            // h = −f = −f0 − g
            let mut h: RatPoly = g.iter().map(|c| -c).collect();
            h[0] -= &f0;
            let exact_bound = BigRational::one() + &sum_a / &f0;
            let excess = ((&exact_bound - &float) / &float)
                .to_f64()
                .unwrap_or(f64::INFINITY);
            if excess > budget {
                if last_failure.is_empty() {
                    last_failure = format!(
                        "the margin η = {} needed to make the rounded f strictly negative would raise the bound by more than 1e-6 relative",
                        eta.to_f64().unwrap_or(0.0)
                    );
                }
                break;
            }
            let h_lo = eval(&h, &lo);
            if !h_lo.is_positive() {
                last_failure = format!(
                    "condition f(−1) < 0 fails with f_0 lowered by η = {:e}: f(−1) = {:e}",
                    eta.to_f64().unwrap_or(0.0),
                    -h_lo.to_f64().unwrap_or(0.0)
                );
                continue;
            }
            let roots = count_roots(&h, &lo, &hi);
            if roots > 0 {
                last_failure = format!(
                    "condition f(t) ≤ 0 on [−1, {cos_theta}] fails with f_0 lowered by η = {:e}: f has {roots} root(s) there",
                    eta.to_f64().unwrap_or(0.0)
                );
                continue;
            }
            return Ok(VerifiedBound {
                bound: f64_at_least(&exact_bound),
                exact: format!("{}/{}", exact_bound.numer(), exact_bound.denom()),
                margin: eta.to_f64().unwrap_or(0.0),
                relative_excess: excess,
            });
        }
    }
    Err(format!(
        "verify: no rigorous bound within 1e-6 of the floating value {float_bound}: {last_failure}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use boundlab_sdp_solver::scalar::{Real, fx128};

    fn q(a: i64, b: i64) -> BigRational {
        BigRational::new(BigInt::from(a), BigInt::from(b))
    }

    #[test]
    fn sturm_counts_roots() {
        // (x − 1/3)(x − 1/2)²(x + 2) = roots 1/3, 1/2 (double), −2
        let mut p: RatPoly = vec![BigRational::one()];
        for r in [q(1, 3), q(1, 2), q(1, 2), q(-2, 1)] {
            let mut next = vec![BigRational::zero(); p.len() + 1];
            for (i, c) in p.iter().enumerate() {
                next[i + 1] += c;
                next[i] -= c * &r;
            }
            p = next;
        }
        assert_eq!(count_roots(&p, &q(-3, 1), &q(1, 1)), 3);
        assert_eq!(count_roots(&p, &q(0, 1), &q(1, 1)), 2);
        assert_eq!(count_roots(&p, &q(2, 5), &q(1, 1)), 1);
        assert_eq!(count_roots(&p, &q(3, 5), &q(1, 1)), 0);
        // x² + 1 has none
        assert_eq!(
            count_roots(&vec![q(1, 1), q(0, 1), q(1, 1)], &q(-9, 1), &q(9, 1)),
            0
        );
    }

    #[test]
    fn exact_gegenbauer_matches_float() {
        let p = gegenbauer_exact(9, 5);
        let x = 0.3;
        let fl = super::super::poly::gegenbauer(9, 5, x);
        for k in 0..=9 {
            let v = eval(&p[k], &rat(x)).to_f64().unwrap();
            assert!((v - fl[k]).abs() < 1e-14);
        }
        assert_eq!(eval(&p[9], &BigRational::one()), BigRational::one());
    }

    #[test]
    fn the_e8_polynomial_is_verified() {
        // Odlyzko–Sloane / Levenshtein: f(t) = (t+1)(t+1/2)² t² (t−1/2) proves τ₈ ≤ 240. Its
        // Gegenbauer coefficients (n = 8), normalised f_0 = 1, are computed exactly here by
        // solving the triangular system, then handed over as doubles.
        let n = 8;
        let p = gegenbauer_exact(6, n);
        let mut f: RatPoly = vec![BigRational::one()];
        for r in [q(-1, 1), q(-1, 2), q(-1, 2), q(0, 1), q(0, 1), q(1, 2)] {
            let mut next = vec![BigRational::zero(); f.len() + 1];
            for (i, c) in f.iter().enumerate() {
                next[i + 1] += c;
                next[i] -= c * &r;
            }
            f = next;
        }
        let mut coef = vec![BigRational::zero(); 7];
        let mut rest = f.clone();
        for k in (0..=6).rev() {
            coef[k] = rest[k].clone() / p[k][k].clone();
            for (i, c) in p[k].iter().enumerate() {
                rest[i] -= &coef[k] * c;
            }
        }
        let f0 = coef[0].clone();
        let dd: Vec<fx128> = coef
            .iter()
            .map(|c| {
                let v = c / &f0;
                let hi = v.to_f64().unwrap();
                let lo = (v - rat(hi)).to_f64().unwrap();
                fx128::from(hi) + fx128::from(lo)
            })
            .collect();
        assert!(dd.iter().all(|c| c.0 >= 0.0));
        let float = 1.0 + dd[1..].iter().map(|c| c.0 + c.1).sum::<f64>();
        let dd: Vec<String> = dd.iter().map(|c| c.to_decimal()).collect();
        assert!((float - 240.0).abs() < 1e-9, "{float}");
        let v = verify_delsarte(n, 0.5, &dd, float).unwrap();
        assert!(v.bound >= 240.0 && v.bound <= 240.0 * (1.0 + 1e-6), "{v:?}");
        // The same polynomial does not prove anything for cos θ = 0.6 (f > 0 on (1/2, 0.6]).
        let err = verify_delsarte(n, 0.6, &dd, float).unwrap_err();
        assert!(err.contains("root"), "{err}");
    }
}
