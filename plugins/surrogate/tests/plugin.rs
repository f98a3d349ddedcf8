//! The plugin interface: schemas, results, parameter errors, cancellation, the imitation task.

use boundlab_sdk::prelude::*;
use boundlab_sdk::testing::TestHost;
use boundlab_surrogate::plugin_module;

fn data(file: &str) -> String {
    format!("{}/../../data/libsvm/{file}", env!("CARGO_MANIFEST_DIR"))
}

fn run(id: &str, params: ValueMap) -> Result<ValueMap, PluginError> {
    let host = TestHost::new();
    host.run(plugin_module(), id, Value::Map(params), Value::Unit)
        .map(|v| match v {
            Value::Map(m) => m,
            other => panic!("{other:?}"),
        })
}

fn f(r: &ValueMap, key: &str) -> f64 {
    r.get(key)
        .unwrap_or_else(|| panic!("no `{key}`"))
        .as_f64()
        .unwrap()
}

fn column(r: &ValueMap, name: &str) -> Vec<f64> {
    r.get("trace")
        .unwrap()
        .get(name)
        .unwrap()
        .to_f64_vec()
        .unwrap()
}

fn err(id: &str, params: ValueMap) -> String {
    run(id, params).expect_err("should fail").to_string()
}

#[test]
fn lists_the_five_algorithms() {
    let info = plugin_module().info()().into_result().unwrap();
    let ids: Vec<&str> = info.algorithms.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "surrogate.sso",
            "surrogate.sgd",
            "surrogate.sls",
            "surrogate.adam",
            "surrogate.imitation"
        ]
    );
    for a in info.algorithms.iter().take(4) {
        for p in [
            "dataset",
            "model",
            "loss",
            "batch_size",
            "epochs",
            "outer_steps",
            "seed",
        ] {
            assert!(
                a.params.iter().any(|q| q.name.as_str() == p),
                "{} lacks `{p}`",
                a.id
            );
        }
    }
}

/// The notes' A.6 example through the parameter map (x, y given directly): m = 5, η = 1
/// (paper η = 3), loss 0.044997 after one outer step and 0.027897 after five.
#[test]
fn x_and_y_parameters_reproduce_the_notes_example() {
    let x = Value::List(
        vec![
            vec![1.0, 0.0].into(),
            vec![1.0, 1.0].into(),
            vec![1.0, 2.0].into(),
        ]
        .into(),
    );
    let r = run(
        "surrogate.sso",
        ValueMap::new()
            .with("x", x)
            .with("y", vec![1.0, 2.0, 2.0])
            .with("regression", true)
            .with("loss", "squared")
            .with("bias", false)
            .with("batch_size", 0i64)
            .with("outer_steps", 5i64)
            .with("trace_every", 1i64)
            .with("inner", "gd")
            .with("inner_tol", 0.0)
            .with("eta", 1.0)
            .with("inner_steps", 5i64)
            .with("return_params", true),
    )
    .unwrap();
    let loss = column(&r, "loss");
    assert!(
        (loss[1] - 0.044997).abs() < 6e-7 && (loss[5] - 0.027897).abs() < 6e-7,
        "{loss:?}"
    );
    assert_eq!(r.get("params").unwrap().to_f64_vec().unwrap().len(), 2);
    assert_eq!(column(&r, "grad_calls"), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    assert_eq!(r.get("status").unwrap().as_str(), Some("completed"));
}

/// Every algorithm runs on every bundled data set, counts one expensive call per outer step,
/// and lowers the loss; only SSO makes inner evaluations, only SLS and SSO-Armijo loss values.
#[test]
fn all_algorithms_run_and_count_work_separately() {
    for (file, loss) in [
        ("breast_cancer_scale.svm", "logistic"),
        ("wine_scale.svm", "cross_entropy"),
        ("digits.svm", "squared"),
    ] {
        for id in [
            "surrogate.sso",
            "surrogate.sgd",
            "surrogate.sls",
            "surrogate.adam",
        ] {
            let params = ValueMap::new()
                .with("dataset", data(file))
                .with("loss", loss)
                .with("batch_size", 64i64)
                .with("epochs", 2.0);
            let params = if id == "surrogate.adam" {
                params.with("lr", 0.01)
            } else {
                params
            };
            let r = run(id, params).unwrap();
            let calls = column(&r, "grad_calls");
            let n = f(&r, "n");
            let per_epoch = (n / 64.0).ceil();
            assert_eq!(f(&r, "grad_calls"), 2.0 * per_epoch, "{id} {file}");
            assert_eq!(
                calls,
                [0.0, per_epoch, 2.0 * per_epoch],
                "{id} {file}: one trace point per epoch"
            );
            let l = column(&r, "loss");
            assert!(l[2] < 0.9 * l[0], "{id} {file}: {l:?}");
            let inner = f(&r, "inner_grads") + f(&r, "inner_values");
            assert_eq!(
                inner > 0.0,
                id == "surrogate.sso",
                "{id}: inner evaluations {inner}"
            );
            assert_eq!(
                f(&r, "loss_evals") > 0.0,
                id == "surrogate.sls",
                "{id}: loss evaluations"
            );
            assert!(f(&r, "seconds") > 0.0);
        }
    }
}

/// SSO trains the MLP (hand-written backprop) on wine to a low loss.
#[test]
fn sso_trains_the_mlp() {
    let r = run(
        "surrogate.sso",
        ValueMap::new()
            .with("dataset", data("wine_scale.svm"))
            .with("model", "mlp")
            .with("hidden", 16i64)
            .with("batch_size", 16i64)
            .with("epochs", 20.0)
            .with("inner_steps", 10i64),
    )
    .unwrap();
    let l = column(&r, "loss");
    eprintln!("MLP on wine: {:.4} -> {:.4}", l[0], l.last().unwrap());
    assert!(*l.last().unwrap() < 0.05, "{l:?}");
    assert_eq!(f(&r, "n_params"), (13.0 + 1.0) * 16.0 + (16.0 + 1.0) * 3.0);
}

#[test]
fn bad_parameters_are_named() {
    let base = || ValueMap::new().with("dataset", data("wine_scale.svm"));
    let cases: Vec<(&str, ValueMap, &str)> = vec![
        (
            "surrogate.sso",
            base().with("loss", "hinge"),
            "parameter `loss`: must be one of `squared`, `logistic`, `cross_entropy`, got `hinge`",
        ),
        (
            "surrogate.sso",
            base().with("model", "cnn"),
            "parameter `model`",
        ),
        (
            "surrogate.sso",
            base().with("batch_size", -3i64),
            "parameter `batch_size`: must be ≥ 0, got -3",
        ),
        (
            "surrogate.sso",
            base().with("inner_steps", 0i64),
            "parameter `inner_steps`",
        ),
        ("surrogate.sso", base().with("eta", -1.0), "parameter `eta`"),
        (
            "surrogate.sso",
            base().with("l2", f64::INFINITY),
            "parameter `l2`: must be < inf",
        ),
        (
            "surrogate.sso",
            base().with("eta_rule", "cosine"),
            "parameter `eta_rule`",
        ),
        (
            "surrogate.sso",
            base().with("inner", "newton"),
            "parameter `inner`",
        ),
        (
            "surrogate.sso",
            base().with("armijo_c", 1.5),
            "parameter `armijo_c`",
        ),
        (
            "surrogate.sso",
            base().with("model", "mlp").with("inner", "gd"),
            "parameter `inner_lr`",
        ),
        (
            "surrogate.sso",
            base().with("model", "mlp").with("inner", "exact"),
            "parameter `inner`",
        ),
        (
            "surrogate.sso",
            base().with("loss", "logistic"),
            "parameter `loss`: `logistic` needs two classes",
        ),
        (
            "surrogate.sso",
            base().with("epochs", 0.0),
            "parameter `epochs`",
        ),
        (
            "surrogate.sso",
            base().with("seed", -1i64),
            "parameter `seed`",
        ),
        (
            "surrogate.sgd",
            base().with("model", "mlp"),
            "parameter `lr`",
        ),
        ("surrogate.sgd", base().with("lr", 0.0), "parameter `lr`"),
        (
            "surrogate.adam",
            base().with("lr", f64::NAN),
            "parameter `lr`",
        ),
        (
            "surrogate.sso",
            ValueMap::new(),
            "parameter `dataset`: is required",
        ),
        (
            "surrogate.sso",
            ValueMap::new().with("dataset", "/no/such/file.svm"),
            "parameter `dataset`: /no/such/file.svm: cannot read the file",
        ),
        ("surrogate.sso", base().with("y", vec![1.0]), "not both"),
        (
            "surrogate.sso",
            ValueMap::new().with("y", vec![1.0]),
            "parameter `x`",
        ),
        (
            "surrogate.sso",
            ValueMap::new()
                .with("dataset", data("wine_scale.svm"))
                .with("batch_sise", 3i64),
            "did you mean `batch_size`",
        ),
        (
            "surrogate.imitation",
            ValueMap::new().with("optimizer", "sgd"),
            "parameter `lr`",
        ),
        (
            "surrogate.imitation",
            ValueMap::new().with("optimizer", "lbfgs"),
            "parameter `optimizer`",
        ),
        (
            "surrogate.imitation",
            ValueMap::new().with("mixing", 2.0),
            "parameter `mixing`",
        ),
        (
            "surrogate.imitation",
            ValueMap::new().with("dt", 1.0),
            "parameter `dt`",
        ),
    ];
    for (id, params, want) in cases {
        let e = err(id, params);
        assert!(e.contains(want), "{id}: expected `{want}` in `{e}`");
    }
}

#[test]
fn broken_libsvm_file_is_reported_with_its_line() {
    let dir = std::env::temp_dir().join(format!("surrogate-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("broken.svm");
    std::fs::write(&path, "1 1:0.5 2:1\n-1 1:0.25 2:x\n").unwrap();
    let e = err(
        "surrogate.sso",
        ValueMap::new().with("dataset", path.display().to_string()),
    );
    assert!(
        e.contains("parameter `dataset`") && e.contains("broken.svm:2:13: value `x` of feature 2"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn cancellation_stops_the_run() {
    let host = TestHost::new();
    host.cancel();
    let params = ValueMap::new().with("dataset", data("wine_scale.svm"));
    let e = host
        .run(
            plugin_module(),
            "surrogate.sso",
            Value::Map(params),
            Value::Unit,
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Cancelled);
    let host = TestHost::new();
    host.cancel();
    let e = host
        .run(
            plugin_module(),
            "surrogate.imitation",
            Value::Unit,
            Value::Unit,
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Cancelled);
}

#[test]
fn progress_is_reported_and_a_target_stops_early() {
    let host = TestHost::new();
    let params = ValueMap::new()
        .with("dataset", data("breast_cancer_scale.svm"))
        .with("loss", "logistic")
        .with("epochs", 50.0)
        .with("target_loss", 0.2);
    let r = host
        .run(
            plugin_module(),
            "surrogate.sso",
            Value::Map(params),
            Value::Unit,
        )
        .unwrap();
    let r = r.as_map().unwrap();
    assert_eq!(r.get("status").unwrap().as_str(), Some("target_reached"));
    assert!(f(r, "final_loss") <= 0.2 && f(r, "outer_steps") < 50.0 * 18.0);
    let reports = host.progress_reports();
    assert!(reports.len() >= 2 && reports.windows(2).all(|w| w[0].0 <= w[1].0));
}

/// A step far too large for SGD is reported as divergence, not as a result.
#[test]
fn divergence_is_reported() {
    let host = TestHost::new();
    let params = ValueMap::new()
        .with("dataset", data("digits.svm"))
        .with("loss", "squared")
        .with("lr", 50.0)
        .with("epochs", 3.0);
    let r = host
        .run(
            plugin_module(),
            "surrogate.sgd",
            Value::Map(params),
            Value::Unit,
        )
        .unwrap();
    assert_eq!(r.get("status").unwrap().as_str(), Some("diverged"));
    assert!(host.logs().iter().any(|(_, m)| m.contains("diverged")));
}

/// Online imitation of the LQR expert: SSO with many cheap inner steps recovers the expert's
/// gain from few rounds and matches its cost; online gradient descent with a stable step is
/// still far from it after the same number of expensive rounds.
#[test]
fn imitation_learner_approaches_the_expert() {
    let sso = run(
        "surrogate.imitation",
        ValueMap::new()
            .with("rounds", 20i64)
            .with("inner_steps", 100i64),
    )
    .unwrap();
    // 0.1 is the largest step of {0.001, 0.003, …, 0.3, 0.5} that does not diverge here
    let ogd = run(
        "surrogate.imitation",
        ValueMap::new()
            .with("rounds", 20i64)
            .with("optimizer", "sgd")
            .with("lr", 0.1),
    )
    .unwrap();
    let expert = f(&sso, "expert_cost");
    let zero = f(&sso, "zero_policy_cost");
    eprintln!(
        "expert {expert:.3}, zero policy {zero:.3}; SSO cost {:.3} err {:.3e}; OGD cost {:.3} err {:.3e}",
        f(&sso, "final_cost"),
        f(&sso, "final_policy_error"),
        f(&ogd, "final_cost"),
        f(&ogd, "final_policy_error")
    );
    assert!(zero > 10.0 * expert, "the uncontrolled pole falls");
    assert!(f(&sso, "final_cost") < 1.01 * expert);
    assert!(f(&sso, "final_policy_error") < 1e-2 * norm(&sso));
    assert!(
        f(&ogd, "final_policy_error") > 0.1 * norm(&sso) && f(&ogd, "final_cost") > 10.0 * expert
    );
    assert_eq!(sso.get("status").unwrap().as_str(), Some("completed"));
    assert_eq!(f(&sso, "interactions"), 2000.0);
    assert_eq!(f(&sso, "grad_calls"), 20.0);
}

fn norm(r: &ValueMap) -> f64 {
    r.get("expert_gain")
        .unwrap()
        .to_f64_vec()
        .unwrap()
        .iter()
        .map(|v| v * v)
        .sum::<f64>()
        .sqrt()
}

/// The MLP policy (hand-written backprop) also learns to balance the pole from the expert.
#[test]
fn imitation_with_an_mlp_policy() {
    let r = run(
        "surrogate.imitation",
        ValueMap::new()
            .with("model", "mlp")
            .with("hidden", 16i64)
            .with("rounds", 30i64)
            .with("inner_steps", 100i64),
    )
    .unwrap();
    let cost = column(&r, "cost");
    eprintln!(
        "MLP imitation: cost {:.3} -> {:.3}, expert {:.3}",
        cost[0],
        cost.last().unwrap(),
        f(&r, "expert_cost")
    );
    assert!(f(&r, "final_cost") < 1.5 * f(&r, "expert_cost"), "{cost:?}");
    assert!(f(&r, "final_policy_error").is_nan(), "no θ* for the MLP");
}
