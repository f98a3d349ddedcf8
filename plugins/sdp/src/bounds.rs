//! The algorithm ids of the bounds: `sdp.delsarte`, `sdp.three_point`, `sdp.cohn_elkies`.
//! A thin layer: parameters to specs, a solve with progress and cancellation, results to maps.

use boundlab_sdk::prelude::*;

use boundlab_sdp_solver::solver::{IterationInfo, Precision, SdpStatus};
use boundlab_sphere_bounds::cohn_elkies::{self, CohnElkiesSpec, default_radius};
use boundlab_sphere_bounds::delsarte::{self, DelsarteSpec};
use boundlab_sphere_bounds::three_point::{self, Form, ThreePointSpec};
use boundlab_sphere_bounds::verify::verify_delsarte;
use boundlab_sphere_bounds::{SolveReport, SolveSettings, solve_sdp};

fn common(spec: AlgorithmSpec) -> AlgorithmSpec {
    spec.param(ParamInfo::with_default("precision", ValueKind::Str, "auto", "`f64`, `dd` (double-double, ~32 digits) or `auto` (f64, continued in dd when f64 runs out of accuracy)"))
        .param(ParamInfo::with_default("tol", ValueKind::Float, 1e-8, "relative gap and infeasibilities to stop at (dd can go to 1e-12 and below)"))
        .param(ParamInfo::with_default("max_iter", ValueKind::Int, 200i64, "interior-point iteration limit"))
        .param(ParamInfo::with_default("threads", ValueKind::Int, 1i64, "threads for the dense kernels"))
        .param(ParamInfo::with_default("certificate", ValueKind::Bool, false, "add the certificate (polynomial coefficients / matrices) to the result"))
        .param(ParamInfo::optional("export", ValueKind::Str, "also write the SDP to this file (SDPA .dat-s or RON .ron) for other solvers"))
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
            .param(ParamInfo::optional("products", ValueKind::List, "products [[i, j], ...] of Laguerre functions (i + j <= degree) that f may use besides the terms")),
        ),
    ]
}

/// The solver settings every bound (and the SDP game's bound) takes: `precision`, `tol`,
/// `max_iter`, `threads`.
pub(crate) fn settings(params: &Value) -> PluginResult<SolveSettings> {
    let name: String = from_value_field(params, "precision")?;
    let precision = Precision::parse(&name).ok_or_else(|| {
        PluginError::bad_parameter(
            "precision",
            format!("`{name}`: expected `f64`, `dd` or `auto`"),
        )
    })?;
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
    Ok(SolveSettings {
        precision,
        tol,
        max_iter: max_iter as usize,
        threads: threads as usize,
    })
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

fn export(
    params: &Value,
    sdp: &boundlab_sdp_solver::problem::SdpProblem<boundlab_sdp_solver::scalar::fx128>,
) -> PluginResult<()> {
    let Some(Value::Str(path)) = params.get("export") else {
        return Ok(());
    };
    let path = path.to_string();
    let text = if path.ends_with(".ron") {
        boundlab_sdp_solver::ron_form::write_ron(sdp)
    } else if path.ends_with(".dat-s") {
        boundlab_sdp_solver::sdpa::write_sdpa(sdp)
            .map_err(|e| PluginError::bad_parameter("export", e))?
    } else {
        return Err(PluginError::bad_parameter(
            "export",
            format!("`{path}`: the name must end in .dat-s or .ron"),
        ));
    };
    std::fs::write(&path, text)
        .map_err(|e| PluginError::bad_parameter("export", format!("cannot write `{path}`: {e}")))
}

fn run_solve(
    host: &HostRef<'_>,
    sdp: &boundlab_sdp_solver::problem::SdpProblem<boundlab_sdp_solver::scalar::fx128>,
    settings: &SolveSettings,
    what: &str,
) -> PluginResult<(
    boundlab_sdp_solver::solver::SdpSolution<boundlab_sdp_solver::scalar::fx128>,
    SolveReport,
)> {
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
    let (sol, report) = solve_sdp(sdp, settings, &mut monitor)
        .map_err(|e| PluginError::bad_parameter("degree", e))?;
    if sol.status == SdpStatus::Cancelled {
        return Err(PluginError::cancelled());
    }
    if sol.status != SdpStatus::Optimal {
        host.warn(&format!("{what}: {}: {}", report.status, report.message));
    }
    Ok((sol, report))
}

/// Adds the solve's status, message and statistics to a result map.
pub(crate) fn add_report(m: &mut ValueMap, report: &SolveReport) {
    for (k, v) in report_map(report).iter() {
        m.insert(k, v.clone());
    }
}

/// The bound of a solve that found an infeasibility certificate means nothing: NaN.
pub(crate) fn shown_bound(bound: f64, report: &SolveReport) -> f64 {
    if report.status.ends_with("_infeasible") {
        f64::NAN
    } else {
        bound
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
    let sdp = delsarte::build(&spec).map_err(spec_error)?;
    export(&params, &sdp.sdp)?;
    let verify: bool = from_value_field(&params, "verify")?;
    let certificate: bool = from_value_field(&params, "certificate")?;
    Ok(Box::new(move |_input: Value, host: &HostRef<'_>| {
        let (sol, report) = run_solve(host, &sdp.sdp, &settings, "sdp.delsarte")?;
        let b = sdp.extract(&sol, report);
        let mut m = ValueMap::new().with("bound", shown_bound(b.bound, &b.report));
        add_report(&mut m, &b.report);
        if verify {
            if b.status != SdpStatus::Optimal {
                return Err(PluginError::numerical(format!(
                    "verify: the solve ended `{}` ({}); nothing to verify",
                    b.report.status, b.report.message
                )));
            }
            let v = verify_delsarte(spec.dim, spec.cos_theta, &b.coefficients_dd, b.bound)
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
    let sdp = three_point::build(&spec).map_err(spec_error)?;
    export(&params, &sdp.sdp)?;
    let certificate: bool = from_value_field(&params, "certificate")?;
    Ok(Box::new(move |_input: Value, host: &HostRef<'_>| {
        let (sol, report) = run_solve(host, &sdp.sdp, &settings, "sdp.three_point")?;
        let b = sdp.extract(&sol, report);
        let mut m = ValueMap::new().with("bound", shown_bound(b.bound, &b.report));
        add_report(&mut m, &b.report);
        m.insert("form", form_name.as_str());
        m.insert("univariate_samples", sdp.univariate_samples as i64);
        m.insert("trivariate_samples", sdp.trivariate_samples as i64);
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
    let sdp = cohn_elkies::build(&spec).map_err(spec_error)?;
    export(&params, &sdp.sdp)?;
    let certificate: bool = from_value_field(&params, "certificate")?;
    Ok(Box::new(move |_input: Value, host: &HostRef<'_>| {
        let (sol, report) = run_solve(host, &sdp.sdp, &settings, "sdp.cohn_elkies")?;
        let b = sdp.extract(&sol, report);
        let mut m = ValueMap::new()
            .with("bound", shown_bound(b.bound, &b.report))
            .with("center_density", shown_bound(b.center_density, &b.report))
            .with("radius", b.radius);
        add_report(&mut m, &b.report);
        if certificate {
            m.insert("coefficients", b.coefficients.clone());
        }
        Ok(Value::Map(m))
    }))
}
