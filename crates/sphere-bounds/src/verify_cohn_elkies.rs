//! Rigorous Cohn–Elkies bounds: the floating certificate rounded to exact rationals and its two
//! sign conditions proved by Sturm sequences.
//!
//! The solver returns `f(x) = Σ c_k L_k^α(2π|x|²) e^{−π|x|²}` (`α = n/2 − 1`, the coefficients
//! of [`super::cohn_elkies::CohnElkiesBound::coefficients_decimal`]). In `z = 2π|x|²` the
//! conditions are polynomial with rational coefficients once the `c_k` are rational (the
//! Laguerre polynomials' coefficients are rational for rational `α`):
//!
//! ```text
//! P(z) = Σ c_k L_k(z) ≤ 0  on [2π r², ∞)      (f ≤ 0 for |x| ≥ r)
//! Q(z) = Σ (−1)^k c_k L_k(z) ≥ 0  on [0, ∞)   (f̂ ≥ 0: L_k e^{−πy} is a Fourier eigenfunction
//!                                              with eigenvalue (−1)^k)
//! ```
//!
//! The check rounds each `c_k` to [`DIGITS`] significant decimal digits (exactly), proves
//! `Q(0) > 0` with no root of `Q` in `(0, ∞)`, and `P(a) < 0` with no root of `P` in `(a, ∞)`
//! for the rational `a = 2 π₋ r²` ≤ `2π r²` (`π₋` from 100 published digits of π, `r²` the
//! exact square the SDP was built with), by Sturm's theorem in exact arithmetic. An interior
//! point solution is strictly feasible, so the rounded polynomials keep their signs; when the
//! rounding or the solve's residual makes `Q` dip below zero (or `P` rise above it) at a
//! touching point, the constant coefficient `c_0` is moved by a margin `η` (up to the relative
//! budget [`BUDGET`] on the bound) in the direction that mends the failing condition.
//!
//! The bound `vol(B^n_{r/2}) P(0)/Q(0)` is then evaluated with `π₊` and an upper bound of
//! `√(r²)` (for odd `n`), so the returned value is rigorous: `f` satisfies the theorem's
//! hypotheses exactly and the density is at most the exact fraction, which is returned with
//! the next `f64` above it.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::verify::{RatPoly, VerifiedBound, eval, f64_at_least, rat_decimal, sturm_sequence};

/// Significant digits each coefficient is rounded to (more than a 10⁻³⁰ solve determines, few
/// enough that the Sturm sequences of degree-80 polynomials stay quick).
pub const DIGITS: usize = 45;

/// The largest relative increase of the bound the margin may cost.
pub const BUDGET: f64 = 1e-10;

/// π to 100 digits (OEIS A000796): `π₋ = PI_100` and `π₊ = PI_100 + 10⁻⁹⁹`.
const PI_100: &str = "3.141592653589793238462643383279502884197169399375105820974944592307816406286208998628034825342117067";

fn q(a: i64, b: i64) -> BigRational {
    BigRational::new(BigInt::from(a), BigInt::from(b))
}

/// `L_0..L_degree` of parameter `alpha` with exact coefficients (three-term recurrence
/// `(k+1) L_{k+1} = (2k + 1 + α − z) L_k − (k + α) L_{k−1}`).
pub fn laguerre_exact(degree: usize, alpha: &BigRational) -> Vec<RatPoly> {
    let mut l: Vec<RatPoly> = vec![vec![BigRational::one()]];
    if degree >= 1 {
        l.push(vec![BigRational::one() + alpha, -BigRational::one()]);
    }
    for k in 1..degree {
        let kk = BigRational::from_integer(BigInt::from(k));
        let a = BigRational::from_integer(BigInt::from(2 * k + 1)) + alpha;
        let b = &kk + alpha;
        let mut next = vec![BigRational::zero(); k + 2];
        for (i, c) in l[k].iter().enumerate() {
            next[i] += &a * c;
            next[i + 1] -= c;
        }
        for (i, c) in l[k - 1].iter().enumerate() {
            next[i] -= &b * c;
        }
        let inv = BigRational::one() / (kk + BigRational::one());
        l.push(next.into_iter().map(|c| c * &inv).collect());
    }
    l
}

/// `x` rounded to `digits` significant decimal digits, as an exact fraction.
fn round_decimal(text: &str, digits: usize) -> Result<BigRational, String> {
    let t = text.trim();
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], &t[i..]),
        None => (t, ""),
    };
    let mut kept = String::new();
    let mut significant = 0;
    let mut seen_point = false;
    let mut dropped_point_digits = 0i64;
    for ch in mantissa.chars() {
        match ch {
            '0'..='9' if significant >= digits => {
                if !seen_point {
                    // An integer digit beyond the kept ones: keep the magnitude.
                    dropped_point_digits += 1;
                }
            }
            '0'..='9' => {
                if ch != '0' || significant > 0 {
                    significant += 1;
                }
                kept.push(ch);
            }
            '.' => {
                seen_point = true;
                kept.push(ch);
            }
            other => kept.push(other),
        }
    }
    let scale = if dropped_point_digits > 0 {
        format!("e{dropped_point_digits}")
    } else {
        String::new()
    };
    let x = rat_decimal(&format!("{kept}{exponent}"))?;
    if scale.is_empty() {
        Ok(x)
    } else {
        Ok(x * rat_decimal(&format!("1{scale}"))?)
    }
}

/// The number of real roots of `p` in `(a, ∞)` (Sturm; the sign at `+∞` is the leading
/// coefficient's).
fn roots_above(p: &RatPoly, a: &BigRational) -> usize {
    let seq = sturm_sequence(p);
    let changes = |signs: &mut dyn Iterator<Item = i8>| {
        let mut last = 0i8;
        let mut n = 0usize;
        for s in signs {
            if s != 0 {
                if last != 0 && s != last {
                    n += 1;
                }
                last = s;
            }
        }
        n
    };
    let sign = |v: &BigRational| -> i8 {
        if v.is_positive() {
            1
        } else if v.is_negative() {
            -1
        } else {
            0
        }
    };
    let at_a = changes(&mut seq.iter().map(|s| sign(&eval(s, a))));
    let at_inf = changes(&mut seq.iter().map(|s| s.last().map(sign).unwrap_or(0)));
    at_a.saturating_sub(at_inf)
}

/// An upper bound of `√x` (`x > 0`): Newton's step from above, `(s + x/s)/2 ≥ √x`.
fn sqrt_above(x: &BigRational) -> BigRational {
    let mut s =
        BigRational::from_float(x.to_f64().unwrap_or(1.0).sqrt()).unwrap_or(BigRational::one());
    for _ in 0..4 {
        s = (&s + x / &s) / BigRational::from_integer(BigInt::from(2));
        // Keep the denominators small: round up to 80 binary digits after the point.
        let scale = BigRational::from_integer(BigInt::one() << 80usize);
        s = (s * &scale).ceil() / scale;
    }
    s
}

/// `vol(B^n_ρ)` from above, for `ρ² = rho2` (`π^k ρⁿ / k!` for `n = 2k`,
/// `2^{k+1} π^k ρⁿ / (2k+1)!!` for `n = 2k + 1`).
fn ball_volume_above(n: usize, rho2: &BigRational, pi_hi: &BigRational) -> BigRational {
    let k = n / 2;
    let mut v = BigRational::one();
    for _ in 0..k {
        v *= pi_hi;
        v *= rho2;
    }
    if n.is_multiple_of(2) {
        for i in 1..=k {
            v /= BigRational::from_integer(BigInt::from(i));
        }
    } else {
        v *= sqrt_above(rho2);
        v *= BigRational::from_integer(BigInt::from(2u32).pow(k as u32 + 1));
        for i in 0..=k {
            v /= BigRational::from_integer(BigInt::from(2 * i + 1));
        }
    }
    v
}

/// Checks a Cohn–Elkies certificate exactly (see the module documentation). `radius` is the
/// spec's `r` (the SDP's `r²` is the `f64` product `r · r`); `float_bound` is the floating value
/// the rigorous one is compared with.
pub fn verify_cohn_elkies(
    dim: usize,
    radius: f64,
    coefficients: &[String],
    float_bound: f64,
) -> Result<VerifiedBound, String> {
    if coefficients.is_empty() {
        return Err("verify: the certificate has no coefficients".into());
    }
    let c: Vec<BigRational> = coefficients
        .iter()
        .map(|t| round_decimal(t, DIGITS))
        .collect::<Result<_, _>>()?;
    let degree = c.len() - 1;
    let alpha = q(dim as i64 - 2, 2);
    let l = laguerre_exact(degree, &alpha);
    let combine = |c: &[BigRational], alternate: bool| -> RatPoly {
        let mut p = vec![BigRational::zero(); degree + 1];
        for (k, (ck, lk)) in c.iter().zip(&l).enumerate() {
            let s = if alternate && k % 2 == 1 {
                -ck.clone()
            } else {
                ck.clone()
            };
            for (i, v) in lk.iter().enumerate() {
                p[i] += &s * v;
            }
        }
        p
    };
    let pi_lo = rat_decimal(PI_100)?;
    let pi_hi = &pi_lo + rat_decimal("1e-99")?;
    let r2 = BigRational::from_float(radius * radius).ok_or("verify: the radius is not finite")?;
    let a = BigRational::from_integer(BigInt::from(2)) * &pi_lo * &r2;
    let rho2 = &r2 / BigRational::from_integer(BigInt::from(4));
    let volume = ball_volume_above(dim, &rho2, &pi_hi);
    let float = BigRational::from_float(float_bound).ok_or("verify: the floating bound is NaN")?;

    // Margins on c_0: none first, then growing ones in the direction that mends a failure.
    let mut margins: Vec<BigRational> = vec![BigRational::zero()];
    for e in (10..=44).rev().step_by(2) {
        margins.push(rat_decimal(&format!("1e-{e}"))?);
    }
    let mut direction = 0i8; // +1: raise c_0 (for Q), −1: lower it (for P)
    let mut last_failure = String::new();
    for eta in &margins {
        let mut shifted = c.clone();
        if direction > 0 {
            shifted[0] += eta;
        } else if direction < 0 {
            shifted[0] -= eta;
        }
        let p = combine(&shifted, false);
        let qq = combine(&shifted, true);
        let q0 = eval(&qq, &BigRational::zero());
        let p0 = eval(&p, &BigRational::zero());
        let q_ok = q0.is_positive() && roots_above(&qq, &BigRational::zero()) == 0;
        let p_ok = eval(&p, &a).is_negative() && roots_above(&p, &a) == 0;
        let eta_f = eta.to_f64().unwrap_or(0.0);
        match (p_ok, q_ok) {
            (true, true) => {
                if !p0.is_positive() {
                    return Err(format!(
                        "verify: f(0) = {:e} is not positive",
                        p0.to_f64().unwrap_or(0.0)
                    ));
                }
                let exact = &volume * &p0 / &q0;
                let excess = ((&exact - &float) / &float)
                    .to_f64()
                    .unwrap_or(f64::INFINITY);
                if excess > BUDGET {
                    return Err(format!(
                        "verify: the margin η = {eta_f:e} that makes the rounded certificate feasible raises the bound by {excess:.1e} relative (budget {BUDGET:e})"
                    ));
                }
                return Ok(VerifiedBound {
                    bound: f64_at_least(&exact),
                    exact: format!("{}/{}", exact.numer(), exact.denom()),
                    margin: eta_f,
                    relative_excess: excess,
                });
            }
            (false, false) => {
                return Err(format!(
                    "verify: both conditions fail for the rounded certificate (margin {eta_f:e}): f̂ ≥ 0 on [0, ∞) and f ≤ 0 for |x| ≥ r"
                ));
            }
            (true, false) => {
                last_failure = format!("condition f̂ ≥ 0 on [0, ∞) fails (margin {eta_f:e} on c_0)");
                if direction < 0 {
                    break;
                }
                direction = 1;
            }
            (false, true) => {
                last_failure =
                    format!("condition f ≤ 0 for |x| ≥ r fails (margin {eta_f:e} on c_0)");
                if direction > 0 {
                    break;
                }
                direction = -1;
            }
        }
    }
    Err(format!(
        "verify: no rigorous bound within {BUDGET:e} of the floating value {float_bound}: {last_failure}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn laguerre_polynomials_have_their_closed_form() {
        // L_2^α(z) = ((α+1)(α+2) − 2(α+2) z + z²)/2 (Abramowitz–Stegun 22.3.9), at α = 1/2.
        let l = laguerre_exact(2, &q(1, 2));
        assert_eq!(l[2], vec![q(15, 8), q(-5, 2), q(1, 2)]);
    }

    #[test]
    fn decimals_round_to_the_digits_asked() {
        assert_eq!(round_decimal("1.23456e-3", 3).unwrap(), q(123, 100_000));
        assert_eq!(round_decimal("-98765.4", 2).unwrap(), q(-98000, 1));
        assert_eq!(round_decimal("0.000123", 5).unwrap(), q(123, 1_000_000));
    }

    #[test]
    fn functions_that_are_no_certificate_are_refused_naming_the_condition() {
        // f = e^{−π|x|²} (c = [1]): f̂ = f > 0, but f > 0 everywhere, so f ≤ 0 beyond r fails.
        let err = verify_cohn_elkies(3, 1.0, &["1".into()], 1.0).unwrap_err();
        assert!(err.contains("f ≤ 0"), "{err}");
        // c = [1, 1]: Q = L_0 − L_1 = z − α is negative on [0, α) (α = 1/2), while
        // P = L_0 + L_1 = 2 + α − z is negative beyond 2πr² = 2π > 2.5: only f̂ ≥ 0 fails.
        let err = verify_cohn_elkies(3, 1.0, &["1".into(), "1".into()], 1.0).unwrap_err();
        assert!(err.contains("f̂ ≥ 0"), "{err}");
    }
}
