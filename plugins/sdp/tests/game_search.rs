//! The SDP game's search loop: determinism, resume, batches of distinct proposals, failures
//! recorded with a penalty; `sdp.game` end to end on the Cohn–Elkies LP through the test host.

use boundlab_sdk::prelude::*;
use boundlab_sdk::testing::TestHost;
use boundlab_sdp::game::search::{
    GameState, SearchConfig, SearchIo, Strategy, run_search, signature,
};
use boundlab_sdp::game::target::{Target, TargetOptions, make_target};
use boundlab_sdp::plugin_module;

fn ce_target(degree: usize) -> Box<dyn Target> {
    make_target(
        "cohn_elkies",
        TargetOptions {
            dim: 4,
            degree: Some(degree),
            max_degree: Some(2 * degree),
            base_polynomials: 0,
            ranges: vec![],
            bound_options: ValueMap::new(),
            precision: "f64".into(),
        },
    )
    .unwrap()
}

/// A synthetic bound with a known structure (no SDP): smallest at radius 1.3 with the terms
/// 0, 2, 4, ...; a job whose terms include 5 "fails" like a numerical error.
fn fake_bound(job: &Value) -> PluginResult<Value> {
    let radius = job.get("radius").unwrap().as_f64().unwrap();
    let terms: Vec<i64> = from_value_field(job, "terms").unwrap();
    if terms.contains(&5) {
        return Ok(Value::Map(
            ValueMap::new()
                .with("bound", 1.0)
                .with("status", "numerical_error")
                .with("seconds", 0.0),
        ));
    }
    let even = terms.iter().filter(|k| *k % 2 == 0).count() as f64;
    let bound = 1.0 + (radius - 1.3).powi(2) - 0.05 * even + 0.01 * terms.len() as f64;
    Ok(Value::Map(
        ValueMap::new()
            .with("bound", bound)
            .with("status", "optimal")
            .with("seconds", 0.0),
    ))
}

fn config(strategy: Strategy, budget: usize, workers: usize, seed: u64) -> SearchConfig {
    SearchConfig {
        budget,
        workers,
        seed,
        strategy,
        simulations: 150,
        initial: 3,
        kappa: 1.0,
    }
}

/// Runs a search with the fake evaluator; returns the final state and every batch size.
fn run(
    target: &dyn Target,
    cfg: &SearchConfig,
    state: &mut GameState,
    stop_after: Option<usize>,
) -> Vec<usize> {
    let mut batches = Vec::new();
    let mut evaluate = |jobs: Vec<Value>| -> PluginResult<Vec<PluginResult<Value>>> {
        batches.push(jobs.len());
        Ok(jobs.iter().map(fake_bound).collect())
    };
    let before = state.history.len();
    let mut saves = 0usize;
    let mut save = |_s: &GameState| -> PluginResult<()> {
        saves += 1;
        Ok(())
    };
    let mut progress = |_d: usize, _t: usize, _b: Option<f64>| {};
    let cancelled = || false;
    let mut cfg = cfg.clone();
    if let Some(n) = stop_after {
        cfg.budget = n;
    }
    run_search(
        target,
        &cfg,
        state,
        SearchIo {
            evaluate: &mut evaluate,
            save: &mut save,
            progress: &mut progress,
            cancelled: &cancelled,
        },
    )
    .unwrap();
    assert!(
        saves >= state.history.len() - before,
        "a checkpoint after every evaluation"
    );
    batches
}

fn strip_seconds(state: &GameState) -> Vec<(String, Option<f64>, String)> {
    state
        .history
        .iter()
        .map(|e| (e.key.clone(), e.bound, e.status.clone()))
        .collect()
}

#[test]
fn same_seed_same_history_and_resume_continues_exactly() {
    let target = ce_target(4);
    for strategy in [Strategy::Mcts, Strategy::Bo, Strategy::Random] {
        let cfg = config(strategy, 10, 2, 7);
        let mut a = GameState::new(signature(target.as_ref(), &cfg));
        run(target.as_ref(), &cfg, &mut a, None);
        let mut b = GameState::new(signature(target.as_ref(), &cfg));
        run(target.as_ref(), &cfg, &mut b, None);
        assert_eq!(strip_seconds(&a), strip_seconds(&b), "{strategy:?}");
        // Stop after 6 (a whole number of batches), then resume from the state.
        let mut c = GameState::new(signature(target.as_ref(), &cfg));
        run(target.as_ref(), &cfg, &mut c, Some(6));
        assert_eq!(c.history.len(), 6);
        run(target.as_ref(), &cfg, &mut c, None);
        assert_eq!(strip_seconds(&a), strip_seconds(&c), "{strategy:?} resumed");
        // A different seed gives a different search.
        let cfg2 = config(strategy, 10, 2, 8);
        let mut d = GameState::new(signature(target.as_ref(), &cfg2));
        run(target.as_ref(), &cfg2, &mut d, None);
        assert_ne!(strip_seconds(&a), strip_seconds(&d));
    }
}

#[test]
fn a_killed_batch_is_evaluated_again_on_resume() {
    // The state as it is written right after a batch was proposed (pending, nothing recorded).
    let target = ce_target(4);
    let cfg = config(Strategy::Mcts, 8, 4, 3);
    let mut full = GameState::new(signature(target.as_ref(), &cfg));
    run(target.as_ref(), &cfg, &mut full, None);
    let mut snapshots: Vec<GameState> = Vec::new();
    {
        let mut state = GameState::new(signature(target.as_ref(), &cfg));
        let mut evaluate = |jobs: Vec<Value>| -> PluginResult<Vec<PluginResult<Value>>> {
            Ok(jobs.iter().map(fake_bound).collect())
        };
        let mut save = |s: &GameState| -> PluginResult<()> {
            snapshots.push(s.clone());
            Ok(())
        };
        let mut progress = |_d: usize, _t: usize, _b: Option<f64>| {};
        let cancelled = || false;
        run_search(
            target.as_ref(),
            &cfg,
            &mut state,
            SearchIo {
                evaluate: &mut evaluate,
                save: &mut save,
                progress: &mut progress,
                cancelled: &cancelled,
            },
        )
        .unwrap();
    }
    let killed = snapshots
        .iter()
        .find(|s| s.history.len() == 4 && s.pending.len() == 4)
        .expect("a snapshot with the second batch in flight")
        .clone();
    let mut resumed = killed;
    run(target.as_ref(), &cfg, &mut resumed, None);
    assert_eq!(strip_seconds(&full), strip_seconds(&resumed));
}

#[test]
fn batches_hold_distinct_new_formulations_and_failures_are_recorded() {
    let target = ce_target(4);
    let cfg = config(Strategy::Mcts, 12, 4, 1);
    let mut state = GameState::new(signature(target.as_ref(), &cfg));
    let batches = run(target.as_ref(), &cfg, &mut state, None);
    // The baseline alone, then three batches of four.
    assert_eq!(batches, vec![1, 4, 4, 4]);
    let keys: std::collections::HashSet<&str> =
        state.history.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys.len(), 12, "every evaluated formulation is new");
    for e in &state.history {
        let terms: Vec<usize> = e.blocks.clone();
        if terms.contains(&5) {
            assert_eq!(e.status, "numerical_error");
            assert!(e.bound.is_none());
        } else {
            assert_eq!(e.status, "optimal");
        }
        assert!(target.cost(&e.blocks) <= target.cost_cap() + 1e-9);
        assert!(target.complete(&e.blocks));
    }
}

#[test]
fn model_based_search_beats_random_on_the_synthetic_game() {
    // Same budget and seeds: BO + MCTS ends with a lower best bound than random search on
    // average, and the parameter-only BO cannot leave the default blocks (best 0.9).
    let target = ce_target(4);
    let (mut sum_m, mut sum_r) = (0.0, 0.0);
    for seed in 0..6 {
        let best = |strategy| {
            let cfg = config(strategy, 20, 1, seed);
            let mut s = GameState::new(signature(target.as_ref(), &cfg));
            run(target.as_ref(), &cfg, &mut s, None);
            s.best().unwrap().1
        };
        let (m, b, r) = (
            best(Strategy::Mcts),
            best(Strategy::Bo),
            best(Strategy::Random),
        );
        assert!(b >= 0.9 - 1e-12);
        sum_m += m;
        sum_r += r;
    }
    assert!(
        sum_m < sum_r,
        "mean best: BO + MCTS {} vs random {}",
        sum_m / 6.0,
        sum_r / 6.0
    );
}

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
            bound_options: ValueMap::new(),
            precision: "dd".into(),
        },
    )
    .unwrap();
    // L_0..L_10, then L_i·L_j for 1 <= i <= j <= 6 with i + j <= 10 (21 pairs less (5,6), (6,6)).
    let names: Vec<&str> = target.blocks().iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names.len(), 11 + 19);
    let l34 = names.iter().position(|n| *n == "L3*L4").unwrap();
    assert!(!names.contains(&"L5*L6"));
    let job = target.job(&[1.5], &[0, 1, 2, l34]);
    assert_eq!(job.get("degree").and_then(Value::as_i64), Some(7));
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
