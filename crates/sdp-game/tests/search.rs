//! The SDP game's search loop on a synthetic bound (no SDP): determinism, resume, batches of
//! distinct proposals, failures recorded with a penalty, and model-based search against random.

use boundlab_sdp_game::GameError;
use boundlab_sdp_game::search::{
    GameState, JobResult, SearchConfig, SearchIo, Strategy, run_search, signature,
};
use boundlab_sdp_game::target::{Job, Outcome, Target, TargetOptions, make_target};

fn ce_target(degree: usize) -> Box<dyn Target> {
    make_target(
        "cohn_elkies",
        TargetOptions {
            dim: 4,
            degree: Some(degree),
            max_degree: Some(2 * degree),
            base_polynomials: 0,
            ranges: vec![],
        },
    )
    .unwrap()
}

/// A synthetic bound with a known structure (no SDP): smallest at radius 1.3 with the terms
/// 0, 2, 4, ...; a job whose terms include 5 "fails" like a numerical error.
fn fake_bound(job: &Job) -> JobResult {
    let Job::CohnElkies { radius, terms, .. } = job else {
        panic!("a Cohn–Elkies job: {job:?}");
    };
    let outcome = |bound: f64, status: &str| Outcome {
        status: status.into(),
        bound,
        message: String::new(),
        seconds: Some(0.0),
    };
    if terms.contains(&5) {
        return Ok(outcome(1.0, "numerical_error"));
    }
    let even = terms.iter().filter(|k| *k % 2 == 0).count() as f64;
    let bound = 1.0 + (radius - 1.3).powi(2) - 0.05 * even + 0.01 * terms.len() as f64;
    Ok(outcome(bound, "optimal"))
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
    let mut evaluate = |jobs: Vec<Job>| -> Result<Vec<JobResult>, GameError> {
        batches.push(jobs.len());
        Ok(jobs.iter().map(fake_bound).collect())
    };
    let before = state.history.len();
    let mut saves = 0usize;
    let mut save = |_s: &GameState| -> Result<(), GameError> {
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
        let mut evaluate = |jobs: Vec<Job>| -> Result<Vec<JobResult>, GameError> {
            Ok(jobs.iter().map(fake_bound).collect())
        };
        let mut save = |s: &GameState| -> Result<(), GameError> {
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
