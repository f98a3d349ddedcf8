//! The grid world of the Markov coding game (the MEC-B authors' `gridworld.py` configuration,
//! forked from kevin-hanselman/grid-world-rl): an 8 x 8 grid, goal (0, 7) with reward +1, trap
//! (1, 7) with reward -1, obstacles on the diagonal (1, 1) ... (7, 7), start (5, 4). A move
//! goes the intended way with probability `1 - 2 slip` and to each perpendicular side with
//! probability `slip`; moves into a wall or an obstacle stay put. Goal and trap end the
//! episode.
//!
//! The agent's policy is the maximum-entropy ("soft") policy from soft Q-iteration at
//! temperature β: `Q(s, a) = r(s) + γ sum_s' T(s' | s, a) V(s')`, `V(s) = β logsumexp(Q(s, ·)/β)`,
//! `Q(s, ·) = r(s)` at the terminal states, and `π(a | s) = softmax(Q(s, ·)/β)`.

/// Up, right, down, left.
pub const ACTIONS: [(i32, i32); 4] = [(-1, 0), (0, 1), (1, 0), (0, -1)];

/// The grid world's layout and dynamics.
#[derive(Clone, Debug)]
pub struct GridWorld {
    pub rows: usize,
    pub cols: usize,
    pub obstacles: Vec<(usize, usize)>,
    pub goal: (usize, usize),
    pub trap: (usize, usize),
    pub start: (usize, usize),
    pub slip: f64,
    pub gamma: f64,
}

impl GridWorld {
    /// The configuration of the MEC-B paper's experiments (README example of the authors'
    /// code: 8 x 8, slip 0.1, discount 0.95).
    pub fn paper(slip: f64, gamma: f64) -> Self {
        Self {
            rows: 8,
            cols: 8,
            obstacles: (1..8).map(|i| (i, i)).collect(),
            goal: (0, 7),
            trap: (1, 7),
            start: (5, 4),
            slip,
            gamma,
        }
    }

    pub fn states(&self) -> usize {
        self.rows * self.cols
    }

    pub fn state(&self, cell: (usize, usize)) -> usize {
        cell.0 * self.cols + cell.1
    }

    pub fn cell(&self, s: usize) -> (usize, usize) {
        (s / self.cols, s % self.cols)
    }

    pub fn is_obstacle(&self, s: usize) -> bool {
        self.obstacles.contains(&self.cell(s))
    }

    pub fn is_terminal(&self, s: usize) -> bool {
        let c = self.cell(s);
        c == self.goal || c == self.trap
    }

    pub fn reward(&self, s: usize) -> f64 {
        let c = self.cell(s);
        if c == self.goal {
            1.0
        } else if c == self.trap {
            -1.0
        } else {
            0.0
        }
    }

    /// Where a move in direction `d` from `s` lands (stays when blocked).
    fn step(&self, s: usize, d: usize) -> usize {
        let (r, c) = self.cell(s);
        let (dr, dc) = ACTIONS[d];
        let (nr, nc) = (r as i32 + dr, c as i32 + dc);
        if nr < 0 || nc < 0 || nr >= self.rows as i32 || nc >= self.cols as i32 {
            return s;
        }
        let next = self.state((nr as usize, nc as usize));
        if self.is_obstacle(next) { s } else { next }
    }

    /// `T(· | s, a)` as `(next state, probability)` pairs (merged when they coincide).
    pub fn transitions(&self, s: usize, a: usize) -> Vec<(usize, f64)> {
        let mut out: Vec<(usize, f64)> = Vec::with_capacity(3);
        for (d, p) in [
            (a, 1.0 - 2.0 * self.slip),
            ((a + 1) % 4, self.slip),
            ((a + 3) % 4, self.slip),
        ] {
            if p <= 0.0 {
                continue;
            }
            let next = self.step(s, d);
            match out.iter_mut().find(|(n, _)| *n == next) {
                Some(entry) => entry.1 += p,
                None => out.push((next, p)),
            }
        }
        out
    }

    /// Soft Q-iteration at temperature `beta` for `iterations` sweeps; returns `Q[s][a]`.
    pub fn soft_q(&self, beta: f64, iterations: usize) -> Vec<[f64; 4]> {
        let n = self.states();
        let mut q = vec![[0.0f64; 4]; n];
        for s in 0..n {
            if self.is_terminal(s) {
                q[s] = [self.reward(s); 4];
            }
        }
        let value = |qs: &[f64; 4]| -> f64 {
            let m = qs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            m + beta * qs.iter().map(|&x| ((x - m) / beta).exp()).sum::<f64>().ln()
        };
        for _ in 0..iterations {
            let v: Vec<f64> = q.iter().map(value).collect();
            let mut next = q.clone();
            for s in 0..n {
                if self.is_terminal(s) || self.is_obstacle(s) {
                    continue;
                }
                for a in 0..4 {
                    let ev: f64 = self.transitions(s, a).iter().map(|&(t, p)| p * v[t]).sum();
                    next[s][a] = self.reward(s) + self.gamma * ev;
                }
            }
            q = next;
        }
        q
    }

    /// `π(· | s) = softmax(Q(s, ·)/β)` for every state.
    pub fn soft_policy(&self, q: &[[f64; 4]], beta: f64) -> Vec<[f64; 4]> {
        q.iter()
            .map(|qs| {
                let m = qs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let w: Vec<f64> = qs.iter().map(|&x| ((x - m) / beta).exp()).collect();
                let z: f64 = w.iter().sum();
                [w[0] / z, w[1] / z, w[2] / z, w[3] / z]
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_are_distributions_and_respect_walls() {
        let g = GridWorld::paper(0.1, 0.95);
        for s in (0..g.states()).filter(|&s| !g.is_obstacle(s)) {
            for a in 0..4 {
                let t = g.transitions(s, a);
                let total: f64 = t.iter().map(|x| x.1).sum();
                assert!((total - 1.0).abs() < 1e-15);
                assert!(t.iter().all(|&(n, _)| !g.is_obstacle(n)));
            }
        }
        // From (0, 0) moving up: blocked (0.8 stays), left blocked (0.1 stays), right (0.1).
        let t = g.transitions(g.state((0, 0)), 0);
        assert_eq!(
            t,
            vec![(g.state((0, 0)), 0.9), (g.state((0, 1)), 0.1)]
                .into_iter()
                .collect::<Vec<_>>()
        );
    }

    /// Ordinary value iteration (hard max), written independently of `soft_q`.
    fn value_iteration(g: &GridWorld) -> Vec<f64> {
        let n = g.states();
        let mut v = vec![0.0f64; n];
        for _ in 0..2000 {
            let mut next = v.clone();
            for s in 0..n {
                if g.is_terminal(s) {
                    next[s] = g.reward(s);
                    continue;
                }
                if g.is_obstacle(s) {
                    continue;
                }
                next[s] = (0..4)
                    .map(|a| {
                        g.gamma
                            * g.transitions(s, a)
                                .iter()
                                .map(|&(t, p)| p * v[t])
                                .sum::<f64>()
                    })
                    .fold(f64::NEG_INFINITY, f64::max);
            }
            v = next;
        }
        v
    }

    #[test]
    fn soft_q_tends_to_value_iteration_as_the_temperature_falls() {
        // V_soft - V_hard is in [0, β log 4 / (1 - γ)] (each backup adds at most β log 4).
        let g = GridWorld::paper(0.1, 0.95);
        let hard = value_iteration(&g);
        for beta in [(-6.0f64).exp(), (-9.0f64).exp()] {
            let q = g.soft_q(beta, 2000);
            let bound = beta * 4f64.ln() / (1.0 - g.gamma);
            for s in 0..g.states() {
                if g.is_obstacle(s) || g.is_terminal(s) {
                    continue;
                }
                let m = q[s].iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let soft = m + beta
                    * q[s]
                        .iter()
                        .map(|&x| ((x - m) / beta).exp())
                        .sum::<f64>()
                        .ln();
                assert!(
                    soft >= hard[s] - 1e-9 && soft <= hard[s] + bound + 1e-9,
                    "state {s}: {soft} vs {}",
                    hard[s]
                );
            }
        }
    }

    #[test]
    fn cold_policy_goes_around_the_diagonal_to_the_goal() {
        // The only gap in the diagonal is (0, 0): from (5, 4) the shortest path is 16 moves.
        let g = GridWorld::paper(0.0, 0.95);
        let beta = (-6.0f64).exp();
        let pi = g.soft_policy(&g.soft_q(beta, 100), beta);
        let mut s = g.state(g.start);
        let mut steps = 0;
        while !g.is_terminal(s) && steps < 100 {
            let a = (0..4)
                .max_by(|&a, &b| pi[s][a].total_cmp(&pi[s][b]))
                .unwrap();
            s = g.transitions(s, a)[0].0;
            steps += 1;
        }
        assert_eq!(g.cell(s), g.goal);
        assert_eq!(steps, 16);
    }
}
