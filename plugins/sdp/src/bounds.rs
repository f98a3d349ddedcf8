//! The algorithm ids of the bounds: `sdp.delsarte`, `sdp.three_point`, `sdp.cohn_elkies`.
//! A thin layer: parameters to specs, a solve with progress and cancellation, results to maps.

use boundlab_sdk::prelude::*;

use boundlab_sdp_solver::precision::{
    Arithmetic, DEFAULT_BITS, DEFAULT_MAX_BITS, MAX_BITS, MIN_BITS, Precision, TextFormat,
};
use boundlab_sdp_solver::solver::{IterationInfo, SdpStatus};
use boundlab_sphere_bounds::cohn_elkies::{self, CohnElkiesSpec, default_radius};
use boundlab_sphere_bounds::delsarte::{self, DelsarteSpec};
use boundlab_sphere_bounds::three_point::{self, Form, ThreePointSpec};
use boundlab_sphere_bounds::verify::verify_delsarte;
use boundlab_sphere_bounds::verify_cohn_elkies::verify_cohn_elkies;
use boundlab_sphere_bounds::{Certified, SolveReport, SolveSettings};

/// The precision parameters every SDP algorithm takes (`precision` with its default).
pub(crate) fn precision_params(spec: AlgorithmSpec, default: &str) -> AlgorithmSpec {
    spec.param(ParamInfo::with_default("precision", ValueKind::Str, default, "`f64`, `dd` (double-double, ~32 digits), `mp` (`bits` bits) or `auto` (f64, continued in dd, then 256, 512, ... bits up to `max_bits` each time the arithmetic runs out of accuracy)"))
        .param(ParamInfo::optional("bits", ValueKind::Int, &format!("with `precision: \"mp\"`: bits of the mantissa, {MIN_BITS}..={MAX_BITS} (default {DEFAULT_BITS}; rounded up to 128, 256, 384, 512, 768, 1024, 2048 or 4096)")))
        .param(ParamInfo::optional("max_bits", ValueKind::Int, &format!("with `precision: \"auto\"`: the widest arithmetic to escalate to (default {DEFAULT_MAX_BITS})")))
}

fn common(spec: AlgorithmSpec) -> AlgorithmSpec {
    precision_params(spec, "auto")
        .param(ParamInfo::with_default("tol", ValueKind::Float, 1e-8, "relative gap and infeasibilities to stop at (f64 reaches about 1e-13, dd 1e-26, 256 bits 1e-62)"))
        .param(ParamInfo::with_default("max_iter", ValueKind::Int, 200i64, "interior-point iteration limit"))
        .param(ParamInfo::with_default("threads", ValueKind::Int, 1i64, "threads for the dense kernels"))
        .param(ParamInfo::with_default("certificate", ValueKind::Bool, false, "add the certificate (polynomial coefficients / matrices) to the result"))
        .param(ParamInfo::optional("save_sdp", ValueKind::Str, "also write the SDP to this file (SDPA .dat-s or RON .ron) for other solvers").renamed_from("export"))
}

/// The specs of the three bounds (appended to the plugin's list in [`crate::plugin`]).
pub fn algorithms() -> Vec<AlgorithmSpec> {
    vec![
        common(
            AlgorithmSpec::new(
                "sdp.delsarte",
                "Delsarte-Goethals-Seidel LP bound for spherical codes with minimal angle θ (kissing number at cos θ = 1/2): Gegenbauer expansion, Lukács sum of squares on [-1, cos θ] at Chebyshev samples.",
                create_delsarte,
            )
            .param(ParamInfo::required("dim", ValueKind::Int, "dimension n of the ambient space (codes on S^{n-1}), at least 2"))
            .param(ParamInfo::required("degree", ValueKind::Int, "degree of the polynomial f"))
            .param(ParamInfo::with_default("angle", ValueKind::Float, 0.5, "cos θ, the largest inner product allowed"))
            .param(ParamInfo::with_default("verify", ValueKind::Bool, false, "round the certificate to exact rationals and prove f <= 0 on [-1, cos θ] (Sturm sequences); adds `rigorous_bound` or fails naming the condition"))
            .param(ParamInfo::optional("terms", ValueKind::List, "Gegenbauer degrees k >= 1 that f may use (default all up to degree)")),
        ),
        common(
            AlgorithmSpec::new(
                "sdp.three_point",
                "Bachoc-Vallentin three-point SDP bound for spherical codes (Mittelmann-Vallentin's s_d(n) or ClusteredLowRankSolver's variant), with S3 symmetry reduction of the trivariate sums of squares.",
                create_three_point,
            )
            .param(ParamInfo::required("dim", ValueKind::Int, "dimension n, at least 3"))
            .param(ParamInfo::required("degree", ValueKind::Int, "d of Mittelmann-Vallentin's s_d(n): identities of degree 2d, F_k of size d+1-k"))
            .param(ParamInfo::with_default("angle", ValueKind::Float, 0.5, "cos θ"))
            .param(ParamInfo::with_default("form", ValueKind::Str, "mv", "`mv` (Mittelmann-Vallentin, with the b matrix) or `clrs` (ClusteredLowRankSolver's three_point_spherical_cap)"))
            .param(ParamInfo::with_default("symmetry", ValueKind::Bool, true, "reduce the trivariate part by S3 (same optimum, far smaller SDP)"))
            .param(ParamInfo::optional("sk", ValueKind::List, "which S_k (k = 0..d) to include (default all)"))
            .param(ParamInfo::optional("gegenbauer_terms", ValueKind::List, "which a_k to include (default 1..2d for mv, 0..2d for clrs)"))
            .param(ParamInfo::optional("multipliers", ValueKind::List, "trivariate sum-of-squares multipliers: one, p_i, sum_p, sum_pp, ppp, gram (default: the form's)"))
            .param(ParamInfo::with_default("grid_extra", ValueKind::Int, 0i64, "extra points per coordinate of the candidate sample grids")),
        ),
        common(
            AlgorithmSpec::new(
                "sdp.cohn_elkies",
                "Cohn-Elkies LP bound for the sphere packing density: f = (polynomial in |x|^2, Laguerre basis) times a Gaussian, sums of squares on [0, inf) and [r^2, inf).",
                create_cohn_elkies,
            )
            .param(ParamInfo::required("dim", ValueKind::Int, "dimension n"))
            .param(ParamInfo::required("degree", ValueKind::Int, "highest power of |x|^2 in the polynomial factor"))
            .param(ParamInfo::optional("radius", ValueKind::Float, "r with f <= 0 for |x| >= r (default sqrt(1 + n/8); the bound is scale invariant, r only changes the numerics and the finite-degree value)"))
            .param(ParamInfo::with_default("sample_scale", ValueKind::Float, cohn_elkies::DEFAULT_SAMPLE_SCALE, "factor on SDPB's rescaled Laguerre sample points"))
            .param(ParamInfo::optional("terms", ValueKind::List, "Laguerre indices k <= degree that f may use (default all)"))
            .param(ParamInfo::optional("products", ValueKind::List, "products [[i, j], ...] of Laguerre functions (i + j <= degree) that f may use besides the terms"))
            .param(ParamInfo::with_default("verify", ValueKind::Bool, false, "round the certificate to exact rationals and prove f̂ >= 0 on [0, inf) and f <= 0 for |x| >= r (Sturm sequences); adds `rigorous_bound` or fails naming the condition")),
        ),
    ]
}

/// The solver settings every bound (and the SDP game's bound) takes: `precision`, `tol`,
/// `max_iter`, `threads`.
pub(crate) fn settings(params: &Value) -> PluginResult<SolveSettings> {
    let precision = precision(params)?;
    let tol: f64 = from_value_field(params, "tol")?;
    if !(tol > 0.0 && tol < 1.0) {
        return Err(PluginError::bad_parameter(
            "tol",
            format!("{tol} must lie in (0, 1)"),
        ));
    }
    let max_iter: i64 = from_value_field(params, "max_iter")?;
    if !(1..=100_000).contains(&max_iter) {
        return Err(PluginError::bad_parameter(
            "max_iter",
            format!("{max_iter} must lie in 1..=100000"),
        ));
    }
    let threads: i64 = from_value_field(params, "threads")?;
    if !(0..=1024).contains(&threads) {
        return Err(PluginError::bad_parameter(
            "threads",
            format!("{threads} must lie in 0..=1024"),
        ));
    }
    // Say up front when no arithmetic asked for can reach `tol`.
    precision
        .ladder(tol)
        .map_err(|e| PluginError::bad_parameter("tol", e))?;
    Ok(SolveSettings {
        precision,
        tol,
        infeasibility_tol: tol,
        max_iter: max_iter as usize,
        threads: threads as usize,
        ..SolveSettings::default()
    })
}

/// `precision`, `bits` and `max_bits`; an error names the parameter.
pub(crate) fn precision(params: &Value) -> PluginResult<Precision> {
    let name: String = from_value_field(params, "precision")?;
    let int = |key: &str| -> PluginResult<Option<i64>> {
        match params.get(key) {
            None | Some(Value::Unit) => Ok(None),
            Some(_) => from_value_field(params, key).map(Some),
        }
    };
    Precision::parse(&name, int("bits")?, int("max_bits")?)
        .map_err(|(param, message)| PluginError::bad_parameter(param, message))
}

fn usize_field(params: &Value, key: &str) -> PluginResult<usize> {
    let v: i64 = from_value_field(params, key)?;
    usize::try_from(v)
        .map_err(|_| PluginError::bad_parameter(key, format!("{v} must not be negative")))
}

fn list_field(params: &Value, key: &str) -> PluginResult<Option<Vec<usize>>> {
    match params.get(key) {
        None | Some(Value::Unit) => Ok(None),
        Some(_) => {
            let v: Vec<i64> = from_value_field(params, key)?;
            v.into_iter()
                .map(|k| {
                    usize::try_from(k).map_err(|_| {
                        PluginError::bad_parameter(key, format!("{k} must not be negative"))
                    })
                })
                .collect::<PluginResult<Vec<usize>>>()
                .map(Some)
        }
    }
}

/// `[[i, j], ...]` of nonnegative integers; absent: empty.
pub(crate) fn pair_list_field(params: &Value, key: &str) -> PluginResult<Vec<(usize, usize)>> {
    match params.get(key) {
        None | Some(Value::Unit) => Ok(Vec::new()),
        Some(_) => {
            let pairs: Vec<Vec<i64>> = from_value_field(params, key)?;
            pairs
                .iter()
                .enumerate()
                .map(|(n, p)| match p.as_slice() {
                    [i, j] if *i >= 0 && *j >= 0 => Ok((*i as usize, *j as usize)),
                    _ => Err(PluginError::bad_parameter(
                        key,
                        format!("entry {n}: expected [i, j] with i, j >= 0, got {p:?}"),
                    )),
                })
                .collect()
        }
    }
}

/// A builder's message names its field first (`dim = 1: ...`, `terms: ...`); map it to the
/// parameter.
fn spec_error(msg: String) -> PluginError {
    let head: String = msg
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    let param = match head.as_str() {
        "dim" | "degree" | "angle" | "terms" | "products" | "sk" | "gegenbauer_terms"
        | "radius" | "sample_scale" | "multipliers" | "grid_extra" => head,
        _ => "degree".to_string(),
    };
    PluginError::bad_parameter(&param, msg)
}

/// Writes the SDP to the `save_sdp` file, if one is given: built by `text` in the widest
/// arithmetic the settings ask for (at least double-double), so the file has its digits.
pub(crate) fn save_sdp(
    params: &Value,
    settings: &SolveSettings,
    text: impl Fn(Arithmetic, TextFormat) -> Result<String, String>,
) -> PluginResult<()> {
    let Some(Value::Str(path)) = params.get("save_sdp") else {
        return Ok(());
    };
    let path = path.to_string();
    let format = if path.ends_with(".ron") {
        TextFormat::Ron
    } else if path.ends_with(".dat-s") {
        TextFormat::Sdpa
    } else {
        return Err(PluginError::bad_parameter(
            "save_sdp",
            format!("`{path}`: the name must end in .dat-s or .ron"),
        ));
    };
    let widest = settings
        .precision
        .ladder(settings.tol)
        .ok()
        .and_then(|l| l.last().copied())
        .filter(|a| a.bits() > Arithmetic::DoubleDouble.bits())
        .unwrap_or(Arithmetic::DoubleDouble);
    let text = text(widest, format).map_err(spec_error)?;
    std::fs::write(&path, text)
        .map_err(|e| PluginError::bad_parameter("save_sdp", format!("cannot write `{path}`: {e}")))
}

/// The monitor every bound's solve gets: progress to the host, `false` once cancelled.
type Monitor<'a> = dyn FnMut(&IterationInfo) -> bool + 'a;

/// Solves a bound (`solve`, one of the bounds' own functions) with progress and cancellation
/// through the host; a cancelled solve is an error, one that ended other than optimal a
/// warning (its `bound` is NaN).
pub(crate) fn run_bound<O>(
    host: &HostRef<'_>,
    settings: &SolveSettings,
    what: &str,
    solve: impl FnOnce(&SolveSettings, &mut Monitor<'_>) -> Result<O, String>,
    report: impl Fn(&O) -> &SolveReport,
) -> PluginResult<O> {
    let total = settings.max_iter as u64;
    let mut monitor = |info: &IterationInfo| {
        host.report_progress(
            info.iteration as u64,
            total,
            &format!(
                "{what}: gap {:.1e}, infeasibilities {:.1e} {:.1e}",
                info.gap, info.primal_infeasibility, info.dual_infeasibility
            ),
        );
        !host.cancelled()
    };
    let out = solve(settings, &mut monitor).map_err(spec_error)?;
    let r = report(&out);
    if r.status == SdpStatus::Cancelled.as_str() {
        return Err(PluginError::cancelled());
    }
    if r.status != SdpStatus::Optimal.as_str() {
        host.warn(&format!(
            "{what}: {}: {} (no bound: `bound` is NaN)",
            r.status, r.message
        ));
    }
    Ok(out)
}

/// A bound's value in a result: `bound` (NaN unless optimal), `bound_decimal` (its certified
/// digits) and `last_iterate_value` (the last iterate's value, whatever the status).
pub(crate) fn add_value(m: &mut ValueMap, value: &Certified) {
    m.insert("bound", value.bound());
    m.insert("bound_decimal", value.decimal.as_str());
    m.insert("last_iterate_value", value.last_iterate);
}

/// Adds the solve's status, message and statistics to a result map.
pub(crate) fn add_report(m: &mut ValueMap, report: &SolveReport) {
    for (k, v) in report_map(report).iter() {
        m.insert(k, v.clone());
    }
}

fn report_map(report: &SolveReport) -> ValueMap {
    ValueMap::new()
        .with("status", report.status.as_str())
        .with("message", report.message.as_str())
        .with("iterations", report.iterations as i64)
        .with("seconds", report.seconds)
        .with("gap", report.gap)
        .with("primal_infeasibility", report.primal_infeasibility)
        .with("dual_infeasibility", report.dual_infeasibility)
        .with("precision", report.precision.as_str())
        .with("constraints", report.constraints as i64)
        .with(
            "blocks",
            report
                .blocks
                .iter()
                .map(|&b| b as f64)
                .collect::<Vec<f64>>(),
        )
}

fn create_delsarte(params: Value) -> PluginResult<Box<dyn Run>> {
    let settings = settings(&params)?;
    let mut spec = DelsarteSpec::new(
        usize_field(&params, "dim")?,
        usize_field(&params, "degree")?,
        from_value_field(&params, "angle")?,
    );
    spec.terms = list_field(&params, "terms")?;
    // Build once up front: a spec the builder refuses is a bad parameter before any run.
    delsarte::build::<f64>(&spec).map_err(spec_error)?;
    save_sdp(&params, &settings, |a, f| {
        delsarte::problem_text(&spec, a, f)
    })?;
    let verify: bool = from_value_field(&params, "verify")?;
    let certificate: bool = from_value_field(&params, "certificate")?;
    Ok(Box::new(move |_input: Value, host: &HostRef<'_>| {
        let b = run_bound(
            host,
            &settings,
            "sdp.delsarte",
            |s, m| delsarte::delsarte_bound(&spec, s, m),
            |b| &b.report,
        )?;
        let mut m = ValueMap::new();
        add_value(&mut m, &b.value);
        add_report(&mut m, &b.report);
        if verify {
            if b.status != SdpStatus::Optimal {
                return Err(PluginError::numerical(format!(
                    "verify: the solve ended `{}` ({}); nothing to verify",
                    b.report.status, b.report.message
                )));
            }
            let v = verify_delsarte(spec.dim, spec.cos_theta, &b.coefficients_decimal, b.bound)
                .map_err(PluginError::numerical)?;
            m.insert("rigorous_bound", v.bound);
            m.insert("rigorous_bound_exact", v.exact.as_str());
            m.insert("verify_margin", v.margin);
        }
        if certificate {
            m.insert("coefficients", b.coefficients.clone());
        }
        Ok(Value::Map(m))
    }))
}

fn create_three_point(params: Value) -> PluginResult<Box<dyn Run>> {
    let settings = settings(&params)?;
    let form_name: String = from_value_field(&params, "form")?;
    let form = Form::parse(&form_name).ok_or_else(|| {
        PluginError::bad_parameter("form", format!("`{form_name}`: expected `mv` or `clrs`"))
    })?;
    let mut spec = ThreePointSpec::new(
        usize_field(&params, "dim")?,
        usize_field(&params, "degree")?,
        from_value_field(&params, "angle")?,
        form,
    );
    spec.symmetry = from_value_field(&params, "symmetry")?;
    spec.sk = list_field(&params, "sk")?;
    spec.gegenbauer_terms = list_field(&params, "gegenbauer_terms")?;
    spec.grid_extra = usize_field(&params, "grid_extra")?;
    if let Some(Value::List(names)) = params.get("multipliers") {
        let parse = |v: &Value| -> PluginResult<three_point::Multiplier> {
            use three_point::Multiplier as M;
            match v.as_str() {
                Some("one") => Ok(M::One),
                Some("p_i") => Ok(M::SeparateP),
                Some("sum_p") => Ok(M::SumP),
                Some("sum_pp") => Ok(M::SumPP),
                Some("ppp") => Ok(M::Ppp),
                Some("gram") => Ok(M::Gram),
                _ => Err(PluginError::bad_parameter(
                    "multipliers",
                    format!(
                        "{}: expected one, p_i, sum_p, sum_pp, ppp or gram",
                        v.describe()
                    ),
                )),
            }
        };
        spec.multipliers = Some(names.iter().map(parse).collect::<PluginResult<Vec<_>>>()?);
    }
    let probe = three_point::build::<f64>(&spec).map_err(spec_error)?;
    let samples = (probe.univariate_samples, probe.trivariate_samples);
    drop(probe);
    save_sdp(&params, &settings, |a, f| {
        three_point::problem_text(&spec, a, f)
    })?;
    let certificate: bool = from_value_field(&params, "certificate")?;
    Ok(Box::new(move |_input: Value, host: &HostRef<'_>| {
        let b = run_bound(
            host,
            &settings,
            "sdp.three_point",
            |s, m| three_point::three_point_bound(&spec, s, m),
            |b| &b.report,
        )?;
        let mut m = ValueMap::new();
        add_value(&mut m, &b.value);
        add_report(&mut m, &b.report);
        m.insert("form", form_name.as_str());
        m.insert("univariate_samples", samples.0 as i64);
        m.insert("trivariate_samples", samples.1 as i64);
        if certificate {
            m.insert("a", b.a.clone());
            m.insert("b", b.b.to_vec());
            m.insert(
                "F",
                b.f.iter()
                    .map(|f| Value::from(f.clone()))
                    .collect::<Vec<Value>>(),
            );
        }
        Ok(Value::Map(m))
    }))
}

fn create_cohn_elkies(params: Value) -> PluginResult<Box<dyn Run>> {
    let settings = settings(&params)?;
    let dim = usize_field(&params, "dim")?;
    let mut spec = CohnElkiesSpec::new(dim, usize_field(&params, "degree")?);
    spec.radius = match params.get("radius") {
        None | Some(Value::Unit) => default_radius(dim),
        Some(_) => from_value_field(&params, "radius")?,
    };
    spec.sample_scale = from_value_field(&params, "sample_scale")?;
    spec.terms = list_field(&params, "terms")?;
    spec.products = pair_list_field(&params, "products")?;
    spec.validate().map_err(spec_error)?;
    save_sdp(&params, &settings, |a, f| {
        cohn_elkies::problem_text(&spec, a, f)
    })?;
    let certificate: bool = from_value_field(&params, "certificate")?;
    let verify: bool = from_value_field(&params, "verify")?;
    Ok(Box::new(move |_input: Value, host: &HostRef<'_>| {
        let b = run_bound(
            host,
            &settings,
            "sdp.cohn_elkies",
            |s, m| cohn_elkies::cohn_elkies_bound(&spec, s, m),
            |b| &b.report,
        )?;
        let mut m = ValueMap::new();
        add_value(&mut m, &b.value);
        if verify {
            if b.status != SdpStatus::Optimal {
                return Err(PluginError::numerical(format!(
                    "verify: the solve ended `{}` ({}); nothing to verify",
                    b.report.status, b.report.message
                )));
            }
            let v = verify_cohn_elkies(spec.dim, spec.radius, &b.coefficients_decimal, b.bound)
                .map_err(PluginError::numerical)?;
            m.insert("rigorous_bound", v.bound);
            m.insert("rigorous_bound_exact", v.exact.as_str());
            m.insert("verify_margin", v.margin);
        }
        let center = if b.bound.is_nan() {
            f64::NAN
        } else {
            b.center_density
        };
        m.insert("center_density", center);
        m.insert("radius", b.radius);
        add_report(&mut m, &b.report);
        if certificate {
            m.insert("coefficients", b.coefficients.clone());
            m.insert(
                "coefficients_decimal",
                Value::List(
                    b.coefficients_decimal
                        .iter()
                        .map(|c| Value::from(c.as_str()))
                        .collect::<Vec<_>>()
                        .into(),
                ),
            );
        }
        Ok(Value::Map(m))
    }))
}
