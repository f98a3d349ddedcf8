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
use crate::dist::{distribution_from_value, distributions_from_value, entropy};
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
            .param(ParamInfo::required("marginals", ValueKind::List, "the distributions to couple, e.g. [[0.5, 0.5], [0.2, 0.8]]"))
            .param(ParamInfo::with_default("exact", ValueKind::Bool, false, "solve exactly (two marginals, at most 16 nonzero entries in all)"))
            .param(ParamInfo::with_default("method", ValueKind::Str, "greedy", "`greedy` (max-seeking, Kocaoglu et al.) or `sorted` (quantile coupling); ignored when exact")),
            AlgorithmSpec::new(
                "mecb.lower_bound",
                "Lower bounds on the entropy of every coupling: majorisation H(∧), profile and majorize-profile (Compton et al. 2023).",
                create_lower_bound,
            )
            .param(ParamInfo::required("marginals", ValueKind::List, "the distributions, e.g. [[0.5, 0.5], [0.2, 0.8]]")),
            AlgorithmSpec::new(
                "mecb.ebim",
                "Entropy-bounded information maximisation: max I(X;T) s.t. H(T) <= rate (Algorithm 1 of Ebrahimi et al. 2024, Theorem 3 refinement).",
                create_ebim,
            )
            .param(ParamInfo::required("p", ValueKind::Vector, "the source distribution p_X"))
            .param(ParamInfo::required("rate", ValueKind::Float, "the bound R on H(T), in bits (>= 0)"))
            .param(ParamInfo::with_default("refine", ValueKind::Bool, true, "apply the Theorem 3 refinements (stochastic encoders near the deterministic ones)"))
            .param(ParamInfo::with_default("method", ValueKind::Str, "greedy", "`greedy` (Algorithm 1) or `uniform` (floor(2^R) bins of consecutive symbols)")),
            AlgorithmSpec::new(
                "mecb.mecb",
                "Minimum-entropy coupling with bottleneck: encoder from EBIM, decoder from greedy MEC, joint p(x, y) and I(X;Y).",
                create_mecb,
            )
            .param(ParamInfo::required("p_x", ValueKind::Vector, "the source distribution"))
            .param(ParamInfo::required("p_y", ValueKind::Vector, "the reconstruction distribution"))
            .param(ParamInfo::required("rate", ValueKind::Float, "the bound R on H(T), in bits (>= 0)"))
            .param(ParamInfo::with_default("refine", ValueKind::Bool, true, "refine the encoder by Theorem 3"))
            .param(ParamInfo::with_default("compressor", ValueKind::Str, "greedy", "`greedy` (EBIM Algorithm 1) or `uniform` (the paper's baseline)")),
            AlgorithmSpec::new(
                "mecb.coding_game",
                "Markov coding game with a rate limit: 8x8 grid world, soft-Q policy at temperature beta, per-step EBIM + minimum-entropy coupling, Bayesian decoding.",
                create_coding_game,
            )
            .param(ParamInfo::with_default("rate", ValueKind::Float, 1.0, "per-step budget H(T) <= rate · log2(messages), as a fraction of the prior's entropy, in (0, 1]; 1 = no bottleneck (the paper's compression rate H/R is 1/rate)"))
            .param(ParamInfo::with_default("beta", ValueKind::Float, (-6.0f64).exp(), "policy temperature β > 0 (the paper uses log β from -6 up)"))
            .param(ParamInfo::with_default("messages", ValueKind::Int, 512i64, "number of equally likely messages (2 ..= 65536)"))
            .param(ParamInfo::with_default("episodes", ValueKind::Int, 200i64, "episodes to average over"))
            .param(ParamInfo::with_default("seed", ValueKind::Int, 0i64, "random seed (episode e uses stream e of this seed)"))
            .param(ParamInfo::with_default("compressor", ValueKind::Str, "greedy", "`greedy` (EBIM Algorithm 1) or `uniform` (the paper's baseline)"))
            .param(ParamInfo::with_default("max_steps", ValueKind::Int, 1000i64, "steps before an episode is cut off (reward 0)"))
            .param(ParamInfo::with_default("slip", ValueKind::Float, 0.1, "probability of slipping to each perpendicular side, in [0, 0.5]"))
            .param(ParamInfo::with_default("gamma", ValueKind::Float, 0.95, "discount factor in [0, 1)"))
            .param(ParamInfo::with_default("q_iterations", ValueKind::Int, 100i64, "sweeps of soft Q-iteration")),
        ]
    }
}

boundlab_sdk::declare_plugin!(MecbPlugin);

fn marginals_param(params: &Value) -> PluginResult<Vec<Vec<f64>>> {
    let value = params
        .get("marginals")
        .ok_or_else(|| PluginError::bad_parameter("marginals", "is required but missing"))?;
    let marginals = distributions_from_value("marginals", value)?;
    for (i, m) in marginals.iter().enumerate() {
        if m.len() > MAX_SUPPORT {
            return Err(PluginError::bad_parameter(
                &format!("marginals[{i}]"),
                format!(
                    "has {} entries; at most {MAX_SUPPORT} are supported",
                    m.len()
                ),
            ));
        }
    }
    Ok(marginals)
}

fn rate_param(params: &Value) -> PluginResult<f64> {
    let rate: f64 = from_value_field(params, "rate")?;
    if !rate.is_finite() || rate < 0.0 {
        return Err(PluginError::bad_parameter(
            "rate",
            format!("must be a finite number of bits >= 0, got {rate}"),
        ));
    }
    Ok(rate)
}

fn vector_param(params: &Value, name: &str) -> PluginResult<Vec<f64>> {
    let value = params
        .get(name)
        .ok_or_else(|| PluginError::bad_parameter(name, "is required but missing"))?;
    let p = distribution_from_value(name, value)?;
    if p.len() > MAX_SUPPORT {
        return Err(PluginError::bad_parameter(
            name,
            format!(
                "has {} entries; at most {MAX_SUPPORT} are supported",
                p.len()
            ),
        ));
    }
    Ok(p)
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
    let marginals = marginals_param(&params)?;
    let exact: bool = from_value_field(&params, "exact")?;
    let method: String = from_value_field(&params, "method")?;
    if !matches!(method.as_str(), "greedy" | "sorted") {
        return Err(PluginError::bad_parameter(
            "method",
            format!("unknown method `{method}`; expected `greedy` or `sorted`"),
        ));
    }
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
            ("exact", exact::exact_two(refs[0], refs[1])?.1)
        } else if method == "sorted" {
            ("sorted", coupling::quantile(&refs))
        } else {
            ("greedy", coupling::greedy(&refs))
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
    let marginals = marginals_param(&params)?;
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
    let p = vector_param(&params, "p")?;
    let rate = rate_param(&params)?;
    let refine: bool = from_value_field(&params, "refine")?;
    let method: String = from_value_field(&params, "method")?;
    if !matches!(method.as_str(), "greedy" | "uniform") {
        return Err(PluginError::bad_parameter(
            "method",
            format!("unknown method `{method}`; expected `greedy` or `uniform`"),
        ));
    }
    Ok(Box::new(move |_input: Value, _host: &HostRef<'_>| {
        let n = p.len();
        if method == "uniform" {
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
    let p_x = vector_param(&params, "p_x")?;
    let p_y = vector_param(&params, "p_y")?;
    let rate = rate_param(&params)?;
    let refine: bool = from_value_field(&params, "refine")?;
    let compressor: String = from_value_field(&params, "compressor")?;
    let compressor = match compressor.as_str() {
        "greedy" => Compressor::Greedy { refine },
        "uniform" => Compressor::Uniform,
        other => {
            return Err(PluginError::bad_parameter(
                "compressor",
                format!("unknown compressor `{other}`; expected `greedy` or `uniform`"),
            ));
        }
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

fn int_param(params: &Value, name: &str, lo: i64, hi: i64) -> PluginResult<i64> {
    let v: i64 = from_value_field(params, name)?;
    if v < lo || v > hi {
        return Err(PluginError::bad_parameter(
            name,
            format!("must be in {lo} ..= {hi}, got {v}"),
        ));
    }
    Ok(v)
}

fn create_coding_game(params: Value) -> PluginResult<Box<dyn Run>> {
    let rate: f64 = from_value_field(&params, "rate")?;
    if !(rate > 0.0 && rate <= 1.0) {
        return Err(PluginError::bad_parameter(
            "rate",
            format!(
                "is the fraction of the belief's entropy kept per step and must be in (0, 1], got {rate}"
            ),
        ));
    }
    let beta: f64 = from_value_field(&params, "beta")?;
    if !(beta > 0.0 && beta.is_finite()) {
        return Err(PluginError::bad_parameter(
            "beta",
            format!("must be a finite temperature > 0, got {beta}"),
        ));
    }
    let slip: f64 = from_value_field(&params, "slip")?;
    if !(0.0..=0.5).contains(&slip) {
        return Err(PluginError::bad_parameter(
            "slip",
            format!("must be in [0, 0.5], got {slip}"),
        ));
    }
    let gamma: f64 = from_value_field(&params, "gamma")?;
    if !(0.0..1.0).contains(&gamma) {
        return Err(PluginError::bad_parameter(
            "gamma",
            format!("must be in [0, 1), got {gamma}"),
        ));
    }
    let compressor: String = from_value_field(&params, "compressor")?;
    let compressor = match compressor.as_str() {
        "greedy" => BeliefCompressor::Greedy,
        "uniform" => BeliefCompressor::Uniform,
        other => {
            return Err(PluginError::bad_parameter(
                "compressor",
                format!("unknown compressor `{other}`; expected `greedy` or `uniform`"),
            ));
        }
    };
    let seed: i64 = from_value_field(&params, "seed")?;
    let config = GameConfig {
        rate,
        beta,
        messages: int_param(&params, "messages", 2, 65536)? as usize,
        episodes: int_param(&params, "episodes", 1, 10_000_000)? as usize,
        seed: seed as u64,
        compressor,
        max_steps: int_param(&params, "max_steps", 1, 10_000_000)? as usize,
        slip,
        gamma,
        q_iterations: int_param(&params, "q_iterations", 1, 1_000_000)? as usize,
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
    fn coding_game_stops_when_cancelled() {
        let host = TestHost::new();
        host.cancel();
        let err = call(&host, "mecb.coding_game", vec![("episodes", Value::Int(5))]).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Cancelled);
    }
}
