//! Embedding boundlab in a Rust program.
//!
//! The program registers its own plugin statically (`Circle`, below: a Monte Carlo estimate of
//! π with a seed), runs it from Rust and from a Rhai snippet, reads the result map, and shows
//! how an application receives the engine's logs (a `tracing` subscriber) and progress (a
//! callback).
//!
//! ```text
//! cargo run -p boundlab-embed-example
//! ```

use boundlab_engine::Engine;
use boundlab_sdk::prelude::*;

/// A plugin defined inside the application; any crate that calls `export_plugin!` works alike.
mod circle {
    use boundlab_sdk::prelude::*;

    pub struct Circle;

    /// `circle.pi`'s parameters: the schema `describe` shows and their decoding, declared once.
    #[derive(Params)]
    struct PiParams {
        /// number of random points
        #[param(default = 1_000_000, ge = 1)]
        samples: u64,
        /// random seed
        #[param(default = 1)]
        seed: u64,
    }

    impl Plugin for Circle {
        const NAME: &'static str = "circle";
        const VERSION: &'static str = "1.0.0";

        fn algorithms() -> Vec<AlgorithmSpec> {
            vec![
                AlgorithmSpec::new(
                    "circle.pi",
                    "Monte Carlo estimate of π from `samples` points",
                    |params| {
                        let PiParams { samples, seed } = PiParams::decode(params)?;
                        Ok(Box::new(move |_input: Value, host: &HostRef<'_>| {
                            // SplitMix64: a small, well-known generator, enough for an example.
                            let mut state = seed;
                            let mut next = move || {
                                state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                                let mut z = state;
                                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                                ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
                            };
                            let mut inside = 0u64;
                            for k in 0..samples {
                                if k % 100_000 == 0 {
                                    host.check_cancelled()?;
                                    host.report_progress(k, samples, "sampling");
                                }
                                let (x, y) = (next(), next());
                                inside += u64::from(x * x + y * y <= 1.0);
                            }
                            host.info(&format!("{inside} of {samples} points fell inside"));
                            let estimate = 4.0 * inside as f64 / samples as f64;
                            // The standard error of the estimate: 4 √(p (1 − p) / n) with p = π/4.
                            let p = inside as f64 / samples as f64;
                            let std_error = 4.0 * (p * (1.0 - p) / samples as f64).sqrt();
                            Ok(Value::Map(
                                ValueMap::new()
                                    .with("estimate", estimate)
                                    .with("std_error", std_error),
                            ))
                        }))
                    },
                )
                .params::<PiParams>(),
            ]
        }
    }

    boundlab_sdk::export_plugin!(Circle);
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Logs: plugins log through `tracing` with their name as target (`BOUNDLAB_LOG=circle=debug`).
    // Any subscriber works; this is the command line's (stderr, filter from $BOUNDLAB_LOG).
    boundlab_engine::logging::init_cli_logging();

    let out = std::env::temp_dir().join("boundlab-embed-example");
    let engine = Engine::builder()
        .plugin_module(circle::plugin_module())
        .out_dir(&out)
        // Progress: every report reaches the callback (a GUI would update a widget here).
        .on_progress(|p| {
            if p.total > 0 && p.done * 4 % p.total == 0 {
                eprintln!("  {}: {}/{} {}", p.task, p.done, p.total, p.message);
            }
        })
        .build()?;

    // From Rust: parameters are a Value map; the schema fills in the rest.
    let direct = engine.run(
        "circle.pi",
        Value::Map(ValueMap::new().with("samples", 200_000i64)),
    )?;
    println!(
        "direct call: π ≈ {}",
        direct
            .get("estimate")
            .and_then(Value::as_f64)
            .unwrap_or(f64::NAN)
    );

    // From a script: the final expression of the snippet comes back as a Value.
    let result = engine.eval(
        r#"
        let runs = run_batch("circle.pi", [#{ seed: 1 }, #{ seed: 2 }, #{ seed: 3 }]);
        let mean = 0.0;
        for r in runs { mean += r.estimate / runs.len(); }
        #{ mean: mean, first: runs[0] }
        "#,
    )?;
    let mean = result
        .get("mean")
        .and_then(Value::as_f64)
        .ok_or("the script returns `mean`")?;
    let first = result.get("first").ok_or("the script returns `first`")?;
    let std_error = first
        .get("std_error")
        .and_then(Value::as_f64)
        .unwrap_or(f64::NAN);
    println!(
        "script: mean of 3 seeded runs π ≈ {mean:.5} (one run's standard error {std_error:.5})"
    );
    // `Value` prints as RON-like text (long arrays summarised): {"estimate": 3.14.., ...}.
    println!("first run: {first}");
    println!("records: {}", engine.records_path().display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedding_runs_the_plugin_from_rust_and_from_a_script() {
        let dir = std::env::temp_dir().join(format!("boundlab-embed-test-{}", std::process::id()));
        let engine = Engine::builder()
            .plugin_module(circle::plugin_module())
            .out_dir(&dir)
            .build()
            .unwrap();
        let r = engine
            .eval(r#"run("circle.pi", #{ samples: 400000, seed: 7 })"#)
            .unwrap();
        let estimate = r.get("estimate").and_then(Value::as_f64).unwrap();
        let se = r.get("std_error").and_then(Value::as_f64).unwrap();
        // π to within five standard errors (a false alarm has probability below 1e-6).
        assert!(
            (estimate - std::f64::consts::PI).abs() < 5.0 * se,
            "{estimate} ± {se}"
        );
        // Same seed, same number.
        let again = engine
            .run(
                "circle.pi",
                Value::Map(
                    ValueMap::new()
                        .with("samples", 400_000i64)
                        .with("seed", 7i64),
                ),
            )
            .unwrap();
        assert_eq!(again.get("estimate"), r.get("estimate"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
