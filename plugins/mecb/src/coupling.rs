//! Couplings of k marginals: the sparse representation, the greedy minimum-entropy coupling of
//! Kocaoglu et al. (AAAI 2017) and the sorted ("quantile", north-west corner) coupling.
//!
//! Both algorithms emit one cell per step and exhaust at least one marginal entry per step, so a
//! coupling of marginals with n_1, ..., n_k nonzero entries has at most sum(n_i) - k + 1 cells.
//! Remainders are kept as double-doubles (faer's `fx128`): a marginal entry that is split across many
//! cells accumulates no round-off, and each output marginal matches its input to about
//! 1e-16 times the entry. When the inputs' sums differ (they may, by up to 2e-9), the
//! greedy stops as soon as one marginal is used up and reports the mass left in the others
//! as `unmatched`; nothing is rescaled.

use std::collections::BinaryHeap;

use crate::dist::plogp;
// A double-double `hi + lo`: `.0` high, `.1` low. `qd::Quad` is `faer::fx128`, the type the
// SDP solver computes in; named through `qd` for its tuple constructor.
use qd::Quad as Dd;

/// A sparse joint distribution over `dims[0] x ... x dims[k-1]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Coupling {
    /// Support size of each marginal (including zero entries).
    pub dims: Vec<usize>,
    /// Cell indices, `k` per cell, cell after cell.
    pub index: Vec<u32>,
    /// Cell masses, one per cell, all positive.
    pub mass: Vec<f64>,
    /// For each marginal, the mass that could not be matched because another marginal ran out
    /// first (zero when the inputs' sums agree exactly).
    pub unmatched: Vec<f64>,
}

impl Coupling {
    /// Number of marginals.
    pub fn arity(&self) -> usize {
        self.dims.len()
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.mass.len()
    }

    pub fn is_empty(&self) -> bool {
        self.mass.is_empty()
    }

    /// Indices of cell `c`.
    pub fn cell(&self, c: usize) -> &[u32] {
        let k = self.arity();
        &self.index[c * k..(c + 1) * k]
    }

    /// Joint entropy in bits.
    pub fn entropy(&self) -> f64 {
        self.mass.iter().map(|&m| plogp(m)).sum()
    }

    /// Marginal `i` of the coupling, summed with compensation.
    pub fn marginal(&self, i: usize) -> Vec<f64> {
        let k = self.arity();
        let mut acc = vec![dd(0.0); self.dims[i]];
        for (c, &m) in self.mass.iter().enumerate() {
            let j = self.index[c * k + i] as usize;
            acc[j] += dd(m);
        }
        acc.into_iter().map(value).collect()
    }

    /// Largest absolute difference between an output marginal and the corresponding input.
    pub fn marginal_error(&self, marginals: &[&[f64]]) -> f64 {
        let mut worst = 0.0f64;
        for (i, p) in marginals.iter().enumerate() {
            for (a, b) in self.marginal(i).iter().zip(p.iter()) {
                worst = worst.max((a - b).abs());
            }
        }
        worst
    }

    /// The cells as `(index tuple, mass)`, sorted by index (for tests and printing).
    pub fn sorted_cells(&self) -> Vec<(Vec<u32>, f64)> {
        let mut cells: Vec<(Vec<u32>, f64)> = (0..self.len())
            .map(|c| (self.cell(c).to_vec(), self.mass[c]))
            .collect();
        cells.sort_by(|a, b| a.0.cmp(&b.0));
        cells
    }
}

/// Sort key of a marginal entry: the value's bits (nonnegative doubles order like their bit
/// patterns), then the complemented index (ties go to the lowest index), then the low part of
/// the entry's double-double remainder stored as an `f32` (it is below half an ulp of the high
/// part, so 24 bits of it are plenty).
#[inline]
fn key(value: f64, index: u32) -> u128 {
    ((value.to_bits() as u128) << 64) | (((u32::MAX - index) as u128) << 32)
}

#[inline]
fn key_with_lo(value: f64, index: u32, lo: f64) -> u128 {
    key(value, index) | (lo as f32).to_bits() as u128
}

#[inline]
fn key_value(key: u128) -> f64 {
    f64::from_bits((key >> 64) as u64)
}

#[inline]
fn key_index(key: u128) -> u32 {
    u32::MAX - ((key >> 32) as u32)
}

#[inline]
fn key_lo(key: u128) -> f64 {
    f32::from_bits(key as u32) as f64
}

/// A remainder at most this fraction of the entry it was cut from counts as used up. Decimal
/// inputs are not exact in binary (0.6 + 0.3 + 0.1 is 1 - 2.8e-17 as a real number), so
/// without this rule such representation errors would become cells of mass 1e-17. An entry
/// loses at most 1.4e-14 of itself this way, far below the 1e-12 the marginals are held to.
pub const DUST: f64 = 64.0 * f64::EPSILON;

/// `x` as a double-double.
#[inline]
fn dd(x: f64) -> Dd {
    Dd(x, 0.0)
}

/// The double nearest a double-double.
#[inline]
fn value(x: Dd) -> f64 {
    x.0 + x.1
}

#[inline]
fn is_dust(rest: Dd, entry: f64) -> bool {
    rest.0 <= DUST * entry
}

/// The largest support a marginal may have (indices are stored as `u32`).
pub const MAX_SUPPORT: usize = u32::MAX as usize - 1;

/// One marginal's remaining entries, a max-priority queue specialised to the greedy: the
/// largest entry only ever shrinks or leaves, and new keys (remainders) are never larger than
/// it. Entries are spread over buckets by the leading bits of their value (exponent and a few
/// mantissa bits). Only the top bucket is ordered: sorted when its turn comes, plus a small
/// heap for the remainders that fall back into it; the other buckets are plain vectors that
/// receive remainders in O(1). On 10^6 random entries this is about 4x faster than one binary
/// heap over all entries.
struct Pool {
    /// Bucket of a value: `(bits >> shift) - base`, clamped below at 0.
    shift: u32,
    base: u64,
    buckets: Vec<Vec<u128>>,
    /// The bucket being consumed; buckets above it are empty.
    current: usize,
    /// The current bucket's original keys, in increasing order (the largest is last).
    sorted: Vec<u128>,
    /// Remainders that fell back into the current bucket.
    extra: BinaryHeap<u128>,
}

impl Pool {
    fn new(p: &[f64]) -> Self {
        let positive = p.iter().filter(|x| **x > 0.0).count().max(1);
        // 2^b buckets per binade: b = 0 below 2^11 entries, up to 8 from 2^19 entries on.
        let mantissa_bits = (usize::BITS - positive.leading_zeros())
            .saturating_sub(12)
            .min(8);
        let shift = 52 - mantissa_bits;
        let (mut lowest, mut highest) = (u64::MAX, 0u64);
        for &x in p.iter().filter(|x| **x > 0.0) {
            let b = x.to_bits() >> shift;
            lowest = lowest.min(b);
            highest = highest.max(b);
        }
        if lowest > highest {
            lowest = highest;
        }
        let mut buckets: Vec<Vec<u128>> = (0..=(highest - lowest) as usize)
            .map(|_| Vec::new())
            .collect();
        for (i, &x) in p.iter().enumerate().filter(|(_, x)| **x > 0.0) {
            buckets[((x.to_bits() >> shift) - lowest) as usize].push(key(x, i as u32));
        }
        let current = buckets.len();
        let mut pool = Self {
            shift,
            base: lowest,
            buckets,
            current,
            sorted: Vec::new(),
            extra: BinaryHeap::new(),
        };
        pool.refill();
        pool
    }

    #[inline]
    fn bucket(&self, key: u128) -> usize {
        (((key >> 64) as u64 >> self.shift).saturating_sub(self.base)) as usize
    }

    /// Moves down to the next nonempty bucket once the current one is used up.
    fn refill(&mut self) {
        while self.sorted.is_empty() && self.extra.is_empty() && self.current > 0 {
            self.current -= 1;
            let mut bucket = std::mem::take(&mut self.buckets[self.current]);
            bucket.sort_unstable();
            self.sorted = bucket;
        }
    }

    /// The current largest entry.
    #[inline]
    fn top(&self) -> Option<u128> {
        match (self.sorted.last(), self.extra.peek()) {
            (Some(&a), Some(&b)) => Some(a.max(b)),
            (Some(&a), None) => Some(a),
            (None, b) => b.copied(),
        }
    }

    /// Removes the top entry `top`.
    #[inline]
    fn remove(&mut self, top: u128) {
        if self.sorted.last() == Some(&top) {
            self.sorted.pop();
        } else {
            self.extra.pop();
        }
    }

    /// Takes `m` from the top entry `top` (as returned by [`Pool::top`]); the entry leaves the
    /// pool when what is left of it is dust.
    #[inline]
    fn take(&mut self, top: u128, m: f64) {
        let value = key_value(top);
        let rest = Dd(value, key_lo(top)) - dd(m);
        if is_dust(rest, value) {
            self.remove(top);
        } else {
            let key = key_with_lo(rest.0, key_index(top), rest.1);
            let bucket = self.bucket(key);
            if bucket >= self.current {
                if self.sorted.last() == Some(&top) {
                    self.sorted.pop();
                    self.extra.push(key);
                } else {
                    *self.extra.peek_mut().expect("top exists") = key;
                }
                return;
            }
            self.remove(top);
            self.buckets[bucket].push(key);
        }
        if self.sorted.is_empty() && self.extra.is_empty() {
            self.refill();
        }
    }

    fn remaining(&self) -> f64 {
        let mut total = dd(0.0);
        for &k in self
            .sorted
            .iter()
            .chain(self.extra.iter())
            .chain(self.buckets.iter().flatten())
        {
            total = total + dd(key_value(k)) + dd(key_lo(k));
        }
        value(total)
    }
}

/// The greedy minimum-entropy coupling (Kocaoglu et al., AAAI 2017): repeatedly take the
/// largest remaining entry of every marginal, put the smallest of them, `m`, in one cell, and
/// subtract `m` from each. Ties go to the lowest index. O(N log N) for N entries in all.
///
/// The marginals must be checked distributions (see [`crate::dist::check_distribution`]) with
/// at most [`MAX_SUPPORT`] entries each.
pub fn greedy(marginals: &[&[f64]]) -> Coupling {
    let k = marginals.len();
    let mut pools: Vec<Pool> = marginals.iter().map(|p| Pool::new(p)).collect();
    let capacity = marginals
        .iter()
        .map(|p| p.iter().filter(|x| **x > 0.0).count())
        .sum::<usize>()
        .saturating_sub(k)
        + 1;
    let mut index = Vec::with_capacity(capacity * k);
    let mut mass = Vec::with_capacity(capacity);
    if let [p, q] = pools.as_mut_slice() {
        // Two marginals, the common case: the same loop without the inner iterations.
        while let (Some(a), Some(b)) = (p.top(), q.top()) {
            let m = key_value(a).min(key_value(b));
            index.push(key_index(a));
            index.push(key_index(b));
            mass.push(m);
            p.take(a, m);
            q.take(b, m);
        }
    } else {
        greedy_loop(&mut pools, &mut index, &mut mass);
    }
    Coupling {
        dims: marginals.iter().map(|p| p.len()).collect(),
        index,
        mass,
        unmatched: pools.iter().map(Pool::remaining).collect(),
    }
}

fn greedy_loop(pools: &mut [Pool], index: &mut Vec<u32>, mass: &mut Vec<f64>) {
    let mut tops = vec![0u128; pools.len()];
    'outer: loop {
        let mut m = f64::INFINITY;
        for (pool, top) in pools.iter().zip(tops.iter_mut()) {
            match pool.top() {
                Some(t) => {
                    *top = t;
                    m = m.min(key_value(t));
                }
                None => break 'outer,
            }
        }
        for (pool, &top) in pools.iter_mut().zip(tops.iter()) {
            index.push(key_index(top));
            pool.take(top, m);
        }
        mass.push(m);
    }
}

/// The sorted (quantile, north-west corner) coupling: sort every marginal decreasingly and
/// match the masses in that order, as if coupling the quantile functions. A simple baseline
/// with the same sparsity as the greedy, O(N log N) for the sorts.
pub fn quantile(marginals: &[&[f64]]) -> Coupling {
    let k = marginals.len();
    let sorted: Vec<Vec<u128>> = marginals
        .iter()
        .map(|p| {
            let mut s: Vec<u128> = p
                .iter()
                .enumerate()
                .filter(|(_, x)| **x > 0.0)
                .map(|(i, &x)| key(x, i as u32))
                .collect();
            s.sort_unstable_by(|a, b| b.cmp(a));
            s
        })
        .collect();
    let mut cursor = vec![0usize; k];
    let mut rest: Vec<Dd> = sorted
        .iter()
        .map(|s| dd(s.first().map_or(0.0, |&k| key_value(k))))
        .collect();
    let mut index = Vec::new();
    let mut mass = Vec::new();
    while (0..k).all(|i| cursor[i] < sorted[i].len()) {
        let m = rest.iter().map(|r| r.0).fold(f64::INFINITY, f64::min);
        for i in 0..k {
            index.push(key_index(sorted[i][cursor[i]]));
            let left = rest[i] - dd(m);
            if is_dust(left, rest[i].0) {
                cursor[i] += 1;
                rest[i] = dd(sorted[i].get(cursor[i]).map_or(0.0, |&k| key_value(k)));
            } else {
                rest[i] = left;
            }
        }
        mass.push(m);
    }
    let unmatched = (0..k)
        .map(|i| {
            if cursor[i] >= sorted[i].len() {
                0.0
            } else {
                value(
                    sorted[i][cursor[i] + 1..]
                        .iter()
                        .fold(rest[i], |acc, &k| acc + dd(key_value(k))),
                )
            }
        })
        .collect();
    Coupling {
        dims: marginals.iter().map(|p| p.len()).collect(),
        index,
        mass,
        unmatched,
    }
}

/// The independent coupling's entropy, `sum_i H(p_i)` (the largest possible).
pub fn independent_entropy(marginals: &[&[f64]]) -> f64 {
    marginals.iter().map(|p| crate::dist::entropy(p)).sum()
}

/// Mutual information `H(p) + H(q) - H(P)` of a two-marginal coupling, in bits.
pub fn mutual_information(p: &[f64], q: &[f64], coupling: &Coupling) -> f64 {
    crate::dist::entropy(p) + crate::dist::entropy(q) - coupling.entropy()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// A random distribution with `n` entries: normalised exponentials (Dirichlet(1)).
    pub(crate) fn dirichlet(rng: &mut ChaCha8Rng, n: usize) -> Vec<f64> {
        let x: Vec<f64> = (0..n).map(|_| -(1.0 - rng.random::<f64>()).ln()).collect();
        let s: f64 = x.iter().sum();
        x.into_iter().map(|v| v / s).collect()
    }

    fn cells(c: &Coupling) -> Vec<(Vec<u32>, f64)> {
        c.sorted_cells()
    }

    #[test]
    fn greedy_matches_the_worked_examples() {
        // shared/notes/surrogates-and-mecb.md, section D (computed with the notes' mec_checks.py).
        let c = greedy(&[&[0.5, 0.5], &[0.5, 0.5]]);
        assert_eq!(cells(&c), vec![(vec![0, 0], 0.5), (vec![1, 1], 0.5)]);
        assert!((c.entropy() - 1.0).abs() < 1e-15);

        let p = [0.5, 0.4, 0.1];
        let q = [0.6, 0.2, 0.2];
        let c = greedy(&[&p, &q]);
        let got = cells(&c);
        let want = [
            (vec![0, 0], 0.5),
            (vec![1, 1], 0.2),
            (vec![1, 2], 0.2),
            (vec![2, 0], 0.1),
        ];
        assert_eq!(got.len(), want.len());
        for ((gi, gm), (wi, wm)) in got.iter().zip(want.iter()) {
            assert_eq!(gi, wi);
            assert!((gm - wm).abs() < 1e-15, "{gm} vs {wm}");
        }
        assert!((c.entropy() - 1.760964).abs() < 1e-6);

        let c = greedy(&[&[0.25; 4], &[0.5, 0.5]]);
        assert_eq!(
            cells(&c),
            vec![
                (vec![0, 0], 0.25),
                (vec![1, 1], 0.25),
                (vec![2, 0], 0.25),
                (vec![3, 1], 0.25)
            ]
        );
        assert!((c.entropy() - 2.0).abs() < 1e-15);
    }

    #[test]
    fn greedy_three_marginals_matches_sokota_docstring() {
        // ssokota/mec greedy_mec docstring (quoted in the notes, section D):
        // x=[1], y=[.75,.25], z=[.6,.3,.1] -> {(0,0,0):.6, (0,1,1):.25, (0,0,2):.1, (0,0,1):.05}.
        let c = greedy(&[&[1.0], &[0.75, 0.25], &[0.6, 0.3, 0.1]]);
        let got = cells(&c);
        let want = [
            (vec![0, 0, 0], 0.6),
            (vec![0, 0, 1], 0.05),
            (vec![0, 0, 2], 0.1),
            (vec![0, 1, 1], 0.25),
        ];
        assert_eq!(got.len(), 4);
        for ((gi, gm), (wi, wm)) in got.iter().zip(want.iter()) {
            assert_eq!(gi, wi);
            assert!((gm - wm).abs() < 1e-15, "{gm} vs {wm}");
        }
    }

    #[test]
    fn marginals_are_exact_and_support_is_sparse() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for trial in 0..200 {
            let k = 2 + trial % 3;
            let ms: Vec<Vec<f64>> = (0..k)
                .map(|_| {
                    let n = 1 + rng.random_range(0..300);
                    dirichlet(&mut rng, n)
                })
                .collect();
            let refs: Vec<&[f64]> = ms.iter().map(|v| v.as_slice()).collect();
            for c in [greedy(&refs), quantile(&refs)] {
                let total: usize = ms.iter().map(|v| v.len()).sum();
                assert!(
                    c.len() <= total - k + 1,
                    "support {} > {}",
                    c.len(),
                    total - k + 1
                );
                let err = c.marginal_error(&refs);
                let mismatch = c.unmatched.iter().fold(0.0f64, |a, &b| a.max(b.abs()));
                assert!(
                    err <= 1e-14 + mismatch,
                    "marginal error {err:e}, unmatched {mismatch:e}"
                );
                assert!(mismatch < 1e-14);
                assert!(c.mass.iter().all(|&m| m > 0.0));
            }
        }
    }

    #[test]
    fn large_support_marginals_stay_exact() {
        // One heavy entry split across 10^5 cells: plain doubles would drift by ~1e-13.
        let n = 100_000;
        let mut q = vec![0.5 / (n as f64 - 1.0); n];
        q[0] = 0.5;
        let p = vec![1.0 / n as f64; n];
        let c = greedy(&[&p, &q]);
        assert!(
            c.marginal_error(&[&p, &q]) < 1e-16,
            "{:e}",
            c.marginal_error(&[&p, &q])
        );
    }

    #[test]
    fn unequal_sums_leave_unmatched_mass_and_nothing_is_rescaled() {
        let p = [0.5, 0.5 + 4e-10];
        let q = [0.25, 0.75];
        let c = greedy(&[&p, &q]);
        // The sums differ by exactly p[1] - 0.5 (Sterbenz: exact in doubles).
        assert_eq!(c.unmatched[0], p[1] - 0.5, "{:?}", c.unmatched);
        assert_eq!(c.unmatched[1], 0.0);
        let m = c.marginal(1);
        assert_eq!(m, vec![0.25, 0.75]);
    }

    #[test]
    fn zero_entries_get_no_cells() {
        let c = greedy(&[&[0.0, 1.0, 0.0], &[0.5, 0.0, 0.5]]);
        assert_eq!(cells(&c), vec![(vec![1, 0], 0.5), (vec![1, 2], 0.5)]);
    }

    #[test]
    fn faer_double_doubles_keep_the_exact_remainder() {
        // 1 - 0.1 - ... - 0.1 (ten times): the double 0.1 is 0.1000000000000000055511151231257827,
        // so the exact remainder is -5.551115123125783e-17 (Python `fractions`); plain doubles
        // drift to +1.3877787807814457e-16.
        let mut r = dd(1.0);
        let mut plain = 1.0f64;
        for _ in 0..10 {
            r -= dd(0.1);
            plain -= 0.1;
        }
        assert_eq!(value(r), -5.551115123125783e-17);
        assert_eq!(plain, 1.3877787807814457e-16);
    }
}
