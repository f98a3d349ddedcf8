//! The engine's implementation of the sdk's `Host`: what a running algorithm may ask for.
//!
//! The adapter ([`RunHost`]) turns host calls into requests to a [`Dispatch`], the trait the
//! executor implements; it never names the executor, so the two do not import each other.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use abi_stable::std_types::{RResult, RStr, RVec};
use boundlab_sdk::abi::{CallTarget, Host, guard};
use boundlab_sdk::{Callable, Derivatives, LogLevel, PluginError, Value};

use crate::error::EngineError;
use crate::progress::TaskProgress;

/// A shared flag that asks running work to stop (set by Ctrl-C).
#[derive(Clone, Default, Debug)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// The flag itself, for a signal handler that must set it without taking a lock or
    /// allocating (an embedding's own Ctrl-C handling).
    pub fn shared_flag(&self) -> Arc<AtomicBool> {
        self.0.clone()
    }

    /// Clears the flag so that the engine can be used again.
    pub fn reset(&self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// Calls functions that a script passed to an algorithm (closures in the parameters).
pub trait FunctionCaller: Sync {
    fn call(&self, function: Callable, input: Value) -> Result<Value, PluginError>;
    /// Values, Jacobian and (order 2) Hessians of `function` at `x`, exactly (automatic
    /// differentiation in the script engine).
    fn derivatives(
        &self,
        function: Callable,
        x: &[f64],
        order: u8,
    ) -> Result<Derivatives, PluginError>;
}

/// One algorithm invocation as the engine carries it out.
pub(crate) struct AlgorithmCall<'a> {
    pub id: &'a str,
    pub params: Value,
    pub input: Value,
    pub functions: Option<&'a dyn FunctionCaller>,
    pub depth: usize,
    /// Top-level runs are recorded; nested `Host::call`s are part of their caller's run.
    pub record: bool,
    pub show_progress: bool,
}

/// What a running algorithm's host asks of the engine that runs it.
pub(crate) trait Dispatch: Sync {
    /// Runs a nested call (another algorithm, on behalf of the running one).
    fn run_call(&self, call: AlgorithmCall<'_>) -> Result<Value, EngineError>;
    /// Runs a batch of `id` on the engine's workers, unrecorded; results in job order.
    fn run_nested_batch(
        &self,
        id: &str,
        params: Vec<Value>,
        functions: Option<&dyn FunctionCaller>,
        depth: usize,
    ) -> Vec<Result<Value, EngineError>>;
    fn out_dir(&self) -> &Path;
    fn is_cancelled(&self) -> bool;
}

/// Nested `Host::call`s of algorithms deeper than this are refused (runaway recursion).
const MAX_CALL_DEPTH: usize = 16;

/// The host handed to one algorithm run.
pub(crate) struct RunHost<'a> {
    pub dispatch: &'a dyn Dispatch,
    pub plugin: &'a str,
    pub progress: &'a TaskProgress,
    pub functions: Option<&'a dyn FunctionCaller>,
    pub depth: usize,
}

impl RunHost<'_> {
    fn checkpoint_path(&self, key: &str) -> Result<PathBuf, PluginError> {
        let valid = !key.is_empty()
            && key.len() <= 128
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            && !key.starts_with('.');
        if !valid {
            return Err(PluginError::internal(format!(
                "checkpoint key {key:?} must be 1-128 characters of letters, digits, `_`, `-` or `.`, not starting with `.`"
            )));
        }
        Ok(checkpoint_dir(self.dispatch.out_dir()).join(format!("{}.{key}.ron", self.plugin)))
    }
}

/// Where checkpoints of an output folder live.
pub fn checkpoint_dir(out_dir: &Path) -> PathBuf {
    out_dir.join("checkpoints")
}

/// Runs a host service, turning an engine-side panic into an error (panics must not cross the
/// plugin boundary: abi_stable aborts on them).
fn host_guard<T>(
    service: &str,
    f: impl FnOnce() -> Result<T, PluginError>,
) -> RResult<T, PluginError> {
    guard(service, f)
        .map_err(|e| PluginError::internal(format!("host service failed: {}", e.message)))
        .into()
}

impl Host for RunHost<'_> {
    fn log(&self, level: LogLevel, message: RStr<'_>) {
        let _ = host_guard("logging", || {
            crate::logging::emit(self.plugin, level, message.as_str());
            Ok(())
        });
    }

    fn progress(&self, done: u64, total: u64, message: RStr<'_>) {
        let _ = host_guard("reporting progress", || {
            self.progress.update(done, total, message.as_str());
            Ok(())
        });
    }

    fn cancelled(&self) -> bool {
        self.dispatch.is_cancelled()
    }

    fn call(&self, target: CallTarget, input: Value) -> RResult<Value, PluginError> {
        host_guard("calling", || match target {
            CallTarget::Function(function) => {
                let functions = self.functions.ok_or_else(no_script_functions)?;
                functions.call(function, input)
            }
            CallTarget::Derivatives { function, order } => {
                let functions = self.functions.ok_or_else(no_script_functions)?;
                let x = input.to_f64_vec().ok_or_else(|| {
                    PluginError::bad_parameter(
                        "x",
                        format!(
                            "derivatives need a point (numbers), got {}",
                            input.describe()
                        ),
                    )
                })?;
                functions
                    .derivatives(function, &x, order)
                    .map(|d| d.to_value())
            }
            CallTarget::Algorithm { id, params } => {
                if self.depth >= MAX_CALL_DEPTH {
                    return Err(PluginError::internal(format!(
                        "algorithm calls nest deeper than {MAX_CALL_DEPTH} levels (calling `{id}`)"
                    )));
                }
                let call = AlgorithmCall {
                    id: id.as_str(),
                    params,
                    input,
                    functions: self.functions,
                    depth: self.depth + 1,
                    record: false,
                    show_progress: true,
                };
                self.dispatch.run_call(call).map_err(|e| match e {
                    EngineError::Algorithm { error, .. } => error.context(format!("in `{id}`")),
                    other => PluginError::bad_parameter("id", other.to_string()),
                })
            }
        })
    }

    fn checkpoint(&self, key: RStr<'_>, value: Value) -> RResult<(), PluginError> {
        host_guard("checkpointing", || {
            let path = self.checkpoint_path(key.as_str())?;
            crate::files::write_value_atomic(&path, &value)
                .map_err(|e| PluginError::internal(format!("cannot write checkpoint: {e}")))
        })
    }

    fn restore(&self, key: RStr<'_>) -> RResult<Value, PluginError> {
        host_guard("restoring a checkpoint", || {
            let path = self.checkpoint_path(key.as_str())?;
            if !path.exists() {
                return Ok(Value::Unit);
            }
            crate::files::read_value(&path)
                .map_err(|e| PluginError::internal(format!("cannot read checkpoint: {e}")))
        })
    }

    /// The plugin's jobs on the engine's workers, results in job order.
    fn batch(
        &self,
        id: RStr<'_>,
        jobs: RVec<Value>,
    ) -> RResult<RVec<RResult<Value, PluginError>>, PluginError> {
        host_guard("running a batch", || {
            if self.depth >= MAX_CALL_DEPTH {
                return Err(PluginError::internal(format!(
                    "algorithm calls nest deeper than {MAX_CALL_DEPTH} levels (a batch of `{id}`)"
                )));
            }
            let results = self.dispatch.run_nested_batch(
                id.as_str(),
                jobs.into_vec(),
                self.functions,
                self.depth + 1,
            );
            Ok(results
                .into_iter()
                .map(|r| r.map_err(EngineError::into_plugin_error).into())
                .collect())
        })
    }
}

fn no_script_functions() -> PluginError {
    PluginError::bad_parameter(
        "function",
        "this run has no script functions (it was not started from a script)",
    )
}
