//! The boundlab plugin layer: algorithm ids, parameter schemas, and conversion to [`Value`].
//!
//! - `mecb.couple`: a low-entropy coupling of k marginals (greedy, sorted, or exact for two
//!   small ones), with its lower bound.
//! - `mecb.lower_bound`: the majorisation, profile and majorize-profile bounds.
//! - `mecb.ebim`: the MEC-B encoder (Algorithm 1, Theorem 3 refinements, or uniform bins).
//! - `mecb.mecb`: MEC-B end to end: encoder, decoder, joint `p(x, y)`, `I(X;Y)`.
//! - `mecb.coding_game`: the rate-limited Markov coding game in the 8 x 8 grid world.

use boundlab_sdk::prelude::*;

use crate::bounds;
use crate::coding_game::{self, BeliefCompressor, Game, GameConfig};
use crate::coupling::{self, Coupling, MAX_SUPPORT};
use crate::dist::{check_distribution, entropy};
use crate::ebim::{self, Encoder};
use crate::exact;
use crate::mecb::{self, Compressor};

/// The `mecb` plugin.
pub struct MecbPlugin;

impl Plugin for MecbPlugin {
    const NAME: &'static str = "mecb";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    fn algorithms() -> Vec<AlgorithmSpec> {
        vec![
            AlgorithmSpec::new(
                "mecb.couple",
                "Low-entropy coupling of k marginals: greedy (Kocaoglu et al.), sorted, or the exact minimum for two small marginals; sparse output.",
                create_couple,
            )
            .params::<CoupleParams>(),
            AlgorithmSpec::new(
                "mecb.lower_bound",
                "Lower bounds on the entropy of every coupling: majorisation H(∧), profile and majorize-profile (Compton et al. 2023).",
                create_lower_bound,
            )
            .params::<LowerBoundParams>(),
            AlgorithmSpec::new(
                "mecb.ebim",
                "Entropy-bounded information maximisation: max I(X;T) s.t. H(T) <= rate (Algorithm 1 of Ebrahimi et al. 2024, Theorem 3 refinement).",
                create_ebim,
            )
            .params::<EbimParams>(),
            AlgorithmSpec::new(
                "mecb.mecb",
                "Minimum-entropy coupling with bottleneck: encoder from EBIM, decoder from greedy MEC, joint p(x, y) and I(X;Y).",
                create_mecb,
            )
            .params::<MecbParams>(),
            AlgorithmSpec::new(
                "mecb.coding_game",
                "Markov coding game with a rate limit: 8x8 grid world, soft-Q policy at temperature beta, per-step EBIM + minimum-entropy coupling, Bayesian decoding.",
                create_coding_game,
            )
            .params::<CodingGameParams>(),
        ]
    }
}

boundlab_sdk::declare_plugin!(MecbPlugin);

/// `mecb.couple` parameters.
#[derive(Params)]
struct CoupleParams {
    /// the distributions to couple, e.g. [[0.5, 0.5], [0.2, 0.8]]
    ///
    /// Entries stay values until [`marginals()`] checks them, so that an error names the
    /// distribution (`marginals[1]`).
    marginals: Vec<Value>,
    /// solve exactly (two marginals, at most 16 nonzero entries in all)
    #[param(default = false)]
    exact: bool,
    /// `greedy` (max-seeking, Kocaoglu et al.) or `sorted` (quantile coupling); ignored when exact
    #[param(default = CouplingMethod::Greedy)]
    method: CouplingMethod,
}

/// The heuristic couplings of `mecb.couple`.
#[derive(ParamEnum, Clone, Copy, PartialEq, Eq)]
enum CouplingMethod {
    /// Max-seeking (Kocaoglu et al.).
    Greedy,
    /// The quantile coupling.
    Sorted,
}

/// `mecb.lower_bound` parameters.
#[derive(Params)]
struct LowerBoundParams {
    /// the distributions, e.g. [[0.5, 0.5], [0.2, 0.8]]
    ///
    /// Values until [`marginals()`] checks them, as for `mecb.couple`.
    marginals: Vec<Value>,
}

/// The rate of `mecb.ebim` and `mecb.mecb`.
#[derive(Params)]
struct RateParam {
    /// the bound R on H(T), in bits (>= 0)
    #[param(ge = 0.0, lt = f64::INFINITY)]
    rate: f64,
}

/// How the encoder `T = g(X)` is built (`mecb.ebim`'s `method`, the `compressor` of
/// `mecb.mecb` and `mecb.coding_game`).
#[derive(ParamEnum, Clone, Copy, PartialEq, Eq)]
enum EncoderMethod {
    /// Algorithm 1 of the MEC-B paper.
    Greedy,
    /// The paper's baseline: `floor(2^R)` bins of consecutive symbols.
    Uniform,
}

/// `mecb.ebim` parameters.
#[derive(Params)]
struct EbimParams {
    /// the source distribution p_X
    p: Vec<f64>,
    #[param(flatten)]
    rate: RateParam,
    /// apply the Theorem 3 refinements (stochastic encoders near the deterministic ones)
    #[param(default = true)]
    refine: bool,
    /// `greedy` (Algorithm 1) or `uniform` (floor(2^R) bins of consecutive symbols)
    #[param(default = EncoderMethod::Greedy)]
    method: EncoderMethod,
}

/// `mecb.mecb` parameters.
#[derive(Params)]
struct MecbParams {
    /// the source distribution
    p_x: Vec<f64>,
    /// the reconstruction distribution
    p_y: Vec<f64>,
    #[param(flatten)]
    rate: RateParam,
    /// refine the encoder by Theorem 3
    #[param(default = true)]
    refine: bool,
    /// `greedy` (EBIM Algorithm 1) or `uniform` (the paper's baseline)
    #[param(default = EncoderMethod::Greedy)]
    compressor: EncoderMethod,
}

/// `mecb.coding_game` parameters.
#[derive(Params)]
struct CodingGameParams {
    /// per-step budget H(T) <= rate · log2(messages), as a fraction of the prior's entropy, in (0, 1]; 1 = no bottleneck (the paper's compression rate H/R is 1/rate)
    #[param(default = 1.0, gt = 0.0, le = 1.0)]
    rate: f64,
    /// policy temperature β > 0 (the paper uses log β from -6 up)
    #[param(default = (-6.0f64).exp(), gt = 0.0, lt = f64::INFINITY)]
    beta: f64,
    /// number of equally likely messages (2 ..= 65536)
    #[param(default = 512, ge = 2, le = 65536)]
    messages: usize,
    /// episodes to average over
    #[param(default = 200, ge = 1, le = 10_000_000)]
    episodes: usize,
    /// random seed (episode e uses stream e of this seed)
    ///
    /// An `i64` (not `u64`) so that negative seeds stay accepted, as their two's-complement bits.
    #[param(default = 0)]
    seed: i64,
    /// `greedy` (EBIM Algorithm 1) or `uniform` (the paper's baseline)
    #[param(default = EncoderMethod::Greedy)]
    compressor: EncoderMethod,
    /// steps before an episode is cut off (reward 0)
    #[param(default = 1000, ge = 1, le = 10_000_000)]
    max_steps: usize,
    /// probability of slipping to each perpendicular side, in [0, 0.5]
    #[param(default = 0.1, ge = 0.0, le = 0.5)]
    slip: f64,
    /// discount factor in [0, 1)
    #[param(default = 0.95, ge = 0.0, lt = 1.0)]
    gamma: f64,
    /// sweeps of soft Q-iteration
    #[param(default = 100, ge = 1, le = 1_000_000)]
    q_iterations: usize,
}

/// Reads a vector of numbers (a `Vector` or a list of numbers) named `name` and checks that it
/// is a distribution.
fn distribution_from_value(name: &str, value: &Value) -> PluginResult<Vec<f64>> {
    let p = match value {
        Value::Vector(v) => v.to_vec(),
        Value::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item.as_f64() {
                    Some(x) => out.push(x),
                    None => {
                        return Err(PluginError::bad_parameter(
                            name,
                            format!("entry {i} is {}, not a number", item.describe()),
                        ));
                    }
                }
            }
            out
        }
        other => {
            return Err(PluginError::bad_parameter(
                name,
                format!(
                    "expected a vector of probabilities, got {}",
                    other.describe()
                ),
            ));
        }
    };
    check_distribution(&p).map_err(|e| PluginError::bad_parameter(name, e.to_string()))?;
    Ok(p)
}

/// Reads the entries of a list of distributions (`marginals`), naming each as `name[i]`.
fn distributions_from_values(name: &str, items: &[Value]) -> PluginResult<Vec<Vec<f64>>> {
    if items.is_empty() {
        return Err(PluginError::bad_parameter(
            name,
            "is empty; give at least one distribution",
        ));
    }
    // A single distribution is not a list of them: say so.
    if items.iter().all(Value::is_number) {
        return Err(PluginError::bad_parameter(
            name,
            "is a list of numbers; give a list of distributions, e.g. [[0.5, 0.5], [0.2, 0.8]]",
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, v)| distribution_from_value(&format!("{name}[{i}]"), v))
        .collect()
}

/// The exact solver's refusals: too large a problem is the `exact` option's fault.
fn exact_error(e: exact::ExactError) -> PluginError {
    match e {
        exact::ExactError::TooLarge { .. } => PluginError::bad_parameter("exact", e.to_string()),
        exact::ExactError::NoTree => PluginError::numerical(e.to_string()),
    }
}

/// Checks the marginals (each a distribution of at most [`MAX_SUPPORT`] entries), naming the
/// offending one as `marginals[i]`.
fn marginals(items: &[Value]) -> PluginResult<Vec<Vec<f64>>> {
    let marginals = distributions_from_values("marginals", items)?;
    for (i, m) in marginals.iter().enumerate() {
        check_support(&format!("marginals[{i}]"), m)?;
    }
    Ok(marginals)
}

/// Checks that the vector parameter `name` is a distribution of at most [`MAX_SUPPORT`]
/// entries.
fn distribution(name: &str, p: Vec<f64>) -> PluginResult<Vec<f64>> {
    check_distribution(&p).map_err(|e| PluginError::bad_parameter(name, e.to_string()))?;
    check_support(name, &p)?;
    Ok(p)
}

fn check_support(name: &str, p: &[f64]) -> PluginResult<()> {
    if p.len() > MAX_SUPPORT {
        return Err(PluginError::bad_parameter(
            name,
            format!(
                "has {} entries; at most {MAX_SUPPORT} are supported",
                p.len()
            ),
        ));
    }
    Ok(())
}

fn sparse(rows: usize, cols: usize, triplets: &[(usize, usize, f64)]) -> PluginResult<Value> {
    SparseMatrix::from_triplets(rows, cols, triplets)
        .map(Value::Sparse)
        .map_err(PluginError::internal)
}

fn coupling_matrix(c: &Coupling) -> PluginResult<Value> {
    let triplets: Vec<(usize, usize, f64)> = (0..c.len())
        .map(|k| (c.cell(k)[0] as usize, c.cell(k)[1] as usize, c.mass[k]))
        .collect();
    sparse(c.dims[0], c.dims[1], &triplets)
}

fn encoder_matrix(n: usize, e: &Encoder) -> PluginResult<Value> {
    let triplets: Vec<(usize, usize, f64)> = e
        .cells
        .iter()
        .map(|&(x, t, m)| (x as usize, t as usize, m))
        .collect();
    sparse(n, e.p_t.len(), &triplets)
}

/// `[t(x)]` for a deterministic encoder, `()` otherwise.
fn mapping_value(n: usize, e: &Encoder) -> Value {
    if !e.is_deterministic() {
        return Value::Unit;
    }
    let mut t_of_x = vec![0i64; n];
    for &(x, t, _) in &e.cells {
        t_of_x[x as usize] = t as i64;
    }
    Value::List(
        t_of_x
            .into_iter()
            .map(Value::Int)
            .collect::<Vec<_>>()
            .into(),
    )
}

fn create_couple(params: Value) -> PluginResult<Box<dyn Run>> {
    let CoupleParams {
        marginals: given,
        exact,
        method,
    } = CoupleParams::decode(params)?;
    let marginals = marginals(&given)?;
    if exact && marginals.len() != 2 {
        return Err(PluginError::bad_parameter(
            "exact",
            format!(
                "the exact solver couples two marginals, got {}",
                marginals.len()
            ),
        ));
    }
    Ok(Box::new(move |_input: Value, host: &HostRef<'_>| {
        host.check_cancelled()?;
        let refs: Vec<&[f64]> = marginals.iter().map(|v| v.as_slice()).collect();
        let (name, c) = if exact {
            (
                "exact",
                exact::exact_two(refs[0], refs[1]).map_err(exact_error)?.1,
            )
        } else {
            let c = match method {
                CouplingMethod::Greedy => coupling::greedy(&refs),
                CouplingMethod::Sorted => coupling::quantile(&refs),
            };
            (method.name(), c)
        };
        host.check_cancelled()?;
        let h = c.entropy();
        let lower = bounds::majorize_profile_bound(&refs);
        let marginal_error = c.marginal_error(&refs);
        let unmatched = c.unmatched.iter().fold(0.0f64, |a, &b| a.max(b.abs()));
        if unmatched > 1e-12 {
            host.warn(&format!(
                "the marginals' sums differ: {unmatched:.3e} of mass could not be matched (see `unmatched`)"
            ));
        }
        let mut out = ValueMap::new()
            .with("method", name)
            .with("entropy", h)
            .with("lower_bound", lower)
            .with("gap", h - lower)
            .with("independent_entropy", coupling::independent_entropy(&refs))
            .with("cells", c.len())
            .with("marginal_error", marginal_error)
            .with("unmatched", c.unmatched.clone())
            .with("mass", c.mass.clone());
        if refs.len() == 2 {
            out.insert(
                "mutual_information",
                coupling::mutual_information(refs[0], refs[1], &c),
            );
            out.insert("joint", coupling_matrix(&c)?);
        } else {
            let k = c.arity();
            let index = DenseMatrix::from_fn(c.len(), k, |r, j| c.cell(r)[j] as f64);
            out.insert("index", index);
        }
        Ok(Value::Map(out))
    }))
}

fn create_lower_bound(params: Value) -> PluginResult<Box<dyn Run>> {
    let marginals = marginals(&LowerBoundParams::decode(params)?.marginals)?;
    Ok(Box::new(move |_input: Value, _host: &HostRef<'_>| {
        let refs: Vec<&[f64]> = marginals.iter().map(|v| v.as_slice()).collect();
        let meet = bounds::meet(&refs);
        let majorization: f64 = entropy(&meet);
        let profile = bounds::profile_bound(&refs);
        let majorize_profile = bounds::majorize_profile_bound(&refs);
        Ok(Value::Map(
            ValueMap::new()
                .with("majorization", majorization)
                .with("profile", profile)
                .with("majorize_profile", majorize_profile)
                .with("best", majorize_profile.max(profile).max(majorization))
                .with("meet", meet)
                .with(
                    "max_marginal_entropy",
                    refs.iter().map(|p| entropy(p)).fold(0.0, f64::max),
                )
                .with("independent_entropy", coupling::independent_entropy(&refs)),
        ))
    }))
}

fn create_ebim(params: Value) -> PluginResult<Box<dyn Run>> {
    let EbimParams {
        p,
        rate: RateParam { rate },
        refine,
        method,
    } = EbimParams::decode(params)?;
    let p = distribution("p", p)?;
    Ok(Box::new(move |_input: Value, _host: &HostRef<'_>| {
        let n = p.len();
        if method == EncoderMethod::Uniform {
            let e = ebim::uniform_quantizer(&p, rate).encoder(&p);
            let i = e.mutual_information(&p);
            return Ok(Value::Map(
                ValueMap::new()
                    .with("method", "uniform")
                    .with("i_xt", i)
                    .with("h_t", e.h_t())
                    .with("upper_bound", rate.min(entropy(&p)))
                    .with("mapping", mapping_value(n, &e))
                    .with("p_t", e.p_t.clone())
                    .with("encoder", encoder_matrix(n, &e)?),
            ));
        }
        let r = ebim::ebim(&p, rate, refine);
        let refinement = match &r.refined {
            Some(f) => Value::Map(
                ValueMap::new()
                    .with("direction", f.direction)
                    .with("symbol", f.x)
                    .with("moved", f.moved),
            ),
            None => Value::Unit,
        };
        Ok(Value::Map(
            ValueMap::new()
                .with("method", "greedy")
                .with("i_xt", r.i_xt)
                .with("h_t", r.best.h_t())
                .with("greedy_i_xt", r.greedy.mapping.entropy())
                .with("upper_bound", r.upper_bound)
                .with("guarantee_gap", r.guarantee_gap)
                .with("deterministic", r.best.is_deterministic())
                .with("refinement", refinement)
                .with("mapping", mapping_value(n, &r.best))
                .with(
                    "greedy_mapping",
                    mapping_value(n, &r.greedy.mapping.encoder(&p)),
                )
                .with("p_t", r.best.p_t.clone())
                .with("encoder", encoder_matrix(n, &r.best)?),
        ))
    }))
}

fn create_mecb(params: Value) -> PluginResult<Box<dyn Run>> {
    let p = MecbParams::decode(params)?;
    let p_x = distribution("p_x", p.p_x)?;
    let p_y = distribution("p_y", p.p_y)?;
    let rate = p.rate.rate;
    let compressor = match p.compressor {
        EncoderMethod::Greedy => Compressor::Greedy { refine: p.refine },
        EncoderMethod::Uniform => Compressor::Uniform,
    };
    Ok(Box::new(move |_input: Value, _host: &HostRef<'_>| {
        let r = mecb::mecb(&p_x, &p_y, rate, compressor);
        let joint: Vec<(usize, usize, f64)> = r
            .joint
            .iter()
            .map(|&(x, y, m)| (x as usize, y as usize, m))
            .collect();
        Ok(Value::Map(
            ValueMap::new()
                .with("i_xy", r.i_xy)
                .with("h_xy", r.h_xy)
                .with("h_t", r.h_t)
                .with("i_xt", r.i_xt)
                .with("i_ty", r.i_ty)
                .with("lemma_bound", r.i_xt + r.i_ty - r.h_t)
                .with("p_t", r.encoder.p_t.clone())
                .with("mapping", mapping_value(p_x.len(), &r.encoder))
                .with("joint", sparse(p_x.len(), p_y.len(), &joint)?)
                .with("encoder", encoder_matrix(p_x.len(), &r.encoder)?)
                .with("decoder", coupling_matrix(&r.decoder)?),
        ))
    }))
}

fn create_coding_game(params: Value) -> PluginResult<Box<dyn Run>> {
    let p = CodingGameParams::decode(params)?;
    let config = GameConfig {
        rate: p.rate,
        beta: p.beta,
        messages: p.messages,
        episodes: p.episodes,
        seed: p.seed as u64,
        compressor: match p.compressor {
            EncoderMethod::Greedy => BeliefCompressor::Greedy,
            EncoderMethod::Uniform => BeliefCompressor::Uniform,
        },
        max_steps: p.max_steps,
        slip: p.slip,
        gamma: p.gamma,
        q_iterations: p.q_iterations,
    };
    Ok(Box::new(move |_input: Value, host: &HostRef<'_>| {
        let game = Game::new(config.clone());
        let total = config.episodes;
        let mut episodes = Vec::with_capacity(total);
        for e in 0..total {
            host.check_cancelled()?;
            episodes.push(game.episode(&mut game.rng(e)));
            if e % 10 == 9 || e + 1 == total {
                host.report_progress(e as u64 + 1, total as u64, "episodes");
            }
        }
        let s = coding_game::summarise(&episodes);
        Ok(Value::Map(
            ValueMap::new()
                .with("reward", s.reward)
                .with("reward_stderr", s.reward_stderr)
                .with("discounted_reward", s.discounted_reward)
                .with("discounted_reward_stderr", s.discounted_reward_stderr)
                .with("accuracy", s.accuracy)
                .with("accuracy_stderr", s.accuracy_stderr)
                .with("steps", s.steps)
                .with("bits", s.bits)
                .with("belief_true", s.belief_true)
                .with("belief_curve", s.belief_curve)
                .with("rate", config.rate)
                .with("beta", config.beta)
                .with("messages", config.messages)
                .with("episodes", config.episodes),
        ))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use boundlab_sdk::testing::TestHost;

    fn params(entries: Vec<(&str, Value)>) -> Value {
        let mut m = ValueMap::new();
        for (k, v) in entries {
            m.insert(k, v);
        }
        Value::Map(m)
    }

    fn call(host: &TestHost, id: &str, entries: Vec<(&str, Value)>) -> PluginResult<Value> {
        host.run(plugin_module(), id, params(entries), Value::Unit)
    }

    fn list(vs: &[&[f64]]) -> Value {
        Value::List(
            vs.iter()
                .map(|v| Value::from(v.to_vec()))
                .collect::<Vec<_>>()
                .into(),
        )
    }

    #[test]
    fn couple_returns_the_greedy_and_its_bound() {
        let host = TestHost::new();
        let out = call(
            &host,
            "mecb.couple",
            vec![("marginals", list(&[&[0.5, 0.4, 0.1], &[0.6, 0.2, 0.2]]))],
        )
        .unwrap();
        assert!((out.get("entropy").unwrap().as_f64().unwrap() - 1.760964).abs() < 1e-6);
        assert_eq!(out.get("cells"), Some(&Value::Int(4)));
        let Some(Value::Sparse(j)) = out.get("joint") else {
            panic!("no joint")
        };
        assert_eq!(j.nnz(), 4);
        let out = call(
            &host,
            "mecb.couple",
            vec![
                ("marginals", list(&[&[0.5, 0.4, 0.1], &[0.6, 0.2, 0.2]])),
                ("exact", Value::Bool(true)),
            ],
        )
        .unwrap();
        assert_eq!(out.get("method").and_then(Value::as_str), Some("exact"));
        let out = call(
            &host,
            "mecb.couple",
            vec![(
                "marginals",
                list(&[&[1.0], &[0.75, 0.25], &[0.6, 0.3, 0.1]]),
            )],
        )
        .unwrap();
        assert!(matches!(out.get("index"), Some(Value::Matrix(m)) if m.rows == 4 && m.cols == 3));
    }

    #[test]
    fn bad_inputs_are_refused_with_the_index() {
        let host = TestHost::new();
        let err = call(
            &host,
            "mecb.couple",
            vec![("marginals", list(&[&[0.5, 0.5], &[0.7, -0.2, 0.5]]))],
        )
        .unwrap_err();
        assert!(
            err.message.contains("`marginals[1]`") && err.message.contains("entry 1 is negative"),
            "{}",
            err.message
        );
        let err = call(
            &host,
            "mecb.couple",
            vec![("marginals", list(&[&[0.5, 0.5], &[0.7, 0.2]]))],
        )
        .unwrap_err();
        assert!(err.message.contains("off from 1"), "{}", err.message);
        let err = call(
            &host,
            "mecb.ebim",
            vec![
                ("p", Value::from(vec![0.5, f64::NAN])),
                ("rate", Value::Float(1.0)),
            ],
        )
        .unwrap_err();
        assert!(
            err.message.contains("parameter `p`: entry 1 is NaN"),
            "{}",
            err.message
        );
        let err = call(
            &host,
            "mecb.ebim",
            vec![
                ("p", Value::from(vec![0.5, 0.5])),
                ("rate", Value::Float(-1.0)),
            ],
        )
        .unwrap_err();
        assert!(err.message.contains("parameter `rate`"), "{}", err.message);
        let err = call(&host, "mecb.coding_game", vec![("rate", Value::Float(1.5))]).unwrap_err();
        assert!(err.message.contains("parameter `rate`"), "{}", err.message);
        let err = call(
            &host,
            "mecb.mecb",
            vec![
                ("p_x", Value::from(Vec::<f64>::new())),
                ("p_y", Value::from(vec![1.0])),
                ("rate", Value::Float(1.0)),
            ],
        )
        .unwrap_err();
        assert!(
            err.message.contains("parameter `p_x`: is empty"),
            "{}",
            err.message
        );
        let err = call(
            &host,
            "mecb.couple",
            vec![
                ("marginals", list(&[&[0.5, 0.5]])),
                ("exact", Value::Bool(true)),
            ],
        )
        .unwrap_err();
        assert!(err.message.contains("parameter `exact`"), "{}", err.message);
    }

    #[test]
    fn lower_bound_ebim_mecb_and_game_run() {
        let host = TestHost::new();
        let out = call(
            &host,
            "mecb.lower_bound",
            vec![("marginals", list(&[&[0.5, 0.4, 0.1], &[0.6, 0.2, 0.2]]))],
        )
        .unwrap();
        assert!((out.get("majorization").unwrap().as_f64().unwrap() - 1.485475).abs() < 1e-6);
        let out = call(
            &host,
            "mecb.ebim",
            vec![
                ("p", Value::from(vec![0.7, 0.2, 0.1])),
                ("rate", Value::Float(0.75)),
            ],
        )
        .unwrap();
        assert!((out.get("i_xt").unwrap().as_f64().unwrap() - 0.730826).abs() < 1e-6);
        assert_eq!(out.get("deterministic"), Some(&Value::Bool(false)));
        let u = Value::from(vec![0.25; 4]);
        let out = call(
            &host,
            "mecb.mecb",
            vec![("p_x", u.clone()), ("p_y", u), ("rate", Value::Float(1.0))],
        )
        .unwrap();
        assert!((out.get("i_xy").unwrap().as_f64().unwrap() - 1.0).abs() < 1e-12);
        let out = call(
            &host,
            "mecb.coding_game",
            vec![
                ("messages", Value::Int(16)),
                ("episodes", Value::Int(20)),
                ("rate", Value::Float(0.5)),
            ],
        )
        .unwrap();
        let acc = out.get("accuracy").unwrap().as_f64().unwrap();
        assert!((0.0..=1.0).contains(&acc));
        assert_eq!(host.progress_reports().last(), Some(&(20, 20)));
    }

    #[test]
    fn omitted_parameters_mean_the_defaults_describe_shows() {
        let host = TestHost::new();
        let marginals = list(&[&[0.5, 0.4, 0.1], &[0.6, 0.2, 0.2]]);
        let p = Value::from(vec![0.7, 0.2, 0.1]);
        let cases = [
            ("mecb.couple", vec![("marginals", marginals.clone())]),
            ("mecb.lower_bound", vec![("marginals", marginals)]),
            (
                "mecb.ebim",
                vec![("p", p.clone()), ("rate", Value::Float(0.75))],
            ),
            (
                "mecb.mecb",
                vec![("p_x", p.clone()), ("p_y", p), ("rate", Value::Float(0.75))],
            ),
            // Few messages and episodes keep the run short; the rest are the defaults.
            (
                "mecb.coding_game",
                vec![("messages", Value::Int(16)), ("episodes", Value::Int(3))],
            ),
        ];
        for (id, entries) in cases {
            host.assert_omitted_means_default(plugin_module(), id, params(entries), &[]);
        }
    }

    #[test]
    fn coding_game_stops_when_cancelled() {
        let host = TestHost::new();
        host.cancel();
        let err = call(&host, "mecb.coding_game", vec![("episodes", Value::Int(5))]).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Cancelled);
    }
}
