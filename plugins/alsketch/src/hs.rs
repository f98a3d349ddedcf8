//! Hock–Schittkowski equality-constrained test problems, hand-coded with exact derivatives.
//!
//! Formulations, start points and optimal values follow the verified table in
//! `../shared/notes/alsketch.md` §4 (primary source: casadi `test/python/hock_schittkowski/hsNNN.py`,
//! cross-checked against OptimizationProblems.jl, Trilinos ROL's HS metadata and the book,
//! W. Hock and K. Schittkowski, *Test Examples for Nonlinear Programming Codes*, 1981).
//! Constraints are written `c(x) = 0` exactly as listed there, and multipliers are for
//! `L = f + λᵀc`.

use crate::error::{Error, Result};

use crate::linalg::Matrix;
use crate::problem::Problem;

/// The reference data of one HS problem (from the notes' table).
#[derive(Clone, Copy, Debug)]
pub struct HsReference {
    /// The optimal objective value f*.
    pub f_star: f64,
    /// The multipliers λ* at the solution, for L = f + λᵀc (None where not unique or not listed).
    pub lambda_star: Option<&'static [f64]>,
    /// The reduced Hessian is (numerically) singular at x*: expect linear convergence only.
    pub degenerate: bool,
}

type Vector = Vec<f64>;
type Rows = Vec<Vec<f64>>;

/// One hand-coded Hock–Schittkowski problem.
#[derive(Clone, Copy, Debug)]
pub struct HsProblem {
    name: &'static str,
    n: usize,
    m: usize,
    x0: fn() -> Vector,
    f: fn(&[f64]) -> f64,
    g: fn(&[f64]) -> Vector,
    c: fn(&[f64]) -> Vector,
    /// Jacobian rows.
    j: fn(&[f64]) -> Rows,
    /// ∇²f(x) + Σ λᵢ ∇²cᵢ(x), as rows.
    h: fn(&[f64], &[f64]) -> Rows,
    reference: HsReference,
}

/// The names of the problems in the library, in the order of the notes.
pub const HS_NAMES: [&str; 16] = [
    "hs6", "hs7", "hs26", "hs27", "hs28", "hs39", "hs40", "hs42", "hs46", "hs48", "hs50", "hs51",
    "hs52", "hs56", "hs61", "hs77",
];

impl HsProblem {
    /// The problem called `name` (`hs6`, `HS6` and `hs006` all work).
    pub fn by_name(name: &str) -> Result<Self> {
        let lower = name.to_ascii_lowercase();
        let digits = lower.strip_prefix("hs").and_then(|d| d.parse::<u32>().ok());
        let all = all_problems();
        digits
            .and_then(|d| {
                all.into_iter()
                    .find(|p| p.name[2..].parse::<u32>().ok() == Some(d))
            })
            .ok_or_else(|| {
                Error::bad_input(
                    "problem",
                    format!(
                        "no Hock-Schittkowski problem `{name}`; available: {}",
                        HS_NAMES.join(", ")
                    ),
                )
            })
    }

    /// Reference values (f*, λ*) from the notes' verified table.
    pub fn reference(&self) -> HsReference {
        self.reference
    }
}

fn rows_to_matrix(rows: Rows, ncols: usize) -> Matrix {
    Matrix::dense_from_fn(rows.len(), ncols, |i, j| rows[i][j])
}

impl Problem for HsProblem {
    fn name(&self) -> String {
        self.name.to_string()
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.m
    }
    fn x0(&self) -> Vec<f64> {
        (self.x0)()
    }
    fn objective(&mut self, x: &[f64]) -> Result<f64> {
        Ok((self.f)(x))
    }
    fn gradient(&mut self, x: &[f64]) -> Result<Vec<f64>> {
        Ok((self.g)(x))
    }
    fn constraints(&mut self, x: &[f64]) -> Result<Vec<f64>> {
        Ok((self.c)(x))
    }
    fn jacobian(&mut self, x: &[f64]) -> Result<Matrix> {
        Ok(rows_to_matrix((self.j)(x), self.n))
    }
    fn hessian_lagrangian(&mut self, x: &[f64], lambda: &[f64]) -> Result<Matrix> {
        Ok(rows_to_matrix((self.h)(x, lambda), self.n))
    }
}

fn sym(n: usize, entries: &[(usize, usize, f64)]) -> Rows {
    let mut h = vec![vec![0.0; n]; n];
    for &(i, j, v) in entries {
        h[i][j] += v;
        if i != j {
            h[j][i] += v;
        }
    }
    h
}

const SQRT2: f64 = std::f64::consts::SQRT_2;

/// Every problem of the library.
pub fn all_problems() -> Vec<HsProblem> {
    vec![
        HsProblem {
            name: "hs6",
            n: 2,
            m: 1,
            x0: || vec![-1.2, 1.0],
            f: |x| (1.0 - x[0]).powi(2),
            g: |x| vec![-2.0 * (1.0 - x[0]), 0.0],
            c: |x| vec![10.0 * (x[1] - x[0] * x[0])],
            j: |x| vec![vec![-20.0 * x[0], 10.0]],
            h: |_, l| sym(2, &[(0, 0, 2.0 - 20.0 * l[0])]),
            reference: HsReference {
                f_star: 0.0,
                lambda_star: Some(&[0.0]),
                degenerate: false,
            },
        },
        HsProblem {
            name: "hs7",
            n: 2,
            m: 1,
            x0: || vec![2.0, 2.0],
            f: |x| (1.0 + x[0] * x[0]).ln() - x[1],
            g: |x| vec![2.0 * x[0] / (1.0 + x[0] * x[0]), -1.0],
            c: |x| vec![(1.0 + x[0] * x[0]).powi(2) + x[1] * x[1] - 4.0],
            j: |x| vec![vec![4.0 * x[0] * (1.0 + x[0] * x[0]), 2.0 * x[1]]],
            h: |x, l| {
                let s = 1.0 + x[0] * x[0];
                sym(
                    2,
                    &[
                        (
                            0,
                            0,
                            2.0 * (1.0 - x[0] * x[0]) / (s * s) + l[0] * (4.0 + 12.0 * x[0] * x[0]),
                        ),
                        (1, 1, 2.0 * l[0]),
                    ],
                )
            },
            reference: HsReference {
                f_star: -1.732_050_807_568_88,
                lambda_star: Some(&[0.288_675_134_6]),
                degenerate: false,
            },
        },
        HsProblem {
            name: "hs26",
            n: 3,
            m: 1,
            x0: || vec![-2.6, 2.0, 2.0],
            f: |x| (x[0] - x[1]).powi(2) + (x[1] - x[2]).powi(4),
            g: |x| {
                let (a, d) = (x[0] - x[1], x[1] - x[2]);
                vec![2.0 * a, -2.0 * a + 4.0 * d.powi(3), -4.0 * d.powi(3)]
            },
            c: |x| vec![(1.0 + x[1] * x[1]) * x[0] + x[2].powi(4) - 3.0],
            j: |x| {
                vec![vec![
                    1.0 + x[1] * x[1],
                    2.0 * x[0] * x[1],
                    4.0 * x[2].powi(3),
                ]]
            },
            h: |x, l| {
                let d2 = 12.0 * (x[1] - x[2]).powi(2);
                sym(
                    3,
                    &[
                        (0, 0, 2.0),
                        (0, 1, -2.0 + l[0] * 2.0 * x[1]),
                        (1, 1, 2.0 + d2 + l[0] * 2.0 * x[0]),
                        (1, 2, -d2),
                        (2, 2, d2 + l[0] * 12.0 * x[2] * x[2]),
                    ],
                )
            },
            reference: HsReference {
                f_star: 0.0,
                lambda_star: None,
                degenerate: true,
            },
        },
        HsProblem {
            name: "hs27",
            n: 3,
            m: 1,
            x0: || vec![2.0, 2.0, 2.0],
            f: |x| 0.01 * (x[0] - 1.0).powi(2) + (x[1] - x[0] * x[0]).powi(2),
            g: |x| {
                let r = x[1] - x[0] * x[0];
                vec![0.02 * (x[0] - 1.0) - 4.0 * x[0] * r, 2.0 * r, 0.0]
            },
            c: |x| vec![x[0] + x[2] * x[2] + 1.0],
            j: |x| vec![vec![1.0, 0.0, 2.0 * x[2]]],
            h: |x, l| {
                sym(
                    3,
                    &[
                        (0, 0, 0.02 - 4.0 * x[1] + 12.0 * x[0] * x[0]),
                        (0, 1, -4.0 * x[0]),
                        (1, 1, 2.0),
                        (2, 2, 2.0 * l[0]),
                    ],
                )
            },
            reference: HsReference {
                f_star: 0.04,
                lambda_star: Some(&[0.04]),
                degenerate: false,
            },
        },
        HsProblem {
            name: "hs28",
            n: 3,
            m: 1,
            x0: || vec![-4.0, 1.0, 1.0],
            f: |x| (x[0] + x[1]).powi(2) + (x[1] + x[2]).powi(2),
            g: |x| {
                let (a, b) = (x[0] + x[1], x[1] + x[2]);
                vec![2.0 * a, 2.0 * a + 2.0 * b, 2.0 * b]
            },
            c: |x| vec![x[0] + 2.0 * x[1] + 3.0 * x[2] - 1.0],
            j: |_| vec![vec![1.0, 2.0, 3.0]],
            h: |_, _| {
                sym(
                    3,
                    &[
                        (0, 0, 2.0),
                        (0, 1, 2.0),
                        (1, 1, 4.0),
                        (1, 2, 2.0),
                        (2, 2, 2.0),
                    ],
                )
            },
            reference: HsReference {
                f_star: 0.0,
                lambda_star: Some(&[0.0]),
                degenerate: false,
            },
        },
        HsProblem {
            name: "hs39",
            n: 4,
            m: 2,
            x0: || vec![2.0; 4],
            f: |x| -x[0],
            g: |_| vec![-1.0, 0.0, 0.0, 0.0],
            c: |x| {
                vec![
                    x[1] - x[0].powi(3) - x[2] * x[2],
                    x[0] * x[0] - x[1] - x[3] * x[3],
                ]
            },
            j: |x| {
                vec![
                    vec![-3.0 * x[0] * x[0], 1.0, -2.0 * x[2], 0.0],
                    vec![2.0 * x[0], -1.0, 0.0, -2.0 * x[3]],
                ]
            },
            h: |x, l| {
                sym(
                    4,
                    &[
                        (0, 0, -6.0 * x[0] * l[0] + 2.0 * l[1]),
                        (2, 2, -2.0 * l[0]),
                        (3, 3, -2.0 * l[1]),
                    ],
                )
            },
            reference: HsReference {
                f_star: -1.0,
                lambda_star: Some(&[-1.0, -1.0]),
                degenerate: false,
            },
        },
        HsProblem {
            name: "hs40",
            n: 4,
            m: 3,
            x0: || vec![0.8; 4],
            f: |x| -x[0] * x[1] * x[2] * x[3],
            g: |x| {
                vec![
                    -x[1] * x[2] * x[3],
                    -x[0] * x[2] * x[3],
                    -x[0] * x[1] * x[3],
                    -x[0] * x[1] * x[2],
                ]
            },
            c: |x| {
                vec![
                    x[0].powi(3) + x[1] * x[1] - 1.0,
                    x[0] * x[0] * x[3] - x[2],
                    x[3] * x[3] - x[1],
                ]
            },
            j: |x| {
                vec![
                    vec![3.0 * x[0] * x[0], 2.0 * x[1], 0.0, 0.0],
                    vec![2.0 * x[0] * x[3], 0.0, -1.0, x[0] * x[0]],
                    vec![0.0, -1.0, 0.0, 2.0 * x[3]],
                ]
            },
            h: |x, l| {
                sym(
                    4,
                    &[
                        (0, 1, -x[2] * x[3]),
                        (0, 2, -x[1] * x[3]),
                        (0, 3, -x[1] * x[2] + 2.0 * x[0] * l[1]),
                        (1, 2, -x[0] * x[3]),
                        (1, 3, -x[0] * x[2]),
                        (2, 3, -x[0] * x[1]),
                        (0, 0, 6.0 * x[0] * l[0] + 2.0 * x[3] * l[1]),
                        (1, 1, 2.0 * l[0]),
                        (3, 3, 2.0 * l[2]),
                    ],
                )
            },
            reference: HsReference {
                f_star: -0.25,
                lambda_star: Some(&[0.5, -0.471_937_156_3, 0.353_553_390_6]),
                degenerate: false,
            },
        },
        HsProblem {
            name: "hs42",
            n: 4,
            m: 2,
            x0: || vec![1.0; 4],
            f: |x| {
                (x[0] - 1.0).powi(2)
                    + (x[1] - 2.0).powi(2)
                    + (x[2] - 3.0).powi(2)
                    + (x[3] - 4.0).powi(2)
            },
            g: |x| {
                vec![
                    2.0 * (x[0] - 1.0),
                    2.0 * (x[1] - 2.0),
                    2.0 * (x[2] - 3.0),
                    2.0 * (x[3] - 4.0),
                ]
            },
            c: |x| vec![x[0] - 2.0, x[2] * x[2] + x[3] * x[3] - 2.0],
            j: |x| {
                vec![
                    vec![1.0, 0.0, 0.0, 0.0],
                    vec![0.0, 0.0, 2.0 * x[2], 2.0 * x[3]],
                ]
            },
            h: |_, l| {
                sym(
                    4,
                    &[
                        (0, 0, 2.0),
                        (1, 1, 2.0),
                        (2, 2, 2.0 + 2.0 * l[1]),
                        (3, 3, 2.0 + 2.0 * l[1]),
                    ],
                )
            },
            reference: HsReference {
                f_star: 28.0 - 10.0 * SQRT2,
                lambda_star: Some(&[-2.0, 2.535_533_906]),
                degenerate: false,
            },
        },
        HsProblem {
            name: "hs46",
            n: 5,
            m: 2,
            x0: || vec![SQRT2 / 2.0, 1.75, 0.5, 2.0, 2.0],
            f: |x| {
                (x[0] - x[1]).powi(2)
                    + (x[2] - 1.0).powi(2)
                    + (x[3] - 1.0).powi(4)
                    + (x[4] - 1.0).powi(6)
            },
            g: |x| {
                let a = x[0] - x[1];
                vec![
                    2.0 * a,
                    -2.0 * a,
                    2.0 * (x[2] - 1.0),
                    4.0 * (x[3] - 1.0).powi(3),
                    6.0 * (x[4] - 1.0).powi(5),
                ]
            },
            c: |x| {
                vec![
                    x[0] * x[0] * x[3] + (x[3] - x[4]).sin() - 1.0,
                    x[1] + x[2].powi(4) * x[3] * x[3] - 2.0,
                ]
            },
            j: hs46_77_jacobian,
            h: |x, l| {
                let mut h = hs46_77_constraint_hessian(x, l);
                let f = sym(
                    5,
                    &[
                        (0, 0, 2.0),
                        (0, 1, -2.0),
                        (1, 1, 2.0),
                        (2, 2, 2.0),
                        (3, 3, 12.0 * (x[3] - 1.0).powi(2)),
                        (4, 4, 30.0 * (x[4] - 1.0).powi(4)),
                    ],
                );
                add_rows(&mut h, &f);
                h
            },
            reference: HsReference {
                f_star: 0.0,
                lambda_star: None,
                degenerate: true,
            },
        },
        HsProblem {
            name: "hs48",
            n: 5,
            m: 2,
            x0: || vec![3.0, 5.0, -3.0, 2.0, -2.0],
            f: |x| (x[0] - 1.0).powi(2) + (x[1] - x[2]).powi(2) + (x[3] - x[4]).powi(2),
            g: |x| {
                let (a, b) = (x[1] - x[2], x[3] - x[4]);
                vec![2.0 * (x[0] - 1.0), 2.0 * a, -2.0 * a, 2.0 * b, -2.0 * b]
            },
            c: |x| {
                vec![
                    x.iter().sum::<f64>() - 5.0,
                    x[2] - 2.0 * (x[3] + x[4]) + 3.0,
                ]
            },
            j: |_| vec![vec![1.0; 5], vec![0.0, 0.0, 1.0, -2.0, -2.0]],
            h: |_, _| {
                sym(
                    5,
                    &[
                        (0, 0, 2.0),
                        (1, 1, 2.0),
                        (1, 2, -2.0),
                        (2, 2, 2.0),
                        (3, 3, 2.0),
                        (3, 4, -2.0),
                        (4, 4, 2.0),
                    ],
                )
            },
            reference: HsReference {
                f_star: 0.0,
                lambda_star: Some(&[0.0, 0.0]),
                degenerate: false,
            },
        },
        HsProblem {
            name: "hs50",
            n: 5,
            m: 3,
            x0: || vec![35.0, -31.0, 11.0, 5.0, -5.0],
            f: |x| {
                (x[0] - x[1]).powi(2)
                    + (x[1] - x[2]).powi(2)
                    + (x[2] - x[3]).powi(4)
                    + (x[3] - x[4]).powi(2)
            },
            g: |x| {
                let (a, b, d, e) = (x[0] - x[1], x[1] - x[2], x[2] - x[3], x[3] - x[4]);
                vec![
                    2.0 * a,
                    -2.0 * a + 2.0 * b,
                    -2.0 * b + 4.0 * d.powi(3),
                    -4.0 * d.powi(3) + 2.0 * e,
                    -2.0 * e,
                ]
            },
            c: |x| {
                vec![
                    x[0] + 2.0 * x[1] + 3.0 * x[2] - 6.0,
                    x[1] + 2.0 * x[2] + 3.0 * x[3] - 6.0,
                    x[2] + 2.0 * x[3] + 3.0 * x[4] - 6.0,
                ]
            },
            j: |_| {
                vec![
                    vec![1.0, 2.0, 3.0, 0.0, 0.0],
                    vec![0.0, 1.0, 2.0, 3.0, 0.0],
                    vec![0.0, 0.0, 1.0, 2.0, 3.0],
                ]
            },
            h: |x, _| {
                let d2 = 12.0 * (x[2] - x[3]).powi(2);
                sym(
                    5,
                    &[
                        (0, 0, 2.0),
                        (0, 1, -2.0),
                        (1, 1, 4.0),
                        (1, 2, -2.0),
                        (2, 2, 2.0 + d2),
                        (2, 3, -d2),
                        (3, 3, d2 + 2.0),
                        (3, 4, -2.0),
                        (4, 4, 2.0),
                    ],
                )
            },
            reference: HsReference {
                f_star: 0.0,
                lambda_star: Some(&[0.0, 0.0, 0.0]),
                degenerate: false,
            },
        },
        HsProblem {
            name: "hs51",
            n: 5,
            m: 3,
            x0: || vec![2.5, 0.5, 2.0, -1.0, 0.5],
            f: |x| {
                (x[0] - x[1]).powi(2)
                    + (x[1] + x[2] - 2.0).powi(2)
                    + (x[3] - 1.0).powi(2)
                    + (x[4] - 1.0).powi(2)
            },
            g: |x| {
                let (a, b) = (x[0] - x[1], x[1] + x[2] - 2.0);
                vec![
                    2.0 * a,
                    -2.0 * a + 2.0 * b,
                    2.0 * b,
                    2.0 * (x[3] - 1.0),
                    2.0 * (x[4] - 1.0),
                ]
            },
            c: |x| {
                vec![
                    x[0] + 3.0 * x[1] - 4.0,
                    x[2] + x[3] - 2.0 * x[4],
                    x[1] - x[4],
                ]
            },
            j: |_| {
                vec![
                    vec![1.0, 3.0, 0.0, 0.0, 0.0],
                    vec![0.0, 0.0, 1.0, 1.0, -2.0],
                    vec![0.0, 1.0, 0.0, 0.0, -1.0],
                ]
            },
            h: |_, _| {
                sym(
                    5,
                    &[
                        (0, 0, 2.0),
                        (0, 1, -2.0),
                        (1, 1, 4.0),
                        (1, 2, 2.0),
                        (2, 2, 2.0),
                        (3, 3, 2.0),
                        (4, 4, 2.0),
                    ],
                )
            },
            reference: HsReference {
                f_star: 0.0,
                lambda_star: Some(&[0.0, 0.0, 0.0]),
                degenerate: false,
            },
        },
        HsProblem {
            name: "hs52",
            n: 5,
            m: 3,
            x0: || vec![2.0; 5],
            f: |x| {
                (4.0 * x[0] - x[1]).powi(2)
                    + (x[1] + x[2] - 2.0).powi(2)
                    + (x[3] - 1.0).powi(2)
                    + (x[4] - 1.0).powi(2)
            },
            g: |x| {
                let (a, b) = (4.0 * x[0] - x[1], x[1] + x[2] - 2.0);
                vec![
                    8.0 * a,
                    -2.0 * a + 2.0 * b,
                    2.0 * b,
                    2.0 * (x[3] - 1.0),
                    2.0 * (x[4] - 1.0),
                ]
            },
            c: |x| vec![x[0] + 3.0 * x[1], x[2] + x[3] - 2.0 * x[4], x[1] - x[4]],
            j: |_| {
                vec![
                    vec![1.0, 3.0, 0.0, 0.0, 0.0],
                    vec![0.0, 0.0, 1.0, 1.0, -2.0],
                    vec![0.0, 1.0, 0.0, 0.0, -1.0],
                ]
            },
            h: |_, _| {
                sym(
                    5,
                    &[
                        (0, 0, 32.0),
                        (0, 1, -8.0),
                        (1, 1, 4.0),
                        (1, 2, 2.0),
                        (2, 2, 2.0),
                        (3, 3, 2.0),
                        (4, 4, 2.0),
                    ],
                )
            },
            reference: HsReference {
                f_star: 1859.0 / 349.0,
                lambda_star: Some(&[3.277_936_963, 2.905_444_126, -7.747_851_003]),
                degenerate: false,
            },
        },
        HsProblem {
            name: "hs56",
            n: 7,
            m: 4,
            x0: || {
                let a = (1.0f64 / 4.2).sqrt().asin();
                let b = (5.0f64 / 7.2).sqrt().asin();
                vec![1.0, 1.0, 1.0, a, a, a, b]
            },
            f: |x| -x[0] * x[1] * x[2],
            g: |x| vec![-x[1] * x[2], -x[0] * x[2], -x[0] * x[1], 0.0, 0.0, 0.0, 0.0],
            c: |x| {
                let s2 = |t: f64| t.sin().powi(2);
                vec![
                    x[0] - 4.2 * s2(x[3]),
                    x[1] - 4.2 * s2(x[4]),
                    x[2] - 4.2 * s2(x[5]),
                    x[0] + 2.0 * x[1] + 2.0 * x[2] - 7.2 * s2(x[6]),
                ]
            },
            j: |x| {
                let d = |t: f64| (2.0 * t).sin(); // d/dt sin²t
                vec![
                    vec![1.0, 0.0, 0.0, -4.2 * d(x[3]), 0.0, 0.0, 0.0],
                    vec![0.0, 1.0, 0.0, 0.0, -4.2 * d(x[4]), 0.0, 0.0],
                    vec![0.0, 0.0, 1.0, 0.0, 0.0, -4.2 * d(x[5]), 0.0],
                    vec![1.0, 2.0, 2.0, 0.0, 0.0, 0.0, -7.2 * d(x[6])],
                ]
            },
            h: |x, l| {
                let d2 = |t: f64| 2.0 * (2.0 * t).cos(); // d²/dt² sin²t
                sym(
                    7,
                    &[
                        (0, 1, -x[2]),
                        (0, 2, -x[1]),
                        (1, 2, -x[0]),
                        (3, 3, -4.2 * d2(x[3]) * l[0]),
                        (4, 4, -4.2 * d2(x[4]) * l[1]),
                        (5, 5, -4.2 * d2(x[5]) * l[2]),
                        (6, 6, -7.2 * d2(x[6]) * l[3]),
                    ],
                )
            },
            reference: HsReference {
                f_star: -3.456,
                lambda_star: Some(&[0.0, 0.0, 0.0, 1.44]),
                degenerate: false,
            },
        },
        HsProblem {
            name: "hs61",
            n: 3,
            m: 2,
            x0: || vec![0.0; 3],
            f: |x| {
                4.0 * x[0] * x[0] + 2.0 * x[1] * x[1] + 2.0 * x[2] * x[2] - 33.0 * x[0]
                    + 16.0 * x[1]
                    - 24.0 * x[2]
            },
            g: |x| vec![8.0 * x[0] - 33.0, 4.0 * x[1] + 16.0, 4.0 * x[2] - 24.0],
            c: |x| {
                vec![
                    3.0 * x[0] - 2.0 * x[1] * x[1] - 7.0,
                    4.0 * x[0] - x[2] * x[2] - 11.0,
                ]
            },
            j: |x| vec![vec![3.0, -4.0 * x[1], 0.0], vec![4.0, 0.0, -2.0 * x[2]]],
            h: |_, l| {
                sym(
                    3,
                    &[
                        (0, 0, 8.0),
                        (1, 1, 4.0 - 4.0 * l[0]),
                        (2, 2, 4.0 - 2.0 * l[1]),
                    ],
                )
            },
            reference: HsReference {
                f_star: -143.646_142_197_78,
                lambda_star: Some(&[-0.887_684_087_7, -1.737_777_205]),
                degenerate: false,
            },
        },
        HsProblem {
            name: "hs77",
            n: 5,
            m: 2,
            x0: || vec![2.0; 5],
            f: |x| {
                (x[0] - 1.0).powi(2)
                    + (x[0] - x[1]).powi(2)
                    + (x[2] - 1.0).powi(2)
                    + (x[3] - 1.0).powi(4)
                    + (x[4] - 1.0).powi(6)
            },
            g: |x| {
                let a = x[0] - x[1];
                vec![
                    2.0 * (x[0] - 1.0) + 2.0 * a,
                    -2.0 * a,
                    2.0 * (x[2] - 1.0),
                    4.0 * (x[3] - 1.0).powi(3),
                    6.0 * (x[4] - 1.0).powi(5),
                ]
            },
            c: |x| {
                vec![
                    x[0] * x[0] * x[3] + (x[3] - x[4]).sin() - 2.0 * SQRT2,
                    x[1] + x[2].powi(4) * x[3] * x[3] - 8.0 - SQRT2,
                ]
            },
            j: hs46_77_jacobian,
            h: |x, l| {
                let mut h = hs46_77_constraint_hessian(x, l);
                let f = sym(
                    5,
                    &[
                        (0, 0, 4.0),
                        (0, 1, -2.0),
                        (1, 1, 2.0),
                        (2, 2, 2.0),
                        (3, 3, 12.0 * (x[3] - 1.0).powi(2)),
                        (4, 4, 30.0 * (x[4] - 1.0).powi(4)),
                    ],
                );
                add_rows(&mut h, &f);
                h
            },
            reference: HsReference {
                f_star: 0.241_505_128_790_179,
                lambda_star: Some(&[-0.085_539_597_04, -0.031_878_398_19]),
                degenerate: false,
            },
        },
    ]
}

/// HS46 and HS77 share their constraint functions up to constants:
/// c₁ = x₁²x₄ + sin(x₄ − x₅) − a, c₂ = x₂ + x₃⁴x₄² − b.
fn hs46_77_jacobian(x: &[f64]) -> Rows {
    let cs = (x[3] - x[4]).cos();
    vec![
        vec![2.0 * x[0] * x[3], 0.0, 0.0, x[0] * x[0] + cs, -cs],
        vec![
            0.0,
            1.0,
            4.0 * x[2].powi(3) * x[3] * x[3],
            2.0 * x[2].powi(4) * x[3],
            0.0,
        ],
    ]
}

fn hs46_77_constraint_hessian(x: &[f64], l: &[f64]) -> Rows {
    let sn = (x[3] - x[4]).sin();
    sym(
        5,
        &[
            (0, 0, 2.0 * x[3] * l[0]),
            (0, 3, 2.0 * x[0] * l[0]),
            (3, 3, -sn * l[0] + 2.0 * x[2].powi(4) * l[1]),
            (3, 4, sn * l[0]),
            (4, 4, -sn * l[0]),
            (2, 2, 12.0 * x[2] * x[2] * x[3] * x[3] * l[1]),
            (2, 3, 8.0 * x[2].powi(3) * x[3] * l[1]),
        ],
    )
}

fn add_rows(a: &mut Rows, b: &Rows) {
    for (ra, rb) in a.iter_mut().zip(b) {
        for (x, y) in ra.iter_mut().zip(rb) {
            *x += y;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::testing::derivative_error;

    #[test]
    fn derivatives_match_central_differences() {
        for mut p in all_problems() {
            let n = p.n();
            let m = p.m();
            // Two points: the start point and a generic one, with generic multipliers.
            let x0 = p.x0();
            let x1: Vec<f64> = (0..n).map(|i| 0.3 + 0.17 * i as f64).collect();
            let lambda: Vec<f64> = (0..m).map(|k| 0.7 - 0.4 * k as f64).collect();
            for x in [x0, x1] {
                let err = derivative_error(&mut p, &x, &lambda);
                assert!(err < 1e-6, "{}: derivative error {err:e}", p.name());
            }
        }
    }

    #[test]
    fn names_resolve_and_unknown_names_are_reported() {
        for name in HS_NAMES {
            assert_eq!(HsProblem::by_name(name).unwrap().name(), name);
        }
        assert_eq!(HsProblem::by_name("HS006").unwrap().name(), "hs6");
        let err = HsProblem::by_name("hs999").unwrap_err().to_string();
        assert!(err.contains("hs999") && err.contains("hs77"), "{err}");
    }

    /// f(x*) = f* and c(x*) = 0 at the solutions listed in `../shared/notes/alsketch.md` §4
    /// (these catch a mistyped formulation independently of the solver).
    #[test]
    fn listed_solutions_are_feasible_with_listed_values() {
        let cases: [(&str, Vec<f64>); 8] = [
            ("hs7", vec![0.0, 3f64.sqrt()]),
            ("hs27", vec![-1.0, 1.0, 0.0]),
            ("hs39", vec![1.0, 1.0, 0.0, 0.0]),
            (
                "hs40",
                vec![
                    0.793_700_525_984,
                    std::f64::consts::FRAC_1_SQRT_2,
                    0.529_731_547_180,
                    0.840_896_415_254,
                ],
            ),
            ("hs42", vec![2.0, 2.0, 0.848_528_137_424, 1.131_370_849_898]),
            (
                "hs52",
                [-33.0, 11.0, 180.0, -158.0, 11.0]
                    .iter()
                    .map(|v| v / 349.0)
                    .collect(),
            ),
            (
                "hs61",
                vec![5.326_770_135_56, -2.118_998_632_22, 3.210_464_225_35],
            ),
            (
                "hs77",
                vec![
                    1.166_172_189_71,
                    1.182_111_388_80,
                    1.380_257_043_15,
                    1.506_036_273_62,
                    0.610_920_196_043,
                ],
            ),
        ];
        for (name, x) in cases {
            let mut p = HsProblem::by_name(name).unwrap();
            let f = p.objective(&x).unwrap();
            let c = p.constraints(&x).unwrap();
            let f_star = p.reference().f_star;
            assert!(
                (f - f_star).abs() < 1e-9 * (1.0 + f_star.abs()),
                "{name}: f = {f}, f* = {f_star}"
            );
            assert!(c.iter().all(|v| v.abs() < 1e-9), "{name}: c = {c:?}");
        }
    }
}
