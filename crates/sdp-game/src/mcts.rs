//! Monte Carlo tree search with the PUCT selection rule, generic over a [`TreeGame`].
//!
//! Each simulation descends from the root choosing the child that maximises
//! `Q̄(s,a) + c · P(s,a) · √N(s) / (1 + N(s,a))` (Rosin 2011; Silver et al. 2017), where `Q̄`
//! is the mean reward of the child rescaled to `[0, 1]` by the smallest and largest rewards
//! seen so far and `P` the game's prior over actions; expands the first unexpanded node
//! (all its children at once, with their priors), finishes the game with the rollout policy,
//! and backs the terminal reward up the path. With `c_puct = √2` and a uniform prior this is
//! UCT up to the prior factor.
//!
//! The search remembers every terminal state it reached and its reward, so the caller can
//! take the best one (the rewards of this crate's games come from a learned model, not from
//! SDP solves, so they are cheap).

use rand::Rng;

/// A deterministic single-player game with a reward at the end.
pub trait TreeGame {
    type State: Clone;
    /// The legal actions in `state`; empty exactly when `state` is terminal.
    fn actions(&self, state: &Self::State) -> Vec<usize>;
    /// The state after `action`.
    fn step(&self, state: &Self::State, action: usize) -> Self::State;
    /// The reward of a terminal state (higher is better).
    fn reward(&self, state: &Self::State) -> f64;
    /// Prior probabilities of `actions` in `state` (they need not be normalised); uniform by
    /// default.
    fn priors(&self, _state: &Self::State, actions: &[usize]) -> Vec<f64> {
        vec![1.0; actions.len()]
    }
    /// The rollout policy's choice among `actions` (uniform by default).
    fn rollout_action(
        &self,
        _state: &Self::State,
        actions: &[usize],
        rng: &mut dyn rand::RngCore,
    ) -> usize {
        actions[rng.random_range(0..actions.len())]
    }
}

/// Search settings. The default `c_puct = 3` explores more than UCT's `√2`: the rewards come
/// from a model, and the caller wants many good distinct terminals, not one line of play.
#[derive(Clone, Debug)]
pub struct MctsOptions {
    pub simulations: usize,
    pub c_puct: f64,
    /// Rollouts longer than this stop where they are (a safety net for games that may not end).
    pub max_depth: usize,
}

impl Default for MctsOptions {
    fn default() -> Self {
        Self {
            simulations: 400,
            c_puct: 3.0,
            max_depth: 10_000,
        }
    }
}

struct Node<S> {
    state: S,
    children: Vec<usize>,
    actions: Vec<usize>,
    priors: Vec<f64>,
    expanded: bool,
    terminal: bool,
    visits: f64,
    total: f64,
}

/// What the search found.
#[derive(Clone, Debug)]
pub struct MctsResult<S> {
    /// Terminal states reached, with their rewards, best first.
    pub terminals: Vec<(f64, S)>,
    /// The terminal state reached by following the most visited child from the root (the
    /// search's recommendation), if that path was expanded down to a terminal state.
    pub principal: Option<S>,
    /// Visits of the root's children, in the order of the root's actions.
    pub root_visits: Vec<(usize, f64)>,
}

/// Runs `options.simulations` simulations from `root`. `key` identifies states so that the
/// list of terminals holds each terminal once.
pub fn search<G: TreeGame, K: Eq + std::hash::Hash>(
    game: &G,
    root: G::State,
    key: impl Fn(&G::State) -> K,
    options: &MctsOptions,
    rng: &mut dyn rand::RngCore,
) -> MctsResult<G::State> {
    let mut nodes: Vec<Node<G::State>> = vec![make_node(game, root)];
    let mut seen: std::collections::HashMap<K, usize> = std::collections::HashMap::new();
    let mut terminals: Vec<(f64, G::State)> = Vec::new();
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);

    for _ in 0..options.simulations {
        // Selection.
        let mut path = vec![0usize];
        let mut cur = 0usize;
        while nodes[cur].expanded && !nodes[cur].terminal {
            let parent_visits = nodes[cur].visits.max(1.0);
            let psum: f64 = nodes[cur].priors.iter().sum::<f64>().max(1e-300);
            let mut best = (f64::NEG_INFINITY, nodes[cur].children[0]);
            for (k, &child) in nodes[cur].children.iter().enumerate() {
                let c = &nodes[child];
                let q = if c.visits > 0.0 {
                    let mean = c.total / c.visits;
                    if hi > lo {
                        (mean - lo) / (hi - lo)
                    } else {
                        0.5
                    }
                } else {
                    0.5
                };
                let u = options.c_puct * nodes[cur].priors[k] / psum * parent_visits.sqrt()
                    / (1.0 + c.visits);
                // A tiny random tie-break keeps equal scores from always picking the first.
                let score = q + u + 1e-12 * rng.random::<f64>();
                if score > best.0 {
                    best = (score, child);
                }
            }
            cur = best.1;
            path.push(cur);
        }
        // Expansion.
        if !nodes[cur].terminal && !nodes[cur].expanded {
            let actions = nodes[cur].actions.clone();
            let mut children = Vec::with_capacity(actions.len());
            for &a in &actions {
                let s = game.step(&nodes[cur].state, a);
                nodes.push(make_node(game, s));
                children.push(nodes.len() - 1);
            }
            nodes[cur].children = children;
            nodes[cur].expanded = true;
            // Continue into the child with the largest prior (random among ties).
            let priors = &nodes[cur].priors;
            let top = priors.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let ties: Vec<usize> = (0..priors.len()).filter(|&k| priors[k] >= top).collect();
            let k = ties[rng.random_range(0..ties.len())];
            cur = nodes[cur].children[k];
            path.push(cur);
        }
        // Rollout.
        let mut state = nodes[cur].state.clone();
        let mut depth = 0;
        loop {
            let actions = game.actions(&state);
            if actions.is_empty() || depth >= options.max_depth {
                break;
            }
            let a = game.rollout_action(&state, &actions, rng);
            state = game.step(&state, a);
            depth += 1;
        }
        let reward = game.reward(&state);
        lo = lo.min(reward);
        hi = hi.max(reward);
        let k = key(&state);
        match seen.get(&k) {
            Some(_) => {}
            None => {
                seen.insert(k, terminals.len());
                terminals.push((reward, state));
            }
        }
        // Backpropagation.
        for &n in &path {
            nodes[n].visits += 1.0;
            nodes[n].total += reward;
        }
    }

    terminals.sort_by(|a, b| b.0.total_cmp(&a.0));
    let root_visits = nodes[0]
        .actions
        .iter()
        .zip(&nodes[0].children)
        .map(|(&a, &c)| (a, nodes[c].visits))
        .collect();
    // Principal variation: most visited child down to a terminal state.
    let mut cur = 0usize;
    let principal = loop {
        if nodes[cur].terminal {
            break Some(nodes[cur].state.clone());
        }
        if !nodes[cur].expanded {
            break None;
        }
        let next = nodes[cur]
            .children
            .iter()
            .copied()
            .max_by(|&a, &b| nodes[a].visits.total_cmp(&nodes[b].visits));
        match next {
            Some(n) if nodes[n].visits > 0.0 => cur = n,
            _ => break None,
        }
    };
    MctsResult {
        terminals,
        principal,
        root_visits,
    }
}

fn make_node<G: TreeGame>(game: &G, state: G::State) -> Node<G::State> {
    let actions = game.actions(&state);
    let terminal = actions.is_empty();
    let priors = if terminal {
        Vec::new()
    } else {
        game.priors(&state, &actions)
            .into_iter()
            .map(|p| if p.is_finite() && p > 0.0 { p } else { 1e-9 })
            .collect()
    };
    Node {
        state,
        children: Vec::new(),
        actions,
        priors,
        expanded: false,
        terminal,
        visits: 0.0,
        total: 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Choose at most 4 of 10 items (in increasing order, then stop); the reward has pair
    /// interactions, so the best set is not the 4 individually best items.
    struct Subsets {
        value: [f64; 10],
    }

    const STOP: usize = 100;

    impl Subsets {
        fn score(&self, set: &[usize]) -> f64 {
            let mut s: f64 = set.iter().map(|&i| self.value[i]).sum();
            // Items 2 and 7 together earn a large bonus; 0 and 1 clash.
            if set.contains(&2) && set.contains(&7) {
                s += 3.0;
            }
            if set.contains(&0) && set.contains(&1) {
                s -= 2.0;
            }
            s
        }
    }

    impl TreeGame for Subsets {
        type State = (Vec<usize>, bool);
        fn actions(&self, state: &Self::State) -> Vec<usize> {
            if state.1 {
                return vec![];
            }
            let start = state.0.last().map_or(0, |l| l + 1);
            let mut a: Vec<usize> = if state.0.len() < 4 {
                (start..10).collect()
            } else {
                vec![]
            };
            a.push(STOP);
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
            self.score(&state.0)
        }
    }

    #[test]
    fn finds_the_best_subset_of_a_toy_game() {
        let game = Subsets {
            value: [1.0, 1.2, 0.1, 0.9, -0.5, 0.8, 0.7, 0.2, -1.0, 0.95],
        };
        // Exhaustive optimum over subsets of size ≤ 4.
        let mut best = (f64::NEG_INFINITY, vec![]);
        for mask in 0u32..1024 {
            if mask.count_ones() <= 4 {
                let set: Vec<usize> = (0..10).filter(|i| mask >> i & 1 == 1).collect();
                let s = game.score(&set);
                if s > best.0 {
                    best = (s, set);
                }
            }
        }
        // Known optimum: {1, 2, 7, 9} with 1.2 + 0.1 + 0.2 + 0.95 + 3 = 5.45.
        assert_eq!(best.1, vec![1, 2, 7, 9]);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let options = MctsOptions {
            simulations: 3000,
            ..MctsOptions::default()
        };
        let result = search(&game, (vec![], false), |s| s.0.clone(), &options, &mut rng);
        assert!((result.terminals[0].0 - best.0).abs() < 1e-12);
        assert_eq!(result.terminals[0].1.0, best.1);
        // The most visited path holds the interacting pair.
        let principal = result.principal.unwrap().0;
        assert!(
            principal.contains(&2) && principal.contains(&7),
            "{principal:?}"
        );
        // Far fewer distinct terminals than simulations: the search concentrates.
        assert!(result.terminals.len() < 3000);
    }
}
