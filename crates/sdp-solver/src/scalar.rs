//! The scalar types the solver runs in: `f64`, faer's double-double `fx128`, and the
//! multiprecision [`Mp<L>`](crate::mp::Mp) (64·L bits).
//!
//! Everything numerical in this crate is generic over [`Real`], so one code path serves the
//! fast double-precision solve, the ~32-digit double-double solve and the arbitrary-precision
//! solves the sphere-packing bounds need at high degree. The trait is the arithmetic the
//! solver uses (operators, comparisons, conversions, `sqrt`, decimal text) and the dense
//! kernels that each type implements its own way; it does not require faer's `RealField`, so a
//! type faer knows nothing of can implement it.

use std::fmt::Debug;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use faer::{MatMut, MatRef, Par};

use crate::dense;
use crate::mp::{Mp, decimal, functions};
use crate::problem::{ProblemError, SdpProblem};
use crate::solver::{Monitor, SdpOptions, SdpSolution, solve_with_monitor};

pub use faer::fx128;

/// The widest scalar: conversions between precisions go through it losslessly.
pub type Wide = Mp<64>;

/// An accumulator of `c + Σ a·b` (see [`Real::Sum`]).
pub trait SumOfProducts<T>: Copy + Send + Sync {
    /// The sum that starts at `c`.
    fn start(c: T) -> Self;
    fn add_product(&mut self, a: T, b: T);
    /// The sum, rounded to `T`.
    fn value(&self) -> T;
}

/// `f64` and `fx128` accumulate in themselves (`Real::mul_add`).
macro_rules! plain_sum {
    ($($t:ty),*) => {$(
        impl SumOfProducts<$t> for $t {
            #[inline(always)]
            fn start(c: $t) -> Self {
                c
            }
            #[inline(always)]
            fn add_product(&mut self, a: $t, b: $t) {
                *self = Real::mul_add(*self, a, b);
            }
            #[inline(always)]
            fn value(&self) -> $t {
                *self
            }
        }
    )*};
}
plain_sum!(f64, fx128);

impl<const L: usize> SumOfProducts<Mp<L>> for crate::mp::sum::MpSum<L> {
    #[inline(always)]
    fn start(c: Mp<L>) -> Self {
        Self::new(c)
    }
    #[inline(always)]
    fn add_product(&mut self, a: Mp<L>, b: Mp<L>) {
        crate::mp::sum::MpSum::add_product(self, a, b)
    }
    #[inline(always)]
    fn value(&self) -> Mp<L> {
        crate::mp::sum::MpSum::value(self)
    }
}

/// A real scalar the interior-point method can run in.
pub trait Real:
    Copy
    + Send
    + Sync
    + Debug
    + PartialEq
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + 'static
{
    /// A running `c + Σ a·b` for the kernels' inner loops: fixed point and rounded once for
    /// `Mp` ([`crate::mp::sum`]), the type itself for `f64` and `fx128`.
    type Sum: SumOfProducts<Self>;
    /// `"f64"`, `"dd"` or `"mp"` (the `precision` parameter's names).
    const NAME: &'static str;
    /// Bits of the mantissa (53, 106, 64·L).
    const BITS: u32;

    fn zero() -> Self;
    fn one() -> Self;
    /// Unit roundoff of the type (2^-53 for `f64`, about 2^-105 for `fx128`, 2^(−64L) for
    /// `Mp<L>`), in the type itself (for `Mp<64>` it is below the range of `f64`).
    fn epsilon() -> Self;
    /// π to the precision of the type.
    fn pi() -> Self;
    fn from_f64(x: f64) -> Self;
    /// The nearest `f64` (the leading component for `fx128`).
    fn to_f64(self) -> f64;
    fn sqrt(self) -> Self;
    fn abs(self) -> Self;
    /// Parses a decimal number (`-1.25e-3`, `+4`, `.5`) to full precision of the type.
    fn parse_decimal(text: &str) -> Option<Self>;
    /// Decimal text that reads back to the same value with [`Real::parse_decimal`].
    fn to_decimal(self) -> String;
    /// Lossless widening to the widest type (conversions between precisions go through it).
    fn to_wide(self) -> Wide;
    /// Rounds a value of the widest type to this type.
    fn from_wide(x: Wide) -> Self;
    /// `dst = (accumulate ? dst : 0) + alpha · a · b`.
    fn gemm(
        dst: MatMut<'_, Self>,
        accumulate: bool,
        a: MatRef<'_, Self>,
        b: MatRef<'_, Self>,
        alpha: Self,
        par: Par,
    );
    /// Lower Cholesky factorization in place (lower triangle); `false` if not positive definite.
    fn cholesky_in_place(a: MatMut<'_, Self>, par: Par) -> bool;
    /// [`solve_with_monitor`](crate::solver::solve_with_monitor) in this type. Each impl is a
    /// concrete (non-generic) function, so the interior-point code is compiled once per scalar,
    /// here, and not again in every crate that solves in that scalar.
    fn solve(
        problem: &SdpProblem<Self>,
        options: &SdpOptions<Self>,
        monitor: &mut Monitor<'_>,
    ) -> Result<SdpSolution<Self>, ProblemError>;
    /// Solves `L X = B` in place for lower triangular `L`.
    fn solve_lower(l: MatRef<'_, Self>, rhs: MatMut<'_, Self>, par: Par);
    /// Solves `Lᵀ X = B` in place for lower triangular `L`.
    fn solve_lower_transpose(l: MatRef<'_, Self>, rhs: MatMut<'_, Self>, par: Par);
    /// Converts between precisions, rounding when the target is narrower.
    fn cast<U: Real>(self) -> U {
        U::from_wide(self.to_wide())
    }

    fn from_usize(n: usize) -> Self {
        Self::from_f64(n as f64)
    }
    fn max(self, other: Self) -> Self {
        if self >= other { self } else { other }
    }
    /// `self + a · b` (inlined double-double arithmetic for `fx128`; not fused for `f64`).
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// `self · b`, inlined (`Quad`'s `*` is a function call).
    fn mul_fast(self, b: Self) -> Self;
    fn min(self, other: Self) -> Self {
        if self <= other { self } else { other }
    }
    fn is_finite_value(self) -> bool {
        self.to_f64().is_finite()
    }
}

impl Real for f64 {
    type Sum = f64;
    const NAME: &'static str = "f64";
    const BITS: u32 = 53;

    fn zero() -> Self {
        0.0
    }
    fn one() -> Self {
        1.0
    }
    fn epsilon() -> Self {
        f64::EPSILON / 2.0
    }
    fn pi() -> Self {
        std::f64::consts::PI
    }
    fn from_f64(x: f64) -> Self {
        x
    }
    fn to_f64(self) -> f64 {
        self
    }
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
    fn abs(self) -> Self {
        f64::abs(self)
    }
    fn parse_decimal(text: &str) -> Option<Self> {
        let value: f64 = text.parse().ok()?;
        value.is_finite().then_some(value)
    }
    fn to_decimal(self) -> String {
        format!("{self:e}")
    }
    fn to_wide(self) -> Wide {
        Wide::from_f64(self)
    }
    fn from_wide(x: Wide) -> Self {
        x.to_f64()
    }
    #[inline(always)]
    fn mul_add(self, a: Self, b: Self) -> Self {
        self + a * b
    }
    #[inline(always)]
    fn mul_fast(self, b: Self) -> Self {
        self * b
    }
    fn gemm(
        dst: MatMut<'_, Self>,
        accumulate: bool,
        a: MatRef<'_, Self>,
        b: MatRef<'_, Self>,
        alpha: Self,
        par: Par,
    ) {
        dense::faer_gemm(dst, accumulate, a, b, alpha, par)
    }
    fn cholesky_in_place(a: MatMut<'_, Self>, par: Par) -> bool {
        dense::faer_cholesky_in_place(a, par)
    }
    fn solve(
        problem: &SdpProblem<Self>,
        options: &SdpOptions<Self>,
        monitor: &mut Monitor<'_>,
    ) -> Result<SdpSolution<Self>, ProblemError> {
        solve_with_monitor(problem, options, monitor)
    }
    fn solve_lower(l: MatRef<'_, Self>, rhs: MatMut<'_, Self>, par: Par) {
        dense::faer_solve_lower(l, rhs, par)
    }
    fn solve_lower_transpose(l: MatRef<'_, Self>, rhs: MatMut<'_, Self>, par: Par) {
        dense::faer_solve_lower_transpose(l, rhs, par)
    }
}

impl Real for fx128 {
    type Sum = fx128;
    const NAME: &'static str = "dd";
    const BITS: u32 = 106;

    fn zero() -> Self {
        fx128::from(0.0)
    }
    fn one() -> Self {
        fx128::from(1.0)
    }
    fn epsilon() -> Self {
        fx128::from(f64::EPSILON * f64::EPSILON / 4.0)
    }
    fn pi() -> Self {
        fx128 {
            0: std::f64::consts::PI,
            1: 1.224_646_799_147_353_2e-16,
        }
    }
    fn to_wide(self) -> Wide {
        Wide::from_f64(self.0) + Wide::from_f64(self.1)
    }
    fn from_wide(x: Wide) -> Self {
        let hi = x.to_f64();
        let lo = (x - Wide::from_f64(hi)).to_f64();
        let s = hi + lo;
        fx128 {
            0: s,
            1: lo - (s - hi),
        }
    }
    #[inline(always)]
    fn mul_add(self, a: Self, b: Self) -> Self {
        crate::dd::mul_add(self, a, b)
    }
    #[inline(always)]
    fn mul_fast(self, b: Self) -> Self {
        crate::dd::mul(self, b)
    }
    fn gemm(
        dst: MatMut<'_, Self>,
        accumulate: bool,
        a: MatRef<'_, Self>,
        b: MatRef<'_, Self>,
        alpha: Self,
        par: Par,
    ) {
        crate::dd::gemm(dst, accumulate, a, b, alpha, par)
    }
    fn cholesky_in_place(a: MatMut<'_, Self>, par: Par) -> bool {
        crate::dd::cholesky_in_place(a, par)
    }
    fn solve(
        problem: &SdpProblem<Self>,
        options: &SdpOptions<Self>,
        monitor: &mut Monitor<'_>,
    ) -> Result<SdpSolution<Self>, ProblemError> {
        solve_with_monitor(problem, options, monitor)
    }
    fn solve_lower(l: MatRef<'_, Self>, rhs: MatMut<'_, Self>, par: Par) {
        crate::dd::solve_lower(l, rhs, par)
    }
    fn solve_lower_transpose(l: MatRef<'_, Self>, rhs: MatMut<'_, Self>, par: Par) {
        crate::dd::solve_lower_transpose(l, rhs, par)
    }
    fn from_f64(x: f64) -> Self {
        fx128::from(x)
    }
    fn to_f64(self) -> f64 {
        self.0 + self.1
    }
    fn sqrt(self) -> Self {
        if self.0 <= 0.0 {
            return fx128::from(if self.0 == 0.0 { 0.0 } else { f64::NAN });
        }
        fx128::sqrt(self)
    }
    fn abs(self) -> Self {
        fx128::abs(self)
    }
    fn parse_decimal(text: &str) -> Option<Self> {
        let d = Decimal::parse(text)?;
        // The digits are exact in double-double up to 31 of them; the power of ten is rounded
        // once, so the result is within a few units of the last place.
        let mut mantissa = fx128::from(0.0);
        let ten = fx128::from(10.0);
        for &digit in &d.digits {
            mantissa = mantissa * ten + fx128::from(f64::from(digit));
        }
        let exponent = d.exponent;
        if exponent.unsigned_abs() > 400 {
            // Beyond the range of f64 either way: let f64 parsing say overflow or zero.
            let value: f64 = text.parse().ok()?;
            return value.is_finite().then(|| fx128::from(value));
        }
        let scale = pow10(exponent.unsigned_abs());
        let value = if exponent >= 0 {
            mantissa * scale
        } else {
            mantissa / scale
        };
        let value = if d.negative { -value } else { value };
        value.is_finite().then_some(value)
    }
    fn to_decimal(self) -> String {
        if !self.is_finite() {
            return format!("{}", self.0);
        }
        if self.1 == 0.0 {
            return format!("{:e}", self.0); // a double: its shortest exact form
        }
        // 33 significant digits: one more than double-double holds, so the text reads back.
        let negative = self.0 < 0.0;
        let mut y = fx128::abs(self);
        let mut exponent = y.0.log10().floor() as i32;
        let scale = pow10(exponent.unsigned_abs());
        y = if exponent >= 0 { y / scale } else { y * scale };
        let ten = fx128::from(10.0);
        if y >= ten {
            y /= ten;
            exponent += 1;
        } else if y < fx128::from(1.0) {
            y *= ten;
            exponent -= 1;
        }
        let mut digits = String::with_capacity(40);
        for k in 0..33 {
            let mut d = y.0.floor();
            if (y - fx128::from(d)).0 < 0.0 {
                d -= 1.0;
            }
            let d = d.clamp(0.0, 9.0);
            digits.push(char::from(b'0' + d as u8));
            if k == 0 {
                digits.push('.');
            }
            y = (y - fx128::from(d)) * ten;
        }
        format!("{}{digits}e{exponent}", if negative { "-" } else { "" })
    }
}

/// `Real` for each width of [`MP_LIMBS`](crate::mp::MP_LIMBS) (concrete impls: see
/// [`Real::solve`]).
macro_rules! impl_real_for_mp {
    ($($l:literal),*) => {$(
        impl Real for Mp<$l> {
            type Sum = crate::mp::sum::MpSum<$l>;
            const NAME: &'static str = "mp";
            const BITS: u32 = 64 * $l;

            fn zero() -> Self {
                Mp::ZERO
            }
            fn one() -> Self {
                Mp::one()
            }
            fn epsilon() -> Self {
                Mp::one().mul_pow2(-(64 * $l))
            }
            fn pi() -> Self {
                functions::pi()
            }
            fn from_f64(x: f64) -> Self {
                Mp::from_f64(x)
            }
            fn to_f64(self) -> f64 {
                Mp::to_f64(self)
            }
            fn sqrt(self) -> Self {
                if self.is_zero() || self.is_negative() {
                    return if self.is_zero() { self } else { Mp::NAN };
                }
                Mp::sqrt(self)
            }
            fn abs(self) -> Self {
                Mp::abs(self)
            }
            fn parse_decimal(text: &str) -> Option<Self> {
                decimal::parse(text).filter(Mp::is_finite)
            }
            fn to_decimal(self) -> String {
                // Every digit the width holds, and two more so the text reads back.
                let digits = (Self::BITS as f64 * std::f64::consts::LOG10_2).ceil() as usize + 2;
                decimal::to_decimal(self, digits)
            }
            fn to_wide(self) -> Wide {
                self.convert()
            }
            fn from_wide(x: Wide) -> Self {
                x.convert()
            }
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                self + a * b
            }
            #[inline(always)]
            fn mul_fast(self, b: Self) -> Self {
                self * b
            }
            fn is_finite_value(self) -> bool {
                self.is_finite()
            }
            fn gemm(
                dst: MatMut<'_, Self>,
                accumulate: bool,
                a: MatRef<'_, Self>,
                b: MatRef<'_, Self>,
                alpha: Self,
                par: Par,
            ) {
                dense::generic_gemm(dst, accumulate, a, b, alpha, par)
            }
            fn cholesky_in_place(a: MatMut<'_, Self>, par: Par) -> bool {
                dense::generic_cholesky_in_place(a, par)
            }
            fn solve(
                problem: &SdpProblem<Self>,
                options: &SdpOptions<Self>,
                monitor: &mut Monitor<'_>,
            ) -> Result<SdpSolution<Self>, ProblemError> {
                solve_with_monitor(problem, options, monitor)
            }
            fn solve_lower(l: MatRef<'_, Self>, rhs: MatMut<'_, Self>, par: Par) {
                dense::generic_solve_lower(l, rhs, par)
            }
            fn solve_lower_transpose(l: MatRef<'_, Self>, rhs: MatMut<'_, Self>, par: Par) {
                dense::generic_solve_lower_transpose(l, rhs, par)
            }
        }
    )*};
}

impl_real_for_mp!(2, 4, 6, 8, 12, 16, 32, 64);

/// `x` in scientific notation with `digits` significant digits, whatever its type.
pub fn to_decimal_digits<T: Real>(x: T, digits: usize) -> String {
    decimal::to_decimal(x.to_wide(), digits)
}

/// 10^k in double-double by binary powering (each product rounds to about 1e-32).
fn pow10(mut k: u32) -> fx128 {
    let mut result = fx128::from(1.0);
    let mut base = fx128::from(10.0);
    while k > 0 {
        if k & 1 == 1 {
            result *= base;
        }
        base = base * base;
        k >>= 1;
    }
    result
}

/// A decimal number split into its digits and a power of ten.
struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    exponent: i32,
}

impl Decimal {
    fn parse(text: &str) -> Option<Self> {
        let bytes = text.trim().as_bytes();
        let mut i = 0;
        let mut negative = false;
        if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
            negative = bytes[i] == b'-';
            i += 1;
        }
        let mut digits = Vec::new();
        let mut exponent: i32 = 0;
        let mut seen_digit = false;
        let mut seen_point = false;
        while i < bytes.len() {
            match bytes[i] {
                b'0'..=b'9' => {
                    seen_digit = true;
                    if digits.is_empty() && bytes[i] == b'0' {
                        // leading zeros carry no digits
                    } else if digits.len() < 34 {
                        digits.push(bytes[i] - b'0');
                    } else {
                        exponent += 1; // digits beyond double-double precision only scale
                    }
                    if seen_point {
                        exponent -= 1;
                    }
                }
                b'.' if !seen_point => seen_point = true,
                b'e' | b'E' | b'd' | b'D' => break,
                _ => return None,
            }
            i += 1;
        }
        if !seen_digit {
            return None;
        }
        if i < bytes.len() {
            let rest = std::str::from_utf8(&bytes[i + 1..]).ok()?;
            let e: i32 = rest.strip_prefix('+').unwrap_or(rest).parse().ok()?;
            exponent = exponent.checked_add(e)?;
        }
        Some(Decimal {
            negative,
            digits,
            exponent,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimals_in_both_precisions() {
        for (text, value) in [
            ("1.5", 1.5),
            ("-2e3", -2000.0),
            ("+.25", 0.25),
            ("7", 7.0),
            ("1.0D-2", 0.01),
        ] {
            assert_eq!(
                <f64 as Real>::parse_decimal(text).or_else(|| text.replace('D', "e").parse().ok()),
                Some(value),
                "{text}"
            );
            assert_eq!(
                fx128::parse_decimal(text).unwrap().to_f64(),
                value,
                "{text}"
            );
        }
        for bad in ["", "-", "1.2.3", "abc", "1e", "1x"] {
            assert!(fx128::parse_decimal(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn double_double_parsing_keeps_thirty_digits() {
        // 0.1 is not a double; in double-double 10 * 0.1 - 1 must vanish to ~1e-32, where the
        // f64 value of 0.1 leaves 5.55e-17 (the f64 rounding error of 0.1).
        let tenth = fx128::parse_decimal("0.1").unwrap();
        let err = (tenth * fx128::from(10.0) - fx128::from(1.0))
            .abs()
            .to_f64();
        assert!(err < 1e-31, "{err}");
        let third = fx128::parse_decimal("0.3333333333333333333333333333333333").unwrap();
        let err = (third * fx128::from(3.0) - fx128::from(1.0)).abs().to_f64();
        assert!(err < 1e-31, "{err}");
        // Round trip through the text form.
        for x in [
            fx128::from(2.0).sqrt(),
            -fx128::from(1.0) / fx128::from(3.0) * fx128::from(1e-40),
            fx128::from(123456.0),
        ] {
            let back = fx128::parse_decimal(&x.to_decimal()).unwrap();
            let err = ((back - x) / x).abs().to_f64();
            assert!(err < 1e-31, "{} -> {err}", x.to_decimal());
        }
    }
}
