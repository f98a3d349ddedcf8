//! Online imitation learning on a linear-quadratic control task (the second experiment family
//! of the SSO paper, there on MuJoCo with a SAC expert; here on a system whose expert is known
//! exactly, so the learner's error can be measured against it).
//!
//! System: the cart-pole linearised about the upright position, explicit-Euler discretised,
//! x = [cart position, cart velocity, pole angle, pole angular velocity], one force input:
//! x' = A x + B u + w, w ~ N(0, σ²I). Stage cost xᵀQx + uᵀRu with Q = I, R = 0.1.
//! Expert: the infinite-horizon LQR controller u* = −Kx from the discrete algebraic Riccati
//! equation. The pole is open-loop unstable, so a poor policy fails quickly.
//!
//! Online protocol (DAgger with mixing β, as in the authors' `mujoco/online_learning`): each
//! round the learner's policy (the expert's with probability β per step) runs for
//! `samples_per_round` environment steps; every visited state is labelled with the expert's
//! action; the round's loss is the squared error ½‖π_θ(x) − u*(x)‖² averaged over those states.
//! One round = one expensive target-space gradient (it costs environment interactions and
//! expert labels); the optimiser then updates θ (SSO: m cheap inner steps on the surrogate).

use std::ops::ControlFlow;

use faer::{Mat, MatRef};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use serde::Serialize;

use crate::error::SurrogateError;
use crate::optim::{Optimizer, StepContext};
use crate::problem::{Batch, Counters, Objective};

/// A discrete-time linear system with quadratic cost.
#[derive(Clone, Debug)]
pub struct LqSystem {
    pub a: Mat<f64>,
    pub b: Mat<f64>,
    pub q: Mat<f64>,
    pub r: Mat<f64>,
    /// The state leaves the region of validity of the linearisation (pole fallen, cart off
    /// the track): |angle| > 0.8 rad or |position| > 5 m.
    pub angle_limit: f64,
    pub position_limit: f64,
}

impl LqSystem {
    /// Cart-pole (cart 1 kg, point mass 0.1 kg on a massless 0.5 m rod, g = 9.81) linearised
    /// upright: p̈ = (u − m g φ)/M, φ̈ = ((M + m) g φ − u)/(M l); Euler step `dt`.
    pub fn cart_pole(dt: f64) -> Self {
        let (cart, pole, len, g) = (1.0, 0.1, 0.5, 9.81);
        let mut ac = Mat::<f64>::zeros(4, 4);
        ac[(0, 1)] = 1.0;
        ac[(1, 2)] = -pole * g / cart;
        ac[(2, 3)] = 1.0;
        ac[(3, 2)] = (cart + pole) * g / (cart * len);
        let mut bc = Mat::<f64>::zeros(4, 1);
        bc[(1, 0)] = 1.0 / cart;
        bc[(3, 0)] = -1.0 / (cart * len);
        let a = Mat::<f64>::identity(4, 4) + ac * faer::Scale(dt);
        let b = bc * faer::Scale(dt);
        LqSystem {
            a,
            b,
            q: Mat::identity(4, 4),
            r: Mat::from_fn(1, 1, |_, _| 0.1),
            angle_limit: 0.8,
            position_limit: 5.0,
        }
    }

    pub fn n_states(&self) -> usize {
        self.a.nrows()
    }

    pub fn n_controls(&self) -> usize {
        self.b.ncols()
    }

    /// x' = Ax + Bu.
    pub fn step(&self, x: &[f64], u: &[f64]) -> Vec<f64> {
        let n = self.n_states();
        (0..n)
            .map(|i| {
                (0..n).map(|j| self.a[(i, j)] * x[j]).sum::<f64>()
                    + (0..u.len()).map(|j| self.b[(i, j)] * u[j]).sum::<f64>()
            })
            .collect()
    }

    pub fn stage_cost(&self, x: &[f64], u: &[f64]) -> f64 {
        quad(self.q.as_ref(), x) + quad(self.r.as_ref(), u)
    }

    pub fn failed(&self, x: &[f64]) -> bool {
        !(x[2].abs() <= self.angle_limit && x[0].abs() <= self.position_limit)
    }
}

fn quad(m: MatRef<'_, f64>, v: &[f64]) -> f64 {
    let n = v.len();
    (0..n)
        .map(|i| (0..n).map(|j| v[i] * m[(i, j)] * v[j]).sum::<f64>())
        .sum()
}

/// The LQR gain K (u = −Kx) and the Riccati solution P, by iterating
/// P ← Q + AᵀPA − AᵀPB(R + BᵀPB)⁻¹BᵀPA from P = Q until the relative change is ≤ 1e-13.
pub fn lqr(sys: &LqSystem) -> Result<(Mat<f64>, Mat<f64>), SurrogateError> {
    use faer::prelude::*;
    let (a, b) = (sys.a.as_ref(), sys.b.as_ref());
    let mut p = sys.q.clone();
    for _ in 0..200_000 {
        let bt_p = b.transpose() * &p;
        let s = &sys.r + &bt_p * b;
        let k = s
            .llt(faer::Side::Lower)
            .map_err(|e| {
                SurrogateError::Numerical(format!(
                    "Riccati iteration: R + BᵀPB is not positive definite ({e:?})"
                ))
            })?
            .solve(&bt_p * a);
        let at_p = a.transpose() * &p;
        let next = &sys.q + &at_p * a - &at_p * b * &k;
        let change = (&next - &p).norm_max();
        p = next;
        if !change.is_finite() {
            return Err(SurrogateError::Numerical(
                "Riccati iteration diverged (system not stabilisable?)".into(),
            ));
        }
        if change <= 1e-13 * p.norm_max() {
            let bt_p = b.transpose() * &p;
            let s = &sys.r + &bt_p * b;
            let k = s
                .llt(faer::Side::Lower)
                .map_err(|e| SurrogateError::Numerical(format!("{e:?}")))?
                .solve(&bt_p * a);
            return Ok((k, p));
        }
    }
    Err(SurrogateError::Numerical(
        "Riccati iteration did not converge in 200000 steps".into(),
    ))
}

/// Settings of the online imitation run.
#[derive(Clone, Debug)]
pub struct ImitationConfig {
    pub rounds: usize,
    pub samples_per_round: usize,
    /// Episode length (steps) for data collection and evaluation.
    pub horizon: usize,
    /// DAgger mixing β: probability that the executed action is the expert's.
    pub mixing: f64,
    /// Process noise standard deviation σ.
    pub noise: f64,
    /// Standard deviation of each initial state coordinate.
    pub init_std: f64,
    pub eval_episodes: usize,
    pub seed: u64,
}

/// One entry per round, as columns.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct ImitationTrace {
    pub rounds: Vec<f64>,
    pub interactions: Vec<f64>,
    pub grad_calls: Vec<f64>,
    pub loss_evals: Vec<f64>,
    pub inner_grads: Vec<f64>,
    pub inner_values: Vec<f64>,
    pub seconds: Vec<f64>,
    /// Imitation loss on the round's own states, before the update (online loss).
    pub loss: Vec<f64>,
    /// Mean evaluation cost of the learner (clipped, see [`evaluate`]).
    pub cost: Vec<f64>,
    /// ‖θ − θ*‖ for the linear policy (θ* = −Kᵀ); NaN for the MLP.
    pub policy_error: Vec<f64>,
}

/// The outcome of an imitation run.
#[derive(Clone, Debug)]
pub struct ImitationResult {
    pub theta: Vec<f64>,
    pub trace: ImitationTrace,
    pub counters: Counters,
    pub interactions: u64,
    pub expert_cost: f64,
    pub zero_policy_cost: f64,
    pub gain: Mat<f64>,
    pub seconds: f64,
    /// The parameters blew up (step size too large); the run stopped there.
    pub diverged: bool,
}

/// Seed of the fixed evaluation start states (shared by all runs so that costs compare).
pub const EVAL_SEED: u64 = 0x005E_ED0F_E7A1;

/// Per-step cost cap in evaluation: a diverging policy costs `COST_CAP` per remaining step.
pub const COST_CAP: f64 = 100.0;

/// Mean over `starts` of Σ_{t<H} min(stage cost, COST_CAP) under `policy`, no noise; once the
/// state norm exceeds 1e6 the remaining steps cost the cap. Bounded, monotone in quality.
pub fn evaluate(
    sys: &LqSystem,
    starts: &[Vec<f64>],
    horizon: usize,
    mut policy: impl FnMut(&[f64]) -> Vec<f64>,
) -> f64 {
    let mut total = 0.0;
    for x0 in starts {
        let mut x = x0.clone();
        for t in 0..horizon {
            if x.iter().map(|v| v * v).sum::<f64>() > 1e12 || x.iter().any(|v| !v.is_finite()) {
                total += COST_CAP * (horizon - t) as f64;
                break;
            }
            let u = policy(&x);
            total += sys.stage_cost(&x, &u).min(COST_CAP);
            x = sys.step(&x, &u);
        }
    }
    total / starts.len().max(1) as f64
}

/// A standard normal sample.
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    rng.sample(StandardNormal)
}

/// Where an imitation run stands after a round, given to the [`Monitor`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Rounds done so far (0 before the first).
    pub round: usize,
    /// Rounds the run will make at most.
    pub rounds: usize,
}

/// Sees the start and every round; `ControlFlow::Break` (the host's cancellation) stops the
/// run with [`SurrogateError::Stopped`].
pub type Monitor<'a> = dyn FnMut(Progress) -> ControlFlow<()> + 'a;

/// Runs online imitation learning with `optimizer`; `monitor` may stop it.
pub fn run(
    sys: &LqSystem,
    objective: &Objective,
    optimizer: &mut dyn Optimizer,
    mut theta: Vec<f64>,
    cfg: &ImitationConfig,
    monitor: &mut Monitor<'_>,
) -> Result<ImitationResult, SurrogateError> {
    let mut observe = |round: usize| match monitor(Progress {
        round,
        rounds: cfg.rounds,
    }) {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(()) => Err(SurrogateError::Stopped),
    };
    let (k, _) = lqr(sys)?;
    let (n, m) = (sys.n_states(), sys.n_controls());
    let expert = |x: &[f64]| -> Vec<f64> {
        (0..m)
            .map(|i| -(0..n).map(|j| k[(i, j)] * x[j]).sum::<f64>())
            .collect()
    };
    let learner = |theta: &[f64], x: &[f64]| -> Vec<f64> {
        let xm = Mat::from_fn(1, n, |_, j| x[j]);
        let z = objective.model.forward(theta, xm.as_ref()).z;
        (0..m).map(|c| z[(0, c)]).collect()
    };
    // θ* of a linear policy without bias, u = Wᵀx: W = −Kᵀ (column-major n × m)
    let theta_star: Option<Vec<f64>> = match objective.model {
        crate::model::Model::Linear { bias: false, .. } => Some(
            (0..m)
                .flat_map(|c| (0..n).map(move |j| (c, j)))
                .map(|(c, j)| -k[(c, j)])
                .collect(),
        ),
        _ => None,
    };
    // the evaluation episodes are the same for every seed and optimiser
    let mut eval_rng = ChaCha8Rng::seed_from_u64(EVAL_SEED);
    let starts: Vec<Vec<f64>> = (0..cfg.eval_episodes)
        .map(|_| {
            (0..n)
                .map(|_| cfg.init_std * normal(&mut eval_rng))
                .collect()
        })
        .collect();
    let expert_cost = evaluate(sys, &starts, cfg.horizon, expert);
    let zero_policy_cost = evaluate(sys, &starts, cfg.horizon, |_| vec![0.0; m]);

    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let mut counters = Counters::default();
    let mut trace = ImitationTrace::default();
    let mut interactions = 0u64;
    let mut seconds = 0.0;
    let policy_error = |theta: &[f64]| {
        theta_star.as_ref().map_or(f64::NAN, |s| {
            s.iter()
                .zip(theta)
                .map(|(a, b)| (a - b).powi(2))
                .sum::<f64>()
                .sqrt()
        })
    };
    let record = |trace: &mut ImitationTrace,
                  round: usize,
                  inter: u64,
                  c: &Counters,
                  secs: f64,
                  loss: f64,
                  theta: &[f64]| {
        trace.rounds.push(round as f64);
        trace.interactions.push(inter as f64);
        trace.grad_calls.push(c.grad_calls as f64);
        trace.loss_evals.push(c.loss_evals as f64);
        trace.inner_grads.push(c.inner_grads as f64);
        trace.inner_values.push(c.inner_values as f64);
        trace.seconds.push(secs);
        trace.loss.push(loss);
        trace
            .cost
            .push(evaluate(sys, &starts, cfg.horizon, |x| learner(theta, x)));
        trace.policy_error.push(policy_error(theta));
    };
    record(&mut trace, 0, 0, &counters, 0.0, f64::NAN, &theta);
    observe(0)?;

    let mut x: Vec<f64> = (0..n).map(|_| cfg.init_std * normal(&mut rng)).collect();
    let mut t_in_episode = 0;
    let mut diverged = false;
    for round in 0..cfg.rounds {
        // collect states along the (mixed) policy's own trajectories
        let mut states = Mat::<f64>::zeros(cfg.samples_per_round, n);
        let mut labels = Mat::<f64>::zeros(cfg.samples_per_round, m);
        for s in 0..cfg.samples_per_round {
            if t_in_episode >= cfg.horizon || sys.failed(&x) {
                x = (0..n).map(|_| cfg.init_std * normal(&mut rng)).collect();
                t_in_episode = 0;
            }
            let u_star = expert(&x);
            for j in 0..n {
                states[(s, j)] = x[j];
            }
            for c in 0..m {
                labels[(s, c)] = u_star[c];
            }
            let use_expert = cfg.mixing > 0.0 && rng.random::<f64>() < cfg.mixing;
            let u = if use_expert {
                u_star
            } else {
                learner(&theta, &x)
            };
            let mut next = sys.step(&x, &u);
            for v in &mut next {
                *v += cfg.noise * normal(&mut rng);
            }
            x = next;
            t_in_episode += 1;
            interactions += 1;
        }
        let batch = Batch {
            x: states.as_ref(),
            y: labels.as_ref(),
        };
        let online_loss = objective.value(&theta, batch);
        let ctx = StepContext {
            t: round,
            batches_per_epoch: 1,
            full_batch: false,
        };
        let start = std::time::Instant::now();
        optimizer.step(objective, batch, &mut theta, &mut counters, &ctx)?;
        seconds += start.elapsed().as_secs_f64();
        record(
            &mut trace,
            round + 1,
            interactions,
            &counters,
            seconds,
            online_loss,
            &theta,
        );
        observe(round + 1)?;
        if theta.iter().any(|v| !v.is_finite() || v.abs() > 1e100) {
            diverged = true;
            break;
        }
    }
    Ok(ImitationResult {
        theta,
        trace,
        counters,
        interactions,
        expert_cost,
        zero_policy_cost,
        gain: k,
        seconds,
        diverged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// K and P of the discrete LQR for the Euler cart-pole with dt = 0.05, from
    /// scipy.linalg.solve_discrete_are (bench/surrogate/reference_lqr.py), an independent solver.
    #[test]
    fn lqr_matches_scipy_solve_discrete_are() {
        let sys = LqSystem::cart_pole(0.05);
        let (k, p) = lqr(&sys).unwrap();
        let k_ref = [REF_K[0], REF_K[1], REF_K[2], REF_K[3]];
        for j in 0..4 {
            assert!(
                (k[(0, j)] - k_ref[j]).abs() < 1e-8 * k_ref[j].abs().max(1.0),
                "K[{j}] = {} vs {}",
                k[(0, j)],
                k_ref[j]
            );
        }
        assert!(
            (p[(0, 0)] - REF_P00).abs() < 1e-8 * REF_P00,
            "P00 = {}",
            p[(0, 0)]
        );
        // closed loop A − BK is stable (spectral radius < 1) while A is not
        let closed = &sys.a - &sys.b * &k;
        let rho = |m: &Mat<f64>| {
            m.eigenvalues()
                .unwrap()
                .iter()
                .map(|z| z.norm())
                .fold(0.0, f64::max)
        };
        assert!(rho(&closed) < 1.0 && rho(&sys.a) > 1.0);
    }

    // Values printed by bench/surrogate/reference_lqr.py (scipy 1.17.1).
    const REF_K: [f64; 4] = [
        -2.2330116523104477,
        -4.194649690060256,
        -37.45844282493985,
        -8.557433133283697,
    ];
    const REF_P00: f64 = 37.56943843727997;
}
