//! Univariate weighted sums of squares as PSD blocks with sampled rank-one terms.
//!
//! A polynomial `g` of degree `D` that is nonnegative on an interval or a half-line is
//! written as `Σ_j w_j(x) ⟨Y_j, b_j(x) b_j(x)ᵀ⟩` with `Y_j ⪰ 0` (Lukács / Markov–Lukács):
//!
//! | domain      | `D = 2m`                        | `D = 2m+1`                       |
//! |-------------|---------------------------------|----------------------------------|
//! | `[a, b]`    | `σ₀ + (x−a)(b−x) σ₁`, deg ≤ m, m−1 | `(x−a) σ₀ + (b−x) σ₁`, deg ≤ m |
//! | `[c, ∞)`    | `σ₀ + (x−c) σ₁`, deg ≤ m, m−1   | `σ₀ + (x−c) σ₁`, deg ≤ m, m      |
//!
//! Evaluated at a sample `x_s`, each term is the rank-one matrix `w_j(x_s) b_j(x_s) b_j(x_s)ᵀ`
//! in block `Y_j` of the sample's constraint (what ClusteredLowRankSolver and SDPB call the
//! low-rank structure). The basis `b_j` is a raw basis (Chebyshev, normalised Laguerre or
//! monomials) changed by [`orthonormalize`] to be orthonormal on the samples.

use boundlab_sdp_solver::blocks::BlockMatrix;
use boundlab_sdp_solver::problem::{BlockKind, SdpProblem};
use boundlab_sdp_solver::scalar::Real;

use super::poly::{
    DiscreteOrthogonal, LowerBasis, chebyshev, laguerre, laguerre_max_coefficients, monomials,
    orthonormalize,
};

/// The set on which a univariate polynomial is to be nonnegative.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Domain {
    /// `[a, b]`.
    Interval(f64, f64),
    /// `[c, ∞)`.
    HalfLine(f64),
}

/// The raw basis of the squares (before orthonormalisation on the samples).
#[derive(Clone, Debug, PartialEq)]
pub enum RawBasis {
    /// Chebyshev polynomials mapped from `[a, b]` to `[−1, 1]`.
    Chebyshev(f64, f64),
    /// `L_k^α(s·x)` divided by its largest monomial coefficient.
    Laguerre {
        alpha: f64,
        scale: f64,
    },
    Monomial,
    /// Orthonormal polynomials generated on the samples by the Stieltjes recurrence
    /// ([`DiscreteOrthogonal`]): the robust choice for high degrees.
    Stieltjes,
}

impl RawBasis {
    /// The first `count` raw basis functions at `x`.
    pub fn eval<T: Real>(&self, count: usize, x: T) -> Vec<T> {
        if count == 0 {
            return Vec::new();
        }
        match self {
            RawBasis::Chebyshev(a, b) => chebyshev(count - 1, *a, *b, x),
            RawBasis::Laguerre { alpha, scale } => {
                let norm = laguerre_max_coefficients(count - 1, *alpha, *scale);
                laguerre(count - 1, T::from_f64(*alpha), x * T::from_f64(*scale))
                    .into_iter()
                    .zip(norm)
                    .map(|(v, m)| v / T::from_f64(m))
                    .collect()
            }
            RawBasis::Monomial | RawBasis::Stieltjes => monomials(count - 1, x),
        }
    }
}

/// The weight `w(x)` in front of one square.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Weight {
    One,
    /// `x − c`.
    Above(f64),
    /// `c − x`.
    Below(f64),
    /// `(x − a)(b − x)`.
    Between(f64, f64),
}

impl Weight {
    pub fn eval<T: Real>(self, x: T) -> T {
        match self {
            Weight::One => T::one(),
            Weight::Above(c) => x - T::from_f64(c),
            Weight::Below(c) => T::from_f64(c) - x,
            Weight::Between(a, b) => (x - T::from_f64(a)) * (T::from_f64(b) - x),
        }
    }
}

/// One weighted square `w(x) ⟨Y, b(x) b(x)ᵀ⟩` and the block `Y` it lives in.
#[derive(Clone, Debug, PartialEq)]
pub struct SosTerm {
    pub block: usize,
    pub weight: Weight,
    pub raw: RawBasis,
    pub basis: LowerBasis,
    /// For [`RawBasis::Stieltjes`]: the recurrence (then `basis` is unused).
    pub recurrence: Option<DiscreteOrthogonal>,
}

impl SosTerm {
    pub fn size(&self) -> usize {
        match &self.recurrence {
            Some(r) => r.len(),
            None => self.basis.len(),
        }
    }

    /// `b(x)` (orthonormalised).
    pub fn basis_at<T: Real>(&self, x: T) -> Vec<T> {
        match &self.recurrence {
            Some(r) => r.eval(r.len(), x),
            None => self.basis.apply(&self.raw.eval(self.size(), x)),
        }
    }
}

/// A weighted sum of squares nonnegative on a [`Domain`], of degree at most `degree`.
#[derive(Clone, Debug, PartialEq)]
pub struct UniSos {
    pub domain: Domain,
    pub degree: usize,
    pub terms: Vec<SosTerm>,
}

impl UniSos {
    /// Adds the PSD blocks of a degree-`degree` certificate on `domain` to `problem`, with the
    /// squares' bases orthonormalised on `samples` under the row weights `weights` (one per
    /// sample; 1 for none).
    pub fn new<T: Real>(
        problem: &mut SdpProblem<T>,
        domain: Domain,
        degree: usize,
        raw: RawBasis,
        samples: &[f64],
        weights: &[f64],
    ) -> Result<Self, String> {
        let m = degree / 2;
        let parts: Vec<(Weight, usize)> = match (domain, degree % 2) {
            (Domain::Interval(a, b), 0) => vec![(Weight::One, m + 1), (Weight::Between(a, b), m)],
            (Domain::Interval(a, b), _) => {
                vec![(Weight::Above(a), m + 1), (Weight::Below(b), m + 1)]
            }
            (Domain::HalfLine(c), 0) => vec![(Weight::One, m + 1), (Weight::Above(c), m)],
            (Domain::HalfLine(c), _) => vec![(Weight::One, m + 1), (Weight::Above(c), m + 1)],
        };
        let mut terms = Vec::new();
        for (weight, size) in parts {
            if size == 0 {
                continue;
            }
            let values: Vec<Vec<f64>> = samples.iter().map(|&x| raw.eval(size, x)).collect();
            let w: Vec<f64> = samples
                .iter()
                .zip(weights)
                .map(|(&x, &r)| r * weight.eval(x).abs().sqrt().max(1e-300))
                .collect();
            let (basis, recurrence) = if raw == RawBasis::Stieltjes {
                let r = DiscreteOrthogonal::new(samples, &w, size)
                    .map_err(|e| format!("sum-of-squares basis of size {size}: {e}"))?;
                (LowerBasis::identity(0), Some(r))
            } else {
                let b = orthonormalize(&values, &w, size)
                    .map_err(|e| format!("sum-of-squares basis of size {size}: {e}"))?;
                (b, None)
            };
            problem.blocks.push(BlockKind::Psd(size));
            terms.push(SosTerm {
                block: problem.blocks.len() - 1,
                weight,
                raw: raw.clone(),
                basis,
                recurrence,
            });
        }
        Ok(Self {
            domain,
            degree,
            terms,
        })
    }

    /// Adds `scale · Σ_j w_j(x) b_j(x) b_j(x)ᵀ` to constraint `constraint` (the basis is
    /// evaluated in the problem's scalar).
    pub fn add_at<T: Real>(
        &self,
        problem: &mut SdpProblem<T>,
        constraint: usize,
        x: f64,
        scale: T,
    ) {
        let xx = T::from_f64(x);
        for t in &self.terms {
            let w = t.weight.eval(xx) * scale;
            if w == T::zero() {
                continue;
            }
            problem.add_rank_one(constraint, t.block, w, t.basis_at(xx));
        }
    }

    /// The certificate's value `Σ_j w_j(x) b_j(x)ᵀ Y_j b_j(x)` at `x` for a solution `Y`.
    pub fn value<T: Real>(&self, y: &BlockMatrix<T>, x: T) -> T {
        let mut s = T::zero();
        for t in &self.terms {
            let b = t.basis_at(x);
            let m = y.blocks[t.block].dense();
            let mut q = T::zero();
            for i in 0..b.len() {
                for j in 0..b.len() {
                    q += b[i] * m[(i, j)] * b[j];
                }
            }
            s += t.weight.eval(x) * q;
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poly::chebyshev_nodes;

    #[test]
    fn block_sizes_follow_lukacs() {
        for (domain, degree, sizes) in [
            (Domain::Interval(-1.0, 0.5), 6, vec![4, 3]),
            (Domain::Interval(-1.0, 0.5), 7, vec![4, 4]),
            (Domain::HalfLine(2.0), 6, vec![4, 3]),
            (Domain::HalfLine(2.0), 7, vec![4, 4]),
            (Domain::HalfLine(0.0), 1, vec![1, 1]),
            (Domain::Interval(0.0, 1.0), 0, vec![1]),
        ] {
            let mut p = SdpProblem::<f64>::new(vec![]);
            let s = chebyshev_nodes(degree + 1, 0.1, 3.0);
            let sos = UniSos::new(
                &mut p,
                domain,
                degree,
                RawBasis::Monomial,
                &s,
                &vec![1.0; s.len()],
            )
            .unwrap();
            let got: Vec<usize> = sos.terms.iter().map(|t| t.size()).collect();
            assert_eq!(got, sizes, "{domain:?} degree {degree}");
            assert_eq!(p.blocks.len(), sizes.len());
        }
    }
}
