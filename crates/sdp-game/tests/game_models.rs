//! The SDP game's surrogate models against independent numpy/scipy computations
//! (`bench/sdp_game/reference.py` prints every number hard-coded here).

use boundlab_sdp_game::gp::{Gp, GpHyper, HyperBounds};
use boundlab_sdp_game::value_model::ValueModel;

fn gp_data() -> (Vec<Vec<f64>>, Vec<f64>) {
    let x: Vec<Vec<f64>> = (0..8)
        .map(|i| {
            let i = i as f64;
            vec![(0.37 * i) % 1.0, (0.61 * i + 0.2) % 1.0]
        })
        .collect();
    let y = x.iter().map(|p| (3.0 * p[0]).sin() + p[1] * p[1]).collect();
    (x, y)
}

#[test]
fn gp_posterior_and_marginal_likelihood_match_numpy() {
    let (x, y) = gp_data();
    let hyper = GpHyper {
        lengthscales: vec![0.3, 0.6],
        signal_std: 1.3,
        noise_std: 0.1,
    };
    let gp = Gp::new(&x, &y, &hyper, false).unwrap();
    // numpy (bench/sdp_game/reference.py, "gp fixed"): explicit inverse of K + σ_n² I.
    let want = [
        ([0.25, 0.75], 1.3951256916219663, 0.07557347713441676),
        ([0.9, 0.1], 0.4290909629674511, 0.15122237451685883),
    ];
    for (xs, m, v) in want {
        let (mean, var) = gp.predict(&xs);
        assert!((mean - m).abs() < 1e-10, "{mean} vs {m}");
        assert!((var - v).abs() < 1e-10, "{var} vs {v}");
    }
    assert!((gp.log_marginal_likelihood() - (-6.146697848981738)).abs() < 1e-10);
}

#[test]
fn gp_hyperparameters_reach_the_scipy_maximum_likelihood() {
    let (x, y) = gp_data();
    let gp = Gp::fit(&x, &y, &HyperBounds::default()).unwrap();
    // scipy L-BFGS-B from 200 random starts in the same box ("gp ml"): −4.850751079064087.
    let best = -4.850751079064087;
    let lml = gp.log_marginal_likelihood();
    assert!(
        lml > best - 1e-4,
        "fitted log marginal likelihood {lml} < scipy's {best}"
    );
    assert!(lml < best + 1e-6, "{lml} above the global maximum {best}?");
}

fn blr_data() -> (Vec<Vec<f64>>, Vec<f64>) {
    let phi: Vec<Vec<f64>> = (0..12)
        .map(|i| {
            let i = i as f64;
            vec![
                (0.3 * i).sin(),
                (0.7 * i).cos(),
                (2.0 * (1.3 * i).sin()).tanh(),
            ]
        })
        .collect();
    let t = phi
        .iter()
        .enumerate()
        .map(|(i, p)| 2.0 * p[0] - p[1] + 0.5 * p[2] + 3.0 + 0.1 * (5.1 * i as f64).sin())
        .collect();
    (phi, t)
}

#[test]
fn bayesian_linear_regression_matches_numpy() {
    let (phi, t) = blr_data();
    let model = ValueModel::with_precisions(&phi, &t, 0.5, 40.0).unwrap();
    // numpy ("blr fixed").
    let m = [0.6500002132612333, -1.5594549795520352, 0.24619745514637043];
    for (a, b) in model.weights().iter().zip(m) {
        assert!((a - b).abs() < 1e-10, "{a} vs {b}");
    }
    let (mean, var) = model.predict(&[0.2, -0.4, 0.9]);
    assert!((mean - 4.963622180423646).abs() < 1e-10);
    assert!((var - 0.028564527663766246).abs() < 1e-12);
    assert!((model.log_evidence() - (-29.557747450055196)).abs() < 1e-9);
}

#[test]
fn evidence_maximisation_reaches_the_scipy_optimum() {
    let (phi, t) = blr_data();
    let model = ValueModel::fit(&phi, &t).unwrap();
    // scipy Nelder–Mead on log α, log β ("blr ml"): −11.753753097362061 at
    // α = 1.050093480134353, β = 5.88230411136522.
    assert!(
        (model.log_evidence() - (-11.753753097362061)).abs() < 1e-7,
        "{}",
        model.log_evidence()
    );
    let (alpha, beta) = model.precisions();
    assert!((alpha / 1.050093480134353 - 1.0).abs() < 1e-4, "α {alpha}");
    assert!((beta / 5.88230411136522 - 1.0).abs() < 1e-4, "β {beta}");
}
