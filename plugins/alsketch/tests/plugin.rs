//! The `alsketch.solve` algorithm through the sdk's test host: parameters, results, script
//! problems, progress and cancellation.

use boundlab_alsketch::plugin_module;
use boundlab_sdk::testing::TestHost;
use boundlab_sdk::{ErrorKind, Value, ValueMap};

fn params(entries: &[(&str, Value)]) -> Value {
    let mut m = ValueMap::new();
    for (k, v) in entries {
        m.insert(*k, v.clone());
    }
    Value::Map(m)
}

fn run(host: &TestHost, entries: &[(&str, Value)]) -> Result<Value, boundlab_sdk::PluginError> {
    host.run(
        plugin_module(),
        "alsketch.solve",
        params(entries),
        Value::Unit,
    )
}

#[test]
fn library_problem_result_has_the_documented_fields() {
    let host = TestHost::new();
    let r = run(
        &host,
        &[
            ("problem", "hs7".into()),
            ("sketch", "kaczmarz".into()),
            ("trace", true.into()),
        ],
    )
    .unwrap();
    for key in [
        "problem",
        "n",
        "m",
        "sketch",
        "status",
        "x",
        "lambda",
        "f",
        "kkt",
        "constraint_violation",
        "iterations",
        "sketch_iterations",
        "flops",
        "evaluations",
        "time",
        "trace",
    ] {
        assert!(r.get(key).is_some(), "missing `{key}`");
    }
    assert_eq!(r.get("status").and_then(Value::as_str), Some("converged"));
    // HS7: f* = −√3 (notes §4).
    let f = r.get("f").and_then(Value::as_f64).unwrap();
    assert!((f + 3f64.sqrt()).abs() < 1e-9, "f = {f}");
    let kkt = r
        .get("trace")
        .and_then(|t| t.get("kkt"))
        .and_then(Value::to_f64_vec)
        .unwrap();
    assert_eq!(
        kkt.len() as i64,
        r.get("iterations").and_then(Value::as_i64).unwrap() + 1
    );
    assert!(!host.progress_reports().is_empty(), "progress is reported");
}

/// HS7 written as script closures with and without derivatives (finite differences).
#[test]
fn script_problems_converge_with_and_without_derivatives() {
    for with_derivatives in [true, false] {
        let host = TestHost::new();
        let xs = |v: &Value| v.to_f64_vec().unwrap();
        let f = host.add_function(move |x| {
            let x = xs(&x);
            Ok(Value::from((1.0 + x[0] * x[0]).ln() - x[1]))
        });
        let c = host.add_function(move |x| {
            let x = xs(&x);
            Ok(Value::List(
                vec![Value::from((1.0 + x[0] * x[0]).powi(2) + x[1] * x[1] - 4.0)].into(),
            ))
        });
        // Without derivatives, n and m are left out too: they are inferred from x0 and c(x0).
        let mut problem = ValueMap::new()
            .with("x0", vec![2.0, 2.0])
            .with("f", f)
            .with("c", c);
        if with_derivatives {
            problem.insert("n", 2i64);
            problem.insert("m", 1i64);
            let grad = host.add_function(move |x| {
                let x = xs(&x);
                Ok(Value::from(vec![2.0 * x[0] / (1.0 + x[0] * x[0]), -1.0]))
            });
            let jac = host.add_function(move |x| {
                let x = xs(&x);
                Ok(Value::List(
                    vec![Value::from(vec![
                        4.0 * x[0] * (1.0 + x[0] * x[0]),
                        2.0 * x[1],
                    ])]
                    .into(),
                ))
            });
            let hess = host.add_function(move |p| {
                let x = p.get("x").unwrap().to_f64_vec().unwrap();
                let l = p.get("lambda").unwrap().to_f64_vec().unwrap()[0];
                let s = 1.0 + x[0] * x[0];
                let h00 = 2.0 * (1.0 - x[0] * x[0]) / (s * s) + l * (4.0 + 12.0 * x[0] * x[0]);
                Ok(Value::List(
                    vec![Value::from(vec![h00, 0.0]), Value::from(vec![0.0, 2.0 * l])].into(),
                ))
            });
            problem.insert("grad", grad);
            problem.insert("jac", jac);
            problem.insert("hess", hess);
        }
        let r = run(
            &host,
            &[
                ("problem", Value::Map(problem)),
                ("sketch", "gaussian".into()),
            ],
        )
        .unwrap();
        assert_eq!(
            r.get("status").and_then(Value::as_str),
            Some("converged"),
            "{r:?}"
        );
        let f = r.get("f").and_then(Value::as_f64).unwrap();
        assert!(
            (f + 3f64.sqrt()).abs() < 1e-8,
            "derivatives {with_derivatives}: f = {f}"
        );
        assert!(r.get("script_calls").and_then(Value::as_i64).unwrap() > 0);
    }
}

#[test]
fn bad_parameters_are_named() {
    let host = TestHost::new();
    let cases: [(&[(&str, Value)], &str); 7] = [
        (
            &[("problem", "hs7".into()), ("sketch", "fancy".into())],
            "parameter `sketch`",
        ),
        (&[("problem", "hs999".into())], "parameter `problem`"),
        (
            &[("problem", "rosenbrock".into())],
            "unknown problem `rosenbrock`",
        ),
        (
            &[("problem", "pde".into()), ("grid", 1i64.into())],
            "parameter `grid`",
        ),
        (
            &[
                ("problem", "logreg".into()),
                ("dataset", "no_such_set".into()),
            ],
            "parameter `dataset`",
        ),
        (
            &[("problem", "hs7".into()), ("beta", 0.7.into())],
            "parameter `beta`",
        ),
        (&[("problem", 3i64.into())], "parameter `problem`"),
    ];
    for (p, expected) in cases {
        let err = run(&host, p).unwrap_err();
        assert_eq!(err.kind, ErrorKind::BadParameter, "{}", err.message);
        assert!(
            err.message.contains(expected),
            "expected `{expected}` in: {}",
            err.message
        );
    }
    let err = run(
        &host,
        &[("problem", "hs7".into()), ("tolerance", 1e-6.into())],
    )
    .unwrap_err();
    assert!(
        err.message.contains("did you mean `tol`"),
        "{}",
        err.message
    );
}

#[test]
fn logreg_and_pde_run_through_the_plugin() {
    let host = TestHost::new();
    let data_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/libsvm");
    let r = run(
        &host,
        &[
            ("problem", "logreg".into()),
            ("dataset", "wine_scale".into()),
            ("data_dir", data_dir.into()),
            ("linear_constraints", 5i64.into()),
            ("sketch", "direct".into()),
        ],
    )
    .unwrap();
    assert_eq!(r.get("status").and_then(Value::as_str), Some("converged"));
    assert_eq!(
        r.get("problem").and_then(Value::as_str),
        Some("logreg:wine_scale")
    );
    let err = run(
        &host,
        &[
            ("problem", "logreg".into()),
            ("dataset", "wine_scale".into()),
            ("data_dir", data_dir.into()),
        ],
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Infeasible);
    let r = run(
        &host,
        &[
            ("problem", "pde".into()),
            ("grid", 16i64.into()),
            ("sketch", "direct".into()),
        ],
    )
    .unwrap();
    assert_eq!(r.get("status").and_then(Value::as_str), Some("converged"));
    assert_eq!(r.get("n").and_then(Value::as_i64), Some(512));
    assert_eq!(r.get("linalg").and_then(Value::as_str), Some("sparse"));
}

#[test]
fn cancellation_stops_a_run() {
    let host = TestHost::new();
    host.cancel();
    let err = run(
        &host,
        &[("problem", "hs46".into()), ("sketch", "kaczmarz".into())],
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Cancelled);
}

/// Omitting a parameter means the default `describe` shows (issue 14): the library problems of
/// each family, with everything but the problem (and the data directory and grid, which the
/// test must pin) left out. `time` is wall time and is left out of the comparison.
#[test]
fn omitted_parameters_take_the_described_defaults() {
    let host = TestHost::new();
    let data_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/libsvm");
    let cases: Vec<Vec<(&str, Value)>> = vec![
        vec![("problem", "hs7".into())],
        vec![("problem", "hs61".into())],
        vec![("problem", "pde".into()), ("grid", 3i64.into())],
        vec![("problem", "logreg".into()), ("data_dir", data_dir.into())],
    ];
    for entries in cases {
        host.assert_omitted_means_default(
            plugin_module(),
            "alsketch.solve",
            params(&entries),
            &["time"],
        );
    }
}

/// The sketch names the result reports are the names the `sketch` parameter accepts.
#[test]
fn results_name_the_sketch_as_it_was_asked_for() {
    let host = TestHost::new();
    for sketch in ["gaussian", "kaczmarz", "block", "countsketch", "direct"] {
        let r = run(
            &host,
            &[
                ("problem", "hs7".into()),
                ("sketch", sketch.into()),
                ("max_iter", 1i64.into()),
            ],
        )
        .unwrap();
        let reported = r.get("sketch").and_then(Value::as_str).map(str::to_string);
        assert_eq!(reported.as_deref(), Some(sketch));
    }
}
