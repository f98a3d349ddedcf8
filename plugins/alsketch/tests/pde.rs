//! The PDE-constrained problem (Hong et al. 2023; `../shared/notes/alsketch.md` §2.3).
//!
//! References: (1) a direct sparse KKT solve written here with faer's sparse LU, independent of
//! the solver's own assembly: the problem is a convex QP, so one exact Newton step from
//! (x0, λ0) is its solution; (2) IPOPT's optimal values for N = 32 and 64 from
//! `../shared/notes/peer-pde-ipopt.md` (casadi 3.8.2 / Ipopt 3.14.19, tol 1e-8).

use boundlab_alsketch::pde::Pde;
use boundlab_alsketch::problem::Problem;
use boundlab_alsketch::sketch::SketchKind;
use boundlab_alsketch::solver::{LinAlg, Options, Silent, Status, solve};
use faer::prelude::Solve;
use faer::sparse::{SparseColMat, Triplet};

/// (x*, λ*) from one Newton step with a sparse LU of [[H, Gᵀ], [G, 0]].
fn direct_reference(grid: usize) -> (Vec<f64>, Vec<f64>) {
    let mut p = Pde::new(grid).unwrap();
    let (n, m) = (p.n(), p.m());
    let (x0, l0) = (p.x0(), p.lambda0());
    let h = p.hessian_lagrangian(&x0, &l0).unwrap();
    let g = p.jacobian(&x0).unwrap();
    let mut t = Vec::new();
    for (i, j, v) in h.triplets() {
        t.push(Triplet::new(i, j, v));
    }
    for (i, j, v) in g.triplets() {
        t.push(Triplet::new(n + i, j, v));
        t.push(Triplet::new(j, n + i, v));
    }
    let k = SparseColMat::<usize, f64>::try_new_from_triplets(n + m, n + m, &t).unwrap();
    let grad = p.gradient(&x0).unwrap();
    let c = p.constraints(&x0).unwrap();
    let mut gl = grad.clone();
    for (i, j, v) in g.triplets() {
        gl[j] += v * l0[i];
    }
    let rhs = faer::Col::from_fn(n + m, |i| if i < n { -gl[i] } else { -c[i - n] });
    let z = k.sp_lu().unwrap().solve(&rhs);
    let x = (0..n).map(|i| x0[i] + z[i]).collect();
    let l = (0..m).map(|i| l0[i] + z[n + i]).collect();
    (x, l)
}

fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// Every sketch, on the sparse path, reaches the direct sparse KKT solution at N = 3 (the
/// authors' grid).
#[test]
fn sketches_match_a_direct_sparse_kkt_solve() {
    let (x_ref, l_ref) = direct_reference(3);
    let x_scale = x_ref.iter().fold(1.0f64, |a, v| a.max(v.abs()));
    let l_scale = l_ref.iter().fold(1.0f64, |a, v| a.max(v.abs()));
    for kind in [
        SketchKind::Kaczmarz,
        SketchKind::CountSketch,
        SketchKind::BlockGaussian,
        SketchKind::Gaussian,
        SketchKind::Direct,
    ] {
        let mut p = Pde::new(3).unwrap();
        let opts = Options {
            sketch: kind,
            max_sketch_iter: 5_000_000,
            ..Default::default()
        };
        let out = solve(&mut p, &opts, &mut Silent).unwrap();
        assert_eq!(
            out.status,
            Status::Converged,
            "{kind:?}: KKT {:.2e}",
            out.kkt
        );
        assert_eq!(out.linalg, "sparse");
        let dx = max_diff(&out.x, &x_ref) / x_scale;
        let dl = max_diff(&out.lambda, &l_ref) / l_scale;
        assert!(
            dx < 1e-9 && dl < 1e-8,
            "{kind:?}: relative error x {dx:.1e}, λ {dl:.1e}"
        );
    }
}

/// The dense path (exact null-space test) and the sparse path (curvature test) agree.
#[test]
fn dense_and_sparse_paths_agree() {
    let (x_ref, _) = direct_reference(4);
    for linalg in [LinAlg::Dense, LinAlg::Sparse] {
        let mut p = Pde::new(4).unwrap();
        let opts = Options {
            sketch: SketchKind::CountSketch,
            linalg,
            max_sketch_iter: 5_000_000,
            ..Default::default()
        };
        let out = solve(&mut p, &opts, &mut Silent).unwrap();
        assert_eq!(out.status, Status::Converged, "{linalg:?}");
        assert!(max_diff(&out.x, &x_ref) < 1e-8, "{linalg:?}");
    }
}

/// Exact Newton on the sparse path reproduces IPOPT's optimal values (peer-pde-ipopt.md,
/// printed to 7 decimals) in one iteration.
#[test]
fn direct_newton_matches_ipopt_optimal_values() {
    for (grid, f_ipopt) in [(32, 1_177.821_299_2), (64, 4_067.773_712_1)] {
        let mut p = Pde::new(grid).unwrap();
        let opts = Options {
            sketch: SketchKind::Direct,
            ..Default::default()
        };
        let out = solve(&mut p, &opts, &mut Silent).unwrap();
        assert_eq!(out.status, Status::Converged);
        assert_eq!(out.iterations, 1, "a QP takes one exact Newton step");
        assert!(
            (out.f - f_ipopt).abs() < 1e-6,
            "N = {grid}: f = {:.9}, IPOPT {f_ipopt}",
            out.f
        );
        assert_eq!(out.linalg, "sparse");
    }
}

/// At N = 32 the sketched systems are far too ill-conditioned for sketch-and-project
/// (κ(K) ≈ 2e4): within a small budget the run stops with a clear status, never a hang.
#[test]
fn large_grids_end_with_a_clear_status_within_the_budget() {
    let mut p = Pde::new(32).unwrap();
    let opts = Options {
        sketch: SketchKind::Kaczmarz,
        max_iter: 3,
        max_sketch_iter: 20_000,
        ..Default::default()
    };
    let out = solve(&mut p, &opts, &mut Silent).unwrap();
    assert!(
        matches!(
            out.status,
            Status::MaxIter | Status::SketchLimit | Status::LineSearchFailed
        ),
        "{:?}",
        out.status
    );
    let mut p = Pde::new(32).unwrap();
    let opts = Options {
        sketch: SketchKind::Gaussian,
        max_time: 0.2,
        max_sketch_iter: u64::MAX,
        ..Default::default()
    };
    let t = std::time::Instant::now();
    let out = solve(&mut p, &opts, &mut Silent).unwrap();
    assert_eq!(out.status, Status::TimeLimit);
    assert!(t.elapsed().as_secs_f64() < 2.0);
}
