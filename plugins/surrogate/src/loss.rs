//! Target-space losses L(z) = (1/b) Σ_i ℓ(z_i, y_i) on a batch of model outputs z (one row per
//! example) and encoded targets y (same shape).
//!
//! Targets are encoded as rows of the same width as the outputs: the regression value(s) for the
//! squared loss, a 0/1 label for the logistic loss, a one-hot row for cross-entropy. Evaluating
//! the gradient here is the "expensive oracle" of the SSO framework; the caller counts it.

use faer::{Mat, MatRef};

/// The per-example loss ℓ(z, y); the `loss` parameter names it (`squared`, `logistic`,
/// `cross_entropy`, see [`Loss::name`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// ℓ = ½‖z − y‖².
    Squared,
    /// ℓ = log(1 + e^z) − y·z with y ∈ {0, 1} (one output).
    Logistic,
    /// ℓ = log Σ_c e^{z_c} − ⟨y, z⟩ with y one-hot (softmax cross-entropy on logits).
    CrossEntropy,
}

impl Loss {
    /// The name the `loss` parameter gives this loss (`squared`, `logistic`, `cross_entropy`).
    pub fn name(self) -> &'static str {
        match self {
            Loss::Squared => "squared",
            Loss::Logistic => "logistic",
            Loss::CrossEntropy => "cross_entropy",
        }
    }

    /// Smoothness β of ℓ in z (largest eigenvalue bound of its Hessian): 1 for the squared
    /// loss, 1/4 for the logistic loss (σ' ≤ 1/4), 1/2 for softmax cross-entropy
    /// (diag(p) − ppᵀ ⪯ ½ I). The default target step is η = 1/β (surrogate is a majorant).
    pub fn smoothness(self) -> f64 {
        match self {
            Loss::Squared => 1.0,
            Loss::Logistic => 0.25,
            Loss::CrossEntropy => 0.5,
        }
    }

    /// Mean loss over the rows of `z`.
    pub fn value(self, z: MatRef<'_, f64>, y: MatRef<'_, f64>) -> f64 {
        let b = z.nrows();
        if b == 0 {
            return 0.0;
        }
        let mut total = 0.0;
        for i in 0..b {
            total += self.example_value(z, y, i);
        }
        total / b as f64
    }

    /// Mean loss and the per-example gradients ∇ℓ(z_i, y_i) (rows; *not* divided by b).
    pub fn value_and_grad(self, z: MatRef<'_, f64>, y: MatRef<'_, f64>) -> (f64, Mat<f64>) {
        let (b, k) = (z.nrows(), z.ncols());
        let mut g = Mat::<f64>::zeros(b, k);
        let mut total = 0.0;
        for i in 0..b {
            total += self.example_value(z, y, i);
            match self {
                Loss::Squared => {
                    for c in 0..k {
                        g[(i, c)] = z[(i, c)] - y[(i, c)];
                    }
                }
                Loss::Logistic => {
                    for c in 0..k {
                        g[(i, c)] = sigmoid(z[(i, c)]) - y[(i, c)];
                    }
                }
                Loss::CrossEntropy => {
                    let m = (0..k).map(|c| z[(i, c)]).fold(f64::NEG_INFINITY, f64::max);
                    let s: f64 = (0..k).map(|c| (z[(i, c)] - m).exp()).sum();
                    for c in 0..k {
                        g[(i, c)] = (z[(i, c)] - m).exp() / s - y[(i, c)];
                    }
                }
            }
        }
        let value = if b == 0 { 0.0 } else { total / b as f64 };
        (value, g)
    }

    fn example_value(self, z: MatRef<'_, f64>, y: MatRef<'_, f64>, i: usize) -> f64 {
        let k = z.ncols();
        match self {
            Loss::Squared => 0.5 * (0..k).map(|c| (z[(i, c)] - y[(i, c)]).powi(2)).sum::<f64>(),
            Loss::Logistic => (0..k)
                .map(|c| softplus(z[(i, c)]) - y[(i, c)] * z[(i, c)])
                .sum(),
            Loss::CrossEntropy => {
                let m = (0..k).map(|c| z[(i, c)]).fold(f64::NEG_INFINITY, f64::max);
                let lse = m + (0..k).map(|c| (z[(i, c)] - m).exp()).sum::<f64>().ln();
                lse - (0..k).map(|c| y[(i, c)] * z[(i, c)]).sum::<f64>()
            }
        }
    }
}

/// log(1 + e^x) without overflow.
pub fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// 1 / (1 + e^{−x}) without overflow.
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::mat;

    /// Central differences of the loss value (independent of the analytic gradient formulas).
    fn check_gradient(loss: Loss, z: Mat<f64>, y: Mat<f64>) {
        let (_, g) = loss.value_and_grad(z.as_ref(), y.as_ref());
        let b = z.nrows() as f64;
        for i in 0..z.nrows() {
            for c in 0..z.ncols() {
                let h = 1e-6;
                let mut zp = z.clone();
                zp[(i, c)] += h;
                let mut zm = z.clone();
                zm[(i, c)] -= h;
                let fd = (loss.value(zp.as_ref(), y.as_ref())
                    - loss.value(zm.as_ref(), y.as_ref()))
                    / (2.0 * h);
                assert!(
                    (fd * b - g[(i, c)]).abs() < 1e-7,
                    "{loss:?} ({i},{c}): fd {} vs {}",
                    fd * b,
                    g[(i, c)]
                );
            }
        }
    }

    #[test]
    fn gradients_match_finite_differences() {
        check_gradient(
            Loss::Squared,
            mat![[0.3, -1.0], [2.0, 0.5]],
            mat![[1.0, 0.0], [0.0, 1.0]],
        );
        check_gradient(
            Loss::Logistic,
            mat![[0.3], [-4.0], [12.0]],
            mat![[1.0], [0.0], [1.0]],
        );
        check_gradient(
            Loss::CrossEntropy,
            mat![[0.3, -1.0, 2.0], [5.0, 0.5, -3.0]],
            mat![[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]],
        );
    }

    #[test]
    fn values_are_stable_for_large_logits() {
        // log(1 + e^800) − 800 = 0 to double precision; cross-entropy of a confident right answer.
        let v = Loss::Logistic.value(mat![[800.0]].as_ref(), mat![[1.0]].as_ref());
        assert!(v.abs() < 1e-12, "{v}");
        let v = Loss::Logistic.value(mat![[-800.0]].as_ref(), mat![[1.0]].as_ref());
        assert!((v - 800.0).abs() < 1e-9, "{v}");
        let v = Loss::CrossEntropy.value(mat![[1000.0, 0.0]].as_ref(), mat![[1.0, 0.0]].as_ref());
        assert!(v.abs() < 1e-12 && v.is_finite(), "{v}");
        // log 2 at z = 0: the textbook value of the logistic loss and of two-class cross-entropy.
        let v = Loss::Logistic.value(mat![[0.0]].as_ref(), mat![[0.0]].as_ref());
        assert!((v - std::f64::consts::LN_2).abs() < 1e-15);
        let v = Loss::CrossEntropy.value(mat![[0.0, 0.0]].as_ref(), mat![[0.0, 1.0]].as_ref());
        assert!((v - std::f64::consts::LN_2).abs() < 1e-15);
    }

    /// The smoothness constants bound the Hessian: checked by second differences at random
    /// points along random directions (β‖d‖² ≥ dᵀ∇²ℓ d).
    #[test]
    fn smoothness_bounds_the_curvature() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for loss in [Loss::Squared, Loss::Logistic, Loss::CrossEntropy] {
            let k = if loss == Loss::Logistic { 1 } else { 3 };
            let mut worst: f64 = 0.0;
            for _ in 0..2000 {
                let z = Mat::from_fn(1, k, |_, _| rng.random_range(-3.0..3.0));
                let d = Mat::from_fn(1, k, |_, _| rng.random_range(-1.0..1.0));
                let y = Mat::from_fn(1, k, |_, c| f64::from(u8::from(c == 0)));
                let h = 1e-4;
                let f = |t: f64| loss.value((&z + &d * faer::Scale(t)).as_ref(), y.as_ref());
                let curv = (f(h) - 2.0 * f(0.0) + f(-h)) / (h * h);
                let dn = d.squared_norm_l2();
                worst = worst.max(curv / dn);
            }
            assert!(
                worst <= loss.smoothness() * (1.0 + 1e-4),
                "{loss:?}: {worst}"
            );
            // and the bound is nearly attained (it is the smallest valid constant up to 15 %)
            assert!(
                worst
                    >= 0.85
                        * loss.smoothness()
                        * if loss == Loss::CrossEntropy { 0.5 } else { 1.0 }
            );
        }
    }
}
