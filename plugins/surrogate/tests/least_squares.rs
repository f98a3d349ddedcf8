//! SSO on the tiny least-squares problem of the method notes
//! (../shared/notes/surrogates-and-mecb.md, section A.6, numbers computed by `sso_checks.py`
//! from the formulas, independently of this crate), and the structural identities:
//! m = 1 is SGD step for step, exact inner minimisation reaches the least-squares solution in
//! one outer step (checked against faer's QR least squares, an independent solver).

use std::ops::ControlFlow;

use boundlab_surrogate::data::Dataset;
use boundlab_surrogate::loss::Loss;
use boundlab_surrogate::model::{Architecture, Model};
use boundlab_surrogate::optim::{Optimizer, Sgd};
use boundlab_surrogate::problem::Objective;
use boundlab_surrogate::sso::{EtaRule, InnerSolver, Sso, SsoConfig};
use boundlab_surrogate::train::{TrainConfig, TrainResult, train};
use faer::Mat;
use faer::prelude::*;

/// X = [[1,0],[1,1],[1,2]], y = [1,2,2]; L(z) = (1/(2n))‖z − y‖², f(θ) = Xθ, θ0 = 0.
fn tiny() -> (Objective, Dataset) {
    let x = faer::mat![[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]];
    let data = Dataset::from_dense(x, &[1.0, 2.0, 2.0], Loss::Squared, true, "A.6").unwrap();
    let objective = Objective {
        model: Model::Linear {
            inputs: 2,
            outputs: 1,
            bias: false,
        },
        loss: Loss::Squared,
        l2: 0.0,
    };
    (objective, data)
}

fn run_sso(objective: &Objective, data: &Dataset, cfg: SsoConfig, tc: &TrainConfig) -> TrainResult {
    let theta0 = vec![0.0; objective.model.n_params()];
    let mut sso = Sso::new(cfg);
    train(objective, data, &mut sso, theta0, tc, &mut |_| {
        ControlFlow::Continue(())
    })
    .unwrap()
}

fn full_batch(steps: usize) -> TrainConfig {
    TrainConfig {
        batch_size: 0,
        outer_steps: steps,
        seed: 0,
        trace_every: 1,
        target_loss: None,
    }
}

fn gd_sso(eta: f64, m: usize) -> SsoConfig {
    SsoConfig {
        eta,
        eta_rule: EtaRule::Constant,
        inner_steps: m,
        inner: InnerSolver::Gd { lr: None },
        armijo_c: 0.5,
        inner_tol: 0.0,
    }
}

/// Notes A.6: losses after t = 1, 2, 5, 10 outer steps, inner GD with α = η_paper/λmax(XᵀX).
/// Our η is per example (η_paper = n·η with n = 3): η = 1 ↔ paper η = 3 = 1/β, η = 0.5 ↔ 1.5.
#[test]
fn notes_a6_losses_after_t_outer_steps() {
    let (objective, data) = tiny();
    let table: [(f64, usize, [f64; 4]); 8] = [
        (1.0, 1, [0.074356, 0.064098, 0.044997, 0.032741]),
        (1.0, 5, [0.044997, 0.032741, 0.027897, 0.027778]),
        (1.0, 20, [0.028190, 0.027781, 0.027778, 0.027778]),
        (1.0, 200, [0.027778, 0.027778, 0.027778, 0.027778]),
        (0.5, 1, [0.433852, 0.162998, 0.061855, 0.045677]),
        (0.5, 5, [0.416174, 0.136888, 0.033446, 0.028087]),
        (0.5, 20, [0.398418, 0.121196, 0.029287, 0.027779]),
        (0.5, 200, [0.395833, 0.119792, 0.029215, 0.027779]),
    ];
    for (eta, m, expected) in table {
        let r = run_sso(&objective, &data, gd_sso(eta, m), &full_batch(10));
        assert!((r.trace.loss[0] - 1.5).abs() < 1e-15, "L(θ0) = 1.5");
        for (t, want) in [1, 2, 5, 10].into_iter().zip(expected) {
            let got = r.trace.loss[t];
            assert!(
                (got - want).abs() < 6e-7,
                "η = {eta}, m = {m}, t = {t}: {got:.7} vs {want}"
            );
        }
        // one expensive call per outer step, m inner gradients each
        assert_eq!(r.counters.grad_calls, 10);
        assert_eq!(r.counters.inner_grads, 10 * m as u64);
    }
    // the step of the notes: α = 3/λmax(XᵀX) with λmax = 4 + √10
    let alpha = 3.0 / (4.0 + 10f64.sqrt());
    assert!((alpha - 0.41886).abs() < 1e-5);
}

/// For a quadratic L with η = 1/β, ℓ_t = h + const, so SSO(m) after t outer steps equals GD
/// after t·m steps (notes A.6: m = 1, t = 5 equals m = 5, t = 1).
#[test]
fn quadratic_surrogate_at_one_over_beta_is_gd() {
    let (objective, data) = tiny();
    let a = run_sso(&objective, &data, gd_sso(1.0, 1), &full_batch(20));
    let b = run_sso(&objective, &data, gd_sso(1.0, 5), &full_batch(4));
    for t in 1..=4 {
        assert!(
            (a.trace.loss[5 * t] - b.trace.loss[t]).abs() < 1e-14,
            "t = {t}"
        );
    }
}

/// Notes A.6: from θ0 = 0 with α = 0.3, one inner step gives θ = [0.5, 0.6], the GD step.
#[test]
fn one_inner_step_is_the_gradient_step() {
    let (objective, data) = tiny();
    let cfg = SsoConfig {
        inner: InnerSolver::Gd { lr: Some(0.3) },
        ..gd_sso(1.0, 1)
    };
    let r = run_sso(&objective, &data, cfg, &full_batch(1));
    assert!(
        (r.theta[0] - 0.5).abs() < 1e-15 && (r.theta[1] - 0.6).abs() < 1e-15,
        "{:?}",
        r.theta
    );
}

/// Notes A.6: exact inner minimisation at η = 1/β reaches θ_LS = [7/6, 1/2], L* = 1/36, in one
/// outer step; with η = 1/2 the target is ½z_t + ½y, so the error halves each step.
#[test]
fn exact_inner_solve_reaches_least_squares_in_one_step() {
    let (objective, data) = tiny();
    let cfg = SsoConfig {
        inner: InnerSolver::Exact,
        ..gd_sso(1.0, 1)
    };
    let r = run_sso(&objective, &data, cfg.clone(), &full_batch(1));
    assert!(
        (r.theta[0] - 7.0 / 6.0).abs() < 1e-13 && (r.theta[1] - 0.5).abs() < 1e-13,
        "{:?}",
        r.theta
    );
    assert!((r.final_loss - 1.0 / 36.0).abs() < 1e-14);
    let half = run_sso(
        &objective,
        &data,
        SsoConfig { eta: 0.5, ..cfg },
        &full_batch(4),
    );
    // the exact-projection column of the notes (m = 200 is converged to 6 digits)
    for (t, want) in [(1, 0.395833), (2, 0.119792)] {
        assert!(
            (half.trace.loss[t] - want).abs() < 6e-7,
            "t = {t}: {}",
            half.trace.loss[t]
        );
    }
    // h − L* = ‖z − z*‖²/(2n): the target error halves, so the excess loss quarters
    for t in 1..=4 {
        let ratio = (half.trace.loss[t] - 1.0 / 36.0) / (half.trace.loss[t - 1] - 1.0 / 36.0);
        assert!((ratio - 0.25).abs() < 1e-9, "t = {t}: {ratio}");
    }
}

/// Exact inner minimisation on a real data set (breast cancer, {0,1} targets, linear model with
/// bias) reaches the least-squares solution of faer's QR solver in one outer step.
#[test]
fn exact_inner_solve_matches_qr_least_squares_on_breast_cancer() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/libsvm");
    let raw = boundlab_libsvm::read_file(&dir.join("breast_cancer_scale.svm")).unwrap();
    let data = Dataset::from_libsvm(&raw, Loss::Squared, false, "bc").unwrap();
    let d = data.n_features();
    let objective = Objective {
        model: Model::Linear {
            inputs: d,
            outputs: 1,
            bias: true,
        },
        loss: Loss::Squared,
        l2: 0.0,
    };
    let cfg = SsoConfig {
        inner: InnerSolver::Exact,
        ..gd_sso(1.0, 1)
    };
    let r = run_sso(&objective, &data, cfg, &full_batch(1));
    let design = objective.model.linear_design(data.x.as_ref()).unwrap();
    let qr = design.qr();
    let reference: Mat<f64> = qr.solve_lstsq(&data.y);
    let got = objective.model.linear_theta_matrix(&r.theta).unwrap();
    let diff = (&got - &reference).norm_max();
    assert!(diff < 1e-8 * reference.norm_max(), "max difference {diff}");
    // and the full gradient vanishes there
    assert!(r.final_grad_norm < 1e-10, "{}", r.final_grad_norm);
}

/// With one inner gradient step of size α, stochastic SSO and SGD with step α produce the same
/// iterates, batch for batch (∇ℓ_t(θ_t) = ∇h_S(θ_t)); checked on logistic regression with
/// mini-batches of 10 and on an MLP with cross-entropy.
#[test]
fn sso_with_one_inner_step_equals_sgd_step_for_step() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/libsvm");
    for (file, loss, architecture) in [
        (
            "breast_cancer_scale.svm",
            Loss::Logistic,
            Architecture::Linear,
        ),
        ("wine_scale.svm", Loss::CrossEntropy, Architecture::Mlp),
    ] {
        let raw = boundlab_libsvm::read_file(&dir.join(file)).unwrap();
        let data = Dataset::from_libsvm(&raw, loss, false, file).unwrap();
        let model =
            Model::build(architecture, data.n_features(), data.n_outputs(), 8, true).unwrap();
        let objective = Objective {
            model,
            loss,
            l2: 1e-3,
        };
        let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(5);
        let theta0 = objective.model.init(&mut rng);
        let tc = TrainConfig {
            batch_size: 10,
            outer_steps: 60,
            seed: 11,
            trace_every: 1,
            target_loss: None,
        };
        let alpha = 0.7;
        let mut sso = Sso::new(SsoConfig {
            inner: InnerSolver::Gd { lr: Some(alpha) },
            ..gd_sso(2.0, 1)
        });
        let mut sgd = Sgd::constant(alpha);
        let a = train(
            &objective,
            &data,
            &mut sso,
            theta0.clone(),
            &tc,
            &mut |_| ControlFlow::Continue(()),
        )
        .unwrap();
        let b = train(
            &objective,
            &data,
            &mut sgd as &mut dyn Optimizer,
            theta0,
            &tc,
            &mut |_| ControlFlow::Continue(()),
        )
        .unwrap();
        for (t, (la, lb)) in a.trace.loss.iter().zip(&b.trace.loss).enumerate() {
            assert!(
                (la - lb).abs() <= 1e-13 * la.abs(),
                "{file} step {t}: {la} vs {lb}"
            );
        }
        let dmax = a
            .theta
            .iter()
            .zip(&b.theta)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        assert!(dmax < 1e-12, "{file}: {dmax}");
        assert_eq!(a.counters.grad_calls, b.counters.grad_calls);
        assert!(
            a.trace.loss[60] < 0.8 * a.trace.loss[0],
            "{file}: the run made progress"
        );
    }
}
