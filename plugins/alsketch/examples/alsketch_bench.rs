//! Benchmark driver for `bench/alsketch/run.sh`: runs AdaSketch-Newton on the HS problems, the
//! logistic-regression sets and the PDE problem, and writes one JSON file per suite that the
//! Python side (`bench/alsketch/compare.py`) reads next to IPOPT and scipy on the same problems.
//!
//! ```text
//! cargo run --release -p boundlab-alsketch --example alsketch_bench -- <out_dir> <hs|logreg|pde> [options]
//! ```
//! Options: `--seeds K` (randomized sketches, default 3), `--pde-time S` (seconds per sketched
//! PDE run, default 20), `--grids 32,64,128,256`, `--data-dir DIR`.

use std::path::{Path, PathBuf};

use boundlab_alsketch::hs::all_problems;
use boundlab_alsketch::logreg::LogReg;
use boundlab_alsketch::pde::Pde;
use boundlab_alsketch::problem::Problem;
use boundlab_alsketch::sketch::SketchKind;
use boundlab_alsketch::solver::{Options, Outcome, Silent, solve};
use boundlab_libsvm as libsvm;
use serde_json::{Value, json};

const RANDOMIZED: [SketchKind; 4] = [
    SketchKind::Gaussian,
    SketchKind::Kaczmarz,
    SketchKind::BlockGaussian,
    SketchKind::CountSketch,
];

fn record(problem: &str, variant: &str, seed: u64, opts: &Options, out: &Outcome) -> Value {
    let trace = out.trace.as_ref().expect("runs record a trace");
    let first_below = |tol: f64| trace.kkt.iter().position(|&k| k <= tol);
    json!({
        "problem": problem,
        "method": variant,
        "sketch": opts.sketch.name(),
        "block_size": opts.block_size,
        "seed": seed,
        "status": format!("{:?}", out.status),
        "iterations": out.iterations,
        "iterations_to_1e-4": first_below(1e-4),
        "sketch_iterations": out.sketch_iterations,
        "flops": out.flops,
        "evaluations": out.evaluations,
        "line_search_steps": out.line_search_steps,
        "inexact_steps": out.inexact_steps,
        "regularized_steps": out.regularized_steps,
        "time": out.time,
        "f": out.f,
        "kkt": out.kkt,
        "constraint_violation": out.constraint_violation,
        "x": out.x,
        "lambda": out.lambda,
        "trace_kkt": trace.kkt,
        "trace_time": trace.time,
    })
}

fn run_one(p: &mut dyn Problem, variant: &str, seed: u64, opts: &Options) -> Value {
    let name = p.name();
    match solve(p, opts, &mut Silent) {
        Ok(out) => {
            eprintln!(
                "{name:28} {variant:22} seed {seed}: {:?}, {} it, {} sketch steps, KKT {:.2e}, {:.3} s",
                out.status, out.iterations, out.sketch_iterations, out.kkt, out.time
            );
            record(&name, variant, seed, opts, &out)
        }
        Err(e) => {
            eprintln!("{name:28} {variant:22} seed {seed}: error {e}");
            json!({ "problem": name, "method": variant, "seed": seed, "status": "Error", "error": e.to_string() })
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!(
            "usage: alsketch_bench <out_dir> <hs|logreg|pde> [--seeds K] [--pde-time S] [--grids 32,64] [--data-dir DIR]"
        );
        std::process::exit(2);
    }
    let out_dir = PathBuf::from(&args[1]);
    let suite = args[2].as_str();
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let seeds: u64 = opt("--seeds").map_or(3, |s| s.parse().expect("--seeds takes an integer"));
    let pde_time: f64 =
        opt("--pde-time").map_or(20.0, |s| s.parse().expect("--pde-time takes seconds"));
    let grids: Vec<usize> = opt("--grids")
        .unwrap_or_else(|| "32,64,128,256".into())
        .split(',')
        .map(|s| s.parse().expect("--grids takes integers"))
        .collect();
    let data_dir = PathBuf::from(opt("--data-dir").unwrap_or_else(|| "data/libsvm".into()));
    std::fs::create_dir_all(&out_dir).expect("create the output folder");
    // Single-threaded, like the Python peers' sequential runs on this machine.
    faer::set_global_parallelism(faer::Par::Seq);

    let mut runs = Vec::new();
    let mut extra = json!({});
    match suite {
        "hs" => {
            for p in all_problems() {
                let base = Options {
                    trace: true,
                    ..Default::default()
                };
                for kind in RANDOMIZED {
                    for seed in 1..=seeds {
                        // q = 3 keeps the block solves iterative (q ≥ n + m would make them exact).
                        let opts = Options {
                            sketch: kind,
                            seed,
                            block_size: 3,
                            ..base.clone()
                        };
                        runs.push(run_one(&mut p.clone(), kind.name(), seed, &opts));
                    }
                }
                for seed in 1..=seeds {
                    let opts = Options {
                        sketch: SketchKind::Gaussian,
                        superlinear: true,
                        seed,
                        ..base.clone()
                    };
                    runs.push(run_one(&mut p.clone(), "gaussian-superlinear", seed, &opts));
                }
                let opts = Options {
                    sketch: SketchKind::Direct,
                    ..base.clone()
                };
                runs.push(run_one(&mut p.clone(), "direct", 0, &opts));
            }
        }
        "logreg" => {
            let mut problems = serde_json::Map::new();
            for (dataset, linear) in [
                ("breast_cancer_scale", 10),
                ("digits", 10),
                ("wine_scale", 5),
            ] {
                let path = data_dir.join(format!("{dataset}.svm"));
                let data = libsvm::read_file(&path).unwrap_or_else(|e| panic!("{e}"));
                let p = LogReg::new(dataset, &data, None, 2023, linear)
                    .unwrap_or_else(|e| panic!("{e}"));
                let (a, b) = p.constraint_data();
                problems.insert(
                    p.name(),
                    json!({ "dataset": dataset, "path": path, "d": p.n(), "linear_constraints": linear, "a": a, "b": b,
                             "labels": data.distinct_labels() }),
                );
                let base = Options {
                    trace: true,
                    max_sketch_iter: 1_000_000,
                    ..Default::default()
                };
                for kind in RANDOMIZED {
                    let opts = Options {
                        sketch: kind,
                        seed: 1,
                        ..base.clone()
                    };
                    runs.push(run_one(&mut p.clone(), kind.name(), 1, &opts));
                }
                let opts = Options {
                    sketch: SketchKind::Direct,
                    ..base.clone()
                };
                runs.push(run_one(&mut p.clone(), "direct", 0, &opts));
            }
            extra = json!({ "problems": problems });
        }
        "pde" => {
            for &grid in &grids {
                let p = Pde::new(grid).expect("valid grid");
                let opts = Options {
                    sketch: SketchKind::Direct,
                    trace: true,
                    ..Default::default()
                };
                runs.push(run_one(&mut p.clone(), "direct", 0, &opts));
                for (kind, q) in [
                    (SketchKind::CountSketch, 64),
                    (SketchKind::Kaczmarz, 1),
                    (SketchKind::Gaussian, 1),
                ] {
                    let opts = Options {
                        sketch: kind,
                        block_size: q,
                        trace: true,
                        max_time: pde_time,
                        max_sketch_iter: u64::MAX / 2,
                        seed: 1,
                        ..Default::default()
                    };
                    runs.push(run_one(&mut p.clone(), kind.name(), 1, &opts));
                }
            }
        }
        other => panic!("unknown suite `{other}`"),
    }
    let doc = json!({ "suite": suite, "runs": runs, "extra": extra });
    let file: PathBuf = Path::new(&out_dir).join(format!("{suite}.json"));
    std::fs::write(&file, serde_json::to_string(&doc).expect("serialisable"))
        .expect("write the results");
    eprintln!("wrote {}", file.display());
}
