//! Solves SDPA sparse files and prints one line per file (and per iteration with `-v`).
//!
//! `cargo run --release -p boundlab-sdp-solver --example solve_sdpa -- [-v] [--json] [--dd | --auto] [--tol 1e-8] [--threads N] FILE...`

use boundlab_sdp_solver::scalar::{Real, fx128};
use boundlab_sdp_solver::sdpa::read_sdpa;
use boundlab_sdp_solver::solver::{Precision, SdpOptions, solve_in_precision};

fn run(path: &str, precision: Precision, verbose: bool, json: bool, tol: f64, threads: usize) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let problem = read_sdpa::<fx128>(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let options = SdpOptions {
        tol,
        threads,
        ..SdpOptions::default()
    };
    let solution = solve_in_precision(&problem, precision, &options, &mut |info| {
        if verbose {
            println!(
                "  {:3} p {:+.10e} d {:+.10e} gap {:.1e} pinf {:.1e} dinf {:.1e} mu {:.1e} ap {:.3} ad {:.3} sigma {:.2e}",
                info.iteration,
                info.primal_objective,
                info.dual_objective,
                info.gap,
                info.primal_infeasibility,
                info.dual_infeasibility,
                info.mu,
                info.alpha_primal,
                info.alpha_dual,
                info.sigma
            );
        }
        std::ops::ControlFlow::Continue(())
    })
    .unwrap_or_else(|e| panic!("{path}: {e}"));
    let name = std::path::Path::new(path)
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .to_string();
    if json {
        // One JSON object per line for bench/sdp.
        println!(
            "{{\"problem\": \"{name}\", \"status\": \"{}\", \"objective\": {}, \"primal_objective\": {:e}, \"dual_objective\": {:e}, \"gap\": {:e}, \"primal_infeasibility\": {:e}, \"dual_infeasibility\": {:e}, \"iterations\": {}, \"seconds\": {:e}, \"precision\": \"{}\"}}",
            solution.status.as_str(),
            json_number(solution.objective().to_f64()),
            solution.primal_objective.to_f64(),
            solution.dual_objective.to_f64(),
            solution.gap,
            solution.primal_infeasibility,
            solution.dual_infeasibility,
            solution.iterations,
            solution.seconds,
            solution.precision
        );
        return;
    }
    println!(
        "{name:10} {:18} {:6} obj {:+.10e} gap {:.1e} pinf {:.1e} dinf {:.1e} it {:3} {:.3}s  {}",
        solution.status.as_str(),
        solution.precision,
        solution.objective().to_f64(),
        solution.gap,
        solution.primal_infeasibility,
        solution.dual_infeasibility,
        solution.iterations,
        solution.seconds,
        if solution.status.as_str() == "optimal" {
            ""
        } else {
            &solution.message
        }
    );
}

fn main() {
    let mut verbose = false;
    let mut json = false;
    let mut precision = Precision::F64;
    let mut tol = 1e-8;
    let mut threads = 1;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "-v" => verbose = true,
            "--json" => json = true,
            "--dd" => precision = Precision::DoubleDouble,
            "--auto" => precision = Precision::default(),
            "--compare-parse" => {
                for f in args.by_ref() {
                    compare_parse(&f);
                }
                return;
            }
            "--tol" => {
                tol = args
                    .next()
                    .and_then(|t| t.parse().ok())
                    .expect("--tol NUMBER")
            }
            "--threads" => {
                threads = args
                    .next()
                    .and_then(|t| t.parse().ok())
                    .expect("--threads N")
            }
            _ => files.push(a),
        }
    }
    for f in &files {
        run(f, precision, verbose, json, tol, threads);
    }
}

#[allow(dead_code)]
fn compare_parse(path: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let a = read_sdpa::<f64>(&text).unwrap();
    let b = read_sdpa::<fx128>(&text).unwrap().cast::<f64>();
    println!("{path}: identical f64 and dd→f64 parse: {}", a == b);
}

/// A number for JSON (Python's reader accepts `Infinity`).
fn json_number(x: f64) -> String {
    if x.is_finite() {
        format!("{x:e}")
    } else if x > 0.0 {
        "Infinity".into()
    } else if x < 0.0 {
        "-Infinity".into()
    } else {
        "NaN".into()
    }
}
