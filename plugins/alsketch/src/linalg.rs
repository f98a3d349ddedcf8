//! Matrices as the solver sees them: dense (faer `Mat`) for small problems, sparse CSC (faer
//! `SparseColMat`) for large ones, with the handful of operations the Newton-KKT assembly and the
//! sketching solvers need. Every product returns the number of floating-point operations it
//! performed, so the solver can report a counted (not estimated) flop total.

use boundlab_vecops::{axpy, dot, norm};
use faer::Mat;
use faer::sparse::{SparseColMat, Triplet};

/// A real matrix, dense or sparse; the solver never converts a sparse one to dense on its own.
#[derive(Clone, Debug)]
pub enum Matrix {
    /// Column-major dense storage.
    Dense(Mat<f64>),
    /// Compressed sparse columns with sorted row indices.
    Sparse(SparseColMat<usize, f64>),
}

impl Matrix {
    /// A dense matrix from a function of (row, column).
    pub fn dense_from_fn(rows: usize, cols: usize, f: impl Fn(usize, usize) -> f64) -> Self {
        Matrix::Dense(Mat::from_fn(rows, cols, f))
    }

    /// A sparse matrix from (row, column, value) triplets; duplicates are summed.
    pub fn sparse_from_triplets(
        rows: usize,
        cols: usize,
        triplets: &[(usize, usize, f64)],
    ) -> Result<Self, String> {
        let entries: Vec<Triplet<usize, usize, f64>> = triplets
            .iter()
            .map(|&(i, j, v)| Triplet::new(i, j, v))
            .collect();
        SparseColMat::try_new_from_triplets(rows, cols, &entries)
            .map(Matrix::Sparse)
            .map_err(|e| format!("cannot build a {rows}x{cols} sparse matrix: {e:?}"))
    }

    pub fn nrows(&self) -> usize {
        match self {
            Matrix::Dense(a) => a.nrows(),
            Matrix::Sparse(a) => a.nrows(),
        }
    }

    pub fn ncols(&self) -> usize {
        match self {
            Matrix::Dense(a) => a.ncols(),
            Matrix::Sparse(a) => a.ncols(),
        }
    }

    pub fn is_sparse(&self) -> bool {
        matches!(self, Matrix::Sparse(_))
    }

    /// Stored entries (rows × cols for a dense matrix).
    pub fn nnz(&self) -> usize {
        match self {
            Matrix::Dense(a) => a.nrows() * a.ncols(),
            Matrix::Sparse(a) => a.val().len(),
        }
    }

    /// Calls `f(row, value)` for every stored entry of column `j`.
    #[inline]
    pub fn for_each_in_col(&self, j: usize, mut f: impl FnMut(usize, f64)) {
        match self {
            Matrix::Dense(a) => {
                for (i, &v) in a.col_as_slice(j).iter().enumerate() {
                    f(i, v);
                }
            }
            Matrix::Sparse(a) => {
                let cp = a.symbolic().col_ptr();
                let ri = a.symbolic().row_idx();
                let val = a.val();
                for k in cp[j]..cp[j + 1] {
                    f(ri[k], val[k]);
                }
            }
        }
    }

    /// Entries stored in column `j`.
    pub fn col_nnz(&self, j: usize) -> usize {
        match self {
            Matrix::Dense(a) => a.nrows(),
            Matrix::Sparse(a) => {
                let cp = a.symbolic().col_ptr();
                cp[j + 1] - cp[j]
            }
        }
    }

    /// `y = A x`; returns the flops.
    pub fn mul_vec(&self, x: &[f64], y: &mut [f64]) -> u64 {
        debug_assert_eq!(x.len(), self.ncols());
        debug_assert_eq!(y.len(), self.nrows());
        y.iter_mut().for_each(|v| *v = 0.0);
        match self {
            Matrix::Dense(a) => {
                for (j, &xj) in x.iter().enumerate() {
                    if xj != 0.0 {
                        axpy(xj, a.col_as_slice(j), y);
                    }
                }
            }
            Matrix::Sparse(a) => {
                let cp = a.symbolic().col_ptr();
                let ri = a.symbolic().row_idx();
                let val = a.val();
                for (j, &xj) in x.iter().enumerate() {
                    for k in cp[j]..cp[j + 1] {
                        y[ri[k]] += val[k] * xj;
                    }
                }
            }
        }
        2 * self.nnz() as u64
    }

    /// `y = Aᵀ x`; returns the flops.
    pub fn tmul_vec(&self, x: &[f64], y: &mut [f64]) -> u64 {
        debug_assert_eq!(x.len(), self.nrows());
        debug_assert_eq!(y.len(), self.ncols());
        match self {
            Matrix::Dense(a) => {
                for (j, yj) in y.iter_mut().enumerate() {
                    *yj = dot(a.col_as_slice(j), x);
                }
            }
            Matrix::Sparse(a) => {
                let cp = a.symbolic().col_ptr();
                let ri = a.symbolic().row_idx();
                let val = a.val();
                for (j, yj) in y.iter_mut().enumerate() {
                    let mut s = 0.0;
                    for k in cp[j]..cp[j + 1] {
                        s += val[k] * x[ri[k]];
                    }
                    *yj = s;
                }
            }
        }
        2 * self.nnz() as u64
    }

    /// `‖A‖_F`.
    pub fn frobenius_norm(&self) -> f64 {
        match self {
            Matrix::Dense(a) => a.norm_l2(),
            Matrix::Sparse(a) => norm(a.val()),
        }
    }

    /// Whether every stored entry is finite.
    pub fn is_finite(&self) -> bool {
        match self {
            Matrix::Dense(a) => {
                (0..a.ncols()).all(|j| a.col_as_slice(j).iter().all(|v| v.is_finite()))
            }
            Matrix::Sparse(a) => a.val().iter().all(|v| v.is_finite()),
        }
    }

    /// The (row, column, value) triplets of the stored entries (dense: the nonzeros).
    pub fn triplets(&self) -> Vec<(usize, usize, f64)> {
        let mut out = Vec::new();
        for j in 0..self.ncols() {
            self.for_each_in_col(j, |i, v| {
                if v != 0.0 || self.is_sparse() {
                    out.push((i, j, v));
                }
            });
        }
        out
    }

    /// A dense copy (only called for small problems).
    pub fn to_dense(&self) -> Mat<f64> {
        match self {
            Matrix::Dense(a) => a.clone(),
            Matrix::Sparse(a) => {
                let mut d = Mat::zeros(a.nrows(), a.ncols());
                for (i, j, v) in self.triplets() {
                    d[(i, j)] += v;
                }
                d
            }
        }
    }

    /// A sparse copy (dense zeros are dropped).
    pub fn to_sparse(&self) -> SparseColMat<usize, f64> {
        match self {
            Matrix::Sparse(a) => a.clone(),
            Matrix::Dense(_) => {
                let t: Vec<Triplet<usize, usize, f64>> = self
                    .triplets()
                    .into_iter()
                    .map(|(i, j, v)| Triplet::new(i, j, v))
                    .collect();
                SparseColMat::try_new_from_triplets(self.nrows(), self.ncols(), &t)
                    .expect("indices in range")
            }
        }
    }
}

/// The eigenvalues of a small dense symmetric matrix, ascending.
pub fn sym_eigenvalues(a: &Mat<f64>) -> Result<Vec<f64>, String> {
    if a.nrows() == 0 {
        return Ok(Vec::new());
    }
    a.self_adjoint_eigenvalues(faer::Side::Lower)
        .map_err(|e| format!("symmetric eigenvalue solver failed: {e:?}"))
}

/// Solves the small symmetric positive semidefinite system `M y = r` in the least-squares,
/// minimum-norm sense (eigenvalues below `1e-13·λ_max` are treated as zero). Returns `y`.
pub fn psd_pinv_solve(m: &Mat<f64>, r: &[f64]) -> Result<Vec<f64>, String> {
    let q = m.nrows();
    if let Ok(llt) = m.llt(faer::Side::Lower) {
        use faer::prelude::Solve;
        let rhs = faer::Col::from_fn(q, |i| r[i]);
        let y = llt.solve(&rhs);
        let y: Vec<f64> = (0..q).map(|i| y[i]).collect();
        if y.iter().all(|v| v.is_finite()) {
            return Ok(y);
        }
    }
    let evd = m
        .self_adjoint_eigen(faer::Side::Lower)
        .map_err(|e| format!("symmetric eigen solver failed: {e:?}"))?;
    let s = evd.S().column_vector();
    let u = evd.U();
    let smax = (0..q).map(|i| s[i].abs()).fold(0.0, f64::max);
    let cut = 1e-13 * smax;
    let mut y = vec![0.0; q];
    for k in 0..q {
        if s[k] > cut {
            let mut c = 0.0;
            for i in 0..q {
                c += u[(i, k)] * r[i];
            }
            c /= s[k];
            for i in 0..q {
                y[i] += c * u[(i, k)];
            }
        }
    }
    Ok(y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> Vec<(usize, usize, f64)> {
        // [[1, 0, 2], [0, 3, 0], [4, 0, 5]]
        vec![
            (0, 0, 1.0),
            (2, 0, 4.0),
            (1, 1, 3.0),
            (0, 2, 2.0),
            (2, 2, 5.0),
        ]
    }

    #[test]
    fn dense_and_sparse_products_agree() {
        let s = Matrix::sparse_from_triplets(3, 3, &example()).unwrap();
        let d = Matrix::Dense(s.to_dense());
        let x = [1.0, -2.0, 0.5];
        let (mut y1, mut y2) = ([0.0; 3], [0.0; 3]);
        s.mul_vec(&x, &mut y1);
        d.mul_vec(&x, &mut y2);
        assert_eq!(y1, [2.0, -6.0, 6.5]);
        assert_eq!(y1, y2);
        s.tmul_vec(&x, &mut y1);
        d.tmul_vec(&x, &mut y2);
        assert_eq!(y1, [3.0, -6.0, 4.5]);
        assert_eq!(y1, y2);
        assert!((s.frobenius_norm() - 55f64.sqrt()).abs() < 1e-14);
        assert_eq!(s.nnz(), 5);
        assert_eq!(s.col_nnz(0), 2);
    }

    #[test]
    fn pinv_solve_handles_singular_matrices() {
        // M = v vᵀ with v = (1, 1): the minimum-norm solution of M y = (2, 2) is (1, 1).
        let m = Mat::from_fn(2, 2, |_, _| 1.0);
        let y = psd_pinv_solve(&m, &[2.0, 2.0]).unwrap();
        assert!(
            (y[0] - 1.0).abs() < 1e-12 && (y[1] - 1.0).abs() < 1e-12,
            "{y:?}"
        );
        let m = Mat::from_fn(2, 2, |i, j| if i == j { 2.0 } else { 0.0 });
        let y = psd_pinv_solve(&m, &[2.0, 4.0]).unwrap();
        assert!(
            (y[0] - 1.0).abs() < 1e-15 && (y[1] - 2.0).abs() < 1e-15,
            "{y:?}"
        );
    }
}
