//! The Bachoc–Vallentin three-point SDP bound for spherical codes.
//!
//! Mittelmann–Vallentin's statement (Exp. Math. 19 (2010), §2) of `s_d(n)`:
//!
//! ```text
//! minimise 1 + Σ_{k=1}^{2d} a_k + b₁₁ + ⟨F_0, J⟩
//! s.t. 1 + Σ_k a_k P_k^n(u) + 2b₁₂ + b₂₂ + 3 Σ_{k=0}^{d} ⟨F_k, S_k^n(u,u,1)⟩ + q(u) + p(u) q₁(u) = 0,
//!      b₂₂ + Σ_{k=0}^{d} ⟨F_k, S_k^n(u,v,t)⟩ + r + Σ_{i=1}^{4} p_i r_i = 0,
//!      a_k ≥ 0,  [b₁₁ b₁₂; b₁₂ b₂₂] ⪰ 0,  F_k ⪰ 0 of size d+1−k,  q, q₁, r, r_i sums of squares,
//! ```
//!
//! with `p(u) = (u+1)(s−u)` (`s = cos θ`), `p_1..p_3 = p(u), p(v), p(t)`, `p_4 = 1 + 2uvt −
//! u² − v² − t²` (the Gram determinant), and `S_k^n = ⅙ Σ_{σ∈S₃} σ Y_k^n`,
//! `(Y_k^n)_{ij} = u^i v^j Q_k(u,v,t)`, `Q_k = ((1−u²)(1−v²))^{k/2} P_k^{n−1}((t−uv)/√((1−u²)(1−v²)))`
//! (a polynomial, from [`gegenbauer_homogeneous`]). The identities have degree `2d`; the
//! univariate one is imposed at `2d+1` Chebyshev nodes, the trivariate one at unisolvent
//! points chosen by approximate Fekete selection from a Chebyshev grid.
//!
//! The `clrs` form is ClusteredLowRankSolver's `three_point_spherical_cap`: no `b` matrix,
//! `a_0..a_{2d}` (so `1 + Σ a_k` includes `a_0`), and the trivariate multipliers
//! `{1, Σp, Σpp, ppp, p_4}` (products of the `p_i`, S₃-symmetrised).
//!
//! **Symmetry.** Every piece of the trivariate identity is S₃-invariant once the sums of
//! squares are averaged over S₃, so (Gatermann–Parrilo) the squares split into the isotypic
//! components of S₃: the trivial one (invariant basis `T_a(e₁/3) T_b(e₂/3) T_c(e₃)` in the
//! elementary symmetric polynomials), the sign one (the Vandermonde `(u−v)(v−t)(t−u)` times
//! that basis) and the two-dimensional standard one (two copies, `(2u−v−t, 2vt−ut−uv)/√2`
//! and `√(3/2)(v−t, ut−uv)`, a rank-two term); the identity then only needs to hold on the
//! invariant polynomials, far fewer samples. Mittelmann–Vallentin's separate multipliers
//! `p(u) r₁ + p(v) r₂ + p(t) r₃` become one `Σ_{i} p(x_i) r(x_i; x_j, x_k)` with `r` invariant
//! under swapping the other two (an even and an odd block). With `symmetry: false` the
//! squares use the full trivariate basis and the identity is imposed on all polynomials of
//! degree `2d`; both give the same optimum (a test checks this).

use crate::SpecError;
use boundlab_sdp_solver::precision::{Arithmetic, Formulation, TextFormat};
use boundlab_sdp_solver::problem::{BlockKind, SdpProblem};
use boundlab_sdp_solver::scalar::Real;
use boundlab_sdp_solver::solver::{Monitor, SdpSolution, SdpStatus};

use super::poly::{
    LowerBasis, chebyshev, chebyshev_nodes, fekete_select, gegenbauer, gegenbauer_homogeneous,
    orthonormalize,
};
use super::sos::{Domain, RawBasis, UniSos};
use super::{Certified, SolveReport, SolveSettings, solve_bound};

/// Which statement of the bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// Mittelmann–Vallentin (with the `b` matrix and Putinar multipliers).
    Mv,
    /// ClusteredLowRankSolver's variant.
    Clrs,
}

/// A multiplier of a trivariate sum of squares (all describe the domain
/// `u, v, t ∈ [−1, s]`, Gram determinant ≥ 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Multiplier {
    One,
    /// `p(u) r₁ + p(v) r₂ + p(t) r₃` with separate squares (Putinar).
    SeparateP,
    /// `(p(u) + p(v) + p(t)) r`.
    SumP,
    /// `(p(u)p(v) + p(v)p(t) + p(t)p(u)) r`.
    SumPP,
    /// `p(u)p(v)p(t) r`.
    Ppp,
    /// `(1 + 2uvt − u² − v² − t²) r`.
    Gram,
}

impl Multiplier {
    /// The multiplier's degree in `(u, v, t)`.
    pub fn degree(self) -> usize {
        match self {
            Multiplier::One => 0,
            Multiplier::SeparateP | Multiplier::SumP => 2,
            Multiplier::SumPP => 4,
            Multiplier::Ppp => 6,
            Multiplier::Gram => 3,
        }
    }

    /// The name `sdp.three_point`'s `multipliers` parameter uses.
    pub fn name(self) -> &'static str {
        match self {
            Multiplier::One => "one",
            Multiplier::SeparateP => "p_i",
            Multiplier::SumP => "sum_p",
            Multiplier::SumPP => "sum_pp",
            Multiplier::Ppp => "ppp",
            Multiplier::Gram => "gram",
        }
    }
}

/// The pieces of a three-point SDP; [`ThreePointSpec::new`] gives the full formulation.
#[derive(Clone, Debug, PartialEq)]
pub struct ThreePointSpec {
    pub dim: usize,
    /// `d`: the identities have degree `2d`, `F_k` has size `d+1−k`.
    pub degree: usize,
    pub cos_theta: f64,
    pub form: Form,
    pub symmetry: bool,
    /// Which `F_k` (`S_k`) to include; `None`: all of `0..=d`.
    pub sk: Option<Vec<usize>>,
    /// Which Gegenbauer degrees `a_k` to include; `None`: `1..=2d` (mv) or `0..=2d` (clrs).
    pub gegenbauer_terms: Option<Vec<usize>>,
    /// Whether to include the `b` matrix; `None`: yes for mv, no for clrs.
    pub b_matrix: Option<bool>,
    /// The trivariate multipliers; `None`: the form's.
    pub multipliers: Option<Vec<Multiplier>>,
    /// Seed-free size of the candidate grid: Chebyshev grids of `2d + 1 + grid_extra + i`
    /// points per coordinate (`i = 0, 1, 2`).
    pub grid_extra: usize,
}

impl ThreePointSpec {
    pub fn new(dim: usize, degree: usize, cos_theta: f64, form: Form) -> Self {
        Self {
            dim,
            degree,
            cos_theta,
            form,
            symmetry: true,
            sk: None,
            gegenbauer_terms: None,
            b_matrix: None,
            multipliers: None,
            grid_extra: 0,
        }
    }

    pub fn sk_list(&self) -> Vec<usize> {
        sorted(
            self.sk
                .clone()
                .unwrap_or_else(|| (0..=self.degree).collect()),
        )
    }

    pub fn gegenbauer_list(&self) -> Vec<usize> {
        let first = if self.form == Form::Mv { 1 } else { 0 };
        sorted(
            self.gegenbauer_terms
                .clone()
                .unwrap_or_else(|| (first..=2 * self.degree).collect()),
        )
    }

    pub fn uses_b(&self) -> bool {
        self.b_matrix.unwrap_or(self.form == Form::Mv)
    }

    pub fn multiplier_list(&self) -> Vec<Multiplier> {
        self.multipliers.clone().unwrap_or_else(|| match self.form {
            Form::Mv => vec![Multiplier::One, Multiplier::SeparateP, Multiplier::Gram],
            Form::Clrs => vec![
                Multiplier::One,
                Multiplier::SumP,
                Multiplier::SumPP,
                Multiplier::Ppp,
                Multiplier::Gram,
            ],
        })
    }

    pub fn validate(&self) -> Result<(), SpecError> {
        if !(3..=200).contains(&self.dim) {
            return Err(SpecError::new(
                "dim",
                format!("dim = {}: must lie in 3..=200", self.dim),
            ));
        }
        if !(1..=30).contains(&self.degree) {
            return Err(SpecError::new(
                "degree",
                format!("degree = {}: must lie in 1..=30", self.degree),
            ));
        }
        if !(self.cos_theta > -1.0 && self.cos_theta < 1.0) {
            return Err(SpecError::new(
                "angle",
                format!("angle = {}: cos θ must lie in (−1, 1)", self.cos_theta),
            ));
        }
        if let Some(&k) = self.sk_list().iter().find(|&&k| k > self.degree) {
            return Err(SpecError::new(
                "sk",
                format!("sk: S_{k} is above degree {}", self.degree),
            ));
        }
        if let Some(&k) = self
            .gegenbauer_list()
            .iter()
            .find(|&&k| k > 2 * self.degree)
        {
            return Err(SpecError::new(
                "gegenbauer_terms",
                format!(
                    "gegenbauer_terms: degree {k} is above 2d = {}",
                    2 * self.degree
                ),
            ));
        }
        if self.multiplier_list().is_empty() {
            return Err(SpecError::new(
                "multipliers",
                "multipliers: at least one is needed",
            ));
        }
        if self.grid_extra > 100 {
            return Err(SpecError::new(
                "grid_extra",
                format!("grid_extra = {}: at most 100", self.grid_extra),
            ));
        }
        Ok(())
    }
}

fn sorted(mut v: Vec<usize>) -> Vec<usize> {
    v.sort_unstable();
    v.dedup();
    v
}

/// One block of rank-one (or rank-two) sampled squares in the trivariate identity.
#[derive(Clone, Debug)]
struct TriBlock {
    block: usize,
    multiplier: Multiplier,
    kind: TriKind,
    /// Indices into the (orthonormalised) raw basis that are kept, per copy.
    keep: Vec<Vec<usize>>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum TriKind {
    /// Symmetric: trivial / sign / standard isotypic component.
    Trivial,
    Sign,
    Standard,
    /// Mittelmann–Vallentin `p(x_i) r(x_i; x_j, x_k)` with `r` even / odd under `x_j ↔ x_k`.
    PEven,
    POdd,
    /// No symmetry: a full basis.
    Full,
}

/// A built three-point SDP in scalar `T`.
#[derive(Clone, Debug)]
pub struct ThreePointSdp<T> {
    pub spec: ThreePointSpec,
    pub sdp: SdpProblem<T>,
    /// Block of the `a_k` (LP), its degrees.
    pub a_block: usize,
    pub a_terms: Vec<usize>,
    pub b_block: Option<usize>,
    /// `(k, block)` of each `F_k`.
    pub f_blocks: Vec<(usize, usize)>,
    /// Number of univariate and trivariate samples.
    pub univariate_samples: usize,
    pub trivariate_samples: usize,
}

/// A three-point bound.
#[derive(Clone, Debug)]
pub struct ThreePointBound {
    /// The bound when the solve ended optimal, NaN otherwise (see `value`).
    pub bound: f64,
    pub value: Certified,
    /// `a_k` by Gegenbauer degree (0 where not used).
    pub a: Vec<f64>,
    /// `[b₁₁, b₁₂, b₂₂]` (zeros without the b matrix).
    pub b: [f64; 3],
    /// `F_k` for `k = 0..=d` (empty where not used), row-major.
    pub f: Vec<Vec<f64>>,
    pub report: SolveReport,
    pub status: SdpStatus,
}

fn p_of<T: Real>(s: f64, x: T) -> T {
    (x + T::one()) * (T::from_f64(s) - x)
}

fn gram_det<T: Real>(u: T, v: T, t: T) -> T {
    T::one() + T::from_f64(2.0) * u * v * t - u * u - v * v - t * t
}

/// `1, w, …, w^m`.
fn powers<T: Real>(w: T, m: usize) -> Vec<T> {
    super::poly::monomials(m, w)
}

/// Adds `c · sym(a bᵀ)` (`sym(M) = (M + Mᵀ)/2`) as two rank-one terms.
fn add_sym<T: Real>(problem: &mut SdpProblem<T>, con: usize, block: usize, c: T, a: &[T], b: &[T]) {
    if c == T::from_f64(0.0) {
        return;
    }
    let quarter = c * T::from_f64(0.25);
    let plus: Vec<T> = a.iter().zip(b).map(|(x, y)| *x + *y).collect();
    let minus: Vec<T> = a.iter().zip(b).map(|(x, y)| *x - *y).collect();
    problem.add_rank_one(con, block, quarter, plus);
    problem.add_rank_one(con, block, -quarter, minus);
}

/// The raw trivariate bases (Chebyshev in suitable variables), ordered by degree, with the
/// degree of each member.
struct RawTri {
    /// exponent triples and degrees
    terms: Vec<([usize; 3], usize)>,
    kind: RawTriKind,
}

#[derive(Clone, Copy, PartialEq)]
enum RawTriKind {
    /// `T_a(e₁/3) T_b(e₂/3) T_c(e₃)`, degree `a + 2b + 3c`.
    Invariant,
    /// `T_a(u') T_b(v') T_c(t')` (mapped to `[−1, s]`), degree `a + b + c`.
    Full,
    /// `T_a(u) T_b((v+t)/2) T_c(vt)`, degree `a + b + 2c`.
    Swap,
}

impl RawTri {
    fn new(kind: RawTriKind, max_degree: usize) -> Self {
        let w = match kind {
            RawTriKind::Invariant => [1, 2, 3],
            RawTriKind::Full => [1, 1, 1],
            RawTriKind::Swap => [1, 1, 2],
        };
        let mut terms = Vec::new();
        for deg in 0..=max_degree {
            for c in 0..=deg / w[2] {
                for b in 0..=(deg - w[2] * c) / w[1] {
                    let rest = deg - w[2] * c - w[1] * b;
                    if rest % w[0] == 0 {
                        terms.push(([rest / w[0], b, c], deg));
                    }
                }
            }
        }
        Self { terms, kind }
    }

    fn eval<T: Real>(&self, s: f64, u: T, v: T, t: T) -> Vec<T> {
        let max = self
            .terms
            .iter()
            .map(|(e, _)| e[0].max(e[1]).max(e[2]))
            .max()
            .unwrap_or(0);
        let (x, y, z) = match self.kind {
            RawTriKind::Invariant => (
                (u + v + t) / T::from_f64(3.0),
                (u * v + v * t + t * u) / T::from_f64(3.0),
                u * v * t,
            ),
            RawTriKind::Full => (u, v, t),
            RawTriKind::Swap => (u, (v + t) * T::from_f64(0.5), v * t),
        };
        let (cx, cy, cz) = if self.kind == RawTriKind::Full {
            (
                chebyshev(max, -1.0, s, x),
                chebyshev(max, -1.0, s, y),
                chebyshev(max, -1.0, s, z),
            )
        } else {
            (
                chebyshev(max, -1.0, 1.0, x),
                chebyshev(max, -1.0, 1.0, y),
                chebyshev(max, -1.0, 1.0, z),
            )
        };
        self.terms
            .iter()
            .map(|(e, _)| cx[e[0]] * cy[e[1]] * cz[e[2]])
            .collect()
    }

    fn len_up_to(&self, degree: usize) -> usize {
        self.terms.iter().filter(|(_, d)| *d <= degree).count()
    }
}

/// Builds the SDP.
/// Builds the SDP in the working precision `T`.
pub fn build<T: Real>(spec: &ThreePointSpec) -> Result<ThreePointSdp<T>, String> {
    spec.validate().map_err(|e| e.to_string())?;
    let d = spec.degree;
    let n = spec.dim;
    let s = spec.cos_theta;
    let two_d = 2 * d;
    let one = T::from_f64(1.0);
    let zero = T::from_f64(0.0);
    let a_terms = spec.gegenbauer_list();
    let sk = spec.sk_list();
    let mults = spec.multiplier_list();

    let mut sdp = SdpProblem::<T>::new(Vec::new());
    let mut a_block = usize::MAX;
    if !a_terms.is_empty() {
        sdp.blocks.push(BlockKind::Lp(a_terms.len()));
        a_block = sdp.blocks.len() - 1;
        for i in 0..a_terms.len() {
            sdp.add_objective_entry(a_block, i, i, -one);
        }
    }
    let b_block = spec.uses_b().then(|| {
        sdp.blocks.push(BlockKind::Psd(2));
        let blk = sdp.blocks.len() - 1;
        sdp.add_objective_entry(blk, 0, 0, -one);
        blk
    });
    let mut f_blocks = Vec::new();
    for &k in &sk {
        sdp.blocks.push(BlockKind::Psd(d + 1 - k));
        let blk = sdp.blocks.len() - 1;
        if k == 0 {
            sdp.add_objective_rank_one(blk, -one, vec![one; d + 1]);
        }
        f_blocks.push((k, blk));
    }

    // Univariate identity at 2d+1 Chebyshev nodes.
    let usamples = chebyshev_nodes(two_d + 1, -1.0, s);
    let usos = UniSos::new(
        &mut sdp,
        Domain::Interval(-1.0, s),
        two_d,
        RawBasis::Chebyshev(-1.0, s),
        &usamples,
        &vec![1.0; usamples.len()],
    )?;
    for &x in &usamples {
        let c = sdp.add_constraint(-one);
        let u = T::from_f64(x);
        if !a_terms.is_empty() {
            let p = gegenbauer(two_d, n, u);
            for (i, &k) in a_terms.iter().enumerate() {
                sdp.add_entry(c, a_block, i, i, p[k]);
            }
        }
        if let Some(bb) = b_block {
            sdp.add_entry(c, bb, 0, 1, one);
            sdp.add_entry(c, bb, 1, 1, one);
        }
        // 3 S_k(u,u,1) = Q_k(u,u,1) m_u m_uᵀ + 2 Q_k(u,1,u) sym(m_u m_1ᵀ)
        let a_uu = (one - u * u) * (one - u * u);
        let q_uu1 = gegenbauer_homogeneous(d, n - 1, a_uu, one - u * u);
        let q_u1u = gegenbauer_homogeneous(d, n - 1, zero, zero);
        for &(k, blk) in &f_blocks {
            let mu = powers(u, d - k);
            let m1 = vec![one; d + 1 - k];
            if q_uu1[k] != zero {
                sdp.add_rank_one(c, blk, q_uu1[k], mu.clone());
            }
            add_sym(&mut sdp, c, blk, q_u1u[k] * T::from_f64(2.0), &mu, &m1);
        }
        usos.add_at(&mut sdp, c, x, one);
    }

    // Trivariate samples: Fekete points for the invariant (or all) polynomials of degree 2d.
    let sample_kind = if spec.symmetry {
        RawTriKind::Invariant
    } else {
        RawTriKind::Full
    };
    let sample_basis = RawTri::new(sample_kind, two_d);
    let count = sample_basis.terms.len();
    let grids: Vec<Vec<f64>> = (0..3)
        .map(|i| chebyshev_nodes(two_d + 1 + spec.grid_extra + i, -1.0, s))
        .collect();
    let mut candidates: Vec<[f64; 3]> = Vec::new();
    for &u in &grids[0] {
        for &v in &grids[1] {
            for &t in &grids[2] {
                if gram_det(u, v, t) >= 0.0 {
                    candidates.push([u, v, t]);
                }
            }
        }
    }
    let cols: Vec<Vec<f64>> = candidates
        .iter()
        .map(|x| sample_basis.eval(s, x[0], x[1], x[2]))
        .collect();
    let chosen = fekete_select(&cols, count).map_err(|e| {
        format!(
            "trivariate sample points (grid_extra = {}): {e}",
            spec.grid_extra
        )
    })?;
    let tsamples: Vec<[f64; 3]> = chosen.iter().map(|&i| candidates[i]).collect();

    // The squares' bases, orthonormalised on the samples.
    let max_sq = d; // squares of degree ≤ d
    let (sq_kind, rot) = if spec.symmetry {
        (RawTriKind::Invariant, false)
    } else {
        (RawTriKind::Full, false)
    };
    let _ = rot;
    let sq_raw = RawTri::new(sq_kind, max_sq);
    let sq_vals: Vec<Vec<f64>> = tsamples
        .iter()
        .map(|x| sq_raw.eval(s, x[0], x[1], x[2]))
        .collect();
    let sq_basis = orthonormalize(&sq_vals, &vec![1.0; tsamples.len()], sq_raw.terms.len())
        .map_err(|e| format!("trivariate square basis: {e}"))?;
    let swap_raw = RawTri::new(RawTriKind::Swap, max_sq.saturating_sub(1));
    let swap_basis = if spec.symmetry && mults.contains(&Multiplier::SeparateP) {
        let mut vals = Vec::new();
        for x in &tsamples {
            for r in 0..3 {
                vals.push(swap_raw.eval(s, x[r], x[(r + 1) % 3], x[(r + 2) % 3]));
            }
        }
        orthonormalize(&vals, &vec![1.0; vals.len()], swap_raw.terms.len())
            .map_err(|e| format!("trivariate square basis (p multiplier): {e}"))?
    } else {
        LowerBasis::identity(0)
    };
    let degs: Vec<usize> = sq_raw.terms.iter().map(|(_, g)| *g).collect();
    let swap_degs: Vec<usize> = swap_raw.terms.iter().map(|(_, g)| *g).collect();
    let keep = |degs: &[usize], extra: usize, limit2: usize| -> Vec<usize> {
        (0..degs.len())
            .filter(|&i| 2 * (degs[i] + extra) <= limit2)
            .collect()
    };
    let mut tri_blocks: Vec<TriBlock> = Vec::new();
    let mut push_block =
        |sdp: &mut SdpProblem<T>, m: Multiplier, kind: TriKind, keep: Vec<Vec<usize>>| {
            let size: usize = keep.iter().map(|k| k.len()).sum();
            if size == 0 {
                return;
            }
            sdp.blocks.push(BlockKind::Psd(size));
            tri_blocks.push(TriBlock {
                block: sdp.blocks.len() - 1,
                multiplier: m,
                kind,
                keep,
            });
        };
    for &m in &mults {
        if m == Multiplier::SeparateP && !spec.symmetry {
            // one full square per p(u), p(v), p(t): handled as three blocks with kind Full
            for _ in 0..3 {
                push_block(&mut sdp, m, TriKind::Full, vec![keep(&degs, 0, two_d - 2)]);
            }
            continue;
        }
        let lim = two_d.saturating_sub(m.degree());
        if two_d < m.degree() {
            continue;
        }
        if !spec.symmetry {
            push_block(&mut sdp, m, TriKind::Full, vec![keep(&degs, 0, lim)]);
        } else if m == Multiplier::SeparateP {
            push_block(&mut sdp, m, TriKind::PEven, vec![keep(&swap_degs, 0, lim)]);
            push_block(&mut sdp, m, TriKind::POdd, vec![keep(&swap_degs, 1, lim)]);
        } else {
            push_block(&mut sdp, m, TriKind::Trivial, vec![keep(&degs, 0, lim)]);
            push_block(&mut sdp, m, TriKind::Sign, vec![keep(&degs, 3, lim)]);
            push_block(
                &mut sdp,
                m,
                TriKind::Standard,
                vec![keep(&degs, 1, lim), keep(&degs, 2, lim)],
            );
        }
    }

    let sqrt_half = (T::from_f64(0.5)).sqrt();
    let sqrt_3_2 = (T::from_f64(1.5)).sqrt();
    let third = one / T::from_f64(3.0);
    for x in &tsamples {
        let c = sdp.add_constraint(zero);
        let (u, v, t) = (T::from_f64(x[0]), T::from_f64(x[1]), T::from_f64(x[2]));
        if let Some(bb) = b_block {
            sdp.add_entry(c, bb, 1, 1, one);
        }
        // Σ_k ⟨F_k, S_k⟩, S_k = ⅓ [Q(u,v,t) sym(m_u m_vᵀ) + Q(u,t,v) sym(m_u m_tᵀ) + Q(v,t,u) sym(m_v m_tᵀ)]
        let q = |a: T, b: T, c3: T| {
            gegenbauer_homogeneous(d, n - 1, (one - a * a) * (one - b * b), c3 - a * b)
        };
        let (q_uvt, q_utv, q_vtu) = (q(u, v, t), q(u, t, v), q(v, t, u));
        for &(k, blk) in &f_blocks {
            let (mu, mv, mt) = (powers(u, d - k), powers(v, d - k), powers(t, d - k));
            add_sym(&mut sdp, c, blk, q_uvt[k] * third, &mu, &mv);
            add_sym(&mut sdp, c, blk, q_utv[k] * third, &mu, &mt);
            add_sym(&mut sdp, c, blk, q_vtu[k] * third, &mv, &mt);
        }
        // the squares
        let xs = [u, v, t];
        let (pu, pv, pt) = (p_of(s, u), p_of(s, v), p_of(s, t));
        let base = if spec.symmetry || !tri_blocks.is_empty() {
            sq_basis.apply(&sq_raw.eval(s, u, v, t))
        } else {
            Vec::new()
        };
        let mut sep_count = 0;
        for tb in &tri_blocks {
            let w = match tb.multiplier {
                Multiplier::One => one,
                Multiplier::SeparateP => one, // the weight depends on the rotation, below
                Multiplier::SumP => pu + pv + pt,
                Multiplier::SumPP => pu * pv + pv * pt + pt * pu,
                Multiplier::Ppp => pu * pv * pt,
                Multiplier::Gram => gram_det(u, v, t),
            };
            let pick = |vals: &[T], keep: &[usize], factor: T| -> Vec<T> {
                keep.iter().map(|&i| vals[i] * factor).collect()
            };
            match tb.kind {
                TriKind::Full => {
                    let w = if tb.multiplier == Multiplier::SeparateP {
                        let wi = [pu, pv, pt][sep_count];
                        sep_count += 1;
                        wi
                    } else {
                        w
                    };
                    sdp.add_rank_one(c, tb.block, w, pick(&base, &tb.keep[0], one));
                }
                TriKind::Trivial => sdp.add_rank_one(c, tb.block, w, pick(&base, &tb.keep[0], one)),
                TriKind::Sign => {
                    let vdm = (u - v) * (v - t) * (t - u);
                    sdp.add_rank_one(c, tb.block, w, pick(&base, &tb.keep[0], vdm));
                }
                TriKind::Standard => {
                    let rows = [
                        [
                            (u * T::from_f64(2.0) - v - t) * sqrt_half,
                            (v * t * T::from_f64(2.0) - u * t - u * v) * sqrt_half,
                        ],
                        [(v - t) * sqrt_3_2, (u * t - u * v) * sqrt_3_2],
                    ];
                    for row in rows {
                        let mut vec = pick(&base, &tb.keep[0], row[0]);
                        vec.extend(pick(&base, &tb.keep[1], row[1]));
                        sdp.add_rank_one(c, tb.block, w, vec);
                    }
                }
                TriKind::PEven | TriKind::POdd => {
                    for r in 0..3 {
                        let (xi, xj, xk) = (xs[r], xs[(r + 1) % 3], xs[(r + 2) % 3]);
                        let vals = swap_basis.apply(&swap_raw.eval(s, xi, xj, xk));
                        let factor = if tb.kind == TriKind::POdd {
                            xj - xk
                        } else {
                            one
                        };
                        sdp.add_rank_one(
                            c,
                            tb.block,
                            p_of(s, xi),
                            pick(&vals, &tb.keep[0], factor),
                        );
                    }
                }
            }
        }
    }
    let _ = sq_raw.len_up_to(0);
    Ok(ThreePointSdp {
        spec: spec.clone(),
        sdp,
        a_block,
        a_terms,
        b_block,
        f_blocks,
        univariate_samples: usamples.len(),
        trivariate_samples: tsamples.len(),
    })
}

impl<T: Real> ThreePointSdp<T> {
    pub fn extract(&self, sol: &SdpSolution<T>, report: SolveReport) -> ThreePointBound {
        let d = self.spec.degree;
        let mut a = vec![0.0; 2 * d + 1];
        let mut bound = T::from_f64(1.0);
        if !self.a_terms.is_empty() {
            let y = sol.Y.blocks[self.a_block].diag();
            for (i, &k) in self.a_terms.iter().enumerate() {
                a[k] = y[i].to_f64();
                bound += y[i];
            }
        }
        let mut b = [0.0; 3];
        if let Some(bb) = self.b_block {
            let m = sol.Y.blocks[bb].dense();
            b = [m[(0, 0)].to_f64(), m[(0, 1)].to_f64(), m[(1, 1)].to_f64()];
            bound += m[(0, 0)];
        }
        let mut f = vec![Vec::new(); d + 1];
        for &(k, blk) in &self.f_blocks {
            let m = sol.Y.blocks[blk].dense();
            let size = m.nrows();
            f[k] = (0..size * size)
                .map(|i| m[(i / size, i % size)].to_f64())
                .collect();
            if k == 0 {
                for i in 0..size {
                    for j in 0..size {
                        bound += m[(i, j)];
                    }
                }
            }
        }
        let value = Certified::new(bound, &report, sol.status);
        ThreePointBound {
            bound: value.bound(),
            value,
            a,
            b,
            f,
            report,
            status: sol.status,
        }
    }
}

impl<T> ThreePointSdp<T> {
    /// Names of the trivariate multipliers used (for reports).
    pub fn multiplier_names(&self) -> Vec<&'static str> {
        self.spec
            .multiplier_list()
            .iter()
            .map(|m| m.name())
            .collect()
    }
}

/// Builds and solves.
pub fn three_point_bound(
    spec: &ThreePointSpec,
    settings: &SolveSettings,
    monitor: &mut Monitor<'_>,
) -> Result<ThreePointBound, String> {
    solve_bound(spec, settings, monitor)
}

/// The SDP of `spec` built in `arithmetic` as SDPA or RON text (for other solvers).
pub fn problem_text(
    spec: &ThreePointSpec,
    arithmetic: Arithmetic,
    format: TextFormat,
) -> Result<String, String> {
    boundlab_sdp_solver::precision::problem_text(spec, arithmetic, format)
}

impl Formulation for ThreePointSpec {
    type Built<T: Real> = ThreePointSdp<T>;
    type Output = ThreePointBound;
    fn build<T: Real>(&self) -> Result<ThreePointSdp<T>, String> {
        build(self)
    }
    fn problem<T: Real>(built: &ThreePointSdp<T>) -> &SdpProblem<T> {
        &built.sdp
    }
    fn read<T: Real>(&self, built: &ThreePointSdp<T>, sol: &SdpSolution<T>) -> ThreePointBound {
        built.extract(sol, super::report(&built.sdp, sol))
    }
}
