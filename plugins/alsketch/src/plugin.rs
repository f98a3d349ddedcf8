//! The boundlab plugin layer: the `alsketch.solve` id, its parameters (declared once, in
//! [`SolveParams`]), the mapping of the numerics' [`Error`] to the engine's error kinds, and the
//! host adapter that reports progress and forwards cancellation.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use boundlab_sdk::prelude::*;

use crate::error::Error;
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
        vec![
            AlgorithmSpec::new("alsketch.solve", SOLVE_SUMMARY, create_solve)
                .params::<SolveParams>(),
        ]
    }
}

/// `alsketch.solve` parameters. The solver's own defaults are [`Options::default`]'s (the
/// authors' `Param.jl` unless noted there); its ranges are checked by [`Options::validate`].
#[derive(Params)]
struct SolveParams {
    /// a library name (`hs6`, `hs7`, `hs26`, `hs27`, `hs28`, `hs39`, `hs40`, `hs42`, `hs46`, `hs48`, `hs50`, `hs51`, `hs52`, `hs56`, `hs61`, `hs77`, `logreg`, `pde`) or a map #{ n, m, x0, f, c, grad, jac, hess, lambda0, name }
    problem: Value,
    /// script problems: derivatives not given as closures come from automatic differentiation (`auto`: falls back to finite differences with a warning when a closure uses an operation without a derivative rule; `exact`: that is an error) or `finite_differences`
    #[param(default = DerivativeSource::Auto)]
    derivatives: DerivativeSource,
    /// `gaussian`, `kaczmarz`, `block` (Gaussian block), `countsketch`, or `direct` (exact LU solve; the reference, not a sketch)
    #[param(default = SketchName::Gaussian)]
    sketch: SketchName,
    /// columns q of the block and count sketches
    #[param(default = Options::default().block_size)]
    block_size: usize,
    /// stop when ‖(∇f + Gᵀλ, c)‖₂ ≤ tol
    #[param(default = Options::default().tol)]
    tol: f64,
    /// outer (Newton) iterations
    #[param(default = Options::default().max_iter)]
    max_iter: usize,
    /// sketch steps per Newton system
    #[param(default = Options::default().max_sketch_iter)]
    max_sketch_iter: u64,
    /// wall-clock limit in seconds (0: none); the run then ends with status `time_limit`
    #[param(default = Options::default().max_time)]
    max_time: f64,
    /// seed of the sketches
    #[param(default = Options::default().seed)]
    seed: u64,
    /// sharpen the accuracy condition, θ_k = min(θ, ‖∇L_k‖)
    #[param(default = Options::default().superlinear)]
    superlinear: bool,
    /// return a per-iteration trace (kkt, f, alpha, mu, nu, sketch_iterations, flops, time, ...)
    #[param(default = Options::default().trace)]
    trace: bool,
    /// `auto` (sparse when the problem is sparse or n + m > 800), `dense` or `sparse`
    #[param(default = LinAlgName::Auto)]
    linalg: LinAlgName,
    /// logreg: a LIBSVM file, by path or by name in `data_dir`
    #[param(default = "breast_cancer_scale".to_string())]
    dataset: String,
    /// logreg: where data set names are looked up
    #[param(default = "data/libsvm".to_string())]
    data_dir: String,
    /// logreg: seed of the random constraints A x = b
    #[param(default = 2023)]
    data_seed: u64,
    /// logreg: rows of A
    #[param(default = LINEAR_CONSTRAINTS)]
    linear_constraints: usize,
    /// logreg: the label mapped to +1 (default: +1 if labels are ±1, the larger of two labels, the smallest of several)
    positive_label: Option<f64>,
    /// pde: grid size N (n = 2N², m = N²)
    #[param(default = 32)]
    grid: usize,
    /// initial μ, the weight of ‖c‖² in the merit
    #[param(default = Options::default().mu0)]
    mu0: f64,
    /// initial ν, the weight of ‖∇ₓL‖² in the merit
    #[param(default = Options::default().nu0)]
    nu0: f64,
    /// initial accuracy δ
    #[param(default = Options::default().delta0)]
    delta0: f64,
    /// floor of δ
    #[param(default = Options::default().delta_min)]
    delta_min: f64,
    /// Armijo constant β in (0, 1/2)
    #[param(default = Options::default().beta)]
    beta: f64,
    /// penalty update factor ρ > 1
    #[param(default = Options::default().rho)]
    rho: f64,
    /// Hessian-modification constant ξ_B
    #[param(default = Options::default().xi_b)]
    xi_b: f64,
    /// accuracy constant θ
    #[param(default = Options::default().theta)]
    theta: f64,
    /// floor of the sketch accuracy target, relative to ‖∇L‖
    #[param(default = Options::default().min_rel_residual)]
    min_rel_residual: f64,
    /// λ_min(GGᵀ) ≤ licq_tol·max(1, ‖G‖²_F) is treated as a rank-deficient Jacobian
    #[param(default = Options::default().licq_tol)]
    licq_tol: f64,
    /// ε of the −εI block used when the Jacobian is rank deficient
    #[param(default = Options::default().jacobian_regularization)]
    jacobian_regularization: f64,
    /// `frobenius` (t = ξ_B + ‖∇²L‖_F, the authors' code) or `minimal` (dense path)
    #[param(default = HessianShiftName::Frobenius)]
    hessian_shift: HessianShiftName,
}

/// The `sketch` choices.
#[derive(ParamEnum, Clone, Copy)]
enum SketchName {
    Gaussian,
    Kaczmarz,
    /// The Gaussian block sketch.
    Block,
    #[param(name = "countsketch")]
    CountSketch,
    /// An LU solve: the exact-Newton reference.
    Direct,
}

impl From<SketchName> for SketchKind {
    fn from(name: SketchName) -> Self {
        match name {
            SketchName::Gaussian => SketchKind::Gaussian,
            SketchName::Kaczmarz => SketchKind::Kaczmarz,
            SketchName::Block => SketchKind::BlockGaussian,
            SketchName::CountSketch => SketchKind::CountSketch,
            SketchName::Direct => SketchKind::Direct,
        }
    }
}

/// The `linalg` choices.
#[derive(ParamEnum, Clone, Copy)]
enum LinAlgName {
    Auto,
    Dense,
    Sparse,
}

impl From<LinAlgName> for LinAlg {
    fn from(name: LinAlgName) -> Self {
        match name {
            LinAlgName::Auto => LinAlg::Auto,
            LinAlgName::Dense => LinAlg::Dense,
            LinAlgName::Sparse => LinAlg::Sparse,
        }
    }
}

/// The `hessian_shift` choices.
#[derive(ParamEnum, Clone, Copy)]
enum HessianShiftName {
    Frobenius,
    Minimal,
}

impl From<HessianShiftName> for HessianShift {
    fn from(name: HessianShiftName) -> Self {
        match name {
            HessianShiftName::Frobenius => HessianShift::Frobenius,
            HessianShiftName::Minimal => HessianShift::Minimal,
        }
    }
}

impl SolveParams {
    /// The solver's options, range-checked.
    fn options(&self) -> PluginResult<Options> {
        let opts = Options {
            sketch: self.sketch.into(),
            block_size: self.block_size,
            tol: self.tol,
            max_iter: self.max_iter,
            max_sketch_iter: self.max_sketch_iter,
            seed: self.seed,
            superlinear: self.superlinear,
            mu0: self.mu0,
            nu0: self.nu0,
            delta0: self.delta0,
            delta_min: self.delta_min,
            beta: self.beta,
            rho: self.rho,
            xi_b: self.xi_b,
            theta: self.theta,
            min_rel_residual: self.min_rel_residual,
            licq_tol: self.licq_tol,
            jacobian_regularization: self.jacobian_regularization,
            hessian_shift: self.hessian_shift.into(),
            linalg: self.linalg.into(),
            trace: self.trace,
            max_time: self.max_time,
        };
        opts.validate()?;
        Ok(opts)
    }
}

/// The numerics' errors as the engine's kinds; a problem callback's own error comes back as it
/// was raised.
impl From<Error> for PluginError {
    fn from(e: Error) -> Self {
        match e {
            Error::BadInput { parameter, message } => {
                PluginError::bad_parameter(parameter, message)
            }
            Error::Numerical(message) => PluginError::numerical(message),
            Error::Infeasible(message) => PluginError::infeasible(message),
            Error::Internal(message) => PluginError::internal(message),
            stopped @ Error::Stopped(_) => {
                PluginError::new(ErrorKind::Cancelled, stopped.to_string())
            }
            Error::Callback(inner) => match inner.downcast::<PluginError>() {
                Ok(host_error) => *host_error,
                Err(other) => PluginError::internal(other.to_string()),
            },
        }
    }
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
fn library_problem(name: &str, params: &SolveParams) -> PluginResult<Box<dyn Problem + Send>> {
    match name {
        "logreg" => {
            let path = dataset_path(&params.dataset, &params.data_dir)?;
            let data = boundlab_libsvm::read_file(&path)
                .map_err(|e| PluginError::bad_parameter("dataset", e.to_string()))?;
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or(&params.dataset)
                .to_string();
            Ok(Box::new(LogReg::new(
                &stem,
                &data,
                params.positive_label,
                params.data_seed,
                params.linear_constraints,
            )?))
        }
        "pde" => Ok(Box::new(Pde::new(params.grid)?)),
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
    fn iteration(&mut self, k: usize, max_iter: usize, kkt: f64) -> ControlFlow<()> {
        self.poll()?;
        self.host.report_progress(
            k as u64,
            max_iter as u64,
            &format!("iteration {k}, KKT {kkt:.3e}"),
        );
        ControlFlow::Continue(())
    }
    fn poll(&mut self) -> ControlFlow<()> {
        match self.host.check_cancelled() {
            Ok(()) => ControlFlow::Continue(()),
            Err(_) => ControlFlow::Break(()),
        }
    }
    fn warn(&mut self, message: &str) {
        self.host.warn(message);
    }
}

/// What `problem` named: a library problem (built, and its files read, at create time so that
/// bad input fails early) or a script map (its closures need the host, so it is built per run).
enum Source {
    Library(Box<dyn Problem + Send>),
    Script(ValueMap),
}

fn create_solve(params: Value) -> PluginResult<Box<dyn Run>> {
    let params = SolveParams::decode(params)?;
    let opts = params.options()?;
    let derivatives = params.derivatives;
    let mut source = match &params.problem {
        Value::Str(name) => Source::Library(library_problem(name.as_str(), &params)?),
        Value::Map(map) => Source::Script(map.clone()),
        other => {
            return Err(PluginError::bad_parameter(
                "problem",
                format!("expected a problem name or a map, got {}", other.describe()),
            ));
        }
    };
    Ok(Box::new(move |_input: Value, host: &HostRef<'_>| {
        let mut monitor = HostMonitor { host };
        let (outcome, name, n, m, calls) = match &mut source {
            Source::Library(p) => {
                let (name, n, m) = (p.name(), p.n(), p.m());
                let out = solver::solve(p.as_mut(), &opts, &mut monitor)?;
                (out, name, n, m, None)
            }
            Source::Script(map) => {
                let mut p = ScriptProblem::new(host, map, derivatives)?;
                let (name, n, m) = (p.name(), p.n(), p.m());
                let out = solver::solve(&mut p, &opts, &mut monitor)?;
                (out, name, n, m, Some(p.calls))
            }
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
