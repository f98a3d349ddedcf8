//! Expected improvement and its maximisation over the unit cube, one point at a time or as a
//! batch of distinct points by the "constant liar".
//!
//! Expected improvement for minimisation (Jones, Schonlau & Welch, J. Global Optim. 13 (1998),
//! eq. 15), with `s = √var`, `I = f_best − μ − ξ`, `z = I/s`:
//! `EI = I Φ(z) + s φ(z)` (and `max(I, 0)` when `s = 0`).
//!
//! Batch selection (Ginsbourger, Le Riche & Carraro, "Kriging is well-suited to parallelize
//! optimization", 2010): pick the maximiser of EI, pretend it was observed with the value
//! `f_best` (the "lie"), condition the GP on it with unchanged hyperparameters, and repeat.
//! The lie flattens EI around the chosen point so that the next one lands elsewhere.

use rand::Rng;

use super::gp::Gp;

/// `φ(z)`, the standard normal density.
pub fn normal_pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// `Φ(z)`, the standard normal distribution function (through `erfc`, accurate in the tails).
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// Expected improvement below `best` of a normal `N(mean, var)`, with margin `xi ≥ 0`.
pub fn expected_improvement(mean: f64, var: f64, best: f64, xi: f64) -> f64 {
    let s = var.max(0.0).sqrt();
    let improvement = best - mean - xi;
    if s < 1e-300 {
        return improvement.max(0.0);
    }
    let z = improvement / s;
    (improvement * normal_cdf(z) + s * normal_pdf(z)).max(0.0)
}

/// Settings of the EI maximisation.
#[derive(Clone, Debug)]
pub struct AcquisitionOptions {
    /// Uniform random candidates in the unit cube.
    pub candidates: usize,
    /// Local refinement: the best few candidates are perturbed this many times each.
    pub refinements: usize,
    /// EI margin `ξ` in output units.
    pub xi: f64,
}

impl Default for AcquisitionOptions {
    fn default() -> Self {
        Self {
            candidates: 512,
            refinements: 32,
            xi: 0.0,
        }
    }
}

/// The point of the unit cube `[0,1]^dim` with the largest EI among random candidates and
/// local perturbations of the best five, and its EI.
pub fn maximise_ei(
    gp: &Gp,
    best: f64,
    dim: usize,
    options: &AcquisitionOptions,
    rng: &mut impl Rng,
) -> (Vec<f64>, f64) {
    let ei = |x: &[f64]| {
        let (m, v) = gp.predict(x);
        expected_improvement(m, v, best, options.xi)
    };
    let mut scored: Vec<(f64, Vec<f64>)> = (0..options.candidates.max(1))
        .map(|_| {
            let x: Vec<f64> = (0..dim).map(|_| rng.random::<f64>()).collect();
            (ei(&x), x)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.truncate(5);
    let mut best_point = scored[0].clone();
    for (_, centre) in &scored {
        for k in 0..options.refinements {
            // Shrinking perturbations: 0.1 down to 0.001.
            let width = 0.1 * 0.01f64.powf(k as f64 / options.refinements.max(1) as f64);
            let x: Vec<f64> = centre
                .iter()
                .map(|c| (c + width * (2.0 * rng.random::<f64>() - 1.0)).clamp(0.0, 1.0))
                .collect();
            let v = ei(&x);
            if v > best_point.0 {
                best_point = (v, x);
            }
        }
    }
    (best_point.1, best_point.0)
}

/// `q` points by the constant liar with lie `best` (CL-min). Points closer than `1e-9` to an
/// earlier pick are possible only when EI is flat zero everywhere; the caller de-duplicates.
pub fn constant_liar_batch(
    gp: &Gp,
    best: f64,
    dim: usize,
    q: usize,
    options: &AcquisitionOptions,
    rng: &mut impl Rng,
) -> Vec<Vec<f64>> {
    let mut out = Vec::with_capacity(q);
    let mut current = gp.clone();
    for j in 0..q {
        let (x, _) = maximise_ei(&current, best, dim, options, rng);
        out.push(x.clone());
        if j + 1 < q {
            match current.with_observations(std::slice::from_ref(&x), &[best]) {
                Ok(next) => current = next,
                Err(_) => {
                    // A lie on top of an observation can make the kernel matrix singular at
                    // tiny noise: fill the rest of the batch at random.
                    while out.len() < q {
                        out.push((0..dim).map(|_| rng.random::<f64>()).collect());
                    }
                    break;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gp::GpHyper;
    use rand::SeedableRng;

    #[test]
    fn normal_cdf_and_ei_against_scipy() {
        // scipy.stats.norm.cdf (scipy 1.x): Φ(−1) = 0.15865525393145707,
        // Φ(0.3) = 0.6179114221889526, Φ(−8) = 6.22096057427174e-16.
        assert!((normal_cdf(-1.0) - 0.15865525393145707).abs() < 1e-16);
        assert!((normal_cdf(0.3) - 0.6179114221889526).abs() < 2e-16);
        assert!((normal_cdf(-8.0) / 6.22096057427174e-16 - 1.0).abs() < 1e-12);
        // EI(μ = 0.2, σ = 0.5, best = 0): I = −0.2, z = −0.4;
        // −0.2 Φ(−0.4) + 0.5 φ(−0.4) with scipy's Φ(−0.4) = 0.3445782583896758 and
        // φ(−0.4) = 0.36827014030332333: 0.1152204868...
        let want = -0.2 * 0.3445782583896758 + 0.5 * 0.36827014030332333;
        assert!((expected_improvement(0.2, 0.25, 0.0, 0.0) - want).abs() < 1e-15);
        // σ → 0: EI is the plain improvement.
        assert_eq!(expected_improvement(-1.0, 0.0, 0.0, 0.0), 1.0);
        assert_eq!(expected_improvement(1.0, 0.0, 0.0, 0.0), 0.0);
    }

    #[test]
    fn constant_liar_spreads_the_batch() {
        let x: Vec<Vec<f64>> = vec![vec![0.1], vec![0.4], vec![0.9]];
        let y = vec![1.0, 0.2, 0.8];
        let hyper = GpHyper {
            lengthscales: vec![0.2],
            signal_std: 1.0,
            noise_std: 1e-3,
        };
        let gp = Gp::new(&x, &y, &hyper, true).unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let batch = constant_liar_batch(&gp, 0.2, 1, 3, &AcquisitionOptions::default(), &mut rng);
        assert_eq!(batch.len(), 3);
        for i in 0..3 {
            for j in 0..i {
                assert!(
                    (batch[i][0] - batch[j][0]).abs() > 0.02,
                    "batch points too close: {batch:?}"
                );
            }
        }
    }
}
