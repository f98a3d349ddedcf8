//! The Markov coding game with a rate limit (Ebrahimi, Chen, Khisti, NeurIPS 2024, Section 5;
//! Sokota et al., ICML 2022 for the unlimited game).
//!
//! A sender holds a message `M`, uniform over `messages` values, and acts in the grid world
//! ([`crate::gridworld`]); a receiver watches the actions and must decode `M`. Both share the
//! receiver's belief `b` over messages. At every step:
//!
//! 1. the soft policy gives `π(· | s)`;
//! 2. the belief is compressed to `T = g(M)` with `H(T) <= R = rate · H(M)` bits, a budget
//!    fixed by the prior as in the authors' `gridworld.py` (`R = H(prior) · compression_rate`),
//!    by Algorithm 1 of the MEC-B paper or the uniform quantizer baseline; once the belief's
//!    entropy is below R nothing is compressed; `rate = 1` is no bottleneck, and the paper's
//!    "compression rate" `H(M)/R` is `1/rate`;
//! 3. `p_T` is coupled with `π(· | s)` by the greedy minimum-entropy coupling; the sender draws
//!    its action from `p(a | t = g(m))`, so the action's marginal is still exactly `π(· | s)`;
//! 4. the environment moves, and the belief is updated by Bayes' rule,
//!    `b(m) ∝ b(m) p(a | g(m))`.
//!
//! When the episode ends (goal, trap, or `max_steps`) the receiver decodes the most likely
//! message. Reward and decoding accuracy trade off through the temperature β: a colder policy
//! earns more and says less.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::coupling::greedy;
use crate::dist::entropy;
use crate::ebim::{greedy_mapping, uniform_quantizer};
use crate::gridworld::GridWorld;

/// How the belief is compressed each step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BeliefCompressor {
    /// Algorithm 1 of the MEC-B paper (deterministic EBIM).
    Greedy,
    /// The paper's baseline: `floor(2^R)` bins of consecutive messages.
    Uniform,
}

/// The game's settings.
#[derive(Clone, Debug)]
pub struct GameConfig {
    /// The per-step budget as a fraction of the prior's entropy: `H(T) <= rate · log2(messages)`,
    /// in (0, 1].
    pub rate: f64,
    /// Policy temperature β > 0.
    pub beta: f64,
    pub messages: usize,
    pub episodes: usize,
    pub seed: u64,
    pub compressor: BeliefCompressor,
    pub max_steps: usize,
    pub slip: f64,
    pub gamma: f64,
    /// Sweeps of soft Q-iteration.
    pub q_iterations: usize,
}

/// One episode's outcome.
#[derive(Clone, Debug)]
pub struct Episode {
    /// The terminal reward (+1 goal, -1 trap, 0 when `max_steps` ran out).
    pub reward: f64,
    /// `γ^steps · reward`.
    pub discounted_reward: f64,
    pub steps: usize,
    pub decoded: bool,
    /// The receiver's final belief on the true message.
    pub belief_true: f64,
    /// `sum_m b(m)^2` of the final belief (for the calibration check).
    pub belief_sq_sum: f64,
    /// Bits learned: `H(prior) - H(final belief)`.
    pub bits: f64,
    /// The belief on the true message after each step (the first entry is the prior).
    pub trace: Vec<f64>,
}

/// One step's encoder and decoder: `T = g(m)` on the belief's support and `p(a | t)`.
pub struct StepCoupling {
    pub t_of_m: Vec<u32>,
    pub p_t: Vec<f64>,
    pub action_given_t: Vec<[f64; 4]>,
}

/// Compresses `belief` (a distribution over the live messages) to `H(T) <= budget` bits and
/// couples the result with `policy`.
pub fn step_coupling(
    belief: &[f64],
    policy: &[f64; 4],
    budget: f64,
    compressor: BeliefCompressor,
) -> StepCoupling {
    let mapping = match compressor {
        BeliefCompressor::Greedy => greedy_mapping(belief, budget).mapping,
        BeliefCompressor::Uniform => uniform_quantizer(belief, budget),
    };
    let coupling = greedy(&[&mapping.p_t, policy]);
    let mut action_given_t = vec![[0.0f64; 4]; mapping.p_t.len()];
    for c in 0..coupling.len() {
        let cell = coupling.cell(c);
        action_given_t[cell[0] as usize][cell[1] as usize] += coupling.mass[c];
    }
    for (row, &pt) in action_given_t.iter_mut().zip(&mapping.p_t) {
        let total: f64 = row.iter().sum();
        // Normalise by the row's own total: exact conditional even when p_T's sum is 1 - 1e-16.
        for x in row.iter_mut() {
            *x /= if total > 0.0 { total } else { pt };
        }
    }
    StepCoupling {
        t_of_m: mapping.t_of_x,
        p_t: mapping.p_t,
        action_given_t,
    }
}

fn sample(rng: &mut ChaCha8Rng, p: &[f64]) -> usize {
    let u: f64 = rng.random();
    let mut acc = 0.0;
    for (i, &x) in p.iter().enumerate() {
        acc += x;
        if u < acc {
            return i;
        }
    }
    // Round-off: the last entry with positive mass.
    p.iter().rposition(|&x| x > 0.0).unwrap_or(0)
}

/// The game, ready to play: the grid world and its soft policy.
pub struct Game {
    pub config: GameConfig,
    pub world: GridWorld,
    pub policy: Vec<[f64; 4]>,
}

impl Game {
    pub fn new(config: GameConfig) -> Self {
        let world = GridWorld::paper(config.slip, config.gamma);
        let q = world.soft_q(config.beta, config.q_iterations);
        let policy = world.soft_policy(&q, config.beta);
        Self {
            config,
            world,
            policy,
        }
    }

    /// Plays one episode with its own random stream.
    pub fn episode(&self, rng: &mut ChaCha8Rng) -> Episode {
        let c = &self.config;
        let truth = rng.random_range(0..c.messages);
        // The belief over the live messages (those with positive probability).
        let mut live: Vec<usize> = (0..c.messages).collect();
        let mut belief = vec![1.0 / c.messages as f64; c.messages];
        let prior_entropy = (c.messages as f64).log2();
        let budget = c.rate * prior_entropy;
        let mut trace = vec![1.0 / c.messages as f64];
        let mut s = self.world.state(self.world.start);
        let mut steps = 0;
        while !self.world.is_terminal(s) && steps < c.max_steps {
            let pi = &self.policy[s];
            let a = if live.len() > 1 {
                let step = step_coupling(&belief, pi, budget, c.compressor);
                let k = live
                    .iter()
                    .position(|&m| m == truth)
                    .expect("the truth stays live");
                let a = sample(rng, &step.action_given_t[step.t_of_m[k] as usize]);
                // Bayes: b(m) ∝ b(m) p(a | g(m)); drop messages that cannot have sent `a`.
                let mut next_live = Vec::with_capacity(live.len());
                let mut next_belief = Vec::with_capacity(live.len());
                for (i, &m) in live.iter().enumerate() {
                    let w = belief[i] * step.action_given_t[step.t_of_m[i] as usize][a];
                    if w > 0.0 {
                        next_live.push(m);
                        next_belief.push(w);
                    }
                }
                let z: f64 = next_belief.iter().sum();
                next_belief.iter_mut().for_each(|x| *x /= z);
                live = next_live;
                belief = next_belief;
                a
            } else {
                sample(rng, pi)
            };
            let next = self.world.transitions(s, a);
            let probs: Vec<f64> = next.iter().map(|x| x.1).collect();
            s = next[sample(rng, &probs)].0;
            steps += 1;
            trace.push(
                live.iter()
                    .position(|&m| m == truth)
                    .map_or(0.0, |k| belief[k]),
            );
        }
        let reward = if self.world.is_terminal(s) {
            self.world.reward(s)
        } else {
            0.0
        };
        // Most likely message; ties go to the lowest index.
        let mut best = 0usize;
        for i in 1..live.len() {
            if belief[i] > belief[best] {
                best = i;
            }
        }
        let k = live
            .iter()
            .position(|&m| m == truth)
            .expect("the truth stays live");
        Episode {
            reward,
            discounted_reward: c.gamma.powi(steps as i32) * reward,
            steps,
            decoded: live[best] == truth,
            belief_true: belief[k],
            belief_sq_sum: belief.iter().map(|x| x * x).sum(),
            bits: prior_entropy - entropy(&belief),
            trace,
        }
    }

    /// The random stream of episode `e`: the seed and the episode number, so any episode can be
    /// replayed alone.
    pub fn rng(&self, e: usize) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::seed_from_u64(self.config.seed);
        rng.set_stream(e as u64);
        rng
    }
}

/// Averages over the episodes (with standard errors) and the mean belief on the true message
/// after each step (an ended episode keeps its final value), up to 200 steps.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub reward: f64,
    pub reward_stderr: f64,
    pub discounted_reward: f64,
    pub discounted_reward_stderr: f64,
    pub accuracy: f64,
    pub accuracy_stderr: f64,
    pub steps: f64,
    pub bits: f64,
    pub belief_true: f64,
    pub belief_curve: Vec<f64>,
}

fn mean_stderr(x: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let n = x.clone().count() as f64;
    let mean = x.clone().sum::<f64>() / n;
    let var = if n > 1.0 {
        x.map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (mean, (var / n).sqrt())
}

/// Summarises played episodes.
pub fn summarise(episodes: &[Episode]) -> Summary {
    let (reward, reward_stderr) = mean_stderr(episodes.iter().map(|e| e.reward));
    let (discounted_reward, discounted_reward_stderr) =
        mean_stderr(episodes.iter().map(|e| e.discounted_reward));
    let (accuracy, accuracy_stderr) =
        mean_stderr(episodes.iter().map(|e| f64::from(u8::from(e.decoded))));
    let len = episodes
        .iter()
        .map(|e| e.trace.len())
        .max()
        .unwrap_or(0)
        .min(201);
    let belief_curve = (0..len)
        .map(|t| {
            episodes
                .iter()
                .map(|e| e.trace.get(t).or(e.trace.last()).copied().unwrap_or(0.0))
                .sum::<f64>()
                / episodes.len() as f64
        })
        .collect();
    Summary {
        reward,
        reward_stderr,
        discounted_reward,
        discounted_reward_stderr,
        accuracy,
        accuracy_stderr,
        steps: mean_stderr(episodes.iter().map(|e| e.steps as f64)).0,
        bits: mean_stderr(episodes.iter().map(|e| e.bits)).0,
        belief_true: mean_stderr(episodes.iter().map(|e| e.belief_true)).0,
        belief_curve,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(rate: f64, log_beta: f64, episodes: usize) -> GameConfig {
        GameConfig {
            rate,
            beta: log_beta.exp(),
            messages: 64,
            episodes,
            seed: 1,
            compressor: BeliefCompressor::Greedy,
            max_steps: 1000,
            slip: 0.1,
            gamma: 0.95,
            q_iterations: 100,
        }
    }

    #[test]
    fn the_coupling_keeps_the_policy_and_the_budget() {
        let belief: Vec<f64> = (1..=40).map(|i| i as f64 / 820.0).collect();
        let pi = [0.55, 0.25, 0.15, 0.05];
        for comp in [BeliefCompressor::Greedy, BeliefCompressor::Uniform] {
            for rate in [0.2, 0.5, 1.0] {
                let budget = rate * entropy(&belief);
                let c = step_coupling(&belief, &pi, budget, comp);
                assert!(
                    entropy(&c.p_t) <= budget + 1e-9,
                    "{comp:?} {rate}: {} > {budget}",
                    entropy(&c.p_t)
                );
                for a in 0..4 {
                    let marginal: f64 = c
                        .p_t
                        .iter()
                        .zip(&c.action_given_t)
                        .map(|(pt, row)| pt * row[a])
                        .sum();
                    assert!(
                        (marginal - pi[a]).abs() < 1e-12,
                        "{comp:?} rate {rate}: action {a}"
                    );
                }
            }
        }
    }

    #[test]
    fn bayesian_decoding_is_calibrated() {
        // If the receiver's posterior is right, E[b(M)] = E[sum_m b(m)^2] over episodes (both
        // are the expected posterior mass of the message drawn from it). A wrong update (or an
        // agent that does not follow the coupling) breaks the identity.
        let game = Game::new(config(0.5, -3.0, 0));
        let episodes: Vec<Episode> = (0..600).map(|e| game.episode(&mut game.rng(e))).collect();
        let n = episodes.len() as f64;
        let truth: f64 = episodes.iter().map(|e| e.belief_true).sum::<f64>() / n;
        let sq: f64 = episodes.iter().map(|e| e.belief_sq_sum).sum::<f64>() / n;
        let sd = (episodes
            .iter()
            .map(|e| (e.belief_true - e.belief_sq_sum).powi(2))
            .sum::<f64>()
            / n)
            .sqrt();
        assert!(
            (truth - sq).abs() < 4.0 * sd / n.sqrt() + 1e-3,
            "E b(M) = {truth}, E sum b^2 = {sq}"
        );
        assert!(episodes.iter().all(|e| e.belief_true > 0.0));
    }

    #[test]
    fn colder_policies_earn_more_and_say_less() {
        let mut results = Vec::new();
        for log_beta in [-6.0, -2.0] {
            let game = Game::new(config(1.0, log_beta, 0));
            let eps: Vec<Episode> = (0..150).map(|e| game.episode(&mut game.rng(e))).collect();
            results.push(summarise(&eps));
        }
        let (cold, warm) = (&results[0], &results[1]);
        assert!(
            cold.discounted_reward > warm.discounted_reward,
            "{cold:?} vs {warm:?}"
        );
        assert!(cold.bits < warm.bits, "{cold:?} vs {warm:?}");
    }

    #[test]
    fn tighter_rates_transmit_less() {
        // In short (cold) episodes the budget binds: fewer bits reach the receiver.
        let mut bits = Vec::new();
        for rate in [1.0, 0.3] {
            let game = Game::new(config(rate, -5.0, 0));
            let eps: Vec<Episode> = (0..150).map(|e| game.episode(&mut game.rng(e))).collect();
            bits.push(summarise(&eps).bits);
        }
        assert!(bits[0] > bits[1], "{bits:?}");
    }

    #[test]
    fn episodes_replay_from_their_seed() {
        let game = Game::new(config(0.5, -3.0, 0));
        let a = game.episode(&mut game.rng(7));
        let b = game.episode(&mut game.rng(7));
        assert_eq!(a.trace, b.trace);
        assert_eq!(a.steps, b.steps);
    }
}
