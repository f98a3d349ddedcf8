//! The bounds through the plugin interface: parameters, results, errors, cancellation.

use boundlab_sdk::prelude::*;
use boundlab_sdk::testing::TestHost;
use boundlab_sdp::plugin_module;

fn run(id: &str, params: ValueMap) -> Result<Value, PluginError> {
    TestHost::new().run(plugin_module(), id, Value::Map(params), Value::Unit)
}

fn f(v: &Value, key: &str) -> f64 {
    v.get(key)
        .and_then(Value::as_f64)
        .unwrap_or_else(|| panic!("no {key} in {v:?}"))
}

#[test]
fn delsarte_with_verification() {
    // Odlyzko–Sloane: τ₈ ≤ 240 from the LP, proved exactly here.
    let out = run(
        "sdp.delsarte",
        ValueMap::new()
            .with("dim", 8i64)
            .with("degree", 8i64)
            .with("precision", "dd")
            .with("tol", 1e-14)
            .with("verify", true)
            .with("certificate", true),
    )
    .unwrap();
    assert_eq!(out.get("status").and_then(Value::as_str), Some("optimal"));
    assert!((f(&out, "bound") - 240.0).abs() < 1e-9);
    let r = f(&out, "rigorous_bound");
    assert!((240.0..=240.0 * (1.0 + 1e-6)).contains(&r), "{r}");
    assert!(out.get("coefficients").is_some());
}

#[test]
fn three_point_and_cohn_elkies_results() {
    let dir = std::env::temp_dir().join(format!("boundlab-bounds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("tp.dat-s").to_string_lossy().to_string();
    let out = run(
        "sdp.three_point",
        ValueMap::new()
            .with("dim", 3i64)
            .with("degree", 3i64)
            .with("form", "clrs")
            .with("certificate", true)
            .with("save_sdp", path.as_str()),
    )
    .unwrap();
    assert_eq!(out.get("status").and_then(Value::as_str), Some("optimal"));
    // s_3(3) with the clrs form equals Delsarte's degree-6 value (13.2857...): the S_k of
    // degree 3 do not help in dimension 3 (checked against our Delsarte LP, which matches
    // ClusteredLowRankSolver's test value at degree 20).
    assert!(f(&out, "bound") > 13.0 && f(&out, "bound") < 13.3);
    // The saved SDPA file solves to the same value with sdp.solve.
    let again = run("sdp.solve", ValueMap::new().with("file", path.as_str())).unwrap();
    assert!(
        (f(&again, "objective") - (1.0 - f(&out, "bound"))).abs() < 1e-6,
        "{again:?}"
    );
    std::fs::remove_dir_all(&dir).ok();

    let ce = run(
        "sdp.cohn_elkies",
        ValueMap::new()
            .with("dim", 2i64)
            .with("degree", 8i64)
            .with("precision", "dd"),
    )
    .unwrap();
    let pi = std::f64::consts::PI;
    assert!(f(&ce, "bound") > pi / 12f64.sqrt());
    assert!((f(&ce, "center_density") - f(&ce, "bound") / pi).abs() < 1e-12);
    assert!((f(&ce, "radius") - 1.25f64.sqrt()).abs() < 1e-15);
}

#[test]
fn errors_name_the_parameter() {
    let cases = [
        (
            "sdp.delsarte",
            ValueMap::new().with("dim", 1i64).with("degree", 5i64),
            "dim",
        ),
        (
            "sdp.delsarte",
            ValueMap::new()
                .with("dim", 3i64)
                .with("degree", 5i64)
                .with("angle", 1.5),
            "angle",
        ),
        (
            "sdp.delsarte",
            ValueMap::new()
                .with("dim", 3i64)
                .with("degree", 5i64)
                .with("precision", "quad"),
            "precision",
        ),
        (
            "sdp.three_point",
            ValueMap::new()
                .with("dim", 3i64)
                .with("degree", 3i64)
                .with("form", "xyz"),
            "form",
        ),
        (
            "sdp.three_point",
            ValueMap::new().with("dim", 2i64).with("degree", 3i64),
            "dim",
        ),
        (
            "sdp.three_point",
            ValueMap::new().with("dim", 3i64).with("degree", -3i64),
            "degree",
        ),
        (
            "sdp.cohn_elkies",
            ValueMap::new()
                .with("dim", 4i64)
                .with("degree", 8i64)
                .with("radius", -1.0),
            "radius",
        ),
        (
            "sdp.delsarte",
            ValueMap::new()
                .with("dim", 3i64)
                .with("degree", 5i64)
                .with("save_sdp", "/tmp/x.txt"),
            "save_sdp",
        ),
    ];
    for (id, params, name) in cases {
        let err = run(id, params).unwrap_err();
        assert_eq!(err.kind, ErrorKind::BadParameter, "{id}: {err:?}");
        assert!(
            err.message.contains(&format!("`{name}`")),
            "{id}: {}",
            err.message
        );
    }
}

#[test]
fn cancellation() {
    let host = TestHost::new();
    host.cancel();
    let err = host
        .run(
            plugin_module(),
            "sdp.three_point",
            Value::Map(ValueMap::new().with("dim", 3i64).with("degree", 4i64)),
            Value::Unit,
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Cancelled);
}
