//! The SDPLIB subset in data/sdplib against the optimal values published with the
//! library (B. Borchers, "SDPLIB 1.2, a library of semidefinite programming test problems",
//! Optimization Methods and Software 11 (1999) 683–690; the table in the data folder's README).
//!
//! A published value with d digits after the decimal point of its mantissa is matched to one
//! unit in its last digit (the table mixes rounded and truncated values).

use std::ops::ControlFlow;
use std::path::PathBuf;

use boundlab_sdp_solver::problem::{Part, SdpProblem};
use boundlab_sdp_solver::scalar::{Real, fx128};
use boundlab_sdp_solver::sdpa::read_sdpa;
use boundlab_sdp_solver::solver::{
    Precision, SdpOptions, SdpSolution, SdpStatus, solve_in_precision,
};

const OPTIMA: &[(&str, &str)] = &[
    ("arch0", "5.66517e-01"),
    ("control1", "1.778463e+01"),
    ("control2", "8.300000e+00"),
    ("gpp100", "-4.49435e+01"),
    ("hinf1", "2.0326e+00"),
    ("hinf2", "1.0967e+01"),
    ("hinf3", "5.69e+01"),
    ("mcp100", "2.261574e+02"),
    ("qap5", "-4.360e+02"),
    ("theta1", "2.300000e+01"),
    ("theta2", "3.287917e+01"),
    ("truss1", "-8.999996e+00"),
    ("truss3", "-9.109996e+00"),
    ("truss4", "-9.009996e+00"),
];

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/sdplib")
}

fn load(name: &str) -> SdpProblem<fx128> {
    let path = data_dir().join(format!("{name}.dat-s"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    read_sdpa(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The published value and one unit in its last digit.
fn published(text: &str) -> (f64, f64) {
    let (mantissa, exponent) = text.split_once('e').unwrap();
    let decimals = mantissa.split_once('.').map_or(0, |(_, d)| d.len()) as i32;
    let exponent: i32 = exponent.parse().unwrap();
    (text.parse().unwrap(), 10f64.powi(exponent - decimals))
}

fn solve(name: &str, precision: Precision, tol: f64) -> SdpSolution<fx128> {
    let options = SdpOptions {
        tol,
        max_iter: 150,
        ..SdpOptions::default()
    };
    solve_in_precision(&load(name), precision, &options, &mut |_| {
        ControlFlow::Continue(())
    })
    .unwrap()
}

fn check_optimum(name: &str, precision: Precision, tol: f64) {
    let (value, unit) = published(OPTIMA.iter().find(|(n, _)| *n == name).unwrap().1);
    let sol = solve(name, precision, tol);
    let obj = sol.objective().to_f64();
    assert_eq!(sol.status, SdpStatus::Optimal, "{name}: {}", sol.message);
    assert!(
        (obj - value).abs() <= unit,
        "{name}: objective {obj} but published {value} (±{unit}); gap {:.1e}",
        sol.gap
    );
}

#[test]
fn well_conditioned_problems_in_double_precision() {
    for name in [
        "mcp100", "qap5", "theta1", "theta2", "truss1", "truss3", "truss4",
    ] {
        check_optimum(name, Precision::F64, 1e-8);
    }
}

#[test]
fn every_optimal_problem_with_the_default_precision() {
    // `Auto`: double precision, continued in double-double when it runs out of accuracy
    // (control2, hinf1, hinf2 always; arch0, control1, gpp100 sometimes end within a factor
    // of two of 1e-8 in f64). hinf3 is degenerate (its Schur complement becomes singular even
    // in double-double near a gap of 1e-8; the SDPLIB README calls the hinf family hard): it
    // is solved to 1e-7, which gives its three published digits many times over.
    for &(name, _) in OPTIMA {
        let tol = if name == "hinf3" { 1e-7 } else { 1e-8 };
        check_optimum(name, Precision::default(), tol);
    }
}

#[test]
fn double_precision_says_numerical_error_rather_than_a_wrong_optimum() {
    // In plain f64, hinf1 cannot reach 1e-8: the solver must not call its best iterate optimal.
    let sol = solve("hinf1", Precision::F64, 1e-8);
    assert_eq!(sol.status, SdpStatus::NumericalError, "{}", sol.message);
}

/// Σ x_i F_i − F_0·s (dense blocks) from the problem's own parts, independent of the solver.
fn dense_combination(p: &SdpProblem<fx128>, x: &[f64], f0_weight: f64) -> Vec<Vec<Vec<f64>>> {
    let mut out: Vec<Vec<Vec<f64>>> = p
        .blocks
        .iter()
        .map(|b| vec![vec![0.0; b.dim()]; b.dim()])
        .collect();
    let mut add = |parts: &[boundlab_sdp_solver::problem::BlockPart<fx128>], s: f64| {
        for part in parts {
            if let Part::Entries(e) = &part.part {
                for &(i, j, v) in e {
                    out[part.block][i][j] += s * v.to_f64();
                    if i != j {
                        out[part.block][j][i] += s * v.to_f64();
                    }
                }
            }
        }
    };
    for (i, parts) in p.constraints.iter().enumerate() {
        add(parts, x[i]);
    }
    add(&p.f0, -f0_weight);
    out
}

fn min_eigenvalue(a: &[Vec<f64>]) -> f64 {
    let n = a.len();
    let m = faer::Mat::<f64>::from_fn(n, n, |i, j| a[i][j]);
    m.self_adjoint_eigenvalues(faer::Side::Lower).unwrap()[0]
}

#[test]
fn infp1_is_primal_infeasible_with_a_checked_certificate() {
    let p = load("infp1");
    let sol = solve("infp1", Precision::F64, 1e-8);
    assert_eq!(sol.status, SdpStatus::PrimalInfeasible, "{}", sol.message);
    assert_eq!(sol.objective().to_f64(), f64::INFINITY);
    // Farkas: Y ⪰ 0, F_i•Y = 0, F_0•Y = 1 (then Σ x_i F_i − F_0 ⪰ 0 would give 0 ≤ −1).
    let y: Vec<Vec<Vec<f64>>> = sol
        .Y
        .blocks
        .iter()
        .map(|b| {
            (0..b.dim())
                .map(|i| (0..b.dim()).map(|j| b.get(i, j).to_f64()).collect())
                .collect()
        })
        .collect();
    let ynorm: f64 = y
        .iter()
        .flatten()
        .flatten()
        .map(|v| v * v)
        .sum::<f64>()
        .sqrt();
    for block in &y {
        assert!(min_eigenvalue(block) >= -1e-12 * ynorm, "Y is not PSD");
    }
    let dot = |f: &[Vec<Vec<f64>>]| -> f64 {
        f.iter()
            .zip(&y)
            .map(|(a, b)| {
                a.iter()
                    .flatten()
                    .zip(b.iter().flatten())
                    .map(|(u, v)| u * v)
                    .sum::<f64>()
            })
            .sum()
    };
    let f0_dot = -dot(&dense_combination(&p, &vec![0.0; p.c.len()], 1.0));
    assert!((f0_dot - 1.0).abs() < 1e-9, "F0•Y = {f0_dot}");
    for i in 0..p.c.len() {
        let mut e = vec![0.0; p.c.len()];
        e[i] = 1.0;
        let fi_dot = dot(&dense_combination(&p, &e, 0.0));
        assert!(fi_dot.abs() < 1e-7, "F_{i}•Y = {fi_dot}");
    }
}

#[test]
fn infd1_is_dual_infeasible_with_a_checked_certificate() {
    let p = load("infd1");
    let sol = solve("infd1", Precision::F64, 1e-8);
    assert_eq!(sol.status, SdpStatus::DualInfeasible, "{}", sol.message);
    assert_eq!(sol.objective().to_f64(), f64::NEG_INFINITY);
    // Σ x_i F_i ⪰ 0 and c·x = −1 (then F_i•Y = c_i, Y ⪰ 0 would give 0 ≤ −1).
    let x: Vec<f64> = sol.x.iter().map(|v| v.to_f64()).collect();
    let cx: f64 = p.c.iter().zip(&x).map(|(c, x)| c.to_f64() * x).sum();
    assert!((cx + 1.0).abs() < 1e-9, "c·x = {cx}");
    let ax = dense_combination(&p, &x, 0.0);
    let norm: f64 = ax
        .iter()
        .flatten()
        .flatten()
        .map(|v| v * v)
        .sum::<f64>()
        .sqrt();
    for block in &ax {
        let lambda = min_eigenvalue(block);
        assert!(
            lambda >= -1e-7 * norm.max(1.0),
            "λ_min(A*(x)) = {lambda}, ‖A*(x)‖ = {norm}"
        );
    }
}

/// Every problem in double-double from the start (slow: run by bench/sdp).
#[test]
#[ignore]
fn every_optimal_problem_in_double_double() {
    for &(name, _) in OPTIMA {
        let tol = if name == "hinf3" { 1e-7 } else { 1e-8 };
        check_optimum(name, Precision::DoubleDouble, tol);
    }
}
