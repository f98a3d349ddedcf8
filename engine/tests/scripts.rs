//! Scripts against the engine with the `testkit` plugin linked statically: the script
//! functions, error messages with positions, the sandbox, records and cancellation.

mod testkit {
    include!("support/testkit.rs");
}

use std::path::Path;

use boundlab_engine::records::read_records;
use boundlab_engine::{Engine, EngineError, Limits};
use boundlab_sdk::{Value, ValueMap};

fn engine(out: &Path) -> Engine {
    Engine::builder()
        .out_dir(out)
        .plugin_module(testkit::plugin_module())
        .jobs(2)
        .build()
        .unwrap()
}

fn script_error(
    result: Result<Value, EngineError>,
) -> (String, Option<usize>, Option<usize>, String) {
    match result {
        Err(EngineError::Script {
            file,
            line,
            column,
            message,
        }) => (file, line, column, message),
        other => panic!("expected a script error, got {other:?}"),
    }
}

#[test]
fn syntax_errors_report_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("broken.rhai");
    std::fs::write(&script, "let x = 1;\nlet y = (2 + ;\n").unwrap();
    let err = engine(dir.path()).run_script(&script).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("{}:2:", script.display())),
        "{text}"
    );
    assert!(text.contains("syntax error"), "{text}");
}

#[test]
fn unknown_algorithms_suggest_close_ids() {
    let dir = tempfile::tempdir().unwrap();
    let (_, line, column, message) =
        script_error(engine(dir.path()).eval("let a = 1;\nrun(\"testkit.ech\", #{})"));
    assert_eq!((line, column), (Some(2), Some(1)));
    assert!(
        message.contains("unknown algorithm `testkit.ech`; did you mean `testkit.echo`"),
        "{message}"
    );
}

#[test]
fn wrong_parameters_name_the_parameter_and_the_expectation() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    let (_, _, _, message) = script_error(e.eval(r#"run("testkit.echo", #{ scale: "big" })"#));
    assert!(
        message.contains("parameter `scale`: expected float, got string \"big\""),
        "{message}"
    );
    let (_, _, _, message) = script_error(e.eval(r#"run("testkit.echo", #{ sale: 2.0 })"#));
    assert!(
        message.contains("parameter `sale`") && message.contains("did you mean `scale`"),
        "{message}"
    );
    let (_, _, _, message) = script_error(e.eval(r#"run("testkit.map", #{ xs: [1.0] })"#));
    assert!(message.contains("parameter `f`: is required"), "{message}");
    let (_, _, _, message) = script_error(e.eval(r#"run("testkit.echo", 5)"#));
    assert!(message.contains("must be a map"), "{message}");
}

#[test]
fn runaway_scripts_stop_at_the_operation_limit() {
    let dir = tempfile::tempdir().unwrap();
    let e = Engine::builder()
        .out_dir(dir.path())
        .limits(Limits {
            max_operations: 10_000,
            ..Limits::default()
        })
        .build()
        .unwrap();
    let (_, line, _, message) = script_error(e.eval("let i = 0;\nloop { i += 1; }"));
    assert_eq!(line, Some(2));
    assert!(message.contains("operation limit"), "{message}");
}

#[test]
fn imports_stay_inside_the_script_folder_and_eval_is_disabled() {
    let dir = tempfile::tempdir().unwrap();
    let scripts = dir.path().join("scripts");
    std::fs::create_dir_all(scripts.join("lib")).unwrap();
    std::fs::write(scripts.join("lib/helpers.rhai"), "fn twice(x) { 2 * x }").unwrap();
    std::fs::write(dir.path().join("outside.rhai"), "fn bad() { 1 }").unwrap();
    std::fs::write(
        scripts.join("ok.rhai"),
        "import \"lib/helpers\" as h;\nh::twice(21)",
    )
    .unwrap();
    std::fs::write(
        scripts.join("escape.rhai"),
        "import \"../outside\" as o;\no::bad()",
    )
    .unwrap();
    std::fs::write(
        scripts.join("absolute.rhai"),
        format!(
            "import {:?} as o;",
            dir.path().join("outside").display().to_string()
        ),
    )
    .unwrap();
    std::fs::write(scripts.join("eval.rhai"), "eval(\"1 + 1\")").unwrap();
    let e = engine(&dir.path().join("out"));
    assert_eq!(
        e.run_script(&scripts.join("ok.rhai")).unwrap(),
        Value::Int(42)
    );
    let (_, line, _, message) = script_error(e.run_script(&scripts.join("escape.rhai")));
    assert_eq!(line, Some(1));
    assert!(message.contains("outside the script's folder"), "{message}");
    let (_, _, _, message) = script_error(e.run_script(&scripts.join("absolute.rhai")));
    assert!(message.contains("refused"), "{message}");
    let (_, _, _, message) = script_error(e.run_script(&scripts.join("eval.rhai")));
    assert!(message.contains("eval"), "{message}");
}

#[test]
fn closures_reach_plugins_as_callables_also_in_batches() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    let v = e
        .eval("let k = 3.0;\nlet r = run(\"testkit.map\", #{ f: |x| k * x + 1.0, xs: [1.0, 2.0] });\nr.ys")
        .unwrap();
    assert_eq!(v, Value::Vector(vec![4.0, 7.0].into()));
    let v = e
        .eval("let jobs = [];\nfor i in 0..6 { jobs.push(#{ f: |x| x * x, xs: [i.to_float()] }); }\nrun_batch(\"testkit.map\", jobs).map(|r| r.ys[0])")
        .unwrap();
    assert_eq!(
        v,
        Value::Vector(vec![0.0, 1.0, 4.0, 9.0, 16.0, 25.0].into())
    );
    // A failing closure is reported with the plugin's error, at the script position of `run`.
    let (_, line, _, message) =
        script_error(e.eval("\nrun(\"testkit.map\", #{ f: |x| no_such_function(x), xs: [1.0] })"));
    assert_eq!(line, Some(2));
    assert!(message.contains("the script function failed"), "{message}");
}

#[test]
fn batches_keep_order_and_report_failed_jobs_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    let v = e
        .eval(r#"run_batch("testkit.echo", [#{ seed: 1 }, #{ scale: "x" }, #{ seed: 3 }])"#)
        .unwrap();
    let Value::List(items) = v else {
        panic!("{v:?}")
    };
    assert_eq!(
        items[0].get("params").and_then(|p| p.get("seed")),
        Some(&Value::Int(1))
    );
    assert!(
        items[1]
            .get("error")
            .and_then(Value::as_str)
            .unwrap()
            .contains("parameter `scale`")
    );
    assert_eq!(
        items[1].get("error_kind").and_then(Value::as_str),
        Some("bad parameter")
    );
    assert_eq!(
        items[2].get("params").and_then(|p| p.get("seed")),
        Some(&Value::Int(3))
    );
    // The job refused by the schema check never started, and is recorded as such. Records are
    // appended as jobs end, so the refusal may come first.
    let records = read_records(e.records_path()).unwrap();
    let mut statuses: Vec<&str> = records.iter().map(|r| r.status.as_str()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, ["error", "ok", "ok"]);
    let refused = records.iter().find(|r| r.status == "error").unwrap();
    assert_eq!(
        refused.error.as_deref(),
        Some("bad parameter `scale`: expected float, got string \"x\"")
    );
    assert_eq!(refused.params.get("scale"), Some(&Value::from("x")));
    assert_eq!(refused.plugin, "testkit");
}

#[test]
fn every_rejected_run_leaves_a_record() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    assert!(e.eval(r#"run("testkit.ecoh", #{ seed: 1 })"#).is_err());
    assert!(e.eval(r#"run("testkit.echo", #{ sede: 1 })"#).is_err());
    let records = read_records(e.records_path()).unwrap();
    assert_eq!(records.len(), 2);
    assert!(records.iter().all(|r| r.status == "error"));
    let unknown = records[0].error.as_deref().unwrap();
    assert!(
        unknown.contains("unknown algorithm `testkit.ecoh`") && unknown.contains("testkit.echo"),
        "{unknown}"
    );
    assert_eq!(records[0].plugin, "", "no plugin has this id");
    let misspelt = records[1].error.as_deref().unwrap();
    assert!(misspelt.contains("did you mean `seed`"), "{misspelt}");
}

#[test]
fn panics_become_errors_and_records_survive() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    e.eval(r#"run("testkit.echo", #{ seed: 5 })"#).unwrap();
    let (_, _, _, message) = script_error(e.eval(r#"run("testkit.panic")"#));
    assert!(
        message.contains("panicked") && message.contains("deliberate panic in testkit"),
        "{message}"
    );
    // The engine keeps working after the panic, and both runs are recorded.
    e.eval(r#"run("testkit.echo")"#).unwrap();
    let records = read_records(e.records_path()).unwrap();
    assert_eq!(
        records
            .iter()
            .map(|r| r.status.as_str())
            .collect::<Vec<_>>(),
        ["ok", "error", "ok"]
    );
    assert_eq!(records[0].seed, Some(5));
    assert_eq!(records[2].seed, Some(7), "the schema default is recorded");
    assert!(
        records[1]
            .error
            .as_deref()
            .unwrap()
            .contains("deliberate panic")
    );
}

#[test]
fn plugins_run_batches_on_the_engine_workers() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    let v = e
        .eval(r#"run("testkit.fanout", #{ seeds: [4, 5, "six", 7] })"#)
        .unwrap();
    let Value::List(items) = v else {
        panic!("{v:?}")
    };
    assert_eq!(items[0], Value::Int(4));
    assert_eq!(items[1], Value::Int(5));
    assert!(
        items[2].as_str().unwrap().contains("parameter `seed`"),
        "{:?}",
        items[2]
    );
    assert_eq!(items[3], Value::Int(7));
    // Only the top-level run is recorded; the jobs are part of it.
    assert_eq!(read_records(e.records_path()).unwrap().len(), 1);
}

#[test]
fn session_seed_fills_in_but_does_not_override() {
    let dir = tempfile::tempdir().unwrap();
    let e = Engine::builder()
        .out_dir(dir.path())
        .plugin_module(testkit::plugin_module())
        .seed(42)
        .build()
        .unwrap();
    let r = e.run("testkit.echo", Value::Unit).unwrap();
    assert_eq!(
        r.get("params").and_then(|p| p.get("seed")),
        Some(&Value::Int(42))
    );
    let r = e
        .run(
            "testkit.echo",
            Value::Map(ValueMap::new().with("seed", 3i64)),
        )
        .unwrap();
    assert_eq!(
        r.get("params").and_then(|p| p.get("seed")),
        Some(&Value::Int(3))
    );
}

#[test]
fn save_and_load_round_trip_inside_the_output_folder_only() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    let v = e
        .eval("let m = matrix([[1.0, 2.0], [3.0, 4.0]]);\nsave(#{ m: m, xs: [1.0, 2.5], n: 3, name: \"x\" }, \"sub/data.json\");\nsave(#{ m: m }, \"data.ron\");\nlet a = load(\"sub/data.json\");\nlet b = load(\"data.ron\");\n[a.m.get(1, 0), a.xs[1], a.n, a.name, b.m.get(0, 1)]")
        .unwrap();
    assert_eq!(
        v,
        Value::List(
            vec![
                Value::Float(3.0),
                Value::Float(2.5),
                Value::Int(3),
                Value::Str("x".into()),
                Value::Float(2.0)
            ]
            .into()
        )
    );
    assert!(dir.path().join("sub/data.json").is_file());
    let (_, _, _, message) = script_error(e.eval(r#"save(1, "../escape.ron")"#));
    assert!(message.contains("refused"), "{message}");
    let (_, _, _, message) = script_error(e.eval(r#"load("/etc/hostname.json")"#));
    assert!(message.contains("refused"), "{message}");
    let (_, _, _, message) = script_error(e.eval(r#"save(1, "x.txt")"#));
    assert!(message.contains(".ron"), "{message}");
}

#[test]
fn matrices_follow_linear_algebra() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    // A = [[4, 2], [2, 3]]: eigenvalues (7 ± √17) / 2, Cholesky L = [[2, 0], [1, √2]].
    let v = e
        .eval("let a = matrix([[4.0, 2.0], [2.0, 3.0]]);\nlet l = chol(a);\nlet ev = eig_sym(a).values;\nlet x = solve(a, [2.0, 1.0]);\n[l.get(1, 0), l.get(1, 1), ev[0], ev[1], x[0], x[1], norm(eye(2) * 3)]")
        .unwrap();
    let got = v.to_f64_vec().unwrap();
    let expected = [
        1.0,
        2f64.sqrt(),
        (7.0 - 17f64.sqrt()) / 2.0,
        (7.0 + 17f64.sqrt()) / 2.0,
        0.5,
        0.0,
        18f64.sqrt(),
    ];
    for (g, x) in got.iter().zip(expected) {
        assert!((g - x).abs() < 1e-12, "{got:?} vs {expected:?}");
    }
    for (snippet, needle) in [
        (
            "chol(matrix([[1.0, 2.0], [2.0, 1.0]]))",
            "not positive definite",
        ),
        (
            "solve(matrix([[1.0, 2.0], [2.0, 4.0]]), [1.0, 1.0])",
            "singular",
        ),
        ("matrix([[1.0], [1.0, 2.0]])", "row 1 has 2 entries"),
        ("eye(2) * zeros(3, 3)", "dimensions do not agree: 2x2 * 3x3"),
        ("eye(2).get(2, 0)", "outside the 2x2 matrix"),
        ("eig_sym(matrix([[1.0, 2.0], [0.0, 1.0]]))", "symmetric"),
    ] {
        let (_, _, _, message) = script_error(e.eval(snippet));
        assert!(message.contains(needle), "{snippet}: {message}");
    }
}

#[test]
fn nested_calls_checkpoints_and_describe() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    let r = e.run("testkit.nested", Value::Unit).unwrap();
    assert_eq!(r.get("input"), Some(&Value::Str("from nested".into())));
    assert_eq!(
        r.get("params").and_then(|p| p.get("seed")),
        Some(&Value::Int(11))
    );
    assert_eq!(
        e.run("testkit.counter", Value::Unit).unwrap(),
        Value::Int(1)
    );
    assert_eq!(
        e.run("testkit.counter", Value::Unit).unwrap(),
        Value::Int(2)
    );
    // A new engine on the same folder resumes from the checkpoint.
    assert_eq!(
        engine(dir.path())
            .run("testkit.counter", Value::Unit)
            .unwrap(),
        Value::Int(3)
    );
    let d = e.eval(r#"describe("testkit.echo")"#).unwrap();
    assert_eq!(d.get("plugin"), Some(&Value::Str("testkit".into())));
    let text = e.describe("testkit.echo").unwrap();
    assert!(text.contains("scale") && text.contains("= 1"), "{text}");
}

#[test]
fn cancellation_stops_the_running_algorithm_and_the_script() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    let token = e.cancel_token().clone();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(200));
        token.cancel();
    });
    let started = std::time::Instant::now();
    let result = e.eval(r#"run("testkit.spin", #{ seconds: 20.0 }); print("not reached");"#);
    canceller.join().unwrap();
    assert!(matches!(result, Err(EngineError::Cancelled)), "{result:?}");
    assert!(started.elapsed().as_secs_f64() < 10.0);
    e.cancel_token().reset();
    let result = e.eval("let i = 0; loop { i += 1; if i == 100 { break; } } i");
    assert_eq!(result.unwrap(), Value::Int(100));
}

#[test]
fn script_random_numbers_are_seeded() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    let draw = "let r = rng(7); [r.uniform(), r.normal(), r.int(0, 10), r.uniform(2.0, 3.0)]";
    let a = e.eval(draw).unwrap();
    assert_eq!(a, e.eval(draw).unwrap(), "same seed, same numbers");
    assert_ne!(a, e.eval(&draw.replace("rng(7)", "rng(8)")).unwrap());
    // The mean of 20000 uniforms is 1/2 within 5 standard errors (σ = 1/√12/√20000 ≈ 0.002).
    let mean = e
        .eval("let r = rng(1); let s = 0.0; for i in 0..20000 { s += r.uniform(); } s / 20000.0")
        .unwrap();
    assert!((mean.as_f64().unwrap() - 0.5).abs() < 0.011, "{mean:?}");
    let (_, _, _, message) = script_error(e.eval("rng(1).int(3, 3)"));
    assert!(message.contains("empty"), "{message}");
}

#[test]
fn plots_are_written_as_svg_inside_the_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    let path = e
        .eval(r#"plot(#{ title: "t", x_log: true, series: [#{ name: "a", x: [1.0, 10.0, 100.0], y: [3.0, 2.0, 1.0], kind: "scatter" }] }, "figs/p.svg")"#)
        .unwrap();
    let svg = std::fs::read_to_string(path.as_str().unwrap()).unwrap();
    assert!(
        svg.contains("<svg") && svg.contains("<circle"),
        "scatter points are drawn"
    );
    let (_, _, _, message) =
        script_error(e.eval(r#"plot(#{ series: [#{ y: [1.0], colour: 1 }] }, "p.svg")"#));
    assert!(message.contains("colour"), "{message}");
}

/// The shipped experiment and benchmark scripts at least compile in the sandbox (running them
/// takes seconds to minutes and needs the first-party plugins; `.ci/run` does not).
#[test]
fn every_shipped_script_compiles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = tempfile::tempdir().unwrap();
    let e = engine(out.path());
    let mut checked = 0;
    for folder in ["scripts", "bench/sdp_game", "bench/mpi"] {
        for entry in std::fs::read_dir(root.join(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().and_then(|x| x.to_str()) == Some("rhai") {
                e.check_script(&path).unwrap_or_else(|err| panic!("{err}"));
                checked += 1;
            }
        }
    }
    assert!(checked >= 14, "{checked} scripts");
    let broken = out.path().join("broken.rhai");
    std::fs::write(&broken, "let x = 1;\nlet y = (x + ;\n").unwrap();
    match e.check_script(&broken) {
        Err(EngineError::Script { line, message, .. }) => {
            assert_eq!(line, Some(2));
            assert!(message.contains("syntax error"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_embedder_receives_every_progress_report_through_its_callback() {
    let dir = tempfile::tempdir().unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let e = Engine::builder()
        .out_dir(dir.path())
        .plugin_module(testkit::plugin_module())
        .on_progress(move |p| {
            sink.lock()
                .unwrap()
                .push((p.task.to_string(), p.done, p.message.to_string()))
        })
        .build()
        .unwrap();
    // testkit.spin reports 1, 2, 3, ... every 5 ms until its time is up.
    e.run(
        "testkit.spin",
        Value::Map(ValueMap::new().with("seconds", 0.1)),
    )
    .unwrap();
    let seen = seen.lock().unwrap();
    assert!(seen.len() >= 3, "{seen:?}");
    assert!(
        seen.iter()
            .enumerate()
            .all(|(i, (task, done, message))| task == "testkit.spin"
                && *done == i as u64 + 1
                && message == "spinning"),
        "{seen:?}"
    );
}
