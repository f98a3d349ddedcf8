//! Constrained logistic regression, the second experiment of Hong, Na, Mahoney and Kolar (ICML
//! 2023): minimise the average logistic loss subject to ten random linear equations and the unit
//! sphere,
//!
//! ```text
//! min (1/N) Σᵢ log(1 + exp(−yᵢ aᵢᵀx))   s.t.  A x = b  (A ∈ R^{10×d}, b ∈ R¹⁰, i.i.d. N(0,1)),
//!                                              ‖x‖² − 1 = 0,
//! ```
//!
//! started from x₀ = 1, λ₀ = 1 as in the authors' code (`../shared/notes/alsketch.md` §2.2).
//! Labels are mapped to ±1: {−1, +1} as given; two other values: the larger is +1; more than two
//! classes: one-vs-rest with `positive_label` (default the smallest label) as +1.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::error::{Error, Result};
use crate::linalg::Matrix;
use crate::problem::Problem;
use boundlab_libsvm::Dataset;

/// Number of random linear constraints the authors use.
pub const LINEAR_CONSTRAINTS: usize = 10;

/// The constrained logistic-regression problem on one data set.
#[derive(Clone, Debug)]
pub struct LogReg {
    name: String,
    /// Samples as dense rows scaled by their ±1 label: row i is yᵢ aᵢ (N × d, row-major).
    ya: Vec<f64>,
    samples: usize,
    d: usize,
    /// The 10 × d constraint matrix, row-major.
    a: Vec<f64>,
    b: Vec<f64>,
    /// Number of linear constraints (rows of A).
    linear: usize,
}

impl LogReg {
    /// Builds the problem from a data set; `data_seed` draws A and b (the authors seed 2023).
    ///
    /// `linear` is the number of random linear constraints (the authors use
    /// [`LINEAR_CONSTRAINTS`]); the problem is refused as infeasible when the minimum-norm
    /// solution of A x = b lies outside the unit sphere (for Gaussian A, b this is likely when
    /// d is close to `linear`: E‖x_mn‖² = linear/(d − linear − 1)).
    pub fn new(
        name: &str,
        data: &Dataset,
        positive_label: Option<f64>,
        data_seed: u64,
        linear: usize,
    ) -> Result<Self> {
        let d = data.n_features;
        if d == 0 {
            return Err(Error::bad_input(
                "dataset",
                format!("`{name}` has no features"),
            ));
        }
        if linear >= d {
            return Err(Error::bad_input(
                "linear_constraints",
                format!("must be less than the number of features of `{name}` ({d}), got {linear}"),
            ));
        }
        let labels = data.distinct_labels();
        let map: Box<dyn Fn(f64) -> f64> = match (positive_label, labels.as_slice()) {
            (Some(p), _) => {
                if !labels.contains(&p) {
                    return Err(Error::bad_input(
                        "positive_label",
                        format!("{p} is not a label of `{name}` (labels: {labels:?})"),
                    ));
                }
                Box::new(move |y| if y == p { 1.0 } else { -1.0 })
            }
            (None, [a, b]) if *a == -1.0 && *b == 1.0 => Box::new(|y| y),
            (None, [_, hi]) => {
                let hi = *hi;
                Box::new(move |y| if y == hi { 1.0 } else { -1.0 })
            }
            (None, [lo, _, ..]) => {
                let lo = *lo;
                Box::new(move |y| if y == lo { 1.0 } else { -1.0 })
            }
            (None, _) => {
                return Err(Error::bad_input(
                    "dataset",
                    format!(
                        "`{name}` has a single label ({labels:?}); logistic regression needs two classes"
                    ),
                ));
            }
        };
        let samples = data.len();
        let mut ya = vec![0.0; samples * d];
        for (i, row) in data.rows.iter().enumerate() {
            let y = map(data.labels[i]);
            for &(j, v) in row {
                ya[i * d + j] = y * v;
            }
        }
        let mut rng = ChaCha8Rng::seed_from_u64(data_seed);
        let a: Vec<f64> = (0..linear * d)
            .map(|_| StandardNormal.sample(&mut rng))
            .collect();
        let b: Vec<f64> = (0..linear)
            .map(|_| StandardNormal.sample(&mut rng))
            .collect();
        let norm2 = min_norm_squared(&a, &b, d);
        if norm2.is_nan() || norm2 >= 1.0 {
            return Err(Error::Infeasible(format!(
                "logistic regression on `{name}` (d = {d}) with {linear} random linear constraints (data_seed {data_seed}) is infeasible: \
                 the minimum-norm solution of A x = b has ‖x‖² = {norm2:.3} > 1, so A x = b and ‖x‖² = 1 cannot both hold; \
                 use fewer `linear_constraints` or another `data_seed`"
            )));
        }
        Ok(Self {
            name: format!("logreg:{name}"),
            ya,
            samples,
            d,
            a,
            b,
            linear,
        })
    }

    /// ‖x_mn‖² = bᵀ(AAᵀ)⁻¹b for the minimum-norm solution of A x = b (A row-major k×d).
    pub fn min_norm_squared_of_constraints(&self) -> f64 {
        min_norm_squared(&self.a, &self.b, self.d)
    }

    /// The random constraint data (A row-major 10×d, b), for peers that must solve the same problem.
    pub fn constraint_data(&self) -> (&[f64], &[f64]) {
        (&self.a, &self.b)
    }

    /// The label-scaled samples yᵢaᵢ (row-major N×d).
    pub fn scaled_samples(&self) -> (&[f64], usize) {
        (&self.ya, self.samples)
    }

    fn margins(&self, x: &[f64]) -> impl Iterator<Item = f64> + '_ {
        let x = x.to_vec();
        self.ya
            .chunks_exact(self.d)
            .map(move |row| boundlab_vecops::dot(row, &x))
    }
}

/// bᵀ(AAᵀ)⁻¹b by a Cholesky factorisation of AAᵀ (∞ when AAᵀ is singular).
fn min_norm_squared(a: &[f64], b: &[f64], d: usize) -> f64 {
    use faer::prelude::Solve;
    let k = b.len();
    if k == 0 {
        return 0.0;
    }
    let gram = faer::Mat::from_fn(k, k, |i, j| {
        boundlab_vecops::dot(&a[i * d..(i + 1) * d], &a[j * d..(j + 1) * d])
    });
    match gram.llt(faer::Side::Lower) {
        Ok(llt) => {
            let y = llt.solve(faer::Col::from_fn(k, |i| b[i]));
            (0..k).map(|i| y[i] * b[i]).sum()
        }
        Err(_) => f64::INFINITY,
    }
}

/// log(1 + e^{−t}) without overflow.
fn log1p_exp_neg(t: f64) -> f64 {
    if t > 0.0 {
        (-t).exp().ln_1p()
    } else {
        -t + t.exp().ln_1p()
    }
}

/// σ(−t) = 1 / (1 + e^{t}) without overflow.
fn sigmoid_neg(t: f64) -> f64 {
    if t > 0.0 {
        let e = (-t).exp();
        e / (1.0 + e)
    } else {
        1.0 / (1.0 + t.exp())
    }
}

impl Problem for LogReg {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn n(&self) -> usize {
        self.d
    }
    fn m(&self) -> usize {
        self.linear + 1
    }
    fn x0(&self) -> Vec<f64> {
        vec![1.0; self.d]
    }
    fn lambda0(&self) -> Vec<f64> {
        vec![1.0; self.linear + 1]
    }
    fn objective(&mut self, x: &[f64]) -> Result<f64> {
        let total: f64 = self.margins(x).map(log1p_exp_neg).sum();
        Ok(total / self.samples as f64)
    }
    fn gradient(&mut self, x: &[f64]) -> Result<Vec<f64>> {
        let mut g = vec![0.0; self.d];
        let scale = 1.0 / self.samples as f64;
        for (row, t) in self
            .ya
            .chunks_exact(self.d)
            .zip(self.margins(x).collect::<Vec<_>>())
        {
            boundlab_vecops::axpy(-scale * sigmoid_neg(t), row, &mut g);
        }
        Ok(g)
    }
    fn constraints(&mut self, x: &[f64]) -> Result<Vec<f64>> {
        let mut c: Vec<f64> = self
            .a
            .chunks_exact(self.d)
            .zip(&self.b)
            .map(|(row, bi)| boundlab_vecops::dot(row, x) - bi)
            .collect();
        c.push(boundlab_vecops::dot(x, x) - 1.0);
        Ok(c)
    }
    fn jacobian(&mut self, x: &[f64]) -> Result<Matrix> {
        let d = self.d;
        Ok(Matrix::dense_from_fn(self.linear + 1, d, |i, j| {
            if i < self.linear {
                self.a[i * d + j]
            } else {
                2.0 * x[j]
            }
        }))
    }
    fn hessian_lagrangian(&mut self, x: &[f64], lambda: &[f64]) -> Result<Matrix> {
        let d = self.d;
        let mut h = faer::Mat::<f64>::zeros(d, d);
        let scale = 1.0 / self.samples as f64;
        for (row, t) in self
            .ya
            .chunks_exact(d)
            .zip(self.margins(x).collect::<Vec<_>>())
        {
            let s = sigmoid_neg(t);
            let w = scale * s * (1.0 - s);
            if w == 0.0 {
                continue;
            }
            // (yᵢaᵢ)(yᵢaᵢ)ᵀ = aᵢaᵢᵀ; fill the lower triangle, mirror below.
            for (j, &rj) in row.iter().enumerate() {
                if rj == 0.0 {
                    continue;
                }
                let wj = w * rj;
                for i in j..d {
                    h[(i, j)] += wj * row[i];
                }
            }
        }
        let sphere = 2.0 * lambda[self.linear];
        for j in 0..d {
            h[(j, j)] += sphere;
            for i in j + 1..d {
                h[(j, i)] = h[(i, j)];
            }
        }
        Ok(Matrix::Dense(h))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::testing::derivative_error;
    use boundlab_libsvm::parse;

    fn toy() -> LogReg {
        let text = "1 1:0.5 2:-1 3:0.25 6:1\n-1 1:-0.3 3:0.9 5:0.2\n1 2:0.7 4:-0.5\n-1 1:0.1 2:0.2 3:-0.4 6:0.3\n";
        LogReg::new("toy", &parse(text, "toy").unwrap(), None, 2023, 1).unwrap()
    }

    #[test]
    fn derivatives_match_central_differences() {
        let mut p = toy();
        let lambda: Vec<f64> = (0..p.m()).map(|k| 0.3 + 0.1 * k as f64).collect();
        for x in [p.x0(), vec![0.2, -0.7, 1.3, 0.1, -0.2, 0.4]] {
            let err = derivative_error(&mut p, &x, &lambda);
            assert!(err < 1e-7, "derivative error {err:e}");
        }
    }

    #[test]
    fn loss_is_stable_for_large_margins() {
        assert!((log1p_exp_neg(800.0) - 0.0).abs() < 1e-300);
        assert!((log1p_exp_neg(-800.0) - 800.0).abs() < 1e-12);
        assert!((log1p_exp_neg(0.0) - 2f64.ln()).abs() < 1e-15);
        assert_eq!(sigmoid_neg(-800.0), 1.0);
        assert!((sigmoid_neg(0.0) - 0.5).abs() < 1e-16);
    }

    #[test]
    fn labels_map_to_plus_minus_one() {
        let three = parse("1 1:1\n2 1:2\n3 1:3\n", "three").unwrap();
        let p = LogReg::new("three", &three, None, 1, 0).unwrap();
        assert_eq!(p.ya, vec![1.0, -2.0, -3.0]); // class 1 against the rest
        let p = LogReg::new("three", &three, Some(3.0), 1, 0).unwrap();
        assert_eq!(p.ya, vec![-1.0, -2.0, 3.0]);
        let two = parse("0 1:1\n1 1:2\n", "two").unwrap();
        assert_eq!(
            LogReg::new("two", &two, None, 1, 0).unwrap().ya,
            vec![-1.0, 2.0]
        );
        assert!(
            LogReg::new("three", &three, Some(7.0), 1, 0)
                .unwrap_err()
                .to_string()
                .contains("positive_label")
        );
        let one = parse("1 1:1\n1 1:2\n", "one").unwrap();
        assert!(
            LogReg::new("two", &two, None, 1, 1)
                .unwrap_err()
                .to_string()
                .contains("linear_constraints")
        );
        assert!(
            LogReg::new("one", &one, None, 1, 0)
                .unwrap_err()
                .to_string()
                .contains("single label")
        );
    }
}
