//! Level-1 vector operations on `&[f64]`, with BLAS's argument order (`axpy(a, x, y)` updates
//! `y`).
//!
//! The solvers keep their iterates in plain `Vec<f64>`s, so these take slices rather than faer
//! columns; one copy here replaces the per-crate helpers that had drifted into different argument
//! orders.

#![warn(missing_docs)]

/// `xᵀy`. Four independent accumulators: faster than one (the adds pipeline), and no less
/// accurate.
///
/// # Panics
/// In debug builds, if the lengths differ.
#[inline]
pub fn dot(x: &[f64], y: &[f64]) -> f64 {
    debug_assert_eq!(x.len(), y.len(), "dot of vectors of different lengths");
    let mut s = [0.0f64; 4];
    let mut xs = x.chunks_exact(4);
    let mut ys = y.chunks_exact(4);
    for (a, b) in (&mut xs).zip(&mut ys) {
        s[0] += a[0] * b[0];
        s[1] += a[1] * b[1];
        s[2] += a[2] * b[2];
        s[3] += a[3] * b[3];
    }
    let tail: f64 = xs
        .remainder()
        .iter()
        .zip(ys.remainder())
        .map(|(a, b)| a * b)
        .sum();
    (s[0] + s[1]) + (s[2] + s[3]) + tail
}

/// `‖x‖₂²`.
#[inline]
pub fn norm_sq(x: &[f64]) -> f64 {
    dot(x, x)
}

/// `‖x‖₂`.
#[inline]
pub fn norm(x: &[f64]) -> f64 {
    norm_sq(x).sqrt()
}

/// `y ← y + a·x`.
///
/// # Panics
/// In debug builds, if the lengths differ.
#[inline]
pub fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    debug_assert_eq!(x.len(), y.len(), "axpy of vectors of different lengths");
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_covers_the_tail_and_the_chunks() {
        // Σ_{k=1}^{n} k·k = n(n+1)(2n+1)/6, exact in f64 for these sizes; n = 0..=9 exercises
        // every remainder length.
        for n in 0..=9usize {
            let x: Vec<f64> = (1..=n).map(|k| k as f64).collect();
            assert_eq!(
                dot(&x, &x),
                (n * (n + 1) * (2 * n + 1) / 6) as f64,
                "n = {n}"
            );
        }
    }

    #[test]
    fn norm_and_axpy() {
        assert_eq!(norm(&[3.0, 4.0]), 5.0);
        let mut y = vec![1.0, 1.0, 1.0];
        axpy(-2.0, &[1.0, 2.0, 3.0], &mut y);
        assert_eq!(y, [-1.0, -3.0, -5.0]);
    }
}
