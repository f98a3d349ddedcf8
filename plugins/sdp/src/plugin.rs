//! The boundlab plugin layer: algorithm ids, parameter schemas, and conversion to [`Value`].
//!
//! - `sdp.solve`: solves a block-diagonal SDP (SDPA convention) from a file or a script map.
//! - `sdp.convert`: reads a problem and writes it as SDPA sparse (`.dat-s`) or RON (`.ron`).

use boundlab_sdk::prelude::*;

use crate::bounds::AutoPrecision;
use crate::value_io::{problem_from_value, solution_to_value, warm_start_from_value};
use boundlab_sdp_solver::precision::{Formulation, SolveSettings, solve_formulation};
use boundlab_sdp_solver::problem::SdpProblem;
use boundlab_sdp_solver::scalar::{Real, fx128};
use boundlab_sdp_solver::solver::{SdpSolution, SdpStatus};
use boundlab_sdp_solver::{ron_form, sdpa};

/// The `sdp` plugin.
pub struct SdpPlugin;

impl Plugin for SdpPlugin {
    const NAME: &'static str = "sdp";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    fn algorithms() -> Vec<AlgorithmSpec> {
        let mut specs = vec![
            AlgorithmSpec::new(
                "sdp.solve",
                "Primal-dual interior-point SDP solver (HKM, Mehrotra predictor-corrector) for block-diagonal SDPs with LP blocks, SDPA convention: min c·x s.t. Σ F_i x_i − F_0 ⪰ 0; max F_0•Y s.t. F_i•Y = c_i, Y ⪰ 0.",
                create_solve,
            )
            .params::<SolveParams>(),
            AlgorithmSpec::new(
                "sdp.convert",
                "Reads an SDP (file or map) and writes it as SDPA sparse (.dat-s) or RON (.ron), chosen by the output's extension.",
                create_convert,
            )
            .params::<ConvertParams>(),
        ];
        // sdp.delsarte, sdp.three_point, sdp.cohn_elkies
        specs.extend(crate::bounds::algorithms());
        // sdp.game, sdp.sphere_packing_3pt
        specs.extend(crate::game::algorithms());
        specs
    }
}

/// `sdp.solve`'s parameters.
#[derive(Params)]
struct SolveParams {
    #[param(flatten)]
    precision: AutoPrecision,
    /// an SDPA sparse file (.dat-s) or the RON form (.ron), read at the working precision; give this or `problem`
    file: Option<String>,
    /// the problem as a map: #{ blocks: [n, -k], c: [...], F0: [[block, i, j, v]], constraints: [[[block, i, j, v] or #{block, v, weight}, ...], ...], free: #{ b, G } } (indices from 0)
    problem: Option<ValueMap>,
    /// relative duality gap and relative primal/dual infeasibility to stop at
    #[param(default = 1e-8, gt = 0.0, lt = 1.0)]
    tol: f64,
    /// residual below which an infeasibility certificate is accepted (default: `tol`)
    #[param(gt = 0.0, lt = 1.0)]
    infeasibility_tol: Option<f64>,
    /// iteration limit (both precisions together)
    #[param(default = 100, ge = 1, le = 100_000)]
    max_iter: usize,
    /// add x, w, X, Y (blocks: matrices, LP blocks as vectors) to the result
    #[param(default = false)]
    return_solution: bool,
    /// threads for the dense kernels (0 = all cores)
    #[param(default = 1, le = 1024)]
    threads: usize,
    /// a previous result of a problem with the same shape (solved with return_solution: true) to start from
    warm_start: Option<ValueMap>,
    /// weight λ of the default start mixed into the warm start, in [0, 1]
    #[param(default = 0.03, ge = 0.0, le = 1.0)]
    warm_start_blend: f64,
}

/// `sdp.convert`'s parameters.
#[derive(Params)]
struct ConvertParams {
    /// the problem file (.dat-s or .ron); give this or `problem`
    file: Option<String>,
    /// the problem as a map (as for sdp.solve)
    problem: Option<ValueMap>,
    /// the file to write (.dat-s or .ron)
    output: String,
}

/// Where `sdp.solve`'s problem comes from; it is read again at each working precision (an
/// SDPA or RON file's decimals to every digit of the arithmetic).
enum Source {
    File { path: String, text: String },
    Map(Value),
}

impl Source {
    /// `file` or `problem` (exactly one).
    fn new(file: Option<String>, problem: Option<ValueMap>) -> PluginResult<Self> {
        match (file, problem) {
            (Some(path), None) => {
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    PluginError::bad_parameter("file", format!("cannot read `{path}`: {e}"))
                })?;
                Ok(Source::File { path, text })
            }
            (None, Some(p)) => Ok(Source::Map(Value::Map(p))),
            (Some(_), Some(_)) => Err(PluginError::bad_parameter(
                "file",
                "give either `file` or `problem`, not both",
            )),
            _ => Err(PluginError::bad_parameter(
                "file",
                "give the problem as `file` (an SDPA .dat-s or .ron path) or as `problem` (a map)",
            )),
        }
    }

    fn read<T: Real>(&self) -> PluginResult<SdpProblem<T>> {
        let (problem, param, place) = match self {
            Source::File { path, text } => {
                let problem = if path.ends_with(".ron") {
                    ron_form::read_ron(text)
                } else {
                    sdpa::read_sdpa(text).map_err(|e| e.to_string())
                }
                .map_err(|e| PluginError::bad_parameter("file", format!("{path}: {e}")))?;
                (problem, "file", format!("{path}: "))
            }
            Source::Map(v) => (problem_from_value(v)?, "problem", String::new()),
        };
        problem
            .validate()
            .map_err(|e| PluginError::bad_parameter(param, format!("{place}{e}")))?;
        Ok(problem)
    }
}

/// The problem of `sdp.solve` with how to report its solution.
struct SolveJob {
    source: Source,
    return_solution: bool,
}

impl Formulation for SolveJob {
    type Built<T: Real> = SdpProblem<T>;
    type Output = Value;
    fn build<T: Real>(&self) -> Result<SdpProblem<T>, String> {
        self.source.read().map_err(|e| e.message.to_string())
    }
    fn problem<T: Real>(built: &SdpProblem<T>) -> &SdpProblem<T> {
        built
    }
    fn read<T: Real>(&self, _built: &SdpProblem<T>, sol: &SdpSolution<T>) -> Value {
        solution_to_value(sol, self.return_solution)
    }
}

fn create_solve(params: Value) -> PluginResult<Box<dyn Run>> {
    let p = SolveParams::decode(params)?;
    let source = Source::new(p.file, p.problem)?;
    // Read once up front: a problem that cannot be read is a bad parameter before any run.
    let probe = source.read::<fx128>()?;
    let precision = p.precision.get()?;
    precision
        .ladder(p.tol)
        .map_err(|e| PluginError::bad_parameter("tol", e))?;
    let warm_start = p
        .warm_start
        .map(|w| warm_start_from_value::<fx128>(&Value::Map(w), &probe).map(|w| w.cast()))
        .transpose()?;
    drop(probe);
    let settings = SolveSettings {
        precision,
        tol: p.tol,
        infeasibility_tol: p.infeasibility_tol.unwrap_or(p.tol),
        max_iter: p.max_iter,
        threads: p.threads,
        warm_start,
        warm_start_blend: p.warm_start_blend,
    };
    let return_solution = p.return_solution;
    let job = SolveJob {
        source,
        return_solution,
    };
    Ok(Box::new(move |_input: Value, host: &HostRef<'_>| {
        let total = settings.max_iter as u64;
        let mut monitor = |info: &boundlab_sdp_solver::solver::IterationInfo| {
            host.report_progress(
                info.iteration as u64,
                total,
                &format!(
                    "gap {:.1e}, infeasibilities {:.1e} {:.1e}",
                    info.gap, info.primal_infeasibility, info.dual_infeasibility
                ),
            );
            crate::bounds::continue_unless_cancelled(host)
        };
        let result = solve_formulation(&job, &settings, &mut monitor)
            .map_err(|e| PluginError::bad_parameter("problem", e))?;
        let status = result.get("status").and_then(Value::as_str).unwrap_or("");
        if status == SdpStatus::Cancelled.as_str() {
            return Err(PluginError::cancelled());
        }
        if status != SdpStatus::Optimal.as_str() {
            let message = result.get("message").and_then(Value::as_str).unwrap_or("");
            host.warn(&format!("sdp.solve: {status}: {message}"));
        }
        Ok(result)
    }))
}

fn create_convert(params: Value) -> PluginResult<Box<dyn Run>> {
    let p = ConvertParams::decode(params)?;
    let problem = Source::new(p.file, p.problem)?.read::<fx128>()?;
    let output = p.output;
    Ok(Box::new(move |_input: Value, _host: &HostRef<'_>| {
        let text = if output.ends_with(".ron") {
            ron_form::write_ron(&problem)
        } else if output.ends_with(".dat-s") {
            sdpa::write_sdpa(&problem).map_err(|e| PluginError::bad_parameter("output", e))?
        } else {
            return Err(PluginError::bad_parameter(
                "output",
                format!("`{output}`: the name must end in .dat-s or .ron"),
            ));
        };
        std::fs::write(&output, text).map_err(|e| {
            PluginError::bad_parameter("output", format!("cannot write `{output}`: {e}"))
        })?;
        Ok(Value::Map(
            ValueMap::new()
                .with("output", output.as_str())
                .with("constraints", problem.num_constraints() as i64)
                .with(
                    "blocks",
                    problem
                        .blocks
                        .iter()
                        .map(|b| b.sdpa_size() as f64)
                        .collect::<Vec<f64>>(),
                ),
        ))
    }))
}

boundlab_sdk::declare_plugin!(SdpPlugin);

#[cfg(test)]
mod tests {
    use super::*;
    use boundlab_sdk::testing::TestHost;

    fn sdplib(name: &str) -> String {
        format!(
            "{}/../../data/sdplib/{name}.dat-s",
            env!("CARGO_MANIFEST_DIR")
        )
    }

    #[test]
    fn solves_a_file_and_reports_progress() {
        let host = TestHost::new();
        let params = Value::Map(
            ValueMap::new()
                .with("file", sdplib("truss1"))
                .with("return_solution", true),
        );
        let out = host
            .run(plugin_module(), "sdp.solve", params, Value::Unit)
            .unwrap();
        assert_eq!(out.get("status").and_then(Value::as_str), Some("optimal"));
        // SDPLIB 1.2 (Borchers 1999): truss1 = -8.999996.
        assert!((out.get("objective").unwrap().as_f64().unwrap() + 8.999996).abs() < 1e-6);
        assert_eq!(
            out.get("Y").and_then(|y| if let Value::List(l) = y {
                Some(l.len())
            } else {
                None
            }),
            Some(7)
        );
        assert!(!host.progress_reports().is_empty());
    }

    #[test]
    fn warm_start_from_a_previous_result() {
        let host = TestHost::new();
        let params = || {
            ValueMap::new()
                .with("file", sdplib("theta1"))
                .with("return_solution", true)
        };
        let cold = host
            .run(
                plugin_module(),
                "sdp.solve",
                Value::Map(params()),
                Value::Unit,
            )
            .unwrap();
        let warm = host
            .run(
                plugin_module(),
                "sdp.solve",
                Value::Map(params().with("warm_start", cold.clone())),
                Value::Unit,
            )
            .unwrap();
        assert_eq!(warm.get("status").and_then(Value::as_str), Some("optimal"));
        // theta1 = 23 (SDPLIB 1.2).
        assert!((warm.get("objective").unwrap().as_f64().unwrap() - 23.0).abs() < 1e-6);
        let iters = |v: &Value| v.get("iterations").unwrap().as_i64().unwrap();
        assert!(
            iters(&warm) < iters(&cold),
            "warm {} vs cold {}",
            iters(&warm),
            iters(&cold)
        );
    }

    #[test]
    fn cancellation_and_bad_parameters() {
        let host = TestHost::new();
        host.cancel();
        let err = host
            .run(
                plugin_module(),
                "sdp.solve",
                Value::Map(ValueMap::new().with("file", sdplib("theta1"))),
                Value::Unit,
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Cancelled);
        let host = TestHost::new();
        let err = host
            .run(
                plugin_module(),
                "sdp.solve",
                Value::Map(ValueMap::new().with("file", "/nonexistent.dat-s")),
                Value::Unit,
            )
            .unwrap_err();
        assert!(
            err.message.contains("parameter `file`: cannot read"),
            "{}",
            err.message
        );
        let bad: [(&str, Value, &str); 3] = [
            ("precision", "quad".into(), "parameter `precision`"),
            ("tol", 2.0.into(), "parameter `tol`: must be < 1, got 2"),
            (
                "infeasibility_tol",
                (-1.0).into(),
                "parameter `infeasibility_tol`: must be > 0, got -1",
            ),
        ];
        for (name, value, expected) in bad {
            let params = ValueMap::new()
                .with("file", sdplib("truss1"))
                .with(name, value);
            let err = host
                .run(
                    plugin_module(),
                    "sdp.solve",
                    Value::Map(params),
                    Value::Unit,
                )
                .unwrap_err();
            assert!(err.message.contains(expected), "{}", err.message);
        }
        let err = host
            .run(plugin_module(), "sdp.solve", Value::Unit, Value::Unit)
            .unwrap_err();
        assert!(
            err.message.contains("give the problem as `file`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn converts_between_formats() {
        let dir = std::env::temp_dir().join(format!("boundlab-sdp-convert-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ron = dir.join("truss1.ron").to_string_lossy().to_string();
        let host = TestHost::new();
        host.run(
            plugin_module(),
            "sdp.convert",
            Value::Map(
                ValueMap::new()
                    .with("file", sdplib("truss1"))
                    .with("output", ron.as_str()),
            ),
            Value::Unit,
        )
        .unwrap();
        let out = host
            .run(
                plugin_module(),
                "sdp.solve",
                Value::Map(ValueMap::new().with("file", ron.as_str())),
                Value::Unit,
            )
            .unwrap();
        assert!((out.get("objective").unwrap().as_f64().unwrap() + 8.999996).abs() < 1e-6);
        std::fs::remove_dir_all(&dir).ok();
    }
}
