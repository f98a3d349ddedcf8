//! [`Host`]: the services the engine offers to a running algorithm.

use abi_stable::sabi_trait;
use abi_stable::std_types::{RResult, RStr, RString, RVec};
use abi_stable::StableAbi;

use crate::error::PluginError;
use crate::value::{Callable, Value};

/// Severity of a log message; the engine re-emits it as a `tracing` event.
#[repr(u8)]
#[derive(StableAbi, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// Fine-grained tracing.
    Trace,
    /// Details for debugging.
    Debug,
    /// Normal progress messages.
    Info,
    /// Something the user should look at.
    Warn,
    /// A failure that is reported but not raised.
    Error,
}

/// What `Host::call` should call.
#[repr(C, u8)]
#[derive(StableAbi, Clone, Debug, PartialEq)]
pub enum CallTarget {
    /// A function the script passed in (a closure in the parameters).
    Function(Callable),
    /// Another loaded algorithm, created with `params`; the call's input is passed to its `run`.
    Algorithm {
        /// The algorithm's id.
        id: RString,
        /// Its parameters (checked and completed by the host).
        params: Value,
    },
    /// Exact derivatives of a script function at the point given as input (a vector), by
    /// forward-mode automatic differentiation in the script engine; `order` 1 gives the
    /// Jacobian, 2 also the Hessian of each output. See [`HostExt::derivatives`].
    Derivatives {
        /// The script function to differentiate.
        function: Callable,
        /// 1: values and Jacobian; 2: also Hessians.
        order: u8,
    },
}

/// What [`HostExt::derivatives`] returns for a function of `n` variables with `m` outputs
/// (`m = 1` for a function that returns a number).
#[derive(Clone, Debug, PartialEq)]
pub struct Derivatives {
    /// The function's value(s) at the point, `m` numbers.
    pub values: Vec<f64>,
    /// `m × n`: row `k` is the gradient of output `k`.
    pub jacobian: crate::DenseMatrix,
    /// With order 2: `m` symmetric `n × n` Hessians, one per output; empty with order 1.
    pub hessians: Vec<crate::DenseMatrix>,
}

impl Derivatives {
    /// As the host sends it: `#{ values, jacobian, hessians }`.
    pub fn to_value(&self) -> Value {
        Value::Map(
            crate::ValueMap::new()
                .with("values", self.values.clone())
                .with("jacobian", self.jacobian.clone())
                .with(
                    "hessians",
                    self.hessians
                        .iter()
                        .cloned()
                        .map(Value::Matrix)
                        .collect::<Value>(),
                ),
        )
    }

    /// Decodes the map the host sends (`#{ values, jacobian, hessians }`).
    pub fn from_value(value: &Value) -> Result<Self, PluginError> {
        let malformed = || {
            PluginError::internal(format!(
                "the host sent derivatives as {}, expected #{{ values, jacobian, hessians }}",
                value.describe()
            ))
        };
        let values = value
            .get("values")
            .and_then(Value::to_f64_vec)
            .ok_or_else(malformed)?;
        let jacobian = value
            .get("jacobian")
            .and_then(Value::to_dense_matrix)
            .ok_or_else(malformed)?;
        let hessians = match value.get("hessians") {
            Some(Value::List(items)) => items
                .iter()
                .map(|h| h.to_dense_matrix().ok_or_else(malformed))
                .collect::<Result<Vec<_>, _>>()?,
            _ => return Err(malformed()),
        };
        Ok(Self {
            values,
            jacobian,
            hessians,
        })
    }
}

/// Services of the engine, callable from any thread of the plugin.
///
/// Implementations must never unwind: the engine catches its own panics.
#[sabi_trait]
pub trait Host: Sync {
    /// A log line, shown with the plugin's name as the `tracing` target.
    fn log(&self, level: LogLevel, message: RStr<'_>);

    /// Progress of long work: `done` of `total` units (`total = 0` when unknown).
    fn progress(&self, done: u64, total: u64, message: RStr<'_>);

    /// True once the user asked to stop (Ctrl-C, a cancelled batch); check it in long loops.
    fn cancelled(&self) -> bool;

    /// Calls a script function or another algorithm.
    fn call(&self, target: CallTarget, input: Value) -> RResult<Value, PluginError>;

    /// Stores `value` under `key` so that a later run can `restore` it (survives the process).
    fn checkpoint(&self, key: RStr<'_>, value: Value) -> RResult<(), PluginError>;

    /// The value last stored under `key`, or `Unit` when there is none.
    #[sabi(last_prefix_field)]
    fn restore(&self, key: RStr<'_>) -> RResult<Value, PluginError>;

    /// Runs algorithm `id` once per parameter map in `jobs` on the engine's workers (threads,
    /// or MPI ranks): one result per job, in job order. `Err` refuses the batch as a whole
    /// (nested too deeply); a job's own failure is its entry's `Err`. (Added in ABI 3 after the
    /// prefix, as `abi_stable` allows; the ABI version check refuses older hosts and plugins.)
    fn batch(
        &self,
        id: RStr<'_>,
        jobs: RVec<Value>,
    ) -> RResult<RVec<RResult<Value, PluginError>>, PluginError>;
}

/// The host handle an algorithm receives.
pub type HostRef<'a> = Host_TO<'a, abi_stable::RRef<'a, ()>>;

/// Convenience methods on the host handle, in plain Rust types.
pub trait HostExt {
    /// Logs at info level.
    fn info(&self, message: &str);
    /// Logs at warn level.
    fn warn(&self, message: &str);
    /// Logs at debug level.
    fn debug(&self, message: &str);
    /// Reports `done` of `total` steps with a short message (the engine shows a bar).
    fn report_progress(&self, done: u64, total: u64, message: &str);
    /// `Err(PluginError::cancelled())` once cancellation was requested.
    fn check_cancelled(&self) -> Result<(), PluginError>;
    /// Calls a script function with one argument.
    fn call_function(&self, function: Callable, input: Value) -> Result<Value, PluginError>;
    /// Runs another loaded algorithm.
    fn call_algorithm(&self, id: &str, params: Value, input: Value) -> Result<Value, PluginError>;
    /// Exact derivatives of script function `function` at `x` (order 1: values and Jacobian;
    /// order 2: also Hessians), computed by the script engine with dual numbers. Fails, with
    /// a message naming the operation, when the function uses one that has no derivative rule.
    fn derivatives(
        &self,
        function: Callable,
        x: &[f64],
        order: u8,
    ) -> Result<Derivatives, PluginError>;
    /// Stores `value` under `key`, to be found again by a resumed run.
    fn save_checkpoint(&self, key: &str, value: Value) -> Result<(), PluginError>;
    /// `None` when nothing was stored under `key`.
    fn load_checkpoint(&self, key: &str) -> Result<Option<Value>, PluginError>;
    /// Runs algorithm `id` once per parameter map on the engine's workers; one result per
    /// job, in job order (see [`Host::batch`]).
    fn run_batch(
        &self,
        id: &str,
        jobs: Vec<Value>,
    ) -> Result<Vec<Result<Value, PluginError>>, PluginError>;
}

impl HostExt for HostRef<'_> {
    fn info(&self, message: &str) {
        self.log(LogLevel::Info, message.into());
    }

    fn warn(&self, message: &str) {
        self.log(LogLevel::Warn, message.into());
    }

    fn debug(&self, message: &str) {
        self.log(LogLevel::Debug, message.into());
    }

    fn report_progress(&self, done: u64, total: u64, message: &str) {
        self.progress(done, total, message.into());
    }

    fn check_cancelled(&self) -> Result<(), PluginError> {
        if self.cancelled() {
            Err(PluginError::cancelled())
        } else {
            Ok(())
        }
    }

    fn call_function(&self, function: Callable, input: Value) -> Result<Value, PluginError> {
        self.call(CallTarget::Function(function), input).into()
    }

    fn call_algorithm(&self, id: &str, params: Value, input: Value) -> Result<Value, PluginError> {
        let target = CallTarget::Algorithm {
            id: id.into(),
            params,
        };
        self.call(target, input).into()
    }

    fn derivatives(
        &self,
        function: Callable,
        x: &[f64],
        order: u8,
    ) -> Result<Derivatives, PluginError> {
        let target = CallTarget::Derivatives { function, order };
        let value: Result<Value, PluginError> = self.call(target, Value::from(x)).into();
        Derivatives::from_value(&value?)
    }

    fn save_checkpoint(&self, key: &str, value: Value) -> Result<(), PluginError> {
        self.checkpoint(key.into(), value).into()
    }

    fn run_batch(
        &self,
        id: &str,
        jobs: Vec<Value>,
    ) -> Result<Vec<Result<Value, PluginError>>, PluginError> {
        let results: Result<_, PluginError> = self.batch(id.into(), jobs.into()).into();
        Ok(results?.into_iter().map(RResult::into_result).collect())
    }

    fn load_checkpoint(&self, key: &str) -> Result<Option<Value>, PluginError> {
        let value: Result<Value, PluginError> = self.restore(key.into()).into();
        value.map(|v| match v {
            Value::Unit => None,
            v => Some(v),
        })
    }
}
