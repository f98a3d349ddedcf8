//! `sdp.game` end to end through the test host: the Cohn–Elkies and three-point targets, a
//! checkpoint and resume, bad parameters, and the product vocabulary.

use boundlab_sdk::prelude::*;
use boundlab_sdk::testing::TestHost;
use boundlab_sdp::plugin_module;
use boundlab_sdp_game::target::{Job, TargetOptions, make_target};

fn game_params(checkpoint: &str) -> ValueMap {
    ValueMap::new()
        .with("target", "cohn_elkies")
        .with("dim", 4i64)
        .with("degree", 6i64)
        .with("budget", 6i64)
        .with("workers", 2i64)
        .with("seed", 5i64)
        .with("simulations", 100i64)
        .with("checkpoint", checkpoint)
}

#[test]
fn sdp_game_end_to_end_with_checkpoint_and_resume() {
    let dir = std::env::temp_dir().join(format!("boundlab-sdp-game-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ck = dir.join("game.ron").to_string_lossy().to_string();
    let host = TestHost::new();
    host.add_module(plugin_module());
    let out = host
        .run(
            plugin_module(),
            "sdp.game",
            Value::Map(game_params(&ck)),
            Value::Unit,
        )
        .unwrap();
    let history = match out.get("history") {
        Some(Value::List(h)) => h.to_vec(),
        other => panic!("history: {other:?}"),
    };
    assert_eq!(history.len(), 6);
    assert!(std::path::Path::new(&ck).exists());
    let best = out.get("best_bound").unwrap().as_f64().unwrap();
    let baseline = out.get("baseline_bound").unwrap().as_f64().unwrap();
    // Cohn–Elkies bounds in dimension 4 lie above the LP value 0.647705 (CdLS Table 1.1) and
    // the D4 density π²/16; the default formulation (degree 6) is a valid bound too.
    let d4 = std::f64::consts::PI.powi(2) / 16.0;
    assert!(
        best > d4 && baseline > 0.6477,
        "best {best}, baseline {baseline}"
    );
    // The best formulation re-solves with the bound's own algorithm id to the same number.
    let f = out.get("best_formulation").unwrap();
    assert_eq!(f.get("id").and_then(Value::as_str), Some("sdp.cohn_elkies"));
    let again = host
        .run(
            plugin_module(),
            "sdp.cohn_elkies",
            f.get("params").unwrap().clone(),
            Value::Unit,
        )
        .unwrap();
    let b = again.get("bound").unwrap().as_f64().unwrap();
    assert!((b - best).abs() < 1e-9 * best, "{b} vs {best}");
    assert!(!host.progress_reports().is_empty());

    // Resume with a larger budget: the first six evaluations are kept as they were.
    let more = game_params(&ck)
        .with("budget", 8i64)
        .with("resume", ck.as_str());
    let out2 = host
        .run(plugin_module(), "sdp.game", Value::Map(more), Value::Unit)
        .unwrap();
    let history2 = match out2.get("history") {
        Some(Value::List(h)) => h.to_vec(),
        _ => unreachable!(),
    };
    assert_eq!(history2.len(), 8);
    for (a, b) in history.iter().zip(&history2) {
        assert_eq!(a.get("key"), b.get("key"));
    }
    // A resume with other settings is refused, naming `resume`.
    let wrong = game_params(&ck)
        .with("seed", 6i64)
        .with("resume", ck.as_str());
    let err = host
        .run(plugin_module(), "sdp.game", Value::Map(wrong), Value::Unit)
        .unwrap_err();
    assert!(
        err.message.contains("parameter `resume`"),
        "{}",
        err.message
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_parameters_name_themselves() {
    let host = TestHost::new();
    host.add_module(plugin_module());
    for (key, value, want) in [
        ("target", Value::from("lattice"), "parameter `target`"),
        ("strategy", Value::from("greedy"), "parameter `strategy`"),
        ("precision", Value::from("quad"), "parameter `precision`"),
        ("budget", Value::Int(0), "parameter `budget`"),
        (
            "resume",
            Value::from("/nonexistent/x.ron"),
            "parameter `resume`",
        ),
    ] {
        let params = game_params("/tmp/unused.ron").with(key, value);
        let err = host
            .run(plugin_module(), "sdp.game", Value::Map(params), Value::Unit)
            .unwrap_err();
        assert!(err.message.contains(want), "{key}: {}", err.message);
    }
    let params = game_params("/tmp/unused.ron").with(
        "ranges",
        Value::Map(ValueMap::new().with("radius", vec![2.0, 1.0])),
    );
    let err = host
        .run(plugin_module(), "sdp.game", Value::Map(params), Value::Unit)
        .unwrap_err();
    assert!(
        err.message.contains("parameter `ranges`"),
        "{}",
        err.message
    );
}

#[test]
fn the_three_point_targets_run_end_to_end() {
    // Small formulations (seconds): every evaluation is recorded with a status, the best
    // formulation re-solves with its own algorithm id, and a bound is a bound: the kissing
    // number in dimension 3 is 12 (Schütte–van der Waerden), the D4 packing has density π²/16.
    let host = TestHost::new();
    host.add_module(plugin_module());
    for (target, dim, degree, extra, lower) in [
        ("three_point_kissing", 3i64, 2i64, ValueMap::new(), 12.0),
        (
            "sphere_packing_3pt",
            4,
            3,
            ValueMap::new().with("two_point_degree", 12i64),
            std::f64::consts::PI.powi(2) / 16.0,
        ),
    ] {
        let ck = std::env::temp_dir()
            .join(format!("boundlab-game-{target}-{}.ron", std::process::id()))
            .to_string_lossy()
            .to_string();
        let params = ValueMap::new()
            .with("target", target)
            .with("dim", dim)
            .with("degree", degree)
            .with("budget", 4i64)
            .with("workers", 2i64)
            .with("simulations", 60i64)
            .with("bound_options", Value::Map(extra))
            .with("checkpoint", ck.as_str());
        let out = host
            .run(plugin_module(), "sdp.game", Value::Map(params), Value::Unit)
            .unwrap();
        let history = match out.get("history") {
            Some(Value::List(h)) => h.to_vec(),
            other => panic!("{target}: history {other:?}"),
        };
        assert_eq!(history.len(), 4, "{target}");
        assert!(history.iter().all(|h| h.get("status").is_some()));
        let best = out.get("best_bound").unwrap().as_f64().unwrap();
        assert!(best > lower, "{target}: {best} <= {lower}");
        let f = out.get("best_formulation").unwrap();
        let id = f.get("id").and_then(Value::as_str).unwrap().to_string();
        let again = host
            .run(
                plugin_module(),
                &id,
                f.get("params").unwrap().clone(),
                Value::Unit,
            )
            .unwrap();
        let b = again.get("bound").unwrap().as_f64().unwrap();
        assert!((b - best).abs() < 1e-9 * best, "{target}: {b} vs {best}");
        std::fs::remove_file(&ck).ok();
    }
}

#[test]
fn products_of_base_polynomials_join_the_cohn_elkies_vocabulary() {
    let target = make_target(
        "cohn_elkies",
        TargetOptions {
            dim: 8,
            degree: Some(6),
            max_degree: Some(10),
            base_polynomials: 7,
            ranges: vec![],
        },
    )
    .unwrap();
    // L_0..L_10, then L_i·L_j for 1 <= i <= j <= 6 with i + j <= 10 (21 pairs less (5,6), (6,6)).
    let names: Vec<&str> = target.blocks().iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names.len(), 11 + 19);
    let l34 = names.iter().position(|n| *n == "L3*L4").unwrap();
    assert!(!names.contains(&"L5*L6"));
    let job = target.job(&[1.5], &[0, 1, 2, l34]);
    assert!(
        matches!(&job, Job::CohnElkies { degree: 7, products, .. } if products == &[(3, 4)]),
        "{job:?}"
    );
    assert!(
        !target.complete(&[l34, l34 + 1]),
        "a Laguerre term is required"
    );

    // End to end: the search evaluates product formulations; the best re-solves, and a bound
    // is a bound: above the E₈ density π⁴/384 (Viazovska 2017).
    let host = TestHost::new();
    host.add_module(plugin_module());
    let params = ValueMap::new()
        .with("target", "cohn_elkies")
        .with("dim", 8i64)
        .with("degree", 6i64)
        .with("base_polynomials", 7i64)
        .with("budget", 6i64)
        .with("strategy", "random")
        .with("seed", 3i64);
    let out = host
        .run(plugin_module(), "sdp.game", Value::Map(params), Value::Unit)
        .unwrap();
    let history = match out.get("history") {
        Some(Value::List(h)) => h.to_vec(),
        other => panic!("history {other:?}"),
    };
    assert_eq!(history.len(), 6);
    assert!(
        history.iter().any(|h| h
            .get("key")
            .and_then(Value::as_str)
            .is_some_and(|k| k.contains('*'))),
        "no product formulation was evaluated"
    );
    let best = out.get("best_bound").unwrap().as_f64().unwrap();
    assert!(best > std::f64::consts::PI.powi(4) / 384.0, "{best}");
    let f = out.get("best_formulation").unwrap();
    let again = host
        .run(
            plugin_module(),
            f.get("id").and_then(Value::as_str).unwrap(),
            f.get("params").unwrap().clone(),
            Value::Unit,
        )
        .unwrap();
    let b = again.get("bound").unwrap().as_f64().unwrap();
    assert!((b - best).abs() < 1e-9 * best, "{b} vs {best}");
}
