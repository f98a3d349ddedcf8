//! The Cohn–de Laat–Salmon truncated three-point bound for sphere packing (arXiv:2206.15373,
//! Theorem 1.1), as an SDP whose pieces are the SDP game's building blocks.
//!
//! **The bound, as derived here.** Let `0 < r < R`, `f₂: ℝⁿ → ℝ` radial with `f̂₂ ≥ 0`, and
//! `f₃: ℝⁿ × ℝⁿ → ℝ` an `O(n)`-invariant positive definite kernel such that
//!
//! 1. `f₂(x) ≤ 0` for `|x| ≥ R`;
//! 2. `f₂(x) + f₃(x, 0) + f₃(0, x) + f₃(x, x) ≤ 0` for `r ≤ |x| ≤ R`;
//! 3. `f₃(x, y) ≤ 0` when `r ≤ |x|, |y| ≤ R` and `|x − y| ≥ r`.
//!
//! Then every packing with minimal distance `r` has density at most
//! `vol(B^n_{r/2}) · (f₂(0) + f₃(0, 0)) / f̂₂(0)`. Proof sketch: for a periodic packing `C`,
//! add to the Cohn–Elkies inequality `Σ_{x ∈ C/Λ} Σ_{y ∈ C} f₂(y − x) ≥ N² f̂₂(0)/vol(ℝⁿ/Λ)` the
//! nonnegative sums `S_x = Σ_{y, z ∈ C ∩ B(x, R)} f₃(y − x, z − x)` and sort the terms by which
//! of `x, y, z` coincide; condition 3 covers distinct `y ≠ z` in the ball around `x`, so
//! `|y − z|` ranges over `[r, 2R]`.
//!
//! **Parametrisation** (with `u = |x|²`, `v = |y|²`, `t = ⟨x, y⟩`, `α = n/2 − 1`):
//!
//! ```text
//! f₂(x) = Σ_k c_k φ_k(u) e^{−πu},                φ_k(u) = L_k^α(2πu) / N_k,
//! f̂₂(ξ) = Σ_k (−1)^k c_k φ_k(|ξ|²) e^{−π|ξ|²},
//! f₃(x, y) = p₃(u, v, t) e^{−γπ(u+v)}, p₃ = Σ_k Σ_ab F_k[a, b] w_a(u) w_b(v) Ĥ_k(u, v, t),
//! ```
//!
//! where `Ĥ_k(u, v, t) = (uv/R⁴)^{k/2} P_k^n(t/√(uv))` (Gegenbauer for `S^{n−1}`, `P_k(1) = 1`;
//! a polynomial, [`gegenbauer_homogeneous`]), and the rows `a` of block `k` are kernel basis
//! functions `(k, i)`: `|x|^{2i}` times a harmonic of degree `k` (`w_a` is `(u/R²)^i` after an
//! orthonormalising change of basis within the block). `F_k ⪰ 0` for every `k` makes `f₃` a
//! positive definite kernel (the functions `|x|^{2i} Y_{k,m}(x)` are independent, and the
//! factor `e^{−γπu} e^{−γπv}` keeps positive definiteness). `γ` is `kernel_gaussian` (default 1).
//!
//! **Constraints**, all polynomial identities imposed at unisolvent samples:
//!
//! * `f̂₂ ≥ 0` on `[0, ∞)` and `−f₂ ≥ 0` on `[R², ∞)` (Markov–Lukács, [`UniSos`]);
//! * condition 2 divided by `e^{−πu}`:
//!   `−[Σ c_k φ_k(u) + (p₃(u,0,0) + p₃(0,u,0)) E_{γ−1}(u) + p₃(u,u,u) E_{2γ−1}(u)]` is a Lukács
//!   sum of squares on `[r², R²]`, where `E_β` is a Taylor polynomial of `e^{−βπu}` about the
//!   middle of the interval, of the least degree with relative error below 1e-15 there
//!   ([`taylor_degree_for`]; 28 for `E₁` at the default `R`) unless `taylor_degree` is given;
//! * condition 3: `−p₃ = σ₀ + Σ_g g σ_g` (Putinar) with sums of squares `σ` in `(u, v, t)` and
//!   localising weights `g` among `(u − r²)(R² − u)`, `(v − r²)(R² − v)`, `u + v − 2t − r²`
//!   (that is `|x − y|² − r²`), `uv − t²` (realisable `(u, v, t)`), and products of these
//!   ([`Multiplier`]); samples are approximate Fekete points of the region.
//!
//! `f̂₂(0) = 1` eliminates one `c_k`; the objective is `min f₂(0) + f₃(0, 0)`.
//!
//! **Against CdLS Table 6.1** (n = 4, degree 9, R = 1.664634: 0.636107333) this formulation
//! gives 0.6437833 with the kernel `2i + k ≤ 9` at `γ = 1` (0.6427 with `2i + k ≤ 11`, 0.6380
//! with `2i + k ≤ 13`), below the linear programming bound 0.6477513 at the same `d₂ = 24` and
//! above the D₄ density π²/16 = 0.61685, but not CdLS's number. The Gaussian's rate matters
//! because positive definiteness makes the diagonal term `f₃(x, x)` large and a faster decay
//! damps it (by `e^{−2γπ|x|²}`) more than the cross terms (`e^{−γπ|x|²}`); at degree 9:
//!
//! | γ | 0.75 | 1 | 1.5 | 1.75 | 2 | 2.25 | 2.5 |
//! |---|---|---|---|---|---|---|---|
//! | bound | 0.6460802 | 0.6437833 | 0.6427256 | 0.6400271 | 0.6391524 | 0.6390819 | 0.6393243 |
//!
//! and about 0.6374 at degree 11 with `γ = 2.25` (the dd solve stops at a gap of 3e-5): closer
//! to CdLS's 0.636107333, still above it. `scripts/sphere_packing_3pt.rhai` redoes the scan and
//! plots it.
//!
//! **Degrees 11 and 13 to a gap below 1e-10** (n = 4, γ = 1, R = 1.664634, `d₂ = 24`;
//! `precision: "mp"`, 256 bits, `tol: 1e-10`, one thread, 2026-12-03):
//!
//! | kernel `2i + k ≤` | bound | gap | iterations | constraints | seconds |
//! |---|---|---|---|---|---|
//! | 11 | 0.6427414390560597 | 7.4e-11 | 42 | 545 | 590 |
//! | 13 | 0.6379181003769593 | 1.7e-11 | 45 | 772 | 1848 |
//!
//! (`boundlab solve sdp.sphere_packing_3pt --set dim=4 --set degree=13 --set precision=mp
//! --set bits=256 --set tol=1e-10`.) Not settled by the sources
//! (the notes could read only the abstract and secondary summaries): the meaning of "degree 9"
//! for `f₃`; the exact region of condition 3 (the notes' summary says all three distances in
//! `{0} ∪ [r, R]`; imposing `|x − y| ≤ R` on top of the above gives 0.34, below the D₄ density,
//! so that reading is not a valid theorem with these conditions); whether the three-point
//! condition is symmetrised over the triangle as in Bachoc–Vallentin (with `e^{−π(u+v)}` the
//! six orderings carry different Gaussians, so the symmetrised condition is not polynomial;
//! with the triangle's Gaussian `e^{−π(u+v+|x−y|²)}` it is, but then `f₃` brings no gain at
//! degree 9: 0.6477513); and how their Taylor truncation `T` enters (here an approximation
//! about the middle of `[r², R²]`, not a rigorous one-sided bound).
//!
//! **The symmetrised condition, measured** (an experiment not kept in the code). Summing the
//! three-point condition over the triangle's vertices, with the truncation deciding which
//! vertices see both others within `R` (all three when every side is at most `R`, only `0`
//! otherwise), is a valid weakening of condition 3. It is polynomial only when `f₃`'s Gaussian
//! is a function of the triangle, `e^{−γ(|x|² + |y|² + |x−y|²)}`; at n = 4, R = 1.664634,
//! `d₂ = 24`: γ = π/2 and γ = π give 0.6477513 (no gain) at kernel degree 9, and γ = 0 (a
//! polynomial `f₃`) gives 0.6477513 at degree 9, 0.6468449 at 11 and 0.6418845 at 13, all
//! weaker than the unsymmetrised condition with `e^{−π(u+v)}` above. A Gaussian symmetric in
//! the triangle gives `f₃(x, 0)` and `f₃(x, x)` the same weight, whereas `e^{−π(u+v)}` damps
//! the diagonal term (which positive definiteness makes large) by `e^{−π|x|²}`; that damping,
//! not the symmetrisation, is what the bound gains from. Symmetrising with `e^{−π(u+v)}` would
//! need the non-polynomial factors `e^{−π(w − v)}` in `(u, v, t)`.

use rand::{Rng, SeedableRng};

use crate::SpecError;
use crate::cohn_elkies::laguerre_norms;
use crate::poly::{
    LowerBasis, ball_volume_in, chebyshev, chebyshev_nodes, fekete_select, gegenbauer_homogeneous,
    laguerre, orthonormalize, rescaled_laguerre_points,
};
use crate::sos::{Domain, RawBasis, UniSos};
use crate::{Certified, SolveReport, SolveSettings, solve_bound};
use boundlab_sdp_solver::precision::Formulation;
use boundlab_sdp_solver::problem::{BlockKind, SdpProblem};
use boundlab_sdp_solver::scalar::Real;
use boundlab_sdp_solver::solver::{Monitor, SdpSolution, SdpStatus};

/// A localising weight of the trivariate sum of squares (condition 3).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Multiplier {
    /// `(u − r²)(R² − u)`.
    XShell,
    /// `(v − r²)(R² − v)`.
    YShell,
    /// `u + v − 2t − r²` (`|x − y|² − r²`).
    Distance,
    /// `uv − t²`.
    Gram,
    /// `XShell · YShell`.
    Shells,
    /// `Distance · Gram`.
    DistanceGram,
    /// `XShell · Distance`.
    XShellDistance,
    /// `YShell · Distance`.
    YShellDistance,
}

impl Multiplier {
    pub const ALL: [Multiplier; 8] = [
        Multiplier::XShell,
        Multiplier::YShell,
        Multiplier::Distance,
        Multiplier::Gram,
        Multiplier::Shells,
        Multiplier::DistanceGram,
        Multiplier::XShellDistance,
        Multiplier::YShellDistance,
    ];

    /// The four basic weights (the default certificate).
    pub const BASIC: [Multiplier; 4] = [
        Multiplier::XShell,
        Multiplier::YShell,
        Multiplier::Distance,
        Multiplier::Gram,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Multiplier::XShell => "x_shell",
            Multiplier::YShell => "y_shell",
            Multiplier::Distance => "distance",
            Multiplier::Gram => "gram",
            Multiplier::Shells => "shells",
            Multiplier::DistanceGram => "distance_gram",
            Multiplier::XShellDistance => "x_shell_distance",
            Multiplier::YShellDistance => "y_shell_distance",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    pub fn degree(self) -> usize {
        match self {
            Multiplier::XShell | Multiplier::YShell | Multiplier::Gram => 2,
            Multiplier::Distance => 1,
            Multiplier::Shells => 4,
            Multiplier::DistanceGram | Multiplier::XShellDistance | Multiplier::YShellDistance => 3,
        }
    }

    fn eval<T: Real>(self, r2: f64, big_r2: f64, u: T, v: T, t: T) -> T {
        let shell = |w: T| (w - T::from_f64(r2)) * (T::from_f64(big_r2) - w);
        let dist = u + v - t * T::from_f64(2.0) - T::from_f64(r2);
        let gram = u * v - t * t;
        match self {
            Multiplier::XShell => shell(u),
            Multiplier::YShell => shell(v),
            Multiplier::Distance => dist,
            Multiplier::Gram => gram,
            Multiplier::Shells => shell(u) * shell(v),
            Multiplier::DistanceGram => dist * gram,
            Multiplier::XShellDistance => shell(u) * dist,
            Multiplier::YShellDistance => shell(v) * dist,
        }
    }
}

/// The pieces of a truncated three-point bound; [`CdlsSpec::new`] is the full formulation.
#[derive(Clone, Debug, PartialEq)]
pub struct CdlsSpec {
    pub dim: usize,
    /// The minimal distance `r` of the packing.
    pub r: f64,
    /// The truncation radius `R > r`.
    pub big_r: f64,
    /// The degree `d₂` of `f₂`'s polynomial factor in `u = |x|²`.
    pub two_point_degree: usize,
    /// The Laguerre indices `f₂` may use; `None`: all of `0..=two_point_degree`.
    pub two_point_terms: Option<Vec<usize>>,
    /// The kernel basis functions `(k, i)` of `f₃` (harmonic degree `k`, power `|x|^{2i}`).
    pub kernel: Vec<(usize, usize)>,
    /// The localising weights of condition 3 (the weight 1 is always there).
    pub multipliers: Vec<Multiplier>,
    /// `γ` in `f₃`'s Gaussian `e^{−γπ(|x|² + |y|²)}`.
    pub kernel_gaussian: f64,
    /// Degree of the Taylor polynomials that replace the Gaussians in condition 2; `None`:
    /// the least degree with relative error below 1e-15 on `[r², R²]` ([`taylor_degree_for`]).
    pub taylor_degree: Option<usize>,
    /// Factor on the rescaled Laguerre samples of the two-point conditions.
    pub sample_scale: f64,
}

/// The kernel basis functions `(k, i)` with `2i + k ≤ degree` (`p₃` of degree `≤ degree` in
/// each of `x` and `y`).
pub fn full_kernel(degree: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for k in 0..=degree {
        for i in 0..=(degree - k) / 2 {
            out.push((k, i));
        }
    }
    out
}

impl CdlsSpec {
    /// The full formulation: `f₂` of degree 24, the kernel of degree `three_point_degree`,
    /// the four basic multipliers, `r = 1`.
    pub fn new(dim: usize, three_point_degree: usize, big_r: f64) -> Self {
        Self {
            dim,
            r: 1.0,
            big_r,
            two_point_degree: 24,
            two_point_terms: None,
            kernel: full_kernel(three_point_degree),
            multipliers: Multiplier::BASIC.to_vec(),
            kernel_gaussian: 1.0,
            taylor_degree: None,
            sample_scale: crate::cohn_elkies::DEFAULT_SAMPLE_SCALE,
        }
    }

    pub fn two_point_list(&self) -> Vec<usize> {
        let mut t = match &self.two_point_terms {
            Some(t) => t.clone(),
            None => (0..=self.two_point_degree).collect(),
        };
        t.sort_unstable();
        t.dedup();
        t
    }

    fn kernel_list(&self) -> Vec<(usize, usize)> {
        let mut k = self.kernel.clone();
        k.sort_unstable();
        k.dedup();
        k
    }

    pub fn validate(&self) -> Result<(), SpecError> {
        if !(2..=32).contains(&self.dim) {
            return Err(SpecError::new(
                "dim",
                format!("dim = {}: must lie in 2..=32", self.dim),
            ));
        }
        if !(self.r > 0.0 && self.r.is_finite()) {
            return Err(SpecError::new(
                "r",
                format!("r = {}: must be positive", self.r),
            ));
        }
        if !(self.big_r > self.r && self.big_r.is_finite()) {
            return Err(SpecError::new(
                "R",
                format!(
                    "R = {}: the truncation radius must exceed r = {}",
                    self.big_r, self.r
                ),
            ));
        }
        if !(1..=80).contains(&self.two_point_degree) {
            return Err(SpecError::new(
                "two_point_degree",
                format!(
                    "two_point_degree = {}: must lie in 1..=80",
                    self.two_point_degree
                ),
            ));
        }
        let t = self.two_point_list();
        if t.is_empty() {
            return Err(SpecError::new(
                "two_point_terms",
                "two_point_terms: no Laguerre index to use",
            ));
        }
        if let Some(k) = t.iter().find(|&&k| k > self.two_point_degree) {
            return Err(SpecError::new(
                "two_point_terms",
                format!(
                    "two_point_terms: index {k} is above two_point_degree {}",
                    self.two_point_degree
                ),
            ));
        }
        if let Some(&(k, i)) = self.kernel.iter().find(|&&(k, i)| k > 30 || i > 15) {
            return Err(SpecError::new(
                "kernel",
                format!("kernel: ({k}, {i}) is out of range (harmonic degree ≤ 30, power ≤ 15)"),
            ));
        }
        if let Some(d) = self.taylor_degree
            && !(1..=MAX_TAYLOR_DEGREE).contains(&d)
        {
            return Err(SpecError::new(
                "taylor_degree",
                format!("taylor_degree = {d}: must lie in 1..={MAX_TAYLOR_DEGREE}"),
            ));
        }
        if !(self.kernel_gaussian >= 0.25 && self.kernel_gaussian <= 4.0) {
            return Err(SpecError::new(
                "kernel_gaussian",
                format!(
                    "kernel_gaussian = {}: must lie in [0.25, 4]",
                    self.kernel_gaussian
                ),
            ));
        }
        for rate in self.two_point_rates() {
            let need = taylor_degree_for(rate, self.r * self.r, self.big_r * self.big_r);
            if self.taylor_degree.is_none() && need > MAX_TAYLOR_DEGREE {
                return Err(SpecError::new(
                    "kernel_gaussian",
                    format!(
                        "kernel_gaussian = {}: e^{{−βπu}} with β = {rate} on [r², R²] = [{:.6}, {:.6}] \
                     needs a Taylor polynomial of degree above {MAX_TAYLOR_DEGREE}; lower \
                     kernel_gaussian or R",
                        self.kernel_gaussian,
                        self.r * self.r,
                        self.big_r * self.big_r
                    ),
                ));
            }
        }
        if !(self.sample_scale > 0.0 && self.sample_scale.is_finite()) {
            return Err(SpecError::new(
                "sample_scale",
                format!("sample_scale = {}: must be positive", self.sample_scale),
            ));
        }
        if self.p3_degree() > 16 {
            return Err(SpecError::new(
                "kernel",
                format!(
                    "kernel: p₃ would have degree {} in (u, v, t); at most 16 is supported",
                    self.p3_degree()
                ),
            ));
        }
        Ok(())
    }

    /// The rates `β` (in units of `π`) of the Gaussians `e^{−βπu}` that condition 2 divided by
    /// `e^{−πu}` carries: `f₃(x, 0)` and `f₃(0, x)` bring `γ − 1`, `f₃(x, x)` brings `2γ − 1`.
    fn two_point_rates(&self) -> [f64; 2] {
        [self.kernel_gaussian - 1.0, 2.0 * self.kernel_gaussian - 1.0]
    }

    /// The degree of the Taylor polynomial standing in for `e^{−βπu}` in condition 2.
    fn taylor_degree_of(&self, rate: f64) -> usize {
        self.taylor_degree
            .unwrap_or_else(|| taylor_degree_for(rate, self.r * self.r, self.big_r * self.big_r))
    }

    /// The total degree of `p₃` in `(u, v, t)`: `max_k (2 i_max(k) + k)`.
    pub fn p3_degree(&self) -> usize {
        self.kernel
            .iter()
            .map(|&(k, i)| 2 * i + k)
            .max()
            .unwrap_or(0)
    }

    fn alpha(&self) -> f64 {
        self.dim as f64 / 2.0 - 1.0
    }
}

/// One `F_k` block: its harmonic degree, powers and orthonormalised row basis.
#[derive(Clone, Debug)]
struct KernelBlock {
    k: usize,
    block: usize,
    powers: Vec<usize>,
    basis: LowerBasis,
}

impl KernelBlock {
    /// `w(u)`: the orthonormalised row functions at `u`.
    fn rows<T: Real>(&self, u: T, big_r2: f64) -> Vec<T> {
        let x = u / T::from_f64(big_r2);
        let raw: Vec<T> = self
            .powers
            .iter()
            .map(|&i| {
                let mut p = T::one();
                for _ in 0..i {
                    p *= x;
                }
                p
            })
            .collect();
        self.basis.apply(&raw)
    }
}

/// A trivariate weighted square `g ⟨Y, b bᵀ⟩` with its product-Chebyshev basis.
#[derive(Clone, Debug)]
struct TriSquare {
    block: usize,
    weight: Option<Multiplier>,
    exponents: Vec<[usize; 3]>,
    basis: LowerBasis,
}

/// The triples `(a, b, c)` with `a + b + c ≤ degree`, by total degree.
fn exponents(degree: usize) -> Vec<[usize; 3]> {
    let mut out = Vec::new();
    for d in 0..=degree {
        for a in (0..=d).rev() {
            for b in (0..=d - a).rev() {
                out.push([a, b, d - a - b]);
            }
        }
    }
    out
}

/// The region's coordinates mapped to `[−1, 1]`: `u, v` from `[r², R²]`, `t` from `[−R², R²]`.
#[derive(Clone, Copy, Debug)]
struct Scaling {
    r2: f64,
    big_r2: f64,
}

impl Scaling {
    fn product_chebyshev<T: Real>(&self, exps: &[[usize; 3]], u: T, v: T, t: T) -> Vec<T> {
        let deg = exps
            .iter()
            .map(|e| e[0].max(e[1]).max(e[2]))
            .max()
            .unwrap_or(0);
        let tu = chebyshev(deg, self.r2, self.big_r2, u);
        let tv = chebyshev(deg, self.r2, self.big_r2, v);
        let tt = chebyshev(deg, -self.big_r2, self.big_r2, t);
        exps.iter()
            .map(|e| tu[e[0]] * tv[e[1]] * tt[e[2]])
            .collect()
    }
}

/// A built truncated three-point SDP in scalar `T`.
#[derive(Clone, Debug)]
pub struct CdlsSdp<T> {
    pub spec: CdlsSpec,
    pub sdp: SdpProblem<T>,
    terms: Vec<usize>,
    norms: Vec<f64>,
    kernel_blocks: Vec<KernelBlock>,
    /// The sample points `(u, v, t)` of condition 3 (approximate Fekete points).
    pub trivariate_samples: Vec<[f64; 3]>,
}

/// A truncated three-point bound.
#[derive(Clone, Debug)]
pub struct CdlsBound {
    /// `vol(B^n_{r/2}) (f₂(0) + f₃(0, 0))` with `f̂₂(0) = 1` when the solve ended optimal, NaN
    /// otherwise (see `value`).
    pub bound: f64,
    pub value: Certified,
    pub r: f64,
    pub big_r: f64,
    /// `f₂(0)` and `f₃(0, 0)`.
    pub f2_at_0: f64,
    pub f3_at_0: f64,
    /// Coefficients of `f₂` in `L_k^α(2π|x|²) e^{−π|x|²}`, `k = 0..=two_point_degree`.
    pub two_point_coefficients: Vec<f64>,
    pub report: SolveReport,
    pub status: SdpStatus,
}

fn phi<T: Real>(alpha: f64, degree: usize, norm: &[f64], y: T) -> Vec<T> {
    let two_pi = T::pi() * T::from_f64(2.0);
    laguerre(degree, T::from_f64(alpha), two_pi * y)
        .into_iter()
        .zip(norm)
        .map(|(v, m)| v / T::from_f64(*m))
        .collect()
}

/// The largest Taylor degree condition 2 may use.
pub const MAX_TAYLOR_DEGREE: usize = 80;

/// The least degree `d` whose Taylor polynomial of `e^{−βπu}` about the middle of `[a, b]` has
/// relative error below 1e-15 on the interval: with `x = |β|π(b − a)/2`, the remainder is at
/// most `e^{−βπc} x^{d+1}/(d+1)! e^x` and the function at least `e^{−βπc} e^{−x}`. `0` for `β = 0`.
pub fn taylor_degree_for(rate: f64, a: f64, b: f64) -> usize {
    let x = rate.abs() * std::f64::consts::PI * (b - a) / 2.0;
    if x == 0.0 {
        return 0;
    }
    let limit = 1e-15 * (-2.0 * x).exp();
    let mut term = x; // x^{d+1}/(d+1)! at d = 0
    for d in 0..=MAX_TAYLOR_DEGREE + 1 {
        if term <= limit {
            return d;
        }
        term *= x / (d + 2) as f64;
    }
    MAX_TAYLOR_DEGREE + 1
}

/// The Taylor polynomial of `e^{−βπu}` (`β` = `rate`) of degree `degree` about `centre`, at `u`.
fn exp_taylor<T: Real>(rate: f64, degree: usize, centre: f64, u: T) -> T {
    let x = -T::pi() * T::from_f64(rate) * (u - T::from_f64(centre));
    let mut term = T::from_f64(1.0);
    let mut sum = term;
    for j in 1..=degree {
        term = term * x / T::from_f64(j as f64);
        sum += term;
    }
    exp_in(-T::pi() * T::from_f64(rate * centre)) * sum
}

/// `e^x` in the working precision: the Taylor series at `x / 2¹⁶` to the type's roundoff,
/// squared sixteen times (`|x|` is at most a few hundred here).
fn exp_in<T: Real>(x: T) -> T {
    let y = x / T::from_f64(65536.0);
    let mut term = T::one();
    let mut sum = term;
    let mut j = 1.0;
    while term.abs() > T::epsilon() * sum.abs() {
        term = term * y / T::from_f64(j);
        sum += term;
        j += 1.0;
    }
    for _ in 0..16 {
        sum = sum * sum;
    }
    sum
}

/// Builds the SDP in the working precision `T` (see the module documentation).
pub fn build<T: Real>(spec: &CdlsSpec) -> Result<CdlsSdp<T>, String> {
    spec.validate().map_err(|e| e.to_string())?;
    let terms = spec.two_point_list();
    let d2 = spec.two_point_degree;
    let alpha = spec.alpha();
    let norm = laguerre_norms(d2, alpha);
    let r2 = spec.r * spec.r;
    let big_r2 = spec.big_r * spec.big_r;
    let zero = T::from_f64(0.0);
    let one = T::from_f64(1.0);
    let sign = |k: usize| if k.is_multiple_of(2) { one } else { -one };
    let mut sdp = SdpProblem::<T>::new(Vec::new());

    // --- f₃: one PSD block per harmonic degree, rows orthonormalised on [r², R²].
    let kernel = spec.kernel_list();
    let mut kernel_blocks: Vec<KernelBlock> = Vec::new();
    let row_nodes = chebyshev_nodes(24, 0.0, big_r2);
    for k in kernel
        .iter()
        .map(|&(k, _)| k)
        .collect::<std::collections::BTreeSet<_>>()
    {
        let powers: Vec<usize> = kernel
            .iter()
            .filter(|&&(kk, _)| kk == k)
            .map(|&(_, i)| i)
            .collect();
        let values: Vec<Vec<f64>> = row_nodes
            .iter()
            .map(|&u| {
                powers
                    .iter()
                    .map(|&i| (u / big_r2).powi(i as i32))
                    .collect()
            })
            .collect();
        let basis = orthonormalize(&values, &vec![1.0; values.len()], powers.len())
            .map_err(|e| format!("kernel block k = {k}: {e}"))?;
        sdp.blocks.push(BlockKind::Psd(powers.len()));
        kernel_blocks.push(KernelBlock {
            k,
            block: sdp.blocks.len() - 1,
            powers,
            basis,
        });
    }
    let three_point = !kernel_blocks.is_empty();
    let max_k = kernel_blocks.iter().map(|b| b.k).max().unwrap_or(0);
    let diag_degree = kernel_blocks
        .iter()
        .map(|b| 2 * b.powers.iter().max().copied().unwrap_or(0) + b.k)
        .max()
        .unwrap_or(0);
    // p₃(u, 0, 0) + p₃(0, u, 0) comes from the k = 0 block only, of degree i_max in u.
    let cross_degree = kernel_blocks
        .iter()
        .filter(|b| b.k == 0)
        .map(|b| b.powers.iter().max().copied().unwrap_or(0))
        .max()
        .unwrap_or(0);
    let f0_block = kernel_blocks.iter().find(|b| b.k == 0);

    // --- f̂₂ ≥ 0 on [0, ∞), −f₂ ≥ 0 on [R², ∞): as in the Cohn–Elkies bound.
    let samples2 = rescaled_laguerre_points(d2 + 1, spec.sample_scale);
    let weights2: Vec<f64> = samples2
        .iter()
        .map(|y| (-std::f64::consts::PI * y / 2.0).exp())
        .collect();
    let sos_a = UniSos::new(
        &mut sdp,
        Domain::HalfLine(big_r2),
        d2,
        RawBasis::Stieltjes,
        &samples2,
        &weights2,
    )?;
    let sos_b = UniSos::new(
        &mut sdp,
        Domain::HalfLine(0.0),
        d2,
        RawBasis::Stieltjes,
        &samples2,
        &weights2,
    )?;
    // --- condition 2 on [r², R²].
    let [cross_rate, diag_rate] = spec.two_point_rates();
    let (cross_taylor, diag_taylor) = (
        spec.taylor_degree_of(cross_rate),
        spec.taylor_degree_of(diag_rate),
    );
    let dc = d2
        .max(if three_point {
            (diag_degree + diag_taylor).max(cross_degree + cross_taylor)
        } else {
            0
        })
        .max(1);
    let samples_c = chebyshev_nodes(dc + 1, r2, big_r2);
    let sos_c = UniSos::new(
        &mut sdp,
        Domain::Interval(r2, big_r2),
        dc,
        RawBasis::Stieltjes,
        &samples_c,
        &vec![1.0; samples_c.len()],
    )?;
    // --- condition 3: Putinar certificate in (u, v, t).
    let scaling = Scaling { r2, big_r2 };
    let d3 = spec.p3_degree().div_ceil(2) * 2;
    let mut squares: Vec<TriSquare> = Vec::new();
    let mut tri_samples: Vec<[f64; 3]> = Vec::new();
    if three_point {
        let all = exponents(d3);
        // Candidates in the region, then approximate Fekete points for degree d3.
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x5eed_cd15);
        let want = all.len();
        let mut cand: Vec<[f64; 3]> = Vec::new();
        while cand.len() < 12 * want {
            let u = r2 + (big_r2 - r2) * rng.random::<f64>();
            let v = r2 + (big_r2 - r2) * rng.random::<f64>();
            let s = (u * v).sqrt();
            let t = -s + 2.0 * s * rng.random::<f64>();
            if u + v - 2.0 * t >= r2 {
                cand.push([u, v, t]);
            }
        }
        let cols: Vec<Vec<f64>> = cand
            .iter()
            .map(|&[u, v, t]| scaling.product_chebyshev(&all, u, v, t))
            .collect();
        let chosen =
            fekete_select(&cols, want).map_err(|e| format!("three-point sample points: {e}"))?;
        tri_samples = chosen.iter().map(|&c| cand[c]).collect();
        let mut weights: Vec<Option<Multiplier>> = vec![None];
        let mut mults = spec.multipliers.clone();
        mults.sort_unstable();
        mults.dedup();
        weights.extend(mults.into_iter().map(Some));
        for w in weights {
            let wdeg = w.map_or(0, |m| m.degree());
            if wdeg > d3 {
                continue;
            }
            let exps = exponents((d3 - wdeg) / 2);
            let values: Vec<Vec<f64>> = tri_samples
                .iter()
                .map(|&[u, v, t]| scaling.product_chebyshev(&exps, u, v, t))
                .collect();
            let rw: Vec<f64> = tri_samples
                .iter()
                .map(|&[u, v, t]| {
                    w.map_or(1.0, |m| m.eval(r2, big_r2, u, v, t))
                        .abs()
                        .sqrt()
                        .max(1e-300)
                })
                .collect();
            let basis = orthonormalize(&values, &rw, exps.len()).map_err(|e| {
                format!("three-point square ({}): {e}", w.map_or("1", |m| m.name()))
            })?;
            sdp.blocks.push(BlockKind::Psd(exps.len()));
            squares.push(TriSquare {
                block: sdp.blocks.len() - 1,
                weight: w,
                exponents: exps,
                basis,
            });
        }
    }

    // --- free variables c_k, with f̂₂(0) = Σ (−1)^k c_k φ_k(0) = 1 eliminating c_p.
    let at0 = phi(alpha, d2, &norm, zero);
    let p = terms[0];
    let gamma = sign(p) * at0[p];
    let rest: Vec<usize> = terms[1..].to_vec();
    let eliminate = |a: &dyn Fn(usize) -> T| -> (Vec<T>, T) {
        let ap = a(p);
        (
            rest.iter()
                .map(|&k| a(k) - ap * sign(k) * at0[k] / gamma)
                .collect(),
            ap / gamma,
        )
    };
    let (obj, _) = eliminate(&|k| -at0[k]);
    for v in obj {
        sdp.add_free_variable(v);
    }
    let add_row = |sdp: &mut SdpProblem<T>, a: &dyn Fn(usize) -> T| -> usize {
        let (row, constant) = eliminate(a);
        let c = sdp.add_constraint(-constant);
        for (i, g) in row.into_iter().enumerate() {
            if g != zero {
                sdp.add_free_coefficient(c, i, g);
            }
        }
        c
    };
    // Objective: maximise −(f₂(0) + f₃(0,0)); f₃(0,0) = w(0)ᵀ F₀ w(0).
    if let Some(b0) = f0_block {
        sdp.add_objective_rank_one(b0.block, -one, b0.rows(zero, big_r2));
    }

    for &y in &samples2 {
        let g = T::from_f64((-std::f64::consts::PI * y).exp());
        let v = phi(alpha, d2, &norm, T::from_f64(y));
        // −f₂ = σ_A on [R², ∞):  Σ c_k φ_k + σ_A = 0
        let ca = add_row(&mut sdp, &|k| v[k] * g);
        sos_a.add_at(&mut sdp, ca, y, g);
        // f̂₂ = σ_B on [0, ∞):  −Σ (−1)^k c_k φ_k + σ_B = 0
        let cb = add_row(&mut sdp, &|k| -sign(k) * v[k] * g);
        sos_b.add_at(&mut sdp, cb, y, g);
    }
    let centre = 0.5 * (r2 + big_r2);
    for &s in &samples_c {
        let sd = T::from_f64(s);
        let g = T::from_f64((-std::f64::consts::PI * s).exp());
        let v = phi(alpha, d2, &norm, sd);
        let c = add_row(&mut sdp, &|k| v[k] * g);
        if three_point {
            let e = exp_taylor(diag_rate, diag_taylor, centre, sd);
            let ec = exp_taylor(cross_rate, cross_taylor, centre, sd);
            let x = sd / T::from_f64(big_r2);
            for kb in &kernel_blocks {
                let a = kb.rows(sd, big_r2);
                // p₃(u,u,u) E(u) = Σ_k (u/R²)^k E(u) ⟨F_k, w wᵀ⟩
                let mut xk = one;
                for _ in 0..kb.k {
                    xk *= x;
                }
                sdp.add_rank_one(c, kb.block, xk * e * g, a.clone());
                if kb.k == 0 {
                    // p₃(u,0,0) + p₃(0,u,0) = ⟨F₀, a bᵀ + b aᵀ⟩ = ½⟨F₀, (a+b)(a+b)ᵀ − (a−b)(a−b)ᵀ⟩
                    let b = kb.rows(zero, big_r2);
                    let plus: Vec<T> = a.iter().zip(&b).map(|(x, y)| *x + *y).collect();
                    let minus: Vec<T> = a.iter().zip(&b).map(|(x, y)| *x - *y).collect();
                    let half = T::from_f64(0.5) * ec * g;
                    sdp.add_rank_one(c, kb.block, half, plus);
                    sdp.add_rank_one(c, kb.block, -half, minus);
                }
            }
        }
        sos_c.add_at(&mut sdp, c, s, g);
    }
    for &[u, v, t] in &tri_samples {
        let (ud, vd, td) = (T::from_f64(u), T::from_f64(v), T::from_f64(t));
        let c = sdp.add_constraint(zero);
        let big_r4 = T::from_f64(big_r2) * T::from_f64(big_r2);
        let h = gegenbauer_homogeneous(max_k, spec.dim, ud * vd / big_r4, td / T::from_f64(big_r2));
        // p₃(u,v,t) = Σ_k Ĥ_k ⟨F_k, sym(a bᵀ)⟩ = Σ_k Ĥ_k/4 ⟨F_k, (a+b)(a+b)ᵀ − (a−b)(a−b)ᵀ⟩
        for kb in &kernel_blocks {
            let a = kb.rows(ud, big_r2);
            let b = kb.rows(vd, big_r2);
            let quarter = h[kb.k] * T::from_f64(0.25);
            let plus: Vec<T> = a.iter().zip(&b).map(|(x, y)| *x + *y).collect();
            let minus: Vec<T> = a.iter().zip(&b).map(|(x, y)| *x - *y).collect();
            sdp.add_rank_one(c, kb.block, quarter, plus);
            if minus.iter().any(|m| *m != zero) {
                sdp.add_rank_one(c, kb.block, -quarter, minus);
            }
        }
        // + σ₀ + Σ g σ_g
        for sq in &squares {
            let raw = scaling.product_chebyshev(&sq.exponents, ud, vd, td);
            let w = sq.weight.map_or(one, |m| m.eval(r2, big_r2, ud, vd, td));
            sdp.add_rank_one(c, sq.block, w, sq.basis.apply(&raw));
        }
    }
    Ok(CdlsSdp {
        spec: spec.clone(),
        sdp,
        terms,
        norms: norm,
        kernel_blocks,
        trivariate_samples: tri_samples,
    })
}

impl<T: Real> CdlsSdp<T> {
    /// The bound and `f₂`'s coefficients from a solution.
    pub fn extract(&self, sol: &SdpSolution<T>, report: SolveReport) -> CdlsBound {
        let spec = &self.spec;
        let zero = T::from_f64(0.0);
        let one = T::from_f64(1.0);
        let sign = |k: usize| if k.is_multiple_of(2) { one } else { -one };
        let at0 = phi(spec.alpha(), spec.two_point_degree, &self.norms, zero);
        let p = self.terms[0];
        let gamma = sign(p) * at0[p];
        let mut cp = one / gamma;
        for (i, &k) in self.terms[1..].iter().enumerate() {
            cp -= sign(k) * at0[k] * sol.w[i] / gamma;
        }
        let mut f2 = zero;
        let mut coefficients = vec![0.0; spec.two_point_degree + 1];
        for (i, &k) in self.terms.iter().enumerate() {
            let c = if i == 0 { cp } else { sol.w[i - 1] };
            f2 += c * at0[k];
            coefficients[k] = (c / T::from_f64(self.norms[k])).to_f64();
        }
        let mut f3 = zero;
        if let Some(b0) = self.kernel_blocks.iter().find(|b| b.k == 0) {
            let w = b0.rows(zero, spec.big_r * spec.big_r);
            let y = sol.Y.blocks[b0.block].dense();
            for i in 0..w.len() {
                for j in 0..w.len() {
                    f3 += w[i] * y[(i, j)] * w[j];
                }
            }
        }
        let value = Certified::new(
            // r as the SDP sees it: √(r²) of the f64 r² its conditions use.
            ball_volume_in(
                spec.dim,
                T::from_f64(spec.r * spec.r).sqrt() * T::from_f64(0.5),
            ) * (f2 + f3),
            &report,
            sol.status,
        );
        CdlsBound {
            bound: value.bound(),
            value,
            r: spec.r,
            big_r: spec.big_r,
            f2_at_0: f2.to_f64(),
            f3_at_0: f3.to_f64(),
            two_point_coefficients: coefficients,
            report,
            status: sol.status,
        }
    }
}

/// Builds and solves.
pub fn cdls_bound(
    spec: &CdlsSpec,
    settings: &SolveSettings,
    monitor: &mut Monitor<'_>,
) -> Result<CdlsBound, String> {
    solve_bound(spec, settings, monitor)
}

impl Formulation for CdlsSpec {
    type Built<T: Real> = CdlsSdp<T>;
    type Output = CdlsBound;
    fn build<T: Real>(&self) -> Result<CdlsSdp<T>, String> {
        build(self)
    }
    fn problem<T: Real>(built: &CdlsSdp<T>) -> &SdpProblem<T> {
        &built.sdp
    }
    fn read<T: Real>(&self, built: &CdlsSdp<T>, sol: &SdpSolution<T>) -> CdlsBound {
        built.extract(sol, crate::report(&built.sdp, sol))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use boundlab_sdp_solver::scalar::fx128;

    #[test]
    fn kernel_and_exponent_counts() {
        // 2i + k ≤ 9: sizes 5,5,4,4,3,3,2,2,1,1 = 30 functions.
        assert_eq!(full_kernel(9).len(), 30);
        // (D+3 choose 3) triples.
        assert_eq!(exponents(5).len(), 56);
        assert_eq!(exponents(10).len(), 286);
        let spec = CdlsSpec::new(4, 9, 1.664634);
        assert_eq!(spec.p3_degree(), 9);
    }

    #[test]
    fn taylor_polynomial_of_the_gaussian() {
        let centre = 1.9;
        for u in [1.0, 1.9, 2.77] {
            let e = exp_taylor(1.0, 24, centre, fx128::from(u)).to_f64();
            let want = (-std::f64::consts::PI * u).exp();
            assert!((e / want - 1.0).abs() < 1e-13, "{u}: {e} vs {want}");
        }
        // The automatic degree meets its 1e-15 promise for growing and decaying Gaussians.
        let (a, b) = (1.0, 1.664634f64.powi(2));
        for rate in [-1.5, 0.5, 1.0, 2.5, 3.5] {
            let d = taylor_degree_for(rate, a, b);
            assert!(d > 0 && d <= MAX_TAYLOR_DEGREE, "{rate}: {d}");
            for j in 0..=20 {
                let u = a + (b - a) * j as f64 / 20.0;
                let e = exp_taylor(rate, d, 0.5 * (a + b), fx128::from(u)).to_f64();
                let want = (-std::f64::consts::PI * rate * u).exp();
                // f64's exp of an argument near 20 is itself only good to ~2e-15.
                assert!(
                    (e / want - 1.0).abs() < 1e-14,
                    "{rate} at {u}: {e} vs {want}"
                );
            }
        }
        assert_eq!(taylor_degree_for(0.0, a, b), 0);
    }
}
