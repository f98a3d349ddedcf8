//! Warm starts on nearby problems: SDPLIB problems with c and F_0 perturbed by a relative ε,
//! solved cold and warm-started from the unperturbed solution for several blends λ.
//!
//! `cargo run --release -p boundlab-sdp-solver --example warm_start_study -- [EPS] FILE...`
//! Prints a Markdown table (used for bench/results/sdp_warm_start.md).

use boundlab_sdp_solver::problem::{Part, SdpProblem};
use boundlab_sdp_solver::sdpa::read_sdpa;
use boundlab_sdp_solver::solver::{SdpOptions, SdpStatus, solve};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn perturb(p: &SdpProblem<f64>, eps: f64, seed: u64) -> SdpProblem<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut q = p.clone();
    for c in &mut q.c {
        *c *= 1.0 + eps * rng.random_range(-1.0..1.0);
    }
    for part in &mut q.f0 {
        if let Part::Entries(e) = &mut part.part {
            for (_, _, v) in e.iter_mut() {
                *v *= 1.0 + eps * rng.random_range(-1.0..1.0);
            }
        }
    }
    q
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let eps: f64 = if args.first().and_then(|a| a.parse::<f64>().ok()).is_some() {
        args.remove(0).parse().unwrap()
    } else {
        1e-3
    };
    let blends = [0.01, 0.03, 0.1, 0.3];
    println!(
        "| problem | ε | cold it | cold s | {} |",
        blends
            .iter()
            .map(|b| format!("warm λ={b} it (s)"))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    println!("|---|---|---|---|{}", "---|".repeat(blends.len()));
    for path in &args {
        let name = std::path::Path::new(path)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let p: SdpProblem<f64> = read_sdpa(&std::fs::read_to_string(path).unwrap()).unwrap();
        let base = solve(&p, &SdpOptions::default()).unwrap();
        if base.status != SdpStatus::Optimal {
            eprintln!("{name}: base solve {}", base.status.as_str());
            continue;
        }
        let q = perturb(&p, eps, 1);
        let cold = solve(&q, &SdpOptions::default()).unwrap();
        let mut cells = Vec::new();
        for &blend in &blends {
            let opts = SdpOptions {
                warm_start: Some(base.warm_start()),
                warm_start_blend: blend,
                ..SdpOptions::default()
            };
            let warm = solve(&q, &opts).unwrap();
            let mark = if warm.status == SdpStatus::Optimal
                && (warm.objective() - cold.objective()).abs()
                    <= 1e-6 * (1.0 + cold.objective().abs())
            {
                ""
            } else {
                eprintln!(
                    "{name} λ={blend}: warm {} {:.9e} (gap {:.1e}) vs cold {} {:.9e} (gap {:.1e})",
                    warm.status.as_str(),
                    warm.objective(),
                    warm.gap,
                    cold.status.as_str(),
                    cold.objective(),
                    cold.gap
                );
                " (!)"
            };
            cells.push(format!("{} ({:.3}){mark}", warm.iterations, warm.seconds));
        }
        println!(
            "| {name} | {eps:e} | {} | {:.3} | {} |",
            cold.iterations,
            cold.seconds,
            cells.join(" | ")
        );
    }
}
