//! The Cohn–Elkies linear programming bound for the sphere packing density.
//!
//! If `f: ℝⁿ → ℝ` is radial and admissible, `f(x) ≤ 0` for `|x| ≥ r`, `f̂ ≥ 0` and
//! `f̂(0) > 0`, then every packing has density at most `vol(B^n_{r/2}) · f(0)/f̂(0)`
//! (Cohn–Elkies, Ann. Math. 157 (2003), Theorem 3.1). Here
//!
//! ```text
//! f(x) = Σ_k c_k φ_k(|x|²) e^{−π|x|²},   φ_k(y) = L_k^{n/2−1}(2πy) / M_k,
//! f̂(ξ) = Σ_k (−1)^k c_k φ_k(|ξ|²) e^{−π|ξ|²}
//! ```
//!
//! (the Laguerre functions are Fourier eigenfunctions; `M_k = √C(k+α, k)`, [`laguerre_norms`]).
//! Dropping the Gaussian, with `y = |x|²`:
//!
//! ```text
//! minimise f(0)   s.t.  −Σ c_k φ_k(y) = σ_A(y) on [r², ∞),   Σ (−1)^k c_k φ_k(y) = σ_B(y) on [0, ∞),
//!                       σ_B(0) = 1   (that is, f̂(0) = 1),
//! ```
//!
//! `σ_A`, `σ_B` Markov–Lukács sums of squares ([`UniSos`]), imposed at `D + 1` samples (SDPB's
//! rescaled Laguerre points). The `c_k` are the free variables of the SDPA dual form. The
//! radius only scales the problem (the bound is scale invariant); the default
//! `r = √(1 + n/8)` keeps it well scaled up to n ≈ 16.
//!
//! **Function spaces.** `f` ranges over the span of chosen basis functions: Laguerre terms
//! `φ_k` (`terms`) and products `φ_i φ_j` of two of them (`products`, `i + j ≤ D`), the SDP
//! game's "products of base polynomials". A product is expanded in the `φ_k` (its coefficients
//! interpolated at `i + j + 1` points), so `f̂` stays `Σ (−1)^k c_k φ_k e^{−π|ξ|²}` with
//! `c = Σ_b w_b (coefficients of basis function b)` and the weights `w_b` free.

use crate::SpecError;
use boundlab_sdp_solver::precision::{Arithmetic, Formulation, TextFormat};
use boundlab_sdp_solver::problem::SdpProblem;
use boundlab_sdp_solver::scalar::{Real, fx128};
use boundlab_sdp_solver::solver::{Monitor, SdpSolution, SdpStatus};

use super::poly::{ball_volume_in, laguerre, ln_gamma, rescaled_laguerre_points};
use super::sos::{Domain, RawBasis, UniSos};
use super::{Certified, SolveReport, SolveSettings, solve_bound};

/// The pieces of a Cohn–Elkies LP; [`CohnElkiesSpec::new`] gives the full formulation.
#[derive(Clone, Debug, PartialEq)]
pub struct CohnElkiesSpec {
    pub dim: usize,
    /// The degree `D` of the polynomial factor in `y = |x|²`.
    pub degree: usize,
    /// The radius `r` beyond which `f ≤ 0`.
    pub radius: f64,
    /// The Laguerre indices `k` that `f` may use; `None`: all of `0..=degree`.
    pub terms: Option<Vec<usize>>,
    /// Products `φ_i φ_j` (`i + j ≤ degree`) that `f` may use besides the terms.
    pub products: Vec<(usize, usize)>,
    /// Factor on the sample points (1: SDPB's rescaled Laguerre points; default
    /// [`DEFAULT_SAMPLE_SCALE`]).
    pub sample_scale: f64,
}

/// The default factor on SDPB's rescaled Laguerre points: they then reach `y ≈ D`, where the
/// Laguerre functions of degree `D` in `2πy` still oscillate.
pub const DEFAULT_SAMPLE_SCALE: f64 = 4.0;

/// The default radius `√(1 + n/8)` (the sign change of good functions; see the notes).
pub fn default_radius(dim: usize) -> f64 {
    (1.0 + dim as f64 / 8.0).sqrt()
}

impl CohnElkiesSpec {
    pub fn new(dim: usize, degree: usize) -> Self {
        Self {
            dim,
            degree,
            radius: default_radius(dim),
            terms: None,
            products: Vec::new(),
            sample_scale: DEFAULT_SAMPLE_SCALE,
        }
    }

    pub fn term_list(&self) -> Vec<usize> {
        match &self.terms {
            Some(t) => {
                let mut t = t.clone();
                t.sort_unstable();
                t.dedup();
                t
            }
            None => (0..=self.degree).collect(),
        }
    }

    pub fn validate(&self) -> Result<(), SpecError> {
        if !(1..=64).contains(&self.dim) {
            return Err(SpecError::new(
                "dim",
                format!("dim = {}: must lie in 1..=64", self.dim),
            ));
        }
        if !(1..=200).contains(&self.degree) {
            return Err(SpecError::new(
                "degree",
                format!("degree = {}: must lie in 1..=200", self.degree),
            ));
        }
        if !(self.radius > 0.0 && self.radius.is_finite()) {
            return Err(SpecError::new(
                "radius",
                format!("radius = {}: must be positive", self.radius),
            ));
        }
        if !(self.sample_scale > 0.0 && self.sample_scale.is_finite()) {
            return Err(SpecError::new(
                "sample_scale",
                format!("sample_scale = {}: must be positive", self.sample_scale),
            ));
        }
        let t = self.term_list();
        if t.is_empty() {
            return Err(SpecError::new("terms", "terms: no Laguerre index to use"));
        }
        if let Some(&k) = t.iter().find(|&&k| k > self.degree) {
            return Err(SpecError::new(
                "terms",
                format!("terms: index {k} is above degree {}", self.degree),
            ));
        }
        if let Some(&(i, j)) = self.products.iter().find(|&&(i, j)| i + j > self.degree) {
            return Err(SpecError::new(
                "products",
                format!(
                    "products: φ_{i}·φ_{j} has degree {} above degree {}",
                    i + j,
                    self.degree
                ),
            ));
        }
        Ok(())
    }

    fn alpha(&self) -> f64 {
        self.dim as f64 / 2.0 - 1.0
    }

    /// The basis functions of `f`'s space as coefficient vectors over `φ_0..φ_D`: the terms
    /// (unit vectors) first, then the products (`(i, j)` and `(j, i)` alike), leaving out any
    /// that lies in the span of those before it (dependent free variables would make the Schur
    /// complement singular; the function space is the same).
    pub fn basis(&self) -> Vec<Vec<f64>> {
        let d = self.degree;
        let mut out: Vec<Vec<f64>> = self
            .term_list()
            .into_iter()
            .map(|k| {
                let mut e = vec![0.0; d + 1];
                e[k] = 1.0;
                e
            })
            .collect();
        let mut products: Vec<(usize, usize)> = self
            .products
            .iter()
            .map(|&(i, j)| (i.min(j), i.max(j)))
            .collect();
        products.sort_unstable();
        products.dedup();
        let norm = laguerre_norms(d, self.alpha());
        // Modified Gram–Schmidt on copies decides independence; the kept vectors are unchanged.
        let mut orthonormal: Vec<Vec<f64>> = out.clone();
        for (i, j) in products {
            let v = product_coefficients(self, &norm, i, j);
            let mut w = v.clone();
            for q in &orthonormal {
                let dot: f64 = w.iter().zip(q).map(|(a, b)| a * b).sum();
                for (wk, qk) in w.iter_mut().zip(q) {
                    *wk -= dot * qk;
                }
            }
            let size = v.iter().map(|a| a * a).sum::<f64>().sqrt();
            let rest = w.iter().map(|a| a * a).sum::<f64>().sqrt();
            if rest > 1e-9 * size {
                orthonormal.push(w.iter().map(|a| a / rest).collect());
                out.push(v);
            }
        }
        out
    }
}

/// `φ_i φ_j = Σ_{k ≤ i+j} c_k φ_k`: `c` from the interpolation conditions at `i + j + 1`
/// Chebyshev points of `[0, i + j + 1]`, solved in double-double.
fn product_coefficients(spec: &CohnElkiesSpec, norm: &[f64], i: usize, j: usize) -> Vec<f64> {
    let m = i + j + 1;
    let nodes = super::poly::chebyshev_nodes(m, 0.0, m as f64);
    let rows: Vec<Vec<fx128>> = nodes
        .iter()
        .map(|&y| phi::<fx128>(spec, norm, fx128::from(y)))
        .collect();
    let mut a: Vec<Vec<fx128>> = rows.iter().map(|r| r[..m].to_vec()).collect();
    let mut b: Vec<fx128> = rows.iter().map(|r| r[i] * r[j]).collect();
    let c = gauss_solve(&mut a, &mut b);
    let mut out = vec![0.0; spec.degree + 1];
    for (o, ck) in out.iter_mut().zip(c) {
        *o = ck.to_f64();
    }
    out
}

/// Solves `a x = b` (square, nonsingular) by Gaussian elimination with partial pivoting.
fn gauss_solve(a: &mut [Vec<fx128>], b: &mut [fx128]) -> Vec<fx128> {
    let m = b.len();
    for col in 0..m {
        let pivot = (col..m)
            .max_by(|&p, &q| {
                a[p][col]
                    .abs()
                    .to_f64()
                    .total_cmp(&a[q][col].abs().to_f64())
            })
            .unwrap_or(col);
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..m {
            let factor = a[row][col] / a[col][col];
            for k in col..m {
                let v = a[col][k];
                a[row][k] -= factor * v;
            }
            let v = b[col];
            b[row] -= factor * v;
        }
    }
    let mut x = vec![fx128::from(0.0); m];
    for row in (0..m).rev() {
        let mut acc = b[row];
        for k in row + 1..m {
            acc -= a[row][k] * x[k];
        }
        x[row] = acc / a[row][row];
    }
    x
}

/// `N_k = √C(k+α, k)`: the `L²(y^α e^{−2πy})` norm of `L_k^α(2πy)` relative to `k = 0`, so
/// that the `φ_k e^{−πy}` are of comparable size (orthonormal up to a common factor).
pub fn laguerre_norms(degree: usize, alpha: f64) -> Vec<f64> {
    (0..=degree)
        .map(|k| {
            (0.5 * (ln_gamma(k as f64 + alpha + 1.0)
                - ln_gamma(k as f64 + 1.0)
                - ln_gamma(alpha + 1.0)))
            .exp()
        })
        .collect()
}

/// A built Cohn–Elkies SDP in scalar `T`.
#[derive(Clone, Debug)]
pub struct CohnElkiesSdp<T> {
    pub spec: CohnElkiesSpec,
    pub sdp: SdpProblem<T>,
    /// The basis functions' coefficients over `φ_0..φ_D` ([`CohnElkiesSpec::basis`]); the
    /// first one's weight is eliminated by `f̂(0) = 1`, the others' are the free variables.
    pub basis: Vec<Vec<f64>>,
    /// `M_k` of each term.
    pub normalisers: Vec<f64>,
    /// `σ_A` (on `[r², ∞)`) and `σ_B` (on `[0, ∞)`).
    pub sos_a: UniSos,
    pub sos_b: UniSos,
    pub samples: Vec<f64>,
}

/// A Cohn–Elkies bound.
#[derive(Clone, Debug)]
pub struct CohnElkiesBound {
    /// The density bound `vol(B^n_{r/2}) f(0)/f̂(0)` when the solve ended optimal, its digits
    /// in `value.decimal`; NaN otherwise (`value.last_iterate` holds the last iterate's).
    pub bound: f64,
    pub value: Certified,
    /// `bound / vol(B^n_1)`.
    pub center_density: f64,
    pub radius: f64,
    /// `f(0)/f̂(0)`.
    pub ratio: f64,
    /// Coefficients of `f` in the basis `L_k^{n/2−1}(2π|x|²) e^{−π|x|²}`, `k = 0..=D`.
    pub coefficients: Vec<f64>,
    /// The same coefficients at the working precision, as decimal text (what `verify` rounds
    /// to rationals).
    pub coefficients_decimal: Vec<String>,
    pub report: SolveReport,
    pub status: SdpStatus,
}

fn phi<T: Real>(spec: &CohnElkiesSpec, norm: &[f64], y: T) -> Vec<T> {
    let two_pi = T::pi() * T::from_f64(2.0);
    laguerre(spec.degree, T::from_f64(spec.alpha()), two_pi * y)
        .into_iter()
        .zip(norm)
        .map(|(v, m)| v / T::from_f64(*m))
        .collect()
}

/// `Σ_k b_k a(k)` over the nonzero `b_k`.
fn apply<T: Real>(b: &[f64], a: &dyn Fn(usize) -> T) -> T {
    b.iter()
        .enumerate()
        .filter(|(_, c)| **c != 0.0)
        .fold(T::zero(), |acc, (k, c)| acc + T::from_f64(*c) * a(k))
}

fn sign<T: Real>(k: usize) -> T {
    if k.is_multiple_of(2) {
        T::one()
    } else {
        -T::one()
    }
}

/// Builds the SDP in the working precision `T` (π, the Laguerre values at the samples and the
/// rank-one terms are computed in `T`; the basis coefficients, samples and row scalings are
/// exact `f64` numbers and change only the parametrisation, not the bound).
pub fn build<T: Real>(spec: &CohnElkiesSpec) -> Result<CohnElkiesSdp<T>, String> {
    spec.validate().map_err(|e| e.to_string())?;
    let basis = spec.basis();
    let d = spec.degree;
    let alpha = spec.alpha();
    let norm = laguerre_norms(d, alpha);
    let samples = rescaled_laguerre_points(d + 1, spec.sample_scale);
    // Orthonormalise the squares with the Gaussian the problem dropped.
    let weights: Vec<f64> = samples
        .iter()
        .map(|y| (-std::f64::consts::PI * y / 2.0).exp())
        .collect();
    let r2 = spec.radius * spec.radius;
    let raw = RawBasis::Stieltjes;
    let mut sdp = SdpProblem::<T>::new(Vec::new());
    let sos_a = UniSos::new(
        &mut sdp,
        Domain::HalfLine(r2),
        d,
        raw.clone(),
        &samples,
        &weights,
    )?;
    let sos_b = UniSos::new(&mut sdp, Domain::HalfLine(0.0), d, raw, &samples, &weights)?;
    // f = Σ_b w_b f_b with f_b = Σ_k B[b][k] φ_k. f̂(0) = Σ_b w_b h_b = 1 (h_b = f̂_b(0))
    // eliminates the first basis function's weight (a constraint on the free variables alone
    // would make the Schur complement singular): w_0 = (1 − Σ_{b≠0} h_b w_b) / h_0. A row
    // Σ_b a_b w_b becomes Σ_{b≠0} (a_b − a_0 h_b / h_0) w_b + a_0 / h_0.
    let at0 = phi::<T>(spec, &norm, T::zero());
    let hat0: Vec<T> = basis
        .iter()
        .map(|b| apply(b, &|k| sign::<T>(k) * at0[k]))
        .collect();
    let gamma = hat0[0];
    let eliminate = |a: &dyn Fn(usize) -> T| -> (Vec<T>, T) {
        let a0 = apply(&basis[0], a);
        (
            basis[1..]
                .iter()
                .zip(&hat0[1..])
                .map(|(b, h)| apply(b, a) - a0 * *h / gamma)
                .collect(),
            a0 / gamma,
        )
    };
    // objective: maximise −f(0) (the constant −φ_p(0)/γ is added back in `extract`)
    let (obj, _) = eliminate(&|k| -at0[k]);
    for v in obj {
        sdp.add_free_variable(v);
    }
    for &y in &samples {
        // Each sample's rows are multiplied by the dropped Gaussian e^{−πy} (balances them).
        let g = T::from_f64((-std::f64::consts::PI * y).exp());
        let v = phi::<T>(spec, &norm, T::from_f64(y));
        // −f = σ_A:  Σ c_k φ_k(y) + σ_A(y) = 0
        let (row, constant) = eliminate(&|k| v[k] * g);
        let ca = sdp.add_constraint(-constant);
        for (i, c) in row.into_iter().enumerate() {
            sdp.add_free_coefficient(ca, i, c);
        }
        sos_a.add_at(&mut sdp, ca, y, g);
        // f̂ = σ_B:  −Σ (−1)^k c_k φ_k(y) + σ_B(y) = 0
        let (row, constant) = eliminate(&|k| -sign::<T>(k) * v[k] * g);
        let cb = sdp.add_constraint(-constant);
        for (i, c) in row.into_iter().enumerate() {
            sdp.add_free_coefficient(cb, i, c);
        }
        sos_b.add_at(&mut sdp, cb, y, g);
    }
    Ok(CohnElkiesSdp {
        spec: spec.clone(),
        sdp,
        basis,
        normalisers: norm,
        sos_a,
        sos_b,
        samples,
    })
}

impl<T: Real> CohnElkiesSdp<T> {
    pub fn extract(&self, sol: &SdpSolution<T>, report: SolveReport) -> CohnElkiesBound {
        let spec = &self.spec;
        let at0 = phi::<T>(spec, &self.normalisers, T::zero());
        let hat0 = |b: &[f64]| apply(b, &|k| sign::<T>(k) * at0[k]);
        // w_0 from f̂(0) = 1, then c = Σ_b w_b B[b].
        let mut w0 = T::one();
        for (b, w) in self.basis[1..].iter().zip(&sol.w) {
            w0 -= hat0(b) * *w;
        }
        w0 /= hat0(&self.basis[0]);
        let mut c = vec![T::zero(); spec.degree + 1];
        for (i, b) in self.basis.iter().enumerate() {
            let w = if i == 0 { w0 } else { sol.w[i - 1] };
            for (ck, bk) in c.iter_mut().zip(b) {
                *ck += w * T::from_f64(*bk);
            }
        }
        let mut f0 = T::zero();
        let mut fh0 = T::zero();
        for (k, ck) in c.iter().enumerate() {
            f0 += *ck * at0[k];
            fh0 += *ck * sign::<T>(k) * at0[k];
        }
        let in_basis: Vec<T> = c
            .iter()
            .zip(&self.normalisers)
            .map(|(ck, m)| *ck / T::from_f64(*m))
            .collect();
        let ratio = f0 / fh0;
        let r = spec.radius;
        // The SDP's sign change is at √(r²) with r² the f64 number it was given: the volume
        // uses the same radius, not the rounded r (the bound is scale invariant only when the
        // two agree).
        let half_r = T::from_f64(r * r).sqrt() * T::from_f64(0.5);
        let value = Certified::new(
            ball_volume_in(spec.dim, half_r) * ratio,
            &report,
            sol.status,
        );
        CohnElkiesBound {
            bound: value.bound(),
            value,
            center_density: ratio.to_f64() * (r / 2.0).powi(spec.dim as i32),
            radius: r,
            ratio: ratio.to_f64(),
            coefficients: in_basis.iter().map(|c| c.to_f64()).collect(),
            coefficients_decimal: in_basis.iter().map(|c| c.to_decimal()).collect(),
            report,
            status: sol.status,
        }
    }
}

impl<T> CohnElkiesSdp<T> {
    /// `f(y)` and `f̂(y)` (polynomial factors, without the Gaussian) from the coefficients of
    /// [`CohnElkiesBound::coefficients`].
    pub fn f_and_fhat(&self, coefficients: &[f64], y: f64) -> (f64, f64) {
        let l = laguerre(
            self.spec.degree,
            self.spec.alpha(),
            2.0 * std::f64::consts::PI * y,
        );
        let mut f = 0.0;
        let mut fh = 0.0;
        for (k, c) in coefficients.iter().enumerate() {
            f += c * l[k];
            fh += if k.is_multiple_of(2) {
                c * l[k]
            } else {
                -c * l[k]
            };
        }
        (f, fh)
    }
}

/// The SDP of `spec` built in `arithmetic` as SDPA or RON text (for other solvers).
pub fn problem_text(
    spec: &CohnElkiesSpec,
    arithmetic: Arithmetic,
    format: TextFormat,
) -> Result<String, String> {
    boundlab_sdp_solver::precision::problem_text(spec, arithmetic, format)
}

impl Formulation for CohnElkiesSpec {
    type Built<T: Real> = CohnElkiesSdp<T>;
    type Output = CohnElkiesBound;
    fn build<T: Real>(&self) -> Result<CohnElkiesSdp<T>, String> {
        build(self)
    }
    fn problem<T: Real>(built: &CohnElkiesSdp<T>) -> &SdpProblem<T> {
        &built.sdp
    }
    fn read<T: Real>(&self, built: &CohnElkiesSdp<T>, sol: &SdpSolution<T>) -> CohnElkiesBound {
        built.extract(sol, super::report(&built.sdp, sol))
    }
}

/// Builds and solves.
pub fn cohn_elkies_bound(
    spec: &CohnElkiesSpec,
    settings: &SolveSettings,
    monitor: &mut Monitor<'_>,
) -> Result<CohnElkiesBound, String> {
    solve_bound(spec, settings, monitor)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The interpolated expansion of `φ_i φ_j` reproduces the product away from its nodes.
    #[test]
    fn product_expansion_matches_the_product() {
        let spec = CohnElkiesSpec::new(8, 12);
        let norm = laguerre_norms(12, spec.alpha());
        for (i, j) in [(1, 1), (3, 4), (6, 6), (2, 9)] {
            let c = product_coefficients(&spec, &norm, i, j);
            assert!(c[i + j + 1..].iter().all(|v| *v == 0.0));
            for y in [0.0, 0.37, 1.5, 4.2, 9.9] {
                let p = phi::<fx128>(&spec, &norm, fx128::from(y));
                let direct = (p[i] * p[j]).to_f64();
                let expanded: f64 = c.iter().zip(&p).map(|(ck, pk)| ck * pk.to_f64()).sum();
                let scale: f64 = c
                    .iter()
                    .zip(&p)
                    .map(|(ck, pk)| (ck * pk.to_f64()).abs())
                    .sum();
                assert!(
                    (direct - expanded).abs() < 1e-12 * scale,
                    "({i}, {j}) at {y}: {direct} vs {expanded}"
                );
            }
        }
    }
}
