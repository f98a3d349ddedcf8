//! Timing on the shape of the sphere-packing SDPs: K independent sampled sum-of-squares
//! identities p_k(x) − t_k = σ₀ + (1 − x²)σ₁ (rank-one constraint matrices, free variables,
//! 2K blocks), whose optimum is known: Σ_k min p_k = Σ_k (k − 1) for p_k = T_d + k.
//!
//! `cargo run --release -p boundlab-sdp-solver --example rank_one_stress -- [K] [d] [f64|dd|auto] [threads]`

use boundlab_sdp_solver::problem::{BlockKind, SdpProblem};
use boundlab_sdp_solver::scalar::{Real, fx128};
use boundlab_sdp_solver::solver::{Precision, SdpOptions, solve_in_precision};
use std::ops::ControlFlow;

fn chebyshev(d: usize, x: fx128) -> Vec<fx128> {
    let mut t = vec![fx128::from(1.0), x];
    while t.len() <= d {
        let k = t.len();
        let next = fx128::from(2.0) * x * t[k - 1] - t[k - 2];
        t.push(next);
    }
    t.truncate(d + 1);
    t
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let copies: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(40);
    let d: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(20);
    let precision = args
        .get(2)
        .and_then(|a| Precision::parse(a, None, None).ok())
        .unwrap_or(Precision::F64);
    let threads: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(1);
    let mut p = SdpProblem::<fx128>::new(Vec::new());
    for k in 0..copies {
        let b0 = p.blocks.len();
        p.blocks.push(BlockKind::Psd(d + 1));
        p.blocks.push(BlockKind::Psd(d));
        let t = p.add_free_variable(fx128::from(1.0));
        let samples = 2 * d + 1;
        for s in 0..samples {
            let x = fx128::from(
                ((2 * s + 1) as f64 * std::f64::consts::PI / (2 * samples) as f64).cos(),
            );
            let i = p.add_constraint(chebyshev(d, x)[d] + fx128::from(k as f64));
            p.add_rank_one(i, b0, fx128::from(1.0), chebyshev(d, x));
            p.add_rank_one(i, b0 + 1, fx128::from(1.0) - x * x, chebyshev(d - 1, x));
            p.add_free_coefficient(i, t, fx128::from(1.0));
        }
    }
    let expected: f64 = (0..copies).map(|k| k as f64 - 1.0).sum();
    let options = SdpOptions {
        threads,
        ..SdpOptions::default()
    };
    let sol =
        solve_in_precision(&p, precision, &options, &mut |_| ControlFlow::Continue(())).unwrap();
    println!(
        "K {copies} d {d} m {} blocks {}: {} ({}) objective {:.10} (expected {expected}), gap {:.1e}, {} iterations, {:.3} s ({:.3} s/iteration)",
        p.num_constraints(),
        p.blocks.len(),
        sol.status.as_str(),
        sol.precision,
        sol.objective().to_f64(),
        sol.gap,
        sol.iterations,
        sol.seconds,
        sol.seconds / sol.iterations.max(1) as f64
    );
    println!("  {:?}", sol.phase_times);
}
