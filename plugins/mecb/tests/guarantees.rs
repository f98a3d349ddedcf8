//! The approximation guarantees of the greedy coupling on thousands of random instances.
//!
//! Compton, Katz, Qi, Greenewald, Kocaoglu, "Minimum-Entropy Coupling Approximation Guarantees
//! Beyond the Majorization Barrier" (AISTATS 2023, arXiv 2302.11838), abstract: the greedy is
//! within log2(e)/e ≈ 0.53 bits of optimal for two marginals and within (1 + log2 e)/2 ≈ 1.22
//! bits for any number, both shown through the profile lower bound. Here the greedy's entropy
//! must lie between our strongest lower bound and that bound plus the guarantee.

use boundlab_mecb::{bounds, coupling};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Dirichlet(alpha) by normalised Gamma draws (Marsaglia-Tsang, with the alpha < 1 boost).
fn dirichlet(rng: &mut ChaCha8Rng, n: usize, alpha: f64) -> Vec<f64> {
    fn normal(rng: &mut ChaCha8Rng) -> f64 {
        let (u, v): (f64, f64) = (1.0 - rng.random::<f64>(), rng.random());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
    fn gamma(rng: &mut ChaCha8Rng, a: f64) -> f64 {
        if a < 1.0 {
            let u: f64 = 1.0 - rng.random::<f64>();
            return gamma(rng, a + 1.0) * u.powf(1.0 / a);
        }
        let d = a - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = normal(rng);
            let v = (1.0 + c * x).powi(3);
            if v <= 0.0 {
                continue;
            }
            let u: f64 = 1.0 - rng.random::<f64>();
            if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v;
            }
        }
    }
    let x: Vec<f64> = (0..n).map(|_| gamma(rng, alpha).max(1e-300)).collect();
    let s: f64 = x.iter().sum();
    x.into_iter().map(|v| v / s).collect()
}

const TWO_MARGINALS: f64 = std::f64::consts::LOG2_E / std::f64::consts::E; // 0.5307
const ANY_MARGINALS: f64 = (1.0 + std::f64::consts::LOG2_E) / 2.0; // 1.2213

fn check(k: usize, trials: usize, seed: u64) -> (f64, f64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut worst_profile_gap = 0.0f64;
    let mut worst_mp_gap = 0.0f64;
    for trial in 0..trials {
        let alpha = [0.1, 0.3, 1.0, 3.0, 10.0][trial % 5];
        let ms: Vec<Vec<f64>> = (0..k)
            .map(|_| {
                let n = rng.random_range(2..=if trial % 7 == 0 { 400 } else { 40 });
                dirichlet(&mut rng, n, alpha)
            })
            .collect();
        let refs: Vec<&[f64]> = ms.iter().map(|v| v.as_slice()).collect();
        let g = coupling::greedy(&refs).entropy();
        let and = bounds::majorization_bound(&refs);
        let profile = bounds::profile_bound(&refs);
        let mp = bounds::majorize_profile_bound(&refs);
        assert!(
            mp >= and - 1e-12 && mp >= profile - 1e-12,
            "trial {trial}: {mp} < max({and}, {profile})"
        );
        assert!(
            g >= mp - 1e-12,
            "trial {trial}: greedy {g} below the lower bound {mp}"
        );
        worst_profile_gap = worst_profile_gap.max(g - profile);
        worst_mp_gap = worst_mp_gap.max(g - mp);
    }
    (worst_profile_gap, worst_mp_gap)
}

#[test]
fn two_marginals_within_log2e_over_e_of_the_profile_bound() {
    let (profile_gap, mp_gap) = check(2, 4000, 11);
    eprintln!(
        "two marginals: worst greedy - profile {profile_gap:.4}, greedy - majorize-profile {mp_gap:.4}"
    );
    assert!(
        profile_gap <= TWO_MARGINALS,
        "{profile_gap} > {TWO_MARGINALS}"
    );
}

#[test]
fn three_and_four_marginals_within_the_general_guarantee() {
    for k in [3, 4] {
        let (profile_gap, mp_gap) = check(k, 1000, 12 + k as u64);
        eprintln!(
            "{k} marginals: worst greedy - profile {profile_gap:.4}, greedy - majorize-profile {mp_gap:.4}"
        );
        assert!(
            profile_gap <= ANY_MARGINALS,
            "{profile_gap} > {ANY_MARGINALS}"
        );
    }
}
