//! [`Model`]: the solver's internal form of a problem, and the operators on it.
//!
//! Built once per solve from an [`SdpProblem`]: constraint rows are scaled to unit norm, each
//! block keeps its pieces of the constraint matrices in the form that is cheapest to use
//! (sparse entry lists sorted by size, or the columns of the rank-one terms stacked into one
//! matrix), and `F_0` is stored dense. The operators `A(H) = (F_i•H)_i` and
//! `A*(y) = Σ y_i F_i` and the Schur complement `B_ij = tr(F_i X⁻¹ F_j Y)` (see [`crate::schur`])
//! work from these.

use faer::{Mat, Par};

use crate::blocks::{BlockMatrix, BlockValue};
use crate::dense;
use crate::problem::{BlockKind, Part, SdpProblem};
use crate::scalar::Real;

/// One constraint's sparse entries in one PSD block, both triangles listed.
#[derive(Clone, Debug)]
pub(crate) struct SparsePiece<T> {
    pub owner: usize,
    /// `(row, col, value)` with every off-diagonal entry listed at both positions.
    pub entries: Vec<(usize, usize, T)>,
    /// The distinct columns that hold entries.
    pub support: Vec<usize>,
    /// Whether the Schur complement uses `X⁻¹ F Y` formed densely (else entry by entry).
    pub dense_formula: bool,
}

/// The pieces of all constraints in one PSD block.
#[derive(Clone, Debug)]
pub(crate) struct PsdBlock<T> {
    pub n: usize,
    /// Sparse pieces, most entries first.
    pub sparse: Vec<SparsePiece<T>>,
    /// Rank-one terms `λ_t v_t v_tᵀ`: `v_t` is column `t`; sorted by owner.
    pub v: Mat<T>,
    /// `Vᵀ`, kept so that row panels of it are contiguous.
    pub vt: Mat<T>,
    pub owner: Vec<usize>,
    pub weight: Vec<T>,
}

/// The pieces of all constraints in one LP block.
#[derive(Clone, Debug)]
pub(crate) struct LpBlock<T> {
    pub n: usize,
    /// For each coordinate `k`, the constraints with `F_i[k] ≠ 0`: `(i, F_i[k])`.
    pub by_index: Vec<Vec<(usize, T)>>,
    /// The same entries constraint by constraint: `(i, [(k, F_i[k])])`.
    pub by_constraint: Vec<(usize, Vec<(usize, T)>)>,
    /// When the block is dense enough: the owners and their dense rows (owners × n).
    pub dense: Option<(Vec<usize>, Mat<T>)>,
}

#[derive(Clone, Debug)]
pub(crate) enum BlockData<T> {
    Psd(PsdBlock<T>),
    Lp(LpBlock<T>),
}

/// The scaled problem the iterations run on.
#[derive(Clone, Debug)]
pub(crate) struct Model<T> {
    pub kinds: Vec<BlockKind>,
    pub m: usize,
    /// Free variables (`k`).
    pub k: usize,
    /// `c` scaled by the row scales.
    pub c: Vec<T>,
    /// Row scales `r_i`: the model's `F_i` is `r_i` times the problem's. `r_i` is one over the
    /// root of the summed squared Frobenius norms of the constraint's parts (and `G_i`): the
    /// norm of `F_i` when its parts do not overlap, and a fair scale when they do.
    pub row_scale: Vec<T>,
    /// `b` (not scaled).
    pub b: Vec<T>,
    /// `G` (m × k), rows scaled.
    pub g: Mat<T>,
    pub f0: BlockMatrix<T>,
    pub blocks: Vec<BlockData<T>>,
    /// ‖c‖₂, ‖F_0‖_F and ‖b‖₂ of the unscaled problem, for relative errors.
    pub norm_c: f64,
    pub norm_f0: f64,
    pub norm_b: f64,
    pub par: Par,
}

impl<T: Real> Model<T> {
    /// Builds the model; the problem must be valid ([`SdpProblem::validate`]).
    pub fn new(problem: &SdpProblem<T>, par: Par) -> Self {
        let m = problem.num_constraints();
        let k = problem.num_free();
        let kinds = problem.blocks.clone();

        // Row norms (parts' ‖·‖_F² summed, with ‖G_i‖²) for the scaling.
        let mut row_norm_sq = vec![T::zero(); m];
        for (i, parts) in problem.constraints.iter().enumerate() {
            for part in parts {
                row_norm_sq[i] += part_norm_sq(&part.part, kinds[part.block]);
            }
        }
        let mut g = dense::zeros::<T>(m, k);
        for &(i, kk, v) in &problem.free_coefficients {
            g[(i, kk)] += v;
        }
        for i in 0..m {
            for kk in 0..k {
                row_norm_sq[i] += g[(i, kk)] * g[(i, kk)];
            }
        }
        let row_scale: Vec<T> = row_norm_sq
            .iter()
            .map(|&s| {
                if s > T::zero() {
                    T::one() / s.sqrt()
                } else {
                    T::one()
                }
            })
            .collect();
        for i in 0..m {
            for kk in 0..k {
                g[(i, kk)] *= row_scale[i];
            }
        }
        let c: Vec<T> = problem
            .c
            .iter()
            .zip(&row_scale)
            .map(|(&c, &r)| c * r)
            .collect();

        let mut blocks: Vec<BlockData<T>> = Vec::with_capacity(kinds.len());
        for (bi, &kind) in kinds.iter().enumerate() {
            let pieces = problem
                .constraints
                .iter()
                .enumerate()
                .flat_map(|(i, parts)| {
                    parts
                        .iter()
                        .filter(move |p| p.block == bi)
                        .map(move |p| (i, &p.part))
                });
            blocks.push(match kind {
                BlockKind::Psd(n) => BlockData::Psd(build_psd(n, pieces, &row_scale)),
                BlockKind::Lp(n) => BlockData::Lp(build_lp(n, m, pieces, &row_scale)),
            });
        }

        let mut f0 = BlockMatrix::<T>::zeros(&kinds);
        for part in &problem.f0 {
            add_part_dense(&mut f0.blocks[part.block], &part.part, T::one(), par);
        }
        let norm = |v: &[T]| v.iter().map(|x| x.to_f64().powi(2)).sum::<f64>().sqrt();
        Model {
            m,
            k,
            norm_c: norm(&problem.c),
            norm_f0: f0.norm_fro().to_f64(),
            norm_b: norm(&problem.free_objective),
            c,
            row_scale,
            b: problem.free_objective.clone(),
            g,
            f0,
            blocks,
            kinds,
            par,
        }
    }

    /// `A(H) = (F_i•H)_i` for a block matrix `H` (dense blocks need not be symmetric).
    pub fn apply(&self, h: &BlockMatrix<T>) -> Vec<T> {
        let mut out = vec![T::zero(); self.m];
        for (data, hb) in self.blocks.iter().zip(&h.blocks) {
            match data {
                BlockData::Psd(p) => {
                    let hm = hb.dense();
                    for piece in &p.sparse {
                        let mut s = T::zero();
                        for &(a, b, u) in &piece.entries {
                            s = s.mul_add(u, hm[(a, b)]);
                        }
                        out[piece.owner] += s;
                    }
                    if !p.owner.is_empty() {
                        let hv = crate::dense::mul(hm.as_ref(), p.v.as_ref(), self.par);
                        for t in 0..p.owner.len() {
                            let mut s = T::zero();
                            for (&x, &y) in p.v.col_as_slice(t).iter().zip(hv.col_as_slice(t)) {
                                s = s.mul_add(x, y);
                            }
                            out[p.owner[t]] += p.weight[t] * s;
                        }
                    }
                }
                BlockData::Lp(l) => {
                    let hd = hb.diag();
                    for (i, entries) in &l.by_constraint {
                        let mut s = T::zero();
                        for &(kk, f) in entries {
                            s += f * hd[kk];
                        }
                        out[*i] += s;
                    }
                }
            }
        }
        out
    }

    /// `A*(y) = Σ y_i F_i`.
    pub fn adjoint(&self, y: &[T]) -> BlockMatrix<T> {
        let mut out = BlockMatrix::<T>::zeros(&self.kinds);
        for (data, ob) in self.blocks.iter().zip(&mut out.blocks) {
            match data {
                BlockData::Psd(p) => {
                    let om = ob.dense_mut();
                    for piece in &p.sparse {
                        let s = y[piece.owner];
                        for &(a, b, u) in &piece.entries {
                            om[(a, b)] += s * u;
                        }
                    }
                    if !p.owner.is_empty() {
                        let t = p.owner.len();
                        let mut w = p.v.clone();
                        for c in 0..t {
                            let s = p.weight[c] * y[p.owner[c]];
                            for x in w.col_as_slice_mut(c) {
                                *x *= s;
                            }
                        }
                        T::gemm(
                            om.as_mut(),
                            true,
                            w.as_ref(),
                            p.vt.as_ref(),
                            T::one(),
                            self.par,
                        );
                    }
                }
                BlockData::Lp(l) => {
                    let od = ob.diag_mut();
                    for (i, entries) in &l.by_constraint {
                        for &(kk, f) in entries {
                            od[kk] += y[*i] * f;
                        }
                    }
                }
            }
        }
        out
    }

    /// `G w`.
    pub fn g_times(&self, w: &[T]) -> Vec<T> {
        (0..self.m)
            .map(|i| {
                let mut s = T::zero();
                for kk in 0..self.k {
                    s += self.g[(i, kk)] * w[kk];
                }
                s
            })
            .collect()
    }

    /// `Gᵀ x`.
    pub fn gt_times(&self, x: &[T]) -> Vec<T> {
        (0..self.k)
            .map(|kk| {
                let mut s = T::zero();
                for i in 0..self.m {
                    s += self.g[(i, kk)] * x[i];
                }
                s
            })
            .collect()
    }

    pub fn total_dim(&self) -> usize {
        self.kinds.iter().map(|k| k.dim()).sum()
    }
}

/// ‖part‖_F² of one block part.
fn part_norm_sq<T: Real>(part: &Part<T>, kind: BlockKind) -> T {
    let mut s = T::zero();
    match part {
        Part::Entries(entries) => {
            // Sum duplicates first: the norm is of the matrix, not of the list.
            let mut e: Vec<(usize, usize, T)> = entries.clone();
            e.sort_by_key(|&(i, j, _)| (i, j));
            let mut k = 0;
            while k < e.len() {
                let (i, j, mut v) = e[k];
                k += 1;
                while k < e.len() && (e[k].0, e[k].1) == (i, j) {
                    v += e[k].2;
                    k += 1;
                }
                let mult = if i == j || kind.is_lp() {
                    T::one()
                } else {
                    T::from_f64(2.0)
                };
                s += mult * v * v;
            }
        }
        Part::LowRank(terms) => {
            for (a, (wa, va)) in terms.iter().enumerate() {
                for (b, (wb, vb)) in terms[..=a].iter().enumerate() {
                    let mut d = T::zero();
                    for (&x, &y) in va.iter().zip(vb) {
                        d += x * y;
                    }
                    let mult = if a == b { T::one() } else { T::from_f64(2.0) };
                    s += mult * *wa * *wb * d * d;
                }
            }
        }
    }
    s
}

fn build_psd<'a, T: Real>(
    n: usize,
    pieces: impl Iterator<Item = (usize, &'a Part<T>)>,
    row_scale: &[T],
) -> PsdBlock<T> {
    // Merge every constraint's entries in this block (several parts may add up).
    let mut entries_of: std::collections::BTreeMap<usize, Vec<(usize, usize, T)>> =
        Default::default();
    let mut terms: Vec<(usize, T, Vec<T>)> = Vec::new();
    for (i, part) in pieces {
        let r = row_scale[i];
        match part {
            Part::Entries(e) => entries_of
                .entry(i)
                .or_default()
                .extend(e.iter().map(|&(a, b, v)| (a, b, v * r))),
            Part::LowRank(t) => terms.extend(t.iter().map(|(w, v)| (i, *w * r, v.clone()))),
        }
    }
    let mut sparse: Vec<SparsePiece<T>> = Vec::new();
    for (owner, mut e) in entries_of {
        e.sort_by_key(|&(a, b, _)| (a, b));
        let mut full: Vec<(usize, usize, T)> = Vec::with_capacity(2 * e.len());
        let mut k = 0;
        while k < e.len() {
            let (a, b, mut v) = e[k];
            k += 1;
            while k < e.len() && (e[k].0, e[k].1) == (a, b) {
                v += e[k].2;
                k += 1;
            }
            if v == T::zero() {
                continue;
            }
            full.push((a, b, v));
            if a != b {
                full.push((b, a, v));
            }
        }
        if full.is_empty() {
            continue;
        }
        let mut support: Vec<usize> = full.iter().map(|&(_, b, _)| b).collect();
        support.sort_unstable();
        support.dedup();
        sparse.push(SparsePiece {
            owner,
            entries: full,
            support,
            dense_formula: false,
        });
    }
    sparse.sort_by_key(|p| std::cmp::Reverse(p.entries.len()));
    // Choose per piece between forming X⁻¹ F_j Y densely (cost ~ n·nnz + n²·|support| + the
    // later pieces' entries) and the entry-by-entry formula (nnz_j · later entries).
    let mut later: usize = sparse.iter().map(|p| p.entries.len()).sum();
    for piece in &mut sparse {
        let nnz = piece.entries.len();
        let dense_cost = n * nnz + n * n * piece.support.len() + later;
        let sparse_cost = nnz.saturating_mul(later).saturating_mul(2);
        piece.dense_formula = dense_cost < sparse_cost;
        later -= nnz;
    }

    terms.sort_by_key(|t| t.0);
    let t = terms.len();
    let v = Mat::<T>::from_fn(n, t, |i, j| terms[j].2[i]);
    let vt = dense::to_owned(v.transpose());
    PsdBlock {
        n,
        sparse,
        v,
        vt,
        owner: terms.iter().map(|t| t.0).collect(),
        weight: terms.iter().map(|t| t.1).collect(),
    }
}

fn build_lp<'a, T: Real>(
    n: usize,
    m: usize,
    pieces: impl Iterator<Item = (usize, &'a Part<T>)>,
    row_scale: &[T],
) -> LpBlock<T> {
    let mut rows: std::collections::BTreeMap<usize, Vec<T>> = Default::default();
    for (i, part) in pieces {
        let row = rows.entry(i).or_insert_with(|| vec![T::zero(); n]);
        if let Part::Entries(e) = part {
            for &(a, _, v) in e {
                row[a] += v * row_scale[i];
            }
        }
    }
    let mut by_index: Vec<Vec<(usize, T)>> = vec![Vec::new(); n];
    let mut by_constraint = Vec::new();
    let mut nnz = 0usize;
    for (&i, row) in &rows {
        let entries: Vec<(usize, T)> = row
            .iter()
            .enumerate()
            .filter(|(_, v)| **v != T::zero())
            .map(|(k, v)| (k, *v))
            .collect();
        for &(k, v) in &entries {
            by_index[k].push((i, v));
        }
        nnz += entries.len();
        if !entries.is_empty() {
            by_constraint.push((i, entries));
        }
    }
    let owners: Vec<usize> = by_constraint.iter().map(|(i, _)| *i).collect();
    let density = nnz as f64 / (owners.len().max(1) * n) as f64;
    let dense = (density > 0.25 && owners.len() >= 8 && n >= 8).then(|| {
        let mut a = dense::zeros::<T>(owners.len(), n);
        for (r, (_, entries)) in by_constraint.iter().enumerate() {
            for &(k, v) in entries {
                a[(r, k)] = v;
            }
        }
        (owners, a)
    });
    let _ = m;
    LpBlock {
        n,
        by_index,
        by_constraint,
        dense,
    }
}

/// Adds `s · part` to a dense or diagonal block.
pub(crate) fn add_part_dense<T: Real>(block: &mut BlockValue<T>, part: &Part<T>, s: T, par: Par) {
    match (block, part) {
        (BlockValue::Dense(m), Part::Entries(e)) => {
            for &(a, b, v) in e {
                m[(a, b)] += s * v;
                if a != b {
                    m[(b, a)] += s * v;
                }
            }
        }
        (BlockValue::Dense(m), Part::LowRank(terms)) => {
            let n = m.nrows();
            let t = terms.len();
            let v = Mat::<T>::from_fn(n, t, |i, j| terms[j].1[i]);
            let w = Mat::<T>::from_fn(n, t, |i, j| terms[j].1[i] * terms[j].0 * s);
            T::gemm(m.as_mut(), true, w.as_ref(), v.transpose(), T::one(), par);
        }
        (BlockValue::Diag(d), Part::Entries(e)) => {
            for &(a, _, v) in e {
                d[a] += s * v;
            }
        }
        (BlockValue::Diag(_), Part::LowRank(_)) => {
            unreachable!("validated: no rank-one terms in LP blocks")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::BlockKind;

    #[test]
    fn operators_match_the_dense_matrices_and_are_adjoint() {
        let mut p = SdpProblem::<f64>::new(vec![BlockKind::Psd(3), BlockKind::Lp(2)]);
        let c0 = p.add_constraint(1.0);
        p.add_entry(c0, 0, 0, 1, 2.0);
        p.add_entry(c0, 0, 0, 1, 1.0); // repeated positions add up: F[0][1] = 3
        p.add_entry(c0, 1, 1, 1, -1.0);
        let c1 = p.add_constraint(2.0);
        p.add_rank_one(c1, 0, 2.0, vec![1.0, 0.0, -1.0]);
        p.add_entry(c1, 0, 2, 2, 4.0);
        p.validate().unwrap();
        let model = Model::new(&p, Par::Seq);
        // Row scales: ‖F_0‖² = 2·3² + 1²; for F_1 the parts' norms add as if orthogonal:
        // ‖2vvᵀ‖² + ‖4e₂e₂ᵀ‖² = (2·2)² + 4² = 32.
        assert!((model.row_scale[0] - 1.0 / 19f64.sqrt()).abs() < 1e-15);
        assert!((model.row_scale[1] - 1.0 / 32f64.sqrt()).abs() < 1e-15);
        let f1 = [[2.0, 0.0, -2.0], [0.0, 0.0, 0.0], [-2.0, 0.0, 6.0]];
        let a = model.adjoint(&[0.0, 1.0]);
        for i in 0..3 {
            for j in 0..3 {
                assert!((a.blocks[0].get(i, j) - f1[i][j] / 32f64.sqrt()).abs() < 1e-15);
            }
        }
        // <A(H), y> = <H, A*(y)> for a non-symmetric H (A uses F symmetric).
        let h = BlockMatrix {
            blocks: vec![
                BlockValue::Dense(Mat::from_fn(3, 3, |i, j| (i * 3 + j) as f64 - 2.5)),
                BlockValue::Diag(vec![0.5, -3.0]),
            ],
        };
        let y = [0.7, -1.3];
        let lhs: f64 = model.apply(&h).iter().zip(&y).map(|(a, b)| a * b).sum();
        let rhs = model.adjoint(&y).dot(&h);
        assert!((lhs - rhs).abs() < 1e-13, "{lhs} vs {rhs}");
    }
}
