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
//! (the Laguerre functions are Fourier eigenfunctions; `M_k` is the largest coefficient of
//! `L_k(2πy)`, ClusteredLowRankSolver's normalisation). Dropping the Gaussian, with
//! `y = |x|²`:
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

use crate::problem::SdpProblem;
use crate::scalar::{Real, fx128};
use crate::solver::{IterationInfo, SdpSolution, SdpStatus};

use super::poly::{ball_volume, laguerre, ln_gamma, rescaled_laguerre_points};
use super::sos::{Domain, RawBasis, UniSos};
use super::{SolveReport, SolveSettings, solve_sdp};

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

    pub fn validate(&self) -> Result<(), String> {
        if !(1..=64).contains(&self.dim) {
            return Err(format!("dim = {}: must lie in 1..=64", self.dim));
        }
        if !(1..=200).contains(&self.degree) {
            return Err(format!("degree = {}: must lie in 1..=200", self.degree));
        }
        if !(self.radius > 0.0 && self.radius.is_finite()) {
            return Err(format!("radius = {}: must be positive", self.radius));
        }
        if !(self.sample_scale > 0.0 && self.sample_scale.is_finite()) {
            return Err(format!(
                "sample_scale = {}: must be positive",
                self.sample_scale
            ));
        }
        let t = self.term_list();
        if t.is_empty() {
            return Err("terms: no Laguerre index to use".into());
        }
        if let Some(&k) = t.iter().find(|&&k| k > self.degree) {
            return Err(format!("terms: index {k} is above degree {}", self.degree));
        }
        Ok(())
    }

    fn alpha(&self) -> f64 {
        self.dim as f64 / 2.0 - 1.0
    }
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

/// A built Cohn–Elkies SDP.
#[derive(Clone, Debug)]
pub struct CohnElkiesSdp {
    pub spec: CohnElkiesSpec,
    pub sdp: SdpProblem<fx128>,
    pub terms: Vec<usize>,
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
    /// The density bound `vol(B^n_{r/2}) f(0)/f̂(0)`.
    pub bound: f64,
    /// `bound / vol(B^n_1)`.
    pub center_density: f64,
    pub radius: f64,
    /// `f(0)/f̂(0)`.
    pub ratio: f64,
    /// Coefficients of `f` in the basis `L_k^{n/2−1}(2π|x|²) e^{−π|x|²}`, `k = 0..=D`.
    pub coefficients: Vec<f64>,
    pub report: SolveReport,
    pub status: SdpStatus,
}

fn phi<T: Real>(spec: &CohnElkiesSpec, norm: &[f64], y: T) -> Vec<T> {
    let two_pi =
        T::from_fx128(fx128::from(std::f64::consts::PI) + fx128::from(1.224_646_799_147_353_2e-16))
            * T::from_f64(2.0);
    laguerre(spec.degree, T::from_f64(spec.alpha()), two_pi * y)
        .into_iter()
        .zip(norm)
        .map(|(v, m)| v / T::from_f64(*m))
        .collect()
}

/// Builds the SDP.
pub fn build(spec: &CohnElkiesSpec) -> Result<CohnElkiesSdp, String> {
    spec.validate()?;
    let terms = spec.term_list();
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
    let mut sdp = SdpProblem::<fx128>::new(Vec::new());
    let sos_a = UniSos::new(
        &mut sdp,
        Domain::HalfLine(r2),
        d,
        raw.clone(),
        &samples,
        &weights,
    )?;
    let sos_b = UniSos::new(&mut sdp, Domain::HalfLine(0.0), d, raw, &samples, &weights)?;
    let zero = fx128::from(0.0);
    let one = fx128::from(1.0);
    let sign = |k: usize| if k.is_multiple_of(2) { one } else { -one };
    // f̂(0) = Σ (−1)^k c_k φ_k(0) = 1 is used to eliminate the first term's coefficient
    // c_p (a constraint on the free variables alone would make the Schur complement
    // singular): c_p = (1 − Σ_{k≠p} (−1)^k φ_k(0) c_k) / γ, γ = (−1)^p φ_p(0). A row
    // Σ_k a_k c_k becomes Σ_{k≠p} (a_k − a_p (−1)^k φ_k(0)/γ) c_k + a_p/γ.
    let at0 = phi::<fx128>(spec, &norm, zero);
    let p = terms[0];
    let gamma = sign(p) * at0[p];
    let rest: Vec<usize> = terms[1..].to_vec();
    let eliminate = |a: &dyn Fn(usize) -> fx128| -> (Vec<fx128>, fx128) {
        let ap = a(p);
        (
            rest.iter()
                .map(|&k| a(k) - ap * sign(k) * at0[k] / gamma)
                .collect(),
            ap / gamma,
        )
    };
    // objective: maximise −f(0) (the constant −φ_p(0)/γ is added back in `extract`)
    let (obj, _) = eliminate(&|k| -at0[k]);
    for v in obj {
        sdp.add_free_variable(v);
    }
    for &y in &samples {
        // Each sample's rows are multiplied by the dropped Gaussian e^{−πy} (balances them).
        let g = fx128::from((-std::f64::consts::PI * y).exp());
        let v = phi::<fx128>(spec, &norm, fx128::from(y));
        // −f = σ_A:  Σ c_k φ_k(y) + σ_A(y) = 0
        let (row, constant) = eliminate(&|k| v[k] * g);
        let ca = sdp.add_constraint(-constant);
        for (i, c) in row.into_iter().enumerate() {
            sdp.add_free_coefficient(ca, i, c);
        }
        sos_a.add_at(&mut sdp, ca, y, g);
        // f̂ = σ_B:  −Σ (−1)^k c_k φ_k(y) + σ_B(y) = 0
        let (row, constant) = eliminate(&|k| -sign(k) * v[k] * g);
        let cb = sdp.add_constraint(-constant);
        for (i, c) in row.into_iter().enumerate() {
            sdp.add_free_coefficient(cb, i, c);
        }
        sos_b.add_at(&mut sdp, cb, y, g);
    }
    Ok(CohnElkiesSdp {
        spec: spec.clone(),
        sdp,
        terms,
        normalisers: norm,
        sos_a,
        sos_b,
        samples,
    })
}

impl CohnElkiesSdp {
    pub fn extract(&self, sol: &SdpSolution<fx128>, report: SolveReport) -> CohnElkiesBound {
        let spec = &self.spec;
        let at0 = phi::<fx128>(spec, &self.normalisers, fx128::from(0.0));
        let mut f0 = fx128::from(0.0);
        let mut fh0 = fx128::from(0.0);
        let mut coefficients = vec![0.0; spec.degree + 1];
        let one = fx128::from(1.0);
        let sign = |k: usize| if k.is_multiple_of(2) { one } else { -one };
        let p = self.terms[0];
        let gamma = sign(p) * at0[p];
        let mut cp = one / gamma;
        for (i, &k) in self.terms[1..].iter().enumerate() {
            cp -= sign(k) * at0[k] * sol.w[i] / gamma;
        }
        for (i, &k) in self.terms.iter().enumerate() {
            let c = if i == 0 { cp } else { sol.w[i - 1] };
            f0 += c * at0[k];
            if k.is_multiple_of(2) {
                fh0 += c * at0[k];
            } else {
                fh0 -= c * at0[k];
            }
            coefficients[k] = (c / fx128::from(self.normalisers[k])).to_f64();
        }
        let ratio = (f0 / fh0).to_f64();
        let r = spec.radius;
        CohnElkiesBound {
            bound: ball_volume(spec.dim, r / 2.0) * ratio,
            center_density: ratio * (r / 2.0).powi(spec.dim as i32),
            radius: r,
            ratio,
            coefficients,
            report,
            status: sol.status,
        }
    }

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

/// Builds and solves.
pub fn cohn_elkies_bound(
    spec: &CohnElkiesSpec,
    settings: &SolveSettings,
    monitor: &mut dyn FnMut(&IterationInfo) -> bool,
) -> Result<CohnElkiesBound, String> {
    let sdp = build(spec)?;
    let (sol, report) = solve_sdp(&sdp.sdp, settings, monitor)?;
    Ok(sdp.extract(&sol, report))
}
