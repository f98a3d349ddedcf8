//! The problem interface: min f(x) subject to c(x) = 0.
//!
//! A problem supplies values and exact (or finite-difference) derivatives; the solver never
//! differentiates by itself. Jacobians and Hessians come as [`Matrix`], dense or sparse as suits
//! the problem (the PDE problem is sparse, the others dense).

use crate::error::{Error, Result};
use crate::linalg::Matrix;

/// An equality-constrained problem `min f(x) s.t. c(x) = 0` with `x ∈ Rⁿ`, `c: Rⁿ → Rᵐ`.
///
/// The Lagrangian is `L(x, λ) = f(x) + λᵀc(x)` (the "+" convention of the authors' code), so
/// [`Problem::hessian_lagrangian`] is `∇²f(x) + Σᵢ λᵢ ∇²cᵢ(x)`. Methods take `&mut self` so
/// that script-defined problems can count their callbacks. A callback's failure is returned as
/// is and ends the solve with that error.
pub trait Problem {
    /// A short name for logs and results (`hs6`, `logreg:wine_scale`, `pde:32`).
    fn name(&self) -> String;
    /// Number of variables n.
    fn n(&self) -> usize;
    /// Number of equality constraints m.
    fn m(&self) -> usize;
    /// The start point.
    fn x0(&self) -> Vec<f64>;
    /// The start multipliers (zeros unless the problem says otherwise).
    fn lambda0(&self) -> Vec<f64> {
        vec![0.0; self.m()]
    }
    /// f(x).
    fn objective(&mut self, x: &[f64]) -> Result<f64>;
    /// ∇f(x), length n.
    fn gradient(&mut self, x: &[f64]) -> Result<Vec<f64>>;
    /// c(x), length m.
    fn constraints(&mut self, x: &[f64]) -> Result<Vec<f64>>;
    /// The m×n Jacobian G(x) = ∇c(x)ᵀ.
    fn jacobian(&mut self, x: &[f64]) -> Result<Matrix>;
    /// The n×n Hessian of the Lagrangian ∇²ₓL(x, λ), both triangles stored.
    fn hessian_lagrangian(&mut self, x: &[f64], lambda: &[f64]) -> Result<Matrix>;
}

/// Checks the shapes a problem returned, naming the offending callback.
pub(crate) fn check_len(what: &str, got: usize, expected: usize) -> Result<()> {
    if got == expected {
        Ok(())
    } else {
        Err(Error::bad_input(
            "problem",
            format!("{what} returned {got} entries, expected {expected}"),
        ))
    }
}

/// Checks a matrix shape returned by a problem.
pub(crate) fn check_shape(what: &str, m: &Matrix, rows: usize, cols: usize) -> Result<()> {
    if m.nrows() == rows && m.ncols() == cols {
        Ok(())
    } else {
        Err(Error::bad_input(
            "problem",
            format!(
                "{what} returned a {}x{} matrix, expected {rows}x{cols}",
                m.nrows(),
                m.ncols()
            ),
        ))
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! A derivative checker: central differences against the problem's own derivatives.
    use super::*;

    /// The largest relative error of ∇f, G and ∇²L against central differences at (x, λ).
    pub fn derivative_error(p: &mut dyn Problem, x: &[f64], lambda: &[f64]) -> f64 {
        let n = p.n();
        let h = 1e-6;
        let g = p.gradient(x).unwrap();
        let jac = p.jacobian(x).unwrap().to_dense();
        let hess = p.hessian_lagrangian(x, lambda).unwrap().to_dense();
        let grad_l = |p: &mut dyn Problem, y: &[f64]| -> Vec<f64> {
            let mut gl = p.gradient(y).unwrap();
            let j = p.jacobian(y).unwrap().to_dense();
            for i in 0..n {
                for k in 0..p.m() {
                    gl[i] += j[(k, i)] * lambda[k];
                }
            }
            gl
        };
        let mut worst: f64 = 0.0;
        let rel = |a: f64, b: f64| (a - b).abs() / (1.0 + a.abs().max(b.abs()));
        for i in 0..n {
            let mut xp = x.to_vec();
            let mut xm = x.to_vec();
            xp[i] += h;
            xm[i] -= h;
            let fd = (p.objective(&xp).unwrap() - p.objective(&xm).unwrap()) / (2.0 * h);
            worst = worst.max(rel(fd, g[i]));
            let (cp, cm) = (p.constraints(&xp).unwrap(), p.constraints(&xm).unwrap());
            for k in 0..p.m() {
                worst = worst.max(rel((cp[k] - cm[k]) / (2.0 * h), jac[(k, i)]));
            }
            let (gp, gm) = (grad_l(p, &xp), grad_l(p, &xm));
            for r in 0..n {
                worst = worst.max(rel((gp[r] - gm[r]) / (2.0 * h), hess[(r, i)]));
            }
        }
        worst
    }
}
