//! Inlined double-double arithmetic for the hot loops of the `fx128` kernels.
//!
//! `qd::Quad`'s operators are ordinary (not inlined) functions and its products call `fma`
//! through libm, which makes a multiply-add cost a few function calls. These are the same
//! algorithms (Dekker's and Knuth's error-free transformations, the "sloppy" sum that `Quad`'s
//! `+` uses as well), written to inline: Dekker's splitting product unless the build enables
//! hardware FMA.

use crate::scalar::fx128;

#[inline(always)]
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

#[inline(always)]
fn quick_two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    (s, b - (s - a))
}

#[inline(always)]
fn two_prod(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    if cfg!(target_feature = "fma") {
        (p, a.mul_add(b, -p))
    } else {
        const SPLIT: f64 = 134_217_729.0; // 2^27 + 1
        let t = SPLIT * a;
        let ah = t - (t - a);
        let al = a - ah;
        let t = SPLIT * b;
        let bh = t - (t - b);
        let bl = b - bh;
        (p, ((ah * bh - p) + ah * bl + al * bh) + al * bl)
    }
}

/// `a · b`.
#[inline(always)]
pub(crate) fn mul(a: fx128, b: fx128) -> fx128 {
    let (p, e) = two_prod(a.0, b.0);
    let e = e + (a.0 * b.1 + a.1 * b.0);
    let (s, t) = quick_two_sum(p, e);
    fx128 { 0: s, 1: t }
}

/// `a + b` (the same "sloppy" sum as `Quad`'s `+`).
#[inline(always)]
pub(crate) fn add(a: fx128, b: fx128) -> fx128 {
    let (s, e) = two_sum(a.0, b.0);
    let e = e + (a.1 + b.1);
    let (s, t) = quick_two_sum(s, e);
    fx128 { 0: s, 1: t }
}

/// `acc + a · b`.
#[inline(always)]
pub(crate) fn mul_add(acc: fx128, a: fx128, b: fx128) -> fx128 {
    add(acc, mul(a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_quad() {
        let x = fx128::from(1.0) / fx128::from(3.0);
        let y = fx128::from(2.0).sqrt();
        let z = fx128::from(-7.25) / fx128::from(11.0);
        for (a, b, c) in [(x, y, z), (z, x, y), (y, z, x)] {
            let ours = mul_add(a, b, c);
            let theirs = a + b * c;
            assert!((ours - theirs).abs().0 < 1e-31, "{ours:?} vs {theirs:?}");
        }
    }
}
