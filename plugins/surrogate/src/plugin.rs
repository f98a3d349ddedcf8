//! The boundlab plugin layer: algorithm ids, parameter schemas, and conversion to [`Value`].
//!
//! `surrogate.sso`, `surrogate.sgd`, `surrogate.sls`, `surrogate.adam` train a model on a data
//! set (a LIBSVM file or `x`/`y` given directly); `surrogate.imitation` runs the online
//! imitation-learning task with any of the four optimisers.
//!
//! Only this module knows the sdk: the parameter-facing names of the numerics' enums
//! (`LossName`, `ArchitectureName`, `EtaRuleName`), the conversion of
//! [`SurrogateError`] into [`PluginError`], and the host side of the progress callbacks
//! (`HostMonitor`).

use std::ops::ControlFlow;
use std::path::Path;

use rand::SeedableRng;

use boundlab_sdk::prelude::*;

use crate::data::Dataset;
use crate::error::SurrogateError;
use crate::imitation::{self, ImitationConfig, LqSystem};
use crate::loss::Loss;
use crate::model::{Architecture, Model};
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
            AlgorithmSpec::new(
                "surrogate.sso",
                "Stochastic surrogate optimisation (target-space surrogate, m cheap inner steps per expensive gradient); full batch = majorisation-minimisation.",
                |params| {
                    let p = SsoParams::decode(params)?;
                    create_supervised(p.training, Optimiser::Sso(p.sso))
                },
            )
            .params::<SsoParams>(),
            AlgorithmSpec::new(
                "surrogate.sgd",
                "Mini-batch SGD, constant or decreasing step (baseline on the same oracle counter).",
                |params| {
                    let p = SgdParams::decode(params)?;
                    let sgd = Optimiser::Sgd {
                        lr: p.lr,
                        rule: p.lr_rule,
                    };
                    create_supervised(p.training, sgd)
                },
            )
            .params::<SgdParams>(),
            AlgorithmSpec::new(
                "surrogate.sls",
                "Stochastic line search: Armijo backtracking on the mini-batch loss (Vaswani et al. 2019).",
                |params| {
                    let p = SlsParams::decode(params)?;
                    let sls = Optimiser::Sls {
                        armijo_c: p.armijo_c,
                        initial_step: p.initial_step,
                    };
                    create_supervised(p.training, sls)
                },
            )
            .params::<SlsParams>(),
            AlgorithmSpec::new(
                "surrogate.adam",
                "Adam on mini-batches (baseline on the same oracle counter).",
                |params| {
                    let p = AdamParams::decode(params)?;
                    create_supervised(p.training, Optimiser::Adam { lr: p.lr })
                },
            )
            .params::<AdamParams>(),
            AlgorithmSpec::new(
                "surrogate.imitation",
                "Online imitation learning (DAgger-style) of the LQR expert on a linearised cart-pole, with SSO or a baseline.",
                create_imitation,
            )
            .params::<ImitationParams>(),
        ]
    }
}

boundlab_sdk::declare_plugin!(SurrogatePlugin);

// ---------------------------------------------------------------------------------------------
// Errors and progress

/// The numerics' errors as the engine's kinds: a refused input names its parameter, a stop is
/// a cancellation (a run's `HostMonitor::error` returns the host's own error for it).
impl From<SurrogateError> for PluginError {
    fn from(e: SurrogateError) -> Self {
        match e {
            SurrogateError::BadInput { parameter, message } => {
                PluginError::bad_parameter(parameter, message)
            }
            SurrogateError::Numerical(message) => PluginError::numerical(message),
            SurrogateError::Internal(message) => PluginError::internal(message),
            SurrogateError::Stopped => PluginError::cancelled(),
        }
    }
}

/// The host side of the numerics' progress callbacks: checks for cancellation, reports
/// progress, and keeps the host's error to return when it stopped the run.
struct HostMonitor<'h, 'a> {
    host: &'h HostRef<'a>,
    stopped: Option<PluginError>,
}

impl<'h, 'a> HostMonitor<'h, 'a> {
    fn new(host: &'h HostRef<'a>) -> Self {
        HostMonitor {
            host,
            stopped: None,
        }
    }

    /// `Break` once the host asks to cancel; otherwise reports `done` of `total`.
    fn observe(&mut self, done: usize, total: usize, message: &str) -> ControlFlow<()> {
        if let Err(e) = self.host.check_cancelled() {
            self.stopped = Some(e);
            return ControlFlow::Break(());
        }
        self.host
            .report_progress(done as u64, total as u64, message);
        ControlFlow::Continue(())
    }

    /// The run's error: the host's own when the callback stopped it, converted otherwise.
    fn error(&mut self, e: SurrogateError) -> PluginError {
        match e {
            SurrogateError::Stopped => self.stopped.take().unwrap_or_else(PluginError::cancelled),
            e => e.into(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parameters

/// The imitation task's `optimizer`; the supervised algorithms are one id each.
#[derive(ParamEnum, Clone, Copy, Debug)]
enum Algo {
    Sso,
    Sgd,
    Sls,
    Adam,
}

/// SGD's step schedule.
#[derive(ParamEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum LrRule {
    Constant,
    Decreasing,
}

/// The `inner` parameter; [`InnerSolver::Gd`] also carries `inner_lr`.
#[derive(ParamEnum, Clone, Copy, Debug)]
enum Inner {
    Armijo,
    Gd,
    Exact,
}

/// The `loss` parameter (`squared`, `logistic`, `cross_entropy`): the names of [`Loss`].
#[derive(ParamEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum LossName {
    /// ℓ = ½‖z − y‖².
    Squared,
    /// ℓ = log(1 + e^z) − y·z with y ∈ {0, 1} (one output).
    Logistic,
    /// ℓ = log Σ_c e^{z_c} − ⟨y, z⟩ with y one-hot (softmax cross-entropy on logits).
    CrossEntropy,
}

impl From<LossName> for Loss {
    fn from(name: LossName) -> Self {
        match name {
            LossName::Squared => Loss::Squared,
            LossName::Logistic => Loss::Logistic,
            LossName::CrossEntropy => Loss::CrossEntropy,
        }
    }
}

/// The `model` parameter (`linear`, `mlp`): the names of [`Architecture`].
#[derive(ParamEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ArchitectureName {
    /// z = XW (+ 1bᵀ with a bias).
    Linear,
    /// One tanh hidden layer.
    Mlp,
}

impl From<ArchitectureName> for Architecture {
    fn from(name: ArchitectureName) -> Self {
        match name {
            ArchitectureName::Linear => Architecture::Linear,
            ArchitectureName::Mlp => Architecture::Mlp,
        }
    }
}

/// The `eta_rule` parameter: the names of [`EtaRule`].
#[derive(ParamEnum, Clone, Copy, Debug, PartialEq)]
enum EtaRuleName {
    /// η_t = η.
    Constant,
    /// η_t = η / √(1 + t/E), E = outer steps per epoch: decays like 1/√epochs.
    Decreasing,
    /// Armijo backtracking in target space (the authors' SSO-SLS): from 2·η_{t−1} (η at t = 0),
    /// halve until L_S(z_t − ηG) ≤ L_S(z_t) − c·η·‖G‖²/b; each trial is one loss value.
    Armijo,
    /// The Armijo step times the decreasing schedule 1/√(1 + t/E) (the authors apply their
    /// schedules on top of the line search); the search itself restarts from the unscaled step.
    ArmijoDecreasing,
}

impl From<EtaRuleName> for EtaRule {
    fn from(name: EtaRuleName) -> Self {
        match name {
            EtaRuleName::Constant => EtaRule::Constant,
            EtaRuleName::Decreasing => EtaRule::Decreasing,
            EtaRuleName::Armijo => EtaRule::Armijo,
            EtaRuleName::ArmijoDecreasing => EtaRule::ArmijoDecreasing,
        }
    }
}

/// The data set, model, loss and outer loop of the four supervised algorithms, which add their
/// optimiser's options after these.
#[derive(Params)]
struct Training {
    /// path of a LIBSVM file (e.g. data/libsvm/wine_scale.svm); or give `x` and `y`
    dataset: Option<String>,
    /// features, one row per example (instead of `dataset`)
    x: Option<DenseMatrix>,
    /// labels or regression targets (with `x`)
    y: Option<Vec<f64>>,
    /// squared loss on the raw labels instead of class encodings
    #[param(default = false)]
    regression: bool,
    /// `squared`, `logistic` (two classes) or `cross_entropy`
    #[param(default = LossName::CrossEntropy)]
    loss: LossName,
    /// `linear` or `mlp` (one tanh hidden layer)
    #[param(default = ArchitectureName::Linear)]
    model: ArchitectureName,
    /// hidden units of the MLP
    ///
    /// Capped: the MLP's parameters and activations are allocated before any cancellation
    /// check.
    #[param(default = 32, ge = 1, le = 100_000)]
    hidden: usize,
    /// linear model with an intercept
    #[param(default = true)]
    bias: bool,
    /// ridge weight λ in (λ/2)‖θ‖², all parameters
    #[param(default = 0.0, ge = 0.0, lt = f64::INFINITY)]
    l2: f64,
    /// examples per outer step; 0 = full batch
    #[param(default = 32, le = MAX_STEPS)]
    batch_size: usize,
    /// passes over the data (when `outer_steps` is 0)
    ///
    /// Checked in code: it must be positive only when `outer_steps` is 0.
    #[param(default = 10.0)]
    epochs: f64,
    /// expensive gradient calls to make; 0 = use `epochs`
    #[param(default = 0, le = MAX_STEPS)]
    outer_steps: usize,
    /// seed of the batch order and the MLP initialisation
    #[param(default = 0)]
    seed: u64,
    /// outer steps between trace points; 0 = once per epoch
    #[param(default = 0, le = MAX_STEPS)]
    trace_every: usize,
    /// stop at the first trace point with full loss ≤ this
    target_loss: Option<f64>,
    /// include the final parameters θ in the result
    #[param(default = false)]
    return_params: bool,
}

/// The limit on outer steps (and on `batch_size`, `trace_every`, `rounds`): a billion outer
/// steps would not finish anyway.
const MAX_STEPS: usize = 1_000_000_000;

/// SSO's options, the same in `surrogate.sso` and with `optimizer: "sso"` in the imitation
/// task.
#[derive(Params, Clone, Copy)]
struct SsoOptions {
    /// inner steps m per expensive gradient
    ///
    /// Capped: the inner loop of one outer step has no cancellation check.
    #[param(default = 10, ge = 1, le = 100_000)]
    inner_steps: usize,
    /// target step η per example (z ← z − η∇ℓ); 0 = 1/β of the loss
    #[param(default = 0.0, ge = 0.0, lt = f64::INFINITY)]
    eta: f64,
    /// `constant`, `decreasing` (η/√(1+epoch)), `armijo` (target-space line search) or `armijo_decreasing`
    #[param(default = EtaRuleName::Constant)]
    eta_rule: EtaRuleName,
    /// inner solver: `armijo`, `gd` or `exact` (linear models)
    #[param(default = Inner::Armijo)]
    inner: Inner,
    /// inner GD step; default (linear) 1/smoothness of the surrogate
    #[param(gt = 0.0, lt = f64::INFINITY)]
    inner_lr: Option<f64>,
    /// sufficient-decrease constant of the line searches
    #[param(default = 0.5, gt = 0.0, lt = 1.0)]
    armijo_c: f64,
    /// stop the inner loop at ‖∇ℓ_t‖ ≤ tol·‖∇ℓ_t(θ_t)‖
    #[param(default = 1e-6, ge = 0.0, lt = f64::INFINITY)]
    inner_tol: f64,
}

/// `surrogate.sso`.
#[derive(Params)]
struct SsoParams {
    #[param(flatten)]
    training: Training,
    #[param(flatten)]
    sso: SsoOptions,
}

/// `surrogate.sgd`.
#[derive(Params)]
struct SgdParams {
    #[param(flatten)]
    training: Training,
    /// step size; default (linear model) 1/L with L = β·λmax(DᵀD/n) + l2
    #[param(gt = 0.0, lt = f64::INFINITY)]
    lr: Option<f64>,
    /// `constant` or `decreasing` (lr/√(1+epoch))
    #[param(default = LrRule::Constant)]
    lr_rule: LrRule,
}

/// `surrogate.sls`.
#[derive(Params)]
struct SlsParams {
    #[param(flatten)]
    training: Training,
    /// sufficient-decrease constant c
    #[param(default = 0.5, gt = 0.0, lt = 1.0)]
    armijo_c: f64,
    /// first trial step
    #[param(default = 1.0, gt = 0.0, lt = f64::INFINITY)]
    initial_step: f64,
}

/// `surrogate.adam`.
#[derive(Params)]
struct AdamParams {
    #[param(flatten)]
    training: Training,
    /// step size α (β1 = 0.9, β2 = 0.999, ε = 1e-8)
    #[param(default = 1e-3, gt = 0.0, lt = f64::INFINITY)]
    lr: f64,
}

/// `surrogate.imitation`: the task, then the options of every optimiser it can use (each
/// optimiser reads its own).
#[derive(Params)]
struct ImitationParams {
    /// `sso`, `sgd` (online gradient descent), `sls` or `adam`
    #[param(default = Algo::Sso)]
    optimizer: Algo,
    /// policy: `linear` (u = Wᵀx) or `mlp`
    #[param(default = ArchitectureName::Linear)]
    model: ArchitectureName,
    /// hidden units of the MLP policy
    #[param(default = 32, ge = 1, le = 100_000)]
    hidden: usize,
    /// rounds = expensive gradient calls
    #[param(default = 50, ge = 1, le = MAX_STEPS)]
    rounds: usize,
    /// environment steps (expert labels) per round
    ///
    /// The caps on this, `horizon` and `eval_episodes` bound the memory and the work between
    /// two cancellation checks.
    #[param(default = 100, ge = 1, le = 1_000_000)]
    samples_per_round: usize,
    /// episode length in steps
    #[param(default = 200, ge = 1, le = 1_000_000)]
    horizon: usize,
    /// time step of the Euler discretisation (s)
    ///
    /// At most 0.2 s: the explicit Euler cart-pole is too coarse beyond.
    #[param(default = 0.05, gt = 0.0, le = 0.2)]
    dt: f64,
    /// DAgger β: probability of executing the expert's action
    #[param(default = 0.0, ge = 0.0, le = 1.0)]
    mixing: f64,
    /// process noise standard deviation
    #[param(default = 0.01, ge = 0.0, lt = f64::INFINITY)]
    noise: f64,
    /// initial state standard deviation
    #[param(default = 0.1, ge = 0.0, lt = f64::INFINITY)]
    init_std: f64,
    /// fixed evaluation episodes per round
    #[param(default = 10, ge = 1, le = 10_000)]
    eval_episodes: usize,
    /// ridge weight on the policy parameters
    #[param(default = 0.0, ge = 0.0, lt = f64::INFINITY)]
    l2: f64,
    /// seed of the environment noise and initial states
    #[param(default = 0)]
    seed: u64,
    /// include the final policy parameters
    #[param(default = false)]
    return_params: bool,
    #[param(flatten)]
    sso: SsoOptions,
    /// step of `sgd` (required) and `adam` (default 1e-3)
    #[param(gt = 0.0, lt = f64::INFINITY)]
    lr: Option<f64>,
    /// `sgd`: `constant` or `decreasing` (lr/√(1+round))
    #[param(default = LrRule::Constant)]
    lr_rule: LrRule,
    /// first trial step of `sls`
    #[param(default = 1.0, gt = 0.0, lt = f64::INFINITY)]
    initial_step: f64,
}

/// One optimiser's decoded options; [`Optimiser::build`] makes a fresh optimiser for a run.
#[derive(Clone, Copy)]
enum Optimiser {
    Sso(SsoOptions),
    /// `lr: None` is the linear model's 1/L.
    Sgd {
        lr: Option<f64>,
        rule: LrRule,
    },
    Sls {
        armijo_c: f64,
        initial_step: f64,
    },
    Adam {
        lr: f64,
    },
}

impl Optimiser {
    fn algo(&self) -> Algo {
        match self {
            Optimiser::Sso(_) => Algo::Sso,
            Optimiser::Sgd { .. } => Algo::Sgd,
            Optimiser::Sls { .. } => Algo::Sls,
            Optimiser::Adam { .. } => Algo::Adam,
        }
    }

    /// The optimiser for `objective`, and the settings the result reports; `auto_lr` gives
    /// SGD's default step. The options that depend on the model are checked here.
    fn build(
        &self,
        objective: &Objective,
        auto_lr: impl FnOnce() -> Result<f64, SurrogateError>,
    ) -> PluginResult<(Box<dyn Optimizer>, ValueMap)> {
        let mut settings = ValueMap::new();
        let is_linear = matches!(objective.model, Model::Linear { .. });
        let optimizer: Box<dyn Optimizer> = match *self {
            Optimiser::Sso(o) => {
                let eta = match o.eta {
                    0.0 => 1.0 / objective.loss.smoothness(),
                    e => e,
                };
                let inner = match o.inner {
                    Inner::Armijo => InnerSolver::Armijo,
                    Inner::Gd => InnerSolver::Gd { lr: o.inner_lr },
                    Inner::Exact => InnerSolver::Exact,
                };
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
                settings.insert("inner_steps", o.inner_steps);
                settings.insert("eta", eta);
                settings.insert("eta_rule", o.eta_rule);
                settings.insert("inner", o.inner);
                Box::new(Sso::new(SsoConfig {
                    eta,
                    eta_rule: o.eta_rule.into(),
                    inner_steps: o.inner_steps,
                    inner,
                    armijo_c: o.armijo_c,
                    inner_tol: o.inner_tol,
                }))
            }
            Optimiser::Sgd { lr, rule } => {
                let lr = match lr {
                    Some(v) => v,
                    None if is_linear => auto_lr()?,
                    None => {
                        return Err(PluginError::bad_parameter(
                            "lr",
                            "SGD on the MLP needs an explicit step size",
                        ));
                    }
                };
                settings.insert("lr", lr);
                settings.insert("lr_rule", rule);
                Box::new(Sgd::new(lr, rule == LrRule::Decreasing))
            }
            Optimiser::Sls {
                armijo_c,
                initial_step,
            } => {
                settings.insert("armijo_c", armijo_c);
                Box::new(Sls::new(armijo_c, initial_step))
            }
            Optimiser::Adam { lr } => {
                settings.insert("lr", lr);
                Box::new(Adam::new(lr, objective.model.n_params()))
            }
        };
        Ok((optimizer, settings))
    }
}

// ---------------------------------------------------------------------------------------------
// Supervised training

/// The data set `t` names: a LIBSVM file, or `x` and `y`; read when the algorithm runs.
fn load_data(t: &Training) -> PluginResult<Dataset> {
    match (t.dataset.as_deref().filter(|s| !s.is_empty()), &t.x, &t.y) {
        (Some(path), None, None) => {
            let raw = boundlab_libsvm::read_file(Path::new(path))
                .map_err(|e| PluginError::bad_parameter("dataset", e.to_string()))?;
            Ok(Dataset::from_libsvm(
                &raw,
                t.loss.into(),
                t.regression,
                path,
            )?)
        }
        (None, Some(x), Some(y)) => {
            let xm = faer::Mat::from_fn(x.nrows(), x.ncols(), |i, j| x.get(i, j));
            Ok(Dataset::from_dense(
                xm,
                y,
                t.loss.into(),
                t.regression,
                "x/y",
            )?)
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

fn create_supervised(t: Training, optimiser: Optimiser) -> PluginResult<Box<dyn Run>> {
    // validate everything that does not need the data before running
    if t.outer_steps == 0 && !(t.epochs.is_finite() && t.epochs > 0.0) {
        return Err(PluginError::bad_parameter(
            "epochs",
            format!("must be a positive finite number, got {}", t.epochs),
        ));
    }
    if let Some(target) = t.target_loss
        && !target.is_finite()
    {
        return Err(PluginError::bad_parameter(
            "target_loss",
            format!("must be finite, got {target}"),
        ));
    }
    // the optimiser's options that depend on the model, checked on a stand-in of the same kind
    let probe = Objective {
        model: Model::build(t.model.into(), 1, 1, t.hidden, t.bias)?,
        loss: t.loss.into(),
        l2: t.l2,
    };
    optimiser.build(&probe, || Ok(1.0))?;
    Ok(Box::new(move |_input: Value, host: &HostRef<'_>| {
        let data = load_data(&t)?;
        let model = Model::build(
            t.model.into(),
            data.n_features(),
            data.n_outputs(),
            t.hidden,
            t.bias,
        )?;
        let objective = Objective {
            model,
            loss: t.loss.into(),
            l2: t.l2,
        };
        let full = Batch {
            x: data.x.as_ref(),
            y: data.y.as_ref(),
        };
        let (mut optimizer, settings) =
            optimiser.build(&objective, || linear_sgd_step(&objective, full))?;
        let n = data.n();
        let b = if t.batch_size == 0 || t.batch_size >= n {
            n
        } else {
            t.batch_size
        };
        let per_epoch = n.div_ceil(b);
        let steps = if t.outer_steps > 0 {
            t.outer_steps
        } else {
            (t.epochs * per_epoch as f64).ceil().max(1.0) as usize
        };
        if steps > MAX_STEPS {
            return Err(PluginError::bad_parameter(
                "epochs",
                format!("asks for {steps} outer steps (limit 1e9)"),
            ));
        }
        let cfg = TrainConfig {
            batch_size: b,
            outer_steps: steps,
            seed: t.seed,
            trace_every: if t.trace_every == 0 {
                per_epoch
            } else {
                t.trace_every
            },
            target_loss: t.target_loss,
        };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(t.seed ^ 0x1A17_5EED);
        let theta0 = objective.model.init(&mut rng);
        let id = format!("surrogate.{}", optimiser.algo().name());
        let mut monitor = HostMonitor::new(host);
        let r = train(
            &objective,
            &data,
            optimizer.as_mut(),
            theta0,
            &cfg,
            &mut |p| {
                let message = format!("{id}: loss {:.6e}", p.loss);
                monitor.observe(p.outer_steps, p.total, &message)
            },
        )
        .map_err(|e| monitor.error(e))?;
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
        if t.return_params {
            out.insert("params", r.theta);
        }
        Ok(Value::Map(out))
    }))
}

// ---------------------------------------------------------------------------------------------
// Imitation learning

fn create_imitation(params: Value) -> PluginResult<Box<dyn Run>> {
    let p = ImitationParams::decode(params)?;
    let cfg = ImitationConfig {
        rounds: p.rounds,
        samples_per_round: p.samples_per_round,
        horizon: p.horizon,
        mixing: p.mixing,
        noise: p.noise,
        init_std: p.init_std,
        eval_episodes: p.eval_episodes,
        seed: p.seed,
    };
    let optimiser = match p.optimizer {
        Algo::Sso => Optimiser::Sso(p.sso),
        Algo::Sgd => match p.lr {
            Some(lr) => Optimiser::Sgd {
                lr: Some(lr),
                rule: p.lr_rule,
            },
            None => {
                return Err(PluginError::bad_parameter(
                    "lr",
                    "`sgd` needs a step size in the imitation task",
                ));
            }
        },
        Algo::Sls => Optimiser::Sls {
            armijo_c: p.sso.armijo_c,
            initial_step: p.initial_step,
        },
        Algo::Adam => Optimiser::Adam {
            lr: p.lr.unwrap_or(1e-3),
        },
    };
    let sys = LqSystem::cart_pole(p.dt);
    // a linear policy u = Wᵀx has no bias: the expert's is exactly of that form
    let model = Model::build(
        p.model.into(),
        sys.n_states(),
        sys.n_controls(),
        p.hidden,
        false,
    )?;
    let objective = Objective {
        model,
        loss: Loss::Squared,
        l2: p.l2,
    };
    optimiser.build(&objective, || Ok(1.0))?; // checks the options that depend on the model
    Ok(Box::new(move |_input: Value, host: &HostRef<'_>| {
        // built per run: a second `run` of the same algorithm object starts fresh
        let (mut optimizer, settings) = optimiser.build(&objective, || Ok(1.0))?;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x1A17_5EED);
        let theta0 = objective.model.init(&mut rng);
        let mut monitor = HostMonitor::new(host);
        let r = imitation::run(
            &sys,
            &objective,
            optimizer.as_mut(),
            theta0,
            &cfg,
            &mut |p| monitor.observe(p.round, p.rounds, "surrogate.imitation"),
        )
        .map_err(|e| monitor.error(e))?;
        if r.diverged {
            host.warn(&format!(
                "surrogate.imitation ({}) diverged after {} rounds; reduce `lr` or `eta`",
                p.optimizer.name(),
                r.counters.grad_calls
            ));
        }
        let gain: Vec<f64> = (0..r.gain.ncols()).map(|j| r.gain[(0, j)]).collect();
        let mut out = ValueMap::new()
            .with("algorithm", "surrogate.imitation")
            .with("optimizer", p.optimizer.name())
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

#[cfg(test)]
mod tests {
    use boundlab_sdk::testing::TestHost;
    use boundlab_sdk::{ParamEnum, Value, ValueMap};

    use super::{LossName, SurrogateError};
    use crate::loss::Loss;

    /// The numerics quote a loss by [`Loss::name`] in their messages: the same names the
    /// `loss` parameter accepts.
    #[test]
    fn loss_names_match_the_parameter() {
        for &name in LossName::NAMES {
            let loss = Loss::from(LossName::from_name(name).unwrap());
            assert_eq!(loss.name(), name);
        }
    }

    /// A refused input keeps its parameter and message; a stop is a cancellation.
    #[test]
    fn errors_convert_to_the_engine_kinds() {
        use boundlab_sdk::{ErrorKind, PluginError};
        let e = PluginError::from(SurrogateError::BadInput {
            parameter: "hidden",
            message: "the MLP needs at least one hidden unit".into(),
        });
        assert_eq!(e.kind, ErrorKind::BadParameter);
        assert_eq!(
            e.message.as_str(),
            "parameter `hidden`: the MLP needs at least one hidden unit"
        );
        assert_eq!(
            PluginError::from(SurrogateError::Stopped).kind,
            ErrorKind::Cancelled
        );
        let e = PluginError::from(SurrogateError::Numerical("eigenvalues".into()));
        assert_eq!(
            (e.kind, e.message.as_str()),
            (ErrorKind::NumericalFailure, "eigenvalues")
        );
    }

    /// A run with the parameters left out equals one with describe's defaults written out, for
    /// every algorithm (and every optimiser of the imitation task), on inputs small enough for
    /// debug builds: three examples given as `x`/`y`, a few short imitation rounds.
    #[test]
    fn omitted_parameters_mean_the_defaults_describe_shows() {
        let x = Value::List(
            vec![
                vec![1.0, 0.0].into(),
                vec![1.0, 1.0].into(),
                vec![0.0, 2.0].into(),
            ]
            .into(),
        );
        let data = ValueMap::new().with("x", x).with("y", vec![0.0, 1.0, 1.0]);
        for id in [
            "surrogate.sso",
            "surrogate.sgd",
            "surrogate.sls",
            "surrogate.adam",
        ] {
            TestHost::new().assert_omitted_means_default(
                super::plugin_module(),
                id,
                Value::Map(data.clone()),
                &["seconds"],
            );
        }
        let task = ValueMap::new()
            .with("rounds", 2i64)
            .with("samples_per_round", 10i64)
            .with("horizon", 20i64)
            .with("eval_episodes", 1i64);
        for (optimizer, lr) in [
            ("sso", None),
            ("sgd", Some(0.1)),
            ("sls", None),
            ("adam", None),
        ] {
            let mut params = task.clone().with("optimizer", optimizer);
            if let Some(lr) = lr {
                params.insert("lr", lr);
            }
            TestHost::new().assert_omitted_means_default(
                super::plugin_module(),
                "surrogate.imitation",
                Value::Map(params),
                &["seconds"],
            );
        }
    }
}
