//! [`Mp<L>`]: a binary floating-point number with an `L`-limb (64·`L`-bit) mantissa, `Copy` and
//! allocation-free, for interior-point solves beyond double-double.
//!
//! Why our own type and not MPFR (`rug`) or a pure-Rust bignum float: the solver is generic over
//! a `Copy` scalar and its hot loops are multiply-adds over matrix columns. A heap-allocated
//! number makes every temporary an allocation (or forces the whole solver into in-place,
//! by-reference style); a fixed-size mantissa on the stack keeps the one generic code path and
//! costs no allocation. Measured on this machine (`bench/mp`): a 256-bit dot product runs at
//! about the speed of MPFR's `mpfr_fma` loop, without MPFR's per-number heap storage.
//!
//! Representation: `|x| = 0.m × 2^exp` with the mantissa `m` (limbs little-endian, `m[L-1]` the
//! most significant) normalised so that its top bit is set, i.e. `0.m ∈ [1/2, 1)`; zero has
//! `m = 0`. Infinities and NaN are kept as a class (they only signal failure: the solver stops
//! on non-finite values). The exponent range (`i64`) never overflows in practice.
//!
//! Rounding: every operation computes with at least one guard limb and rounds to nearest (ties
//! away from zero), so each result is within one unit in the last place (`2^(1−64L)` relative)
//! of the exact one. Division and square root are Newton iterations in this arithmetic,
//! started from `f64` and finished with one correction step: within a few units in the last
//! place. That is what an interior-point method needs; it is not MPFR's correct rounding.
//!
//! Submodules: [`decimal`] (text in and out), [`functions`] (π, `exp`, `ln`, `cos`), [`sum`]
//! (sums of products rounded once, for the kernels).

pub mod decimal;
pub mod functions;
pub mod sum;

use std::cmp::Ordering;
use std::fmt;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// What kind of number a value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// Zero or a normalised finite number.
    Finite,
    Infinite,
    Nan,
}

/// A floating-point number with a 64·`L`-bit mantissa (see the module docs).
#[derive(Clone, Copy)]
pub struct Mp<const L: usize> {
    mant: [u64; L],
    exp: i64,
    neg: bool,
    class: Class,
}

/// The multiprecision widths the solver is built for: `bits` is rounded up to one of these.
pub const MP_LIMBS: [usize; 8] = [2, 4, 6, 8, 12, 16, 32, 64];

impl<const L: usize> Mp<L> {
    /// Bits of the mantissa.
    pub const BITS: u32 = 64 * L as u32;

    pub const ZERO: Self = Self {
        mant: [0; L],
        exp: 0,
        neg: false,
        class: Class::Finite,
    };

    pub const NAN: Self = Self {
        mant: [0; L],
        exp: 0,
        neg: false,
        class: Class::Nan,
    };

    pub fn one() -> Self {
        Self::from_f64(1.0)
    }

    pub fn infinity(neg: bool) -> Self {
        Self {
            mant: [0; L],
            exp: 0,
            neg,
            class: Class::Infinite,
        }
    }

    pub fn is_zero(&self) -> bool {
        self.class == Class::Finite && self.mant[L - 1] == 0
    }

    pub fn is_finite(&self) -> bool {
        self.class == Class::Finite
    }

    pub fn is_nan(&self) -> bool {
        self.class == Class::Nan
    }

    pub fn is_negative(&self) -> bool {
        self.neg && !self.is_zero() && !self.is_nan()
    }

    pub fn abs(self) -> Self {
        Self { neg: false, ..self }
    }

    /// `x · 2^k`, exactly.
    pub fn mul_pow2(self, k: i64) -> Self {
        if self.class != Class::Finite || self.is_zero() {
            return self;
        }
        Self {
            exp: self.exp + k,
            ..self
        }
    }

    /// The binary exponent `e` with `|x| ∈ [2^(e−1), 2^e)` (`None` for zero and non-finite).
    pub fn exponent(&self) -> Option<i64> {
        (self.is_finite() && !self.is_zero()).then_some(self.exp)
    }

    /// Exact conversion from a double (every `f64` fits in one limb).
    pub fn from_f64(x: f64) -> Self {
        if x.is_nan() {
            return Self::NAN;
        }
        if x.is_infinite() {
            return Self::infinity(x < 0.0);
        }
        if x == 0.0 {
            return Self::ZERO;
        }
        let bits = x.to_bits();
        let neg = bits >> 63 == 1;
        let biased = ((bits >> 52) & 0x7ff) as i64;
        let frac = bits & ((1u64 << 52) - 1);
        // x = significand · 2^(e2) with an integer significand.
        let (significand, e2) = if biased == 0 {
            (frac, -1074)
        } else {
            (frac | (1u64 << 52), biased - 1075)
        };
        let shift = significand.leading_zeros();
        let mut mant = [0u64; L];
        mant[L - 1] = significand << shift;
        Self {
            mant,
            // significand << shift is 0.m · 2^64, so x = 0.m · 2^(64 − shift + e2).
            exp: 64 - shift as i64 + e2,
            neg,
            class: Class::Finite,
        }
    }

    /// The nearest double (rounded on the top limb; overflow to ±∞, underflow to ±0).
    pub fn to_f64(self) -> f64 {
        match self.class {
            Class::Nan => return f64::NAN,
            Class::Infinite => {
                return if self.neg {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                };
            }
            Class::Finite => {}
        }
        if self.is_zero() {
            return 0.0;
        }
        // The top 64 bits, with the next limb's top bit as a sticky rounding hint.
        let top = self.mant[L - 1];
        let below = if L > 1 { self.mant[L - 2] } else { 0 };
        let mut m = top as f64; // rounds to 53 bits
        if below >> 63 == 1 && (top & 0x7ff) == 0x400 {
            // exactly halfway in the top limb, but the rest pushes it above: round up
            m = (top | 0x7ff) as f64;
        }
        scale_f64(m, self.exp - 64) * if self.neg { -1.0 } else { 1.0 }
    }

    /// Widens or rounds to another width.
    pub fn convert<const M: usize>(self) -> Mp<M> {
        let mut out = Mp::<M> {
            mant: [0; M],
            exp: self.exp,
            neg: self.neg,
            class: self.class,
        };
        if self.class != Class::Finite || self.is_zero() {
            out.exp = 0;
            return out;
        }
        if M >= L {
            out.mant[M - L..].copy_from_slice(&self.mant);
            out
        } else {
            out.mant.copy_from_slice(&self.mant[L - M..]);
            let round_up = self.mant[L - M - 1] >> 63 == 1;
            if round_up {
                out.increment_mantissa();
            }
            out
        }
    }

    /// Adds one unit in the last place to the mantissa (after rounding up).
    fn increment_mantissa(&mut self) {
        for limb in self.mant.iter_mut() {
            let (v, carry) = limb.overflowing_add(1);
            *limb = v;
            if !carry {
                return;
            }
        }
        // Carried out of the top: the mantissa was all ones, now 1.000…
        self.mant[L - 1] = 1 << 63;
        self.exp += 1;
    }

    /// Compares magnitudes of two finite numbers.
    fn cmp_abs(&self, other: &Self) -> Ordering {
        match (self.is_zero(), other.is_zero()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        self.exp
            .cmp(&other.exp)
            .then_with(|| self.mant.iter().rev().cmp(other.mant.iter().rev()))
    }

    /// `self ± other` when both are finite and nonzero (`subtract` flips `other`'s sign).
    ///
    /// The smaller operand is shifted into the mantissa's `L` limbs plus one guard limb; bits
    /// below the guard limb are dropped. Rounding to nearest with ties away from zero needs only
    /// the guard limb's top bit, so the result is within half a unit in the last place, plus at
    /// most 2^−64 units from the dropped bits in a subtraction.
    #[inline]
    fn add_finite(self, other: Self, subtract: bool) -> Self {
        let other_neg = other.neg ^ subtract;
        let (a, b, result_neg) = if self.cmp_abs(&other) == Ordering::Less {
            (other, self, other_neg)
        } else {
            (self, other, self.neg)
        };
        let d = (a.exp - b.exp) as u64;
        if d > 64 * (L as u64 + 1) {
            // b lies entirely below the guard limb: it cannot move the rounding.
            return Self {
                neg: result_neg,
                ..a
            };
        }
        // b shifted right by d bits: limbs `bs` and the guard limb `g` below them. In the
        // (L+1)-limb view of b, limb 0 is a zero guard and limb k ≥ 1 is b.mant[k − 1].
        let q = (d / 64) as usize;
        let r = (d % 64) as u32;
        let ext = |k: usize| {
            if (1..=L).contains(&k) {
                b.mant[k - 1]
            } else {
                0
            }
        };
        let shifted = |k: usize| {
            let lo = ext(k + q);
            if r == 0 {
                lo
            } else {
                (lo >> r) | (ext(k + q + 1) << (64 - r))
            }
        };
        let mut g = shifted(0);
        let mut m = [0u64; L];
        let mut exp = a.exp;
        if self.neg == other_neg {
            let mut carry = false;
            for i in 0..L {
                let (s1, c1) = a.mant[i].overflowing_add(shifted(i + 1));
                let (s2, c2) = s1.overflowing_add(carry as u64);
                m[i] = s2;
                carry = c1 | c2;
            }
            if carry {
                g = (g >> 1) | (m[0] << 63);
                for i in 0..L - 1 {
                    m[i] = (m[i] >> 1) | (m[i + 1] << 63);
                }
                m[L - 1] = (m[L - 1] >> 1) | (1 << 63);
                exp += 1;
            }
        } else {
            let mut borrow = g != 0;
            g = g.wrapping_neg();
            for i in 0..L {
                let (d1, b1) = a.mant[i].overflowing_sub(shifted(i + 1));
                let (d2, b2) = d1.overflowing_sub(borrow as u64);
                m[i] = d2;
                borrow = b1 | b2;
            }
            // Normalise: count the leading zeros of (m, g) and shift them out.
            let mut lz = 0u32;
            let mut top = L;
            while top > 0 && m[top - 1] == 0 {
                top -= 1;
                lz += 64;
            }
            if top == 0 {
                if g == 0 {
                    return Self::ZERO;
                }
                // Everything left is in the guard limb (d ≤ 1: the result is exact).
                m[L - 1] = g << g.leading_zeros();
                return Mp {
                    mant: m,
                    exp: exp - lz as i64 - g.leading_zeros() as i64,
                    neg: result_neg,
                    class: Class::Finite,
                };
            }
            lz += m[top - 1].leading_zeros();
            if lz > 0 {
                let limbs = (lz / 64) as usize;
                let bits = lz % 64;
                // The (L+1)-limb value (m, g) shifted left by lz bits.
                let full = |k: usize| if k == 0 { g } else { m[k - 1] };
                let mut out = [0u64; L];
                for (i, o) in out.iter_mut().enumerate() {
                    let k = i + 1;
                    let hi = if k >= limbs { full(k - limbs) } else { 0 };
                    let lo = if k > limbs { full(k - limbs - 1) } else { 0 };
                    *o = if bits == 0 {
                        hi
                    } else {
                        (hi << bits) | (lo >> (64 - bits))
                    };
                }
                let hi = if limbs == 0 { g } else { 0 };
                g = if bits == 0 { hi } else { hi << bits };
                m = out;
                exp -= lz as i64;
            }
        }
        let mut out = Mp {
            mant: m,
            exp,
            neg: result_neg,
            class: Class::Finite,
        };
        if g >> 63 == 1 {
            out.increment_mantissa();
        }
        out
    }
}

/// `m · 2^e` in `f64` without intermediate overflow or underflow.
fn scale_f64(m: f64, e: i64) -> f64 {
    let mut x = m;
    let mut e = e;
    while e > 1000 {
        x *= 2f64.powi(1000);
        e -= 1000;
        if x.is_infinite() {
            return x;
        }
    }
    while e < -1000 {
        x *= 2f64.powi(-1000);
        e += 1000;
        if x == 0.0 {
            return x;
        }
    }
    x * 2f64.powi(e as i32)
}

impl<const L: usize> Add for Mp<L> {
    type Output = Self;
    #[inline]
    fn add(self, rhs: Self) -> Self {
        match (self.class, rhs.class) {
            (Class::Finite, Class::Finite) => {}
            (Class::Nan, _) | (_, Class::Nan) => return Self::NAN,
            (Class::Infinite, Class::Infinite) if self.neg != rhs.neg => return Self::NAN,
            (Class::Infinite, _) => return self,
            (_, Class::Infinite) => return rhs,
        }
        if rhs.is_zero() {
            return self;
        }
        if self.is_zero() {
            return rhs;
        }
        self.add_finite(rhs, false)
    }
}

impl<const L: usize> Sub for Mp<L> {
    type Output = Self;
    #[inline]
    fn sub(self, rhs: Self) -> Self {
        self + (-rhs)
    }
}

impl<const L: usize> Neg for Mp<L> {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        if self.is_zero() {
            return self;
        }
        Self {
            neg: !self.neg,
            ..self
        }
    }
}

impl<const L: usize> Mul for Mp<L> {
    type Output = Self;
    #[inline]
    fn mul(self, rhs: Self) -> Self {
        let neg = self.neg != rhs.neg;
        match (self.class, rhs.class) {
            (Class::Finite, Class::Finite) => {}
            (Class::Nan, _) | (_, Class::Nan) => return Self::NAN,
            _ => {
                if self.is_zero() || rhs.is_zero() {
                    return Self::NAN;
                }
                return Self::infinity(neg);
            }
        }
        if self.is_zero() || rhs.is_zero() {
            return Self::ZERO;
        }
        mul_mantissas(&self.mant, &rhs.mant, self.exp + rhs.exp, neg)
    }
}

/// The 2L-limb product of two mantissas as (low, high) halves, partial products more than
/// one limb below the high half dropped: the low half's top limb (the guard) is then short by
/// fewer than L units of its last bit, `L·2^-64` of a unit in the last place of the product,
/// and the limbs below it are not exact. (Two limbs below cost 49 instead of 43 limb products
/// at 512 bits.)
#[inline(always)]
fn product_limbs<const L: usize>(a: &[u64; L], b: &[u64; L]) -> ([u64; L], [u64; L]) {
    // Limb k at p[k / L][k % L] (no branch in the inner loop).
    let mut p = [[0u64; L]; 2];
    let lowest = L.saturating_sub(2);
    for i in 0..L {
        let ai = a[i] as u128;
        let mut carry: u128 = 0;
        for j in lowest.saturating_sub(i)..L {
            let k = i + j;
            let slot = &mut p[k / L][k % L];
            let t = ai * b[j] as u128 + *slot as u128 + carry;
            *slot = t as u64;
            carry = t >> 64;
        }
        // Limb i + L is untouched so far in this row: the carry lands there.
        p[1][i] = carry as u64;
    }
    let [lo, hi] = p;
    (lo, hi)
}

/// The rounded product of two normalised mantissas. Partial products more than one limb
/// below the kept ones are dropped: they change at most the lowest guard bits, far below the
/// rounding bit.
#[inline]
fn mul_mantissas<const L: usize>(a: &[u64; L], b: &[u64; L], exp: i64, neg: bool) -> Mp<L> {
    let (lo, hi) = product_limbs(a, b);
    // The product of two values in [1/2, 1) lies in [1/4, 1): normalise by at most one bit.
    let (mant, guard, exp) = if hi[L - 1] >> 63 == 1 {
        (hi, lo[L - 1], exp)
    } else {
        let mut m = [0u64; L];
        m[0] = (hi[0] << 1) | (lo[L - 1] >> 63);
        for i in 1..L {
            m[i] = (hi[i] << 1) | (hi[i - 1] >> 63);
        }
        let below = if L >= 2 { lo[L - 2] } else { 0 };
        (m, (lo[L - 1] << 1) | (below >> 63), exp - 1)
    };
    let mut out = Mp {
        mant,
        exp,
        neg,
        class: Class::Finite,
    };
    if guard >> 63 == 1 {
        out.increment_mantissa();
    }
    out
}

impl<const L: usize> Div for Mp<L> {
    type Output = Self;
    fn div(self, rhs: Self) -> Self {
        let neg = self.neg != rhs.neg;
        match (self.class, rhs.class) {
            (Class::Nan, _) | (_, Class::Nan) => return Self::NAN,
            (Class::Infinite, Class::Infinite) => return Self::NAN,
            (Class::Infinite, _) => return Self::infinity(neg),
            (_, Class::Infinite) => return Self::ZERO,
            _ => {}
        }
        if rhs.is_zero() {
            return if self.is_zero() {
                Self::NAN
            } else {
                Self::infinity(neg)
            };
        }
        if self.is_zero() {
            return Self::ZERO;
        }
        let r = rhs.recip();
        // One correction step: q = a r + r (a − b (a r)).
        let q = self * r;
        let residual = self - rhs * q;
        q + residual * r
    }
}

impl<const L: usize> Mp<L> {
    /// `1 / x` by Newton's iteration `r ← r + r (1 − x r)` from the `f64` reciprocal.
    pub fn recip(self) -> Self {
        if !self.is_finite() || self.is_zero() {
            return Self::one() / self;
        }
        // Scale x to [1/2, 1) so the f64 start cannot overflow.
        let e = self.exp;
        let x = self.mul_pow2(-e);
        let one = Self::one();
        let mut r = Self::from_f64(1.0 / x.to_f64());
        let mut correct_bits = 50u32;
        while correct_bits < Self::BITS + 8 {
            r = r + r * (one - x * r);
            correct_bits *= 2;
        }
        r.mul_pow2(-e)
    }

    /// `√x` (NaN for negative `x`) by Newton's iteration on `1/√x`, then one correction step.
    pub fn sqrt(self) -> Self {
        if self.is_nan() || self.is_negative() {
            return Self::NAN;
        }
        if self.is_zero() || !self.is_finite() {
            return self;
        }
        // Scale by an even power of two to [1/4, 1).
        let e = self.exp - self.exp.rem_euclid(2);
        let x = self.mul_pow2(-e);
        let half = Self::from_f64(0.5);
        let one = Self::one();
        let mut y = Self::from_f64(1.0 / x.to_f64().sqrt());
        let mut correct_bits = 50u32;
        while correct_bits < Self::BITS + 8 {
            y = y + y * half * (one - x * y * y);
            correct_bits *= 2;
        }
        let s = x * y;
        let s = s + y * half * (x - s * s);
        s.mul_pow2(e / 2)
    }

    /// `self + a · b` (one rounding for the product and one for the sum).
    #[inline]
    pub fn mul_add(self, a: Self, b: Self) -> Self {
        self + a * b
    }
}

macro_rules! assign_op {
    ($trait:ident, $method:ident, $op:tt) => {
        impl<const L: usize> $trait for Mp<L> {
            #[inline]
            fn $method(&mut self, rhs: Self) {
                *self = *self $op rhs;
            }
        }
    };
}
assign_op!(AddAssign, add_assign, +);
assign_op!(SubAssign, sub_assign, -);
assign_op!(MulAssign, mul_assign, *);
assign_op!(DivAssign, div_assign, /);

impl<const L: usize> PartialEq for Mp<L> {
    fn eq(&self, other: &Self) -> bool {
        self.partial_cmp(other) == Some(Ordering::Equal)
    }
}

impl<const L: usize> PartialOrd for Mp<L> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        if self.is_nan() || other.is_nan() {
            return None;
        }
        let sign = |x: &Self| -> i8 {
            if x.is_zero() {
                0
            } else if x.neg {
                -1
            } else {
                1
            }
        };
        let (sa, sb) = (sign(self), sign(other));
        if sa != sb {
            return Some(sa.cmp(&sb));
        }
        let magnitude = match (self.class, other.class) {
            (Class::Infinite, Class::Infinite) => Ordering::Equal,
            (Class::Infinite, _) => Ordering::Greater,
            (_, Class::Infinite) => Ordering::Less,
            _ => self.cmp_abs(other),
        };
        Some(if sa < 0 {
            magnitude.reverse()
        } else {
            magnitude
        })
    }
}

impl<const L: usize> std::iter::Sum for Mp<L> {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ZERO, |a, b| a + b)
    }
}

impl<const L: usize> Default for Mp<L> {
    fn default() -> Self {
        Self::ZERO
    }
}

impl<const L: usize> fmt::Debug for Mp<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", decimal::to_decimal(*self, 20))
    }
}

impl<const L: usize> fmt::Display for Mp<L> {
    /// Every digit the width holds (`64·L·log10(2)` significant digits).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = (Self::BITS as f64 * std::f64::consts::LOG10_2).floor() as usize;
        write!(f, "{}", decimal::to_decimal(*self, digits))
    }
}

#[cfg(test)]
mod tests;
