//! Time per derivative of a script-defined problem: automatic differentiation (the script
//! engine's dual numbers) against the central finite differences `alsketch.solve` used before,
//! through the same `ScriptProblem` code the solver calls, at n = 10 and 100.
//!
//! The problem is the chained Rosenbrock function plus 0.01·Σ exp(xᵢ), with m = n/2 constraints
//! x₂ₖ² + sin(x₂ₖ₊₁) − ½ = 0, written as Rhai closures. Prints a Markdown table (run through
//! `bench/script_derivatives/run.sh`, which adds the machine and date).

use std::time::Instant;

use boundlab_alsketch::linalg::Matrix;
use boundlab_alsketch::problem::Problem;
use boundlab_alsketch::script::{DerivativeSource, ScriptProblem};
use boundlab_engine::Engine;
use boundlab_sdk::prelude::*;

/// `probe.derivatives` parameters.
#[derive(Params)]
struct ProbeParams {
    /// the script problem
    problem: ValueMap,
    /// `exact` or `finite_differences`
    derivatives: DerivativeSource,
}

/// A plugin whose one algorithm times the derivatives of the problem it is given.
mod probe {
    use super::*;

    pub struct Probe;

    impl Plugin for Probe {
        const NAME: &'static str = "probe";
        const VERSION: &'static str = "1.0.0";
        fn algorithms() -> Vec<AlgorithmSpec> {
            vec![
                AlgorithmSpec::new(
                    "probe.derivatives",
                    "seconds per gradient, Jacobian and Hessian of a script problem",
                    |params| {
                        let params = ProbeParams::decode(params)?;
                        Ok(Box::new(move |_input: Value, host: &HostRef<'_>| {
                            time_derivatives(&params, host)
                        }))
                    },
                )
                .params::<ProbeParams>(),
            ]
        }
    }

    mod export {
        boundlab_sdk::export_plugin!(super::Probe);
    }
    pub use export::plugin_module;
}

/// Median seconds of `f` over enough repetitions to take about 0.3 s (at least 5).
fn seconds_per_call<T>(mut f: impl FnMut() -> PluginResult<T>) -> PluginResult<(f64, T)> {
    let mut samples = Vec::new();
    let started = Instant::now();
    let mut last;
    loop {
        let t = Instant::now();
        last = f()?;
        samples.push(t.elapsed().as_secs_f64());
        if samples.len() >= 5 && started.elapsed().as_secs_f64() > 0.3 {
            break;
        }
    }
    samples.sort_by(f64::total_cmp);
    Ok((samples[samples.len() / 2], last))
}

fn dense(m: Matrix) -> Vec<f64> {
    let d = m.to_dense();
    (0..d.ncols())
        .flat_map(|j| (0..d.nrows()).map(move |i| (i, j)))
        .map(|(i, j)| d[(i, j)])
        .collect()
}

fn time_derivatives(params: &ProbeParams, host: &HostRef<'_>) -> PluginResult<Value> {
    let mut p = ScriptProblem::new(host, &params.problem, params.derivatives)?;
    let x = p.x0();
    let lambda: Vec<f64> = (0..p.m()).map(|k| 0.5 + k as f64 / p.m() as f64).collect();
    let (grad_s, grad) = seconds_per_call(|| Ok(p.gradient(&x)?))?;
    let (jac_s, jac) = seconds_per_call(|| Ok(p.jacobian(&x)?))?;
    let (hess_s, hess) = seconds_per_call(|| Ok(p.hessian_lagrangian(&x, &lambda)?))?;
    Ok(Value::Map(
        ValueMap::new()
            .with("gradient_s", grad_s)
            .with("jacobian_s", jac_s)
            .with("hessian_s", hess_s)
            .with("gradient", grad)
            .with("jacobian", dense(jac))
            .with("hessian", dense(hess)),
    ))
}

fn problem_script(n: usize, source: &str) -> String {
    format!(
        r#"
let f = |x| {{
    let s = 0.0;
    for i in 0..{n} - 1 {{
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }}
    for i in 0..{n} {{ s += 0.01 * exp(x[i]); }}
    s
}};
let c = |x| {{
    let out = [];
    for k in 0..{n} / 2 {{ out.push(x[2 * k] * x[2 * k] + sin(x[2 * k + 1]) - 0.5); }}
    out
}};
let x0 = [];
for i in 0..{n} {{ x0.push(-1.2 + 0.1 * i / {n}); }}
run("probe.derivatives", #{{ problem: #{{ n: {n}, x0: x0, f: f, c: c }}, derivatives: "{source}" }})
"#
    )
}

/// Largest |a − b| relative to the largest |a|.
fn relative_difference(a: &[f64], b: &[f64]) -> f64 {
    let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-300);
    a.iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
        / scale
}

fn main() {
    let dir = std::env::temp_dir().join(format!("boundlab-deriv-bench-{}", std::process::id()));
    let engine = Engine::builder()
        .plugin_module(probe::plugin_module())
        .out_dir(&dir)
        .build()
        .expect("engine");
    println!(
        "| n | m | derivative | exact (AD) ms | finite differences ms | FD / AD | closure calls AD / FD | rel. difference |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for n in [10usize, 100] {
        let run = |source: &str| {
            engine
                .eval(&problem_script(n, source))
                .unwrap_or_else(|e| panic!("n = {n}, {source}: {e}"))
        };
        let (ad, fd) = (run("exact"), run("finite_differences"));
        let rows = [
            (
                "gradient",
                "gradient_s",
                "gradient",
                "1",
                format!("{}", 2 * n),
            ),
            (
                "Jacobian",
                "jacobian_s",
                "jacobian",
                "1",
                format!("{}", 2 * n),
            ),
            // AD: forward over forward, n passes inside one call each of f and c. FD of f and c
            // (no exact gradient given): 2n + 4·n(n−1)/2 + 1 calls of each.
            (
                "Hessian of L",
                "hessian_s",
                "hessian",
                "2",
                format!("{}", 2 * (1 + 2 * n * n)),
            ),
        ];
        for (label, time_key, value_key, ad_calls, fd_calls) in rows {
            let t = |v: &Value| v.get(time_key).and_then(Value::as_f64).unwrap();
            let values = |v: &Value| v.get(value_key).and_then(Value::to_f64_vec).unwrap();
            let (t_ad, t_fd) = (t(&ad), t(&fd));
            println!(
                "| {n} | {} | {label} | {:.3} | {:.3} | {:.1} | {ad_calls} / {fd_calls} | {:.1e} |",
                n / 2,
                t_ad * 1e3,
                t_fd * 1e3,
                t_fd / t_ad,
                relative_difference(&values(&ad), &values(&fd)),
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
