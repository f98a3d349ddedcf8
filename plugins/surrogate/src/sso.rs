//! Stochastic surrogate optimisation (SSO) and its full-batch majorisation–minimisation form
//! (Lavington, Vaswani, Babanezhad, Schmidt, Le Roux, ICML 2023, arXiv 2302.02607).
//!
//! One outer step on a batch S with targets z_t = f_S(θ_t):
//! 1. one expensive call: G = per-example gradients ∇ℓ(z_t,i) and L_S(z_t);
//! 2. a target step size η_t (constant, decreasing, or target-space Armijo);
//! 3. m cheap inner steps on the parameter-space surrogate
//!    ℓ_t(θ) = L_S(z_t) + (1/b) Σ_i [⟨G_i, f_i(θ) − z_t,i⟩ + ‖f_i(θ) − z_t,i‖²/(2η_t)] + (λ/2)‖θ‖².
//!
//! **η convention.** η is the step of target-space gradient descent *per example*:
//! the surrogate's target-space minimiser is z_t,i − η·∇ℓ(z_t,i). With L_S the batch *mean*,
//! this is the paper's η (eq. A1 applied to L_S) divided by b: η_paper = b·η. It makes the
//! majorisation condition independent of the batch size: ℓ_t ≥ h_S whenever η ≤ 1/β, with β
//! the per-example smoothness of [`Loss::smoothness`](crate::loss::Loss::smoothness)
//! (1 squared, 4 logistic, 2 cross-entropy are the defaults η = 1/β).
//! The authors' code uses an inverse step without the ½ (see the method notes, section A.3).
//!
//! ∇ℓ_t(θ_t) = ∇h_S(θ_t), so with one inner gradient step of size α SSO is SGD with step α.

use std::convert::Infallible;

use boundlab_vecops::{axpy, norm, norm_sq};
use faer::{Mat, Side};

use crate::armijo::Armijo;
use crate::error::SurrogateError;
use crate::optim::{Optimizer, StepContext, linear_curvature};
use crate::problem::{Batch, Counters, Objective, at_b};

/// How the target step η_t is chosen at outer step t; the `eta_rule` parameter names it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum EtaRule {
    /// η_t = η.
    Constant,
    /// η_t = η / √(1 + t/E), E = outer steps per epoch: decays like 1/√epochs.
    Decreasing,
    /// Armijo backtracking in target space (the authors' SSO-SLS): from 2·η_{t−1} (η at t = 0),
    /// halve until L_S(z_t − ηG) ≤ L_S(z_t) − c·η·‖G‖²/b; each trial is one loss value.
    Armijo,
    /// The Armijo step times the decreasing schedule 1/√(1 + t/E) (the authors apply their
    /// schedules on top of the line search); the search itself restarts from the unscaled step.
    ArmijoDecreasing,
}

/// How the surrogate is minimised.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum InnerSolver {
    /// Gradient steps of size α; `None` (linear models only) takes α = 1/(smoothness of ℓ_t),
    /// computed from the batch: 1/(λmax(DᵀD/b)/η + λ).
    Gd { lr: Option<f64> },
    /// Armijo backtracking gradient steps on ℓ_t (the authors' inner `LSOpt`), step halved on
    /// failure and doubled before the next inner step.
    Armijo,
    /// Exact minimiser (linear models): ridge-regularised projection of z_t − ηG onto the
    /// model's range; one inner evaluation, `inner_steps` is ignored.
    Exact,
}

/// SSO settings.
#[derive(Clone, Debug)]
pub struct SsoConfig {
    /// Target step η (per-example convention, see the module docs).
    pub eta: f64,
    pub eta_rule: EtaRule,
    /// Inner steps m per outer step.
    pub inner_steps: usize,
    pub inner: InnerSolver,
    /// Sufficient-decrease constant of both Armijo searches.
    pub armijo_c: f64,
    /// Inner loop stops early once ‖∇ℓ_t(θ)‖ ≤ inner_tol·‖∇ℓ_t(θ_t)‖.
    pub inner_tol: f64,
}

/// The SSO optimiser (state: current η for the Armijo rule, the inner Armijo step, and the
/// cached full-batch curvature).
#[derive(Clone, Debug)]
pub struct Sso {
    pub cfg: SsoConfig,
    eta_prev: f64,
    inner_step: f64,
    full_curvature: Option<f64>,
    /// η used at the last outer step (reported in results).
    pub last_eta: f64,
}

impl Sso {
    pub fn new(cfg: SsoConfig) -> Self {
        Sso {
            eta_prev: cfg.eta,
            inner_step: 1.0,
            full_curvature: None,
            last_eta: cfg.eta,
            cfg,
        }
    }

    /// η_t for the outer step whose surrogate (η not yet set) is `s`.
    fn target_eta(&mut self, s: &Surrogate<'_>, counters: &mut Counters, ctx: &StepContext) -> f64 {
        let (objective, batch, z, g, loss_t) = (s.objective, s.batch, s.z_t, s.g, s.base);
        match self.cfg.eta_rule {
            EtaRule::Constant => self.cfg.eta,
            EtaRule::Decreasing => {
                self.cfg.eta / (1.0 + ctx.t as f64 / ctx.batches_per_epoch.max(1) as f64).sqrt()
            }
            EtaRule::Armijo | EtaRule::ArmijoDecreasing => {
                let b = batch.len().max(1) as f64;
                let slope = g.squared_norm_l2() / b;
                if slope == 0.0 {
                    return self.eta_prev;
                }
                let start = if ctx.t == 0 {
                    self.cfg.eta
                } else {
                    (2.0 * self.eta_prev).min(1e4)
                };
                let search = Armijo {
                    c: self.cfg.armijo_c,
                    shrink: 0.5,
                    max_trials: 60,
                };
                let Ok(accepted) = search.search(loss_t, slope, start, |eta| {
                    counters.loss_evals += 1;
                    let trial = z - g * faer::Scale(eta);
                    Ok::<f64, Infallible>(objective.loss.value(trial.as_ref(), batch.y))
                });
                let eta = if accepted.step > 0.0 {
                    accepted.step
                } else {
                    start * 0.5f64.powi(60)
                };
                self.eta_prev = eta;
                if self.cfg.eta_rule == EtaRule::ArmijoDecreasing {
                    eta / (1.0 + ctx.t as f64 / ctx.batches_per_epoch.max(1) as f64).sqrt()
                } else {
                    eta
                }
            }
        }
    }
}

/// The surrogate ℓ_t of one outer step.
struct Surrogate<'a> {
    objective: &'a Objective,
    batch: Batch<'a>,
    z_t: &'a Mat<f64>,
    g: &'a Mat<f64>,
    eta: f64,
    base: f64,
}

impl Surrogate<'_> {
    fn value(&self, theta: &[f64]) -> f64 {
        let z = self.objective.model.forward(theta, self.batch.x).z;
        let (b, k) = (z.nrows(), z.ncols());
        let mut total = 0.0;
        for c in 0..k {
            for i in 0..b {
                let r = z[(i, c)] - self.z_t[(i, c)];
                total += self.g[(i, c)] * r + r * r / (2.0 * self.eta);
            }
        }
        self.base + total / b.max(1) as f64 + self.objective.ridge(theta)
    }

    fn value_and_grad(&self, theta: &[f64]) -> (f64, Vec<f64>) {
        let fw = self.objective.model.forward(theta, self.batch.x);
        let (b, k) = (fw.z.nrows(), fw.z.ncols());
        let mut v = Mat::<f64>::zeros(b, k);
        let mut total = 0.0;
        for c in 0..k {
            for i in 0..b {
                let r = fw.z[(i, c)] - self.z_t[(i, c)];
                total += self.g[(i, c)] * r + r * r / (2.0 * self.eta);
                v[(i, c)] = self.g[(i, c)] + r / self.eta;
            }
        }
        let scale = 1.0 / b.max(1) as f64;
        let mut grad = self
            .objective
            .model
            .vjp(theta, self.batch.x, &fw, v.as_ref());
        for (gi, ti) in grad.iter_mut().zip(theta) {
            *gi = *gi * scale + self.objective.l2 * ti;
        }
        (
            self.base + total * scale + self.objective.ridge(theta),
            grad,
        )
    }
}

impl Optimizer for Sso {
    fn step(
        &mut self,
        objective: &Objective,
        batch: Batch<'_>,
        theta: &mut [f64],
        counters: &mut Counters,
        ctx: &StepContext,
    ) -> Result<(), SurrogateError> {
        let forward = objective.model.forward(theta, batch.x);
        let (loss_t, g) = objective.loss.value_and_grad(forward.z.as_ref(), batch.y);
        counters.grad_calls += 1;
        let z_t = forward.z;
        let mut surrogate = Surrogate {
            objective,
            batch,
            z_t: &z_t,
            g: &g,
            eta: f64::NAN,
            base: loss_t,
        };
        let eta = self.target_eta(&surrogate, counters, ctx);
        surrogate.eta = eta;
        self.last_eta = eta;
        let surrogate = surrogate;
        match self.cfg.inner {
            InnerSolver::Exact => {
                counters.inner_grads += 1;
                exact_minimiser(objective, batch, &z_t, &g, eta, theta)?;
            }
            InnerSolver::Gd { lr } => {
                let alpha = match lr {
                    Some(a) => a,
                    None => {
                        let curvature = if ctx.full_batch {
                            match self.full_curvature {
                                Some(c) => c,
                                None => *self
                                    .full_curvature
                                    .insert(linear_curvature(objective, batch)?),
                            }
                        } else {
                            linear_curvature(objective, batch)?
                        };
                        1.0 / (curvature / eta + objective.l2)
                    }
                };
                let mut first_norm = None;
                for _ in 0..self.cfg.inner_steps {
                    let (_, grad) = surrogate.value_and_grad(theta);
                    counters.inner_grads += 1;
                    let gn = norm(&grad);
                    if gn <= self.cfg.inner_tol * *first_norm.get_or_insert(gn) || gn == 0.0 {
                        break;
                    }
                    axpy(-alpha, &grad, theta);
                }
            }
            InnerSolver::Armijo => {
                let search = Armijo {
                    c: self.cfg.armijo_c,
                    shrink: 0.5,
                    max_trials: 60,
                };
                let mut first_norm = None;
                let mut trial = theta.to_vec();
                for _ in 0..self.cfg.inner_steps {
                    let (value, grad) = surrogate.value_and_grad(theta);
                    counters.inner_grads += 1;
                    let slope = norm_sq(&grad);
                    let gn = slope.sqrt();
                    if gn <= self.cfg.inner_tol * *first_norm.get_or_insert(gn) || gn == 0.0 {
                        break;
                    }
                    let Ok(accepted) = search.search(value, slope, self.inner_step, |s| {
                        trial.copy_from_slice(theta);
                        axpy(-s, &grad, &mut trial);
                        counters.inner_values += 1;
                        Ok::<f64, Infallible>(surrogate.value(&trial))
                    });
                    if accepted.step == 0.0 {
                        break; // no decrease representable: the surrogate is minimised
                    }
                    axpy(-accepted.step, &grad, theta);
                    self.inner_step = (2.0 * accepted.step).min(1e8);
                }
            }
        }
        Ok(())
    }

    fn last_step(&self) -> f64 {
        self.last_eta
    }
}

/// argmin_θ (1/(2ηb))‖DΘ − (Z_t − ηG)‖² + (λ/2)‖Θ‖² for a linear model (D the design), via an
/// eigen-decomposition of DᵀD: the minimum-norm solution when λ = 0 and D lacks full rank.
fn exact_minimiser(
    objective: &Objective,
    batch: Batch<'_>,
    z_t: &Mat<f64>,
    g: &Mat<f64>,
    eta: f64,
    theta: &mut [f64],
) -> Result<(), SurrogateError> {
    let d = objective
        .model
        .linear_design(batch.x)
        .ok_or_else(|| SurrogateError::bad_input("inner", "`exact` needs the linear model"))?;
    let target = z_t - g * faer::Scale(eta);
    let gram = at_b(d.as_ref(), d.as_ref());
    let rhs = at_b(d.as_ref(), target.as_ref());
    let shift = eta * batch.len() as f64 * objective.l2;
    let evd = gram.self_adjoint_eigen(Side::Lower).map_err(|e| {
        SurrogateError::Numerical(format!(
            "eigen-decomposition of the batch Gram matrix: {e:?}"
        ))
    })?;
    let (u, s) = (evd.U(), evd.S().column_vector());
    let top = s.iter().fold(0.0f64, |a, &b| a.max(b)) + shift;
    let tol = top * 1e-12 * gram.nrows() as f64;
    let ut_rhs = u.transpose() * &rhs;
    let mut scaled = ut_rhs.clone();
    for i in 0..scaled.nrows() {
        let lam = s[i] + shift;
        let inv = if lam > tol { 1.0 / lam } else { 0.0 };
        for c in 0..scaled.ncols() {
            scaled[(i, c)] *= inv;
        }
    }
    let solution = u * &scaled;
    theta.copy_from_slice(&objective.model.linear_theta_from_matrix(solution.as_ref()));
    Ok(())
}
