//! The learned value model: Bayesian linear regression on features of a formulation (block
//! indicators, summaries, the continuous parameters), with the prior and noise precisions
//! chosen by maximising the evidence. It scores partial and complete formulations in the tree
//! search so that rollouts cost no SDP solves.
//!
//! Model (Bishop, *Pattern Recognition and Machine Learning*, 2006, §3.3 and §3.5):
//! `y = wᵀφ + ε`, `w ~ N(0, α⁻¹ I)`, `ε ~ N(0, β⁻¹)`. Posterior `S⁻¹ = αI + βΦᵀΦ`,
//! `m = β S Φᵀ y`; predictive `N(mᵀφ, 1/β + φᵀSφ)` (eq. 3.58–3.59). Log evidence (eq. 3.86):
//! `(M/2) ln α + (N/2) ln β − E(m) − ½ ln|S⁻¹| − (N/2) ln 2π`, `E(m) = β/2 ‖y − Φm‖² + α/2 ‖m‖²`.
//! α and β by MacKay's fixed point (eq. 3.91–3.95) with the eigenvalues of `βΦᵀΦ`.
//!
//! Outputs are centred (the mean is added back) so the prior need not explain the offset.

use boundlab_vecops::dot;
use faer::{Mat, Par};
use rand_distr::StandardNormal;

use boundlab_sdp_solver::dense;

/// A fitted Bayesian linear model.
#[derive(Clone, Debug)]
pub struct ValueModel {
    mean_w: Vec<f64>,
    /// Posterior covariance `S`.
    cov: Mat<f64>,
    alpha: f64,
    beta: f64,
    y_mean: f64,
    log_evidence: f64,
}

impl ValueModel {
    /// The posterior for fixed `α`, `β`; `phi` holds one feature row per observation.
    pub fn with_precisions(phi: &[Vec<f64>], y: &[f64], alpha: f64, beta: f64) -> Option<Self> {
        let n = phi.len();
        if n == 0 || n != y.len() {
            return None;
        }
        let m = phi[0].len();
        let y_mean = y.iter().sum::<f64>() / n as f64;
        let yc: Vec<f64> = y.iter().map(|v| v - y_mean).collect();
        Self::posterior(phi, &yc, m, alpha, beta, y_mean)
    }

    fn posterior(
        phi: &[Vec<f64>],
        yc: &[f64],
        m: usize,
        alpha: f64,
        beta: f64,
        y_mean: f64,
    ) -> Option<Self> {
        let n = phi.len();
        let a = Mat::from_fn(m, m, |i, j| {
            beta * phi.iter().map(|r| r[i] * r[j]).sum::<f64>() + if i == j { alpha } else { 0.0 }
        });
        let l = dense::cholesky(a.as_ref(), Par::Seq)?;
        let cov = dense::inverse_from_cholesky(l.as_ref(), Par::Seq);
        let pty: Vec<f64> = (0..m)
            .map(|i| phi.iter().zip(yc).map(|(r, y)| r[i] * y).sum())
            .collect();
        let mean_w: Vec<f64> = (0..m)
            .map(|i| beta * (0..m).map(|j| cov[(i, j)] * pty[j]).sum::<f64>())
            .collect();
        let resid: f64 = phi
            .iter()
            .zip(yc)
            .map(|(r, y)| (y - dot(r, &mean_w)).powi(2))
            .sum();
        let e = 0.5 * beta * resid + 0.5 * alpha * dot(&mean_w, &mean_w);
        let logdet: f64 = 2.0 * (0..m).map(|i| l[(i, i)].ln()).sum::<f64>();
        let log_evidence = 0.5 * m as f64 * alpha.ln() + 0.5 * n as f64 * beta.ln()
            - e
            - 0.5 * logdet
            - 0.5 * n as f64 * (2.0 * std::f64::consts::PI).ln();
        Some(Self {
            mean_w,
            cov,
            alpha,
            beta,
            y_mean,
            log_evidence,
        })
    }

    /// Fits `α` and `β` by maximising the evidence (MacKay's fixed point, at most 200 rounds)
    /// and returns the posterior; `None` without observations.
    pub fn fit(phi: &[Vec<f64>], y: &[f64]) -> Option<Self> {
        let n = phi.len();
        if n == 0 || n != y.len() {
            return None;
        }
        let m = phi[0].len();
        let y_mean = y.iter().sum::<f64>() / n as f64;
        let yc: Vec<f64> = y.iter().map(|v| v - y_mean).collect();
        let var = (yc.iter().map(|v| v * v).sum::<f64>() / n as f64).max(1e-300);
        // Eigenvalues of ΦᵀΦ (β scales them).
        let gram = Mat::from_fn(m, m, |i, j| phi.iter().map(|r| r[i] * r[j]).sum::<f64>());
        let eig: Vec<f64> = gram
            .self_adjoint_eigenvalues(faer::Side::Lower)
            .ok()?
            .into_iter()
            .map(|v| v.max(0.0))
            .collect();
        let mut alpha = 1.0;
        let mut beta = 1.0 / var;
        let mut model = Self::posterior(phi, &yc, m, alpha, beta, y_mean)?;
        for _ in 0..200 {
            let gamma: f64 = eig.iter().map(|l| beta * l / (alpha + beta * l)).sum();
            let mm = dot(&model.mean_w, &model.mean_w).max(1e-300);
            let resid: f64 = phi
                .iter()
                .zip(&yc)
                .map(|(r, y)| (y - dot(r, &model.mean_w)).powi(2))
                .sum::<f64>()
                .max(1e-12 * var * n as f64);
            let new_alpha = (gamma / mm).clamp(1e-8, 1e8);
            let new_beta = ((n as f64 - gamma).max(1e-3) / resid).clamp(1e-8 / var, 1e8 / var);
            let done = ((new_alpha - alpha) / alpha).abs() < 1e-8
                && ((new_beta - beta) / beta).abs() < 1e-8;
            alpha = new_alpha;
            beta = new_beta;
            model = Self::posterior(phi, &yc, m, alpha, beta, y_mean)?;
            if done {
                break;
            }
        }
        Some(model)
    }

    /// Predictive mean and variance at feature row `phi`.
    pub fn predict(&self, phi: &[f64]) -> (f64, f64) {
        let m = phi.len();
        let mean = self.y_mean + dot(phi, &self.mean_w);
        let mut quad = 0.0;
        for i in 0..m {
            for j in 0..m {
                quad += phi[i] * self.cov[(i, j)] * phi[j];
            }
        }
        (mean, 1.0 / self.beta + quad.max(0.0))
    }

    /// A draw of the weights from the posterior `N(m, S)` (Thompson sampling).
    pub fn sample_weights(&self, rng: &mut impl rand::Rng) -> Vec<f64> {
        let m = self.mean_w.len();
        let z: Vec<f64> = (0..m).map(|_| rng.sample(StandardNormal)).collect();
        let Some(l) = dense::cholesky(self.cov.as_ref(), Par::Seq) else {
            return self.mean_w.clone();
        };
        (0..m)
            .map(|i| self.mean_w[i] + (0..=i).map(|j| l[(i, j)] * z[j]).sum::<f64>())
            .collect()
    }

    /// `ȳ + φᵀw` for given weights (a posterior draw, or the mean).
    pub fn predict_with(&self, phi: &[f64], weights: &[f64]) -> f64 {
        self.y_mean + dot(phi, weights)
    }

    pub fn weights(&self) -> &[f64] {
        &self.mean_w
    }

    /// `(α, β)`.
    pub fn precisions(&self) -> (f64, f64) {
        (self.alpha, self.beta)
    }

    /// The log evidence of the centred outputs.
    pub fn log_evidence(&self) -> f64 {
        self.log_evidence
    }
}
