//! A third-party boundlab plugin: the conjugate gradient method on a sparse symmetric
//! positive definite matrix passed from a script.
//!
//! Copy this folder, rename the crate and the plugin, and replace `cg.rs` with your algorithm.
//! The layout keeps the numerics (`cg.rs`, plain Rust with its own tests) apart from the
//! plugin layer (this file: ids, parameter schema, conversions).

pub mod cg;

use boundlab_sdk::prelude::*;
use serde::Deserialize;

/// The plugin: its name, version and algorithms.
pub struct TemplatePlugin;

impl Plugin for TemplatePlugin {
    const NAME: &'static str = "template";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    fn algorithms() -> Vec<AlgorithmSpec> {
        vec![
            AlgorithmSpec::new(
                "template.cg",
                "Conjugate gradients for A x = b with A sparse, symmetric positive definite",
                create_cg,
            )
            .param(ParamInfo::required(
                "matrix",
                ValueKind::Sparse,
                "the matrix A (CSC), symmetric positive definite",
            ))
            .param(ParamInfo::required(
                "rhs",
                ValueKind::Vector,
                "the right-hand side b",
            ))
            .param(ParamInfo::with_default(
                "tol",
                ValueKind::Float,
                1e-10,
                "stop when ‖b − A x‖ ≤ tol ‖b‖",
            ))
            .param(ParamInfo::optional(
                "max_iter",
                ValueKind::Int,
                "iteration limit (default 10 n)",
            ))
            .param(ParamInfo::optional(
                "x0",
                ValueKind::Vector,
                "starting point (default 0)",
            )),
        ]
    }
}

/// `template.cg` parameters, decoded by serde (errors name the parameter).
#[derive(Deserialize)]
struct CgParams {
    matrix: SparseMatrix,
    rhs: Vec<f64>,
    tol: f64,
    max_iter: Option<usize>,
    x0: Option<Vec<f64>>,
}

fn create_cg(params: Value) -> PluginResult<Box<dyn Run>> {
    let p: CgParams = from_value(params)?;
    let problem = cg::CgProblem::new(p.matrix, p.rhs, p.x0)?;
    if !(p.tol > 0.0 && p.tol < 1.0) {
        return Err(PluginError::bad_parameter(
            "tol",
            format!("must lie in (0, 1), got {}", p.tol),
        ));
    }
    let max_iter = p.max_iter.unwrap_or(10 * problem.dim().max(1));
    let tol = p.tol;
    Ok(Box::new(move |_input: Value, host: &HostRef<'_>| {
        let outcome = problem.solve(tol, max_iter, |iteration, residual| {
            if iteration % 10 == 0 {
                host.report_progress(
                    iteration as u64,
                    max_iter as u64,
                    &format!("residual {residual:.2e}"),
                );
            }
            host.check_cancelled()
        })?;
        host.debug(&format!(
            "cg finished after {} iterations",
            outcome.iterations
        ));
        Ok(Value::Map(
            ValueMap::new()
                .with("x", outcome.x)
                .with("converged", outcome.converged)
                .with("iterations", outcome.iterations)
                .with("relative_residual", outcome.relative_residual)
                .with("residuals", outcome.residual_history),
        ))
    }))
}

boundlab_sdk::export_plugin!(TemplatePlugin);
