//! The optimiser interface and the baselines SGD, SLS and Adam.
//!
//! Every optimiser makes exactly one expensive target-space gradient call per outer step, so
//! all of them are compared on the same oracle counter ([`Counters::grad_calls`]).

use std::convert::Infallible;

use boundlab_vecops::{axpy, norm_sq};
use faer::Side;

use crate::armijo::Armijo;
use crate::error::SurrogateError;
use crate::problem::{Batch, Counters, Objective, at_b};

/// Where the outer loop stands, for step-size schedules.
#[derive(Clone, Copy, Debug)]
pub struct StepContext {
    /// Outer step index (0-based).
    pub t: usize,
    /// Outer steps per pass over the data (1 for full batch).
    pub batches_per_epoch: usize,
    /// The batch is the whole data set (the same rows every step).
    pub full_batch: bool,
}

/// One outer step of an optimiser on a batch.
pub trait Optimizer {
    /// Updates `theta` in place using one expensive gradient call on `batch`.
    fn step(
        &mut self,
        objective: &Objective,
        batch: Batch<'_>,
        theta: &mut [f64],
        counters: &mut Counters,
        ctx: &StepContext,
    ) -> Result<(), SurrogateError>;

    /// The step size used at the last outer step (η for SSO, the parameter-space step for the
    /// others), for the trace.
    fn last_step(&self) -> f64;
}

/// Plain (stochastic) gradient descent θ ← θ − α_t∇h_S(θ): α_t = α (constant) or, with
/// `decreasing`, α/√(1 + t/E) (E outer steps per epoch), the schedule SSO's `decreasing` uses.
#[derive(Clone, Debug)]
pub struct Sgd {
    pub lr: f64,
    pub decreasing: bool,
    last: f64,
}

impl Sgd {
    pub fn constant(lr: f64) -> Self {
        Self::new(lr, false)
    }

    pub fn new(lr: f64, decreasing: bool) -> Self {
        Sgd {
            lr,
            decreasing,
            last: lr,
        }
    }
}

impl Optimizer for Sgd {
    fn step(
        &mut self,
        objective: &Objective,
        batch: Batch<'_>,
        theta: &mut [f64],
        counters: &mut Counters,
        ctx: &StepContext,
    ) -> Result<(), SurrogateError> {
        let eval = objective.value_and_grad(theta, batch);
        counters.grad_calls += 1;
        let lr = if self.decreasing {
            self.lr / (1.0 + ctx.t as f64 / ctx.batches_per_epoch.max(1) as f64).sqrt()
        } else {
            self.lr
        };
        axpy(-lr, &eval.grad, theta);
        self.last = lr;
        Ok(())
    }

    fn last_step(&self) -> f64 {
        self.last
    }
}

/// Stochastic line search (Vaswani, Mishkin, Laradji, Schmidt, Gidel, Lacoste-Julien,
/// NeurIPS 2019): Armijo backtracking on the mini-batch loss h_S, each trial one target-space
/// loss value; the next search starts from s·γ^{b/n} with γ = 2 (their "reset option 2").
#[derive(Clone, Debug)]
pub struct Sls {
    pub armijo: Armijo,
    /// Step accepted at the last outer step (0 when the search failed).
    pub accepted: f64,
    /// Step the next search starts from.
    pub step: f64,
    pub max_step: f64,
}

impl Sls {
    pub fn new(c: f64, initial_step: f64) -> Self {
        Sls {
            accepted: 0.0,
            armijo: Armijo {
                c,
                shrink: 0.9,
                max_trials: 200,
            },
            step: initial_step,
            max_step: 1e6,
        }
    }
}

impl Optimizer for Sls {
    fn step(
        &mut self,
        objective: &Objective,
        batch: Batch<'_>,
        theta: &mut [f64],
        counters: &mut Counters,
        ctx: &StepContext,
    ) -> Result<(), SurrogateError> {
        let eval = objective.value_and_grad(theta, batch);
        counters.grad_calls += 1;
        let slope = norm_sq(&eval.grad);
        if slope == 0.0 {
            return Ok(());
        }
        let mut trial = theta.to_vec();
        let Ok(accepted) = self.armijo.search(eval.value, slope, self.step, |s| {
            trial.copy_from_slice(theta);
            axpy(-s, &eval.grad, &mut trial);
            counters.loss_evals += 1;
            Ok::<f64, Infallible>(objective.value(&trial, batch))
        });
        self.accepted = accepted.step;
        if accepted.step > 0.0 {
            axpy(-accepted.step, &eval.grad, theta);
            let growth = 2f64.powf(1.0 / ctx.batches_per_epoch as f64);
            self.step = (accepted.step * growth).min(self.max_step);
        } else {
            // keep the smallest trial as the next start: the search failed on a tiny gradient
            self.step *= self.armijo.shrink.powi(self.armijo.max_trials as i32);
        }
        Ok(())
    }

    fn last_step(&self) -> f64 {
        self.accepted
    }
}

/// Adam (Kingma & Ba, ICLR 2015) with bias correction; β1 = 0.9, β2 = 0.999, ε = 1e-8.
#[derive(Clone, Debug)]
pub struct Adam {
    pub lr: f64,
    m: Vec<f64>,
    v: Vec<f64>,
    t: i32,
}

impl Adam {
    pub fn new(lr: f64, n_params: usize) -> Self {
        Adam {
            lr,
            m: vec![0.0; n_params],
            v: vec![0.0; n_params],
            t: 0,
        }
    }
}

impl Optimizer for Adam {
    fn step(
        &mut self,
        objective: &Objective,
        batch: Batch<'_>,
        theta: &mut [f64],
        counters: &mut Counters,
        _: &StepContext,
    ) -> Result<(), SurrogateError> {
        let (b1, b2, eps): (f64, f64, f64) = (0.9, 0.999, 1e-8);
        let eval = objective.value_and_grad(theta, batch);
        counters.grad_calls += 1;
        self.t = self.t.saturating_add(1);
        let (c1, c2) = (1.0 - b1.powi(self.t), 1.0 - b2.powi(self.t));
        for (i, g) in eval.grad.iter().enumerate() {
            self.m[i] = b1 * self.m[i] + (1.0 - b1) * g;
            self.v[i] = b2 * self.v[i] + (1.0 - b2) * g * g;
            theta[i] -= self.lr * (self.m[i] / c1) / ((self.v[i] / c2).sqrt() + eps);
        }
        Ok(())
    }

    fn last_step(&self) -> f64 {
        self.lr
    }
}

/// Largest eigenvalue of DᵀD/b for a linear model's design on `batch` (1/b times the squared
/// largest singular value): the curvature of the batch loss per unit of loss smoothness.
pub fn linear_curvature(objective: &Objective, batch: Batch<'_>) -> Result<f64, SurrogateError> {
    let d = objective
        .model
        .linear_design(batch.x)
        .ok_or_else(|| SurrogateError::Internal("curvature asked for a non-linear model".into()))?;
    let gram = at_b(d.as_ref(), d.as_ref());
    let eig = gram.self_adjoint_eigenvalues(Side::Lower).map_err(|e| {
        SurrogateError::Numerical(format!("eigenvalues of the batch Gram matrix: {e:?}"))
    })?;
    Ok(eig.last().copied().unwrap_or(0.0).max(0.0) / batch.len().max(1) as f64)
}

/// The SGD step 1/L with L = β·λmax(DᵀD/n) + λ, the smoothness of the full objective of a
/// linear model (the choice of the SSO authors' "optimal" SGD baseline, without their extra
/// safety factor).
pub fn linear_sgd_step(objective: &Objective, full: Batch<'_>) -> Result<f64, SurrogateError> {
    let l = objective.loss.smoothness() * linear_curvature(objective, full)? + objective.l2;
    if l > 0.0 {
        Ok(1.0 / l)
    } else {
        Err(SurrogateError::bad_input(
            "lr",
            "the data are all zero; give `lr` explicitly",
        ))
    }
}
