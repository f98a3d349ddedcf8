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
use boundlab_sphere_bounds::cdls::{CdlsSpec, Multiplier, cdls_bound, full_kernel};

use crate::bounds::{
    AutoPrecision, DdPrecision, Stopping, add_report, add_value, invalid_spec, pairs, run_bound,
};

/// How `sdp.game` proposes formulations.
#[derive(ParamEnum, Clone, Copy)]
enum StrategyName {
    Mcts,
    Bo,
    Random,
}

impl From<StrategyName> for Strategy {
    fn from(name: StrategyName) -> Self {
        match name {
            StrategyName::Mcts => Strategy::Mcts,
            StrategyName::Bo => Strategy::Bo,
            StrategyName::Random => Strategy::Random,
        }
    }
}

/// `sdp.game`'s parameters.
#[derive(Params)]
struct GameParams {
    /// `cohn_elkies`, `three_point_kissing` or `sphere_packing_3pt`
    target: String,
    /// dimension n
    #[param(ge = 1, le = 200)]
    dim: usize,
    /// SDP evaluations (the baseline is extra)
    #[param(default = 20, ge = 1, le = 100_000)]
    budget: usize,
    /// formulations evaluated at once (one batch of distinct proposals)
    #[param(default = 1, ge = 1, le = 4096)]
    workers: usize,
    /// seed of the search's random stream
    #[param(default = 0)]
    seed: u64,
    /// precision of every solve: `f64`, `dd`, `mp`, `auto`, or `default` (`dd` for sphere_packing_3pt, `auto` otherwise); `bits` and `max_bits` go in `bound_options`, where a `precision` also wins over this one
    #[param(default = "default")]
    precision: String,
    /// RON file written after every evaluation (default: the engine's checkpoint `game-<target>-n<dim>-s<seed>-<strategy>`)
    checkpoint: Option<String>,
    /// a checkpoint file to continue from (same target, options, strategy, seed and workers)
    resume: Option<String>,
    /// `mcts` (BO + tree search), `bo` (BO over the parameters, default blocks) or `random`
    #[param(default = StrategyName::Mcts)]
    strategy: StrategyName,
    /// tree-search simulations per proposal
    #[param(default = 300, ge = 1, le = 1_000_000)]
    simulations: usize,
    /// random evaluations before the models are used (the first with the default blocks)
    #[param(default = 3, ge = 1, le = 100_000)]
    initial: usize,
    /// exploitation of a batch's first proposal: blocks maximising −(μ − κσ) under the value model
    #[param(default = 1.0, ge = 0.0)]
    kappa: f64,
    /// the default formulation's degree, which sets the cost cap (cohn_elkies 12, three_point_kissing 4, sphere_packing_3pt 9)
    #[param(ge = 1, le = 200)]
    degree: Option<usize>,
    /// cohn_elkies: b base Laguerre functions L_0..L_{b-1} whose products L_i*L_j (1 <= i <= j, i + j <= max_degree) join the vocabulary (0: terms only; the paper's vocabulary has seven base polynomials)
    #[param(default = 0, le = 64)]
    base_polynomials: usize,
    /// the vocabulary's degree cap (cohn_elkies degree+4, three_point_kissing degree+1, sphere_packing_3pt degree+2)
    #[param(ge = 1, le = 200)]
    max_degree: Option<usize>,
    /// parameter ranges to override, e.g. #{ radius: [1.0, 1.4] }
    ranges: Option<ValueMap>,
    /// fixed parameters for every solve, e.g. #{ tol: 1e-9, two_point_degree: 24 }
    bound_options: Option<ValueMap>,
}

/// `sdp.sphere_packing_3pt`'s parameters.
#[derive(Params)]
pub(crate) struct CdlsParams {
    #[param(flatten)]
    precision: DdPrecision,
    /// dimension n
    dim: usize,
    /// three-point degree d3: the kernel basis functions (k, i) with 2i + k <= d3 (unless `kernel` is given)
    #[param(default = 9, le = 16)]
    degree: usize,
    /// minimal distance r of the packing
    #[param(default = 1.0)]
    r: f64,
    /// truncation radius R > r (default: CdLS Table 6.1's n = 4, degree 9 value)
    #[param(name = "R", default = 1.664634)]
    big_r: f64,
    /// kernel basis functions [[k, i], ...] of f3 (harmonic degree k, power |x|^{2i})
    kernel: Option<Vec<Vec<usize>>>,
    /// localising weights of the three-point sums of squares: x_shell, y_shell, distance, gram, shells, distance_gram, x_shell_distance, y_shell_distance (default the first four)
    multipliers: Option<Vec<String>>,
    /// degree d2 of f2's polynomial factor in |x|^2
    #[param(default = 24)]
    two_point_degree: usize,
    /// gamma in f3's Gaussian e^{-gamma pi (|x|^2+|y|^2)}, in [0.25, 4]
    #[param(default = 1.0)]
    kernel_gaussian: f64,
    /// degree of the Taylor polynomials standing in for the Gaussians in the mixed condition (default: the least with relative error below 1e-15)
    taylor_degree: Option<usize>,
    /// factor on the rescaled Laguerre samples of the two-point conditions
    #[param(default = boundlab_sphere_bounds::cohn_elkies::DEFAULT_SAMPLE_SCALE)]
    sample_scale: f64,
    #[param(flatten)]
    stopping: Stopping,
}

/// The specs of `sdp.game` and `sdp.sphere_packing_3pt` (appended to the plugin's list).
pub fn algorithms() -> Vec<AlgorithmSpec> {
    vec![
        AlgorithmSpec::new(
            "sdp.game",
            "The SDP game: Bayesian optimisation (Matérn-5/2 GP, expected improvement, constant-liar batches) over a bound formulation's continuous parameters driving Monte Carlo tree search (PUCT, value-model rollouts) over its building blocks; every formulation is solved by the bound's own algorithm id through the engine's batch workers.",
            create_game,
        )
        .params::<GameParams>(),
        AlgorithmSpec::new(
            "sdp.sphere_packing_3pt",
            "Cohn-de Laat-Salmon truncated three-point bound for the sphere packing density (f2: Laguerre polynomial times a Gaussian; f3: O(n)-invariant positive definite kernel, p3(|x|^2,|y|^2,<x,y>) e^{-gamma pi(|x|^2+|y|^2)}; sums of squares at sampled points).",
            create_cdls,
        )
        .params::<CdlsParams>(),
    ]
}

/// `sdp.sphere_packing_3pt`'s spec from its parameters.
pub(crate) fn cdls_spec(p: &CdlsParams) -> PluginResult<CdlsSpec> {
    let mut spec = CdlsSpec::new(p.dim, p.degree, p.big_r);
    spec.r = p.r;
    spec.two_point_degree = p.two_point_degree;
    spec.taylor_degree = p.taylor_degree;
    spec.kernel_gaussian = p.kernel_gaussian;
    spec.sample_scale = p.sample_scale;
    spec.kernel = match &p.kernel {
        None => full_kernel(p.degree),
        Some(lists) => pairs("kernel", lists.clone())?,
    };
    if let Some(names) = &p.multipliers {
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
    spec.validate().map_err(invalid_spec)?;

    Ok(spec)
}

fn create_cdls(params: Value) -> PluginResult<Box<dyn Run>> {
    let p = CdlsParams::decode(params)?;
    let spec = cdls_spec(&p)?;
    let settings = p.stopping.settings(p.precision.get()?)?;
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

fn game_setup(p: GameParams) -> PluginResult<GameSetup> {
    let precision = match p.precision.as_str() {
        "default" if p.target == "sphere_packing_3pt" => "dd",
        "default" => "auto",
        other => other,
    };
    let mut job_options = p.bound_options.unwrap_or_default();
    if !job_options.contains_key("precision") {
        job_options.insert("precision", precision);
    }
    // The precision every job will run in, checked here rather than in every job (the other
    // options are the bound's own, checked by its first job).
    AutoPrecision::take_from(&mut job_options.clone())
        .and_then(|precision| precision.get())
        .map_err(|e| e.context("in `bound_options` or `precision`"))?;
    let mut ranges = Vec::new();
    for (name, v) in p.ranges.unwrap_or_default().iter() {
        let r = <Vec<f64> as ParamValue>::from_param(v.clone())
            .map_err(|e| PluginError::bad_parameter("ranges", format!("{name}: {e}")))?;
        let [lo, hi] = r[..] else {
            return Err(PluginError::bad_parameter(
                "ranges",
                format!("{name}: expected [lo, hi], got {} numbers", r.len()),
            ));
        };
        ranges.push((name.to_string(), lo, hi));
    }
    let options = TargetOptions {
        dim: p.dim,
        degree: p.degree,
        max_degree: p.max_degree,
        base_polynomials: p.base_polynomials,
        ranges,
    };
    let target = make_target(&p.target, options).map_err(plugin_error)?;
    if !p.kappa.is_finite() {
        return Err(PluginError::bad_parameter(
            "kappa",
            format!("{} must be finite", p.kappa),
        ));
    }
    let config = SearchConfig {
        budget: p.budget,
        workers: p.workers,
        seed: p.seed,
        strategy: p.strategy.into(),
        simulations: p.simulations,
        initial: p.initial,
        kappa: p.kappa,
    };
    Ok(GameSetup {
        target,
        config,
        job_options,
        checkpoint: p.checkpoint,
        resume: p.resume,
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
    let setup = game_setup(GameParams::decode(params)?)?;
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
