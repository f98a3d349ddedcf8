//! Gaussian-process regression with a Matérn-5/2 kernel (ARD length scales), fitted by
//! maximising the log marginal likelihood; the surrogate of the Bayesian optimisation over a
//! formulation's continuous parameters.
//!
//! Model (Rasmussen & Williams, *Gaussian Processes for Machine Learning*, 2006, ch. 2 and 5):
//! `y = f(x) + ε`, `f ~ GP(0, k)`, `ε ~ N(0, σ_n²)`, with
//!
//! ```text
//! k(x, x') = σ_f² (1 + √5 ρ + 5ρ²/3) exp(−√5 ρ),   ρ² = Σ_d (x_d − x'_d)² / ℓ_d²
//! ```
//!
//! Posterior at `x*` (eq. 2.25–2.26): with `K + σ_n² I = L Lᵀ` and `α = L⁻ᵀ L⁻¹ y`,
//! `μ* = k*ᵀ α`, `var* = k(x*, x*) − ‖L⁻¹ k*‖²`. Log marginal likelihood (eq. 2.30):
//! `−½ yᵀα − Σ log L_ii − (n/2) log 2π`, and its gradient (eq. 5.9) `½ tr((ααᵀ − K⁻¹) ∂K/∂θ)`
//! in the log-parameters `θ = (log ℓ_1..ℓ_p, log σ_f, log σ_n)`.
//!
//! Outputs are standardised (mean 0, standard deviation 1) before fitting unless asked not to;
//! predictions come back in the original units. Linear algebra is faer's Cholesky and
//! triangular solves (through [`boundlab_sdp_solver::dense`]).

use faer::{Mat, Par};

use boundlab_sdp_solver::dense;
use boundlab_sdp_solver::scalar::Real;

/// The kernel's hyperparameters.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GpHyper {
    /// One length scale per input dimension.
    pub lengthscales: Vec<f64>,
    /// `σ_f`: the prior standard deviation of `f`.
    pub signal_std: f64,
    /// `σ_n`: the observation noise standard deviation.
    pub noise_std: f64,
}

impl GpHyper {
    /// `θ = (log ℓ_1, …, log ℓ_p, log σ_f, log σ_n)`.
    pub fn to_log(&self) -> Vec<f64> {
        let mut t: Vec<f64> = self.lengthscales.iter().map(|l| l.ln()).collect();
        t.push(self.signal_std.ln());
        t.push(self.noise_std.ln());
        t
    }

    pub fn from_log(theta: &[f64]) -> Self {
        let p = theta.len() - 2;
        Self {
            lengthscales: theta[..p].iter().map(|t| t.exp()).collect(),
            signal_std: theta[p].exp(),
            noise_std: theta[p + 1].exp(),
        }
    }
}

/// Box bounds on the hyperparameters for maximum-likelihood fitting (inputs are expected in
/// the unit cube and outputs standardised, which these defaults assume).
#[derive(Clone, Debug)]
pub struct HyperBounds {
    pub lengthscale: (f64, f64),
    pub signal_std: (f64, f64),
    pub noise_std: (f64, f64),
}

impl Default for HyperBounds {
    fn default() -> Self {
        Self {
            lengthscale: (0.02, 10.0),
            signal_std: (0.05, 20.0),
            noise_std: (1e-4, 1.0),
        }
    }
}

/// The Matérn-5/2 correlation as a function of the scaled distance `ρ`.
pub fn matern52(rho: f64) -> f64 {
    let s = 5f64.sqrt() * rho;
    (1.0 + s + s * s / 3.0) * (-s).exp()
}

/// `k(a, b)` for the given hyperparameters.
pub fn kernel(a: &[f64], b: &[f64], hyper: &GpHyper) -> f64 {
    hyper.signal_std * hyper.signal_std * matern52(scaled_distance(a, b, &hyper.lengthscales))
}

fn scaled_distance(a: &[f64], b: &[f64], ls: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .zip(ls)
        .map(|((x, y), l)| ((x - y) / l).powi(2))
        .sum::<f64>()
        .sqrt()
}

/// A fitted Gaussian process.
#[derive(Clone, Debug)]
pub struct Gp {
    x: Vec<Vec<f64>>,
    hyper: GpHyper,
    /// Lower Cholesky factor of `K + σ_n² I`.
    chol: Mat<f64>,
    alpha: Vec<f64>,
    y_mean: f64,
    y_scale: f64,
    lml: f64,
}

/// Why a GP could not be built.
#[derive(Clone, Debug, PartialEq)]
pub struct GpError(pub String);

impl std::fmt::Display for GpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn check_data(x: &[Vec<f64>], y: &[f64]) -> Result<usize, GpError> {
    if x.is_empty() {
        return Err(GpError("no observations".into()));
    }
    if x.len() != y.len() {
        return Err(GpError(format!(
            "{} inputs but {} outputs",
            x.len(),
            y.len()
        )));
    }
    let p = x[0].len();
    if p == 0 {
        return Err(GpError("inputs have dimension 0".into()));
    }
    if let Some(i) = x.iter().position(|r| r.len() != p) {
        return Err(GpError(format!(
            "input {i} has dimension {}, expected {p}",
            x[i].len()
        )));
    }
    if x.iter().flatten().chain(y).any(|v| !v.is_finite()) {
        return Err(GpError("an input or output is not finite".into()));
    }
    Ok(p)
}

fn standardise(y: &[f64], normalise: bool) -> (f64, f64, Vec<f64>) {
    if !normalise {
        return (0.0, 1.0, y.to_vec());
    }
    let n = y.len() as f64;
    let mean = y.iter().sum::<f64>() / n;
    let var = y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    let scale = if var.sqrt() > 1e-300 { var.sqrt() } else { 1.0 };
    (mean, scale, y.iter().map(|v| (v - mean) / scale).collect())
}

fn gram(x: &[Vec<f64>], hyper: &GpHyper) -> Mat<f64> {
    let n = x.len();
    let noise = hyper.noise_std * hyper.noise_std;
    Mat::from_fn(n, n, |i, j| {
        kernel(&x[i], &x[j], hyper) + if i == j { noise } else { 0.0 }
    })
}

/// Solves `L Lᵀ z = b`.
fn chol_solve(l: &Mat<f64>, b: &[f64]) -> Vec<f64> {
    let n = b.len();
    let mut z = Mat::from_fn(n, 1, |i, _| b[i]);
    f64::solve_lower(l.as_ref(), z.as_mut(), Par::Seq);
    f64::solve_lower_transpose(l.as_ref(), z.as_mut(), Par::Seq);
    (0..n).map(|i| z[(i, 0)]).collect()
}

impl Gp {
    /// Conditions the GP on `(x, y)` with fixed hyperparameters; `normalise` standardises
    /// `y` first.
    pub fn new(
        x: &[Vec<f64>],
        y: &[f64],
        hyper: &GpHyper,
        normalise: bool,
    ) -> Result<Self, GpError> {
        let p = check_data(x, y)?;
        if hyper.lengthscales.len() != p {
            return Err(GpError(format!(
                "{} length scales for inputs of dimension {p}",
                hyper.lengthscales.len()
            )));
        }
        let (y_mean, y_scale, ys) = standardise(y, normalise);
        let k = gram(x, hyper);
        let chol = dense::cholesky(k.as_ref(), Par::Seq).ok_or_else(|| {
            GpError(
                "the kernel matrix is not positive definite (duplicate inputs with tiny noise?)"
                    .into(),
            )
        })?;
        let alpha = chol_solve(&chol, &ys);
        let n = ys.len() as f64;
        let fit: f64 = ys.iter().zip(&alpha).map(|(a, b)| a * b).sum();
        let logdet: f64 = (0..x.len()).map(|i| chol[(i, i)].ln()).sum();
        let lml = -0.5 * fit - logdet - 0.5 * n * (2.0 * std::f64::consts::PI).ln();
        Ok(Self {
            x: x.to_vec(),
            hyper: hyper.clone(),
            chol,
            alpha,
            y_mean,
            y_scale,
            lml,
        })
    }

    /// Fits the hyperparameters by maximum marginal likelihood (see [`fit_hyper`]) and
    /// conditions on the data; `y` is standardised.
    pub fn fit(x: &[Vec<f64>], y: &[f64], bounds: &HyperBounds) -> Result<Self, GpError> {
        let hyper = fit_hyper(x, y, bounds)?;
        Self::new(x, y, &hyper, true)
    }

    pub fn hyper(&self) -> &GpHyper {
        &self.hyper
    }

    /// The log marginal likelihood of the (standardised, if asked) outputs.
    pub fn log_marginal_likelihood(&self) -> f64 {
        self.lml
    }

    /// Posterior mean and variance of the latent `f(x*)`, in the original output units.
    pub fn predict(&self, xs: &[f64]) -> (f64, f64) {
        let kstar: Vec<f64> = self
            .x
            .iter()
            .map(|xi| kernel(xi, xs, &self.hyper))
            .collect();
        let mean: f64 = kstar.iter().zip(&self.alpha).map(|(a, b)| a * b).sum();
        let n = kstar.len();
        let mut v = Mat::from_fn(n, 1, |i, _| kstar[i]);
        f64::solve_lower(self.chol.as_ref(), v.as_mut(), Par::Seq);
        let vv: f64 = (0..n).map(|i| v[(i, 0)] * v[(i, 0)]).sum();
        let var = (self.hyper.signal_std.powi(2) - vv).max(0.0);
        (
            self.y_mean + self.y_scale * mean,
            var * self.y_scale * self.y_scale,
        )
    }

    /// The same GP with extra observations and unchanged hyperparameters and standardisation
    /// (the "constant liar" of batch selection adds fake outputs this way).
    pub fn with_observations(&self, x: &[Vec<f64>], y: &[f64]) -> Result<Self, GpError> {
        let mut xs = self.x.clone();
        xs.extend_from_slice(x);
        let mut ys: Vec<f64> = self
            .x
            .iter()
            .enumerate()
            .map(|(i, _)| self.observed_standardised(i))
            .collect();
        ys.extend(y.iter().map(|v| (v - self.y_mean) / self.y_scale));
        let mut gp = Self::new(&xs, &ys, &self.hyper, false)?;
        gp.y_mean = self.y_mean;
        gp.y_scale = self.y_scale;
        Ok(gp)
    }

    /// The standardised output of observation `i`, recovered as `(K + σ_n² I) α`.
    fn observed_standardised(&self, i: usize) -> f64 {
        let noise = self.hyper.noise_std * self.hyper.noise_std;
        self.x
            .iter()
            .zip(&self.alpha)
            .enumerate()
            .map(|(j, (xj, a))| {
                (kernel(&self.x[i], xj, &self.hyper) + if i == j { noise } else { 0.0 }) * a
            })
            .sum()
    }
}

/// The log marginal likelihood of `y` (used as given) and its gradient in
/// `θ = (log ℓ_1..ℓ_p, log σ_f, log σ_n)`; `None` when `K + σ_n² I` is not positive definite.
pub fn lml_and_gradient(x: &[Vec<f64>], y: &[f64], theta: &[f64]) -> Option<(f64, Vec<f64>)> {
    let hyper = GpHyper::from_log(theta);
    let n = x.len();
    let p = hyper.lengthscales.len();
    let k = gram(x, &hyper);
    let chol = dense::cholesky(k.as_ref(), Par::Seq)?;
    let alpha = chol_solve(&chol, y);
    let fit: f64 = y.iter().zip(&alpha).map(|(a, b)| a * b).sum();
    let logdet: f64 = (0..n).map(|i| chol[(i, i)].ln()).sum();
    let lml = -0.5 * fit - logdet - 0.5 * n as f64 * (2.0 * std::f64::consts::PI).ln();
    let kinv = dense::inverse_from_cholesky(chol.as_ref(), Par::Seq);
    // W = ααᵀ − K⁻¹; ∂L/∂θ = ½ Σ_ij W_ij ∂K_ij/∂θ.
    let w = |i: usize, j: usize| alpha[i] * alpha[j] - kinv[(i, j)];
    let sf2 = hyper.signal_std * hyper.signal_std;
    let mut grad = vec![0.0; p + 2];
    let s5 = 5f64.sqrt();
    for i in 0..n {
        for j in 0..n {
            let wij = w(i, j);
            let rho = scaled_distance(&x[i], &x[j], &hyper.lengthscales);
            let e = (-s5 * rho).exp();
            // ∂k/∂log σ_f = 2k.
            grad[p] += wij * 2.0 * sf2 * (1.0 + s5 * rho + 5.0 * rho * rho / 3.0) * e;
            // ∂k/∂log ℓ_d = σ_f² (5/3)(1 + √5 ρ) e^{−√5 ρ} (x_d − x'_d)²/ℓ_d².
            let common = sf2 * 5.0 / 3.0 * (1.0 + s5 * rho) * e;
            for d in 0..p {
                let diff = (x[i][d] - x[j][d]) / hyper.lengthscales[d];
                grad[d] += wij * common * diff * diff;
            }
        }
        grad[p + 1] += w(i, i) * 2.0 * hyper.noise_std * hyper.noise_std;
    }
    for g in &mut grad {
        *g *= 0.5;
    }
    Some((lml, grad))
}

/// Maximum-marginal-likelihood hyperparameters for standardised `y`: projected BFGS ascent
/// in the log-parameters inside `bounds`, from a fixed set of starting points (deterministic).
pub fn fit_hyper(x: &[Vec<f64>], y: &[f64], bounds: &HyperBounds) -> Result<GpHyper, GpError> {
    let p = check_data(x, y)?;
    let (_, _, ys) = standardise(y, true);
    let mut lo = vec![bounds.lengthscale.0.ln(); p];
    let mut hi = vec![bounds.lengthscale.1.ln(); p];
    lo.push(bounds.signal_std.0.ln());
    hi.push(bounds.signal_std.1.ln());
    lo.push(bounds.noise_std.0.ln());
    hi.push(bounds.noise_std.1.ln());
    let mut best: Option<(f64, Vec<f64>)> = None;
    for ls in [0.15f64, 0.5, 2.0] {
        for noise in [1e-3f64, 0.1] {
            let mut start = vec![ls.ln(); p];
            start.push(0.0);
            start.push(noise.ln());
            let start: Vec<f64> = start
                .iter()
                .zip(lo.iter().zip(&hi))
                .map(|(v, (a, b))| v.clamp(*a, *b))
                .collect();
            if let Some((val, theta)) =
                maximise_box(|t| lml_and_gradient(x, &ys, t), start, &lo, &hi, 200)
                && best.as_ref().is_none_or(|(b, _)| val > *b)
            {
                best = Some((val, theta));
            }
        }
    }
    best.map(|(_, t)| GpHyper::from_log(&t))
        .ok_or_else(|| GpError("no hyperparameters give a positive definite kernel matrix".into()))
}

/// Projected quasi-Newton (BFGS) ascent of `f` in the box `[lo, hi]`; returns the best value
/// and point, or `None` if `f` fails at the start.
pub(crate) fn maximise_box(
    f: impl Fn(&[f64]) -> Option<(f64, Vec<f64>)>,
    start: Vec<f64>,
    lo: &[f64],
    hi: &[f64],
    max_iter: usize,
) -> Option<(f64, Vec<f64>)> {
    let dim = start.len();
    let project = |v: &[f64]| -> Vec<f64> {
        v.iter()
            .zip(lo.iter().zip(hi))
            .map(|(x, (a, b))| x.clamp(*a, *b))
            .collect()
    };
    let mut x = project(&start);
    let (mut fx, mut g) = f(&x)?;
    // Inverse Hessian approximation of −f (positive definite).
    let mut h = identity(dim);
    for _ in 0..max_iter {
        // Ascent direction d = H g, with free variables only (at a bound with the gradient
        // pushing outward the coordinate is fixed).
        let fixed: Vec<bool> = (0..dim)
            .map(|i| (x[i] <= lo[i] && g[i] < 0.0) || (x[i] >= hi[i] && g[i] > 0.0))
            .collect();
        let mut d = vec![0.0; dim];
        for i in 0..dim {
            if fixed[i] {
                continue;
            }
            for j in 0..dim {
                if !fixed[j] {
                    d[i] += h[i][j] * g[j];
                }
            }
        }
        let mut slope: f64 = d.iter().zip(&g).map(|(a, b)| a * b).sum();
        if slope <= 0.0 {
            // Not an ascent direction: reset to the projected gradient.
            h = identity(dim);
            d = (0..dim)
                .map(|i| if fixed[i] { 0.0 } else { g[i] })
                .collect();
            slope = d.iter().map(|v| v * v).sum();
        }
        if slope.sqrt() < 1e-9 {
            break;
        }
        // Backtracking (Armijo) along the projected path.
        let mut step = 1.0;
        let mut accepted = None;
        for _ in 0..40 {
            let trial = project(
                &x.iter()
                    .zip(&d)
                    .map(|(a, b)| a + step * b)
                    .collect::<Vec<f64>>(),
            );
            if let Some((ft, gt)) = f(&trial) {
                let gain: f64 = trial
                    .iter()
                    .zip(&x)
                    .zip(&g)
                    .map(|((a, b), gi)| (a - b) * gi)
                    .sum();
                if ft >= fx + 1e-4 * gain.max(0.0) && ft.is_finite() {
                    accepted = Some((trial, ft, gt));
                    break;
                }
            }
            step *= 0.5;
        }
        let Some((xn, fnew, gn)) = accepted else {
            break;
        };
        let s: Vec<f64> = xn.iter().zip(&x).map(|(a, b)| a - b).collect();
        // For the maximisation, the curvature pair of −f is (s, −(g_new − g)).
        let yv: Vec<f64> = gn.iter().zip(&g).map(|(a, b)| -(a - b)).collect();
        let sy: f64 = s.iter().zip(&yv).map(|(a, b)| a * b).sum();
        let improvement = fnew - fx;
        x = xn;
        fx = fnew;
        g = gn;
        if sy > 1e-12 {
            bfgs_update(&mut h, &s, &yv, sy);
        }
        if improvement.abs() < 1e-10 * (1.0 + fx.abs()) {
            break;
        }
    }
    Some((fx, x))
}

fn identity(n: usize) -> Vec<Vec<f64>> {
    (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect()
}

/// `H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ`, `ρ = 1/(yᵀs)`.
fn bfgs_update(h: &mut [Vec<f64>], s: &[f64], y: &[f64], sy: f64) {
    let n = s.len();
    let rho = 1.0 / sy;
    let hy: Vec<f64> = (0..n)
        .map(|i| (0..n).map(|j| h[i][j] * y[j]).sum())
        .collect();
    let yhy: f64 = y.iter().zip(&hy).map(|(a, b)| a * b).sum();
    for i in 0..n {
        for j in 0..n {
            h[i][j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matern52_values() {
        // Closed form: k(0) = 1; k(1) = (1 + √5 + 5/3) e^{−√5}.
        assert_eq!(matern52(0.0), 1.0);
        let want = (1.0 + 5f64.sqrt() + 5.0 / 3.0) * (-(5f64.sqrt())).exp();
        assert!((matern52(1.0) - want).abs() < 1e-15);
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let x: Vec<Vec<f64>> = (0..7)
            .map(|i| vec![(i as f64 * 0.37).sin().abs(), (i as f64 * 0.71).cos().abs()])
            .collect();
        let y: Vec<f64> = x.iter().map(|v| (3.0 * v[0]).sin() + v[1] * v[1]).collect();
        let theta = vec![(0.4f64).ln(), (0.7f64).ln(), 0.2, (0.05f64).ln()];
        let (_, g) = lml_and_gradient(&x, &y, &theta).unwrap();
        for d in 0..theta.len() {
            let h = 1e-6;
            let mut tp = theta.clone();
            tp[d] += h;
            let mut tm = theta.clone();
            tm[d] -= h;
            let fd = (lml_and_gradient(&x, &y, &tp).unwrap().0
                - lml_and_gradient(&x, &y, &tm).unwrap().0)
                / (2.0 * h);
            assert!(
                (fd - g[d]).abs() < 1e-6 * (1.0 + fd.abs()),
                "d {d}: {fd} vs {}",
                g[d]
            );
        }
    }
}
