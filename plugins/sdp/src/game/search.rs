//! The search loop: Bayesian optimisation over a formulation's continuous parameters driving
//! Monte Carlo tree search over its blocks, with batches of distinct proposals, a cache of
//! evaluated formulations by canonical key, and a checkpoint after every evaluation.
//!
//! One round: fit the GP ([`super::gp`]) on the evaluated parameters and bounds (a failed
//! solve counts as the worst bound plus a margin), pick `q ≤ workers` parameter points by
//! expected improvement with the constant liar ([`super::acquisition`]), and for each run a
//! tree search ([`super::mcts`]) over block sets whose terminal reward is minus the value
//! model's optimistic bound `μ − κσ` (σ: the uncertainty of the model's weights;
//! [`super::value_model`]) — for the first member of a batch with the posterior mean of the
//! weights, for the others with a posterior draw (Thompson sampling), so that they explore
//! different block sets; the best set not yet evaluated is the proposal. With
//! varying blocks the GP is fitted to the bounds with the value model's block effect moved to
//! the best formulation's blocks, so that it sees the parameters' effect alone. The `q` jobs go to the evaluator in one batch (the engine's workers); each result
//! is recorded and checkpointed in job order.
//!
//! Strategies: `mcts` (the above), `bo` (the GP picks the parameters, the blocks are the
//! default formulation's) and `random` (uniform parameters, a random block set whose size is
//! uniform between half the cost cap and the cap) — the ablations of the benchmark.
//!
//! Determinism: all randomness comes from one ChaCha8 stream seeded by `seed`; its word
//! position is checkpointed with the proposals in flight, so a resumed search proposes and
//! records exactly what the uninterrupted one would.

use std::collections::HashSet;

use boundlab_sdk::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::acquisition::{AcquisitionOptions, constant_liar_batch};
use super::gp::{Gp, HyperBounds};
use super::mcts::{MctsOptions, TreeGame, search};
use super::target::{Target, canonical_key, round6};
use super::value_model::ValueModel;

/// How proposals are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    Mcts,
    Bo,
    Random,
}

impl Strategy {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "mcts" => Some(Strategy::Mcts),
            "bo" => Some(Strategy::Bo),
            "random" => Some(Strategy::Random),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Strategy::Mcts => "mcts",
            Strategy::Bo => "bo",
            Strategy::Random => "random",
        }
    }
}

/// Search settings.
#[derive(Clone, Debug)]
pub struct SearchConfig {
    /// Evaluations (SDP solves) in all, the baseline not counted.
    pub budget: usize,
    /// Formulations evaluated at once.
    pub workers: usize,
    pub seed: u64,
    pub strategy: Strategy,
    /// Tree-search simulations per proposal.
    pub simulations: usize,
    /// Random evaluations before the models are used.
    pub initial: usize,
    /// Optimism of the value model's reward, `−(μ − κσ)`.
    pub kappa: f64,
}

/// One evaluated formulation.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Evaluation {
    pub index: usize,
    pub key: String,
    pub params: Vec<f64>,
    pub blocks: Vec<usize>,
    /// The bound when the solve ended `optimal`.
    pub bound: Option<f64>,
    /// The solver status (`optimal`, `numerical_error`, ...) or `error` when the job failed.
    pub status: String,
    pub message: String,
    pub seconds: f64,
}

/// A formulation waiting for its solve.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Proposal {
    pub params: Vec<f64>,
    pub blocks: Vec<usize>,
}

/// Everything a resumed search needs (written after every evaluation).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GameState {
    pub format: String,
    /// Target, dimension, vocabulary options, strategy, seed and workers in words: a resume
    /// must match it.
    pub signature: String,
    /// The ChaCha8 stream position after the last proposals (decimal).
    pub rng_word_pos: String,
    pub history: Vec<Evaluation>,
    /// Proposed and not yet recorded, in job order.
    pub pending: Vec<Proposal>,
    /// The default formulation's evaluation (not part of the budget).
    pub baseline: Option<Evaluation>,
}

pub const STATE_FORMAT: &str = "boundlab-sdp-game-1";

impl GameState {
    pub fn new(signature: String) -> Self {
        Self {
            format: STATE_FORMAT.into(),
            signature,
            rng_word_pos: "0".into(),
            history: Vec::new(),
            pending: Vec::new(),
            baseline: None,
        }
    }

    /// The best bound so far and its index.
    pub fn best(&self) -> Option<(usize, f64)> {
        self.history
            .iter()
            .filter_map(|e| e.bound.map(|b| (e.index, b)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// The best bound after each evaluation (`NaN` before the first success).
    pub fn best_so_far(&self) -> Vec<f64> {
        let mut best = f64::NAN;
        self.history
            .iter()
            .map(|e| {
                if let Some(b) = e.bound
                    && (best.is_nan() || b < best)
                {
                    best = b;
                }
                best
            })
            .collect()
    }
}

/// The signature a state must carry to be resumed with these settings.
pub fn signature(target: &dyn Target, config: &SearchConfig) -> String {
    format!(
        "{}; strategy={} seed={} workers={} initial={} simulations={} kappa={}",
        target.signature(),
        config.strategy.name(),
        config.seed,
        config.workers,
        config.initial,
        config.simulations,
        config.kappa
    )
}

/// The parameters in their units from a point of the unit cube (rounded: integers for integer
/// parameters, 6 significant digits otherwise).
pub fn from_unit(target: &dyn Target, unit: &[f64]) -> Vec<f64> {
    target
        .params()
        .iter()
        .zip(unit)
        .map(|(p, u)| {
            let x = p.lo + u.clamp(0.0, 1.0) * (p.hi - p.lo);
            if p.integer { x.round() } else { round6(x) }
        })
        .collect()
}

pub fn to_unit(target: &dyn Target, theta: &[f64]) -> Vec<f64> {
    target
        .params()
        .iter()
        .zip(theta)
        .map(|(p, x)| ((x - p.lo) / (p.hi - p.lo)).clamp(0.0, 1.0))
        .collect()
}

/// Reads an evaluation from a job's result.
pub fn evaluation_from(
    index: usize,
    key: String,
    proposal: &Proposal,
    result: Result<Value, PluginError>,
    wall_seconds: f64,
) -> Evaluation {
    let (bound, status, message, seconds) = match result {
        Ok(v) => {
            let status = v
                .get("status")
                .and_then(Value::as_str)
                .unwrap_or("unknown")
                .to_string();
            let message = v
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let seconds = v
                .get("seconds")
                .and_then(Value::as_f64)
                .unwrap_or(wall_seconds);
            let bound = v
                .get("bound")
                .and_then(Value::as_f64)
                .filter(|b| b.is_finite() && status == "optimal");
            (bound, status, message, seconds)
        }
        Err(e) => (
            None,
            "error".to_string(),
            format!("{}: {}", e.kind.name(), e.message),
            wall_seconds,
        ),
    };
    Evaluation {
        index,
        key,
        params: proposal.params.clone(),
        blocks: proposal.blocks.clone(),
        bound,
        status,
        message,
        seconds,
    }
}

/// The services the loop needs from its surroundings.
pub struct SearchIo<'a> {
    /// Solves jobs of the target's algorithm id; results in job order.
    pub evaluate: &'a mut dyn FnMut(Vec<Value>) -> PluginResult<Vec<PluginResult<Value>>>,
    /// Stores the state (after every evaluation).
    pub save: &'a mut dyn FnMut(&GameState) -> PluginResult<()>,
    /// `(done, total, best bound)`.
    pub progress: &'a mut dyn FnMut(usize, usize, Option<f64>),
    pub cancelled: &'a dyn Fn() -> bool,
}

/// Runs (or continues) a search until `config.budget` evaluations are recorded.
pub fn run_search(
    target: &dyn Target,
    config: &SearchConfig,
    state: &mut GameState,
    io: SearchIo<'_>,
) -> PluginResult<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let pos: u128 = state.rng_word_pos.parse().map_err(|_| {
        PluginError::bad_parameter(
            "resume",
            format!("rng_word_pos `{}` is not a number", state.rng_word_pos),
        )
    })?;
    rng.set_word_pos(pos);

    if state.baseline.is_none() {
        let proposal = Proposal {
            params: target.default_params(),
            blocks: target.default_blocks(),
        };
        let key = canonical_key(target, &proposal.params, &proposal.blocks);
        let job = target.job(&proposal.params, &proposal.blocks);
        let start = std::time::Instant::now();
        let mut results = (io.evaluate)(vec![job])?;
        let result = results
            .pop()
            .unwrap_or_else(|| Err(PluginError::internal("the batch returned no result")));
        if matches!(&result, Err(e) if e.kind == ErrorKind::Cancelled) {
            return Err(PluginError::cancelled());
        }
        state.baseline = Some(evaluation_from(
            0,
            key,
            &proposal,
            result,
            start.elapsed().as_secs_f64(),
        ));
        (io.save)(state)?;
    }

    while state.history.len() < config.budget {
        if (io.cancelled)() {
            return Err(PluginError::cancelled());
        }
        if state.pending.is_empty() {
            let q = config
                .workers
                .min(config.budget - state.history.len())
                .max(1);
            state.pending = propose(target, config, &state.history, q, &mut rng);
            state.rng_word_pos = rng.get_word_pos().to_string();
            (io.save)(state)?;
        }
        let jobs: Vec<Value> = state
            .pending
            .iter()
            .map(|p| target.job(&p.params, &p.blocks))
            .collect();
        let n = jobs.len();
        let start = std::time::Instant::now();
        let results = (io.evaluate)(jobs)?;
        let wall = start.elapsed().as_secs_f64() / n as f64;
        if results.len() != n {
            return Err(PluginError::internal(format!(
                "the batch returned {} results for {n} jobs",
                results.len()
            )));
        }
        for result in results {
            if matches!(&result, Err(e) if e.kind == ErrorKind::Cancelled) {
                return Err(PluginError::cancelled());
            }
            let proposal = state.pending.remove(0);
            let key = canonical_key(target, &proposal.params, &proposal.blocks);
            let e = evaluation_from(state.history.len(), key, &proposal, result, wall);
            state.history.push(e);
            (io.save)(state)?;
            (io.progress)(
                state.history.len(),
                config.budget,
                state.best().map(|(_, b)| b),
            );
        }
    }
    Ok(())
}

/// The surrogate's output for each evaluation: the bound, or for a failure the worst bound
/// plus a tenth of the spread (all zero when nothing succeeded yet).
fn penalised(history: &[Evaluation]) -> Vec<f64> {
    let ok: Vec<f64> = history.iter().filter_map(|e| e.bound).collect();
    let (lo, hi) = ok
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let penalty = if ok.is_empty() {
        0.0
    } else {
        hi + 0.1 * (hi - lo).max(1e-9 * hi.abs().max(1.0))
    };
    history.iter().map(|e| e.bound.unwrap_or(penalty)).collect()
}

/// `q` proposals with distinct keys not yet evaluated.
pub fn propose(
    target: &dyn Target,
    config: &SearchConfig,
    history: &[Evaluation],
    q: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<Proposal> {
    let mut taken: HashSet<String> = history.iter().map(|e| e.key.clone()).collect();
    let p = target.params().len();
    let mut out = Vec::with_capacity(q);
    let modelled = config.strategy != Strategy::Random && history.len() >= config.initial.max(2);
    let y = penalised(history);
    let model = if modelled && config.strategy == Strategy::Mcts {
        let phi: Vec<Vec<f64>> = history
            .iter()
            .map(|e| target.features(&to_unit(target, &e.params), &e.blocks))
            .collect();
        ValueModel::fit(&phi, &y)
    } else {
        None
    };
    let thetas: Vec<Vec<f64>> = if modelled {
        let x: Vec<Vec<f64>> = history.iter().map(|e| to_unit(target, &e.params)).collect();
        // With varying blocks, the GP sees the bound each evaluation would have had with the
        // blocks of the best one: the value model's block effect is moved out (its first 2p
        // features are the parameters).
        let y_gp: Vec<f64> = match &model {
            Some(m) => {
                let (best_i, _) = y
                    .iter()
                    .enumerate()
                    .min_by(|a, b| a.1.total_cmp(b.1))
                    .expect("history is not empty");
                let block_part = |blocks: &[usize]| -> f64 {
                    let phi = target.features(&vec![0.0; p], blocks);
                    phi.iter()
                        .zip(m.weights())
                        .skip(2 * p)
                        .map(|(a, b)| a * b)
                        .sum()
                };
                let reference = block_part(&history[best_i].blocks);
                history
                    .iter()
                    .zip(&y)
                    .map(|(e, v)| v - block_part(&e.blocks) + reference)
                    .collect()
            }
            None => y.clone(),
        };
        let best = y_gp.iter().cloned().fold(f64::INFINITY, f64::min);
        match Gp::fit(&x, &y_gp, &HyperBounds::default()) {
            Ok(gp) => constant_liar_batch(&gp, best, p, q, &AcquisitionOptions::default(), rng),
            Err(_) => (0..q).map(|_| random_unit(p, rng)).collect(),
        }
    } else {
        (0..q).map(|_| random_unit(p, rng)).collect()
    };
    for (j, unit) in thetas.into_iter().enumerate() {
        let mut theta = from_unit(target, &unit);
        let thompson = j > 0;
        let mut blocks = match config.strategy {
            Strategy::Bo => target.default_blocks(),
            Strategy::Random => random_blocks(target, rng),
            Strategy::Mcts => match &model {
                Some(m) => mcts_blocks(target, config, m, &theta, &taken, thompson, rng)
                    .unwrap_or_else(|| random_blocks(target, rng)),
                None if history.is_empty() && j == 0 => target.default_blocks(),
                None => random_blocks(target, rng),
            },
        };
        // Never propose an evaluated (or already proposed) formulation.
        let mut tries = 0;
        while taken.contains(&canonical_key(target, &theta, &blocks)) && tries < 200 {
            theta = from_unit(target, &random_unit(p, rng));
            if config.strategy != Strategy::Bo || tries > 20 {
                blocks = random_blocks(target, rng);
            }
            tries += 1;
        }
        taken.insert(canonical_key(target, &theta, &blocks));
        out.push(Proposal {
            params: theta,
            blocks,
        });
    }
    out
}

fn random_unit(p: usize, rng: &mut ChaCha8Rng) -> Vec<f64> {
    (0..p).map(|_| rng.random::<f64>()).collect()
}

/// A random complete block set: blocks in random order until a random cost between half the
/// cap and the cap is reached.
pub fn random_blocks(target: &dyn Target, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let n = target.blocks().len();
    for _ in 0..100 {
        let cap = target.cost_cap();
        let goal = cap * (0.5 + 0.5 * rng.random::<f64>());
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = rng.random_range(0..=i);
            order.swap(i, j);
        }
        let mut chosen: Vec<usize> = Vec::new();
        for b in order {
            if target.cost(&chosen) >= goal - 1e-9 {
                break;
            }
            if target.admissible(&chosen, b) {
                chosen.push(b);
            }
        }
        chosen.sort_unstable();
        if target.complete(&chosen) {
            return chosen;
        }
    }
    target.default_blocks()
}

/// The tree game over block sets at fixed parameters: add blocks in increasing index order
/// (so each set has one path) or stop; the reward is the value model's optimistic bound.
struct BlockGame<'a> {
    target: &'a dyn Target,
    unit: Vec<f64>,
    model: &'a ValueModel,
    /// A posterior draw of the value model's weights (Thompson sampling).
    weights: Vec<f64>,
    kappa: f64,
    penalty: f64,
}

const STOP: usize = usize::MAX;

impl TreeGame for BlockGame<'_> {
    type State = (Vec<usize>, bool);

    fn actions(&self, state: &Self::State) -> Vec<usize> {
        if state.1 {
            return Vec::new();
        }
        let start = state.0.last().map_or(0, |l| l + 1);
        let mut a: Vec<usize> = (start..self.target.blocks().len())
            .filter(|&b| self.target.admissible(&state.0, b))
            .collect();
        if self.target.complete(&state.0) || a.is_empty() {
            a.push(STOP);
        }
        a
    }

    fn step(&self, state: &Self::State, action: usize) -> Self::State {
        let mut s = state.clone();
        if action == STOP {
            s.1 = true;
        } else {
            s.0.push(action);
        }
        s
    }

    fn reward(&self, state: &Self::State) -> f64 {
        if !self.target.complete(&state.0) {
            return -self.penalty;
        }
        let phi = self.target.features(&self.unit, &state.0);
        let (_, var) = self.model.predict(&phi);
        let (_, noise) = self.model.precisions();
        // Optimism for the weights' uncertainty (the posterior draw of the other batch members
        // explores by itself).
        let param_sd = (var - 1.0 / noise).max(0.0).sqrt();
        -(self.model.predict_with(&phi, &self.weights) - self.kappa * param_sd)
    }
}

fn mcts_blocks(
    target: &dyn Target,
    config: &SearchConfig,
    model: &ValueModel,
    theta: &[f64],
    taken: &HashSet<String>,
    thompson: bool,
    rng: &mut ChaCha8Rng,
) -> Option<Vec<usize>> {
    let unit = to_unit(target, theta);
    let (mu, var) = model.predict(&target.features(&unit, &target.default_blocks()));
    let weights = if thompson {
        model.sample_weights(rng)
    } else {
        model.weights().to_vec()
    };
    let game = BlockGame {
        target,
        unit,
        model,
        weights,
        kappa: config.kappa,
        penalty: mu.abs() + 10.0 * var.sqrt() + 1.0,
    };
    let options = MctsOptions {
        simulations: config.simulations,
        ..MctsOptions::default()
    };
    let result = search(&game, (Vec::new(), false), |s| s.0.clone(), &options, rng);
    result
        .terminals
        .into_iter()
        .map(|(_, s)| s.0)
        .find(|b| target.complete(b) && !taken.contains(&canonical_key(target, theta, b)))
}
