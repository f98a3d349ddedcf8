//! The Delsarte–Goethals–Seidel linear programming bound for spherical codes.
//!
//! A code on `S^{n−1}` whose inner products are at most `s = cos θ` has at most `f(1)/f_0`
//! points for every `f(t) = f_0 + Σ_{k≥1} a_k P_k(t)` with `f_0 > 0`, `a_k ≥ 0` and
//! `f(t) ≤ 0` on `[−1, s]`, where `P_k` are the Gegenbauer polynomials of [`gegenbauer`]
//! (Delsarte–Goethals–Seidel 1977; Odlyzko–Sloane 1979, Theorem 1). With `f_0 = 1`:
//!
//! ```text
//! minimise 1 + Σ_k a_k   s.t.   −1 − Σ_k a_k P_k(t) = σ(t) on [−1, s],  a_k ≥ 0,
//! ```
//!
//! `σ` a Lukács sum of squares ([`UniSos`]). The identity is imposed at `D + 1` Chebyshev
//! nodes of `[−1, s]` (`D` the degree), one SDP constraint each, with the squares as rank-one
//! terms. In the SDPA dual form of [`boundlab_sdp_solver::problem`]: `a` is an LP block, the Gram matrices
//! PSD blocks, `F_0 = −I` on the LP block, and the bound is `1 − F_0•Y`.

use crate::SpecError;
use boundlab_sdp_solver::blocks::BlockMatrix;
use boundlab_sdp_solver::precision::{Arithmetic, Formulation, TextFormat};
use boundlab_sdp_solver::problem::{BlockKind, SdpProblem};
use boundlab_sdp_solver::scalar::Real;
use boundlab_sdp_solver::solver::{Monitor, SdpSolution, SdpStatus};

use super::poly::{chebyshev_nodes, gegenbauer};
use super::sos::{Domain, RawBasis, UniSos};
use super::{Certified, SolveReport, SolveSettings, solve_bound};

/// The pieces of a Delsarte LP; [`DelsarteSpec::new`] gives the full formulation.
#[derive(Clone, Debug, PartialEq)]
pub struct DelsarteSpec {
    /// The dimension `n` of the ambient space (codes on `S^{n−1}`), at least 2.
    pub dim: usize,
    /// The degree `D` of `f`.
    pub degree: usize,
    /// `s = cos θ`, the largest inner product allowed (1/2 for the kissing number).
    pub cos_theta: f64,
    /// The Gegenbauer degrees `k ≥ 1` that `f` may use; `None`: all of `1..=degree`.
    pub terms: Option<Vec<usize>>,
    /// The raw basis of the squares (orthonormalised on the samples).
    pub sos_basis: RawBasis,
}

impl DelsarteSpec {
    /// The full formulation: all terms up to `degree`, Chebyshev squares.
    pub fn new(dim: usize, degree: usize, cos_theta: f64) -> Self {
        Self {
            dim,
            degree,
            cos_theta,
            terms: None,
            sos_basis: RawBasis::Chebyshev(-1.0, cos_theta),
        }
    }

    /// The Gegenbauer degrees used (sorted, distinct).
    pub fn term_list(&self) -> Vec<usize> {
        match &self.terms {
            Some(t) => {
                let mut t = t.clone();
                t.sort_unstable();
                t.dedup();
                t
            }
            None => (1..=self.degree).collect(),
        }
    }

    /// Checks the spec; the message names the field.
    pub fn validate(&self) -> Result<(), SpecError> {
        if self.dim < 2 {
            return Err(SpecError::new(
                "dim",
                format!("dim = {}: must be at least 2", self.dim),
            ));
        }
        if !(1..=400).contains(&self.degree) {
            return Err(SpecError::new(
                "degree",
                format!("degree = {}: must lie in 1..=400", self.degree),
            ));
        }
        if !(self.cos_theta > -1.0 && self.cos_theta < 1.0) {
            return Err(SpecError::new(
                "angle",
                format!("angle = {}: cos θ must lie in (−1, 1)", self.cos_theta),
            ));
        }
        let terms = self.term_list();
        if terms.is_empty() {
            return Err(SpecError::new(
                "terms",
                "terms: no Gegenbauer degree to use",
            ));
        }
        if let Some(&k) = terms.iter().find(|&&k| k == 0 || k > self.degree) {
            return Err(SpecError::new(
                "terms",
                format!("terms: degree {k} is outside 1..={}", self.degree),
            ));
        }
        Ok(())
    }
}

/// A built Delsarte SDP (in scalar `T`) and what is needed to read its solution.
#[derive(Clone, Debug)]
pub struct DelsarteSdp<T> {
    pub spec: DelsarteSpec,
    pub sdp: SdpProblem<T>,
    /// The Gegenbauer degree of each entry of the LP block (block 0).
    pub terms: Vec<usize>,
    /// The certificate of `−f ≥ 0` on `[−1, s]`.
    pub sos: UniSos,
    pub samples: Vec<f64>,
}

/// A Delsarte bound.
#[derive(Clone, Debug)]
pub struct DelsarteBound {
    /// `1 + Σ a_k`: the bound on the code size when the solve ended optimal (valid up to the
    /// solver's tolerances; see [`super::verify`] for a rigorous one), NaN otherwise.
    pub bound: f64,
    pub value: Certified,
    /// `f_0, …, f_D` (`f_0 = 1`): the coefficients of `f` in the Gegenbauer basis.
    pub coefficients: Vec<f64>,
    /// The same coefficients at the working precision, as decimal text.
    pub coefficients_decimal: Vec<String>,
    pub report: SolveReport,
    pub status: SdpStatus,
}

/// Builds the SDP in the working precision `T`.
pub fn build<T: Real>(spec: &DelsarteSpec) -> Result<DelsarteSdp<T>, String> {
    spec.validate().map_err(|e| e.to_string())?;
    let terms = spec.term_list();
    let s = spec.cos_theta;
    let samples = chebyshev_nodes(spec.degree + 1, -1.0, s);
    let mut sdp = SdpProblem::<T>::new(vec![BlockKind::Lp(terms.len())]);
    let sos = UniSos::new(
        &mut sdp,
        Domain::Interval(-1.0, s),
        spec.degree,
        spec.sos_basis.clone(),
        &samples,
        &vec![1.0; samples.len()],
    )?;
    let one = T::one();
    for (i, _) in terms.iter().enumerate() {
        sdp.add_objective_entry(0, i, i, -one);
    }
    for &x in &samples {
        let c = sdp.add_constraint(-one);
        let p = gegenbauer(spec.degree, spec.dim, T::from_f64(x));
        for (i, &k) in terms.iter().enumerate() {
            sdp.add_entry(c, 0, i, i, p[k]);
        }
        sos.add_at(&mut sdp, c, x, one);
    }
    Ok(DelsarteSdp {
        spec: spec.clone(),
        sdp,
        terms,
        sos,
        samples,
    })
}

impl<T: Real> DelsarteSdp<T> {
    /// Reads the bound and `f` from a solution.
    pub fn extract(&self, sol: &SdpSolution<T>, report: SolveReport) -> DelsarteBound {
        let a = sol.Y.blocks[0].diag();
        let mut coef = vec![T::zero(); self.spec.degree + 1];
        coef[0] = T::one();
        let mut sum = T::one();
        for (i, &k) in self.terms.iter().enumerate() {
            coef[k] = a[i];
            sum += a[i];
        }
        let value = Certified::new(sum, &report, sol.status);
        DelsarteBound {
            bound: value.bound(),
            value,
            coefficients: coef.iter().map(|v| v.to_f64()).collect(),
            coefficients_decimal: coef.iter().map(|v| v.to_decimal()).collect(),
            report,
            status: sol.status,
        }
    }

    /// The value of the sum-of-squares certificate at `x` (for checks).
    pub fn certificate_value(&self, y: &BlockMatrix<T>, x: f64) -> f64 {
        self.sos.value(y, T::from_f64(x)).to_f64()
    }
}

impl<T> DelsarteSdp<T> {
    /// The largest value of `f` on a fine grid of `[−1, s]` (should be ≤ 0 up to tolerances).
    pub fn max_on_interval(&self, coefficients: &[f64], points: usize) -> f64 {
        let s = self.spec.cos_theta;
        (0..=points)
            .map(|i| {
                let t = -1.0 + (s + 1.0) * i as f64 / points as f64;
                let p = gegenbauer(self.spec.degree, self.spec.dim, t);
                coefficients.iter().zip(&p).map(|(c, v)| c * v).sum::<f64>()
            })
            .fold(f64::NEG_INFINITY, f64::max)
    }
}

/// Builds and solves; `monitor` sees every iteration (return `false` to cancel).
pub fn delsarte_bound(
    spec: &DelsarteSpec,
    settings: &SolveSettings,
    monitor: &mut Monitor<'_>,
) -> Result<DelsarteBound, String> {
    solve_bound(spec, settings, monitor)
}

/// The SDP of `spec` built in `arithmetic` as SDPA or RON text (for other solvers).
pub fn problem_text(
    spec: &DelsarteSpec,
    arithmetic: Arithmetic,
    format: TextFormat,
) -> Result<String, String> {
    boundlab_sdp_solver::precision::problem_text(spec, arithmetic, format)
}

impl Formulation for DelsarteSpec {
    type Built<T: Real> = DelsarteSdp<T>;
    type Output = DelsarteBound;
    fn build<T: Real>(&self) -> Result<DelsarteSdp<T>, String> {
        build(self)
    }
    fn problem<T: Real>(built: &DelsarteSdp<T>) -> &SdpProblem<T> {
        &built.sdp
    }
    fn read<T: Real>(&self, built: &DelsarteSdp<T>, sol: &SdpSolution<T>) -> DelsarteBound {
        built.extract(sol, super::report(&built.sdp, sol))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use boundlab_sdp_solver::solver::Precision;

    fn solve(n: usize, d: usize, precision: Precision) -> DelsarteBound {
        let settings = SolveSettings {
            precision,
            ..SolveSettings::default()
        };
        delsarte_bound(&DelsarteSpec::new(n, d, 0.5), &settings, &mut |_| {
            std::ops::ControlFlow::Continue(())
        })
        .unwrap()
    }

    #[test]
    fn kissing_number_in_dimension_8_is_240() {
        // Odlyzko–Sloane (1979) and Levenshtein (1979): the LP bound in dimension 8 is 240
        // from degree 6 on (the E8 polynomial (t+1)(t+1/2)² t² (t−1/2)).
        let b = solve(8, 10, Precision::F64);
        assert_eq!(b.status, SdpStatus::Optimal, "{}", b.report.message);
        assert!((b.bound - 240.0).abs() < 1e-5, "{}", b.bound);
    }

    #[test]
    fn dimension_3_at_degree_20() {
        // ClusteredLowRankSolver test/runtests.jl: delsarte(3, 10, 1//2) (degree 2·10) =
        // 13.158314 (atol 1e-5).
        let b = solve(3, 20, Precision::default());
        assert_eq!(b.status, SdpStatus::Optimal, "{}", b.report.message);
        assert!((b.bound - 13.158314).abs() < 1e-5, "{}", b.bound);
    }

    #[test]
    fn bad_specs_name_the_field() {
        assert!(
            build::<f64>(&DelsarteSpec::new(1, 5, 0.5))
                .unwrap_err()
                .contains("dim")
        );
        assert!(
            build::<f64>(&DelsarteSpec::new(3, 0, 0.5))
                .unwrap_err()
                .contains("degree")
        );
        assert!(
            build::<f64>(&DelsarteSpec::new(3, 5, 1.0))
                .unwrap_err()
                .contains("angle")
        );
        let mut s = DelsarteSpec::new(3, 5, 0.5);
        s.terms = Some(vec![0, 2]);
        assert!(build::<f64>(&s).unwrap_err().contains("terms"));
    }
}
