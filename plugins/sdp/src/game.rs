//! The algorithm ids of the SDP game: `sdp.game` (the search) and `sdp.sphere_packing_3pt`
//! (the Cohn–de Laat–Salmon bound that the `sphere_packing_3pt` target solves). A thin layer:
//! parameters to settings, the search's services to host calls, results to maps.

use std::path::Path;

use boundlab_sdk::prelude::*;

use boundlab_sdp_game::GameError;
use boundlab_sdp_game::search::{
    Evaluation, GameState, JobFailure, JobResult, STATE_FORMAT, SearchConfig, SearchIo, Strategy,
    run_search, signature,
};
use boundlab_sdp_game::target::{Description, Job, Outcome, Target, TargetOptions, make_target};
use boundlab_sphere_bounds::cdls::{
    CdlsSpec, MAX_TAYLOR_DEGREE, Multiplier, cdls_bound, full_kernel,
};

use crate::bounds::{
    add_report, add_value, pair_list_field, precision_params, run_bound, settings,
};

/// The specs of `sdp.game` and `sdp.sphere_packing_3pt` (appended to the plugin's list).
pub fn algorithms() -> Vec<AlgorithmSpec> {
    vec![
        AlgorithmSpec::new(
            "sdp.game",
            "The SDP game: Bayesian optimisation (Matérn-5/2 GP, expected improvement, constant-liar batches) over a bound formulation's continuous parameters driving Monte Carlo tree search (PUCT, value-model rollouts) over its building blocks; every formulation is solved by the bound's own algorithm id through the engine's batch workers.",
            create_game,
        )
        .param(ParamInfo::required("target", ValueKind::Str, "`cohn_elkies`, `three_point_kissing` or `sphere_packing_3pt`"))
        .param(ParamInfo::required("dim", ValueKind::Int, "dimension n"))
        .param(ParamInfo::with_default("budget", ValueKind::Int, 20i64, "SDP evaluations (the baseline is extra)"))
        .param(ParamInfo::with_default("workers", ValueKind::Int, 1i64, "formulations evaluated at once (one batch of distinct proposals)"))
        .param(ParamInfo::with_default("seed", ValueKind::Int, 0i64, "seed of the search's random stream"))
        .param(ParamInfo::with_default("precision", ValueKind::Str, "default", "precision of every solve: `f64`, `dd`, `mp`, `auto`, or `default` (`dd` for sphere_packing_3pt, `auto` otherwise); `bits` and `max_bits` go in `bound_options`, where a `precision` also wins over this one"))
        .param(ParamInfo::optional("checkpoint", ValueKind::Str, "RON file written after every evaluation (default: the engine's checkpoint `game-<target>-n<dim>-s<seed>-<strategy>`)"))
        .param(ParamInfo::optional("resume", ValueKind::Str, "a checkpoint file to continue from (same target, options, strategy, seed and workers)"))
        .param(ParamInfo::with_default("strategy", ValueKind::Str, "mcts", "`mcts` (BO + tree search), `bo` (BO over the parameters, default blocks) or `random`"))
        .param(ParamInfo::with_default("simulations", ValueKind::Int, 300i64, "tree-search simulations per proposal"))
        .param(ParamInfo::with_default("initial", ValueKind::Int, 3i64, "random evaluations before the models are used (the first with the default blocks)"))
        .param(ParamInfo::with_default("kappa", ValueKind::Float, 1.0, "exploitation of a batch's first proposal: blocks maximising −(μ − κσ) under the value model"))
        .param(ParamInfo::optional("degree", ValueKind::Int, "the default formulation's degree, which sets the cost cap (cohn_elkies 12, three_point_kissing 4, sphere_packing_3pt 9)"))
        .param(ParamInfo::with_default("base_polynomials", ValueKind::Int, 0i64, "cohn_elkies: b base Laguerre functions L_0..L_{b-1} whose products L_i*L_j (1 <= i <= j, i + j <= max_degree) join the vocabulary (0: terms only; the paper's vocabulary has seven base polynomials)"))
        .param(ParamInfo::optional("max_degree", ValueKind::Int, "the vocabulary's degree cap (cohn_elkies degree+4, three_point_kissing degree+1, sphere_packing_3pt degree+2)"))
        .param(ParamInfo::optional("ranges", ValueKind::Map, "parameter ranges to override, e.g. #{ radius: [1.0, 1.4] }"))
        .param(ParamInfo::optional("bound_options", ValueKind::Map, "fixed parameters for every solve, e.g. #{ tol: 1e-9, two_point_degree: 24 }")),
        precision_params(AlgorithmSpec::new(
            "sdp.sphere_packing_3pt",
            "Cohn-de Laat-Salmon truncated three-point bound for the sphere packing density (f2: Laguerre polynomial times a Gaussian; f3: O(n)-invariant positive definite kernel, p3(|x|^2,|y|^2,<x,y>) e^{-gamma pi(|x|^2+|y|^2)}; sums of squares at sampled points).",
            create_cdls,
        ), "dd")
        .param(ParamInfo::required("dim", ValueKind::Int, "dimension n"))
        .param(ParamInfo::with_default("degree", ValueKind::Int, 9i64, "three-point degree d3: the kernel basis functions (k, i) with 2i + k <= d3 (unless `kernel` is given)"))
        .param(ParamInfo::with_default("r", ValueKind::Float, 1.0, "minimal distance r of the packing"))
        .param(ParamInfo::with_default("R", ValueKind::Float, 1.664634, "truncation radius R > r (default: CdLS Table 6.1's n = 4, degree 9 value)"))
        .param(ParamInfo::optional("kernel", ValueKind::List, "kernel basis functions [[k, i], ...] of f3 (harmonic degree k, power |x|^{2i})"))
        .param(ParamInfo::optional("multipliers", ValueKind::List, "localising weights of the three-point sums of squares: x_shell, y_shell, distance, gram, shells, distance_gram, x_shell_distance, y_shell_distance (default the first four)"))
        .param(ParamInfo::with_default("two_point_degree", ValueKind::Int, 24i64, "degree d2 of f2's polynomial factor in |x|^2"))
        .param(ParamInfo::with_default("kernel_gaussian", ValueKind::Float, 1.0, "gamma in f3's Gaussian e^{-gamma pi (|x|^2+|y|^2)}, in [0.25, 4]"))
        .param(ParamInfo::optional("taylor_degree", ValueKind::Int, "degree of the Taylor polynomials standing in for the Gaussians in the mixed condition (default: the least with relative error below 1e-15)"))
        .param(ParamInfo::with_default("sample_scale", ValueKind::Float, boundlab_sphere_bounds::cohn_elkies::DEFAULT_SAMPLE_SCALE, "factor on the rescaled Laguerre samples of the two-point conditions"))
        .param(ParamInfo::with_default("tol", ValueKind::Float, 1e-8, "relative gap and infeasibilities to stop at"))
        .param(ParamInfo::with_default("max_iter", ValueKind::Int, 200i64, "interior-point iteration limit"))
        .param(ParamInfo::with_default("threads", ValueKind::Int, 1i64, "threads for the dense kernels")),
    ]
}

fn int_field(params: &Value, key: &str, lo: i64, hi: i64) -> PluginResult<i64> {
    let v: i64 = from_value_field(params, key)?;
    if !(lo..=hi).contains(&v) {
        return Err(PluginError::bad_parameter(
            key,
            format!("{v} must lie in {lo}..={hi}"),
        ));
    }
    Ok(v)
}

fn opt_int(params: &Value, key: &str, lo: i64, hi: i64) -> PluginResult<Option<usize>> {
    match params.get(key) {
        None | Some(Value::Unit) => Ok(None),
        Some(_) => int_field(params, key, lo, hi).map(|v| Some(v as usize)),
    }
}

/// `sdp.sphere_packing_3pt`'s spec from its parameters.
pub fn cdls_spec(params: &Value) -> PluginResult<CdlsSpec> {
    let dim = int_field(params, "dim", 2, 32)? as usize;
    let degree = int_field(params, "degree", 0, 16)? as usize;
    let mut spec = CdlsSpec::new(dim, degree, from_value_field(params, "R")?);
    spec.r = from_value_field(params, "r")?;
    spec.two_point_degree = int_field(params, "two_point_degree", 1, 80)? as usize;
    spec.taylor_degree = opt_int(params, "taylor_degree", 1, MAX_TAYLOR_DEGREE as i64)?;
    spec.kernel_gaussian = from_value_field(params, "kernel_gaussian")?;
    spec.sample_scale = from_value_field(params, "sample_scale")?;
    spec.kernel = match params.get("kernel") {
        None | Some(Value::Unit) => full_kernel(degree),
        Some(_) => pair_list_field(params, "kernel")?,
    };
    if let Some(v) = params.get("multipliers")
        && !matches!(v, Value::Unit)
    {
        let names: Vec<String> = from_value_field(params, "multipliers")?;
        spec.multipliers = names
            .iter()
            .map(|n| {
                Multiplier::from_name(n).ok_or_else(|| {
                    let all: Vec<&str> = Multiplier::ALL.iter().map(|m| m.name()).collect();
                    PluginError::bad_parameter(
                        "multipliers",
                        format!("`{n}`: expected one of {all:?}"),
                    )
                })
            })
            .collect::<PluginResult<Vec<_>>>()?;
    }
    spec.validate().map_err(|e| {
        let head: String = e
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let key = match head.as_str() {
            "dim" | "r" | "R" | "kernel" | "two_point_degree" | "taylor_degree"
            | "kernel_gaussian" | "sample_scale" | "two_point_terms" => head,
            _ => "degree".into(),
        };
        PluginError::bad_parameter(&key, e)
    })?;
    Ok(spec)
}

fn create_cdls(params: Value) -> PluginResult<Box<dyn Run>> {
    let spec = cdls_spec(&params)?;
    let settings = settings(&params)?;
    Ok(Box::new(move |_input: Value, host: &HostRef<'_>| {
        let b = run_bound(
            host,
            &settings,
            "sdp.sphere_packing_3pt",
            |s, m| cdls_bound(&spec, s, m),
            |b| &b.report,
        )?;
        let mut m = ValueMap::new();
        add_value(&mut m, &b.value);
        m.insert("r", b.r);
        m.insert("R", b.big_r);
        m.insert("kernel_gaussian", spec.kernel_gaussian);
        m.insert("f2_at_0", b.f2_at_0);
        m.insert("f3_at_0", b.f3_at_0);
        add_report(&mut m, &b.report);
        Ok(Value::Map(m))
    }))
}

/// Everything `sdp.game` needs, read from its parameters.
struct GameSetup {
    target: Box<dyn Target>,
    config: SearchConfig,
    /// The parameters every job shares (`bound_options`, `precision`).
    job_options: ValueMap,
    checkpoint: Option<String>,
    resume: Option<String>,
}

/// The search's errors as the plugin reports them (a bad setting names the parameter).
fn plugin_error(e: GameError) -> PluginError {
    match e {
        GameError::BadSetting { name, message } => PluginError::bad_parameter(&name, message),
        GameError::Cancelled => PluginError::cancelled(),
        GameError::Internal(message) => PluginError::internal(message),
    }
}

/// The search's error type here: the host's errors pass through it unchanged.
struct SearchError(PluginError);

impl From<GameError> for SearchError {
    fn from(e: GameError) -> Self {
        SearchError(plugin_error(e))
    }
}

fn int_list(v: &[usize]) -> Value {
    Value::List(
        v.iter()
            .map(|&k| Value::Int(k as i64))
            .collect::<Vec<_>>()
            .into(),
    )
}

fn pair_list(v: &[(usize, usize)]) -> Value {
    Value::List(
        v.iter()
            .map(|&(i, j)| int_list(&[i, j]))
            .collect::<Vec<_>>()
            .into(),
    )
}

fn name_list<'a>(names: impl Iterator<Item = &'a str>) -> Value {
    Value::List(names.map(Value::from).collect::<Vec<_>>().into())
}

/// A job as parameters of its bound's algorithm: the shared options, then the job's own fields.
fn job_params(job: &Job, shared: &ValueMap) -> Value {
    let mut m = shared.clone();
    match job {
        Job::CohnElkies {
            dim,
            degree,
            radius,
            terms,
            products,
        } => {
            m.insert("dim", *dim as i64);
            m.insert("degree", *degree as i64);
            m.insert("radius", *radius);
            m.insert("terms", int_list(terms));
            if !products.is_empty() {
                m.insert("products", pair_list(products));
            }
        }
        Job::ThreePointKissing {
            dim,
            degree,
            sk,
            gegenbauer_terms,
            multipliers,
            grid_extra,
        } => {
            m.insert("dim", *dim as i64);
            m.insert("degree", *degree as i64);
            m.insert("sk", int_list(sk));
            m.insert("gegenbauer_terms", int_list(gegenbauer_terms));
            m.insert(
                "multipliers",
                name_list(multipliers.iter().map(|m| m.name())),
            );
            m.insert("grid_extra", *grid_extra as i64);
        }
        Job::SpherePacking3pt {
            dim,
            r,
            big_r,
            kernel,
            multipliers,
        } => {
            m.insert("dim", *dim as i64);
            m.insert("r", *r);
            m.insert("R", *big_r);
            m.insert("kernel", pair_list(kernel));
            m.insert(
                "multipliers",
                name_list(multipliers.iter().map(|m| m.name())),
            );
        }
    }
    Value::Map(m)
}

/// A bound algorithm's result as the search's outcome.
fn job_result(result: PluginResult<Value>) -> JobResult {
    match result {
        Ok(v) => {
            let text = |key: &str| v.get(key).and_then(Value::as_str).unwrap_or("").to_string();
            Ok(Outcome {
                status: text("status"),
                bound: v.get("bound").and_then(Value::as_f64).unwrap_or(f64::NAN),
                message: text("message"),
                seconds: v.get("seconds").and_then(Value::as_f64),
            })
        }
        Err(e) if e.kind == ErrorKind::Cancelled => Err(JobFailure::Cancelled),
        Err(e) => Err(JobFailure::Failed(format!(
            "{}: {}",
            e.kind.name(),
            e.message
        ))),
    }
}

fn description_value(d: &Description) -> Value {
    let mut m = ValueMap::new();
    for (name, v) in &d.params {
        m.insert(name.as_str(), *v);
    }
    for (group, names) in &d.groups {
        m.insert(*group, name_list(names.iter().map(String::as_str)));
    }
    Value::Map(m)
}

fn game_setup(params: &Value) -> PluginResult<GameSetup> {
    let target_name: String = from_value_field(params, "target")?;
    let dim = int_field(params, "dim", 1, 200)? as usize;
    let strategy_name: String = from_value_field(params, "strategy")?;
    let strategy = Strategy::parse(&strategy_name).ok_or_else(|| {
        PluginError::bad_parameter(
            "strategy",
            format!("`{strategy_name}`: expected `mcts`, `bo` or `random`"),
        )
    })?;
    let mut precision: String = from_value_field(params, "precision")?;
    if precision == "default" {
        precision = if target_name == "sphere_packing_3pt" {
            "dd"
        } else {
            "auto"
        }
        .into();
    }
    let mut job_options = match params.get("bound_options") {
        Some(Value::Map(m)) => m.clone(),
        _ => ValueMap::new(),
    };
    if !job_options.contains_key("precision") {
        job_options.insert("precision", precision.as_str());
    }
    // The precision every job will run in, checked here rather than in every job.
    crate::bounds::precision(&Value::Map(job_options.clone()))
        .map_err(|e| e.context("in `bound_options` or `precision`"))?;
    let mut ranges = Vec::new();
    if let Some(Value::Map(m)) = params.get("ranges") {
        for (name, v) in m.iter() {
            let r: Vec<f64> = from_value(v.clone())
                .map_err(|e| PluginError::bad_parameter("ranges", format!("{name}: {e}")))?;
            if r.len() != 2 {
                return Err(PluginError::bad_parameter(
                    "ranges",
                    format!("{name}: expected [lo, hi], got {} numbers", r.len()),
                ));
            }
            ranges.push((name.to_string(), r[0], r[1]));
        }
    }
    let options = TargetOptions {
        dim,
        degree: opt_int(params, "degree", 1, 200)?,
        max_degree: opt_int(params, "max_degree", 1, 200)?,
        base_polynomials: int_field(params, "base_polynomials", 0, 64)? as usize,
        ranges,
    };
    let target = make_target(&target_name, options).map_err(plugin_error)?;
    let kappa: f64 = from_value_field(params, "kappa")?;
    if !(kappa >= 0.0 && kappa.is_finite()) {
        return Err(PluginError::bad_parameter(
            "kappa",
            format!("{kappa} must be >= 0"),
        ));
    }
    let config = SearchConfig {
        budget: int_field(params, "budget", 1, 100_000)? as usize,
        workers: int_field(params, "workers", 1, 4096)? as usize,
        seed: int_field(params, "seed", 0, i64::MAX)? as u64,
        strategy,
        simulations: int_field(params, "simulations", 1, 1_000_000)? as usize,
        initial: int_field(params, "initial", 1, 100_000)? as usize,
        kappa,
    };
    let path = |key: &str| -> PluginResult<Option<String>> {
        match params.get(key) {
            Some(Value::Str(s)) => Ok(Some(s.to_string())),
            None | Some(Value::Unit) => Ok(None),
            Some(other) => Err(PluginError::bad_parameter(
                key,
                format!("expected a file name, got {}", other.describe()),
            )),
        }
    };
    Ok(GameSetup {
        target,
        config,
        job_options,
        checkpoint: path("checkpoint")?,
        resume: path("resume")?,
    })
}

/// Reads a checkpoint file (the RON this algorithm or the engine writes).
pub fn read_state(path: &str) -> PluginResult<GameState> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| PluginError::bad_parameter("resume", format!("cannot read `{path}`: {e}")))?;
    let value: Value = ron::from_str(&text).map_err(|e| {
        PluginError::bad_parameter(
            "resume",
            format!(
                "{path}: line {}, column {}: {}",
                e.span.start.line, e.span.start.col, e.code
            ),
        )
    })?;
    let state: GameState = from_value(value)
        .map_err(|e| PluginError::bad_parameter("resume", format!("{path}: {e}")))?;
    if state.format != STATE_FORMAT {
        return Err(PluginError::bad_parameter(
            "resume",
            format!(
                "{path}: format `{}`, expected `{STATE_FORMAT}`",
                state.format
            ),
        ));
    }
    Ok(state)
}

/// Writes the state as RON through a temporary file and a rename.
pub fn write_state(path: &str, state: &GameState) -> PluginResult<()> {
    let text = ron::ser::to_string_pretty(&to_value(state), ron::ser::PrettyConfig::default())
        .map_err(|e| PluginError::internal(format!("cannot encode the checkpoint: {e}")))?;
    let target = Path::new(path);
    if let Some(dir) = target.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|e| {
            PluginError::bad_parameter(
                "checkpoint",
                format!("cannot create {}: {e}", dir.display()),
            )
        })?;
    }
    let tmp = format!("{path}.tmp");
    std::fs::write(&tmp, text)
        .and_then(|_| std::fs::rename(&tmp, target))
        .map_err(|e| {
            PluginError::bad_parameter("checkpoint", format!("cannot write `{path}`: {e}"))
        })
}

fn create_game(params: Value) -> PluginResult<Box<dyn Run>> {
    let setup = game_setup(&params)?;
    let sig = signature(setup.target.as_ref(), &setup.config);
    let initial_state = match &setup.resume {
        Some(path) => {
            let state = read_state(path)?;
            if state.signature != sig {
                return Err(PluginError::bad_parameter(
                    "resume",
                    format!(
                        "{path} is a different search: it has `{}`, these parameters give `{sig}`",
                        state.signature
                    ),
                ));
            }
            state
        }
        None => GameState::new(sig),
    };
    Ok(Box::new(move |_input: Value, host: &HostRef<'_>| {
        let target = setup.target.as_ref();
        let config = &setup.config;
        let mut state = initial_state.clone();
        let started = std::time::Instant::now();
        let key = format!(
            "game-{}-n{}-s{}-{}",
            target.name(),
            target.dim(),
            config.seed,
            config.strategy.name()
        );
        let mut evaluate = |jobs: Vec<Job>| {
            let params = jobs
                .iter()
                .map(|j| job_params(j, &setup.job_options))
                .collect();
            host.run_batch(target.algorithm_id(), params)
                .map(|results| results.into_iter().map(job_result).collect())
                .map_err(SearchError)
        };
        let mut save = |s: &GameState| {
            match &setup.checkpoint {
                Some(path) => write_state(path, s),
                None => host.save_checkpoint(&key, to_value(s)),
            }
            .map_err(SearchError)
        };
        let mut progress = |done: usize, total: usize, best: Option<f64>| {
            let msg = match best {
                Some(b) => format!("sdp.game: {done}/{total} evaluations, best bound {b:.10}"),
                None => format!("sdp.game: {done}/{total} evaluations, no bound yet"),
            };
            host.report_progress(done as u64, total as u64, &msg);
        };
        let cancelled = || host.cancelled();
        run_search(
            target,
            config,
            &mut state,
            SearchIo {
                evaluate: &mut evaluate,
                save: &mut save,
                progress: &mut progress,
                cancelled: &cancelled,
            },
        )
        .map_err(|SearchError(e)| e)?;
        Ok(game_result(
            target,
            &setup.job_options,
            config,
            &state,
            started.elapsed().as_secs_f64(),
        ))
    }))
}

fn formulation_value(target: &dyn Target, job_options: &ValueMap, e: &Evaluation) -> Value {
    Value::Map(
        ValueMap::new()
            .with("id", target.algorithm_id())
            .with(
                "params",
                job_params(&target.job(&e.params, &e.blocks), job_options),
            )
            .with("key", e.key.as_str())
            .with(
                "formulation",
                description_value(&target.describe(&e.params, &e.blocks)),
            ),
    )
}

fn game_result(
    target: &dyn Target,
    job_options: &ValueMap,
    config: &SearchConfig,
    state: &GameState,
    seconds: f64,
) -> Value {
    let history: Vec<Value> = state
        .history
        .iter()
        .map(|e| {
            Value::Map(
                ValueMap::new()
                    .with("index", e.index as i64)
                    .with("key", e.key.as_str())
                    .with("bound", e.bound.unwrap_or(f64::NAN))
                    .with("status", e.status.as_str())
                    .with("seconds", e.seconds)
                    .with("message", e.message.as_str()),
            )
        })
        .collect();
    let mut m = ValueMap::new()
        .with("target", target.name())
        .with("dim", target.dim() as i64)
        .with("strategy", config.strategy.name())
        .with("seed", config.seed as i64)
        .with("workers", config.workers as i64)
        .with("evaluations", state.history.len() as i64)
        .with("history", Value::List(history.into()))
        .with("best_so_far", state.best_so_far())
        .with("seconds", seconds);
    match state.best() {
        Some((i, b)) => {
            m.insert("best_bound", b);
            m.insert("best_index", i as i64);
            m.insert(
                "best_formulation",
                formulation_value(target, job_options, &state.history[i]),
            );
        }
        None => {
            m.insert("best_bound", f64::NAN);
            m.insert("best_index", -1i64);
        }
    }
    if let Some(b) = &state.baseline {
        m.insert("baseline_bound", b.bound.unwrap_or(f64::NAN));
        m.insert("baseline_status", b.status.as_str());
        m.insert(
            "baseline_formulation",
            formulation_value(target, job_options, b),
        );
        // Evaluations the search needed to match the baseline (−1: never).
        let reached = b.bound.and_then(|base| {
            state
                .history
                .iter()
                .position(|e| e.bound.is_some_and(|v| v <= base * (1.0 + 1e-9)))
        });
        m.insert(
            "evaluations_to_baseline",
            reached.map_or(-1, |i| i as i64 + 1),
        );
    }
    Value::Map(m)
}
