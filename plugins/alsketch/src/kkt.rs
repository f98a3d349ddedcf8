//! The Newton-KKT matrix `K = [[B, Gᵀ], [G, −εI]]` (B = ∇²ₓL + tI, ε ≥ 0 only when the Jacobian
//! is rank deficient), assembled dense or sparse, and a direct solve of `K z = b` used as the
//! reference (and as the `direct` linear solver).

use faer::Mat;
use faer::prelude::Solve;
use faer::sparse::{SparseColMat, Triplet};

use crate::linalg::Matrix;

/// Assembles the symmetric (n+m)×(n+m) KKT matrix with both triangles stored.
///
/// `hessian` is n×n (both triangles), `jacobian` m×n; `shift` is added to the Hessian's
/// diagonal and `-regularization` to the (2,2) block's. `sparse` selects the storage.
pub fn assemble(
    hessian: &Matrix,
    shift: f64,
    jacobian: &Matrix,
    regularization: f64,
    sparse: bool,
) -> Matrix {
    let n = hessian.nrows();
    let m = jacobian.nrows();
    let size = n + m;
    if sparse {
        let mut t = Vec::with_capacity(hessian.nnz() + 2 * jacobian.nnz() + size);
        for j in 0..n {
            hessian.for_each_in_col(j, |i, v| t.push((i, j, v)));
            jacobian.for_each_in_col(j, |i, v| {
                t.push((n + i, j, v));
                t.push((j, n + i, v));
            });
        }
        if shift != 0.0 {
            t.extend((0..n).map(|i| (i, i, shift)));
        }
        if regularization != 0.0 {
            t.extend((0..m).map(|i| (n + i, n + i, -regularization)));
        }
        // Dense inputs may carry explicit zeros; they are harmless in CSC but waste work.
        t.retain(|&(_, _, v)| v != 0.0);
        Matrix::sparse_from_triplets(size, size, &t).expect("KKT indices are in range")
    } else {
        let mut k = Mat::<f64>::zeros(size, size);
        for j in 0..n {
            hessian.for_each_in_col(j, |i, v| k[(i, j)] += v);
            jacobian.for_each_in_col(j, |i, v| {
                k[(n + i, j)] += v;
                k[(j, n + i)] += v;
            });
            k[(j, j)] += shift;
        }
        for i in 0..m {
            k[(n + i, n + i)] -= regularization;
        }
        Matrix::Dense(k)
    }
}

/// Solves `K z = b` directly, where the first `n` unknowns are the primal ones.
///
/// A sparse `K` whose Hessian block is diagonal and positive (the PDE problem) is solved by
/// eliminating the primal step ([`Elimination`]): a sparse Cholesky factorisation of an m×m SPD
/// matrix instead of an LU of the (n+m)×(n+m) indefinite one, followed by iterative refinement
/// (the Schur complement squares the Jacobian's conditioning). Everything else, and a Cholesky
/// that fails, goes to LU: dense with partial pivoting, or faer's sparse LU.
pub fn direct_solve(k: &Matrix, b: &[f64], n: usize) -> Result<Vec<f64>, String> {
    if let Matrix::Sparse(a) = k
        && let Some(elim) = Elimination::factor(a, n)
    {
        let z = refine(k, b, |r| elim.solve(r));
        if let Ok(z) = finite(z) {
            return Ok(z);
        }
    }
    let size = b.len();
    let rhs = faer::Col::from_fn(size, |i| b[i]);
    let z = match k {
        Matrix::Dense(a) => a.partial_piv_lu().solve(&rhs),
        Matrix::Sparse(a) => a
            .sp_lu()
            .map_err(|e| format!("sparse LU of the KKT matrix failed: {e:?}"))?
            .solve(&rhs),
    };
    finite(z.iter().copied().collect())
}

fn finite(z: Vec<f64>) -> Result<Vec<f64>, String> {
    if z.iter().all(|v| v.is_finite()) {
        Ok(z)
    } else {
        Err("the KKT matrix is singular (the direct solve produced non-finite values)".into())
    }
}

/// `z = solve(b)`, then up to four corrections `z += solve(b − K z)` while each at least
/// halves the residual.
fn refine(k: &Matrix, b: &[f64], solve: impl Fn(&[f64]) -> Vec<f64>) -> Vec<f64> {
    let mut z = solve(b);
    let mut kz = vec![0.0; b.len()];
    let residual = |z: &[f64], kz: &mut [f64]| -> (Vec<f64>, f64) {
        k.mul_vec(z, kz);
        let r: Vec<f64> = b.iter().zip(kz.iter()).map(|(bi, ki)| bi - ki).collect();
        let norm = r.iter().map(|v| v * v).sum::<f64>().sqrt();
        (r, norm)
    };
    let (mut r, mut r_norm) = residual(&z, &mut kz);
    for _ in 0..4 {
        let dz = solve(&r);
        let trial: Vec<f64> = z.iter().zip(&dz).map(|(a, d)| a + d).collect();
        let (trial_r, trial_norm) = residual(&trial, &mut kz);
        if trial_norm.is_nan() || trial_norm >= r_norm {
            break;
        }
        let enough = trial_norm > 0.5 * r_norm;
        (z, r, r_norm) = (trial, trial_r, trial_norm);
        if enough {
            break;
        }
    }
    z
}

/// The factorised elimination of the primal step from `K = [[D, Gᵀ], [G, −εI]]` with `D`
/// diagonal and positive: `Δλ` solves the SPD system `S Δλ = G D⁻¹ b₁ − b₂` with
/// `S = G D⁻¹ Gᵀ + εI`, and `Δx = D⁻¹ (b₁ − Gᵀ Δλ)`.
pub struct Elimination {
    d_inv: Vec<f64>,
    /// Column `j` of `G`: `(row, value)`.
    g_cols: Vec<Vec<(usize, f64)>>,
    s: faer::sparse::linalg::solvers::Llt<usize, f64>,
}

impl Elimination {
    /// `None` when `D` is not diagonal and positive or the (2,2) block is not `−εI` with
    /// `ε ≥ 0` (then the caller factors `K` itself), or when the Cholesky factorisation of `S`
    /// fails (`G` rank deficient with `ε = 0`).
    pub fn factor(k: &SparseColMat<usize, f64>, n: usize) -> Option<Self> {
        let size = k.ncols();
        let m = size.checked_sub(n)?;
        if m == 0 {
            return None;
        }
        let col_ptr = k.symbolic().col_ptr();
        let row_idx = k.symbolic().row_idx();
        let val = k.val();
        let entries = |j: usize| (col_ptr[j]..col_ptr[j + 1]).map(|p| (row_idx[p], val[p]));
        let mut d_inv = vec![0.0; n];
        let mut g_cols: Vec<Vec<(usize, f64)>> = Vec::with_capacity(n);
        for (j, d) in d_inv.iter_mut().enumerate() {
            let mut col = Vec::new();
            for (i, v) in entries(j) {
                if i == j {
                    *d = v;
                } else if i < n {
                    return None;
                } else {
                    col.push((i - n, v));
                }
            }
            if d.is_nan() || *d <= 0.0 {
                return None;
            }
            *d = 1.0 / *d;
            g_cols.push(col);
        }
        let mut triplets: Vec<Triplet<usize, usize, f64>> = Vec::new();
        for i in 0..m {
            let mut eps = 0.0;
            for (r, v) in entries(n + i) {
                if r == n + i {
                    eps = -v;
                } else if r >= n {
                    return None;
                }
            }
            if eps.is_nan() || eps < 0.0 {
                return None;
            }
            triplets.push(Triplet::new(i, i, eps));
        }
        // The lower triangle of S = Σ_j D⁻¹_jj g_j g_jᵀ + diag(ε).
        for (j, col) in g_cols.iter().enumerate() {
            for &(r, gr) in col {
                for &(c, gc) in col {
                    if r >= c {
                        triplets.push(Triplet::new(r, c, d_inv[j] * gr * gc));
                    }
                }
            }
        }
        let s = SparseColMat::try_new_from_triplets(m, m, &triplets).ok()?;
        let s = s.sp_cholesky(faer::Side::Lower).ok()?;
        Some(Self { d_inv, g_cols, s })
    }

    /// `K⁻¹ b`.
    pub fn solve(&self, b: &[f64]) -> Vec<f64> {
        let n = self.d_inv.len();
        let m = b.len() - n;
        let mut rhs = faer::Col::from_fn(m, |i| -b[n + i]);
        for (j, col) in self.g_cols.iter().enumerate() {
            for &(r, g) in col {
                rhs[r] += g * self.d_inv[j] * b[j];
            }
        }
        let lambda = self.s.solve(&rhs);
        let mut z = vec![0.0; b.len()];
        for (j, col) in self.g_cols.iter().enumerate() {
            let gt_lambda: f64 = col.iter().map(|&(r, g)| g * lambda[r]).sum();
            z[j] = self.d_inv[j] * (b[j] - gt_lambda);
        }
        for i in 0..m {
            z[n + i] = lambda[i];
        }
        z
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_and_sparse_assembly_agree_and_solve() {
        let h = Matrix::dense_from_fn(2, 2, |i, j| if i == j { 2.0 } else { 0.5 });
        let g = Matrix::dense_from_fn(1, 2, |_, j| (j + 1) as f64);
        let kd = assemble(&h, 0.25, &g, 0.125, false);
        let ks = assemble(&h, 0.25, &g, 0.125, true);
        let (dd, ds) = (kd.to_dense(), ks.to_dense());
        for i in 0..3 {
            for j in 0..3 {
                assert_eq!(dd[(i, j)], ds[(i, j)]);
            }
        }
        assert_eq!(dd[(0, 0)], 2.25);
        assert_eq!(dd[(2, 1)], 2.0);
        assert_eq!(dd[(1, 2)], 2.0);
        assert_eq!(dd[(2, 2)], -0.125);
        let b = [1.0, -1.0, 0.5];
        for k in [&kd, &ks] {
            let z = direct_solve(k, &b, 2).unwrap();
            let mut r = [0.0; 3];
            k.mul_vec(&z, &mut r);
            for i in 0..3 {
                assert!((r[i] - b[i]).abs() < 1e-14);
            }
        }
    }

    /// A diagonal Hessian block is eliminated (the answer checked by the residual and against
    /// faer's sparse LU of the whole K); a non-diagonal one is left to LU.
    #[test]
    fn elimination_of_a_diagonal_hessian_matches_lu() {
        let (n, m) = (7, 3);
        let h = Matrix::dense_from_fn(n, n, |i, j| if i == j { 1.0 + i as f64 } else { 0.0 });
        let g = Matrix::dense_from_fn(m, n, |i, j| ((i * 5 + j * 3) % 7) as f64 - 3.0);
        let b: Vec<f64> = (0..n + m).map(|i| (i as f64 * 0.7).sin()).collect();
        for reg in [0.0, 1e-3] {
            let k = assemble(&h, 0.5, &g, reg, true);
            let Matrix::Sparse(a) = &k else {
                unreachable!()
            };
            let z = Elimination::factor(a, n)
                .expect("D is diagonal and positive")
                .solve(&b);
            let rhs = faer::Col::from_fn(n + m, |i| b[i]);
            let lu = a.sp_lu().unwrap().solve(&rhs);
            let mut r = vec![0.0; n + m];
            k.mul_vec(&z, &mut r);
            for i in 0..n + m {
                assert!((r[i] - b[i]).abs() < 1e-12, "residual {i}");
                assert!((z[i] - lu[i]).abs() < 1e-12, "LU disagrees at {i}");
            }
        }
        let coupled = Matrix::dense_from_fn(n, n, |i, j| if i == j { 2.0 } else { 0.1 });
        let k = assemble(&coupled, 0.0, &g, 0.0, true);
        let Matrix::Sparse(a) = &k else {
            unreachable!()
        };
        assert!(Elimination::factor(a, n).is_none());
        // Without primal unknowns marked, nothing is eliminated and LU still solves it.
        assert!(Elimination::factor(a, n + m).is_none());
        let negative = Matrix::dense_from_fn(n, n, |i, j| if i == j { -1.0 } else { 0.0 });
        let k = assemble(&negative, 0.0, &g, 0.0, true);
        let Matrix::Sparse(a) = &k else {
            unreachable!()
        };
        assert!(Elimination::factor(a, n).is_none());
    }
}
