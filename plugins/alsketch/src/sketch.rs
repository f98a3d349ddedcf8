//! Randomized iterative sketching solvers for the symmetric Newton-KKT system `K z = b`.
//!
//! All four are sketch-and-project steps with identity weight (Gower and Richtárik, *Randomized
//! iterative methods for linear systems*, SIAM J. Matrix Anal. Appl. 2015): with a random sketch
//! S ∈ R^{N×q} and the residual r = K z − b,
//!
//! ```text
//! z ← z − K S (Sᵀ K² S)† Sᵀ r          (K = Kᵀ)
//! ```
//!
//! - [`SketchKind::Gaussian`]: one Gaussian column (q = 1), as in the authors' `AdaSketchNewtonGV`.
//! - [`SketchKind::Kaczmarz`]: S = eᵢ with i uniform (not norm-weighted), as in `AdaSketchNewtonRK`.
//! - [`SketchKind::BlockGaussian`]: q Gaussian columns; KS costs q products with K.
//! - [`SketchKind::CountSketch`]: S has one ±1 per row in a random column of q (Clarkson–Woodruff);
//!   KS has no more entries than K, SᵀK²S is accumulated row by row from K's sparsity, and the
//!   update K(Sy) is one product with K, so a step costs O(nnz(K) + Σᵢ nnz(Kᵢ)² + q³).
//!
//! The residual is updated incrementally and recomputed exactly every [`REFRESH`] steps and
//! whenever the target looks reached, so rounding drift never stops a solve early. Flops are
//! counted as the operations performed (2 per multiply-add).

use std::ops::ControlFlow;

use boundlab_vecops::{axpy, dot, norm};
use faer::Mat;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use crate::error::{Error, Result, Stop};
use crate::linalg::{Matrix, psd_pinv_solve};

/// Steps between exact recomputations of the residual.
pub const REFRESH: u64 = 1000;

/// The sketch family (or the direct reference solver).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SketchKind {
    Gaussian,
    Kaczmarz,
    BlockGaussian,
    CountSketch,
    /// Not a sketch: an LU solve of K z = b, the exact-Newton reference.
    Direct,
}

impl SketchKind {
    /// The name the plugin's `sketch` parameter gives it (also used in logs and benchmarks).
    pub fn name(self) -> &'static str {
        match self {
            SketchKind::Gaussian => "gaussian",
            SketchKind::Kaczmarz => "kaczmarz",
            SketchKind::BlockGaussian => "block",
            SketchKind::CountSketch => "countsketch",
            SketchKind::Direct => "direct",
        }
    }
}

/// The system K z = b with what the sketches precompute from K.
pub struct System<'a> {
    pub k: &'a Matrix,
    pub b: &'a [f64],
    /// ‖K_{:,i}‖² (= ‖K_{i,:}‖², K symmetric).
    col_norm2: Vec<f64>,
    /// K² for small dense K (Kaczmarz only): the residual update r ← r − γ K Kᵢ becomes one
    /// column of K², O(N) per step instead of O(N²).
    k_squared: Option<Mat<f64>>,
    /// Flops spent on the precomputation, charged to the first solve.
    setup_flops: u64,
    /// How many leading unknowns are primal (Δx); the direct solver eliminates them when the
    /// Hessian block allows. Defaults to all (no elimination).
    primal: usize,
}

/// Dense systems up to this size precompute K² for the Kaczmarz sketch.
const DENSE_K2_LIMIT: usize = 2000;

impl<'a> System<'a> {
    pub fn new(k: &'a Matrix, b: &'a [f64]) -> Self {
        Self::with_kind(k, b, SketchKind::Gaussian)
    }

    /// The system with the precomputations `kind` benefits from.
    pub fn with_kind(k: &'a Matrix, b: &'a [f64], kind: SketchKind) -> Self {
        let size = k.ncols();
        let col_norm2 = (0..size)
            .map(|j| {
                let mut s = 0.0;
                k.for_each_in_col(j, |_, v| s += v * v);
                s
            })
            .collect();
        let (k_squared, setup_flops) = match k {
            Matrix::Dense(a) if kind == SketchKind::Kaczmarz && size <= DENSE_K2_LIMIT => {
                (Some(a * a), 2 * (size as u64).pow(3))
            }
            _ => (None, 0),
        };
        Self {
            k,
            b,
            col_norm2,
            k_squared,
            setup_flops,
            primal: size,
        }
    }

    /// Marks the first `n` unknowns as primal (see [`crate::kkt::direct_solve`]).
    pub fn with_primal(mut self, n: usize) -> Self {
        self.primal = n.min(self.size());
        self
    }

    pub fn size(&self) -> usize {
        self.b.len()
    }

    /// r = K z − b; returns the flops.
    fn residual(&self, z: &[f64], r: &mut [f64]) -> u64 {
        let f = self.k.mul_vec(z, r);
        for (ri, bi) in r.iter_mut().zip(self.b) {
            *ri -= bi;
        }
        f + self.size() as u64
    }
}

/// The iterate of a sketch solve: z and its residual r = K z − b.
pub struct SolveState {
    pub z: Vec<f64>,
    pub r: Vec<f64>,
    /// Sketch steps taken on this system so far.
    pub steps: u64,
}

impl SolveState {
    /// Starts from z = 0, so r = −b.
    pub fn zero(b: &[f64]) -> Self {
        Self {
            z: vec![0.0; b.len()],
            r: b.iter().map(|v| -v).collect(),
            steps: 0,
        }
    }

    pub fn residual_norm(&self) -> f64 {
        norm(&self.r)
    }
}

/// A seeded sketching solver with its scratch space.
pub struct Sketcher {
    kind: SketchKind,
    block: usize,
    rng: ChaCha8Rng,
    scratch: Vec<f64>,
    scratch2: Vec<f64>,
    touched: Vec<usize>,
    mark: Vec<bool>,
    /// Flops of the last solve that `poll` aborted (its steps are in the state).
    pub aborted_flops: u64,
}

/// What a call to [`Sketcher::solve`] achieved.
#[derive(Clone, Copy, Debug)]
pub struct SolveReport {
    pub reached: bool,
    pub steps: u64,
    pub flops: u64,
}

impl Sketcher {
    /// A solver of kind `kind` with block size `block` (block sketches only) seeded by `seed`.
    pub fn new(kind: SketchKind, block: usize, seed: u64) -> Self {
        Self {
            kind,
            block: block.max(1),
            rng: ChaCha8Rng::seed_from_u64(seed),
            scratch: Vec::new(),
            scratch2: Vec::new(),
            touched: Vec::new(),
            mark: Vec::new(),
            aborted_flops: 0,
        }
    }

    pub fn kind(&self) -> SketchKind {
        self.kind
    }

    /// Sketches on `sys` from `state` until ‖r‖ ≤ `target` or `budget` more steps were taken.
    /// `poll` is called every few thousand steps; `Break` aborts the solve with
    /// [`Error::Stopped`], keeping the steps taken so far in `state`.
    pub fn solve(
        &mut self,
        sys: &System<'_>,
        state: &mut SolveState,
        target: f64,
        budget: u64,
        poll: &mut dyn FnMut(u64) -> ControlFlow<Stop>,
    ) -> Result<SolveReport> {
        let size = sys.size();
        let mut flops = 0u64;
        let mut steps = 0u64;
        if self.kind == SketchKind::Direct {
            if norm(&state.r) > target {
                let z =
                    crate::kkt::direct_solve(sys.k, sys.b, sys.primal).map_err(Error::Numerical)?;
                state.z = z;
                flops += sys.residual(&state.z, &mut state.r);
                if let Matrix::Dense(_) = sys.k {
                    flops += (2 * size * size * size / 3) as u64;
                }
                state.steps += 1;
                steps = 1;
            }
            let reached = norm(&state.r) <= target;
            return Ok(SolveReport {
                reached,
                steps,
                flops,
            });
        }
        self.scratch.resize(size, 0.0);
        self.scratch2.resize(size, 0.0);
        if self.mark.len() != size {
            self.mark = vec![false; size];
        }
        let mut rnorm2 = dot(&state.r, &state.r);
        if state.steps == 0 {
            flops += sys.setup_flops;
        }
        let poll_every: u64 = if self.kind == SketchKind::Kaczmarz {
            1 << 16
        } else {
            16
        };
        let refresh = if self.kind == SketchKind::Kaczmarz {
            REFRESH.max(size as u64)
        } else {
            REFRESH
        };
        loop {
            if rnorm2.sqrt() <= target {
                // Confirm with an exact residual before stopping.
                flops += sys.residual(&state.z, &mut state.r);
                rnorm2 = dot(&state.r, &state.r);
                if rnorm2.sqrt() <= target {
                    return Ok(SolveReport {
                        reached: true,
                        steps,
                        flops,
                    });
                }
            }
            if steps >= budget {
                return Ok(SolveReport {
                    reached: false,
                    steps,
                    flops,
                });
            }
            if steps > 0
                && steps.is_multiple_of(poll_every)
                && let ControlFlow::Break(stop) = poll(steps)
            {
                self.aborted_flops = flops;
                return Err(Error::Stopped(stop));
            }
            flops += match self.kind {
                SketchKind::Gaussian => self.gaussian_step(sys, state, &mut rnorm2),
                SketchKind::Kaczmarz => self.kaczmarz_step(sys, state, &mut rnorm2),
                SketchKind::BlockGaussian => self.block_gaussian_step(sys, state, &mut rnorm2)?,
                SketchKind::CountSketch => self.count_sketch_step(sys, state, &mut rnorm2)?,
                SketchKind::Direct => unreachable!("handled above"),
            };
            steps += 1;
            state.steps += 1;
            if state.steps.is_multiple_of(refresh) {
                flops += sys.residual(&state.z, &mut state.r);
                rnorm2 = dot(&state.r, &state.r);
            }
        }
    }

    /// z ← z − (sᵀr/‖Ks‖²) Ks with s ~ N(0, I).
    fn gaussian_step(&mut self, sys: &System<'_>, st: &mut SolveState, rnorm2: &mut f64) -> u64 {
        let n = sys.size() as u64;
        for v in self.scratch.iter_mut() {
            *v = self.rng.sample(StandardNormal);
        }
        let s = &self.scratch;
        let u = &mut self.scratch2;
        let mut flops = sys.k.mul_vec(s, u);
        let uu = dot(u, u);
        flops += 4 * n;
        if uu == 0.0 {
            return flops;
        }
        let gamma = dot(s, &st.r) / uu;
        axpy(-gamma, u, &mut st.z);
        // r ← r − γ K u (reuse the Gaussian buffer for K u).
        let ku = &mut self.scratch;
        flops += sys.k.mul_vec(u, ku);
        axpy(-gamma, ku, &mut st.r);
        *rnorm2 = dot(&st.r, &st.r);
        flops + 6 * n
    }

    /// z ← z − (rᵢ/‖Kᵢ‖²) Kᵢ with i uniform; the residual changes only where K Kᵢ is nonzero.
    fn kaczmarz_step(&mut self, sys: &System<'_>, st: &mut SolveState, rnorm2: &mut f64) -> u64 {
        let size = sys.size();
        let i = self.rng.random_range(0..size);
        let ni = sys.col_norm2[i];
        if ni == 0.0 {
            return 1;
        }
        let gamma = st.r[i] / ni;
        let mut flops = 2u64;
        if let Some(k2) = &sys.k_squared {
            sys.k.for_each_in_col(i, |j, kji| st.z[j] -= gamma * kji);
            let w = k2.col_as_slice(i);
            let mut delta = 0.0;
            for (rl, wl) in st.r.iter_mut().zip(w) {
                let new = *rl - gamma * wl;
                delta += new * new - *rl * *rl;
                *rl = new;
            }
            *rnorm2 = (*rnorm2 + delta).max(0.0);
            return flops + 2 * sys.k.col_nnz(i) as u64 + 6 * size as u64;
        }
        // w = K Kᵢ accumulated sparsely into scratch (touched entries listed once).
        let k = sys.k;
        let (w, touched, mark) = (&mut self.scratch, &mut self.touched, &mut self.mark);
        touched.clear();
        let z = &mut st.z;
        k.for_each_in_col(i, |j, kji| {
            z[j] -= gamma * kji;
            k.for_each_in_col(j, |l, klj| {
                if !mark[l] {
                    mark[l] = true;
                    touched.push(l);
                    w[l] = 0.0;
                }
                w[l] += klj * kji;
            });
        });
        flops += 2 * k.col_nnz(i) as u64;
        let mut delta = 0.0;
        for &l in touched.iter() {
            let old = st.r[l];
            let new = old - gamma * w[l];
            delta += new * new - old * old;
            st.r[l] = new;
            mark[l] = false;
        }
        flops += 6 * touched.len() as u64;
        k.for_each_in_col(i, |j, _| flops += 2 * k.col_nnz(j) as u64);
        *rnorm2 = (*rnorm2 + delta).max(0.0);
        flops
    }

    /// z ← z − U (UᵀU)† Sᵀr with U = K S, S ∈ R^{N×q} Gaussian.
    fn block_gaussian_step(
        &mut self,
        sys: &System<'_>,
        st: &mut SolveState,
        rnorm2: &mut f64,
    ) -> Result<u64> {
        let size = sys.size();
        let q = self.block.min(size);
        let mut flops = 0u64;
        let mut s_cols: Vec<Vec<f64>> = Vec::with_capacity(q);
        let mut u_cols: Vec<Vec<f64>> = Vec::with_capacity(q);
        for _ in 0..q {
            let s: Vec<f64> = (0..size).map(|_| self.rng.sample(StandardNormal)).collect();
            let mut u = vec![0.0; size];
            flops += sys.k.mul_vec(&s, &mut u);
            s_cols.push(s);
            u_cols.push(u);
        }
        let mut m = Mat::<f64>::zeros(q, q);
        let mut t = vec![0.0; q];
        for a in 0..q {
            t[a] = dot(&s_cols[a], &st.r);
            for b in 0..=a {
                let v = dot(&u_cols[a], &u_cols[b]);
                m[(a, b)] = v;
                m[(b, a)] = v;
            }
        }
        flops += ((q * (q + 1) + 2 * q) * size) as u64;
        let y = psd_pinv_solve(&m, &t).map_err(Error::Numerical)?;
        flops += (q * q * q) as u64;
        let dz = &mut self.scratch;
        dz.iter_mut().for_each(|v| *v = 0.0);
        for a in 0..q {
            axpy(y[a], &u_cols[a], dz);
        }
        axpy(-1.0, dz, &mut st.z);
        let kdz = &mut self.scratch2;
        flops += sys.k.mul_vec(dz, kdz);
        axpy(-1.0, kdz, &mut st.r);
        *rnorm2 = dot(&st.r, &st.r);
        Ok(flops + (2 * q * size + 6 * size) as u64)
    }

    /// Count-sketch step: S has one ±1 per row, in a uniformly random column of q.
    fn count_sketch_step(
        &mut self,
        sys: &System<'_>,
        st: &mut SolveState,
        rnorm2: &mut f64,
    ) -> Result<u64> {
        let size = sys.size();
        let q = self.block.min(size);
        let hash: Vec<usize> = (0..size).map(|_| self.rng.random_range(0..q)).collect();
        let sign: Vec<f64> = (0..size)
            .map(|_| if self.rng.random::<bool>() { 1.0 } else { -1.0 })
            .collect();
        // M = Σᵢ uᵢuᵢᵀ with uᵢ = row i of K S (bucketed entries of column i, K symmetric).
        let mut m = Mat::<f64>::zeros(q, q);
        let mut acc = vec![0.0; q];
        let mut in_use = vec![false; q];
        let mut used: Vec<usize> = Vec::with_capacity(q);
        let mut flops = 0u64;
        for i in 0..size {
            used.clear();
            sys.k.for_each_in_col(i, |j, kji| {
                let bucket = hash[j];
                if !in_use[bucket] {
                    in_use[bucket] = true;
                    used.push(bucket);
                }
                acc[bucket] += sign[j] * kji;
            });
            flops += sys.k.col_nnz(i) as u64;
            for (ia, &a) in used.iter().enumerate() {
                let va = acc[a];
                for &b in &used[..=ia] {
                    m[(a.max(b), a.min(b))] += va * acc[b];
                }
            }
            flops += (used.len() * (used.len() + 1)) as u64;
            for &a in &used {
                acc[a] = 0.0;
                in_use[a] = false;
            }
        }
        for a in 0..q {
            for b in 0..a {
                m[(b, a)] = m[(a, b)];
            }
        }
        // t = Sᵀ r.
        let mut t = vec![0.0; q];
        for j in 0..size {
            t[hash[j]] += sign[j] * st.r[j];
        }
        let y = psd_pinv_solve(&m, &t).map_err(Error::Numerical)?;
        flops += (q * q * q) as u64 + 2 * size as u64;
        // dz = K (S y), then r ← r − K dz.
        let v = &mut self.scratch;
        for j in 0..size {
            v[j] = sign[j] * y[hash[j]];
        }
        let dz = &mut self.scratch2;
        flops += sys.k.mul_vec(v, dz);
        axpy(-1.0, dz, &mut st.z);
        let kdz = &mut self.scratch;
        flops += sys.k.mul_vec(dz, kdz);
        axpy(-1.0, kdz, &mut st.r);
        *rnorm2 = dot(&st.r, &st.r);
        Ok(flops + 6 * size as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A symmetric indefinite KKT-like system with a known solution.
    fn system() -> (Matrix, Vec<f64>, Vec<f64>) {
        let h = Matrix::dense_from_fn(4, 4, |i, j| {
            if i == j {
                2.0 + i as f64
            } else {
                0.3 / (1.0 + (i + j) as f64)
            }
        });
        let g = Matrix::dense_from_fn(2, 4, |i, j| {
            ((i + 1) * (j + 2)) as f64 * 0.25 + if i == j { 1.0 } else { 0.0 }
        });
        let k = crate::kkt::assemble(&h, 0.0, &g, 0.0, false);
        let z_star: Vec<f64> = (0..6).map(|i| (i as f64 - 2.5) * 0.7).collect();
        let mut b = vec![0.0; 6];
        k.mul_vec(&z_star, &mut b);
        (k, b, z_star)
    }

    /// Every sketch converges to the solution of a nonsingular system, dense and sparse, and
    /// the dense and sparse paths take identical steps for the same seed.
    #[test]
    fn all_sketches_converge_dense_and_sparse() {
        let (kd, b, z_star) = system();
        let ks = Matrix::Sparse(kd.to_sparse());
        for kind in [
            SketchKind::Gaussian,
            SketchKind::Kaczmarz,
            SketchKind::BlockGaussian,
            SketchKind::CountSketch,
            SketchKind::Direct,
        ] {
            let mut steps_seen = Vec::new();
            for k in [&kd, &ks] {
                let sys = System::with_kind(k, &b, kind);
                let mut st = SolveState::zero(&b);
                let mut sk = Sketcher::new(kind, 3, 42);
                let target = 1e-12 * norm(&b);
                let rep = sk
                    .solve(&sys, &mut st, target, 2_000_000, &mut |_| {
                        ControlFlow::Continue(())
                    })
                    .unwrap();
                assert!(rep.reached, "{kind:?}: residual {}", st.residual_norm());
                let err: f64 =
                    st.z.iter()
                        .zip(&z_star)
                        .map(|(a, b)| (a - b).abs())
                        .fold(0.0, f64::max);
                assert!(err < 1e-9, "{kind:?}: error {err:e}");
                assert!(rep.flops > 0);
                steps_seen.push(rep.steps);
            }
            assert_eq!(
                steps_seen[0], steps_seen[1],
                "{kind:?}: dense and sparse differ"
            );
        }
    }

    #[test]
    fn a_solve_resumes_where_it_stopped_and_honours_the_budget() {
        let (k, b, _) = system();
        let sys = System::new(&k, &b);
        let mut st = SolveState::zero(&b);
        let mut sk = Sketcher::new(SketchKind::Gaussian, 1, 7);
        let rep = sk
            .solve(&sys, &mut st, 0.0, 10, &mut |_| ControlFlow::Continue(()))
            .unwrap();
        assert!(!rep.reached);
        assert_eq!(rep.steps, 10);
        let before = st.residual_norm();
        let rep = sk
            .solve(&sys, &mut st, 1e-3 * before, 1_000_000, &mut |_| {
                ControlFlow::Continue(())
            })
            .unwrap();
        assert!(rep.reached && st.steps == 10 + rep.steps);
        // The tracked residual equals the true one.
        let mut r = vec![0.0; 6];
        sys.residual(&st.z, &mut r);
        let diff: f64 = r
            .iter()
            .zip(&st.r)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(diff < 1e-12);
    }

    #[test]
    fn polling_errors_abort_the_solve() {
        let (k, b, _) = system();
        let sys = System::new(&k, &b);
        let mut st = SolveState::zero(&b);
        let mut sk = Sketcher::new(SketchKind::Kaczmarz, 1, 7);
        let err = sk
            .solve(&sys, &mut st, -1.0, u64::MAX, &mut |_| {
                ControlFlow::Break(Stop::Cancelled)
            })
            .unwrap_err();
        assert!(matches!(err, Error::Stopped(Stop::Cancelled)), "{err}");
        assert!(st.steps > 0, "the steps taken before the stop are kept");
    }
}
