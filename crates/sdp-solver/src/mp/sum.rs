//! [`MpSum<L>`]: a running sum `c + Σ a_k b_k` of [`Mp<L>`] numbers kept in fixed point and
//! rounded once, when read.
//!
//! Why: the solver's kernels (products, Cholesky, triangular solves) spend their time in
//! `acc = acc + a·b`. Done as two rounded operations, each product is normalised and rounded,
//! and each sum compares magnitudes, aligns, normalises and rounds again. Here a product's
//! unrounded top limbs are shifted into place and added to a two's-complement integer: no
//! comparison, no normalisation, one rounding at the end.
//!
//! Representation: a signed `(L+2)`-limb integer `N` (a guard limb `lo`, the `L` limbs `mid`
//! and a carry-and-sign limb `hi`) with `value = N · 2^(anchor − 64(L+1))`. Every term added
//! is below `2^anchor` in magnitude, so it fits in `lo..mid` and `hi` absorbs the carries of up
//! to 2^62 terms. A term larger than `2^anchor` moves the anchor up (shifting `N` right).
//!
//! Accuracy: each term is truncated below the guard limb and a product's guard limb is short by
//! fewer than `L` of its units (see `product_limbs`), an error under `(L+1)·2^(anchor−64(L+1))`
//! per term, i.e. `(L+1)·2^-64` of a unit in the last place of the largest term. The sum of `k`
//! terms is within `½ ulp + k(L+1)·2^(−64(L+1))·2^anchor` of the exact one: far below the
//! error of recursive summation, `Σ|terms|·ε` times up to `k`.

use super::{Class, Mp};

/// A fixed-point accumulator of products of [`Mp<L>`] numbers (see the module docs).
#[derive(Clone, Copy)]
pub struct MpSum<const L: usize> {
    lo: u64,
    mid: [u64; L],
    hi: u64,
    /// `None` until the first nonzero term.
    anchor: Option<i64>,
    /// NaN or an infinity met on the way (the sum is then that, by ordinary arithmetic).
    special: Option<Mp<L>>,
}

impl<const L: usize> Default for MpSum<L> {
    fn default() -> Self {
        Self {
            lo: 0,
            mid: [0; L],
            hi: 0,
            anchor: None,
            special: None,
        }
    }
}

/// Limb `k` of the `(L+2)`-limb integer `(lo, mid, hi)`, zero outside `0..L+2`.
#[inline(always)]
fn limb<const L: usize>(lo: u64, mid: &[u64; L], hi: u64, k: isize) -> u64 {
    if k == 0 {
        lo
    } else if k >= 1 && k <= L as isize {
        mid[k as usize - 1]
    } else if k == L as isize + 1 {
        hi
    } else {
        0
    }
}

impl<const L: usize> MpSum<L> {
    /// A sum that starts at `c`.
    pub fn new(c: Mp<L>) -> Self {
        let mut s = Self::default();
        s.add(c);
        s
    }

    /// Adds `x` (exactly: its mantissa fits above the guard limb).
    #[inline]
    pub fn add(&mut self, x: Mp<L>) {
        if x.class != Class::Finite {
            self.add_special(x);
            return;
        }
        if x.is_zero() {
            return;
        }
        self.add_aligned(0, &x.mant, x.exp, x.neg);
    }

    /// Adds `a · b`.
    #[inline]
    pub fn add_product(&mut self, a: Mp<L>, b: Mp<L>) {
        if a.class != Class::Finite || b.class != Class::Finite {
            self.add_special(a * b);
            return;
        }
        if a.is_zero() || b.is_zero() {
            return;
        }
        // The top L + 1 limbs of the 2L-limb product (partial products far below them
        // dropped, as in `Mul`): value (hi, guard) · 2^(exp − 64(L+1)), below 2^exp.
        let (low, high) = super::product_limbs(&a.mant, &b.mant);
        self.add_aligned(low[L - 1], &high, a.exp + b.exp, a.neg != b.neg);
    }

    #[cold]
    fn add_special(&mut self, x: Mp<L>) {
        self.special = Some(match self.special {
            Some(s) => s + x,
            None => x,
        });
    }

    /// Adds `±(mid, guard) · 2^(exp − 64(L+1))`, a value below `2^exp`.
    #[inline(always)]
    fn add_aligned(&mut self, guard: u64, mant: &[u64; L], exp: i64, neg: bool) {
        let anchor = match self.anchor {
            Some(a) if a >= exp => a,
            Some(a) => {
                self.shift_right((exp - a) as u64);
                self.anchor = Some(exp);
                exp
            }
            None => {
                self.anchor = Some(exp);
                exp
            }
        };
        let d = (anchor - exp) as u64;
        if d >= 64 * (L as u64 + 1) {
            return; // entirely below the guard limb
        }
        let q = (d / 64) as isize;
        let r = (d % 64) as u32;
        let ext = |k: isize| limb(guard, mant, 0, k);
        let shifted = |k: isize| {
            let low = ext(k + q);
            if r == 0 {
                low
            } else {
                (low >> r) | (ext(k + q + 1) << (64 - r))
            }
        };
        // A negative term is added as its two's complement: every limb flipped, plus one
        // (the first carry); above the term its flipped zeros are all ones.
        let flip = if neg { u64::MAX } else { 0 };
        let mut carry = neg;
        let mut adc = |x: &mut u64, y: u64| {
            let (s1, c1) = x.overflowing_add(y ^ flip);
            let (s2, c2) = s1.overflowing_add(carry as u64);
            *x = s2;
            carry = c1 | c2;
        };
        adc(&mut self.lo, shifted(0));
        for i in 0..L {
            adc(&mut self.mid[i], shifted(i as isize + 1));
        }
        self.hi = self.hi.wrapping_add(flip).wrapping_add(carry as u64);
    }

    /// `N ← N >> bits` (arithmetic: the sign is kept).
    #[cold]
    fn shift_right(&mut self, bits: u64) {
        let fill = if (self.hi as i64) < 0 { u64::MAX } else { 0 };
        if bits >= 64 * (L as u64 + 2) {
            // What is left is below the guard limb of the new anchor.
            self.lo = 0;
            self.mid = [0; L];
            self.hi = 0;
            return;
        }
        let q = (bits / 64) as isize;
        let r = (bits % 64) as u32;
        let (lo, mid, hi) = (self.lo, self.mid, self.hi);
        let get = |k: isize| {
            if k > L as isize + 1 {
                fill
            } else {
                limb(lo, &mid, hi, k)
            }
        };
        let shifted = |k: isize| {
            let low = get(k + q);
            if r == 0 {
                low
            } else {
                (low >> r) | (get(k + q + 1) << (64 - r))
            }
        };
        self.lo = shifted(0);
        for i in 0..L {
            self.mid[i] = shifted(i as isize + 1);
        }
        self.hi = shifted(L as isize + 1);
    }

    /// The sum, rounded to nearest (ties away from zero, as `Mul` rounds).
    pub fn value(&self) -> Mp<L> {
        if let Some(s) = self.special {
            return s;
        }
        let Some(anchor) = self.anchor else {
            return Mp::ZERO;
        };
        let neg = (self.hi as i64) < 0;
        let (mut lo, mut mid, mut hi) = (self.lo, self.mid, self.hi);
        if neg {
            // |N| = −N in two's complement: invert and add one.
            let (v, mut carry) = (!lo).overflowing_add(1);
            lo = v;
            for m in mid.iter_mut() {
                let (v, c) = (!*m).overflowing_add(carry as u64);
                *m = v;
                carry = c;
            }
            hi = (!hi).wrapping_add(carry as u64);
        }
        let Some(top) = (0..L as isize + 2)
            .rev()
            .find(|&k| limb(lo, &mid, hi, k) != 0)
        else {
            return Mp::ZERO;
        };
        let get = |k: isize| limb(lo, &mid, hi, k);
        let lz = get(top).leading_zeros();
        // Limb j below the leading bit (j = 0: the most significant), shifted left by lz.
        let aligned = |j: isize| {
            let v = get(top - j);
            if lz == 0 {
                v
            } else {
                (v << lz) | (get(top - j - 1) >> (64 - lz))
            }
        };
        let mut mant = [0u64; L];
        for (j, m) in mant.iter_mut().rev().enumerate() {
            *m = aligned(j as isize);
        }
        let guard = aligned(L as isize);
        let mut out = Mp {
            mant,
            exp: 64 * top as i64 + 64 - lz as i64 + anchor - 64 * (L as i64 + 1),
            neg,
            class: Class::Finite,
        };
        if guard >> 63 == 1 {
            out.increment_mantissa();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    type M = Mp<4>;

    /// A random number with a full 256-bit mantissa: a sum of scaled doubles.
    fn random(rng: &mut ChaCha8Rng, scale: i32) -> M {
        let mut x = M::ZERO;
        for k in 0..5 {
            x += M::from_f64(rng.random_range(-1.0..1.0) * 2f64.powi(scale - 53 * k));
        }
        x
    }

    /// Reference: the same sum in `Mp<8>` (twice the bits) with ordinary rounded operations,
    /// rounded to `Mp<4>` at the end.
    fn reference(c: M, terms: &[(M, M)]) -> M {
        let wide = |x: M| -> Mp<8> { x.convert() };
        let mut s = wide(c);
        for &(a, b) in terms {
            s += wide(a) * wide(b);
        }
        s.convert()
    }

    /// `|x − y|` in units of 2^-256 of the larger (two numbers each within ½ ulp of the exact
    /// sum are within 2 of these).
    fn ulps(x: M, y: M) -> f64 {
        let d = (x - y).abs();
        if d.is_zero() {
            return 0.0;
        }
        let scale = if x.abs() > y.abs() { x.abs() } else { y.abs() };
        (d / scale).to_f64() * 2f64.powi(256)
    }

    #[test]
    fn sums_of_products_are_within_an_ulp_of_a_wider_reference() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for trial in 0..400 {
            let n = rng.random_range(1..40);
            // Mixed magnitudes and signs, including terms far below the others.
            let spread = if trial % 4 == 0 { 300 } else { 20 };
            let draw = |rng: &mut ChaCha8Rng| {
                let scale = rng.random_range(-spread..spread);
                random(rng, scale)
            };
            let terms: Vec<(M, M)> = (0..n).map(|_| (draw(&mut rng), draw(&mut rng))).collect();
            let c = if trial % 3 == 0 {
                M::ZERO
            } else {
                draw(&mut rng)
            };
            let mut s = MpSum::new(c);
            for &(a, b) in &terms {
                s.add_product(a, b);
            }
            let got = s.value();
            let want = reference(c, &terms);
            assert!(
                ulps(got, want) <= 2.0,
                "trial {trial}: {} vs {} ({} ulps)",
                got.to_f64(),
                want.to_f64(),
                ulps(got, want)
            );
        }
    }

    #[test]
    fn cancellation_and_growth_of_the_anchor() {
        let x = M::from_f64(3.0).sqrt();
        // x·x − 3 with the large term first, then a term that moves the anchor up.
        let mut s = MpSum::new(M::from_f64(-3.0));
        s.add_product(x, x);
        let tiny = s.value();
        // x² − 3 is the rounding error of √3 (about 1e-77), which two rounded operations
        // lose (x·x rounds to 3) and one rounding keeps: compare with twice the bits.
        let wide: Mp<8> = x.convert();
        let exact = (wide * wide - Mp::<8>::from_f64(3.0)).to_f64();
        assert!(exact != 0.0 && (tiny.to_f64() - exact).abs() < 1e-12 * exact.abs());
        let mut s = MpSum::new(M::from_f64(2f64.powi(-100)));
        s.add_product(M::from_f64(2f64.powi(100)), M::from_f64(2f64.powi(30)));
        s.add(M::from_f64(-(2f64.powi(130))));
        // 2^-100 lies 230 bits below the new anchor, inside the 320 bits kept.
        assert_eq!(s.value().to_f64(), 2f64.powi(-100));
        // Exact cancellation to zero, and a negative result.
        let mut s = MpSum::new(M::from_f64(2.5));
        s.add_product(M::from_f64(-0.5), M::from_f64(5.0));
        assert!(s.value().is_zero());
        s.add(M::from_f64(-7.0));
        assert_eq!(s.value().to_f64(), -7.0);
        assert!(MpSum::<4>::default().value().is_zero());
    }

    #[test]
    fn non_finite_terms_propagate() {
        let mut s = MpSum::new(M::from_f64(1.0));
        s.add_product(M::infinity(false), M::from_f64(2.0));
        assert!(!s.value().is_finite() && !s.value().is_nan());
        s.add(M::infinity(true));
        assert!(s.value().is_nan());
        let mut s = MpSum::new(M::from_f64(1.0));
        s.add_product(M::infinity(false), M::ZERO);
        assert!(s.value().is_nan());
    }
}
