//! Overhead of one `run` through the plugin ABI and of `run_batch` on trivial work, against a
//! direct Rust call of the same code. Writes `bench/results/abi_overhead.md`.
//!
//! ```text
//! cargo bench -p boundlab-engine --bench abi_overhead
//! ```

use std::time::Instant;

use boundlab_engine::Engine;
use boundlab_sdk::prelude::*;
use boundlab_sdk::testing::TestHost;

mod trivial {
    use boundlab_sdk::prelude::*;

    /// The work: add two numbers.
    pub fn add(a: f64, b: f64) -> f64 {
        a + b
    }

    /// `trivial.add` parameters.
    #[derive(Params)]
    struct AddParams {
        /// a
        #[param(default = 1.0)]
        a: f64,
        /// b
        #[param(default = 2.0)]
        b: f64,
    }

    pub struct Trivial;

    impl Plugin for Trivial {
        const NAME: &'static str = "trivial";
        const VERSION: &'static str = "1.0.0";
        fn algorithms() -> Vec<AlgorithmSpec> {
            vec![
                AlgorithmSpec::new("trivial.add", "a + b", |params| {
                    let AddParams { a, b } = AddParams::decode(params)?;
                    Ok(Box::new(move |_input: Value, _host: &HostRef<'_>| {
                        Ok(Value::Float(add(a, b)))
                    }))
                })
                .params::<AddParams>(),
            ]
        }
    }

    mod export {
        boundlab_sdk::export_plugin!(super::Trivial);
    }
    pub use export::plugin_module;
}

/// Median seconds per call over `rounds` rounds of `calls` calls each.
fn time_per_call(rounds: usize, calls: usize, mut f: impl FnMut()) -> f64 {
    let mut samples: Vec<f64> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..calls {
                f();
            }
            t.elapsed().as_secs_f64() / calls as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[rounds / 2]
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{cpu}, {cores} cores")
}

fn main() {
    let dir = std::env::temp_dir().join(format!("boundlab-abi-bench-{}", std::process::id()));
    let engine = Engine::builder()
        .plugin_module(trivial::plugin_module())
        .out_dir(&dir)
        .build()
        .expect("engine");
    let params = Value::Map(ValueMap::new().with("a", 1.0).with("b", 2.0));
    let mut sink = 0.0;

    let direct = time_per_call(21, 1_000_000, || {
        sink += trivial::add(std::hint::black_box(1.0), std::hint::black_box(2.0))
    });

    // create + run through the abi_stable vtables, without the engine.
    let host = TestHost::new();
    let module = trivial::plugin_module();
    let through_abi = time_per_call(21, 20_000, || {
        let mut algorithm = module.create()("trivial.add".into(), params.clone()).unwrap();
        sink += algorithm
            .run(Value::Unit, host.as_ref())
            .unwrap()
            .as_f64()
            .unwrap();
    });

    // The engine's run: schema check, host, record appended to records.ron.
    let engine_run = time_per_call(11, 2_000, || {
        sink += engine
            .run("trivial.add", params.clone())
            .unwrap()
            .as_f64()
            .unwrap();
    });

    // From a script: conversion to and from Rhai values on top.
    let script_calls = 2_000;
    let script = format!(
        "let s = 0.0; for i in 0..{script_calls} {{ s += run(\"trivial.add\", #{{ a: 1.0, b: 2.0 }}); }} s"
    );
    let script_run = time_per_call(5, 1, || {
        sink += engine.eval(&script).unwrap().as_f64().unwrap();
    }) / script_calls as f64;

    // A batch of trivial jobs on all cores against the same number of direct calls.
    let jobs = 2_000;
    let batch_params: Vec<Value> = (0..jobs)
        .map(|i| Value::Map(ValueMap::new().with("a", i as f64)))
        .collect();
    let batch = time_per_call(5, 1, || {
        let results = engine.run_batch("trivial.add", batch_params.clone());
        sink += results
            .into_iter()
            .filter_map(|r| r.ok())
            .filter_map(|v| v.as_f64())
            .sum::<f64>();
    }) / jobs as f64;

    std::hint::black_box(sink);
    let _ = std::fs::remove_dir_all(&dir);

    let rows = [
        ("direct Rust call of the same function", direct),
        ("create + run through the ABI (no engine)", through_abi),
        (
            "`Engine::run` (schema check, host, record written)",
            engine_run,
        ),
        ("`run(...)` from a Rhai script", script_run),
        (
            &*format!(
                "`run_batch` of {jobs} jobs on {} workers, per job",
                engine.jobs()
            ),
            batch,
        ),
    ];
    let mut table = format!(
        "# Overhead of a plugin call\n\nMachine: {}. Date: {}. Built with `cargo bench` (release).\n\
         Median of repeated rounds; the work itself is one addition.\n\n\
         | call path | time per call | ratio to direct |\n|---|---|---|\n",
        machine(),
        boundlab_engine::records::utc_timestamp()
    );
    for (name, t) in rows {
        table.push_str(&format!("| {name} | {} | {:.0}x |\n", human(t), t / direct));
    }
    table.push_str(
        "\nReading: the ABI itself (vtable calls, `Value` conversion, the boxed algorithm) costs \
         well under a microsecond; an engine run adds the schema check and, dominating, appending and \
         flushing its record to `records.ron`. Any algorithm worth a plugin runs for milliseconds \
         or more, so the overhead is noise there.\n",
    );
    print!("{table}");
    let out =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/results/abi_overhead.md");
    std::fs::write(&out, table).expect("write the results table");
    eprintln!("wrote {}", out.display());
}

fn human(seconds: f64) -> String {
    if seconds < 1e-6 {
        format!("{:.1} ns", seconds * 1e9)
    } else if seconds < 1e-3 {
        format!("{:.2} µs", seconds * 1e6)
    } else {
        format!("{:.2} ms", seconds * 1e3)
    }
}
