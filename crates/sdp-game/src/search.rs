//! The search loop: Bayesian optimisation over a formulation's continuous parameters driving
//! Monte Carlo tree search over its blocks, with batches of distinct proposals, a cache of
//! evaluated formulations by canonical key, and a checkpoint after every evaluation.
//!
//! One round: fit the GP ([`super::gp`]) on the evaluated parameters and bounds, pick
//! `q ≤ workers` parameter points by expected improvement with the constant liar
//! ([`super::acquisition`]), and for each run a tree search ([`super::mcts`]) over block sets
//! scored without SDP solves by the learned value model, a second Gaussian process on
//! `(parameters, block indicators)` of the bounds (a failed solve counts as the worst bound
//! plus the spread), and a linear feasibility model ([`super::value_model`]): the first member
//! of a batch exploits (optimistic bound `μ − κσ`), the others explore (expected improvement).
//! The best-scoring set not yet evaluated among the tree's terminal sets, the incumbent's and
//! the default blocks is the proposal; it joins the block GP as a "lie" so that the
//! next member of the batch looks elsewhere. With varying blocks the parameter GP is fitted to
//! the successful bounds moved by the block GP to the best formulation's blocks, so that it
//! sees the parameters' effect alone; for `bo` a failed solve counts at the penalty.
//!
//! Strategies: `mcts` (the above), `bo` (the GP picks the parameters, the blocks are the
//! default formulation's) and `random` (uniform parameters, a uniformly random block set that
//! fills the cost cap) — the ablations of the benchmark. Blocks only enlarge a formulation's
//! function space, so every proposed set fills the cap (the default formulation's cost).
//!
//! Determinism: all randomness comes from one ChaCha8 stream seeded by `seed`; its word
//! position is checkpointed with the proposals in flight, so a resumed search proposes and
//! records exactly what the uninterrupted one would.

use std::collections::HashSet;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::acquisition::{AcquisitionOptions, constant_liar_batch, expected_improvement};
use super::gp::{Gp, HyperBounds};
use super::mcts::{MctsOptions, TreeGame, search};
use super::target::{Job, Outcome, Target, canonical_key, round6};
use super::value_model::ValueModel;
use crate::error::{GameError, GameResult};

/// How proposals are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    Mcts,
    Bo,
    Random,
}

impl Strategy {
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
    /// Random evaluations before the models are used (the first with the default blocks).
    pub initial: usize,
    /// Exploitation of the first proposal of a batch: its blocks maximise `−(μ − κσ)` under
    /// the value model; the other members maximise expected improvement.
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

/// Records a job's outcome (or why the job failed) as an evaluation.
pub fn evaluation_from(
    index: usize,
    key: String,
    proposal: &Proposal,
    result: Result<Outcome, String>,
    wall_seconds: f64,
) -> Evaluation {
    let (bound, status, message, seconds) = match result {
        Ok(o) => {
            let bound = Some(o.bound).filter(|b| b.is_finite() && o.status == "optimal");
            (
                bound,
                o.status,
                o.message,
                o.seconds.unwrap_or(wall_seconds),
            )
        }
        Err(message) => (None, "error".to_string(), message, wall_seconds),
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

/// A job's result: its outcome, or a failure message; a cancelled job stops the search.
pub type JobResult = Result<Outcome, JobFailure>;

/// Why a job gave no outcome.
#[derive(Clone, Debug, PartialEq)]
pub enum JobFailure {
    /// The job was cancelled: the search stops.
    Cancelled,
    /// The job failed; the message is recorded with the evaluation.
    Failed(String),
}

fn recorded(result: JobResult) -> GameResult<Result<Outcome, String>> {
    match result {
        Ok(outcome) => Ok(Ok(outcome)),
        Err(JobFailure::Cancelled) => Err(GameError::Cancelled),
        Err(JobFailure::Failed(message)) => Ok(Err(message)),
    }
}

/// The services the loop needs from its surroundings; `E` is the caller's error type, which
/// the loop passes through unchanged (and builds its own errors into).
pub struct SearchIo<'a, E> {
    /// Solves jobs; results in job order.
    pub evaluate: &'a mut dyn FnMut(Vec<Job>) -> Result<Vec<JobResult>, E>,
    /// Stores the state (after every evaluation).
    pub save: &'a mut dyn FnMut(&GameState) -> Result<(), E>,
    /// `(done, total, best bound)`.
    pub progress: &'a mut dyn FnMut(usize, usize, Option<f64>),
    pub cancelled: &'a dyn Fn() -> bool,
}

/// Runs (or continues) a search until `config.budget` evaluations are recorded.
pub fn run_search<E: From<GameError>>(
    target: &dyn Target,
    config: &SearchConfig,
    state: &mut GameState,
    io: SearchIo<'_, E>,
) -> Result<(), E> {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let pos: u128 = state.rng_word_pos.parse().map_err(|_| {
        GameError::bad_setting(
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
            .ok_or_else(|| GameError::Internal("the batch returned no result".into()))?;
        let result = recorded(result)?;
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
            return Err(GameError::Cancelled.into());
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
        let jobs: Vec<Job> = state
            .pending
            .iter()
            .map(|p| target.job(&p.params, &p.blocks))
            .collect();
        let n = jobs.len();
        let start = std::time::Instant::now();
        let results = (io.evaluate)(jobs)?;
        let wall = start.elapsed().as_secs_f64() / n as f64;
        if results.len() != n {
            return Err(GameError::Internal(format!(
                "the batch returned {} results for {n} jobs",
                results.len()
            ))
            .into());
        }
        for result in results {
            let result = recorded(result)?;
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
/// plus the spread (all zero when nothing succeeded yet).
fn penalised(history: &[Evaluation]) -> Vec<f64> {
    let penalty = failure_penalty(history).unwrap_or(0.0);
    history.iter().map(|e| e.bound.unwrap_or(penalty)).collect()
}

/// The worst bound plus the spread of the bounds plus a thousandth of the worst.
fn failure_penalty(history: &[Evaluation]) -> Option<f64> {
    let ok: Vec<f64> = history.iter().filter_map(|e| e.bound).collect();
    if ok.is_empty() {
        return None;
    }
    let (lo, hi) = ok
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    Some(hi + (hi - lo) + 1e-3 * hi.abs().max(1e-12))
}

/// The models of the block search: a Gaussian process on `(θ, block indicators)` of the
/// bounds, failures at the penalty (the value model), and whether a formulation is solved at all (a linear
/// probability model, [`ValueModel`] on 1 = `optimal`, 0 = not).
struct Models {
    value: Option<Gp>,
    /// The best successful bound (expected improvement is measured from it).
    best: f64,
    feasible: Option<ValueModel>,
    penalty: f64,
}

fn fit_models(target: &dyn Target, history: &[Evaluation]) -> Models {
    let ok: Vec<&Evaluation> = history.iter().filter(|e| e.bound.is_some()).collect();
    let best = ok
        .iter()
        .filter_map(|e| e.bound)
        .fold(f64::INFINITY, f64::min);
    // Failures enter at the penalty (worst bound plus the spread): the GP then expects
    // little of the formulations near them.
    let value = if ok.len() >= 2 {
        let x: Vec<Vec<f64>> = history
            .iter()
            .map(|e| target.gp_features(&to_unit(target, &e.params), &e.blocks))
            .collect();
        Gp::fit(&x, &penalised(history), &HyperBounds::default()).ok()
    } else {
        None
    };
    let failures = history.len() - ok.len();
    let feasible = if failures > 0 && !ok.is_empty() {
        let x: Vec<Vec<f64>> = history
            .iter()
            .map(|e| target.features(&to_unit(target, &e.params), &e.blocks))
            .collect();
        let y: Vec<f64> = history
            .iter()
            .map(|e| if e.bound.is_some() { 1.0 } else { 0.0 })
            .collect();
        ValueModel::fit(&x, &y)
    } else {
        None
    };
    Models {
        value,
        best,
        feasible,
        penalty: failure_penalty(history).unwrap_or(1.0),
    }
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
    let incumbent: Vec<usize> = history
        .iter()
        .filter(|e| e.bound.is_some())
        .min_by(|a, b| a.bound.unwrap_or(0.0).total_cmp(&b.bound.unwrap_or(0.0)))
        .map_or_else(|| target.default_blocks(), |e| e.blocks.clone());
    let mut models = if modelled && config.strategy == Strategy::Mcts {
        Some(fit_models(target, history))
    } else {
        None
    };
    // The GP's data: for `bo` every evaluation (failures at the penalty); for `mcts` the
    // successful ones with the value model's block effect moved to the best formulation's
    // blocks, so that the GP sees the parameters' effect alone (the model's first 2p features
    // are the parameters).
    let gp_data: Option<(Vec<Vec<f64>>, Vec<f64>)> = match (&models, modelled) {
        (_, false) => None,
        (None, true) => Some((
            history.iter().map(|e| to_unit(target, &e.params)).collect(),
            penalised(history),
        )),
        (Some(m), true) => m.value.as_ref().map(|v| {
            let ok: Vec<&Evaluation> = history.iter().filter(|e| e.bound.is_some()).collect();
            let best = ok
                .iter()
                .min_by(|a, b| a.bound.unwrap_or(0.0).total_cmp(&b.bound.unwrap_or(0.0)))
                .expect("the value model has data");
            let x: Vec<Vec<f64>> = ok.iter().map(|e| to_unit(target, &e.params)).collect();
            let y: Vec<f64> = ok
                .iter()
                .zip(&x)
                .map(|(e, u)| {
                    let own = v.predict(&target.gp_features(u, &e.blocks)).0;
                    let reference = v.predict(&target.gp_features(u, &best.blocks)).0;
                    e.bound.unwrap_or(0.0) - own + reference
                })
                .collect();
            (x, y)
        }),
    };
    let thetas: Vec<Vec<f64>> = match gp_data {
        Some((x, y)) => {
            let best = y.iter().cloned().fold(f64::INFINITY, f64::min);
            match Gp::fit(&x, &y, &HyperBounds::default()) {
                Ok(gp) => constant_liar_batch(&gp, best, p, q, &AcquisitionOptions::default(), rng),
                Err(_) => (0..q).map(|_| random_unit(p, rng)).collect(),
            }
        }
        None => (0..q).map(|_| random_unit(p, rng)).collect(),
    };
    for (j, unit) in thetas.into_iter().enumerate() {
        let mut theta = from_unit(target, &unit);
        let mut blocks = match config.strategy {
            Strategy::Bo => target.default_blocks(),
            Strategy::Random => random_blocks(target, rng),
            Strategy::Mcts => match &models {
                Some(m) => {
                    let exploit = j == 0;
                    mcts_blocks(target, config, m, &theta, &incumbent, &taken, exploit, rng)
                }
                .unwrap_or_else(|| random_blocks(target, rng)),
                // The initial design: the default formulation first (known to be solvable),
                // then random sets.
                None if history.is_empty() && j == 0 => target.default_blocks(),
                None => random_blocks(target, rng),
            },
        };
        // Never propose an evaluated (or already proposed) formulation: new parameters first,
        // then (and for `bo` only once its parameters are exhausted, as with an integer
        // parameter) random blocks.
        let mut tries = 0;
        while taken.contains(&canonical_key(target, &theta, &blocks)) && tries < 200 {
            theta = from_unit(target, &random_unit(p, rng));
            if tries > 20 {
                blocks = random_blocks(target, rng);
            }
            tries += 1;
        }
        taken.insert(canonical_key(target, &theta, &blocks));
        // Constant liar for the blocks too: the next member of the batch sees this one as
        // evaluated at the best bound, so its expected improvement moves elsewhere.
        if let Some(m) = &mut models
            && let Some(v) = &m.value
            && let Ok(next) = v.with_observations(
                &[target.gp_features(&to_unit(target, &theta), &blocks)],
                &[m.best],
            )
        {
            m.value = Some(next);
        }
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

/// A random complete block set that fills the cost cap: blocks in random order while they fit.
pub fn random_blocks(target: &dyn Target, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let n = target.blocks().len();
    for _ in 0..100 {
        let goal = target.cost_cap();
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
/// (so each set has one path) until the cost cap is reached. The score of a (partial or
/// complete) set is, for the first proposal of a batch, minus its optimistic expected bound
/// `p (μ − κσ) + (1 − p)·penalty`, and for the others its expected improvement times `p`,
/// with `μ ± σ` from the value model and `p` the feasibility model's probability of a
/// successful solve (without a value model yet, `p` alone).
struct BlockGame<'a> {
    target: &'a dyn Target,
    unit: Vec<f64>,
    models: &'a Models,
    /// `Some(κ)`: score `−(μ − κσ)` (exploit); `None`: expected improvement (explore).
    kappa: Option<f64>,
}

const STOP: usize = usize::MAX;

impl TreeGame for BlockGame<'_> {
    type State = (Vec<usize>, bool);

    fn actions(&self, state: &Self::State) -> Vec<usize> {
        if state.1 {
            return Vec::new();
        }
        let start = state.0.last().map_or(0, |l| l + 1);
        // Blocks come in increasing index order, so a block is a legal action only if the
        // blocks after it can still fill the cost cap.
        let vocab = self.target.blocks();
        let left = self.target.cost_cap() - self.target.cost(&state.0);
        let mut tail = vec![0.0; vocab.len() + 1];
        for b in (0..vocab.len()).rev() {
            tail[b] = tail[b + 1] + vocab[b].cost;
        }
        let a: Vec<usize> = (start..vocab.len())
            .filter(|&b| {
                self.target.admissible(&state.0, b) && tail[b] >= left.min(tail[start]) - 1e-9
            })
            .collect();
        // Blocks only enlarge the function space (the bound can only improve), so the game
        // stops when the cost cap leaves no admissible block.
        if a.is_empty() { vec![STOP] } else { a }
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
            return -1.0;
        }
        self.score(&state.0)
    }

    /// The learned value of the children guides both the tree (PUCT prior) and the rollouts:
    /// a softmax of each child's score (the partial set scored as a formulation).
    fn priors(&self, state: &Self::State, actions: &[usize]) -> Vec<f64> {
        softmax(&self.child_scores(state, actions))
    }

    fn rollout_action(
        &self,
        state: &Self::State,
        actions: &[usize],
        rng: &mut dyn rand::RngCore,
    ) -> usize {
        let p = softmax(&self.child_scores(state, actions));
        let mut u = rng.random::<f64>() * p.iter().sum::<f64>();
        for (a, w) in actions.iter().zip(&p) {
            if u < *w {
                return *a;
            }
            u -= w;
        }
        actions[actions.len() - 1]
    }
}

/// `exp((x − max)/τ)` with `τ` half the spread of the scores (uniform when all are equal).
fn softmax(scores: &[f64]) -> Vec<f64> {
    let hi = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let lo = scores.iter().cloned().fold(f64::INFINITY, f64::min);
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        return vec![1.0; scores.len()];
    }
    let tau = 0.5 * (hi - lo);
    scores.iter().map(|x| ((x - hi) / tau).exp()).collect()
}

impl BlockGame<'_> {
    fn child_scores(&self, state: &(Vec<usize>, bool), actions: &[usize]) -> Vec<f64> {
        actions
            .iter()
            .map(|&a| {
                if a == STOP {
                    self.score(&state.0)
                } else {
                    let mut s = state.0.clone();
                    s.push(a);
                    self.score(&s)
                }
            })
            .collect()
    }

    fn score(&self, blocks: &[usize]) -> f64 {
        let m = self.models;
        let p = m.feasible.as_ref().map_or(1.0, |f| {
            f.predict(&self.target.features(&self.unit, blocks))
                .0
                .clamp(0.02, 1.0)
        });
        match (&m.value, self.kappa) {
            (Some(v), None) => {
                let (mu, var) = v.predict(&self.target.gp_features(&self.unit, blocks));
                p * expected_improvement(mu, var, m.best, 0.0)
            }
            (Some(v), Some(kappa)) => {
                // Minus the optimistic expected bound, failures at the penalty.
                let (mu, var) = v.predict(&self.target.gp_features(&self.unit, blocks));
                -(p * (mu - kappa * var.max(0.0).sqrt()) + (1.0 - p) * m.penalty)
            }
            (None, _) => p,
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn mcts_blocks(
    target: &dyn Target,
    config: &SearchConfig,
    models: &Models,
    theta: &[f64],
    incumbent: &[usize],
    taken: &HashSet<String>,
    exploit: bool,
    rng: &mut ChaCha8Rng,
) -> Option<Vec<usize>> {
    let game = BlockGame {
        target,
        unit: to_unit(target, theta),
        models,
        kappa: exploit.then_some(config.kappa),
    };
    let options = MctsOptions {
        simulations: config.simulations,
        ..MctsOptions::default()
    };
    let result = search(&game, (Vec::new(), false), |s| s.0.clone(), &options, rng);
    // The incumbent's blocks compete with the tree's sets on the same score (the parameter GP
    // proposed θ for them), so a search whose blocks are already right keeps them.
    let mut candidates: Vec<(f64, Vec<usize>)> = result
        .terminals
        .into_iter()
        .map(|(r, s)| (r, s.0))
        .collect();
    for b in [incumbent.to_vec(), target.default_blocks()] {
        if target.complete(&b) {
            candidates.push((game.score(&b), b));
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
    candidates
        .into_iter()
        .map(|(_, b)| b)
        .find(|b| target.complete(b) && !taken.contains(&canonical_key(target, theta, b)))
}
