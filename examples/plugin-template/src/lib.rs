//! A third-party boundlab plugin: the conjugate gradient method on a sparse symmetric
//! positive definite matrix passed from a script.
//!
//! Copy this folder, rename the crate and the plugin, and replace `cg.rs` with your algorithm.
//! The layout keeps the numerics (`cg.rs`, plain Rust with its own tests) apart from the
//! plugin layer (this file: ids, parameter schema, conversions).

pub mod cg;

use std::ops::ControlFlow;

use boundlab_sdk::prelude::*;

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
            .params::<CgParams>(),
        ]
    }
}

/// `template.cg` parameters: each field is one parameter, its doc comment what `describe`
/// shows, `#[param]` its default and range (checked on decoding, with the name in the error).
#[derive(Params)]
struct CgParams {
    /// the matrix A (CSC), symmetric positive definite
    matrix: SparseMatrix,
    /// the right-hand side b
    rhs: Vec<f64>,
    /// stop when ‖b − A x‖ ≤ tol ‖b‖
    #[param(default = 1e-10, gt = 0.0, lt = 1.0)]
    tol: f64,
    /// iteration limit (default 10 n)
    #[param(ge = 1)]
    max_iter: Option<usize>,
    /// starting point (default 0)
    x0: Option<Vec<f64>>,
}

fn create_cg(params: Value) -> PluginResult<Box<dyn Run>> {
    let p = CgParams::decode(params)?;
    let matrix = cg::CscMatrix {
        rows: p.matrix.rows as usize,
        cols: p.matrix.cols as usize,
        col_ptr: p.matrix.col_ptr.into_vec(),
        row_indices: p.matrix.row_indices.into_vec(),
        values: p.matrix.values.into_vec(),
    };
    let problem = cg::CgProblem::new(matrix, p.rhs, p.x0).map_err(plugin_error)?;
    let max_iter = p.max_iter.unwrap_or(10 * problem.dim().max(1));
    let tol = p.tol;
    Ok(Box::new(move |_input: Value, host: &HostRef<'_>| {
        let outcome = problem
            .solve(tol, max_iter, |it| {
                if it.iteration % 10 == 0 {
                    let message = format!("residual {:.2e}", it.relative_residual);
                    host.report_progress(it.iteration as u64, max_iter as u64, &message);
                }
                match host.check_cancelled() {
                    Ok(()) => ControlFlow::Continue(()),
                    Err(_) => ControlFlow::Break(()),
                }
            })
            .map_err(plugin_error)?;
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

/// The numerics' errors as the engine's kinds: refused input names its parameter (the
/// arguments of `CgProblem::new` carry the parameters' names), a stop is a cancellation.
fn plugin_error(e: cg::CgError) -> PluginError {
    match e {
        cg::CgError::BadInput { argument, reason } => PluginError::bad_parameter(argument, reason),
        cg::CgError::NotPositiveDefinite { .. } => PluginError::numerical(e.to_string()),
        cg::CgError::Stopped { .. } => PluginError::cancelled(),
    }
}

boundlab_sdk::export_plugin!(TemplatePlugin);

#[cfg(test)]
mod tests {
    use boundlab_sdk::testing::TestHost;
    use boundlab_sdk::{SparseMatrix, Value, ValueMap};

    #[test]
    fn omitted_parameters_mean_the_defaults_describe_shows() {
        let a = SparseMatrix::from_triplets(2, 2, &[(0, 0, 2.0), (1, 1, 4.0)]).unwrap();
        let params = ValueMap::new()
            .with("matrix", a)
            .with("rhs", vec![1.0, 1.0]);
        TestHost::new().assert_omitted_means_default(
            super::plugin_module(),
            "template.cg",
            Value::Map(params),
            &[],
        );
    }
}
