//! The `boundlab` binary: exit codes, list/describe/solve/check-plugin/rerun, Ctrl-C, and a
//! plugin built out of tree from the template.

#[path = "../../engine/tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Output};

use boundlab_engine::records::read_records;

fn boundlab(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_boundlab"))
        .args(args)
        .current_dir(cwd)
        .env("BOUNDLAB_LOG", "warn")
        .env_remove("BOUNDLAB_PLUGIN_PATH")
        .output()
        .expect("the binary runs")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn exit_codes_distinguish_usage_errors_from_failed_runs() {
    let dir = tempfile::tempdir().unwrap();
    let ok = dir.path().join("ok.rhai");
    std::fs::write(&ok, "print(40 + 2);").unwrap();
    let out = boundlab(&["run", "ok.rhai", "--out", "o"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(text(&out).0.trim(), "42");

    std::fs::write(
        dir.path().join("fails.rhai"),
        "let x = 1;\nthrow \"broken on purpose\";",
    )
    .unwrap();
    let out = boundlab(&["run", "fails.rhai", "--out", "o"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).1.contains("fails.rhai:2:1: broken on purpose"),
        "{}",
        text(&out).1
    );

    // `check` compiles without running: a script that throws passes, a syntax error does not.
    let out = boundlab(&["check", "ok.rhai", "fails.rhai"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert!(text(&out).0.contains("fails.rhai: ok"));
    std::fs::write(dir.path().join("bad.rhai"), "let x = 1;\nlet y = (x + ;").unwrap();
    let out = boundlab(&["check", "bad.rhai"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).1.contains("bad.rhai:2:"), "{}", text(&out).1);

    for args in [
        &["run"][..],
        &["frobnicate"],
        &["run", "ok.rhai", "--set", "no equals sign"],
        &["run", "missing.rhai"],
        &["check", "missing.rhai"],
        &["check"],
    ] {
        let out = boundlab(args, dir.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}: {:?}", text(&out));
    }
}

#[test]
fn set_values_are_script_constants_and_limits_are_settable() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("s.rhai"),
        "print(`${N * 2} ${NAME} ${TOL} ${XS[1]} ${FILE}`);",
    )
    .unwrap();
    let out = boundlab(
        &[
            "run",
            "s.rhai",
            "--set",
            "N=21",
            "--set",
            "NAME=theta1",
            "--set",
            "TOL=1e-6",
            "--set",
            "XS=[1, 2]",
            "--set",
            "FILE=data/sdplib/theta2.dat-s",
        ],
        dir.path(),
    );
    // A value that does not read as RON (a path) is taken as a string.
    assert_eq!(
        text(&out).0.trim(),
        "42 theta1 0.000001 2 data/sdplib/theta2.dat-s",
        "{:?}",
        text(&out)
    );
    // One that opens a RON list but is broken is an error, not a string.
    let out = boundlab(&["run", "s.rhai", "--set", "XS=[1, 2"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).1.contains("cannot read the value as RON"),
        "{}",
        text(&out).1
    );
    std::fs::write(
        dir.path().join("loop.rhai"),
        "let i = 0;\nwhile true { i += 1; }",
    )
    .unwrap();
    let out = boundlab(
        &["run", "loop.rhai", "--max-operations", "5000"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).1.contains("loop.rhai:2:")
            && text(&out).1.contains("operation limit of 5000")
            && text(&out).1.contains("raise it with --max-operations N"),
        "{}",
        text(&out).1
    );
}

#[test]
fn list_describe_and_solve() {
    let dir = tempfile::tempdir().unwrap();
    let out = boundlab(&["list"], dir.path());
    assert!(text(&out).0.contains("template.cg"), "{:?}", text(&out));
    let out = boundlab(&["describe", "template.cg"], dir.path());
    assert!(
        text(&out).0.contains("rhs") && text(&out).0.contains("required"),
        "{:?}",
        text(&out)
    );
    // Defaults in shortest round-trip form, not `0.0000000001`.
    assert!(text(&out).0.contains("= 1e-10"), "{}", text(&out).0);
    let help = boundlab(&["describe", "--help"], dir.path());
    assert!(
        text(&help)
            .0
            .contains("boundlab describe [--plugin PATH]... ID"),
        "{}",
        text(&help).0
    );
    let out = boundlab(&["describe", "power.top"], dir.path());
    assert!(
        text(&out)
            .1
            .contains("hint: a plugin file's algorithms need `--plugin PATH`"),
        "{}",
        text(&out).1
    );
    let out = boundlab(&["describe", "template.gc"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).1.contains("did you mean `template.cg`"),
        "{}",
        text(&out).1
    );

    // [[2, 1], [1, 2]] x = [3, 3] has x = [1, 1].
    let params = "{\"matrix\": {\"$type\": \"sparse\", \"rows\": 2, \"cols\": 2, \"col_ptr\": [0, 2, 4], \"row_indices\": [0, 1, 0, 1], \"values\": [2.0, 1.0, 1.0, 2.0]}, \"rhs\": [3.0, 3.0]}";
    std::fs::write(dir.path().join("p.ron"), params).unwrap();
    let out = boundlab(
        &[
            "solve",
            "template.cg",
            "--params",
            "p.ron",
            "--set",
            "tol=1e-12",
            "--out",
            "o",
        ],
        dir.path(),
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let result: boundlab_sdk::Value = ron::from_str(&stdout).expect("solve prints RON");
    let x = result.get("x").unwrap().to_f64_vec().unwrap();
    assert!(
        (x[0] - 1.0).abs() < 1e-12 && (x[1] - 1.0).abs() < 1e-12,
        "{x:?}"
    );
    let out = boundlab(
        &[
            "solve",
            "template.cg",
            "--params",
            "p.ron",
            "--set",
            "tol=\"tight\"",
            "--out",
            "o",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).1.contains("parameter `tol`: expected float"),
        "{}",
        text(&out).1
    );
}

/// A parameter renamed because its old name was a Rhai keyword (`export` → `save_sdp`, issue
/// 18): the new name is written bare in a script; the old one still works on the command line
/// for one release, with a warning that names the new one.
#[test]
fn a_renamed_parameter_works_bare_in_scripts_and_under_its_old_name_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("save.rhai"),
        "let r = run(\"sdp.delsarte\", #{ dim: 3, degree: 5, save_sdp: \"new.dat-s\" });\nprint(r.status);",
    )
    .unwrap();
    let out = boundlab(&["run", "save.rhai", "--out", "o"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert!(dir.path().join("new.dat-s").exists());

    let out = boundlab(
        &[
            "solve",
            "sdp.delsarte",
            "--set",
            "dim=3",
            "--set",
            "degree=5",
            "--set",
            "export=old.dat-s",
            "--out",
            "o",
        ],
        dir.path(),
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("parameter `export` is now called `save_sdp`"),
        "{stderr}"
    );
    assert!(dir.path().join("old.dat-s").exists());
}

/// `boundlab list | grep -q sdp` closes the pipe after the first match: the writer must end
/// with success, not panic (a panic here failed CI under `set -o pipefail`).
#[test]
fn a_closed_stdout_pipe_ends_the_program_quietly() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["list"][..], &["describe", "sdp.delsarte"]] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader); // every write now fails with EPIPE
        let out = Command::new(env!("CARGO_BIN_EXE_boundlab"))
            .args(args)
            .current_dir(dir.path())
            .env("BOUNDLAB_LOG", "warn")
            .env_remove("BOUNDLAB_PLUGIN_PATH")
            .stdout(writer)
            .output()
            .expect("the binary runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn rerun_repeats_a_recorded_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("r.rhai"),
        "let r = run(\"template.cg\", #{ matrix: sparse(2, 2, [[0, 0, 2.0], [1, 1, 4.0]]), rhs: [2.0, 2.0] });\nprint(r.x);",
    )
    .unwrap();
    let out = boundlab(&["run", "r.rhai", "--out", "o"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let out = boundlab(
        &["rerun", "o/records.ron", "0", "--out", "again"],
        dir.path(),
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("reproduced"), "{stderr}");
    assert!(stdout.contains("0.5"), "{stdout}");
    // The rerun is recorded in its own folder; the file it read is left as it was.
    let count = |path: &str| read_records(&dir.path().join(path)).unwrap().len();
    assert_eq!((count("o/records.ron"), count("again/records.ron")), (1, 1));
    // Without --out it goes to a new folder under runs/.
    let out = boundlab(&["rerun", "o/records.ron", "0"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(count("o/records.ron"), 1);
    let reruns: Vec<_> = std::fs::read_dir(dir.path().join("runs"))
        .unwrap()
        .collect();
    assert_eq!(reruns.len(), 1);
    let out = boundlab(&["rerun", "o/records.ron", "7"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).1.contains("there is no record 7"),
        "{}",
        text(&out).1
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_cancels_the_running_algorithm() {
    let dir = tempfile::tempdir().unwrap();
    // CG on a large 1-D Poisson system with an unreachable tolerance runs for a long time.
    std::fs::write(
        dir.path().join("long.rhai"),
        "let n = 50000; let t = [];\nfor i in 0..n { t.push([i, i, 2.0]); if i + 1 < n { t.push([i, i + 1, -1.0]); t.push([i + 1, i, -1.0]); } }\nlet b = []; for i in 0..n { b.push(1.0); }\nprint(\"started\");\nrun(\"template.cg\", #{ matrix: sparse(n, n, t), rhs: b, tol: 1e-15, max_iter: 100000000 });\nprint(\"finished\");",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_boundlab"))
        .args(["run", "long.rhai", "--out", "o"])
        .current_dir(dir.path())
        .env("BOUNDLAB_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the script has built the system and entered the algorithm.
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first_line = String::new();
    std::io::BufRead::read_line(&mut reader, &mut first_line).unwrap();
    assert_eq!(first_line.trim(), "started");
    std::thread::sleep(std::time::Duration::from_millis(500));
    let started = std::time::Instant::now();
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut reader, &mut stdout).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stdout} {stderr}");
    assert!(stderr.contains("cancelled"), "{stderr}");
    assert!(!stdout.contains("finished"), "{stdout}");
    assert!(
        started.elapsed().as_secs() < 10,
        "cancellation took {:?}",
        started.elapsed()
    );
    // The cancelled run is recorded with its error.
    let records =
        boundlab_engine::records::read_records(&dir.path().join("o/records.ron")).unwrap();
    assert!(
        records
            .last()
            .unwrap()
            .error
            .as_deref()
            .unwrap_or("")
            .contains("cancelled")
    );
}

#[test]
fn a_template_built_out_of_tree_passes_check_plugin_and_loads_with_plugin() {
    let dir = tempfile::tempdir().unwrap();
    let lib = support::template_out_of_tree().display().to_string();
    let out = boundlab(&["check-plugin", &lib], dir.path());
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("plugin:      template 0.1.0") && stdout.contains("template.cg"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("ABI version {}", boundlab_sdk::ABI_VERSION)),
        "{stdout}"
    );
    let out = boundlab(&["list", "--plugin", &lib], dir.path());
    assert!(
        text(&out).0.contains(&lib),
        "the loaded file replaces the linked-in template: {:?}",
        text(&out)
    );

    let out = boundlab(&["check-plugin", "/nonexistent/libx.so"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).1.contains("no such file"), "{}", text(&out).1);
    let out = boundlab(
        &[
            "check-plugin",
            support::abi_mismatch_plugin().to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).1.contains("ABI version 999"), "{}", text(&out).1);
}

#[test]
fn plugins_are_discovered_from_the_path_variable_and_next_to_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let testkit = support::testkit_plugin();
    let folder = dir.path().join("my-plugins");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::copy(testkit, folder.join("libtestkit.so")).unwrap();
    // A broken file in a discovery folder is skipped with a warning, not fatal.
    std::fs::write(folder.join("libbroken.so"), "not a library").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_boundlab"))
        .args(["list"])
        .current_dir(dir.path())
        .env("BOUNDLAB_PLUGIN_PATH", &folder)
        .env("BOUNDLAB_LOG", "warn")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("testkit.echo"), "{stdout}");
    assert!(
        stderr.contains("libbroken.so"),
        "the skipped file is named: {stderr}"
    );

    // `plugins/` next to the executable.
    let install = dir.path().join("install");
    std::fs::create_dir_all(install.join("plugins")).unwrap();
    let binary = install.join("boundlab");
    std::fs::copy(env!("CARGO_BIN_EXE_boundlab"), &binary).unwrap();
    std::fs::copy(testkit, install.join("plugins/libtestkit.so")).unwrap();
    let out = Command::new(&binary)
        .args(["describe", "testkit.echo"])
        .current_dir(dir.path())
        .env_remove("BOUNDLAB_PLUGIN_PATH")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert!(text(&out).0.contains("testkit 0.3.0"), "{:?}", text(&out));
}
