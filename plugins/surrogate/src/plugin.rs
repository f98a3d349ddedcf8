//! The boundlab plugin layer: algorithm ids, parameter schemas, and conversion to [`Value`].
//!
//! `surrogate.sso`, `surrogate.sgd`, `surrogate.sls`, `surrogate.adam` train a model on a data
//! set (a LIBSVM file or `x`/`y` given directly); `surrogate.imitation` runs the online
//! imitation-learning task with any of the four optimisers.

use std::path::Path;

use rand::SeedableRng;
use serde::Deserialize;

use boundlab_sdk::prelude::*;

use crate::data::Dataset;
use crate::imitation::{self, ImitationConfig, LqSystem};
use crate::loss::Loss;
use crate::model::Model;
use crate::optim::{Adam, Optimizer, Sgd, Sls, linear_sgd_step};
use crate::problem::{Batch, Objective};
use crate::sso::{EtaRule, InnerSolver, Sso, SsoConfig};
use crate::train::{TrainConfig, train};

/// The `surrogate` plugin.
pub struct SurrogatePlugin;

impl Plugin for SurrogatePlugin {
    const NAME: &'static str = "surrogate";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    fn algorithms() -> Vec<AlgorithmSpec> {
        vec![
            sso_params(supervised_params(AlgorithmSpec::new(
                "surrogate.sso",
                "Stochastic surrogate optimisation (target-space surrogate, m cheap inner steps per expensive gradient); full batch = majorisation-minimisation.",
                |p| create_supervised(Algo::Sso, p),
            ))),
            lr_param(
                supervised_params(AlgorithmSpec::new("surrogate.sgd", "Mini-batch SGD, constant or decreasing step (baseline on the same oracle counter).", |p| {
                    create_supervised(Algo::Sgd, p)
                })),
                "step size; default (linear model) 1/L with L = β·λmax(DᵀD/n) + l2",
            )
            .param(ParamInfo::with_default("lr_rule", ValueKind::Str, "constant", "`constant` or `decreasing` (lr/√(1+epoch))")),
            sls_params(supervised_params(AlgorithmSpec::new(
                "surrogate.sls",
                "Stochastic line search: Armijo backtracking on the mini-batch loss (Vaswani et al. 2019).",
                |p| create_supervised(Algo::Sls, p),
            ))),
            adam_params(supervised_params(AlgorithmSpec::new("surrogate.adam", "Adam on mini-batches (baseline on the same oracle counter).", |p| {
                create_supervised(Algo::Adam, p)
            }))),
            imitation_spec(),
        ]
    }
}

boundlab_sdk::declare_plugin!(SurrogatePlugin);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Algo {
    Sso,
    Sgd,
    Sls,
    Adam,
}

impl Algo {
    fn parse(name: &str) -> PluginResult<Self> {
        match name {
            "sso" => Ok(Algo::Sso),
            "sgd" | "ogd" => Ok(Algo::Sgd),
            "sls" => Ok(Algo::Sls),
            "adam" => Ok(Algo::Adam),
            other => Err(PluginError::bad_parameter(
                "optimizer",
                format!("unknown optimiser `{other}`; expected `sso`, `sgd`, `sls` or `adam`"),
            )),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Algo::Sso => "sso",
            Algo::Sgd => "sgd",
            Algo::Sls => "sls",
            Algo::Adam => "adam",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Schemas

fn supervised_params(spec: AlgorithmSpec) -> AlgorithmSpec {
    use ValueKind::*;
    spec.param(ParamInfo::optional(
        "dataset",
        Str,
        "path of a LIBSVM file (e.g. data/libsvm/wine_scale.svm); or give `x` and `y`",
    ))
    .param(ParamInfo::optional(
        "x",
        Matrix,
        "features, one row per example (instead of `dataset`)",
    ))
    .param(ParamInfo::optional(
        "y",
        Vector,
        "labels or regression targets (with `x`)",
    ))
    .param(ParamInfo::with_default(
        "regression",
        Bool,
        false,
        "squared loss on the raw labels instead of class encodings",
    ))
    .param(ParamInfo::with_default(
        "loss",
        Str,
        "cross_entropy",
        "`squared`, `logistic` (two classes) or `cross_entropy`",
    ))
    .param(ParamInfo::with_default(
        "model",
        Str,
        "linear",
        "`linear` or `mlp` (one tanh hidden layer)",
    ))
    .param(ParamInfo::with_default(
        "hidden",
        Int,
        32i64,
        "hidden units of the MLP",
    ))
    .param(ParamInfo::with_default(
        "bias",
        Bool,
        true,
        "linear model with an intercept",
    ))
    .param(ParamInfo::with_default(
        "l2",
        Float,
        0.0,
        "ridge weight λ in (λ/2)‖θ‖², all parameters",
    ))
    .param(ParamInfo::with_default(
        "batch_size",
        Int,
        32i64,
        "examples per outer step; 0 = full batch",
    ))
    .param(ParamInfo::with_default(
        "epochs",
        Float,
        10.0,
        "passes over the data (when `outer_steps` is 0)",
    ))
    .param(ParamInfo::with_default(
        "outer_steps",
        Int,
        0i64,
        "expensive gradient calls to make; 0 = use `epochs`",
    ))
    .param(ParamInfo::with_default(
        "seed",
        Int,
        0i64,
        "seed of the batch order and the MLP initialisation",
    ))
    .param(ParamInfo::with_default(
        "trace_every",
        Int,
        0i64,
        "outer steps between trace points; 0 = once per epoch",
    ))
    .param(ParamInfo::optional(
        "target_loss",
        Float,
        "stop at the first trace point with full loss ≤ this",
    ))
    .param(ParamInfo::with_default(
        "return_params",
        Bool,
        false,
        "include the final parameters θ in the result",
    ))
}

fn sso_params(spec: AlgorithmSpec) -> AlgorithmSpec {
    use ValueKind::*;
    spec.param(ParamInfo::with_default(
        "inner_steps",
        Int,
        10i64,
        "inner steps m per expensive gradient",
    ))
    .param(ParamInfo::with_default(
        "eta",
        Float,
        0.0,
        "target step η per example (z ← z − η∇ℓ); 0 = 1/β of the loss",
    ))
    .param(ParamInfo::with_default(
        "eta_rule",
        Str,
        "constant",
        "`constant`, `decreasing` (η/√(1+epoch)), `armijo` (target-space line search) or `armijo_decreasing`",
    ))
    .param(ParamInfo::with_default(
        "inner",
        Str,
        "armijo",
        "inner solver: `armijo`, `gd` or `exact` (linear models)",
    ))
    .param(ParamInfo::optional(
        "inner_lr",
        Float,
        "inner GD step; default (linear) 1/smoothness of the surrogate",
    ))
    .param(ParamInfo::with_default(
        "armijo_c",
        Float,
        0.5,
        "sufficient-decrease constant of the line searches",
    ))
    .param(ParamInfo::with_default(
        "inner_tol",
        Float,
        1e-6,
        "stop the inner loop at ‖∇ℓ_t‖ ≤ tol·‖∇ℓ_t(θ_t)‖",
    ))
}

fn lr_param(spec: AlgorithmSpec, doc: &str) -> AlgorithmSpec {
    spec.param(ParamInfo::optional("lr", ValueKind::Float, doc))
}

fn sls_params(spec: AlgorithmSpec) -> AlgorithmSpec {
    spec.param(ParamInfo::with_default(
        "armijo_c",
        ValueKind::Float,
        0.5,
        "sufficient-decrease constant c",
    ))
    .param(ParamInfo::with_default(
        "initial_step",
        ValueKind::Float,
        1.0,
        "first trial step",
    ))
}

fn adam_params(spec: AlgorithmSpec) -> AlgorithmSpec {
    spec.param(ParamInfo::with_default(
        "lr",
        ValueKind::Float,
        1e-3,
        "step size α (β1 = 0.9, β2 = 0.999, ε = 1e-8)",
    ))
}

fn imitation_spec() -> AlgorithmSpec {
    use ValueKind::*;
    let spec = AlgorithmSpec::new(
        "surrogate.imitation",
        "Online imitation learning (DAgger-style) of the LQR expert on a linearised cart-pole, with SSO or a baseline.",
        create_imitation,
    )
    .param(ParamInfo::with_default("optimizer", Str, "sso", "`sso`, `sgd` (online gradient descent), `sls` or `adam`"))
    .param(ParamInfo::with_default("model", Str, "linear", "policy: `linear` (u = Wᵀx) or `mlp`"))
    .param(ParamInfo::with_default("hidden", Int, 32i64, "hidden units of the MLP policy"))
    .param(ParamInfo::with_default("rounds", Int, 50i64, "rounds = expensive gradient calls"))
    .param(ParamInfo::with_default("samples_per_round", Int, 100i64, "environment steps (expert labels) per round"))
    .param(ParamInfo::with_default("horizon", Int, 200i64, "episode length in steps"))
    .param(ParamInfo::with_default("dt", Float, 0.05, "time step of the Euler discretisation (s)"))
    .param(ParamInfo::with_default("mixing", Float, 0.0, "DAgger β: probability of executing the expert's action"))
    .param(ParamInfo::with_default("noise", Float, 0.01, "process noise standard deviation"))
    .param(ParamInfo::with_default("init_std", Float, 0.1, "initial state standard deviation"))
    .param(ParamInfo::with_default("eval_episodes", Int, 10i64, "fixed evaluation episodes per round"))
    .param(ParamInfo::with_default("l2", Float, 0.0, "ridge weight on the policy parameters"))
    .param(ParamInfo::with_default("seed", Int, 0i64, "seed of the environment noise and initial states"))
    .param(ParamInfo::with_default("return_params", Bool, false, "include the final policy parameters"));
    let spec = sso_params(spec);
    spec.param(ParamInfo::optional(
        "lr",
        Float,
        "step of `sgd` (required) and `adam` (default 1e-3)",
    ))
    .param(ParamInfo::with_default(
        "lr_rule",
        Str,
        "constant",
        "`sgd`: `constant` or `decreasing` (lr/√(1+round))",
    ))
    .param(ParamInfo::with_default(
        "initial_step",
        Float,
        1.0,
        "first trial step of `sls`",
    ))
}

// ---------------------------------------------------------------------------------------------
// Parameters

/// Parameters shared by all algorithms; algorithm-specific ones are `Option`.
#[derive(Deserialize, Debug)]
struct Params {
    dataset: Option<String>,
    #[serde(default)]
    regression: bool,
    #[serde(default = "default_loss")]
    loss: String,
    model: String,
    hidden: i64,
    #[serde(default)]
    bias: bool,
    l2: f64,
    #[serde(default)]
    batch_size: i64,
    #[serde(default)]
    epochs: f64,
    #[serde(default)]
    outer_steps: i64,
    seed: i64,
    #[serde(default)]
    trace_every: i64,
    target_loss: Option<f64>,
    return_params: bool,
    inner_steps: Option<i64>,
    eta: Option<f64>,
    eta_rule: Option<String>,
    inner: Option<String>,
    inner_lr: Option<f64>,
    armijo_c: Option<f64>,
    inner_tol: Option<f64>,
    lr: Option<f64>,
    lr_rule: Option<String>,
    initial_step: Option<f64>,
    // imitation
    optimizer: Option<String>,
    rounds: Option<i64>,
    samples_per_round: Option<i64>,
    horizon: Option<i64>,
    dt: Option<f64>,
    mixing: Option<f64>,
    noise: Option<f64>,
    init_std: Option<f64>,
    eval_episodes: Option<i64>,
}

fn default_loss() -> String {
    "squared".into()
}

fn count(name: &str, v: i64, min: i64) -> PluginResult<usize> {
    if v < min {
        return Err(PluginError::bad_parameter(
            name,
            format!("must be at least {min}, got {v}"),
        ));
    }
    if v > 1_000_000_000 {
        return Err(PluginError::bad_parameter(
            name,
            format!("{v} is too large (limit 1e9)"),
        ));
    }
    Ok(v as usize)
}

/// Caps sizes that allocate memory or run without a cancellation check in between.
fn at_most(name: &str, v: usize, max: usize) -> PluginResult<usize> {
    if v > max {
        return Err(PluginError::bad_parameter(
            name,
            format!("{v} is above the limit {max}"),
        ));
    }
    Ok(v)
}

fn positive(name: &str, v: f64) -> PluginResult<f64> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(PluginError::bad_parameter(
            name,
            format!("must be a positive finite number, got {v}"),
        ))
    }
}

fn nonnegative(name: &str, v: f64) -> PluginResult<f64> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(PluginError::bad_parameter(
            name,
            format!("must be ≥ 0 and finite, got {v}"),
        ))
    }
}

fn unit_interval(name: &str, v: f64, open: bool) -> PluginResult<f64> {
    let ok = if open {
        v > 0.0 && v < 1.0
    } else {
        (0.0..=1.0).contains(&v)
    };
    if ok {
        Ok(v)
    } else {
        Err(PluginError::bad_parameter(
            name,
            format!(
                "must lie in {}, got {v}",
                if open { "(0, 1)" } else { "[0, 1]" }
            ),
        ))
    }
}

fn seed(v: i64) -> PluginResult<u64> {
    u64::try_from(v)
        .map_err(|_| PluginError::bad_parameter("seed", format!("must be ≥ 0, got {v}")))
}

/// Builds the optimiser of `algo` from the parameters; `auto_lr` gives SGD's default step.
fn build_optimizer(
    algo: Algo,
    p: &Params,
    objective: &Objective,
    auto_lr: impl FnOnce() -> PluginResult<f64>,
) -> PluginResult<(Box<dyn Optimizer>, ValueMap)> {
    let mut settings = ValueMap::new();
    let optimizer: Box<dyn Optimizer> = match algo {
        Algo::Sso => {
            let m = at_most(
                "inner_steps",
                count("inner_steps", p.inner_steps.unwrap_or(10), 1)?,
                100_000,
            )?;
            let eta = match nonnegative("eta", p.eta.unwrap_or(0.0))? {
                0.0 => 1.0 / objective.loss.smoothness(),
                e => e,
            };
            let eta_rule = EtaRule::parse(p.eta_rule.as_deref().unwrap_or("constant"))?;
            let inner_lr = p.inner_lr.map(|v| positive("inner_lr", v)).transpose()?;
            let inner = InnerSolver::parse(p.inner.as_deref().unwrap_or("armijo"), inner_lr)?;
            let is_linear = matches!(objective.model, Model::Linear { .. });
            if !is_linear && inner == (InnerSolver::Gd { lr: None }) {
                return Err(PluginError::bad_parameter(
                    "inner_lr",
                    "inner `gd` on the MLP needs an explicit step (or use inner `armijo`)",
                ));
            }
            if !is_linear && inner == InnerSolver::Exact {
                return Err(PluginError::bad_parameter(
                    "inner",
                    "`exact` needs the linear model; use `armijo` or `gd` for the MLP",
                ));
            }
            let armijo_c = unit_interval("armijo_c", p.armijo_c.unwrap_or(0.5), true)?;
            let inner_tol = nonnegative("inner_tol", p.inner_tol.unwrap_or(1e-6))?;
            settings.insert("inner_steps", m);
            settings.insert("eta", eta);
            settings.insert(
                "eta_rule",
                p.eta_rule.clone().unwrap_or_else(|| "constant".into()),
            );
            settings.insert("inner", p.inner.clone().unwrap_or_else(|| "armijo".into()));
            Box::new(Sso::new(SsoConfig {
                eta,
                eta_rule,
                inner_steps: m,
                inner,
                armijo_c,
                inner_tol,
            }))
        }
        Algo::Sgd => {
            let lr = match p.lr {
                Some(v) => positive("lr", v)?,
                None if matches!(objective.model, Model::Linear { .. }) => auto_lr()?,
                None => {
                    return Err(PluginError::bad_parameter(
                        "lr",
                        "SGD on the MLP needs an explicit step size",
                    ));
                }
            };
            let decreasing = match p.lr_rule.as_deref().unwrap_or("constant") {
                "constant" => false,
                "decreasing" => true,
                other => {
                    return Err(PluginError::bad_parameter(
                        "lr_rule",
                        format!("unknown rule `{other}`; expected `constant` or `decreasing`"),
                    ));
                }
            };
            settings.insert("lr", lr);
            settings.insert(
                "lr_rule",
                if decreasing { "decreasing" } else { "constant" },
            );
            Box::new(Sgd::new(lr, decreasing))
        }
        Algo::Sls => {
            let c = unit_interval("armijo_c", p.armijo_c.unwrap_or(0.5), true)?;
            let s0 = positive("initial_step", p.initial_step.unwrap_or(1.0))?;
            settings.insert("armijo_c", c);
            Box::new(Sls::new(c, s0))
        }
        Algo::Adam => {
            let lr = positive("lr", p.lr.unwrap_or(1e-3))?;
            settings.insert("lr", lr);
            Box::new(Adam::new(lr, objective.model.n_params()))
        }
    };
    Ok((optimizer, settings))
}

// ---------------------------------------------------------------------------------------------
// Supervised training

fn load_data(params: &Value, p: &Params, loss: Loss) -> PluginResult<Dataset> {
    let x = params.get("x").filter(|v| !matches!(v, Value::Unit));
    let y = params.get("y").filter(|v| !matches!(v, Value::Unit));
    match (p.dataset.as_deref().filter(|s| !s.is_empty()), x, y) {
        (Some(path), None, None) => {
            let raw = boundlab_libsvm::read_file(Path::new(path))
                .map_err(|e| PluginError::bad_parameter("dataset", e.to_string()))?;
            Dataset::from_libsvm(&raw, loss, p.regression, path)
        }
        (None, Some(x), Some(y)) => {
            let x = x
                .try_to_dense_matrix()
                .map_err(|why| PluginError::bad_parameter("x", why))?;
            let y = y
                .to_f64_vec()
                .ok_or_else(|| PluginError::bad_parameter("y", "expected a vector of numbers"))?;
            let xm = faer::Mat::from_fn(x.nrows(), x.ncols(), |i, j| x.get(i, j));
            Dataset::from_dense(xm, &y, loss, p.regression, "x/y")
        }
        (Some(_), _, _) => Err(PluginError::bad_parameter(
            "dataset",
            "give either `dataset` or `x` and `y`, not both",
        )),
        (None, Some(_), None) => Err(PluginError::bad_parameter("y", "is required with `x`")),
        (None, None, Some(_)) => Err(PluginError::bad_parameter("x", "is required with `y`")),
        (None, None, None) => Err(PluginError::bad_parameter(
            "dataset",
            "is required (a LIBSVM file), or give `x` and `y`",
        )),
    }
}

fn create_supervised(algo: Algo, params: Value) -> PluginResult<Box<dyn Run>> {
    let p: Params = from_value(params.clone())?;
    // validate everything that does not need the data before running
    let loss = Loss::parse(&p.loss)?;
    let hidden = at_most("hidden", count("hidden", p.hidden, 1)?, 100_000)?;
    let l2 = nonnegative("l2", p.l2)?;
    let batch_size = count("batch_size", p.batch_size, 0)?;
    let outer_steps = count("outer_steps", p.outer_steps, 0)?;
    let epochs = if outer_steps == 0 {
        positive("epochs", p.epochs)?
    } else {
        p.epochs
    };
    let trace_every = count("trace_every", p.trace_every, 0)?;
    let seed = seed(p.seed)?;
    if let Some(t) = p.target_loss
        && !t.is_finite()
    {
        return Err(PluginError::bad_parameter(
            "target_loss",
            format!("must be finite, got {t}"),
        ));
    }
    // the optimiser's own parameters, checked on a stand-in model of the same kind
    let probe = Objective {
        model: Model::build(&p.model, 1, 1, hidden, p.bias)?,
        loss,
        l2,
    };
    build_optimizer(algo, &p, &probe, || Ok(1.0))?;
    Ok(Box::new(move |_input: Value, host: &HostRef<'_>| {
        let data = load_data(&params, &p, loss)?;
        let model = Model::build(
            &p.model,
            data.n_features(),
            data.n_outputs(),
            hidden,
            p.bias,
        )?;
        let objective = Objective { model, loss, l2 };
        let full = Batch {
            x: data.x.as_ref(),
            y: data.y.as_ref(),
        };
        let (mut optimizer, settings) =
            build_optimizer(algo, &p, &objective, || linear_sgd_step(&objective, full))?;
        let n = data.n();
        let b = if batch_size == 0 || batch_size >= n {
            n
        } else {
            batch_size
        };
        let per_epoch = n.div_ceil(b);
        let steps = if outer_steps > 0 {
            outer_steps
        } else {
            (epochs * per_epoch as f64).ceil().max(1.0) as usize
        };
        if steps > 1_000_000_000 {
            return Err(PluginError::bad_parameter(
                "epochs",
                format!("asks for {steps} outer steps (limit 1e9)"),
            ));
        }
        let cfg = TrainConfig {
            batch_size: b,
            outer_steps: steps,
            seed,
            trace_every: if trace_every == 0 {
                per_epoch
            } else {
                trace_every
            },
            target_loss: p.target_loss,
        };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x1A17_5EED);
        let theta0 = objective.model.init(&mut rng);
        let id = format!("surrogate.{}", algo.name());
        let mut monitor = |done: usize, total: usize, loss: f64| {
            host.check_cancelled()?;
            host.report_progress(done as u64, total as u64, &format!("{id}: loss {loss:.6e}"));
            Ok(())
        };
        let r = train(
            &objective,
            &data,
            optimizer.as_mut(),
            theta0,
            &cfg,
            &mut monitor,
        )?;
        if r.status == crate::train::Status::Diverged {
            host.warn(&format!(
                "{id} diverged after {} outer steps (loss {:.3e}); reduce the step size",
                r.outer_steps, r.final_loss
            ));
        }
        let mut out = ValueMap::new()
            .with("algorithm", id.as_str())
            .with("status", r.status.name())
            .with("final_loss", r.final_loss)
            .with("final_grad_norm", r.final_grad_norm)
            .with("outer_steps", r.outer_steps)
            .with("grad_calls", r.counters.grad_calls as i64)
            .with("loss_evals", r.counters.loss_evals as i64)
            .with("inner_grads", r.counters.inner_grads as i64)
            .with("inner_values", r.counters.inner_values as i64)
            .with("seconds", r.seconds)
            .with("dataset", data.source.as_str())
            .with("n", n)
            .with("features", data.n_features())
            .with("outputs", data.n_outputs())
            .with("n_params", objective.model.n_params())
            .with("batch_size", b)
            .with("settings", settings)
            .with("trace", to_value(&r.trace));
        if p.return_params {
            out.insert("params", r.theta);
        }
        Ok(Value::Map(out))
    }))
}

// ---------------------------------------------------------------------------------------------
// Imitation learning

fn create_imitation(params: Value) -> PluginResult<Box<dyn Run>> {
    let p: Params = from_value(params)?;
    let algo = Algo::parse(p.optimizer.as_deref().unwrap_or("sso"))?;
    let hidden = at_most("hidden", count("hidden", p.hidden, 1)?, 100_000)?;
    let l2 = nonnegative("l2", p.l2)?;
    let cfg = ImitationConfig {
        rounds: count("rounds", p.rounds.unwrap_or(50), 1)?,
        samples_per_round: at_most(
            "samples_per_round",
            count("samples_per_round", p.samples_per_round.unwrap_or(100), 1)?,
            1_000_000,
        )?,
        horizon: at_most(
            "horizon",
            count("horizon", p.horizon.unwrap_or(200), 1)?,
            1_000_000,
        )?,
        mixing: unit_interval("mixing", p.mixing.unwrap_or(0.0), false)?,
        noise: nonnegative("noise", p.noise.unwrap_or(0.01))?,
        init_std: nonnegative("init_std", p.init_std.unwrap_or(0.1))?,
        eval_episodes: at_most(
            "eval_episodes",
            count("eval_episodes", p.eval_episodes.unwrap_or(10), 1)?,
            10_000,
        )?,
        seed: seed(p.seed)?,
    };
    let dt = positive("dt", p.dt.unwrap_or(0.05))?;
    if dt > 0.2 {
        return Err(PluginError::bad_parameter(
            "dt",
            format!("{dt} s is too coarse for the Euler cart-pole (at most 0.2)"),
        ));
    }
    if algo == Algo::Sgd && p.lr.is_none() {
        return Err(PluginError::bad_parameter(
            "lr",
            "`sgd` needs a step size in the imitation task",
        ));
    }
    let sys = LqSystem::cart_pole(dt);
    // a linear policy u = Wᵀx has no bias: the expert's is exactly of that form
    let model = Model::build(&p.model, sys.n_states(), sys.n_controls(), hidden, false)?;
    let objective = Objective {
        model,
        loss: Loss::Squared,
        l2,
    };
    build_optimizer(algo, &p, &objective, || Ok(1.0))?; // checks the optimiser's parameters
    Ok(Box::new(move |_input: Value, host: &HostRef<'_>| {
        // built per run: a second `run` of the same algorithm object starts fresh
        let (mut optimizer, settings) = build_optimizer(algo, &p, &objective, || Ok(1.0))?;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x1A17_5EED);
        let theta0 = objective.model.init(&mut rng);
        let mut monitor = |done: usize, total: usize| {
            host.check_cancelled()?;
            host.report_progress(done as u64, total as u64, "surrogate.imitation");
            Ok(())
        };
        let r = imitation::run(
            &sys,
            &objective,
            optimizer.as_mut(),
            theta0,
            &cfg,
            &mut monitor,
        )?;
        if r.diverged {
            host.warn(&format!(
                "surrogate.imitation ({}) diverged after {} rounds; reduce `lr` or `eta`",
                algo.name(),
                r.counters.grad_calls
            ));
        }
        let gain: Vec<f64> = (0..r.gain.ncols()).map(|j| r.gain[(0, j)]).collect();
        let mut out = ValueMap::new()
            .with("algorithm", "surrogate.imitation")
            .with("optimizer", algo.name())
            .with("status", if r.diverged { "diverged" } else { "completed" })
            .with(
                "final_cost",
                *r.trace.cost.last().expect("trace has the start"),
            )
            .with("expert_cost", r.expert_cost)
            .with("zero_policy_cost", r.zero_policy_cost)
            .with(
                "final_loss",
                *r.trace.loss.last().expect("trace has the start"),
            )
            .with(
                "final_policy_error",
                *r.trace.policy_error.last().expect("trace has the start"),
            )
            .with("interactions", r.interactions as i64)
            .with("grad_calls", r.counters.grad_calls as i64)
            .with("loss_evals", r.counters.loss_evals as i64)
            .with("inner_grads", r.counters.inner_grads as i64)
            .with("inner_values", r.counters.inner_values as i64)
            .with("seconds", r.seconds)
            .with("expert_gain", gain)
            .with("settings", settings)
            .with("trace", to_value(&r.trace));
        if p.return_params {
            out.insert("params", r.theta);
        }
        Ok(Value::Map(out))
    }))
}
