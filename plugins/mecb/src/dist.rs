//! Distributions: checking inputs and entropies in bits.
//!
//! Inputs that are not probability distributions are refused with the offending index; they
//! are never normalised silently.

/// How far a distribution's sum may be from 1 before it is refused.
pub const SUM_TOLERANCE: f64 = 1e-9;

/// `-x log2 x`, with `0 log 0 = 0`.
#[inline]
pub fn plogp(x: f64) -> f64 {
    if x > 0.0 { -x * x.log2() } else { 0.0 }
}

/// Shannon entropy in bits of nonnegative masses (not renormalised).
pub fn entropy(p: &[f64]) -> f64 {
    p.iter().map(|&x| plogp(x)).sum()
}

/// Binary entropy `h(x) = -x log2 x - (1-x) log2 (1-x)` in bits.
pub fn binary_entropy(x: f64) -> f64 {
    plogp(x) + plogp(1.0 - x)
}

/// Sum with Neumaier compensation (the validation must not be fooled by round-off).
pub fn accurate_sum(p: &[f64]) -> f64 {
    let mut sum = 0.0f64;
    let mut comp = 0.0f64;
    for &x in p {
        let t = sum + x;
        if sum.abs() >= x.abs() {
            comp += (sum - t) + x;
        } else {
            comp += (x - t) + sum;
        }
        sum = t;
    }
    sum + comp
}

/// Why a vector is not a probability distribution (the offending index, or its sum).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct NotADistribution(pub String);

impl NotADistribution {
    fn new(reason: impl Into<String>) -> Self {
        Self(reason.into())
    }
}

/// Checks that `p` is a probability distribution: nonempty, every entry finite and
/// nonnegative, and the sum within [`SUM_TOLERANCE`] of 1. The error names the offending
/// index.
pub fn check_distribution(p: &[f64]) -> Result<(), NotADistribution> {
    if p.is_empty() {
        return Err(NotADistribution::new(
            "is empty; a distribution needs at least one entry",
        ));
    }
    for (i, &x) in p.iter().enumerate() {
        if x.is_nan() {
            return Err(NotADistribution::new(format!("entry {i} is NaN")));
        }
        if x.is_infinite() {
            return Err(NotADistribution::new(format!("entry {i} is infinite")));
        }
        if x < 0.0 {
            return Err(NotADistribution::new(format!(
                "entry {i} is negative ({x})"
            )));
        }
    }
    let sum = accurate_sum(p);
    if (sum - 1.0).abs() > SUM_TOLERANCE {
        return Err(NotADistribution::new(format!(
            "sums to {sum:.15}, off from 1 by {:.3e} (more than {SUM_TOLERANCE:e}); \
                 it is not normalised for you",
            sum - 1.0
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropies() {
        assert_eq!(entropy(&[0.5, 0.5]), 1.0);
        assert_eq!(entropy(&[1.0, 0.0]), 0.0);
        // h(0.11) = 0.499915958164528 (Python math.log2).
        assert!((binary_entropy(0.11) - 0.499915958164528).abs() < 1e-14);
        assert_eq!(binary_entropy(0.0), 0.0);
    }

    #[test]
    fn refuses_non_distributions_naming_the_index() {
        let reason = |p: &[f64]| check_distribution(p).unwrap_err().to_string();
        assert_eq!(reason(&[0.5, -0.1, 0.6]), "entry 1 is negative (-0.1)");
        assert_eq!(reason(&[0.5, f64::NAN]), "entry 1 is NaN");
        assert!(reason(&[]).contains("empty"));
        assert!(reason(&[0.5, 0.5 + 2e-9]).contains("off from 1"));
        // Within the tolerance: accepted as it is.
        check_distribution(&[0.5, 0.5 + 5e-10]).unwrap();
    }
}
