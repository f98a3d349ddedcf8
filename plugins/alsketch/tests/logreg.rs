//! Constrained logistic regression on the bundled LIBSVM sets (`data/libsvm/`).
//!
//! Reference values: IPOPT 3.14.19 (casadi 3.8.2 wheel, tol 1e-12, exact AD derivatives) on the
//! same instances (the constraint data A, b come from our ChaCha8 draw with seed 2023 and were
//! handed to IPOPT through `bench/alsketch/compare.py`, see bench/results/alsketch_logreg.md).

use std::path::PathBuf;

use boundlab_alsketch::error::Error;
use boundlab_alsketch::logreg::LogReg;
use boundlab_alsketch::problem::Problem;
use boundlab_alsketch::sketch::SketchKind;
use boundlab_alsketch::solver::{Options, Silent, Status, solve};
use boundlab_libsvm as libsvm;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/libsvm")
}

/// (file, linear constraints, IPOPT optimal value). wine_scale (d = 13) uses 5 constraints:
/// with 10 the instance is infeasible (checked below).
const CASES: [(&str, usize, f64); 3] = [
    ("breast_cancer_scale", 10, 0.431_882_209_615_336_2),
    ("digits", 10, 0.265_885_272_109_496_3),
    ("wine_scale", 5, 0.773_170_900_525_203_9),
];

#[test]
fn converges_on_every_bundled_set_to_ipopts_value() {
    let dir = data_dir();
    for (file, linear, f_ipopt) in CASES {
        let data = libsvm::read_file(&dir.join(format!("{file}.svm"))).unwrap();
        for kind in [SketchKind::CountSketch, SketchKind::Direct] {
            let mut p = LogReg::new(file, &data, None, 2023, linear).unwrap();
            let opts = Options {
                sketch: kind,
                max_sketch_iter: 1_000_000,
                ..Default::default()
            };
            let out = solve(&mut p, &opts, &mut Silent).unwrap();
            assert_eq!(
                out.status,
                Status::Converged,
                "{file} ({kind:?}): KKT {:.2e}",
                out.kkt
            );
            assert!(out.kkt <= 1e-8);
            assert!(
                (out.f - f_ipopt).abs() < 1e-9,
                "{file} ({kind:?}): f = {:.13}, IPOPT {f_ipopt}",
                out.f
            );
            // The authors report 7–10 iterations on their (larger) sets.
            assert!(
                out.iterations <= 15,
                "{file}: {} iterations",
                out.iterations
            );
            let norm2: f64 = out.x.iter().map(|v| v * v).sum();
            assert!((norm2 - 1.0).abs() < 1e-8, "{file}: ‖x‖² = {norm2}");
        }
    }
}

#[test]
fn infeasible_instances_are_refused_with_a_reason() {
    let dir = data_dir();
    let data = libsvm::read_file(&dir.join("wine_scale.svm")).unwrap();
    let err = LogReg::new("wine_scale", &data, None, 2023, 10).unwrap_err();
    let Error::Infeasible(message) = err else {
        panic!("expected infeasible, got {err}")
    };
    assert!(message.contains("minimum-norm solution"), "{message}");
    let p = LogReg::new("wine_scale", &data, None, 2023, 5).unwrap();
    assert!(p.min_norm_squared_of_constraints() < 1.0);
    assert_eq!((p.n(), p.m()), (13, 6));
}
