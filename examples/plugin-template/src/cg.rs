//! The conjugate gradient method (Hestenes and Stiefel, 1952) on a CSC matrix.
//!
//! Plain Rust: no plugin types, so the solver can be used and tested on its own. The plugin
//! layer (`lib.rs`) converts parameters in and [`CgError`] out.

use std::ops::ControlFlow;

/// A sparse matrix in compressed sparse column form: column `j` holds the entries
/// `values[k]` at rows `row_indices[k]` for `k` in `col_ptr[j]..col_ptr[j + 1]`, rows
/// ascending.
#[derive(Debug, Clone, PartialEq)]
pub struct CscMatrix {
    pub rows: usize,
    pub cols: usize,
    pub col_ptr: Vec<u64>,
    pub row_indices: Vec<u64>,
    pub values: Vec<f64>,
}

impl CscMatrix {
    /// y = A x.
    pub fn mul_vec(&self, x: &[f64]) -> Vec<f64> {
        let mut y = vec![0.0; self.rows];
        for (j, &xj) in x.iter().enumerate() {
            for k in self.col_ptr[j] as usize..self.col_ptr[j + 1] as usize {
                y[self.row_indices[k] as usize] += self.values[k] * xj;
            }
        }
        y
    }

    /// The CSC invariants the solver relies on, checked in O(nnz).
    fn check_structure(&self) -> Result<(), String> {
        let nnz = self.values.len();
        if self.col_ptr.len() != self.cols + 1 || self.row_indices.len() != nnz {
            return Err(format!(
                "has {} column pointers and {} row indices for {} columns and {nnz} values",
                self.col_ptr.len(),
                self.row_indices.len(),
                self.cols
            ));
        }
        if self.col_ptr[0] != 0 || self.col_ptr[self.cols] as usize != nnz {
            return Err("column pointers must run from 0 to the number of values".into());
        }
        for j in 0..self.cols {
            let (start, end) = (self.col_ptr[j] as usize, self.col_ptr[j + 1] as usize);
            if start > end {
                return Err(format!("column pointers decrease at column {j}"));
            }
            let column = &self.row_indices[start..end];
            if column.iter().any(|&i| i as usize >= self.rows) {
                return Err(format!("column {j} has a row index out of range"));
            }
            if column.windows(2).any(|w| w[0] >= w[1]) {
                return Err(format!("column {j} has row indices out of order"));
            }
        }
        if let Some(k) = self.values.iter().position(|v| !v.is_finite()) {
            return Err(format!("value {k} is not finite"));
        }
        Ok(())
    }
}

/// Why a system was refused or a solve failed.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CgError {
    /// An argument of [`CgProblem::new`] (`matrix`, `rhs` or `x0`) is unusable.
    #[error("`{argument}` {reason}")]
    BadInput {
        argument: &'static str,
        reason: String,
    },
    #[error("the matrix is not positive definite: pᵀAp = {curvature:e} at iteration {iteration}")]
    NotPositiveDefinite { curvature: f64, iteration: usize },
    /// The observer returned `ControlFlow::Break`.
    #[error("stopped by the caller after iteration {iteration}")]
    Stopped { iteration: usize },
}

fn bad(argument: &'static str, reason: impl Into<String>) -> CgError {
    CgError::BadInput {
        argument,
        reason: reason.into(),
    }
}

/// A checked linear system `A x = b`.
#[derive(Debug)]
pub struct CgProblem {
    a: CscMatrix,
    b: Vec<f64>,
    x0: Vec<f64>,
}

/// The state after one iteration, given to the observer.
#[derive(Debug, Clone, Copy)]
pub struct Iterate {
    pub iteration: usize,
    /// The recursively updated ‖r‖ / ‖b‖.
    pub relative_residual: f64,
}

/// What `solve` found.
#[derive(Debug)]
pub struct CgOutcome {
    pub x: Vec<f64>,
    pub converged: bool,
    pub iterations: usize,
    /// ‖b − A x‖ / ‖b‖ of the returned `x`, recomputed from scratch.
    pub relative_residual: f64,
    /// The recursively updated relative residual after each iteration.
    pub residual_history: Vec<f64>,
}

impl CgProblem {
    /// Checks shapes, the CSC structure and symmetry; errors name the argument.
    pub fn new(matrix: CscMatrix, rhs: Vec<f64>, x0: Option<Vec<f64>>) -> Result<Self, CgError> {
        matrix.check_structure().map_err(|e| bad("matrix", e))?;
        let n = matrix.rows;
        if matrix.cols != n {
            return Err(bad(
                "matrix",
                format!("must be square, got {}x{}", matrix.rows, matrix.cols),
            ));
        }
        if rhs.len() != n {
            let reason = format!("has {} entries, the matrix has {n} rows", rhs.len());
            return Err(bad("rhs", reason));
        }
        if let Some(i) = rhs.iter().position(|v| !v.is_finite()) {
            return Err(bad("rhs", format!("entry {i} is not finite")));
        }
        let x0 = x0.unwrap_or_else(|| vec![0.0; n]);
        if x0.len() != n {
            return Err(bad("x0", format!("has {} entries, expected {n}", x0.len())));
        }
        check_symmetric(&matrix)?;
        Ok(Self {
            a: matrix,
            b: rhs,
            x0,
        })
    }

    pub fn dim(&self) -> usize {
        self.b.len()
    }

    /// Runs CG until ‖r‖ ≤ tol ‖b‖ or `max_iter` iterations. `observe` sees every iterate;
    /// `ControlFlow::Break` (cancellation) stops the solve with [`CgError::Stopped`].
    pub fn solve(
        &self,
        tol: f64,
        max_iter: usize,
        mut observe: impl FnMut(Iterate) -> ControlFlow<()>,
    ) -> Result<CgOutcome, CgError> {
        let b_norm = norm(&self.b);
        let mut x = self.x0.clone();
        if b_norm == 0.0 {
            let zero = vec![0.0; self.dim()];
            return Ok(CgOutcome {
                x: zero,
                converged: true,
                iterations: 0,
                relative_residual: 0.0,
                residual_history: vec![],
            });
        }
        let ax = self.a.mul_vec(&x);
        let mut r: Vec<f64> = self.b.iter().zip(&ax).map(|(b, ax)| b - ax).collect();
        let mut p = r.clone();
        let mut rr = dot(&r, &r);
        let mut history = Vec::new();
        let mut iterations = 0;
        while rr.sqrt() > tol * b_norm && iterations < max_iter {
            let ap = self.a.mul_vec(&p);
            let curvature = dot(&p, &ap);
            if curvature <= 0.0 || !curvature.is_finite() {
                return Err(CgError::NotPositiveDefinite {
                    curvature,
                    iteration: iterations + 1,
                });
            }
            let alpha = rr / curvature;
            for i in 0..x.len() {
                x[i] += alpha * p[i];
                r[i] -= alpha * ap[i];
            }
            let rr_next = dot(&r, &r);
            let beta = rr_next / rr;
            for i in 0..p.len() {
                p[i] = r[i] + beta * p[i];
            }
            rr = rr_next;
            iterations += 1;
            let relative_residual = rr.sqrt() / b_norm;
            history.push(relative_residual);
            let iterate = Iterate {
                iteration: iterations,
                relative_residual,
            };
            if observe(iterate).is_break() {
                return Err(CgError::Stopped {
                    iteration: iterations,
                });
            }
        }
        let ax = self.a.mul_vec(&x);
        let true_residual: Vec<f64> = self.b.iter().zip(&ax).map(|(b, ax)| b - ax).collect();
        let relative_residual = norm(&true_residual) / b_norm;
        Ok(CgOutcome {
            x,
            converged: rr.sqrt() <= tol * b_norm,
            iterations,
            relative_residual,
            residual_history: history,
        })
    }
}

/// Compares A with Aᵀ, built by a counting sort over the rows (its row indices come out
/// sorted, as `validate` requires of A): O(nnz), no sorting.
fn check_symmetric(a: &CscMatrix) -> Result<(), CgError> {
    let n = a.cols;
    let (ptr, rows, values) = (&a.col_ptr, &a.row_indices, &a.values);
    let mut t_ptr = vec![0usize; n + 1];
    for &i in rows.iter() {
        t_ptr[i as usize + 1] += 1;
    }
    for j in 0..n {
        t_ptr[j + 1] += t_ptr[j];
    }
    let mut next = t_ptr.clone();
    let mut t_rows = vec![0usize; rows.len()];
    let mut t_values = vec![0.0; rows.len()];
    for j in 0..n {
        for k in ptr[j] as usize..ptr[j + 1] as usize {
            let slot = &mut next[rows[k] as usize];
            t_rows[*slot] = j;
            t_values[*slot] = values[k];
            *slot += 1;
        }
    }
    let scale = values.iter().map(|v| v.abs()).fold(0.0, f64::max);
    for j in 0..n {
        let (start, end) = (ptr[j] as usize, ptr[j + 1] as usize);
        let mirrored = t_ptr[j] == start
            && t_ptr[j + 1] == end
            && (start..end).all(|k| {
                t_rows[k] == rows[k] as usize && (t_values[k] - values[k]).abs() <= 1e-12 * scale
            });
        if !mirrored {
            // Column j of Aᵀ holds A(j, i) for its rows i: an entry on either side without an
            // equal partner on the other names the entry, (i, j) or (j, i).
            let tol = 1e-12 * scale;
            let t_col = t_ptr[j]..t_ptr[j + 1];
            let unmatched_in_a = (start..end).find(|&k| {
                let partner = t_col.clone().find(|&m| t_rows[m] == rows[k] as usize);
                partner.is_none_or(|m| (t_values[m] - values[k]).abs() > tol)
            });
            let (i, j) = match unmatched_in_a {
                Some(k) => (rows[k] as usize, j),
                None => {
                    let m = t_col
                        .clone()
                        .find(|&m| !(start..end).any(|k| rows[k] as usize == t_rows[m]))
                        .expect("the columns differ");
                    (j, t_rows[m])
                }
            };
            let reason = format!("must be symmetric; entry ({i}, {j}) has no equal mirror entry");
            return Err(bad("matrix", reason));
        }
    }
    Ok(())
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CSC matrix from its columns, each a list of (row, value) with rows ascending.
    fn csc(n: usize, columns: &[&[(u64, f64)]]) -> CscMatrix {
        let mut col_ptr = vec![0];
        let (mut row_indices, mut values) = (Vec::new(), Vec::new());
        for column in columns {
            for &(i, v) in column.iter() {
                row_indices.push(i);
                values.push(v);
            }
            col_ptr.push(values.len() as u64);
        }
        CscMatrix {
            rows: n,
            cols: columns.len(),
            col_ptr,
            row_indices,
            values,
        }
    }

    /// The 1-D Poisson matrix tridiag(-1, 2, -1) of size n.
    fn poisson(n: usize) -> CscMatrix {
        let columns: Vec<Vec<(u64, f64)>> = (0..n as u64)
            .map(|j| {
                let below = (j > 0).then(|| (j - 1, -1.0));
                let above = (j + 1 < n as u64).then(|| (j + 1, -1.0));
                below.into_iter().chain([(j, 2.0)]).chain(above).collect()
            })
            .collect();
        let columns: Vec<&[(u64, f64)]> = columns.iter().map(Vec::as_slice).collect();
        csc(n, &columns)
    }

    #[test]
    fn solves_discrete_poisson_to_its_closed_form() {
        // -u'' = 1 on (0, 1), u(0) = u(1) = 0, with h = 1/(n+1): the 3-point scheme is exact for
        // quadratics, so u_i = h² i (n + 1 - i) / 2 solves tridiag(-1, 2, -1) u = h² 1 exactly.
        let n = 50;
        let h = 1.0 / (n as f64 + 1.0);
        let problem = CgProblem::new(poisson(n), vec![h * h; n], None).unwrap();
        let out = problem
            .solve(1e-12, 500, |_| ControlFlow::Continue(()))
            .unwrap();
        assert!(out.converged);
        // In exact arithmetic CG needs at most as many steps as distinct eigenvalues; by symmetry
        // of the right-hand side half of them are not excited.
        assert!(out.iterations <= n / 2 + 1, "{} iterations", out.iterations);
        for (i, xi) in out.x.iter().enumerate() {
            let k = (i + 1) as f64;
            let exact = h * h * k * (n as f64 + 1.0 - k) / 2.0;
            assert!((xi - exact).abs() < 1e-10, "u[{i}] = {xi}, exact {exact}");
        }
    }

    #[test]
    fn refuses_bad_input_naming_the_argument() {
        let err = CgProblem::new(poisson(3), vec![1.0; 2], None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`rhs` has 2 entries, the matrix has 3 rows"
        );
        let nonsym = csc(2, &[&[(0, 1.0)], &[(0, 1.0), (1, 1.0)]]);
        let err = CgProblem::new(nonsym, vec![1.0; 2], None).unwrap_err();
        assert!(
            err.to_string().contains("entry (0, 1) has no equal mirror"),
            "{err}"
        );
        let unequal = csc(2, &[&[(0, 1.0), (1, 2.0)], &[(0, 3.0)]]);
        let err = CgProblem::new(unequal, vec![1.0; 2], None).unwrap_err();
        assert!(
            err.to_string().contains("entry (1, 0) has no equal mirror"),
            "{err}"
        );
        let unsorted = csc(2, &[&[(1, 1.0), (0, 1.0)], &[(1, 1.0)]]);
        let err = CgProblem::new(unsorted, vec![1.0; 2], None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`matrix` column 0 has row indices out of order"
        );
        let indefinite = csc(2, &[&[(0, 1.0)], &[(1, -1.0)]]);
        let err = CgProblem::new(indefinite, vec![0.0, 1.0], None)
            .unwrap()
            .solve(1e-10, 10, |_| ControlFlow::Continue(()))
            .unwrap_err();
        assert!(
            matches!(err, CgError::NotPositiveDefinite { iteration: 1, .. }),
            "{err}"
        );
    }

    #[test]
    fn stops_when_the_observer_says_so() {
        let problem = CgProblem::new(poisson(100), vec![1.0; 100], None).unwrap();
        let err = problem
            .solve(1e-14, 1000, |it| {
                if it.iteration == 3 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .unwrap_err();
        assert_eq!(err, CgError::Stopped { iteration: 3 });
    }
}
