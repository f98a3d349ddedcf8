//! The exact minimum-entropy coupling of two small marginals.
//!
//! Entropy is concave, so the minimum over the transportation polytope is at a vertex. A
//! vertex's support is a forest, and adding zero-flow edges makes it a spanning tree of the
//! complete bipartite graph between the n rows and m columns, so the optimum is the least
//! entropy over spanning trees whose flows are nonnegative. A tree's flows are fixed by its
//! shape: root it anywhere; the edge above a node v carries `net(subtree(v), v)` = the mass of
//! the subtree's nodes on v's side minus the mass of those on the other side.
//!
//! A dynamic program over (node set X, root v) finds the best tree: `g(X, v)` is the least
//! `sum plogp(flow)` over trees on X rooted at v. Either v has one child c, whose subtree is
//! `X \ {v}`: `g(X \ {v}, c) + plogp(net(X \ {v}, c))`; or v's children split into two groups
//! A, B: `g({v} ∪ A, v) + g({v} ∪ B, v)`. That is O(3^N N) time and O(2^N N) memory for
//! N = n + m nonzero entries, so the supports are limited by [`MAX_EXACT_TOTAL`]. Used by
//! the tests and by `mecb.couple` with `exact: true`.

use crate::coupling::Coupling;
use crate::dist::plogp;

/// The largest `n + m` (nonzero entries in all) the exact solver accepts (about a second).
pub const MAX_EXACT_TOTAL: usize = 16;

/// A flow this far below zero counts as zero (the inputs' representation error).
const SLACK: f64 = 1e-12;

#[derive(Clone, Copy)]
enum Choice {
    Leaf,
    Infeasible,
    /// One child, the root of `X \ {v}`.
    Single(u8),
    /// Two groups of children; the first group (a mask, without v).
    Split(u32),
}

struct Tables {
    n: usize,
    /// `rows(mask) - cols(mask)` (masses).
    diff: Vec<f64>,
    g: Vec<f64>,
    choice: Vec<Choice>,
    is_row: Vec<bool>,
}

impl Tables {
    #[inline]
    fn at(&self, mask: u32, v: usize) -> usize {
        mask as usize * self.n + v
    }

    /// Flow on the edge above `v` when it roots the subtree `mask`.
    #[inline]
    fn net(&self, mask: u32, v: usize) -> f64 {
        let d = self.diff[mask as usize];
        if self.is_row[v] { d } else { -d }
    }

    fn solve(masses: &[f64], is_row: Vec<bool>) -> Self {
        let n = masses.len();
        let size = 1usize << n;
        let mut diff = vec![0.0f64; size];
        for mask in 1..size {
            let low = mask.trailing_zeros() as usize;
            let m = if is_row[low] {
                masses[low]
            } else {
                -masses[low]
            };
            diff[mask] = diff[mask & (mask - 1)] + m;
        }
        let mut t = Tables {
            n,
            diff,
            g: vec![f64::INFINITY; size * n],
            choice: vec![Choice::Infeasible; size * n],
            is_row,
        };
        for mask in 1..size as u32 {
            for v in 0..n {
                if mask & (1 << v) == 0 {
                    continue;
                }
                let rest = mask & !(1 << v);
                let here = t.at(mask, v);
                if rest == 0 {
                    t.g[here] = 0.0;
                    t.choice[here] = Choice::Leaf;
                    continue;
                }
                let mut best = f64::INFINITY;
                let mut choice = Choice::Infeasible;
                // One child c on the other side, rooting everything else.
                for c in 0..n {
                    if rest & (1 << c) == 0 || t.is_row[c] == t.is_row[v] {
                        continue;
                    }
                    let flow = t.net(rest, c);
                    if flow < -SLACK {
                        continue;
                    }
                    let cost = t.g[t.at(rest, c)] + plogp(flow.max(0.0));
                    if cost < best {
                        best = cost;
                        choice = Choice::Single(c as u8);
                    }
                }
                // Two groups of children; the group holding the lowest node first.
                let low = rest & rest.wrapping_neg();
                let others = rest & !low;
                let mut sub = others;
                loop {
                    let a = low | sub;
                    if a != rest {
                        let b = rest & !a;
                        let cost = t.g[t.at(a | (1 << v), v)] + t.g[t.at(b | (1 << v), v)];
                        if cost < best {
                            best = cost;
                            choice = Choice::Split(a);
                        }
                    }
                    if sub == 0 {
                        break;
                    }
                    sub = (sub - 1) & others;
                }
                t.g[here] = best;
                t.choice[here] = choice;
            }
        }
        t
    }

    /// The edges `(child, parent, flow)` of the best tree on `mask` rooted at `v`.
    fn edges(&self, mask: u32, v: usize, out: &mut Vec<(usize, usize, f64)>) {
        match self.choice[self.at(mask, v)] {
            Choice::Leaf | Choice::Infeasible => {}
            Choice::Single(c) => {
                let rest = mask & !(1 << v);
                out.push((c as usize, v, self.net(rest, c as usize).max(0.0)));
                self.edges(rest, c as usize, out);
            }
            Choice::Split(a) => {
                let rest = mask & !(1 << v);
                self.edges(a | (1 << v), v, out);
                self.edges((rest & !a) | (1 << v), v, out);
            }
        }
    }
}

/// Why the exact solver gave no coupling.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ExactError {
    /// More nonzero entries than the exponential dynamic program takes.
    #[error(
        "the exact solver takes at most {MAX_EXACT_TOTAL} nonzero entries in all (it is \
         exponential); these marginals have {rows} + {cols}"
    )]
    TooLarge { rows: usize, cols: usize },
    /// No flow tree with nonnegative flows (the marginals' sums differ).
    #[error("exact solver: no tree with nonnegative flows (marginals' sums differ?)")]
    NoTree,
}

/// The minimum-entropy coupling of `p` and `q` (checked distributions) and its entropy in
/// bits. Refuses supports with more than [`MAX_EXACT_TOTAL`] nonzero entries in all.
pub fn exact_two(p: &[f64], q: &[f64]) -> Result<(f64, Coupling), ExactError> {
    let rows: Vec<usize> = (0..p.len()).filter(|&i| p[i] > 0.0).collect();
    let cols: Vec<usize> = (0..q.len()).filter(|&j| q[j] > 0.0).collect();
    if rows.len() + cols.len() > MAX_EXACT_TOTAL {
        return Err(ExactError::TooLarge {
            rows: rows.len(),
            cols: cols.len(),
        });
    }
    let masses: Vec<f64> = rows
        .iter()
        .map(|&i| p[i])
        .chain(cols.iter().map(|&j| q[j]))
        .collect();
    let is_row: Vec<bool> = (0..masses.len()).map(|x| x < rows.len()).collect();
    let tables = Tables::solve(&masses, is_row);
    let all = ((1u64 << masses.len()) - 1) as u32;
    let h = tables.g[tables.at(all, 0)];
    if !h.is_finite() {
        return Err(ExactError::NoTree);
    }
    let mut edges = Vec::new();
    tables.edges(all, 0, &mut edges);
    let mut cells: Vec<(u32, u32, f64)> = edges
        .into_iter()
        .filter(|e| e.2 > 0.0)
        .map(|(a, b, f)| {
            let (r, c) = if a < rows.len() { (a, b) } else { (b, a) };
            (rows[r] as u32, cols[c - rows.len()] as u32, f)
        })
        .collect();
    cells.sort_by(|x, y| y.2.total_cmp(&x.2));
    let coupling = Coupling {
        dims: vec![p.len(), q.len()],
        index: cells.iter().flat_map(|c| [c.0, c.1]).collect(),
        mass: cells.iter().map(|c| c.2).collect(),
        unmatched: vec![0.0, 0.0],
    };
    Ok((coupling.entropy(), coupling))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds;
    use crate::coupling::greedy;

    #[test]
    fn worked_examples_of_the_notes() {
        // shared/notes/surrogates-and-mecb.md, section D: exact OPT 1.0, 1.760964, 2.0, where the
        // greedy is optimal too.
        for (p, q, opt) in [
            (vec![0.5, 0.5], vec![0.5, 0.5], 1.0),
            (vec![0.5, 0.4, 0.1], vec![0.6, 0.2, 0.2], 1.760964),
            (vec![0.25; 4], vec![0.5, 0.5], 2.0),
        ] {
            let (h, c) = exact_two(&p, &q).unwrap();
            assert!((h - opt).abs() < 1e-6, "{h} vs {opt}");
            assert!((greedy(&[&p, &q]).entropy() - h).abs() < 1e-12);
            assert!(c.marginal_error(&[&p, &q]) < 1e-15);
        }
    }

    /// Independent check: enumerate every spanning tree of the complete bipartite graph
    /// (every choice of n + m - 1 cells that forms a tree), solve its flows by peeling leaves,
    /// keep the nonnegative ones (the vertices of the transportation polytope) and take the
    /// least entropy.
    fn vertex_enumeration(p: &[f64], q: &[f64]) -> f64 {
        let (n, m) = (p.len(), q.len());
        let cells: Vec<(usize, usize)> = (0..n).flat_map(|i| (0..m).map(move |j| (i, j))).collect();
        let size = n + m - 1;
        let mut best = f64::INFINITY;
        let mut chosen = Vec::with_capacity(size);
        fn rec(
            start: usize,
            cells: &[(usize, usize)],
            size: usize,
            chosen: &mut Vec<usize>,
            p: &[f64],
            q: &[f64],
            best: &mut f64,
        ) {
            if chosen.len() == size {
                if let Some(h) = tree_entropy(chosen.iter().map(|&c| cells[c]).collect(), p, q) {
                    *best = best.min(h);
                }
                return;
            }
            for c in start..cells.len() {
                if cells.len() - c < size - chosen.len() {
                    break;
                }
                chosen.push(c);
                rec(c + 1, cells, size, chosen, p, q, best);
                chosen.pop();
            }
        }
        rec(0, &cells, size, &mut chosen, p, q, &mut best);
        best
    }

    fn tree_entropy(mut edges: Vec<(usize, usize)>, p: &[f64], q: &[f64]) -> Option<f64> {
        let (mut rp, mut rq) = (p.to_vec(), q.to_vec());
        let mut h = 0.0;
        while !edges.is_empty() {
            let row_degree = |i: usize, e: &[(usize, usize)]| e.iter().filter(|x| x.0 == i).count();
            let col_degree = |j: usize, e: &[(usize, usize)]| e.iter().filter(|x| x.1 == j).count();
            // A leaf: a row or a column with one remaining cell; none means a cycle.
            let (k, flow) = edges.iter().enumerate().find_map(|(k, &(i, j))| {
                if row_degree(i, &edges) == 1 {
                    Some((k, rp[i]))
                } else if col_degree(j, &edges) == 1 {
                    Some((k, rq[j]))
                } else {
                    None
                }
            })?;
            let (i, j) = edges.remove(k);
            if flow < -1e-12 {
                return None;
            }
            rp[i] -= flow;
            rq[j] -= flow;
            h += plogp(flow.max(0.0));
        }
        if rp.iter().chain(rq.iter()).any(|r| r.abs() > 1e-9) {
            return None;
        }
        Some(h)
    }

    #[test]
    fn dynamic_program_agrees_with_vertex_enumeration() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for _ in 0..60 {
            let n = rng.random_range(1..=4);
            let m = rng.random_range(1..=4);
            let mut draw = |k: usize| {
                let x: Vec<f64> = (0..k).map(|_| rng.random_range(1..20) as f64).collect();
                let s: f64 = x.iter().sum();
                x.into_iter().map(|v| v / s).collect::<Vec<f64>>()
            };
            let p = draw(n);
            let q = draw(m);
            let (h, c) = exact_two(&p, &q).unwrap();
            let v = vertex_enumeration(&p, &q);
            assert!((h - v).abs() < 1e-9, "{p:?} {q:?}: dp {h} vs vertices {v}");
            assert!(c.marginal_error(&[&p, &q]) < 1e-12);
            assert!(h >= bounds::majorize_profile_bound(&[&p, &q]) - 1e-12);
            assert!(h <= greedy(&[&p, &q]).entropy() + 1e-12);
        }
    }

    #[test]
    fn refuses_large_supports() {
        let p = vec![0.125; 8];
        let q = vec![1.0 / 9.0; 9];
        let e = exact_two(&p, &q).unwrap_err();
        assert_eq!(e, ExactError::TooLarge { rows: 8, cols: 9 });
    }
}
