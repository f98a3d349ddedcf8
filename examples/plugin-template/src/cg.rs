//! The conjugate gradient method (Hestenes and Stiefel, 1952) on a CSC matrix.

use boundlab_sdk::{PluginError, SparseMatrix};

/// A checked linear system `A x = b`.
#[derive(Debug)]
pub struct CgProblem {
    a: SparseMatrix,
    b: Vec<f64>,
    x0: Vec<f64>,
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
    /// Checks shapes, the CSC structure and symmetry; errors name the parameter.
    pub fn new(a: SparseMatrix, b: Vec<f64>, x0: Option<Vec<f64>>) -> Result<Self, PluginError> {
        a.validate()
            .map_err(|e| PluginError::bad_parameter("matrix", e))?;
        let n = a.rows as usize;
        if a.cols as usize != n {
            return Err(PluginError::bad_parameter(
                "matrix",
                format!("must be square, got {}x{}", a.rows, a.cols),
            ));
        }
        if b.len() != n {
            return Err(PluginError::bad_parameter(
                "rhs",
                format!("has {} entries, the matrix has {n} rows", b.len()),
            ));
        }
        if let Some(i) = b.iter().position(|v| !v.is_finite()) {
            return Err(PluginError::bad_parameter(
                "rhs",
                format!("entry {i} is not finite"),
            ));
        }
        let x0 = x0.unwrap_or_else(|| vec![0.0; n]);
        if x0.len() != n {
            return Err(PluginError::bad_parameter(
                "x0",
                format!("has {} entries, expected {n}", x0.len()),
            ));
        }
        check_symmetric(&a)?;
        Ok(Self { a, b, x0 })
    }

    pub fn dim(&self) -> usize {
        self.b.len()
    }

    /// Runs CG until ‖r‖ ≤ tol ‖b‖ or `max_iter` iterations. `after_iteration(k, rel_residual)`
    /// runs after every iteration; returning an error (cancellation) stops the solve.
    pub fn solve(
        &self,
        tol: f64,
        max_iter: usize,
        mut after_iteration: impl FnMut(usize, f64) -> Result<(), PluginError>,
    ) -> Result<CgOutcome, PluginError> {
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
                return Err(PluginError::numerical(format!(
                    "the matrix is not positive definite: pᵀAp = {curvature:e} at iteration {}",
                    iterations + 1
                )));
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
            history.push(rr.sqrt() / b_norm);
            after_iteration(iterations, rr.sqrt() / b_norm)?;
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
fn check_symmetric(a: &SparseMatrix) -> Result<(), PluginError> {
    let n = a.cols as usize;
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
            return Err(PluginError::bad_parameter(
                "matrix",
                format!("must be symmetric; entry ({i}, {j}) has no equal mirror entry"),
            ));
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

    /// The 1-D Poisson matrix tridiag(-1, 2, -1) of size n.
    fn poisson(n: usize) -> SparseMatrix {
        let mut t = Vec::new();
        for i in 0..n {
            t.push((i, i, 2.0));
            if i + 1 < n {
                t.push((i, i + 1, -1.0));
                t.push((i + 1, i, -1.0));
            }
        }
        SparseMatrix::from_triplets(n, n, &t).unwrap()
    }

    #[test]
    fn solves_discrete_poisson_to_its_closed_form() {
        // -u'' = 1 on (0, 1), u(0) = u(1) = 0, with h = 1/(n+1): the 3-point scheme is exact for
        // quadratics, so u_i = h² i (n + 1 - i) / 2 solves tridiag(-1, 2, -1) u = h² 1 exactly.
        let n = 50;
        let h = 1.0 / (n as f64 + 1.0);
        let problem = CgProblem::new(poisson(n), vec![h * h; n], None).unwrap();
        let out = problem.solve(1e-12, 500, |_, _| Ok(())).unwrap();
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
    fn refuses_bad_input_with_the_parameter_name() {
        assert!(
            CgProblem::new(poisson(3), vec![1.0; 2], None)
                .unwrap_err()
                .message
                .contains("`rhs`")
        );
        let nonsym =
            SparseMatrix::from_triplets(2, 2, &[(0, 0, 1.0), (0, 1, 1.0), (1, 1, 1.0)]).unwrap();
        let err = CgProblem::new(nonsym, vec![1.0; 2], None).unwrap_err();
        assert!(err.message.contains("entry (0, 1) has no equal mirror"), "{}", err.message);
        let unequal =
            SparseMatrix::from_triplets(2, 2, &[(0, 0, 1.0), (1, 0, 2.0), (0, 1, 3.0)]).unwrap();
        let err = CgProblem::new(unequal, vec![1.0; 2], None).unwrap_err();
        assert!(err.message.contains("entry (1, 0) has no equal mirror"), "{}", err.message);
        let indefinite = SparseMatrix::from_triplets(2, 2, &[(0, 0, 1.0), (1, 1, -1.0)]).unwrap();
        let err = CgProblem::new(indefinite, vec![0.0, 1.0], None)
            .unwrap()
            .solve(1e-10, 10, |_, _| Ok(()))
            .unwrap_err();
        assert!(
            err.message.contains("not positive definite"),
            "{}",
            err.message
        );
    }

    #[test]
    fn stops_when_the_callback_says_so() {
        let problem = CgProblem::new(poisson(100), vec![1.0; 100], None).unwrap();
        let err = problem
            .solve(1e-14, 1000, |k, _| {
                if k == 3 {
                    Err(PluginError::cancelled())
                } else {
                    Ok(())
                }
            })
            .unwrap_err();
        assert_eq!(err.kind, boundlab_sdk::ErrorKind::Cancelled);
    }
}
