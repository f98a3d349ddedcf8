//! Inlined double-double arithmetic for the hot loops of the `fx128` kernels.
//!
//! `qd::Quad`'s operators are ordinary (not inlined) functions and its products call `fma`
//! through libm, which makes a multiply-add cost a few function calls. These are the same
//! algorithms (Dekker's and Knuth's error-free transformations, the "sloppy" sum that `Quad`'s
//! `+` uses as well), written to inline: Dekker's splitting product unless the build enables
//! hardware FMA.

use faer::{MatMut, MatRef, Par};

use crate::dense::{blocked_cholesky, par_columns, threads_for};
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

/// A matrix of double-doubles split into leading and trailing parts, column-major, so that
/// the inner loops run over plain `f64` slices (which the compiler vectorizes).
struct Split {
    rows: usize,
    hi: Vec<f64>,
    lo: Vec<f64>,
}

impl Split {
    fn new(a: MatRef<'_, fx128>) -> Self {
        let (rows, cols) = (a.nrows(), a.ncols());
        let mut hi = Vec::with_capacity(rows * cols);
        let mut lo = Vec::with_capacity(rows * cols);
        for j in 0..cols {
            for i in 0..rows {
                let v = a[(i, j)];
                hi.push(v.0);
                lo.push(v.1);
            }
        }
        Self { rows, hi, lo }
    }

    fn col(&self, j: usize) -> (&[f64], &[f64]) {
        let r = j * self.rows..(j + 1) * self.rows;
        (&self.hi[r.clone()], &self.lo[r])
    }
}

/// `(acc_hi, acc_lo) += (x_hi, x_lo) · s` elementwise, in double-double.
#[inline(always)]
fn axpy(acc_hi: &mut [f64], acc_lo: &mut [f64], x_hi: &[f64], x_lo: &[f64], s: fx128) {
    let n = acc_hi
        .len()
        .min(acc_lo.len())
        .min(x_hi.len())
        .min(x_lo.len());
    let (acc_hi, acc_lo, x_hi, x_lo) = (&mut acc_hi[..n], &mut acc_lo[..n], &x_hi[..n], &x_lo[..n]);
    for i in 0..n {
        let (p, e) = two_prod(x_hi[i], s.0);
        let e = e + (x_hi[i] * s.1 + x_lo[i] * s.0);
        let (p, e) = quick_two_sum(p, e);
        let (t, f) = two_sum(acc_hi[i], p);
        let f = f + (acc_lo[i] + e);
        let (t, f) = quick_two_sum(t, f);
        acc_hi[i] = t;
        acc_lo[i] = f;
    }
}

/// `dst = (accumulate ? dst : 0) + alpha · a · b`, in parallel over columns of `dst`.
pub(crate) fn gemm(
    dst: MatMut<'_, fx128>,
    accumulate: bool,
    a: MatRef<'_, fx128>,
    b: MatRef<'_, fx128>,
    alpha: fx128,
    par: Par,
) {
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    assert!(
        dst.nrows() == m && dst.ncols() == n && b.nrows() == k,
        "gemm shapes"
    );
    let a = Split::new(a);
    par_columns(dst, threads_for(m * n * k, par), &|mut dst, j0| {
        let mut acc_hi = vec![0.0; m];
        let mut acc_lo = vec![0.0; m];
        for j in 0..dst.ncols() {
            acc_hi.fill(0.0);
            acc_lo.fill(0.0);
            for p in 0..k {
                let s = b[(p, j0 + j)];
                if s.0 == 0.0 && s.1 == 0.0 {
                    continue;
                }
                let (xh, xl) = a.col(p);
                axpy(&mut acc_hi, &mut acc_lo, xh, xl, s);
            }
            for i in 0..m {
                let v = mul(
                    fx128 {
                        0: acc_hi[i],
                        1: acc_lo[i],
                    },
                    alpha,
                );
                dst[(i, j)] = if accumulate { add(dst[(i, j)], v) } else { v };
            }
        }
    });
}

/// Solves `L X = B` in place (`L` lower triangular), column by column.
pub(crate) fn solve_lower(l: MatRef<'_, fx128>, rhs: MatMut<'_, fx128>, par: Par) {
    solve_triangular(Split::new(l), l, rhs, par, Sweep::Forward);
}

/// Solves `Lᵀ X = B` in place (`L` lower triangular): backward, with the rows of `L` as
/// contiguous columns of `Lᵀ`.
pub(crate) fn solve_lower_transpose(l: MatRef<'_, fx128>, rhs: MatMut<'_, fx128>, par: Par) {
    solve_triangular(Split::new(l.transpose()), l, rhs, par, Sweep::Backward);
}

/// The order of a triangular solve: forward for `L`, backward for `Lᵀ`.
#[derive(Clone, Copy)]
enum Sweep {
    Forward,
    Backward,
}

/// Solves with the triangular factor whose columns `split` holds (`L`'s for a forward sweep,
/// `Lᵀ`'s for a backward one); the diagonal is `l`'s.
fn solve_triangular(
    split: Split,
    l: MatRef<'_, fx128>,
    rhs: MatMut<'_, fx128>,
    par: Par,
    sweep: Sweep,
) {
    let n = l.nrows();
    let inv_diag: Vec<fx128> = (0..n).map(|k| fx128::from(1.0) / l[(k, k)]).collect();
    let threads = threads_for(n * n * rhs.ncols() / 2, par);
    par_columns(rhs, threads, &|rhs, _| {
        sweep_columns(&split, &inv_diag, rhs, sweep)
    });
}

fn sweep_columns(s: &Split, inv_diag: &[fx128], mut rhs: MatMut<'_, fx128>, sweep: Sweep) {
    let n = s.rows;
    let mut xh = vec![0.0; n];
    let mut xl = vec![0.0; n];
    for c in 0..rhs.ncols() {
        for i in 0..n {
            let v = rhs[(i, c)];
            xh[i] = v.0;
            xl[i] = v.1;
        }
        for step in 0..n {
            let k = match sweep {
                Sweep::Forward => step,
                Sweep::Backward => n - 1 - step,
            };
            let xk = mul(fx128 { 0: xh[k], 1: xl[k] }, inv_diag[k]);
            xh[k] = xk.0;
            xl[k] = xk.1;
            if xk.0 != 0.0 {
                // The unknowns still to solve lose column k's multiple of x_k.
                let rest = match sweep {
                    Sweep::Forward => k + 1..n,
                    Sweep::Backward => 0..k,
                };
                let (ch, cl) = s.col(k);
                axpy(
                    &mut xh[rest.clone()],
                    &mut xl[rest.clone()],
                    &ch[rest.clone()],
                    &cl[rest],
                    -xk,
                );
            }
        }
        for i in 0..n {
            rhs[(i, c)] = fx128 { 0: xh[i], 1: xl[i] };
        }
    }
}

/// Blocked left-looking lower Cholesky in place (lower triangle), with the split
/// double-double kernel on the diagonal blocks; `false` when a pivot is not positive.
pub(crate) fn cholesky_in_place(a: MatMut<'_, fx128>, par: Par) -> bool {
    blocked_cholesky(a, par, cholesky_unblocked)
}

/// Left-looking lower Cholesky in place; `false` when a pivot is not positive.
fn cholesky_unblocked(mut a: MatMut<'_, fx128>) -> bool {
    let n = a.nrows();
    // The factor's columns, split, filled as they are computed.
    let mut lh = vec![0.0; n * n];
    let mut ll = vec![0.0; n * n];
    let mut vh = vec![0.0; n];
    let mut vl = vec![0.0; n];
    for j in 0..n {
        for i in j..n {
            let v = a[(i, j)];
            vh[i] = v.0;
            vl[i] = v.1;
        }
        for p in 0..j {
            let ljp = fx128 {
                0: lh[p * n + j],
                1: ll[p * n + j],
            };
            if ljp.0 == 0.0 {
                continue;
            }
            let r = p * n + j..(p + 1) * n;
            axpy(&mut vh[j..], &mut vl[j..], &lh[r.clone()], &ll[r], -ljp);
        }
        let pivot = fx128 { 0: vh[j], 1: vl[j] };
        if pivot.0 <= 0.0 || !pivot.0.is_finite() {
            return false;
        }
        let d = pivot.sqrt();
        let inv = fx128::from(1.0) / d;
        for i in j..n {
            let v = if i == j {
                d
            } else {
                mul(fx128 { 0: vh[i], 1: vl[i] }, inv)
            };
            a[(i, j)] = v;
            lh[j * n + i] = v.0;
            ll[j * n + i] = v.1;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::Mat;

    #[test]
    fn split_kernels_agree_with_the_generic_ones() {
        let n = 37;
        let a = Mat::<fx128>::from_fn(n, n, |i, j| {
            fx128::from((i * 7 + j * 3) as f64 % 11.0 - 5.0) / fx128::from(3.0)
        });
        let b = Mat::<fx128>::from_fn(n, 5, |i, j| fx128::from((i + 2 * j) as f64).sqrt());
        let mut ours = Mat::<fx128>::zeros(n, 5);
        gemm(
            ours.as_mut(),
            false,
            a.as_ref(),
            b.as_ref(),
            fx128::from(1.0),
            faer::Par::Seq,
        );
        let mut reference = Mat::<fx128>::zeros(n, 5);
        crate::dense::generic_gemm(
            reference.as_mut(),
            false,
            a.as_ref(),
            b.as_ref(),
            fx128::from(1.0),
            faer::Par::Seq,
        );
        for i in 0..n {
            for j in 0..5 {
                assert!((ours[(i, j)] - reference[(i, j)]).abs().0 < 1e-28);
            }
        }
        // An SPD matrix: AᵀA + I, factored and solved both ways.
        let mut spd = Mat::<fx128>::zeros(n, n);
        crate::dense::generic_gemm(
            spd.as_mut(),
            false,
            a.transpose(),
            a.as_ref(),
            fx128::from(1.0),
            faer::Par::Seq,
        );
        for i in 0..n {
            spd[(i, i)] += fx128::from(1.0);
        }
        let mut l = spd.clone();
        assert!(cholesky_in_place(l.as_mut(), faer::Par::Seq));
        let mut l2 = spd.clone();
        assert!(crate::dense::generic_cholesky_in_place(
            l2.as_mut(),
            faer::Par::Seq
        ));
        let mut x = b.clone();
        solve_lower(l.as_ref(), x.as_mut(), faer::Par::Seq);
        solve_lower_transpose(l.as_ref(), x.as_mut(), faer::Par::Seq);
        let mut x2 = b.clone();
        crate::dense::generic_solve_lower(l2.as_ref(), x2.as_mut(), faer::Par::Seq);
        crate::dense::generic_solve_lower_transpose(l2.as_ref(), x2.as_mut(), faer::Par::Seq);
        for i in 0..n {
            for j in 0..5 {
                assert!(
                    (x[(i, j)] - x2[(i, j)]).abs().0 < 1e-26 * (1.0 + x2[(i, j)].abs().0),
                    "{i} {j}"
                );
            }
        }
    }

    #[test]
    fn threaded_kernels_give_the_same_bits() {
        let n = 300; // large enough to use two threads
        let a = Mat::<fx128>::from_fn(n, n, |i, j| {
            fx128::from(((i * 13 + j * 7) % 17) as f64 - 8.0) / fx128::from(7.0)
        });
        let mut spd = Mat::<fx128>::zeros(n, n);
        gemm(
            spd.as_mut(),
            false,
            a.transpose(),
            a.as_ref(),
            fx128::from(1.0),
            faer::Par::Seq,
        );
        let mut spd2 = Mat::<fx128>::zeros(n, n);
        gemm(
            spd2.as_mut(),
            false,
            a.transpose(),
            a.as_ref(),
            fx128::from(1.0),
            faer::Par::rayon(2),
        );
        assert!(spd == spd2);
        for i in 0..n {
            spd[(i, i)] += fx128::from(1.0);
        }
        let (mut l1, mut l2) = (spd.clone(), spd.clone());
        assert!(cholesky_in_place(l1.as_mut(), faer::Par::Seq));
        assert!(cholesky_in_place(l2.as_mut(), faer::Par::rayon(2)));
        assert!(l1 == l2);
        let (mut x1, mut x2) = (a.clone(), a.clone());
        solve_lower(l1.as_ref(), x1.as_mut(), faer::Par::Seq);
        solve_lower(l1.as_ref(), x2.as_mut(), faer::Par::rayon(2));
        solve_lower_transpose(l1.as_ref(), x1.as_mut(), faer::Par::Seq);
        solve_lower_transpose(l1.as_ref(), x2.as_mut(), faer::Par::rayon(2));
        assert!(x1 == x2);
        // and the factor is right: L Lᵀ = A to ~1e-28 relative
        let mut llt = Mat::<fx128>::zeros(n, n);
        let lower = Mat::<fx128>::from_fn(
            n,
            n,
            |i, j| if i >= j { l1[(i, j)] } else { fx128::from(0.0) },
        );
        gemm(
            llt.as_mut(),
            false,
            lower.as_ref(),
            lower.transpose(),
            fx128::from(1.0),
            faer::Par::Seq,
        );
        for i in 0..n {
            for j in 0..=i {
                assert!((llt[(i, j)] - spd[(i, j)]).abs().0 < 1e-27 * (1.0 + spd[(i, j)].abs().0));
            }
        }
    }

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
