//! Three-point SDP bounds against published values and against each other.

use boundlab_sdp_solver::solver::{Precision, SdpStatus};
use boundlab_sphere_bounds::SolveSettings;
use boundlab_sphere_bounds::three_point::{
    Form, ThreePointBound, ThreePointSpec, build, three_point_bound,
};
use std::ops::ControlFlow;

fn solve(spec: &ThreePointSpec, precision: Precision) -> ThreePointBound {
    let settings = SolveSettings {
        precision,
        tol: if precision == Precision::DoubleDouble {
            1e-12
        } else {
            1e-8
        },
        ..SolveSettings::default()
    };
    let sdp = build::<f64>(spec).unwrap();
    let b = three_point_bound(spec, &settings, &mut |_| ControlFlow::Continue(())).unwrap();
    eprintln!(
        "n = {}, d = {}, {:?}, sym {}, {precision:?}: {} ({}, {} it, {:.2} s, {} constraints, blocks {:?}; {})",
        spec.dim,
        spec.degree,
        spec.form,
        spec.symmetry,
        b.bound,
        b.report.status,
        b.report.iterations,
        b.report.seconds,
        sdp.sdp.num_constraints(),
        b.report.blocks,
        b.report.message
    );
    b
}

#[test]
fn clrs_form_matches_clusteredlowranksolver() {
    // ClusteredLowRankSolver.jl test/runtests.jl: three_point_spherical_cap(3, 6, 1//2, 256)
    // = 12.718780 (atol 1e-5).
    let spec = ThreePointSpec::new(3, 6, 0.5, Form::Clrs);
    let b = solve(&spec, Precision::F64);
    assert_eq!(b.status, SdpStatus::Optimal, "{}", b.report.message);
    assert!((b.bound - 12.718780).abs() < 1e-5, "{}", b.bound);
    // Mittelmann–Vallentin's form has the b matrix and is at least as strong.
    let mv = solve(&ThreePointSpec::new(3, 6, 0.5, Form::Mv), Precision::F64);
    assert_eq!(mv.status, SdpStatus::Optimal);
    assert!(
        mv.bound <= b.bound + 1e-6,
        "mv {} clrs {}",
        mv.bound,
        b.bound
    );
    // Both are below the Delsarte bound 13.158314 (ClusteredLowRankSolver) and above the
    // kissing number 12 (Schütte–van der Waerden).
    assert!(mv.bound > 12.0 && b.bound < 13.158314);
}

#[test]
fn symmetry_reduction_keeps_the_optimum() {
    // The S₃-reduced SDP and the full one have the same optimum (an independent check of the
    // isotypic blocks, the invariant samples and the reduced Putinar multipliers).
    for form in [Form::Mv, Form::Clrs] {
        let mut spec = ThreePointSpec::new(4, 3, 0.5, form);
        let sym = solve(&spec, Precision::DoubleDouble);
        spec.symmetry = false;
        let full = solve(&spec, Precision::DoubleDouble);
        assert_eq!(sym.status, SdpStatus::Optimal);
        assert_eq!(full.status, SdpStatus::Optimal);
        assert!(
            (sym.bound - full.bound).abs() < 1e-8 * full.bound,
            "{form:?}: {} vs {}",
            sym.bound,
            full.bound
        );
    }
    // A smaller angle: symmetry must still agree (cos θ = 0.3, n = 5).
    let mut spec = ThreePointSpec::new(5, 3, 0.3, Form::Mv);
    let sym = solve(&spec, Precision::DoubleDouble);
    spec.symmetry = false;
    let full = solve(&spec, Precision::DoubleDouble);
    assert!(
        (sym.bound - full.bound).abs() < 1e-8 * full.bound,
        "{} vs {}",
        sym.bound,
        full.bound
    );
}

#[test]
fn dimension_8_is_240() {
    // Mittelmann–Vallentin Table 1: s_d(8) = 240 (Odlyzko–Sloane / Levenshtein's value is
    // attained). In double precision the solve must either be right or say so.
    let spec = ThreePointSpec::new(8, 6, 0.5, Form::Mv);
    let f = solve(&spec, Precision::F64);
    if f.status == SdpStatus::Optimal {
        assert!((f.bound - 240.0).abs() < 1e-5, "{}", f.bound);
    } else {
        assert_eq!(f.status, SdpStatus::NumericalError);
    }
    let spec = ThreePointSpec::new(8, 4, 0.5, Form::Mv);
    let dd = solve(&spec, Precision::DoubleDouble);
    assert_eq!(dd.status, SdpStatus::Optimal);
    assert!((dd.bound - 240.0).abs() < 1e-7, "{}", dd.bound);
}

#[test]
fn pieces_can_be_left_out() {
    // Without S_k and without the trivariate part, mv reduces to Delsarte's LP with a b
    // matrix that cannot help (b₂₂ alone must be ≤ 0): the bound is Delsarte's at degree 2d
    // (13.2857... at 2d = 6, the same as our Delsarte LP).
    let mut spec = ThreePointSpec::new(3, 3, 0.5, Form::Clrs);
    spec.sk = Some(vec![]);
    let b = solve(&spec, Precision::F64);
    let del = boundlab_sphere_bounds::delsarte::delsarte_bound(
        &boundlab_sphere_bounds::delsarte::DelsarteSpec::new(3, 6, 0.5),
        &SolveSettings::default(),
        &mut |_| ControlFlow::Continue(()),
    )
    .unwrap();
    assert!(
        (b.bound - del.bound).abs() < 1e-6,
        "{} vs {}",
        b.bound,
        del.bound
    );
    spec.sk = Some(vec![7]);
    assert!(build::<f64>(&spec).unwrap_err().contains("sk"));
}

#[test]
#[ignore = "Mittelmann–Vallentin Table 1 at d = 11 (minutes in double-double); run from bench/sdp_bounds"]
fn mittelmann_vallentin_s11_of_3() {
    // Mittelmann–Vallentin (Exp. Math. 19 (2010)) Table 1: s_11(3) = 12.42167009.
    let b = solve(
        &ThreePointSpec::new(3, 11, 0.5, Form::Mv),
        Precision::DoubleDouble,
    );
    assert_eq!(b.status, SdpStatus::Optimal);
    assert!((b.bound - 12.42167009).abs() < 1e-7, "{}", b.bound);
}

#[test]
#[ignore = "exploration"]
fn explore() {
    for d in [3, 4, 5, 6] {
        for form in [Form::Clrs, Form::Mv] {
            let spec = ThreePointSpec::new(3, d, 0.5, form);
            solve(&spec, Precision::F64);
            solve(&spec, Precision::DoubleDouble);
        }
    }
    let mut spec = ThreePointSpec::new(4, 3, 0.5, Form::Mv);
    solve(&spec, Precision::DoubleDouble);
    spec.symmetry = false;
    solve(&spec, Precision::DoubleDouble);
    let mut spec = ThreePointSpec::new(4, 3, 0.5, Form::Clrs);
    solve(&spec, Precision::DoubleDouble);
    spec.symmetry = false;
    solve(&spec, Precision::DoubleDouble);
    for d in [4, 6] {
        let spec = ThreePointSpec::new(8, d, 0.5, Form::Mv);
        solve(&spec, Precision::F64);
        solve(&spec, Precision::DoubleDouble);
    }
}
