//! The boundlab plugin layer: the `alsketch.solve` id, its parameter schema, and conversion of
//! parameters and results to and from [`Value`].

use std::path::{Path, PathBuf};

use boundlab_sdk::prelude::*;

use crate::hs::HsProblem;
use crate::logreg::{LINEAR_CONSTRAINTS, LogReg};
use crate::pde::Pde;
use crate::problem::Problem;
use crate::script::{DerivativeSource, ScriptProblem};
use crate::sketch::SketchKind;
use crate::solver::{self, HessianShift, LinAlg, Monitor, Options};

/// The `alsketch` plugin.
pub struct AlsketchPlugin;

const SOLVE_SUMMARY: &str = "AdaSketch-Newton for min f(x) s.t. c(x) = 0: Newton-KKT steps solved by randomized \
sketching to an adaptive accuracy, Armijo search on the exact augmented Lagrangian. Problems: hs6..hs77, logreg, pde, \
or a script map #{ n, m, x0, f, c, grad, jac, hess }.";

impl Plugin for AlsketchPlugin {
    const NAME: &'static str = "alsketch";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    fn algorithms() -> Vec<AlgorithmSpec> {
        let d = Options::default();
        vec![AlgorithmSpec::new("alsketch.solve", SOLVE_SUMMARY, create_solve)
            .param(ParamInfo::required(
                "problem",
                ValueKind::Any,
                "a library name (`hs6`, `hs7`, `hs26`, `hs27`, `hs28`, `hs39`, `hs40`, `hs42`, `hs46`, `hs48`, `hs50`, `hs51`, `hs52`, `hs56`, `hs61`, `hs77`, `logreg`, `pde`) or a map #{ n, m, x0, f, c, grad, jac, hess, lambda0, name }",
            ))
            .param(ParamInfo::with_default("derivatives", ValueKind::Str, "auto", "script problems: derivatives not given as closures come from automatic differentiation (`auto`: falls back to finite differences with a warning when a closure uses an operation without a derivative rule; `exact`: that is an error) or `finite_differences`"))
            .param(ParamInfo::with_default("sketch", ValueKind::Str, "gaussian", "`gaussian`, `kaczmarz`, `block` (Gaussian block), `countsketch`, or `direct` (exact LU solve; the reference, not a sketch)"))
            .param(ParamInfo::with_default("block_size", ValueKind::Int, d.block_size as i64, "columns q of the block and count sketches"))
            .param(ParamInfo::with_default("tol", ValueKind::Float, d.tol, "stop when ‖(∇f + Gᵀλ, c)‖₂ ≤ tol"))
            .param(ParamInfo::with_default("max_iter", ValueKind::Int, d.max_iter as i64, "outer (Newton) iterations"))
            .param(ParamInfo::with_default("max_sketch_iter", ValueKind::Int, d.max_sketch_iter as i64, "sketch steps per Newton system"))
            .param(ParamInfo::with_default("max_time", ValueKind::Float, 0.0, "wall-clock limit in seconds (0: none); the run then ends with status `time_limit`"))
            .param(ParamInfo::with_default("seed", ValueKind::Int, d.seed as i64, "seed of the sketches"))
            .param(ParamInfo::with_default("superlinear", ValueKind::Bool, false, "sharpen the accuracy condition, θ_k = min(θ, ‖∇L_k‖)"))
            .param(ParamInfo::with_default("trace", ValueKind::Bool, false, "return a per-iteration trace (kkt, f, alpha, mu, nu, sketch_iterations, flops, time, ...)"))
            .param(ParamInfo::with_default("linalg", ValueKind::Str, "auto", "`auto` (sparse when the problem is sparse or n + m > 800), `dense` or `sparse`"))
            .param(ParamInfo::with_default("dataset", ValueKind::Str, "breast_cancer_scale", "logreg: a LIBSVM file, by path or by name in `data_dir`"))
            .param(ParamInfo::with_default("data_dir", ValueKind::Str, "data/libsvm", "logreg: where data set names are looked up"))
            .param(ParamInfo::with_default("data_seed", ValueKind::Int, 2023i64, "logreg: seed of the random constraints A x = b"))
            .param(ParamInfo::with_default("linear_constraints", ValueKind::Int, LINEAR_CONSTRAINTS as i64, "logreg: rows of A"))
            .param(ParamInfo::optional("positive_label", ValueKind::Float, "logreg: the label mapped to +1 (default: +1 if labels are ±1, the larger of two labels, the smallest of several)"))
            .param(ParamInfo::with_default("grid", ValueKind::Int, 32i64, "pde: grid size N (n = 2N², m = N²)"))
            .param(ParamInfo::with_default("mu0", ValueKind::Float, d.mu0, "initial μ, the weight of ‖c‖² in the merit"))
            .param(ParamInfo::with_default("nu0", ValueKind::Float, d.nu0, "initial ν, the weight of ‖∇ₓL‖² in the merit"))
            .param(ParamInfo::with_default("delta0", ValueKind::Float, d.delta0, "initial accuracy δ"))
            .param(ParamInfo::with_default("delta_min", ValueKind::Float, d.delta_min, "floor of δ"))
            .param(ParamInfo::with_default("beta", ValueKind::Float, d.beta, "Armijo constant β in (0, 1/2)"))
            .param(ParamInfo::with_default("rho", ValueKind::Float, d.rho, "penalty update factor ρ > 1"))
            .param(ParamInfo::with_default("xi_b", ValueKind::Float, d.xi_b, "Hessian-modification constant ξ_B"))
            .param(ParamInfo::with_default("theta", ValueKind::Float, d.theta, "accuracy constant θ"))
            .param(ParamInfo::with_default("min_rel_residual", ValueKind::Float, d.min_rel_residual, "floor of the sketch accuracy target, relative to ‖∇L‖"))
            .param(ParamInfo::with_default("licq_tol", ValueKind::Float, d.licq_tol, "λ_min(GGᵀ) ≤ licq_tol·max(1, ‖G‖²_F) is treated as a rank-deficient Jacobian"))
            .param(ParamInfo::with_default("jacobian_regularization", ValueKind::Float, d.jacobian_regularization, "ε of the −εI block used when the Jacobian is rank deficient"))
            .param(ParamInfo::with_default("hessian_shift", ValueKind::Str, "frobenius", "`frobenius` (t = ξ_B + ‖∇²L‖_F, the authors' code) or `minimal` (dense path)"))]
    }
}

fn int_param(params: &Value, key: &str, min: i64) -> PluginResult<i64> {
    let v: i64 = from_value_field(params, key)?;
    if v < min {
        return Err(PluginError::bad_parameter(
            key,
            format!("must be at least {min}, got {v}"),
        ));
    }
    Ok(v)
}

fn options(params: &Value) -> PluginResult<Options> {
    let sketch_name: String = from_value_field(params, "sketch")?;
    let sketch = SketchKind::parse(&sketch_name).ok_or_else(|| {
        PluginError::bad_parameter("sketch", format!("unknown sketch `{sketch_name}`; use gaussian, kaczmarz, block, countsketch or direct"))
    })?;
    let linalg_name: String = from_value_field(params, "linalg")?;
    let linalg = match linalg_name.as_str() {
        "auto" => LinAlg::Auto,
        "dense" => LinAlg::Dense,
        "sparse" => LinAlg::Sparse,
        other => {
            return Err(PluginError::bad_parameter(
                "linalg",
                format!("unknown value `{other}`; use auto, dense or sparse"),
            ));
        }
    };
    let shift_name: String = from_value_field(params, "hessian_shift")?;
    let hessian_shift = match shift_name.as_str() {
        "frobenius" => HessianShift::Frobenius,
        "minimal" => HessianShift::Minimal,
        other => {
            return Err(PluginError::bad_parameter(
                "hessian_shift",
                format!("unknown value `{other}`; use frobenius or minimal"),
            ));
        }
    };
    let f = |key: &str| from_value_field::<f64>(params, key);
    let opts = Options {
        sketch,
        block_size: int_param(params, "block_size", 1)? as usize,
        tol: f("tol")?,
        max_iter: int_param(params, "max_iter", 0)? as usize,
        max_sketch_iter: int_param(params, "max_sketch_iter", 1)? as u64,
        seed: from_value_field::<i64>(params, "seed")? as u64,
        superlinear: from_value_field(params, "superlinear")?,
        mu0: f("mu0")?,
        nu0: f("nu0")?,
        delta0: f("delta0")?,
        delta_min: f("delta_min")?,
        beta: f("beta")?,
        rho: f("rho")?,
        xi_b: f("xi_b")?,
        theta: f("theta")?,
        min_rel_residual: f("min_rel_residual")?,
        licq_tol: f("licq_tol")?,
        jacobian_regularization: f("jacobian_regularization")?,
        hessian_shift,
        linalg,
        trace: from_value_field(params, "trace")?,
        max_time: f("max_time")?,
    };
    opts.validate()?;
    Ok(opts)
}

/// Finds a LIBSVM file: an existing path, or `<data_dir>/<name>` with or without `.svm`.
fn dataset_path(dataset: &str, data_dir: &str) -> PluginResult<PathBuf> {
    let direct = Path::new(dataset);
    if direct.is_file() {
        return Ok(direct.to_path_buf());
    }
    let dir = Path::new(data_dir);
    for candidate in [dir.join(dataset), dir.join(format!("{dataset}.svm"))] {
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    let available: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| {
                    e.file_name()
                        .to_str()
                        .and_then(|s| s.strip_suffix(".svm"))
                        .map(String::from)
                })
                .collect()
        })
        .unwrap_or_default();
    Err(PluginError::bad_parameter(
        "dataset",
        format!(
            "no file `{dataset}` (looked in the working directory and in `{data_dir}`{})",
            if available.is_empty() {
                String::new()
            } else {
                format!("; available: {}", available.join(", "))
            }
        ),
    ))
}

/// A library problem by name.
fn library_problem(name: &str, params: &Value) -> PluginResult<Box<dyn Problem + Send>> {
    match name {
        "logreg" => {
            let dataset: String = from_value_field(params, "dataset")?;
            let data_dir: String = from_value_field(params, "data_dir")?;
            let path = dataset_path(&dataset, &data_dir)?;
            let data = boundlab_libsvm::read_file(&path)
                .map_err(|e| PluginError::bad_parameter("dataset", e.to_string()))?;
            let positive: Option<f64> = params.get("positive_label").and_then(Value::as_f64);
            let seed = from_value_field::<i64>(params, "data_seed")? as u64;
            let linear = int_param(params, "linear_constraints", 0)? as usize;
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or(&dataset)
                .to_string();
            Ok(Box::new(LogReg::new(&stem, &data, positive, seed, linear)?))
        }
        "pde" => {
            let grid = int_param(params, "grid", 2)? as usize;
            Ok(Box::new(Pde::new(grid)?))
        }
        other if other.to_ascii_lowercase().starts_with("hs") => {
            Ok(Box::new(HsProblem::by_name(other)?))
        }
        other => Err(PluginError::bad_parameter(
            "problem",
            format!(
                "unknown problem `{other}`; use hs6..hs77 (see describe), logreg, pde, or a map"
            ),
        )),
    }
}

/// Progress, cancellation and warnings through the host.
struct HostMonitor<'h, 'a> {
    host: &'h HostRef<'a>,
}

impl Monitor for HostMonitor<'_, '_> {
    fn iteration(&mut self, k: usize, max_iter: usize, kkt: f64) -> PluginResult<()> {
        self.host.check_cancelled()?;
        self.host.report_progress(
            k as u64,
            max_iter as u64,
            &format!("iteration {k}, KKT {kkt:.3e}"),
        );
        Ok(())
    }
    fn poll(&mut self) -> PluginResult<()> {
        self.host.check_cancelled()
    }
    fn warn(&mut self, message: &str) {
        self.host.warn(message);
    }
}

fn create_solve(params: Value) -> PluginResult<Box<dyn Run>> {
    let opts = options(&params)?;
    let derivatives: DerivativeSource = from_value_field(&params, "derivatives")?;
    let problem_value = params.get("problem").cloned().unwrap_or_default();
    // Library problems are built (and their files read) now, so that bad input fails early.
    let library: Option<Box<dyn Problem + Send>> = match &problem_value {
        Value::Str(name) => Some(library_problem(name.as_str(), &params)?),
        Value::Map(_) => None,
        other => {
            return Err(PluginError::bad_parameter(
                "problem",
                format!("expected a problem name or a map, got {}", other.describe()),
            ));
        }
    };
    let mut library = library;
    Ok(Box::new(move |_input: Value, host: &HostRef<'_>| {
        let mut monitor = HostMonitor { host };
        let (outcome, name, n, m, calls) = match (&mut library, &problem_value) {
            (Some(p), _) => {
                let (name, n, m) = (p.name(), p.n(), p.m());
                (
                    solver::solve(p.as_mut(), &opts, &mut monitor)?,
                    name,
                    n,
                    m,
                    None,
                )
            }
            (None, Value::Map(map)) => {
                let mut p = ScriptProblem::new(host, map, derivatives)?;
                let (name, n, m) = (p.name(), p.n(), p.m());
                let out = solver::solve(&mut p, &opts, &mut monitor)?;
                (out, name, n, m, Some(p.calls))
            }
            (None, _) => unreachable!("checked in create"),
        };
        let mut result = ValueMap::new()
            .with("problem", name)
            .with("n", n)
            .with("m", m)
            .with("sketch", opts.sketch.name());
        if let Value::Map(fields) = to_value(&outcome) {
            for (k, v) in fields.iter() {
                result.insert(k, v.clone());
            }
        }
        if let Some(calls) = calls {
            result.insert("script_calls", calls as i64);
        }
        Ok(Value::Map(result))
    }))
}

boundlab_sdk::declare_plugin!(AlsketchPlugin);
