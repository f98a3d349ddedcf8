//! The Schur complement `B_ij = Σ_blocks tr(F_i X⁻¹ F_j Y)` of the HKM direction.
//!
//! Assembled block by block, and within a block by the cheapest formula for each pair of
//! pieces (after Fujisawa, Kojima and Nakata, "Exploiting sparsity in primal-dual
//! interior-point methods for semidefinite programming", Math. Prog. 79 (1997)):
//!
//! * a dense-ish sparse piece `F_j`: form `U = X⁻¹ F_j Y` on the columns `F_j` touches (one
//!   product of size n × |support| × n), then `B_ij = Σ_(a,b) F_i[a,b] U[b,a]` for every later
//!   (sparser) piece `F_i`;
//! * two sparse pieces: `Σ F_i[a,b] X⁻¹[b,c] F_j[c,d] Y[d,a]` over their entries;
//! * rank-one terms `λ v vᵀ` (sampled polynomial identities): with `P = Vᵀ X⁻¹ V` and
//!   `Q = Vᵀ Y V`, `tr(v_r v_rᵀ X⁻¹ v_s v_sᵀ Y) = P_rs Q_rs`, two products in column panels;
//! * a sparse piece against a rank-one term: `(Y v)ᵀ F_i (X⁻¹ v)`;
//! * LP blocks: `Σ_k F_i[k] F_j[k] y_k / x_k`, by coordinates, or as one product `A D Aᵀ`
//!   when the block is dense.
//!
//! Only the lower triangle is accumulated; a pair of distinct pieces of the same constraint
//! counts twice on the diagonal (both orders contribute to `B_ii`).

use faer::{Mat, Par};

use crate::blocks::BlockMatrix;
use crate::dense;
use crate::model::{BlockData, LpBlock, Model, PsdBlock};
use crate::scalar::Real;

/// Rank-one terms are paired in column panels (bounds the temporaries); each panel's product
/// covers the rows from its first column down, so narrow panels skip most of the upper
/// triangle. faer's `f64` product wants wide panels; the plain column loops of the other
/// types run as fast on narrow ones, where the panels then cost 5/8 of the full square
/// (t = 64, width 16) instead of all of it.
fn panel_width<T: Real>() -> usize {
    if T::BITS == f64::MANTISSA_DIGITS {
        256
    } else {
        16
    }
}

/// `B` (m × m, symmetric) for the current `X⁻¹` (`ginv`: dense inverse of PSD blocks, `1/x`
/// for LP blocks) and `Y`.
pub(crate) fn assemble<T: Real>(
    model: &Model<T>,
    ginv: &BlockMatrix<T>,
    y: &BlockMatrix<T>,
) -> Mat<T> {
    let m = model.m;
    let mut b = dense::zeros::<T>(m, m);
    for ((data, g), yb) in model.blocks.iter().zip(&ginv.blocks).zip(&y.blocks) {
        match data {
            BlockData::Psd(p) => psd_block(p, g.dense(), yb.dense(), &mut b, model.par),
            BlockData::Lp(l) => lp_block(l, g.diag(), yb.diag(), &mut b, model.par),
        }
    }
    crate::dense::symmetrize_from_lower(&mut b);
    b
}

#[inline]
fn add_lower<T: Real>(b: &mut Mat<T>, i: usize, j: usize, v: T) {
    let (r, c) = if i >= j { (i, j) } else { (j, i) };
    b[(r, c)] += v;
}

fn psd_block<T: Real>(p: &PsdBlock<T>, g: &Mat<T>, y: &Mat<T>, b: &mut Mat<T>, par: Par) {
    let n = p.n;
    let two = T::from_f64(2.0);
    let gcol: Vec<&[T]> = (0..n).map(|j| g.col_as_slice(j)).collect();
    let ycol: Vec<&[T]> = (0..n).map(|j| y.col_as_slice(j)).collect();

    // Sparse against sparse.
    let mut u = dense::zeros::<T>(0, 0);
    for (jpos, pj) in p.sparse.iter().enumerate() {
        if pj.dense_formula {
            // U = X⁻¹ F_j Y on the support of F_j: (X⁻¹ F_j)[:, s] = Σ_(a,s,v) v X⁻¹[:, a].
            let support = &pj.support;
            let mut slot = vec![usize::MAX; n];
            for (k, &s) in support.iter().enumerate() {
                slot[s] = k;
            }
            let mut t1 = dense::zeros::<T>(n, support.len());
            for &(a, s, v) in &pj.entries {
                let col = t1.col_as_slice_mut(slot[s]);
                for (x, &ga) in col.iter_mut().zip(gcol[a]) {
                    *x = x.mul_add(v, ga);
                }
            }
            let ys = Mat::<T>::from_fn(support.len(), n, |r, c| ycol[c][support[r]]);
            if u.nrows() != n {
                u = dense::zeros::<T>(n, n);
            }
            T::gemm(u.as_mut(), false, t1.as_ref(), ys.as_ref(), T::one(), par);
            for (ipos, pi) in p.sparse.iter().enumerate().skip(jpos) {
                let mut s = T::zero();
                for &(a, bb, w) in &pi.entries {
                    s = s.mul_add(w, u[(bb, a)]);
                }
                let factor = if pi.owner == pj.owner && ipos != jpos {
                    two
                } else {
                    T::one()
                };
                add_lower(b, pi.owner, pj.owner, factor * s);
            }
        } else {
            for (ipos, pi) in p.sparse.iter().enumerate().skip(jpos) {
                let mut s = T::zero();
                for &(a, bb, w) in &pi.entries {
                    let gb = gcol[bb];
                    let ya = ycol[a];
                    let mut inner = T::zero();
                    for &(c, d, v) in &pj.entries {
                        inner = inner.mul_add(v.mul_fast(gb[c]), ya[d]);
                    }
                    s = s.mul_add(w, inner);
                }
                let factor = if pi.owner == pj.owner && ipos != jpos {
                    two
                } else {
                    T::one()
                };
                add_lower(b, pi.owner, pj.owner, factor * s);
            }
        }
    }

    let t = p.owner.len();
    if t == 0 {
        return;
    }
    let gv = crate::dense::mul(g.as_ref(), p.v.as_ref(), par);
    let yv = crate::dense::mul(y.as_ref(), p.v.as_ref(), par);

    // Sparse against rank-one: λ_t (Y v_t)ᵀ F_i (X⁻¹ v_t).
    for pi in &p.sparse {
        for tt in 0..t {
            let gvt = gv.col_as_slice(tt);
            let yvt = yv.col_as_slice(tt);
            let mut s = T::zero();
            for &(a, bb, w) in &pi.entries {
                s = s.mul_add(w.mul_fast(yvt[a]), gvt[bb]);
            }
            let factor = if pi.owner == p.owner[tt] {
                two
            } else {
                T::one()
            };
            add_lower(b, pi.owner, p.owner[tt], factor * p.weight[tt] * s);
        }
    }

    // Rank-one against rank-one, in panels of columns s0..s1 against rows s0..t.
    let mut s0 = 0;
    while s0 < t {
        let s1 = (s0 + panel_width::<T>()).min(t);
        let rows = t - s0;
        let vt_rows = p.vt.as_ref().subrows(s0, rows);
        let mut pp = dense::zeros::<T>(rows, s1 - s0);
        let mut qq = dense::zeros::<T>(rows, s1 - s0);
        T::gemm(
            pp.as_mut(),
            false,
            vt_rows,
            gv.as_ref().subcols(s0, s1 - s0),
            T::one(),
            par,
        );
        T::gemm(
            qq.as_mut(),
            false,
            vt_rows,
            yv.as_ref().subcols(s0, s1 - s0),
            T::one(),
            par,
        );
        for sc in s0..s1 {
            let pcol = pp.col_as_slice(sc - s0);
            let qcol = qq.col_as_slice(sc - s0);
            let os = p.owner[sc];
            let ws = p.weight[sc];
            for r in sc..t {
                let or = p.owner[r];
                let mut v = p.weight[r]
                    .mul_fast(ws)
                    .mul_fast(pcol[r - s0].mul_fast(qcol[r - s0]));
                if r != sc && or == os {
                    v *= two;
                }
                add_lower(b, or, os, v);
            }
        }
        s0 = s1;
    }
}

fn lp_block<T: Real>(l: &LpBlock<T>, xinv: &[T], y: &[T], b: &mut Mat<T>, par: Par) {
    if let Some((owners, a)) = &l.dense {
        // A D Aᵀ with D = diag(y / x).
        let mut ad = a.clone();
        for k in 0..l.n {
            let d = y[k] * xinv[k];
            for v in ad.col_as_slice_mut(k) {
                *v *= d;
            }
        }
        let mut mm = dense::zeros::<T>(owners.len(), owners.len());
        T::gemm(
            mm.as_mut(),
            false,
            ad.as_ref(),
            a.transpose(),
            T::one(),
            par,
        );
        for (c, &oc) in owners.iter().enumerate() {
            for (r, &or) in owners.iter().enumerate().skip(c) {
                add_lower(b, or, oc, mm[(r, c)]);
            }
        }
        return;
    }
    for (k, list) in l.by_index.iter().enumerate() {
        let d = y[k] * xinv[k];
        for (p1, &(i, fi)) in list.iter().enumerate() {
            let dfi = d.mul_fast(fi);
            for &(j, fj) in &list[..=p1] {
                let (r, c) = if i >= j { (i, j) } else { (j, i) };
                b[(r, c)] = b[(r, c)].mul_add(dfi, fj);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocks::BlockValue;
    use crate::problem::{BlockKind, SdpProblem};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// A problem mixing every kind of piece: dense and sparse entries, rank-one terms, a
    /// constraint with both in one block, and an LP block (dense enough for the product path).
    fn mixed_problem(rng: &mut ChaCha8Rng) -> SdpProblem<f64> {
        let n = 7;
        let mut p =
            SdpProblem::<f64>::new(vec![BlockKind::Psd(n), BlockKind::Lp(9), BlockKind::Psd(3)]);
        for i in 0..12 {
            let c = p.add_constraint(rng.random_range(-1.0..1.0));
            match i % 4 {
                0 => {
                    for r in 0..n {
                        for s in r..n {
                            p.add_entry(c, 0, r, s, rng.random_range(-1.0..1.0));
                        }
                    }
                }
                1 => p.add_entry(c, 0, i % n, (i + 2) % n, 1.5),
                2 => {
                    let v: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
                    p.add_rank_one(c, 0, rng.random_range(0.5..2.0), v);
                    p.add_entry(c, 0, 1, 1, -0.5);
                }
                _ => {
                    let v: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
                    p.add_rank_one(c, 0, -1.0, v.clone());
                    let w: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
                    p.add_rank_one(c, 0, 2.0, w);
                }
            }
            for k in 0..9 {
                if rng.random_range(0.0..1.0) < 0.6 {
                    p.add_entry(c, 1, k, k, rng.random_range(-1.0..1.0));
                }
            }
            if i % 3 == 0 {
                p.add_entry(c, 2, 0, 2, 1.0);
                p.add_rank_one(c, 2, 1.0, vec![1.0, -1.0, 0.5]);
            }
        }
        p
    }

    fn random_spd(n: usize, rng: &mut ChaCha8Rng) -> Mat<f64> {
        let a = Mat::<f64>::from_fn(n, n, |_, _| rng.random_range(-1.0..1.0));
        let mut s = crate::dense::mul(a.as_ref(), a.transpose(), Par::Seq);
        for i in 0..n {
            s[(i, i)] += 1.0;
        }
        s
    }

    #[test]
    fn every_formula_matches_the_definition() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let problem = mixed_problem(&mut rng);
        problem.validate().unwrap();
        for par in [Par::Seq, Par::rayon(2)] {
            let model = Model::new(&problem, par);
            let random_block = |kind: BlockKind, rng: &mut ChaCha8Rng| match kind {
                BlockKind::Psd(n) => BlockValue::Dense(random_spd(n, rng)),
                BlockKind::Lp(n) => {
                    BlockValue::Diag((0..n).map(|_| rng.random_range(0.5..2.0)).collect())
                }
            };
            let ginv = BlockMatrix {
                blocks: model
                    .kinds
                    .iter()
                    .map(|&k| random_block(k, &mut rng))
                    .collect(),
            };
            let y = BlockMatrix {
                blocks: model
                    .kinds
                    .iter()
                    .map(|&k| random_block(k, &mut rng))
                    .collect(),
            };
            let b = assemble(&model, &ginv, &y);
            // Reference: B_ij = A(G F_j Y)_i with F_j = A*(e_j), all dense.
            for j in 0..model.m {
                let mut e = vec![0.0; model.m];
                e[j] = 1.0;
                let fj = model.adjoint(&e);
                let prod = BlockMatrix {
                    blocks: fj
                        .blocks
                        .iter()
                        .zip(&ginv.blocks)
                        .zip(&y.blocks)
                        .map(|((f, g), yy)| match (f, g, yy) {
                            (BlockValue::Dense(f), BlockValue::Dense(g), BlockValue::Dense(yy)) => {
                                BlockValue::Dense(crate::dense::mul3(
                                    g.as_ref(),
                                    f.as_ref(),
                                    yy.as_ref(),
                                    Par::Seq,
                                ))
                            }
                            (BlockValue::Diag(f), BlockValue::Diag(g), BlockValue::Diag(yy)) => {
                                BlockValue::Diag(
                                    f.iter()
                                        .zip(g)
                                        .zip(yy)
                                        .map(|((f, g), yy)| f * g * yy)
                                        .collect(),
                                )
                            }
                            _ => unreachable!(),
                        })
                        .collect(),
                };
                let col = model.apply(&prod);
                for i in 0..model.m {
                    assert!(
                        (b[(i, j)] - col[i]).abs() < 1e-10 * (1.0 + col[i].abs()),
                        "B[{i},{j}] = {} but {}",
                        b[(i, j)],
                        col[i]
                    );
                }
            }
        }
    }
}
