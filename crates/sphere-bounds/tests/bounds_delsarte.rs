//! Delsarte LP bounds against the published values, and their exact verification.

use boundlab_sdp_solver::solver::{Precision, SdpStatus};
use boundlab_sphere_bounds::SolveSettings;
use boundlab_sphere_bounds::delsarte::{DelsarteBound, DelsarteSpec, delsarte_bound};
use boundlab_sphere_bounds::verify::verify_delsarte;
use std::ops::ControlFlow;

fn solve(n: usize, d: usize, s: f64, precision: Precision) -> DelsarteBound {
    let settings = SolveSettings {
        precision,
        tol: if precision == Precision::DoubleDouble {
            1e-14
        } else {
            1e-8
        },
        ..SolveSettings::default()
    };
    let b = delsarte_bound(&DelsarteSpec::new(n, d, s), &settings, &mut |_| {
        ControlFlow::Continue(())
    })
    .unwrap();
    eprintln!(
        "n = {n}, D = {d}, {precision:?}: {} ({}, {} it, {:.2} s)",
        b.bound, b.report.status, b.report.iterations, b.report.seconds
    );
    b
}

#[test]
fn leech_lattice_kissing_number() {
    // Odlyzko–Sloane (1979), Levenshtein (1979): the LP bound in dimension 24 is 196560,
    // attained from degree 11.
    let b = solve(24, 14, 0.5, Precision::DoubleDouble);
    assert_eq!(b.status, SdpStatus::Optimal);
    assert!((b.bound - 196560.0).abs() < 1e-6, "{}", b.bound);
    let v = verify_delsarte(24, 0.5, &b.coefficients_decimal, b.bound).unwrap();
    assert!(v.bound >= 196560.0 && v.relative_excess <= 1e-6, "{v:?}");
}

#[test]
fn dimension_3_verified() {
    // ClusteredLowRankSolver test/runtests.jl: delsarte(3, 10, 1//2) = 13.158314 (atol 1e-5)
    // at degree 20; the rigorous bound is within 1e-6 relative of it.
    let b = solve(3, 20, 0.5, Precision::DoubleDouble);
    assert!((b.bound - 13.158314).abs() < 1e-5, "{}", b.bound);
    let v = verify_delsarte(3, 0.5, &b.coefficients_decimal, b.bound).unwrap();
    assert!(
        v.bound >= b.bound - 1e-12 && v.relative_excess <= 1e-6,
        "{v:?}"
    );
    // The certificate is not one for a larger angle: the check names the condition.
    let err = verify_delsarte(3, 0.55, &b.coefficients_decimal, b.bound).unwrap_err();
    assert!(err.contains("f(t) ≤ 0") || err.contains("f(−1)"), "{err}");
}

#[test]
fn levenshtein_bound_in_dimension_4() {
    // Odlyzko–Sloane Table 1 (and Bachoc–Vallentin's introduction): the LP gives τ₄ ≤ 25
    // (25.5585...); a degree-9 bound of n = 4 is below 26 and above 25.
    let b = solve(4, 16, 0.5, Precision::default());
    assert_eq!(b.status, SdpStatus::Optimal);
    assert!(b.bound > 25.0 && b.bound < 26.0, "{}", b.bound);
}
