//! The PDE-constrained problem of Hong, Na, Mahoney and Kolar (ICML 2023), on an N×N grid:
//!
//! ```text
//! min ½(‖w − w_true‖² + 0.1‖z‖²)   s.t.   Δ_h w + z = 0,
//! ```
//!
//! with the 5-point Laplacian Δ_h, zero Dirichlet boundary, h = 2/(N + 1), and
//! w_true(i, j) = sin(4 + (0.1/√15)(i − (N+1)/2)) + cos(3 + (0.1/√15)(j − (N+1)/2)) for
//! i, j = 1..N (`../shared/notes/alsketch.md` §2.3). Unknowns x = [vec W; vec Z] (column-major),
//! n = 2N², m = N²; start x₀ = 1, λ₀ = 1. The problem is a convex QP: the Hessian is
//! diag(I, 0.1 I) and the Jacobian [Δ_h, I] is constant. Both are sparse.

use crate::error::{Error, Result};

use crate::linalg::Matrix;
use crate::problem::Problem;

/// The largest grid the library accepts (n = 2·256² = 131072 variables).
pub const MAX_GRID: usize = 1024;

/// The PDE-constrained control problem on an N×N grid.
#[derive(Clone, Debug)]
pub struct Pde {
    grid: usize,
    w_true: Vec<f64>,
    jacobian: Matrix,
    hessian: Matrix,
}

impl Pde {
    /// The problem on a `grid`×`grid` mesh.
    pub fn new(grid: usize) -> Result<Self> {
        if !(2..=MAX_GRID).contains(&grid) {
            return Err(Error::bad_input(
                "grid",
                format!("must be between 2 and {MAX_GRID}, got {grid}"),
            ));
        }
        let n = grid;
        let nn = n * n;
        let h = 2.0 / (n as f64 + 1.0);
        let inv_h2 = 1.0 / (h * h);
        let k = 0.1 / 15f64.sqrt();
        let mid = (n as f64 + 1.0) / 2.0;
        let mut w_true = vec![0.0; nn];
        for j in 0..n {
            for i in 0..n {
                let (ii, jj) = ((i + 1) as f64, (j + 1) as f64);
                w_true[i + n * j] = (4.0 + k * (ii - mid)).sin() + (3.0 + k * (jj - mid)).cos();
            }
        }
        let mut triplets = Vec::with_capacity(6 * nn);
        for j in 0..n {
            for i in 0..n {
                let row = i + n * j;
                triplets.push((row, row, -4.0 * inv_h2));
                if i > 0 {
                    triplets.push((row, row - 1, inv_h2));
                }
                if i + 1 < n {
                    triplets.push((row, row + 1, inv_h2));
                }
                if j > 0 {
                    triplets.push((row, row - n, inv_h2));
                }
                if j + 1 < n {
                    triplets.push((row, row + n, inv_h2));
                }
                triplets.push((row, nn + row, 1.0));
            }
        }
        let jacobian =
            Matrix::sparse_from_triplets(nn, 2 * nn, &triplets).map_err(Error::Internal)?;
        let diag: Vec<(usize, usize, f64)> = (0..2 * nn)
            .map(|i| (i, i, if i < nn { 1.0 } else { 0.1 }))
            .collect();
        let hessian =
            Matrix::sparse_from_triplets(2 * nn, 2 * nn, &diag).map_err(Error::Internal)?;
        Ok(Self {
            grid,
            w_true,
            jacobian,
            hessian,
        })
    }

    /// The grid size N.
    pub fn grid(&self) -> usize {
        self.grid
    }
}

impl Problem for Pde {
    fn name(&self) -> String {
        format!("pde:{}", self.grid)
    }
    fn n(&self) -> usize {
        2 * self.grid * self.grid
    }
    fn m(&self) -> usize {
        self.grid * self.grid
    }
    fn x0(&self) -> Vec<f64> {
        vec![1.0; self.n()]
    }
    fn lambda0(&self) -> Vec<f64> {
        vec![1.0; self.m()]
    }
    fn objective(&mut self, x: &[f64]) -> Result<f64> {
        let nn = self.m();
        let w: f64 = x[..nn]
            .iter()
            .zip(&self.w_true)
            .map(|(a, b)| (a - b) * (a - b))
            .sum();
        let z: f64 = x[nn..].iter().map(|v| v * v).sum();
        Ok(0.5 * (w + 0.1 * z))
    }
    fn gradient(&mut self, x: &[f64]) -> Result<Vec<f64>> {
        let nn = self.m();
        let mut g: Vec<f64> = x[..nn]
            .iter()
            .zip(&self.w_true)
            .map(|(a, b)| a - b)
            .collect();
        g.extend(x[nn..].iter().map(|v| 0.1 * v));
        Ok(g)
    }
    fn constraints(&mut self, x: &[f64]) -> Result<Vec<f64>> {
        let mut c = vec![0.0; self.m()];
        self.jacobian.mul_vec(x, &mut c);
        Ok(c)
    }
    fn jacobian(&mut self, _x: &[f64]) -> Result<Matrix> {
        Ok(self.jacobian.clone())
    }
    fn hessian_lagrangian(&mut self, _x: &[f64], _lambda: &[f64]) -> Result<Matrix> {
        Ok(self.hessian.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::testing::derivative_error;

    #[test]
    fn derivatives_match_central_differences() {
        let mut p = Pde::new(4).unwrap();
        let x: Vec<f64> = (0..p.n()).map(|i| (i as f64 * 0.37).sin()).collect();
        let l = vec![0.5; p.m()];
        assert!(derivative_error(&mut p, &x, &l) < 1e-7);
    }

    #[test]
    fn laplacian_annihilates_nothing_and_matches_the_stencil() {
        // Interior point of a 3×3 grid: h = 1/2, so the stencil weights are 4 and −16.
        let mut p = Pde::new(3).unwrap();
        let mut x = vec![0.0; p.n()];
        x[4] = 1.0; // w at the centre (i = j = 1, zero-based)
        let c = p.constraints(&x).unwrap();
        assert_eq!(c, vec![0.0, 4.0, 0.0, 4.0, -16.0, 4.0, 0.0, 4.0, 0.0]);
        assert_eq!(p.jacobian(&x).unwrap().nnz(), 9 * 5 - 12 + 9);
        assert!(Pde::new(1).is_err() && Pde::new(MAX_GRID + 1).is_err());
    }
}
