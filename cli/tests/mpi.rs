//! Batches on MPI ranks (`--features mpi`; needs `mpirun`, installed by .ci/run): the same
//! results as threads, and a dying rank that fails only its own job.

#![cfg(feature = "mpi")]

#[path = "../../engine/tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Output};

fn mpirun(ranks: usize, args: &[&str], cwd: &Path) -> Output {
    Command::new("mpirun")
        .args([
            "--oversubscribe",
            "--enable-recovery",
            "-np",
            &ranks.to_string(),
        ])
        .arg(env!("CARGO_BIN_EXE_boundlab"))
        .args(args)
        .current_dir(cwd)
        // The test machines run as root; allowed here only.
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .env("BOUNDLAB_LOG", "warn")
        .output()
        .expect("mpirun runs (install OpenMPI: see .ci/run)")
}

fn boundlab(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_boundlab"))
        .args(args)
        .current_dir(cwd)
        .env("BOUNDLAB_LOG", "warn")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_batch_on_three_ranks_matches_the_threaded_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("batch.rhai"),
        r#"
        let jobs = [];
        for k in 0..20 {
            let a = sparse(2, 2, [[0, 0, 2.0 + k], [0, 1, 1.0], [1, 0, 1.0], [1, 1, 3.0]]);
            jobs.push(#{ matrix: a, rhs: [1.0, k.to_float()] });
        }
        save(run_batch("template.cg", jobs).map(|r| r.x), "xs.ron");
        "#,
    )
    .unwrap();
    let out = mpirun(
        3,
        &["run", "batch.rhai", "--mpi", "--out", "mpi"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = boundlab(&["run", "batch.rhai", "--out", "threads"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let mpi = std::fs::read_to_string(dir.path().join("mpi/xs.ron")).unwrap();
    let threads = std::fs::read_to_string(dir.path().join("threads/xs.ron")).unwrap();
    assert_eq!(mpi, threads);
    // Rank 0 wrote one record per job.
    let records =
        boundlab_engine::records::read_records(&dir.path().join("mpi/records.ron")).unwrap();
    assert_eq!(records.len(), 20);
}

#[test]
fn a_dying_rank_fails_only_its_job_and_the_rest_continue() {
    let dir = tempfile::tempdir().unwrap();
    let plugin = support::testkit_plugin().display().to_string();
    std::fs::write(
        dir.path().join("crash.rhai"),
        r#"
        let jobs = [];
        for k in 0..8 { jobs.push(#{ value: k.to_float(), crash: k == 2 }); }
        let first = run_batch("testkit.crash", jobs);
        let second = run_batch("testkit.crash", [#{ value: 10.0 }, #{ value: 11.0 }]);
        save(#{ first: first, second: second }, "out.json");
        "#,
    )
    .unwrap();
    let out = mpirun(
        3,
        &[
            "run",
            "crash.rhai",
            "--mpi",
            "--mpi-timeout",
            "3",
            "--plugin",
            &plugin,
            "--out",
            "o",
        ],
        dir.path(),
    );
    let text = std::fs::read_to_string(dir.path().join("o/out.json"))
        .unwrap_or_else(|_| panic!("{}", stderr(&out)));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let first = v["first"].as_array().unwrap();
    for (k, r) in first.iter().enumerate() {
        if k == 2 {
            let e = r["error"].as_str().unwrap();
            assert!(e.contains("stopped responding"), "{e}");
        } else {
            assert_eq!(r.as_f64(), Some(2.0 * k as f64), "job {k}: {r}");
        }
    }
    assert_eq!(v["second"][0].as_f64(), Some(20.0));
    assert_eq!(v["second"][1].as_f64(), Some(22.0));
}

#[test]
fn an_sdp_game_on_three_ranks_has_the_history_of_the_threaded_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("game.rhai"),
        r#"
        let r = run("sdp.game", #{ target: "cohn_elkies", dim: 4, budget: 6, workers: 2, seed: 3, degree: 8 });
        save(#{ history: r.history.map(|h| [h.key, h.bound, h.status]), best: r.best_bound }, "history.ron");
        "#,
    )
    .unwrap();
    let out = mpirun(
        3,
        &["run", "game.rhai", "--mpi", "--out", "mpi"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = boundlab(
        &["run", "game.rhai", "--jobs", "2", "--out", "threads"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let mpi = std::fs::read_to_string(dir.path().join("mpi/history.ron")).unwrap();
    let threads = std::fs::read_to_string(dir.path().join("threads/history.ron")).unwrap();
    assert_eq!(mpi, threads);
    assert!(mpi.matches("cohn_elkies|n=4").count() >= 6, "{mpi}");
}
