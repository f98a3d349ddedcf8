//! The Newton-KKT matrix `K = [[B, Gᵀ], [G, −εI]]` (B = ∇²ₓL + tI, ε ≥ 0 only when the Jacobian
//! is rank deficient), assembled dense or sparse, and a direct solve of `K z = b` used as the
//! reference (and as the `direct` linear solver).

use faer::Mat;
use faer::prelude::Solve;

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

/// Solves `K z = b` directly: dense LU with partial pivoting, or faer's sparse LU.
pub fn direct_solve(k: &Matrix, b: &[f64]) -> Result<Vec<f64>, String> {
    let size = b.len();
    let rhs = faer::Col::from_fn(size, |i| b[i]);
    let z = match k {
        Matrix::Dense(a) => a.partial_piv_lu().solve(&rhs),
        Matrix::Sparse(a) => a
            .sp_lu()
            .map_err(|e| format!("sparse LU of the KKT matrix failed: {e:?}"))?
            .solve(&rhs),
    };
    let z: Vec<f64> = (0..size).map(|i| z[i]).collect();
    if z.iter().all(|v| v.is_finite()) {
        Ok(z)
    } else {
        Err("the KKT matrix is singular (the direct solve produced non-finite values)".into())
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
            let z = direct_solve(k, &b).unwrap();
            let mut r = [0.0; 3];
            k.mul_vec(&z, &mut r);
            for i in 0..3 {
                assert!((r[i] - b[i]).abs() < 1e-14);
            }
        }
    }
}
