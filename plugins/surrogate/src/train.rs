//! The outer loop shared by all optimisers on a supervised data set: seeded mini-batches
//! (random reshuffling each epoch), the trace of full-data loss and gradient norm against the
//! work counters, and the stopping rules.
//!
//! Wall time counts the optimiser's steps only; the full-data evaluations written to the trace
//! are monitoring and are neither timed nor counted as oracle calls.

use std::ops::ControlFlow;
use std::time::Instant;

use boundlab_vecops::norm;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::data::Dataset;
use crate::error::SurrogateError;
use crate::optim::{Optimizer, StepContext};
use crate::problem::{Batch, Counters, Objective, OwnedBatch};

/// Outer-loop settings.
#[derive(Clone, Debug)]
pub struct TrainConfig {
    /// Examples per outer step; `0` or ≥ n means the full batch (deterministic MM / GD).
    pub batch_size: usize,
    /// Number of outer steps (each one expensive gradient call).
    pub outer_steps: usize,
    /// Seed of the batch order.
    pub seed: u64,
    /// Trace every this many outer steps (and at the start and the end).
    pub trace_every: usize,
    /// Stop at the first trace point whose full loss is ≤ this.
    pub target_loss: Option<f64>,
}

/// The trace, one entry per trace point, as columns (ready to plot).
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Trace {
    pub outer_steps: Vec<f64>,
    pub grad_calls: Vec<f64>,
    pub loss_evals: Vec<f64>,
    pub inner_grads: Vec<f64>,
    pub inner_values: Vec<f64>,
    pub seconds: Vec<f64>,
    /// Full-data objective h(θ).
    pub loss: Vec<f64>,
    /// ‖∇h(θ)‖ on the full data.
    pub grad_norm: Vec<f64>,
    /// Step size of the last outer step (η for SSO; NaN at the start).
    pub step: Vec<f64>,
}

impl Trace {
    fn push(&mut self, t: usize, c: &Counters, seconds: f64, loss: f64, grad_norm: f64, step: f64) {
        self.step.push(step);
        self.outer_steps.push(t as f64);
        self.grad_calls.push(c.grad_calls as f64);
        self.loss_evals.push(c.loss_evals as f64);
        self.inner_grads.push(c.inner_grads as f64);
        self.inner_values.push(c.inner_values as f64);
        self.seconds.push(seconds);
        self.loss.push(loss);
        self.grad_norm.push(grad_norm);
    }
}

/// Why the loop ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Completed,
    TargetReached,
    /// The loss became non-finite or grew past 1e12 × its start: the step size is too large.
    Diverged,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Completed => "completed",
            Status::TargetReached => "target_reached",
            Status::Diverged => "diverged",
        }
    }
}

/// The outcome of a training run.
#[derive(Clone, Debug)]
pub struct TrainResult {
    pub theta: Vec<f64>,
    pub trace: Trace,
    pub counters: Counters,
    pub seconds: f64,
    pub outer_steps: usize,
    pub status: Status,
    pub final_loss: f64,
    pub final_grad_norm: f64,
}

/// Where a training run stands at a trace point, given to the [`Monitor`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// Outer steps done so far.
    pub outer_steps: usize,
    /// Outer steps the run will make at most.
    pub total: usize,
    /// Full-data objective h(θ) at this point.
    pub loss: f64,
}

/// Sees every trace point (the start included); `ControlFlow::Break` (the host's
/// cancellation) stops the run with [`SurrogateError::Stopped`].
pub type Monitor<'a> = dyn FnMut(Progress) -> ControlFlow<()> + 'a;

/// Runs `optimizer` from `theta` on `data`.
pub fn train(
    objective: &Objective,
    data: &Dataset,
    optimizer: &mut dyn Optimizer,
    mut theta: Vec<f64>,
    cfg: &TrainConfig,
    monitor: &mut Monitor<'_>,
) -> Result<TrainResult, SurrogateError> {
    let n = data.n();
    let full = Batch {
        x: data.x.as_ref(),
        y: data.y.as_ref(),
    };
    let full_batch = cfg.batch_size == 0 || cfg.batch_size >= n;
    let b = if full_batch { n } else { cfg.batch_size };
    let batches_per_epoch = n.div_ceil(b);
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let mut order: Vec<usize> = (0..n).collect();
    let mut cursor = n; // forces a shuffle before the first batch

    let mut counters = Counters::default();
    let mut trace = Trace::default();
    let mut seconds = 0.0;
    let evaluate = |theta: &[f64]| {
        let e = objective.value_and_grad(theta, full);
        (e.value, norm(&e.grad))
    };
    let (loss0, gn0) = evaluate(&theta);
    trace.push(0, &counters, 0.0, loss0, gn0, f64::NAN);
    let mut last = (loss0, gn0);
    let mut status = Status::Completed;
    let mut steps_done = 0;
    let mut observe = |outer_steps: usize, loss: f64| match monitor(Progress {
        outer_steps,
        total: cfg.outer_steps,
        loss,
    }) {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(()) => Err(SurrogateError::Stopped),
    };
    observe(0, loss0)?;
    if cfg.target_loss.is_some_and(|target| loss0 <= target) {
        status = Status::TargetReached;
    }
    while status == Status::Completed && steps_done < cfg.outer_steps {
        let t = steps_done;
        let owned;
        let batch = if full_batch {
            full
        } else {
            if cursor >= n {
                order.shuffle(&mut rng);
                cursor = 0;
            }
            let end = (cursor + b).min(n);
            owned = OwnedBatch::gather(data.x.as_ref(), data.y.as_ref(), &order[cursor..end]);
            cursor = end;
            owned.as_batch()
        };
        let ctx = StepContext {
            t,
            batches_per_epoch,
            full_batch,
        };
        let start = Instant::now();
        optimizer.step(objective, batch, &mut theta, &mut counters, &ctx)?;
        seconds += start.elapsed().as_secs_f64();
        steps_done += 1;
        let at_end = steps_done == cfg.outer_steps;
        if steps_done % cfg.trace_every.max(1) == 0 || at_end {
            last = evaluate(&theta);
            trace.push(
                steps_done,
                &counters,
                seconds,
                last.0,
                last.1,
                optimizer.last_step(),
            );
            if !last.0.is_finite() || last.0 > 1e12 * loss0.abs().max(1.0) {
                status = Status::Diverged;
            } else if cfg.target_loss.is_some_and(|target| last.0 <= target) {
                status = Status::TargetReached;
            }
            observe(steps_done, last.0)?;
        }
    }
    Ok(TrainResult {
        theta,
        trace,
        counters,
        seconds,
        outer_steps: steps_done,
        status,
        final_loss: last.0,
        final_grad_norm: last.1,
    })
}
