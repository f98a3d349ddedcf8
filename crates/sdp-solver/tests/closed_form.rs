//! Small SDPs with closed-form optima, in double, double-double and multiple precision.

use boundlab_sdp_solver::mp::Mp;
use boundlab_sdp_solver::problem::{BlockKind, SdpProblem};
use boundlab_sdp_solver::scalar::{Real, fx128};
use boundlab_sdp_solver::solver::{SdpOptions, SdpStatus, solve};

/// Lovász theta of the n-cycle as SDPA's dual: max J•Y s.t. tr Y = 1, Y_ij = 0 on edges.
/// With `rank_one`, I = Σ e_k e_kᵀ and J = 1 1ᵀ are given as rank-one terms.
fn theta_cycle<T: Real>(n: usize, rank_one: bool) -> SdpProblem<T> {
    let mut p = SdpProblem::new(vec![BlockKind::Psd(n)]);
    let one = T::from_f64(1.0);
    if rank_one {
        p.add_objective_rank_one(0, one, vec![one; n]);
    } else {
        for i in 0..n {
            for j in i..n {
                p.add_objective_entry(0, i, j, one);
            }
        }
    }
    let trace = p.add_constraint(one);
    for k in 0..n {
        if rank_one {
            let mut e = vec![T::from_f64(0.0); n];
            e[k] = one;
            p.add_rank_one(trace, 0, one, e);
        } else {
            p.add_entry(trace, 0, k, k, one);
        }
    }
    for i in 0..n {
        let edge = p.add_constraint(T::from_f64(0.0));
        p.add_entry(edge, 0, i, (i + 1) % n, one);
    }
    p
}

/// Goemans–Williamson relaxation of max-cut on the n-cycle with edge weight `w`:
/// max (1/4) L•Y s.t. Y_kk = 1 (as rank-one e_k e_kᵀ), Y ⪰ 0.
fn maxcut_cycle<T: Real>(n: usize, w: f64) -> SdpProblem<T> {
    let mut p = SdpProblem::new(vec![BlockKind::Psd(n)]);
    for i in 0..n {
        let j = (i + 1) % n;
        // (1/4) w (e_i − e_j)(e_i − e_j)ᵀ
        let mut v = vec![T::from_f64(0.0); n];
        v[i] = T::from_f64(1.0);
        v[j] = T::from_f64(-1.0);
        p.add_objective_rank_one(0, T::from_f64(w / 4.0), v);
    }
    for k in 0..n {
        let c = p.add_constraint(T::from_f64(1.0));
        let mut e = vec![T::from_f64(0.0); n];
        e[k] = T::from_f64(1.0);
        p.add_rank_one(c, 0, T::from_f64(1.0), e);
    }
    p
}

fn dd_options() -> SdpOptions<fx128> {
    SdpOptions {
        tol: 1e-24,
        max_iter: 200,
        ..SdpOptions::default()
    }
}

#[test]
fn lovasz_theta_of_the_five_cycle_is_sqrt5() {
    // Lovász, "On the Shannon capacity of a graph", IEEE Trans. Inf. Theory 25 (1979): θ(C5) = √5.
    for rank_one in [false, true] {
        let sol = solve(&theta_cycle::<f64>(5, rank_one), &SdpOptions::default()).unwrap();
        assert_eq!(sol.status, SdpStatus::Optimal, "{}", sol.message);
        assert!(
            (sol.objective() - 5f64.sqrt()).abs() < 1e-7,
            "rank_one {rank_one}: {}",
            sol.objective()
        );
    }
}

#[test]
fn lovasz_theta_of_the_five_cycle_in_double_double() {
    let sqrt5 = fx128::from(5.0).sqrt();
    for rank_one in [false, true] {
        let sol = solve(&theta_cycle::<fx128>(5, rank_one), &dd_options()).unwrap();
        assert_eq!(sol.status, SdpStatus::Optimal, "{}", sol.message);
        assert!(sol.gap < 1e-20, "gap {}", sol.gap);
        let err = (sol.objective() - sqrt5).abs().to_f64();
        assert!(err < 1e-20, "rank_one {rank_one}: error {err:e}");
    }
}

#[test]
fn lovasz_theta_and_the_five_cycle_cut_in_multiple_precision() {
    // θ(C5) = √5 (Lovász 1979) at 256 bits to 1e-60, and the Goemans–Williamson value
    // (25 + 5√5)/8 of C5 at 512 bits to 1e-120: far beyond double-double's 1e-32.
    type M4 = Mp<4>;
    let options = SdpOptions::<M4> {
        tol: 1e-60,
        max_iter: 300,
        ..SdpOptions::default()
    };
    for rank_one in [false, true] {
        let sol = solve(&theta_cycle::<M4>(5, rank_one), &options).unwrap();
        assert_eq!(sol.status, SdpStatus::Optimal, "{}", sol.message);
        assert!(sol.gap < 1e-60, "gap {}", sol.gap);
        let err = (sol.objective() - M4::from_f64(5.0).sqrt()).abs();
        assert!(
            err < M4::from_f64(1e-60),
            "rank_one {rank_one}: error {err:?}"
        );
    }
    type M8 = Mp<8>;
    let options = SdpOptions::<M8> {
        tol: 1e-120,
        max_iter: 400,
        ..SdpOptions::default()
    };
    let sol = solve(&maxcut_cycle::<M8>(5, 1.0), &options).unwrap();
    assert_eq!(sol.status, SdpStatus::Optimal, "{}", sol.message);
    let five = M8::from_f64(5.0);
    let exact = (M8::from_f64(25.0) + five * five.sqrt()) / M8::from_f64(8.0);
    // tol is relative: the value is about 4.5.
    let err = (sol.objective() - exact).abs() / exact;
    assert!(err < M8::from_f64(1e-120), "error {err:?}");
}

#[test]
fn maxcut_relaxation_of_a_triangle_and_the_five_cycle() {
    // Triangle: L = 3I − J, Y = (3I − J)/2 is optimal, value (1/4)·L•Y = 9/4 (the max cut is 2).
    // Odd cycle C_n: value (n/2)(1 + cos(π/n)) (Goemans and Williamson, J. ACM 42 (1995),
    // the 5-cycle example: (25 + 5√5)/8).
    let c5 = (25.0 + 5.0 * 5f64.sqrt()) / 8.0;
    for (n, value) in [(3, 2.25), (5, c5)] {
        let sol = solve(&maxcut_cycle::<f64>(n, 1.0), &SdpOptions::default()).unwrap();
        assert_eq!(sol.status, SdpStatus::Optimal, "{}", sol.message);
        assert!(
            (sol.objective() - value).abs() < 1e-7,
            "C{n}: {} vs {value}",
            sol.objective()
        );
        let sol = solve(&maxcut_cycle::<fx128>(n, 1.0), &dd_options()).unwrap();
        assert_eq!(sol.status, SdpStatus::Optimal, "{}", sol.message);
        assert!(sol.gap < 1e-20, "gap {}", sol.gap);
        let exact = if n == 3 {
            fx128::from(2.25)
        } else {
            (fx128::from(25.0) + fx128::from(5.0) * fx128::from(5.0).sqrt()) / fx128::from(8.0)
        };
        let err = (sol.objective() - exact).abs().to_f64();
        assert!(err < 1e-20, "C{n} in dd: error {err:e}");
    }
}

#[test]
fn free_variables_give_the_smallest_eigenvalue() {
    // max w s.t. Y + w I = A, Y ⪰ 0 has the optimum λ_min(A); for the tridiagonal
    // A = [[2,1,0],[1,2,1],[0,1,2]] the eigenvalues are 2 − √2, 2, 2 + √2.
    let a = [[2.0, 1.0, 0.0], [1.0, 2.0, 1.0], [0.0, 1.0, 2.0]];
    let mut p = SdpProblem::<f64>::new(vec![BlockKind::Psd(3)]);
    let w = p.add_free_variable(1.0);
    for i in 0..3 {
        for j in i..3 {
            // F•Y with F = E_ij counts an off-diagonal entry twice: scale c accordingly.
            let c = p.add_constraint(if i == j { a[i][j] } else { 2.0 * a[i][j] });
            p.add_entry(c, 0, i, j, 1.0);
            if i == j {
                p.add_free_coefficient(c, w, 1.0);
            }
        }
    }
    let sol = solve(&p, &SdpOptions::default()).unwrap();
    assert_eq!(sol.status, SdpStatus::Optimal, "{}", sol.message);
    assert!(
        (sol.w[0] - (2.0 - 2f64.sqrt())).abs() < 1e-7,
        "w = {}",
        sol.w[0]
    );
    assert!((sol.objective() - (2.0 - 2f64.sqrt())).abs() < 1e-7);
}

#[test]
fn lp_blocks_solve_a_linear_program() {
    // max 3y₁ + 2y₂ s.t. y₁ + y₂ ≤ 4, y₁ + 3y₂ ≤ 6, y₁ ≤ 3, y ≥ 0 (slacks in the LP block):
    // the optimum is y = (3, 1), value 11 (vertex enumeration by hand).
    let mut p = SdpProblem::<f64>::new(vec![BlockKind::Lp(5)]);
    p.add_objective_entry(0, 0, 0, 3.0);
    p.add_objective_entry(0, 1, 1, 2.0);
    let rows = [([1.0, 1.0], 4.0), ([1.0, 3.0], 6.0), ([1.0, 0.0], 3.0)];
    for (r, (coef, rhs)) in rows.iter().enumerate() {
        let c = p.add_constraint(*rhs);
        p.add_entry(c, 0, 0, 0, coef[0]);
        if coef[1] != 0.0 {
            p.add_entry(c, 0, 1, 1, coef[1]);
        }
        p.add_entry(c, 0, 2 + r, 2 + r, 1.0);
    }
    let sol = solve(&p, &SdpOptions::default()).unwrap();
    assert_eq!(sol.status, SdpStatus::Optimal, "{}", sol.message);
    assert!((sol.objective() - 11.0).abs() < 1e-7, "{}", sol.objective());
    let y = sol.Y.blocks[0].diag();
    assert!(
        (y[0] - 3.0).abs() < 1e-6 && (y[1] - 1.0).abs() < 1e-6,
        "{y:?}"
    );
}

/// Chebyshev polynomials T_0..T_d at x.
fn chebyshev<T: Real>(d: usize, x: T) -> Vec<T> {
    let mut t = vec![T::from_f64(1.0), x];
    while t.len() <= d {
        let k = t.len();
        let next = T::from_f64(2.0) * x * t[k - 1] - t[k - 2];
        t.push(next);
    }
    t.truncate(d + 1);
    t
}

/// Adds to `problem` the sampled identity p(x) − t = σ₀(x) + (1 − x²) σ₁(x) on [−1, 1]
/// (Lukács: exact for univariate polynomials), with σ₀ = vᵀY₀v, σ₁ = wᵀY₁w in the Chebyshev
/// basis, at the 2d + 1 Chebyshev points, and a free variable t with objective 1.
/// Every sample is a constraint with two rank-one terms and a free coefficient — the shape of
/// the sphere-packing bounds.
fn add_sos_lower_bound<T: Real>(problem: &mut SdpProblem<T>, d: usize, p: &dyn Fn(T) -> T) {
    let b0 = problem.blocks.len();
    problem.blocks.push(BlockKind::Psd(d + 1));
    problem.blocks.push(BlockKind::Psd(d));
    let t = problem.add_free_variable(T::from_f64(1.0));
    let samples = 2 * d + 1;
    for s in 0..samples {
        // Chebyshev points cos((2s + 1)π / (2(2d + 1))), computed in the working precision
        // from f64 (a slightly different point set is still unisolvent).
        let x =
            T::from_f64(((2 * s + 1) as f64 * std::f64::consts::PI / (2 * samples) as f64).cos());
        let i = problem.add_constraint(p(x));
        problem.add_rank_one(i, b0, T::from_f64(1.0), chebyshev(d, x));
        problem.add_rank_one(i, b0 + 1, T::from_f64(1.0) - x * x, chebyshev(d - 1, x));
        problem.add_free_coefficient(i, t, T::from_f64(1.0));
    }
}

#[test]
fn sampled_sum_of_squares_gives_the_minimum_of_a_polynomial() {
    // min over [−1, 1] of x⁴ − x² is −1/4 (at x² = 1/2); of T_10 it is −1. K copies with
    // shifts k give Σ (min + k): many small blocks, rank-one constraints, free variables.
    let quartic = |x: f64| x * x * x * x - x * x;
    let mut p = SdpProblem::<f64>::new(Vec::new());
    add_sos_lower_bound(&mut p, 2, &quartic);
    let sol = solve(&p, &SdpOptions::default()).unwrap();
    assert_eq!(sol.status, SdpStatus::Optimal, "{}", sol.message);
    assert!((sol.objective() + 0.25).abs() < 1e-7, "{}", sol.objective());

    let copies = 12;
    let mut p = SdpProblem::<f64>::new(Vec::new());
    for k in 0..copies {
        let shift = k as f64;
        add_sos_lower_bound(&mut p, 10, &move |x| chebyshev(10, x)[10] + shift);
    }
    let sol = solve(&p, &SdpOptions::default()).unwrap();
    assert_eq!(sol.status, SdpStatus::Optimal, "{}", sol.message);
    let expected: f64 = (0..copies).map(|k| k as f64 - 1.0).sum();
    assert!(
        (sol.objective() - expected).abs() < 1e-6 * (1.0 + expected.abs()),
        "{} vs {expected}",
        sol.objective()
    );
    assert_eq!(sol.w.len(), copies);
    for (k, w) in sol.w.iter().enumerate() {
        assert!((w - (k as f64 - 1.0)).abs() < 1e-5, "t_{k} = {w}");
    }

    // The quartic in double-double to 1e-20.
    let quartic_dd = |x: fx128| x * x * x * x - x * x;
    let mut p = SdpProblem::<fx128>::new(Vec::new());
    add_sos_lower_bound(&mut p, 2, &quartic_dd);
    let sol = solve(
        &p,
        &SdpOptions {
            tol: 1e-21,
            ..dd_options()
        },
    )
    .unwrap();
    assert_eq!(sol.status, SdpStatus::Optimal, "{}", sol.message);
    let err = (sol.objective() + fx128::from(0.25)).abs().to_f64();
    assert!(err < 1e-20, "error {err:e}");
}

#[test]
fn dependent_constraints_and_bad_scaling_still_solve() {
    // θ(C5) = √5 with the trace constraint given twice (a singular Schur complement), and with
    // F_0 scaled by 1e6 and the trace constraint by 1e-4 (optimum 1e6·√5 by homogeneity).
    let mut p = theta_cycle::<f64>(5, false);
    let dup = p.add_constraint(1.0);
    for k in 0..5 {
        p.add_entry(dup, 0, k, k, 1.0);
    }
    let sol = solve(&p, &SdpOptions::default()).unwrap();
    assert_eq!(sol.status, SdpStatus::Optimal, "{}", sol.message);
    assert!(
        (sol.objective() - 5f64.sqrt()).abs() < 1e-7,
        "{}",
        sol.objective()
    );

    let mut p = theta_cycle::<f64>(5, false);
    for part in &mut p.f0 {
        if let boundlab_sdp_solver::problem::Part::Entries(e) = &mut part.part {
            for (_, _, v) in e.iter_mut() {
                *v *= 1e6;
            }
        }
    }
    p.c[0] *= 1e-4;
    if let boundlab_sdp_solver::problem::Part::Entries(e) = &mut p.constraints[0][0].part {
        for (_, _, v) in e.iter_mut() {
            *v *= 1e-4;
        }
    }
    let sol = solve(&p, &SdpOptions::default()).unwrap();
    assert_eq!(sol.status, SdpStatus::Optimal, "{}", sol.message);
    assert!(
        (sol.objective() / 1e6 - 5f64.sqrt()).abs() < 1e-7,
        "{}",
        sol.objective()
    );
}
