//! Distributions: checking inputs and entropies in bits.
//!
//! Inputs that are not probability distributions are refused with the offending index; they
//! are never normalised silently.

use boundlab_sdk::prelude::*;

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

/// Checks that `p` is a probability distribution: nonempty, every entry finite and
/// nonnegative, and the sum within [`SUM_TOLERANCE`] of 1. The error names `name` and the
/// offending index.
pub fn check_distribution(name: &str, p: &[f64]) -> PluginResult<()> {
    if p.is_empty() {
        return Err(PluginError::bad_parameter(
            name,
            "is empty; a distribution needs at least one entry",
        ));
    }
    for (i, &x) in p.iter().enumerate() {
        if x.is_nan() {
            return Err(PluginError::bad_parameter(
                name,
                format!("entry {i} is NaN"),
            ));
        }
        if x.is_infinite() {
            return Err(PluginError::bad_parameter(
                name,
                format!("entry {i} is infinite"),
            ));
        }
        if x < 0.0 {
            return Err(PluginError::bad_parameter(
                name,
                format!("entry {i} is negative ({x})"),
            ));
        }
    }
    let sum = accurate_sum(p);
    if (sum - 1.0).abs() > SUM_TOLERANCE {
        return Err(PluginError::bad_parameter(
            name,
            format!(
                "sums to {sum:.15}, off from 1 by {:.3e} (more than {SUM_TOLERANCE:e}); \
                 it is not normalised for you",
                sum - 1.0
            ),
        ));
    }
    Ok(())
}

/// Reads a vector of numbers (a `Vector` or a list of numbers) named `name` and checks that it
/// is a distribution.
pub fn distribution_from_value(name: &str, value: &Value) -> PluginResult<Vec<f64>> {
    let p = match value {
        Value::Vector(v) => v.to_vec(),
        Value::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item.as_f64() {
                    Some(x) => out.push(x),
                    None => {
                        return Err(PluginError::bad_parameter(
                            name,
                            format!("entry {i} is {}, not a number", item.describe()),
                        ));
                    }
                }
            }
            out
        }
        other => {
            return Err(PluginError::bad_parameter(
                name,
                format!(
                    "expected a vector of probabilities, got {}",
                    other.describe()
                ),
            ));
        }
    };
    check_distribution(name, &p)?;
    Ok(p)
}

/// Reads the entries of a list of distributions (`marginals`), naming each as `name[i]`.
pub fn distributions_from_values(name: &str, items: &[Value]) -> PluginResult<Vec<Vec<f64>>> {
    if items.is_empty() {
        return Err(PluginError::bad_parameter(
            name,
            "is empty; give at least one distribution",
        ));
    }
    // A single distribution is not a list of them: say so.
    if items.iter().all(Value::is_number) {
        return Err(PluginError::bad_parameter(
            name,
            "is a list of numbers; give a list of distributions, e.g. [[0.5, 0.5], [0.2, 0.8]]",
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, v)| distribution_from_value(&format!("{name}[{i}]"), v))
        .collect()
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
        let e = check_distribution("p", &[0.5, -0.1, 0.6]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadParameter);
        assert!(
            e.message.contains("parameter `p`") && e.message.contains("entry 1 is negative"),
            "{}",
            e.message
        );
        let e = check_distribution("p", &[0.5, f64::NAN]).unwrap_err();
        assert!(e.message.contains("entry 1 is NaN"), "{}", e.message);
        let e = check_distribution("p", &[]).unwrap_err();
        assert!(e.message.contains("empty"), "{}", e.message);
        let e = check_distribution("p", &[0.5, 0.5 + 2e-9]).unwrap_err();
        assert!(e.message.contains("off from 1"), "{}", e.message);
        // Within the tolerance: accepted as it is.
        check_distribution("p", &[0.5, 0.5 + 5e-10]).unwrap();
        let list = [Value::from(vec![0.5, 0.5]), Value::from(vec![1.0, 0.1])];
        let e = distributions_from_values("marginals", &list).unwrap_err();
        assert!(e.message.contains("`marginals[1]`"), "{}", e.message);
    }
}
