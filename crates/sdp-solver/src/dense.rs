//! Dense kernels on faer matrices, generic over [`Real`]: Cholesky, inverse from a Cholesky
//! factor, products, and the largest step that keeps `X + α dX` positive definite.
//!
//! In `f64` the kernels are faer's (blocked, SIMD). faer 0.24.4's matrix product panics on
//! non-native scalars once a matrix is contiguous (its SIMD micro-kernel for them is compiled
//! only for faer's own tests), and its Cholesky, triangular solves and eigensolver call that
//! product, so for `fx128` the kernels are in the private module `dd` (split hi/lo columns, inlined
//! arithmetic). The plain generic loops here (`generic_*`) are the reference they are tested
//! against, and the kernels of `Mp<L>`: their inner sums go through [`Real::Sum`], which for
//! `Mp` is a fixed-point accumulator rounded once (`mp::sum`; 1.5× faster solves at 512 bits
//! than two rounded operations per term, and more accurate).
//!
//! The step length uses the eigenvalues of `L⁻¹ dX L⁻ᵀ`. That matrix is formed in the working
//! precision and only its eigenvalues are computed in `f64`. Being a congruence of `dX` by the
//! Cholesky factor of `X`, it is well scaled even when `X` is nearly singular, so `f64`
//! eigenvalues are accurate enough to choose a step; the solver then confirms the step with a
//! Cholesky factorization in the working precision and backtracks if it fails.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt;
use faer::linalg::matmul::matmul;
use faer::linalg::triangular_solve;
use faer::reborrow::*;
use faer::{Accum, Mat, MatMut, MatRef, Par};

use crate::scalar::{Real, SumOfProducts};

/// An `r × c` matrix of zeros (faer's `Mat::zeros` needs its own scalar traits).
pub fn zeros<T: Real>(r: usize, c: usize) -> Mat<T> {
    Mat::from_fn(r, c, |_, _| T::zero())
}

/// A column-major copy of `a` (faer's `to_owned` needs its own scalar traits).
pub fn to_owned<T: Real>(a: MatRef<'_, T>) -> Mat<T> {
    Mat::from_fn(a.nrows(), a.ncols(), |i, j| a[(i, j)])
}

/// The `n × n` identity.
pub fn identity<T: Real>(n: usize) -> Mat<T> {
    Mat::from_fn(n, n, |i, j| if i == j { T::one() } else { T::zero() })
}

/// `dst = (accumulate ? dst : 0) + alpha · a · b` with faer's kernel (native types only).
pub(crate) fn faer_gemm(
    dst: MatMut<'_, f64>,
    accumulate: bool,
    a: MatRef<'_, f64>,
    b: MatRef<'_, f64>,
    alpha: f64,
    par: Par,
) {
    let accum = if accumulate {
        Accum::Add
    } else {
        Accum::Replace
    };
    matmul(dst, accum, a, b, alpha, par);
}

/// faer's in-place lower Cholesky; `false` when a pivot is not positive.
pub(crate) fn faer_cholesky_in_place(a: MatMut<'_, f64>, par: Par) -> bool {
    let n = a.nrows();
    let mut mem = MemBuffer::new(llt::factor::cholesky_in_place_scratch::<f64>(
        n,
        par,
        Default::default(),
    ));
    llt::factor::cholesky_in_place(
        a,
        Default::default(),
        par,
        MemStack::new(&mut mem),
        Default::default(),
    )
    .is_ok()
}

pub(crate) fn faer_solve_lower(l: MatRef<'_, f64>, rhs: MatMut<'_, f64>, par: Par) {
    triangular_solve::solve_lower_triangular_in_place(l, rhs, par);
}

pub(crate) fn faer_solve_lower_transpose(l: MatRef<'_, f64>, rhs: MatMut<'_, f64>, par: Par) {
    triangular_solve::solve_upper_triangular_in_place(l.transpose(), rhs, par);
}

/// Calls `f` with `a` itself when it has unit row stride, else with a column-major copy.
fn with_contiguous<T: Real, R>(a: MatRef<'_, T>, f: impl FnOnce(MatRef<'_, T>) -> R) -> R {
    if a.row_stride() == 1 {
        f(a)
    } else {
        let owned = to_owned(a);
        f(owned.as_ref())
    }
}

/// Column `j` of a matrix with unit row stride, as a slice.
fn col<'a, T: Real>(a: MatRef<'a, T>, j: usize) -> &'a [T] {
    a.col(j)
        .try_as_col_major()
        .expect("unit row stride")
        .as_slice()
}

/// Runs `f(chunk, first_column)` on up to `threads` column chunks of `dst`, in scoped threads.
pub(crate) fn par_columns<T: Real>(
    dst: MatMut<'_, T>,
    threads: usize,
    f: &(dyn Fn(MatMut<'_, T>, usize) + Sync),
) {
    let n = dst.ncols();
    let threads = threads.clamp(1, n.max(1));
    if threads == 1 {
        f(dst, 0);
        return;
    }
    let chunk = n.div_ceil(threads);
    std::thread::scope(|scope| {
        let mut rest = dst;
        let mut start = 0;
        while rest.ncols() > chunk {
            let (head, tail) = rest.split_at_col_mut(chunk);
            let first = start;
            scope.spawn(move || f(head, first));
            rest = tail;
            start += chunk;
        }
        f(rest, start);
    });
}

/// Threads worth using for about `work` double-precision multiply-adds (a thread per ~2^18
/// of them).
pub(crate) fn threads_for(work: usize, par: Par) -> usize {
    par.degree().min(work >> 18).max(1)
}

/// `work` multiply-adds of `T` in double-precision ones, for [`threads_for`]: a 64·L-bit
/// multiply-add costs about 16·L² of them.
fn weighted<T: Real>(work: usize) -> usize {
    let limbs = (T::BITS as usize).div_ceil(64);
    work.saturating_mul(16 * limbs * limbs)
}

/// `dst = (accumulate ? dst : 0) + alpha · a · b` in plain loops (column axpy order), in
/// parallel over columns of `dst`.
pub(crate) fn generic_gemm<T: Real>(
    dst: MatMut<'_, T>,
    accumulate: bool,
    a: MatRef<'_, T>,
    b: MatRef<'_, T>,
    alpha: T,
    par: Par,
) {
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    assert!(
        dst.nrows() == m && dst.ncols() == n && b.nrows() == k,
        "gemm shapes"
    );
    let threads = threads_for(weighted::<T>(m * n * k), par);
    with_contiguous(a, |a| {
        par_columns(dst, threads, &|dst, j0| {
            let cols = dst.ncols();
            gemm_contiguous(dst, accumulate, a, b.subcols(j0, cols), alpha)
        })
    });
}

fn gemm_contiguous<T: Real>(
    mut dst: MatMut<'_, T>,
    accumulate: bool,
    a: MatRef<'_, T>,
    b: MatRef<'_, T>,
    alpha: T,
) {
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    let mut acc = vec![T::Sum::start(T::zero()); m];
    for j in 0..n {
        for (i, v) in acc.iter_mut().enumerate() {
            *v = T::Sum::start(if accumulate { dst[(i, j)] } else { T::zero() });
        }
        for p in 0..k {
            let s = b[(p, j)];
            if s == T::zero() {
                continue;
            }
            let s = s * alpha;
            for (v, &x) in acc.iter_mut().zip(col(a, p)) {
                v.add_product(x, s);
            }
        }
        let mut out = dst.rb_mut().col_mut(j);
        for i in 0..m {
            out[i] = acc[i].value();
        }
    }
}

/// Columns per block of the blocked Cholesky factorization.
const BLOCK: usize = 64;

/// Blocked left-looking lower Cholesky in place (lower triangle): each block column is
/// updated by one (parallel) product with the columns already factored, its diagonal block
/// factored by `unblocked`, and the rows below solved against it. `false` when a pivot is not
/// positive.
pub(crate) fn blocked_cholesky<T: Real>(
    mut a: MatMut<'_, T>,
    par: Par,
    unblocked: impl Fn(MatMut<'_, T>) -> bool,
) -> bool {
    let n = a.nrows();
    let mut j0 = 0;
    while j0 < n {
        let w = BLOCK.min(n - j0);
        let (left, mut right) = a.rb_mut().split_at_col_mut(j0);
        if j0 > 0 {
            // A[j0.., j0..j0+w] −= L[j0.., ..j0] L[j0..j0+w, ..j0]ᵀ
            let left = left.rb();
            T::gemm(
                right.rb_mut().submatrix_mut(j0, 0, n - j0, w),
                true,
                left.submatrix(j0, 0, n - j0, j0),
                left.submatrix(j0, 0, w, j0).transpose(),
                -T::one(),
                par,
            );
        }
        if !unblocked(right.rb_mut().submatrix_mut(j0, 0, w, w)) {
            return false;
        }
        if j0 + w < n {
            // L[j0+w.., block] = A[j0+w.., block] L_diag⁻ᵀ, i.e. L_diag Xᵀ = A_panelᵀ.
            let (top, mut bottom) = right.rb_mut().subcols_mut(0, w).split_at_row_mut(j0 + w);
            let diag = top.rb().submatrix(j0, 0, w, w);
            let mut panel_t = to_owned(bottom.rb().transpose());
            T::solve_lower(diag, panel_t.as_mut(), par);
            for j in 0..bottom.ncols() {
                for i in 0..bottom.nrows() {
                    bottom[(i, j)] = panel_t[(j, i)];
                }
            }
        }
        j0 += w;
    }
    true
}

/// Lower Cholesky in place (lower triangle read and written), blocked and parallel over
/// `par`; `false` when a pivot is not positive.
pub(crate) fn generic_cholesky_in_place<T: Real>(a: MatMut<'_, T>, par: Par) -> bool {
    blocked_cholesky(a, par, cholesky_unblocked)
}

/// Left-looking lower Cholesky in place; `false` when a pivot is not positive.
fn cholesky_unblocked<T: Real>(a: MatMut<'_, T>) -> bool {
    let mut a = a;
    let n = a.nrows();
    let mut v = vec![T::Sum::start(T::zero()); n];
    for j in 0..n {
        for i in j..n {
            v[i] = T::Sum::start(a[(i, j)]);
        }
        for p in 0..j {
            let ljp = a[(j, p)];
            if ljp == T::zero() {
                continue;
            }
            let colp = a
                .rb()
                .col(p)
                .try_as_col_major()
                .expect("unit row stride")
                .as_slice();
            let mljp = -ljp;
            for (vi, &c) in v[j..n].iter_mut().zip(&colp[j..n]) {
                vi.add_product(c, mljp);
            }
        }
        let pivot = v[j].value();
        if pivot <= T::zero() || !pivot.is_finite_value() {
            return false;
        }
        let d = pivot.sqrt();
        a[(j, j)] = d;
        let inv = T::one() / d;
        for i in j + 1..n {
            a[(i, j)] = v[i].value() * inv;
        }
    }
    true
}

/// Solves `L X = B` in place (`L` lower triangular), in parallel over columns of `B`.
pub(crate) fn generic_solve_lower<T: Real>(l: MatRef<'_, T>, rhs: MatMut<'_, T>, par: Par) {
    let n = l.nrows();
    let threads = threads_for(weighted::<T>(n * n * rhs.ncols() / 2), par);
    with_contiguous(l, |l| {
        par_columns(rhs, threads, &|rhs, _| solve_lower_contiguous(l, rhs))
    });
}

fn solve_lower_contiguous<T: Real>(l: MatRef<'_, T>, mut rhs: MatMut<'_, T>) {
    let n = l.nrows();
    let inv_diag: Vec<T> = (0..n).map(|k| T::one() / l[(k, k)]).collect();
    let mut x = vec![T::Sum::start(T::zero()); n];
    for c in 0..rhs.ncols() {
        for i in 0..n {
            x[i] = T::Sum::start(rhs[(i, c)]);
        }
        for k in 0..n {
            let xk = x[k].value().mul_fast(inv_diag[k]);
            rhs[(k, c)] = xk;
            if xk != T::zero() {
                let mxk = -xk;
                for (xi, &lik) in x[k + 1..].iter_mut().zip(&col(l, k)[k + 1..]) {
                    xi.add_product(lik, mxk);
                }
            }
        }
    }
}

/// Solves `Lᵀ X = B` in place (`L` lower triangular), in parallel over columns of `B`.
pub(crate) fn generic_solve_lower_transpose<T: Real>(
    l: MatRef<'_, T>,
    rhs: MatMut<'_, T>,
    par: Par,
) {
    let n = l.nrows();
    let threads = threads_for(weighted::<T>(n * n * rhs.ncols() / 2), par);
    with_contiguous(l, |l| {
        par_columns(rhs, threads, &|rhs, _| {
            solve_lower_transpose_contiguous(l, rhs)
        })
    });
}

fn solve_lower_transpose_contiguous<T: Real>(l: MatRef<'_, T>, mut rhs: MatMut<'_, T>) {
    let n = l.nrows();
    let inv_diag: Vec<T> = (0..n).map(|k| T::one() / l[(k, k)]).collect();
    let mut x = vec![T::zero(); n];
    for c in 0..rhs.ncols() {
        for i in 0..n {
            x[i] = rhs[(i, c)];
        }
        for k in (0..n).rev() {
            let mut s = T::Sum::start(x[k]);
            for (&xi, &lik) in x[k + 1..].iter().zip(&col(l, k)[k + 1..]) {
                s.add_product(lik, -xi);
            }
            x[k] = s.value().mul_fast(inv_diag[k]);
        }
        for i in 0..n {
            rhs[(i, c)] = x[i];
        }
    }
}

/// The lower Cholesky factor of the symmetric matrix `a` (lower triangle read), or `None`
/// when `a` is not numerically positive definite.
pub fn cholesky<T: Real>(a: MatRef<'_, T>, par: Par) -> Option<Mat<T>> {
    let n = a.nrows();
    let mut l = to_owned(a);
    if !T::cholesky_in_place(l.as_mut(), par) {
        return None;
    }
    for j in 1..n {
        for v in &mut l.col_as_slice_mut(j)[..j] {
            *v = T::zero();
        }
    }
    // A factor with a non-finite entry is a failure too (overflow in the input).
    for j in 0..n {
        if l.col_as_slice(j)[j..].iter().any(|v| !v.is_finite_value()) {
            return None;
        }
    }
    Some(l)
}

/// `(L Lᵀ)⁻¹` as a full symmetric matrix, from the lower Cholesky factor `l`.
pub fn inverse_from_cholesky<T: Real>(l: MatRef<'_, T>, par: Par) -> Mat<T> {
    let n = l.nrows();
    let mut linv = identity::<T>(n);
    T::solve_lower(l, linv.as_mut(), par);
    let mut out = zeros::<T>(n, n);
    T::gemm(
        out.as_mut(),
        false,
        linv.transpose(),
        linv.as_ref(),
        T::one(),
        par,
    );
    symmetrize(&mut out);
    out
}

/// Copies the lower triangle onto the upper one.
pub fn symmetrize_from_lower<T: Real>(a: &mut Mat<T>) {
    let n = a.nrows();
    for j in 0..n {
        for i in 0..j {
            let v = a.col_as_slice(i)[j];
            a.col_as_slice_mut(j)[i] = v;
        }
    }
}

/// Replaces `a` by `(a + aᵀ)/2`.
pub fn symmetrize<T: Real>(a: &mut Mat<T>) {
    let n = a.nrows();
    let half = T::from_f64(0.5);
    for j in 0..n {
        for i in 0..j {
            let v = (a.col_as_slice(j)[i] + a.col_as_slice(i)[j]) * half;
            a.col_as_slice_mut(j)[i] = v;
            a.col_as_slice_mut(i)[j] = v;
        }
    }
}

/// `a · b`.
pub fn mul<T: Real>(a: MatRef<'_, T>, b: MatRef<'_, T>, par: Par) -> Mat<T> {
    let mut out = zeros::<T>(a.nrows(), b.ncols());
    T::gemm(out.as_mut(), false, a, b, T::one(), par);
    out
}

/// `a · b · c`, multiplied left to right.
pub fn mul3<T: Real>(a: MatRef<'_, T>, b: MatRef<'_, T>, c: MatRef<'_, T>, par: Par) -> Mat<T> {
    let ab = mul(a, b, par);
    mul(ab.as_ref(), c, par)
}

/// `Σ a_ij b_ij`.
pub fn dot<T: Real>(a: MatRef<'_, T>, b: MatRef<'_, T>) -> T {
    let mut s = T::zero();
    for j in 0..a.ncols() {
        let (ca, cb) = (a.col(j), b.col(j));
        for i in 0..a.nrows() {
            s = s.mul_add(ca[i], cb[i]);
        }
    }
    s
}

/// The Frobenius norm squared.
pub fn norm2_sq<T: Real>(a: MatRef<'_, T>) -> T {
    dot(a, a)
}

/// `L⁻¹ d L⁻ᵀ` for a lower triangular `l` and symmetric `d`.
pub fn congruence_by_inverse<T: Real>(l: MatRef<'_, T>, d: MatRef<'_, T>, par: Par) -> Mat<T> {
    let mut z = to_owned(d);
    T::solve_lower(l, z.as_mut(), par);
    let mut s = to_owned(z.transpose());
    T::solve_lower(l, s.as_mut(), par);
    s
}

/// The smallest eigenvalue of the symmetric matrix `s` (lower triangle read), computed in f64.
pub fn min_eigenvalue_f64<T: Real>(s: MatRef<'_, T>, par: Par) -> Option<f64> {
    let n = s.nrows();
    let a = Mat::<f64>::from_fn(n, n, |i, j| {
        let (i, j) = if i >= j { (i, j) } else { (j, i) };
        s[(i, j)].to_f64()
    });
    if a.col_iter().any(|c| c.iter().any(|v| !v.is_finite())) {
        return None;
    }
    let mut eig = faer::diag::Diag::<f64>::zeros(n);
    let mut mem = MemBuffer::new(faer::linalg::evd::self_adjoint_evd_scratch::<f64>(
        n,
        faer::linalg::evd::ComputeEigenvectors::No,
        par,
        Default::default(),
    ));
    faer::linalg::evd::self_adjoint_evd(
        a.as_ref(),
        eig.as_mut(),
        None,
        par,
        MemStack::new(&mut mem),
        Default::default(),
    )
    .ok()?;
    eig.column_vector().iter().copied().reduce(f64::min)
}

/// The largest `α ≥ 0` (up to `f64::INFINITY`) with `L Lᵀ + α d ⪰ 0`, from the eigenvalues of
/// `L⁻¹ d L⁻ᵀ`; `None` when they cannot be computed (non-finite input).
pub fn max_step_psd<T: Real>(l: MatRef<'_, T>, d: MatRef<'_, T>, par: Par) -> Option<f64> {
    let s = congruence_by_inverse(l, d, par);
    let lambda = min_eigenvalue_f64(s.as_ref(), par)?;
    Some(if lambda >= 0.0 {
        f64::INFINITY
    } else {
        -1.0 / lambda
    })
}

/// The largest `α ≥ 0` with `x + α d ≥ 0` elementwise (`x > 0`).
pub fn max_step_lp<T: Real>(x: &[T], d: &[T]) -> f64 {
    let mut alpha = f64::INFINITY;
    for (&xi, &di) in x.iter().zip(d) {
        if di < T::zero() {
            alpha = alpha.min((-(xi / di)).to_f64());
        }
    }
    alpha
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::fx128;

    fn spd<T: Real>(n: usize) -> Mat<T> {
        // The Lehmer matrix min(i,j)/max(i,j): positive definite, known inverse (tridiagonal).
        Mat::from_fn(n, n, |i, j| {
            T::from_usize(i.min(j) + 1) / T::from_usize(i.max(j) + 1)
        })
    }

    fn check_inverse<T: Real>(tol: f64) {
        let n = 150;
        let a = spd::<T>(n);
        let l = cholesky(a.as_ref(), Par::Seq).expect("Lehmer matrices are positive definite");
        let inv = inverse_from_cholesky(l.as_ref(), Par::Seq);
        let prod = mul(a.as_ref(), inv.as_ref(), Par::Seq);
        let mut err = 0.0f64;
        for i in 0..n {
            for j in 0..n {
                let target = if i == j { 1.0 } else { 0.0 };
                err = err.max((prod[(i, j)] - T::from_f64(target)).abs().to_f64());
            }
        }
        assert!(err < tol, "{} inverse error {err}", T::NAME);
    }

    #[test]
    fn cholesky_inverse_in_both_precisions() {
        check_inverse::<f64>(1e-11);
        check_inverse::<fx128>(1e-27);
        let mut indefinite = spd::<f64>(4);
        indefinite[(3, 3)] = -1.0;
        assert!(cholesky(indefinite.as_ref(), Par::Seq).is_none());
    }

    #[test]
    fn step_to_the_boundary_of_the_cone() {
        // X = I, dX = diag(-2, 1, -0.5): the boundary is at α = 1/2.
        let par = Par::Seq;
        let x = Mat::<fx128>::identity(3, 3);
        let l = cholesky(x.as_ref(), par).unwrap();
        let mut d = Mat::<fx128>::zeros(3, 3);
        d[(0, 0)] = fx128::from(-2.0);
        d[(1, 1)] = fx128::from(1.0);
        d[(2, 2)] = fx128::from(-0.5);
        assert!((max_step_psd(l.as_ref(), d.as_ref(), par).unwrap() - 0.5).abs() < 1e-14);
        // A rotated case in f64: X = [[2,1],[1,2]], dX = -X: boundary at α = 1.
        let x = Mat::<f64>::from_fn(2, 2, |i, j| if i == j { 2.0 } else { 1.0 });
        let l = cholesky(x.as_ref(), Par::Seq).unwrap();
        let d = Mat::<f64>::from_fn(2, 2, |i, j| -x[(i, j)]);
        assert!((max_step_psd(l.as_ref(), d.as_ref(), Par::Seq).unwrap() - 1.0).abs() < 1e-13);
        assert_eq!(
            max_step_psd(l.as_ref(), x.as_ref(), Par::Seq),
            Some(f64::INFINITY)
        );
        assert_eq!(max_step_lp(&[1.0, 2.0], &[-4.0, 1.0]), 0.25);
    }
}
