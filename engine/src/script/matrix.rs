//! The script `Matrix` type: dense linear algebra on faer.

use faer::prelude::*;
use faer::{Mat, Side};
use rhai::{Array, Dynamic, Engine, EvalAltResult, FLOAT, INT, Map};

use super::convert::{floats, number};
use super::script_error;

type Fallible<T> = Result<T, Box<EvalAltResult>>;

/// A dense real matrix (faer `Mat<f64>`) as a script value.
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix(pub Mat<f64>);

impl Matrix {
    pub fn from_dense(m: &boundlab_sdk::DenseMatrix) -> Self {
        let rows = m.nrows();
        Matrix(Mat::from_fn(rows, m.ncols(), |i, j| m.data[i + j * rows]))
    }

    pub fn to_dense(&self) -> boundlab_sdk::DenseMatrix {
        boundlab_sdk::DenseMatrix::from_fn(self.0.nrows(), self.0.ncols(), |i, j| self.0[(i, j)])
    }

    fn shape(&self) -> String {
        format!("{}x{}", self.0.nrows(), self.0.ncols())
    }

    fn check_index(&self, i: INT, j: INT) -> Fallible<(usize, usize)> {
        let (rows, cols) = (self.0.nrows(), self.0.ncols());
        match (usize::try_from(i), usize::try_from(j)) {
            (Ok(r), Ok(c)) if r < rows && c < cols => Ok((r, c)),
            _ => Err(script_error(format!(
                "index ({i}, {j}) is outside the {} matrix (indices start at 0)",
                self.shape()
            ))),
        }
    }
}

impl std::fmt::Display for Matrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "Matrix {}", self.shape())?;
        for i in 0..self.0.nrows() {
            let row: Vec<String> = (0..self.0.ncols())
                .map(|j| format!("{:>12.6}", self.0[(i, j)]))
                .collect();
            writeln!(f, "[{}]", row.join(" "))?;
        }
        Ok(())
    }
}

/// Builds a matrix from an array of equal-length numeric rows.
pub fn matrix_from_rows(rows: &Array) -> Fallible<Matrix> {
    let mut data: Vec<Vec<f64>> = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let row = row.read_lock::<Array>().ok_or_else(|| {
            script_error(format!(
                "matrix row {i} is a {}, expected an array of numbers",
                row.type_name()
            ))
        })?;
        data.push(floats(&row, &format!("matrix row {i}"))?);
    }
    let cols = data.first().map_or(0, Vec::len);
    if let Some((i, row)) = data.iter().enumerate().find(|(_, r)| r.len() != cols) {
        return Err(script_error(format!(
            "matrix row {i} has {} entries but row 0 has {cols}",
            row.len()
        )));
    }
    Ok(Matrix(Mat::from_fn(data.len(), cols, |i, j| data[i][j])))
}

fn column_from_array(values: &Array, what: &str) -> Fallible<Mat<f64>> {
    let data = floats(values, what)?;
    Ok(Mat::from_fn(data.len(), 1, |i, _| data[i]))
}

fn column_to_array(m: &Mat<f64>) -> Array {
    (0..m.nrows())
        .map(|i| Dynamic::from_float(m[(i, 0)]))
        .collect()
}

fn same_shape(a: &Matrix, b: &Matrix, op: &str) -> Fallible<()> {
    if a.0.nrows() == b.0.nrows() && a.0.ncols() == b.0.ncols() {
        Ok(())
    } else {
        Err(script_error(format!(
            "matrix dimensions do not agree: {} {op} {}",
            a.shape(),
            b.shape()
        )))
    }
}

fn matmul(a: &Matrix, b: &Matrix) -> Fallible<Matrix> {
    if a.0.ncols() != b.0.nrows() {
        return Err(script_error(format!(
            "matrix dimensions do not agree: {} * {}",
            a.shape(),
            b.shape()
        )));
    }
    Ok(Matrix(&a.0 * &b.0))
}

fn scale(a: &Matrix, s: f64) -> Matrix {
    Matrix(Mat::from_fn(a.0.nrows(), a.0.ncols(), |i, j| {
        s * a.0[(i, j)]
    }))
}

/// Solves `A x = b`: LU with partial pivoting for square `A` (refusing a numerically singular
/// one), least squares by QR for tall `A`.
fn solve_matrix(a: &Matrix, b: &Mat<f64>) -> Fallible<Mat<f64>> {
    let (m, n) = (a.0.nrows(), a.0.ncols());
    if b.nrows() != m {
        return Err(script_error(format!(
            "solve: the right-hand side has {} rows but the matrix is {}",
            b.nrows(),
            a.shape()
        )));
    }
    if m == n {
        let lu = a.0.partial_piv_lu();
        let u = lu.U();
        let diag: Vec<f64> = (0..n).map(|i| u[(i, i)].abs()).collect();
        let largest = diag.iter().copied().fold(0.0, f64::max);
        let smallest = diag.iter().copied().fold(f64::INFINITY, f64::min);
        if n > 0 && (largest == 0.0 || smallest <= largest * f64::EPSILON * n as f64) {
            return Err(script_error(format!(
                "solve: the {} matrix is singular to working precision",
                a.shape()
            )));
        }
        Ok(lu.solve(b))
    } else if m > n {
        Ok(a.0.qr().solve_lstsq(b))
    } else {
        Err(script_error(format!(
            "solve: the {} system is underdetermined (more unknowns than equations)",
            a.shape()
        )))
    }
}

fn symmetric_check(a: &Matrix, what: &str) -> Fallible<()> {
    let n = a.0.nrows();
    if n != a.0.ncols() {
        return Err(script_error(format!(
            "{what} needs a square matrix, got {}",
            a.shape()
        )));
    }
    let scale = (0..n)
        .flat_map(|i| (0..n).map(move |j| (i, j)))
        .map(|(i, j)| a.0[(i, j)].abs())
        .fold(0.0, f64::max);
    for i in 0..n {
        for j in 0..i {
            if (a.0[(i, j)] - a.0[(j, i)]).abs() > 1e-12 * scale.max(1.0) {
                return Err(script_error(format!(
                    "{what} needs a symmetric matrix; entries ({i}, {j}) and ({j}, {i}) differ"
                )));
            }
        }
    }
    Ok(())
}

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<Matrix>("Matrix");
    engine.register_fn("matrix", |rows: Array| matrix_from_rows(&rows));
    engine.register_fn("zeros", |rows: INT, cols: INT| -> Fallible<Matrix> {
        let (r, c) = (dim(rows, "rows")?, dim(cols, "cols")?);
        Ok(Matrix(Mat::zeros(r, c)))
    });
    engine.register_fn("eye", |n: INT| -> Fallible<Matrix> {
        let n = dim(n, "n")?;
        Ok(Matrix(Mat::identity(n, n)))
    });
    engine.register_get("rows", |m: &mut Matrix| m.0.nrows() as INT);
    engine.register_get("cols", |m: &mut Matrix| m.0.ncols() as INT);
    engine.register_fn("get", |m: &mut Matrix, i: INT, j: INT| -> Fallible<FLOAT> {
        let (r, c) = m.check_index(i, j)?;
        Ok(m.0[(r, c)])
    });
    engine.register_fn(
        "set",
        |m: &mut Matrix, i: INT, j: INT, x: Dynamic| -> Fallible<()> {
            let (r, c) = m.check_index(i, j)?;
            m.0[(r, c)] = number(&x).ok_or_else(|| {
                script_error(format!(
                    "set: the value is a {}, expected a number",
                    x.type_name()
                ))
            })?;
            Ok(())
        },
    );
    engine.register_fn("row", |m: &mut Matrix, i: INT| -> Fallible<Array> {
        let (r, _) = m.check_index(i, 0)?;
        Ok((0..m.0.ncols())
            .map(|j| Dynamic::from_float(m.0[(r, j)]))
            .collect())
    });
    engine.register_fn("col", |m: &mut Matrix, j: INT| -> Fallible<Array> {
        let (_, c) = m.check_index(0, j)?;
        Ok((0..m.0.nrows())
            .map(|i| Dynamic::from_float(m.0[(i, c)]))
            .collect())
    });
    engine.register_fn("to_array", |m: &mut Matrix| -> Array {
        (0..m.0.nrows())
            .map(|i| {
                Dynamic::from_array(
                    (0..m.0.ncols())
                        .map(|j| Dynamic::from_float(m.0[(i, j)]))
                        .collect(),
                )
            })
            .collect()
    });
    engine.register_fn("transpose", |m: &mut Matrix| {
        Matrix(m.0.transpose().to_owned())
    });
    engine.register_fn("+", |a: Matrix, b: Matrix| -> Fallible<Matrix> {
        same_shape(&a, &b, "+")?;
        Ok(Matrix(&a.0 + &b.0))
    });
    engine.register_fn("-", |a: Matrix, b: Matrix| -> Fallible<Matrix> {
        same_shape(&a, &b, "-")?;
        Ok(Matrix(&a.0 - &b.0))
    });
    engine.register_fn("-", |a: Matrix| scale(&a, -1.0));
    engine.register_fn("*", |a: Matrix, b: Matrix| matmul(&a, &b));
    engine.register_fn("*", |a: Matrix, s: FLOAT| scale(&a, s));
    engine.register_fn("*", |s: FLOAT, a: Matrix| scale(&a, s));
    engine.register_fn("*", |a: Matrix, s: INT| scale(&a, s as f64));
    engine.register_fn("*", |s: INT, a: Matrix| scale(&a, s as f64));
    engine.register_fn("*", |a: Matrix, x: Array| -> Fallible<Array> {
        let x = column_from_array(&x, "vector")?;
        Ok(column_to_array(&matmul(&a, &Matrix(x))?.0))
    });
    engine.register_fn("==", |a: Matrix, b: Matrix| a == b);
    engine.register_fn("solve", |a: Matrix, b: Matrix| -> Fallible<Matrix> {
        Ok(Matrix(solve_matrix(&a, &b.0)?))
    });
    engine.register_fn("solve", |a: Matrix, b: Array| -> Fallible<Array> {
        let b = column_from_array(&b, "right-hand side")?;
        Ok(column_to_array(&solve_matrix(&a, &b)?))
    });
    engine.register_fn("chol", |a: Matrix| -> Fallible<Matrix> {
        symmetric_check(&a, "chol")?;
        let llt = a.0.llt(Side::Lower).map_err(|_| {
            script_error(format!(
                "chol: the {} matrix is not positive definite",
                a.shape()
            ))
        })?;
        Ok(Matrix(llt.L().to_owned()))
    });
    engine.register_fn("eig_sym", |a: Matrix| -> Fallible<Map> {
        symmetric_check(&a, "eig_sym")?;
        let eig = a.0.self_adjoint_eigen(Side::Lower).map_err(|e| {
            script_error(format!("eig_sym: the eigenvalue iteration failed ({e:?})"))
        })?;
        let n = a.0.nrows();
        let values: Array = (0..n).map(|i| Dynamic::from_float(eig.S()[i])).collect();
        let mut out = Map::new();
        out.insert("values".into(), Dynamic::from_array(values));
        out.insert("vectors".into(), Dynamic::from(Matrix(eig.U().to_owned())));
        Ok(out)
    });
    engine.register_fn("norm", |a: Matrix| frobenius(&a.0));
    engine.register_fn("norm", |x: Array| -> Fallible<FLOAT> {
        Ok(frobenius(&column_from_array(&x, "vector")?))
    });
    register_vector_ops(engine);
    engine.register_fn("to_string", |m: &mut Matrix| m.to_string());
    engine.register_fn("to_debug", |m: &mut Matrix| m.to_string());
}

/// Element-wise `+`/`-`, scaling and `dot` on numeric arrays, so that residuals such as
/// `a * x - b` read as written.
fn register_vector_ops(engine: &mut Engine) {
    fn zip(a: &Array, b: &Array, op: &str, f: fn(f64, f64) -> f64) -> Fallible<Array> {
        let (a, b) = (floats(a, op)?, floats(b, op)?);
        if a.len() != b.len() {
            return Err(script_error(format!(
                "vector lengths differ: {} {op} {}",
                a.len(),
                b.len()
            )));
        }
        Ok(a.iter()
            .zip(&b)
            .map(|(x, y)| Dynamic::from_float(f(*x, *y)))
            .collect())
    }
    engine.register_fn("+", |a: Array, b: Array| zip(&a, &b, "+", |x, y| x + y));
    engine.register_fn("-", |a: Array, b: Array| zip(&a, &b, "-", |x, y| x - y));
    engine.register_fn("*", |s: FLOAT, a: Array| -> Fallible<Array> {
        Ok(floats(&a, "*")?
            .into_iter()
            .map(|x| Dynamic::from_float(s * x))
            .collect())
    });
    engine.register_fn("dot", |a: Array, b: Array| -> Fallible<FLOAT> {
        let products = zip(&a, &b, "dot", |x, y| x * y)?;
        Ok(products.iter().filter_map(|v| v.as_float().ok()).sum())
    });
}

fn frobenius(m: &Mat<f64>) -> f64 {
    let mut sum = 0.0;
    for j in 0..m.ncols() {
        for i in 0..m.nrows() {
            sum += m[(i, j)] * m[(i, j)];
        }
    }
    sum.sqrt()
}

fn dim(n: INT, name: &str) -> Fallible<usize> {
    usize::try_from(n)
        .map_err(|_| script_error(format!("`{name}` must be a non-negative integer, got {n}")))
}
