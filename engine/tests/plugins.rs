//! Plugins loaded from shared libraries built by the test itself: side by side loading, a
//! plugin that panics, one built against another sdk ABI version, and files that are not plugins.

mod support;

use boundlab_engine::records::read_records;
use boundlab_engine::{Engine, EngineError, load_plugin_file};
use boundlab_sdk::{Value, ValueMap};

#[test]
fn several_plugins_load_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::builder()
        .plugin_file(support::testkit_plugin())
        .plugin_file(support::template_out_of_tree())
        .out_dir(dir.path())
        .build()
        .unwrap();
    let names: Vec<String> = engine
        .plugins()
        .iter()
        .map(|p| p.info.name.to_string())
        .collect();
    assert_eq!(names, ["testkit", "template"]);
    let echo = engine
        .run(
            "testkit.echo",
            Value::Map(ValueMap::new().with("seed", 9i64)),
        )
        .unwrap();
    assert_eq!(
        echo.get("params").and_then(|p| p.get("seed")),
        Some(&Value::Int(9))
    );
    // A closure crosses into the dynamically loaded plugin and back.
    let mapped = engine
        .eval(r#"run("testkit.map", #{ f: |x| x + 0.5, xs: [1.0, 2.0] }).ys"#)
        .unwrap();
    assert_eq!(mapped, Value::Vector(vec![1.5, 2.5].into()));
    // The out-of-tree template solves a 2x2 SPD system: [[4, 1], [1, 3]] x = [1, 2] has
    // x = [1/11, 7/11] (Cramer's rule).
    let x = engine
        .eval(r#"run("template.cg", #{ matrix: sparse(2, 2, [[0, 0, 4.0], [0, 1, 1.0], [1, 0, 1.0], [1, 1, 3.0]]), rhs: [1.0, 2.0] }).x"#)
        .unwrap()
        .to_f64_vec()
        .unwrap();
    assert!(
        (x[0] - 1.0 / 11.0).abs() < 1e-12 && (x[1] - 7.0 / 11.0).abs() < 1e-12,
        "{x:?}"
    );
}

#[test]
fn a_panicking_plugin_does_not_take_the_engine_down() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::builder()
        .plugin_file(support::testkit_plugin())
        .out_dir(dir.path())
        .build()
        .unwrap();
    engine.run("testkit.echo", Value::Unit).unwrap();
    let err = engine.run("testkit.panic", Value::Unit).unwrap_err();
    match &err {
        EngineError::Algorithm { id, error } => {
            assert_eq!(id, "testkit.panic");
            assert_eq!(error.kind, boundlab_sdk::ErrorKind::Internal);
            assert!(
                error.message.contains("deliberate panic in testkit"),
                "{}",
                error.message
            );
        }
        other => panic!("{other:?}"),
    }
    engine.run("testkit.echo", Value::Unit).unwrap();
    let records = read_records(engine.records_path()).unwrap();
    assert_eq!(
        records
            .iter()
            .map(|r| r.status.as_str())
            .collect::<Vec<_>>(),
        ["ok", "error", "ok"]
    );
    assert_eq!(records[0].plugin_version, "0.3.0");
}

#[test]
fn a_plugin_built_against_another_abi_version_is_refused_with_both_numbers() {
    let err = load_plugin_file(support::abi_mismatch_plugin())
        .err()
        .expect("refused");
    let text = err.to_string();
    assert!(text.contains("ABI version 999"), "{text}");
    assert!(
        text.contains(&format!("ABI version {}", boundlab_sdk::ABI_VERSION)),
        "{text}"
    );
    // The engine is unaffected: a good plugin still loads and runs afterwards.
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::builder()
        .plugin_file(support::testkit_plugin())
        .out_dir(dir.path())
        .build()
        .unwrap();
    assert!(engine.run("testkit.echo", Value::Unit).is_ok());
    assert!(engine.load_plugin(support::abi_mismatch_plugin()).is_err());
    assert!(engine.run("testkit.echo", Value::Unit).is_ok());
}

#[test]
fn files_that_are_not_plugins_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text_file = dir.path().join("notes.so");
    std::fs::write(&text_file, "not a library").unwrap();
    let err = load_plugin_file(&text_file).err().unwrap().to_string();
    assert!(err.contains("not a loadable shared library"), "{err}");
    let missing = load_plugin_file(&dir.path().join("missing.so"))
        .err()
        .unwrap()
        .to_string();
    assert!(missing.contains("no such file"), "{missing}");
    // A real shared library without the plugin symbols: the C library itself.
    let libc = [
        "/lib/x86_64-linux-gnu/libc.so.6",
        "/usr/lib/x86_64-linux-gnu/libc.so.6",
        "/lib64/libc.so.6",
    ]
    .iter()
    .map(std::path::Path::new)
    .find(|p| p.exists());
    if let Some(libc) = libc {
        let err = load_plugin_file(libc).err().unwrap().to_string();
        assert!(err.contains("not a boundlab plugin"), "{err}");
    }
}

/// The template README's from-scratch plugin, built from the README's own text: it loads,
/// computes the dominant eigenvalue of [[2, 1], [1, 2]] (3, with eigenvector (1, 1)/√2, in
/// closed form), and refuses a ragged matrix with the row that is wrong.
#[test]
fn the_plugin_written_from_the_template_readme_builds_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::builder()
        .plugin_file(support::readme_plugin())
        .out_dir(dir.path())
        .build()
        .unwrap();
    let r = engine
        .eval(r#"run("power.top", #{ matrix: [[2, 1], [1, 2]] })"#)
        .unwrap();
    let eigenvalue = r.get("eigenvalue").and_then(Value::as_f64).unwrap();
    assert!((eigenvalue - 3.0).abs() < 1e-9, "{r}");
    let v = r.get("vector").and_then(Value::to_f64_vec).unwrap();
    assert!((v[0] - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-5, "{r}");
    assert!(r.get("iterations").and_then(Value::as_i64).is_some(), "{r}");
    let err = engine
        .eval(r#"run("power.top", #{ matrix: [[2, 1], [1]] })"#)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("bad parameter `matrix`: row 1 has 1 entry but row 0 has 2"),
        "{err}"
    );
}
