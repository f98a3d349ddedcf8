//! The algorithm ids of the bounds: `sdp.delsarte`, `sdp.three_point`, `sdp.cohn_elkies`.
//! A thin layer: parameters to specs, a solve with progress and cancellation, results to maps.

use boundlab_sdk::prelude::*;
use std::ops::ControlFlow;

use boundlab_sdp_solver::precision::{
    Arithmetic, DEFAULT_BITS, DEFAULT_MAX_BITS, MAX_BITS, MIN_BITS, Precision, TextFormat,
};
use boundlab_sdp_solver::solver::{IterationInfo, SdpStatus};
use boundlab_sphere_bounds::cohn_elkies::{self, CohnElkiesSpec, default_radius};
use boundlab_sphere_bounds::delsarte::{self, DelsarteSpec};
use boundlab_sphere_bounds::three_point::{self, Form, ThreePointSpec};
use boundlab_sphere_bounds::verify::verify_delsarte;
use boundlab_sphere_bounds::verify_cohn_elkies::verify_cohn_elkies;
use boundlab_sphere_bounds::{Certified, SolveReport, SolveSettings, SpecError};

/// What `precision` means, the same for every SDP algorithm.
const PRECISION_DOC: &str = "`f64`, `dd` (double-double, ~32 digits), `mp` (`bits` bits) or `auto` (f64, continued in dd, then 256, 512, ... bits up to `max_bits` each time the arithmetic runs out of accuracy)";

/// `bits` and `max_bits`: the widths of `precision: "mp"` and `"auto"`.
#[derive(Params)]
pub(crate) struct Widths {
    #[param(doc = format!("with `precision: \"mp\"`: bits of the mantissa, {MIN_BITS}..={MAX_BITS} (default {DEFAULT_BITS}; rounded up to 128, 256, 384, 512, 768, 1024, 2048 or 4096)"))]
    bits: Option<i64>,
    #[param(doc = format!("with `precision: \"auto\"`: the widest arithmetic to escalate to (default {DEFAULT_MAX_BITS})"))]
    max_bits: Option<i64>,
}

impl Widths {
    /// The precision named `name` with these widths; an error names the parameter.
    pub(crate) fn precision(&self, name: &str) -> PluginResult<Precision> {
        Precision::parse(name, self.bits, self.max_bits)
            .map_err(|(param, message)| PluginError::bad_parameter(param, message))
    }
}

/// `precision` (default `auto`), `bits`, `max_bits`.
#[derive(Params)]
pub(crate) struct AutoPrecision {
    #[param(default = "auto", doc = PRECISION_DOC)]
    precision: String,
    #[param(flatten)]
    widths: Widths,
}

impl AutoPrecision {
    pub(crate) fn get(&self) -> PluginResult<Precision> {
        self.widths.precision(&self.precision)
    }
}

/// `precision` (default `dd`: the three-point sphere-packing SDPs need more than f64 from the
/// start), `bits`, `max_bits`.
#[derive(Params)]
pub(crate) struct DdPrecision {
    #[param(default = "dd", doc = PRECISION_DOC)]
    precision: String,
    #[param(flatten)]
    widths: Widths,
}

impl DdPrecision {
    pub(crate) fn get(&self) -> PluginResult<Precision> {
        self.widths.precision(&self.precision)
    }
}

/// When a bound's interior-point solve stops, and on how many threads it runs.
#[derive(Params)]
pub(crate) struct Stopping {
    /// relative gap and infeasibilities to stop at (f64 reaches about 1e-13, dd 1e-26, 256 bits 1e-62)
    #[param(default = 1e-8, gt = 0.0, lt = 1.0)]
    tol: f64,
    /// interior-point iteration limit
    #[param(default = 200, ge = 1, le = 100_000)]
    max_iter: usize,
    /// threads for the dense kernels
    #[param(default = 1, le = 1024)]
    threads: usize,
}

impl Stopping {
    /// The solver settings in `precision`; says up front when no arithmetic asked for can
    /// reach `tol`.
    pub(crate) fn settings(&self, precision: Precision) -> PluginResult<SolveSettings> {
        precision
            .ladder(self.tol)
            .map_err(|e| PluginError::bad_parameter("tol", e))?;
        Ok(SolveSettings {
            precision,
            tol: self.tol,
            infeasibility_tol: self.tol,
            max_iter: self.max_iter,
            threads: self.threads,
            ..SolveSettings::default()
        })
    }
}

/// The options every bound of this file takes, after its own.
#[derive(Params)]
pub(crate) struct BoundOptions {
    #[param(flatten)]
    precision: AutoPrecision,
    #[param(flatten)]
    stopping: Stopping,
    /// add the certificate (polynomial coefficients / matrices) to the result
    #[param(default = false)]
    certificate: bool,
    /// also write the SDP to this file (SDPA .dat-s or RON .ron) for other solvers
    #[param(renamed_from = "export")]
    save_sdp: Option<String>,
}

impl BoundOptions {
    fn settings(&self) -> PluginResult<SolveSettings> {
        self.stopping.settings(self.precision.get()?)
    }
}

/// `sdp.delsarte`'s parameters.
#[derive(Params)]
struct DelsarteParams {
    /// dimension n of the ambient space (codes on S^{n-1}), at least 2
    dim: usize,
    /// degree of the polynomial f
    degree: usize,
    /// cos θ, the largest inner product allowed
    #[param(default = 0.5)]
    angle: f64,
    /// round the certificate to exact rationals and prove f <= 0 on [-1, cos θ] (Sturm sequences); adds `rigorous_bound` or fails naming the condition
    #[param(default = false)]
    verify: bool,
    /// Gegenbauer degrees k >= 1 that f may use (default all up to degree)
    terms: Option<Vec<usize>>,
    #[param(flatten)]
    options: BoundOptions,
}

/// The forms of the three-point kissing SDP.
#[derive(ParamEnum, Clone, Copy)]
enum FormName {
    Mv,
    Clrs,
}

/// The trivariate sum-of-squares multipliers of the three-point kissing SDP, by name.
#[derive(ParamEnum, Clone, Copy)]
enum MultiplierName {
    One,
    #[param(name = "p_i")]
    SeparateP,
    SumP,
    SumPP,
    Ppp,
    Gram,
}

impl From<MultiplierName> for three_point::Multiplier {
    fn from(name: MultiplierName) -> Self {
        use three_point::Multiplier as M;
        match name {
            MultiplierName::One => M::One,
            MultiplierName::SeparateP => M::SeparateP,
            MultiplierName::SumP => M::SumP,
            MultiplierName::SumPP => M::SumPP,
            MultiplierName::Ppp => M::Ppp,
            MultiplierName::Gram => M::Gram,
        }
    }
}

/// `sdp.three_point`'s parameters.
#[derive(Params)]
struct ThreePointParams {
    /// dimension n, at least 3
    dim: usize,
    /// d of Mittelmann-Vallentin's s_d(n): identities of degree 2d, F_k of size d+1-k
    degree: usize,
    /// cos θ
    #[param(default = 0.5)]
    angle: f64,
    /// `mv` (Mittelmann-Vallentin, with the b matrix) or `clrs` (ClusteredLowRankSolver's three_point_spherical_cap)
    #[param(default = FormName::Mv)]
    form: FormName,
    /// reduce the trivariate part by S3 (same optimum, far smaller SDP)
    #[param(default = true)]
    symmetry: bool,
    /// which S_k (k = 0..d) to include (default all)
    sk: Option<Vec<usize>>,
    /// which a_k to include (default 1..2d for mv, 0..2d for clrs)
    gegenbauer_terms: Option<Vec<usize>>,
    /// trivariate sum-of-squares multipliers: one, p_i, sum_p, sum_pp, ppp, gram (default: the form's)
    multipliers: Option<Vec<MultiplierName>>,
    /// extra points per coordinate of the candidate sample grids
    #[param(default = 0)]
    grid_extra: usize,
    #[param(flatten)]
    options: BoundOptions,
}

/// `sdp.cohn_elkies`'s parameters.
#[derive(Params)]
struct CohnElkiesParams {
    /// dimension n
    dim: usize,
    /// highest power of |x|^2 in the polynomial factor
    degree: usize,
    /// r with f <= 0 for |x| >= r (default sqrt(1 + n/8); the bound is scale invariant, r only changes the numerics and the finite-degree value)
    radius: Option<f64>,
    /// factor on SDPB's rescaled Laguerre sample points
    #[param(default = cohn_elkies::DEFAULT_SAMPLE_SCALE)]
    sample_scale: f64,
    /// Laguerre indices k <= degree that f may use (default all)
    terms: Option<Vec<usize>>,
    /// products [[i, j], ...] of Laguerre functions (i + j <= degree) that f may use besides the terms
    products: Option<Vec<Vec<usize>>>,
    /// round the certificate to exact rationals and prove f̂ >= 0 on [0, inf) and f <= 0 for |x| >= r (Sturm sequences); adds `rigorous_bound` or fails naming the condition
    #[param(default = false)]
    verify: bool,
    #[param(flatten)]
    options: BoundOptions,
}

/// The specs of the three bounds (appended to the plugin's list in [`crate::plugin`]).
pub fn algorithms() -> Vec<AlgorithmSpec> {
    vec![
        AlgorithmSpec::new(
            "sdp.delsarte",
            "Delsarte-Goethals-Seidel LP bound for spherical codes with minimal angle θ (kissing number at cos θ = 1/2): Gegenbauer expansion, Lukács sum of squares on [-1, cos θ] at Chebyshev samples.",
            create_delsarte,
        )
        .params::<DelsarteParams>(),
        AlgorithmSpec::new(
            "sdp.three_point",
            "Bachoc-Vallentin three-point SDP bound for spherical codes (Mittelmann-Vallentin's s_d(n) or ClusteredLowRankSolver's variant), with S3 symmetry reduction of the trivariate sums of squares.",
            create_three_point,
        )
        .params::<ThreePointParams>(),
        AlgorithmSpec::new(
            "sdp.cohn_elkies",
            "Cohn-Elkies LP bound for the sphere packing density: f = (polynomial in |x|^2, Laguerre basis) times a Gaussian, sums of squares on [0, inf) and [r^2, inf).",
            create_cohn_elkies,
        )
        .params::<CohnElkiesParams>(),
    ]
}

/// `[[i, j], ...]`: each entry a pair.
pub(crate) fn pairs(param: &str, lists: Vec<Vec<usize>>) -> PluginResult<Vec<(usize, usize)>> {
    lists
        .iter()
        .enumerate()
        .map(|(n, p)| match p.as_slice() {
            [i, j] => Ok((*i, *j)),
            _ => Err(PluginError::bad_parameter(
                param,
                format!("entry {n}: expected [i, j], got {p:?}"),
            )),
        })
        .collect()
}

/// A spec field the formulation cannot use, as the parameter of the same name.
pub(crate) fn invalid_spec(e: SpecError) -> PluginError {
    PluginError::bad_parameter(e.field, e.message)
}

/// What a builder refuses in a spec that passed validation: the formulation at this size
/// (sample points that cannot be selected, a basis too ill-conditioned), so `degree`.
fn formulation_error(message: String) -> PluginError {
    PluginError::bad_parameter("degree", message)
}

/// Writes the SDP to the `save_sdp` file, if one is given: built by `text` in the widest
/// arithmetic the settings ask for (at least double-double), so the file has its digits.
fn save_sdp(
    path: Option<&str>,
    settings: &SolveSettings,
    text: impl Fn(Arithmetic, TextFormat) -> Result<String, String>,
) -> PluginResult<()> {
    let Some(path) = path else {
        return Ok(());
    };
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
    let text = text(widest, format).map_err(formulation_error)?;
    std::fs::write(path, text)
        .map_err(|e| PluginError::bad_parameter("save_sdp", format!("cannot write `{path}`: {e}")))
}

/// The monitor every bound's solve gets: progress to the host, `false` once cancelled.
type Monitor<'a> = boundlab_sdp_solver::solver::Monitor<'a>;

/// The monitors' answer: stop once the host says the run is cancelled.
pub(crate) fn continue_unless_cancelled(host: &HostRef<'_>) -> ControlFlow<()> {
    if host.cancelled() {
        ControlFlow::Break(())
    } else {
        ControlFlow::Continue(())
    }
}

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
        continue_unless_cancelled(host)
    };
    // The spec was validated and built before the run: what fails now is the solve.
    let out = solve(settings, &mut monitor).map_err(PluginError::numerical)?;
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
    let p = DelsarteParams::decode(params)?;
    let settings = p.options.settings()?;
    let mut spec = DelsarteSpec::new(p.dim, p.degree, p.angle);
    spec.terms = p.terms;
    // Build once up front: a spec the builder refuses is a bad parameter before any run.
    spec.validate().map_err(invalid_spec)?;
    delsarte::build::<f64>(&spec).map_err(formulation_error)?;
    save_sdp(p.options.save_sdp.as_deref(), &settings, |a, f| {
        delsarte::problem_text(&spec, a, f)
    })?;
    let (verify, certificate) = (p.verify, p.options.certificate);
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
    let p = ThreePointParams::decode(params)?;
    let settings = p.options.settings()?;
    let form = match p.form {
        FormName::Mv => Form::Mv,
        FormName::Clrs => Form::Clrs,
    };
    let mut spec = ThreePointSpec::new(p.dim, p.degree, p.angle, form);
    spec.symmetry = p.symmetry;
    spec.sk = p.sk;
    spec.gegenbauer_terms = p.gegenbauer_terms;
    spec.grid_extra = p.grid_extra;
    spec.multipliers = p
        .multipliers
        .map(|names| names.into_iter().map(Into::into).collect());
    spec.validate().map_err(invalid_spec)?;
    let probe = three_point::build::<f64>(&spec).map_err(formulation_error)?;
    let samples = (probe.univariate_samples, probe.trivariate_samples);
    drop(probe);
    save_sdp(p.options.save_sdp.as_deref(), &settings, |a, f| {
        three_point::problem_text(&spec, a, f)
    })?;
    let certificate = p.options.certificate;
    let form_name = p.form.name();
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
        m.insert("form", form_name);
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
    let p = CohnElkiesParams::decode(params)?;
    let settings = p.options.settings()?;
    let mut spec = CohnElkiesSpec::new(p.dim, p.degree);
    spec.radius = p.radius.unwrap_or_else(|| default_radius(p.dim));
    spec.sample_scale = p.sample_scale;
    spec.terms = p.terms;
    spec.products = pairs("products", p.products.unwrap_or_default())?;
    spec.validate().map_err(invalid_spec)?;
    save_sdp(p.options.save_sdp.as_deref(), &settings, |a, f| {
        cohn_elkies::problem_text(&spec, a, f)
    })?;
    let (certificate, verify) = (p.options.certificate, p.verify);
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
