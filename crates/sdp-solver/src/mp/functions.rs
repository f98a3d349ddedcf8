//! Constants and elementary functions in [`Mp`]: π and `exp`, what the bound formulations need
//! at the working precision (the Fourier pair `L_k(2πy) e^{−πy}`, ball volumes, Gaussian Taylor
//! coefficients).
//!
//! π is computed once at the widest width (Machin's formula `π = 16 atan(1/5) − 4 atan(1/239)`)
//! and rounded to each width on use; `exp` reduces the argument by `ln 2` and by halvings, sums
//! the Taylor series and squares back.

use std::sync::OnceLock;

use super::Mp;

/// The widest width (4096 bits): constants are computed there once.
type Widest = Mp<64>;

/// π to the width of `Mp<L>`.
pub fn pi<const L: usize>() -> Mp<L> {
    static PI: OnceLock<Widest> = OnceLock::new();
    PI.get_or_init(|| {
        let sixteen = Widest::from_f64(16.0);
        let four = Widest::from_f64(4.0);
        sixteen * atan_inverse(5) - four * atan_inverse(239)
    })
    .convert()
}

/// `ln 2` to the width of `Mp<L>` (`2 atanh(1/3)`).
pub fn ln2<const L: usize>() -> Mp<L> {
    static LN2: OnceLock<Widest> = OnceLock::new();
    LN2.get_or_init(|| {
        // atanh(1/3) = Σ 1 / ((2k+1) 3^(2k+1))
        let third = Widest::one() / Widest::from_f64(3.0);
        let ninth = third * third;
        let mut power = third;
        let mut sum = Widest::ZERO;
        let mut k = 0u32;
        while power.exponent().unwrap_or(i64::MIN) > -(Widest::BITS as i64) - 8 {
            sum += power / Widest::from_f64(f64::from(2 * k + 1));
            power *= ninth;
            k += 1;
        }
        sum.mul_pow2(1)
    })
    .convert()
}

/// `atan(1/n)` by its Taylor series (`n >= 2`).
fn atan_inverse(n: u32) -> Widest {
    let x = Widest::one() / Widest::from_f64(f64::from(n));
    let x2 = x * x;
    let mut power = x;
    let mut sum = Widest::ZERO;
    let mut k = 0u32;
    while power.exponent().unwrap_or(i64::MIN) > -(Widest::BITS as i64) - 8 {
        let term = power / Widest::from_f64(f64::from(2 * k + 1));
        sum = if k.is_multiple_of(2) {
            sum + term
        } else {
            sum - term
        };
        power *= x2;
        k += 1;
    }
    sum
}

/// `e^x` (overflow to ∞, underflow to 0 outside the exponent range an `i64` holds).
pub fn exp<const L: usize>(x: Mp<L>) -> Mp<L> {
    if x.is_nan() {
        return x;
    }
    if !x.is_finite() {
        return if x.is_negative() { Mp::ZERO } else { x };
    }
    if x.is_zero() {
        return Mp::one();
    }
    let k = (x.to_f64() / std::f64::consts::LN_2).round();
    if k.abs() > 1e15 {
        return if k < 0.0 {
            Mp::ZERO
        } else {
            Mp::infinity(false)
        };
    }
    let r = x - Mp::from_f64(k) * ln2::<L>();
    // Halve s times so the series converges fast, then square s times.
    let s = ((Mp::<L>::BITS as f64).sqrt() / 2.0).ceil() as i64;
    let r = r.mul_pow2(-s);
    let mut term = Mp::<L>::one();
    let mut sum = Mp::<L>::one();
    let mut n = 1.0;
    while term.exponent().unwrap_or(i64::MIN) > -(Mp::<L>::BITS as i64) - 4 {
        term = term * r / Mp::from_f64(n);
        sum += term;
        n += 1.0;
    }
    for _ in 0..s {
        sum = sum * sum;
    }
    sum.mul_pow2(k as i64)
}
