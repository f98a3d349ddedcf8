//! A host for plugin unit tests: run an algorithm without the engine.
//!
//! ```
//! use boundlab_sdk::prelude::*;
//! use boundlab_sdk::testing::TestHost;
//!
//! let host = TestHost::new();
//! let square = host.add_function(|x: Value| Ok(Value::from(x.as_f64().unwrap().powi(2))));
//! let y = host.call_function(square, Value::from(3.0)).unwrap();
//! assert_eq!(y, Value::Float(9.0));
//! ```

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use abi_stable::std_types::{RResult, RStr, RVec};

use crate::error::PluginError;
use crate::host::{CallTarget, Host, HostRef, Host_TO, LogLevel};
use crate::module::{AlgorithmInfo, PluginModule_Ref};
use crate::schema::complete_params;
use crate::value::{Callable, Value, ValueMap};

type Function = Arc<dyn Fn(Value) -> Result<Value, PluginError> + Send + Sync>;

/// An in-memory [`Host`]: records logs and progress, keeps checkpoints in a map, calls Rust
/// closures registered with [`TestHost::add_function`], and cancels on request.
#[derive(Default)]
pub struct TestHost {
    functions: Mutex<Vec<Function>>,
    checkpoints: Mutex<HashMap<String, Value>>,
    logs: Mutex<Vec<(LogLevel, String)>>,
    progress: Mutex<Vec<(u64, u64)>>,
    cancel: AtomicBool,
    modules: Mutex<Vec<PluginModule_Ref>>,
}

impl TestHost {
    /// An empty host: no functions, no checkpoints, not cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a function and returns the handle a plugin receives as a parameter.
    pub fn add_function(
        &self,
        f: impl Fn(Value) -> Result<Value, PluginError> + Send + Sync + 'static,
    ) -> Callable {
        let mut functions = self.functions.lock().expect("lock");
        functions.push(Arc::new(f));
        Callable {
            id: functions.len() as u64 - 1,
        }
    }

    /// Makes the algorithms of `module` callable through `CallTarget::Algorithm`.
    pub fn add_module(&self, module: PluginModule_Ref) {
        self.modules.lock().expect("lock").push(module);
    }

    /// Requests cancellation: `cancelled()` returns true from now on.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }

    /// Everything logged so far, in order.
    pub fn logs(&self) -> Vec<(LogLevel, String)> {
        self.logs.lock().expect("lock").clone()
    }

    /// Every `(done, total)` reported so far.
    pub fn progress_reports(&self) -> Vec<(u64, u64)> {
        self.progress.lock().expect("lock").clone()
    }

    /// The host handle to pass to `Run::run`.
    pub fn as_ref(&self) -> HostRef<'_> {
        Host_TO::from_ptr(self, abi_stable::sabi_trait::TD_Opaque)
    }

    /// Calls a registered function directly.
    pub fn call_function(&self, f: Callable, input: Value) -> Result<Value, PluginError> {
        let function = self
            .functions
            .lock()
            .expect("lock")
            .get(f.id as usize)
            .cloned()
            .ok_or_else(|| PluginError::internal(format!("no function with handle {}", f.id)))?;
        function(input)
    }

    /// Creates algorithm `id` of `module` with `params` (checked and completed like the engine
    /// does) and runs it on `input` with this host.
    pub fn run(
        &self,
        module: PluginModule_Ref,
        id: &str,
        params: Value,
        input: Value,
    ) -> Result<Value, PluginError> {
        let info = find_algorithm(module, id)?;
        let completed = complete_params(&info, params)?;
        for warning in &completed.warnings {
            self.log(LogLevel::Warn, warning.as_str().into());
        }
        let params = completed.params;
        let mut algorithm: crate::module::AlgorithmBox =
            module.create()(id.into(), params).into_result()?;
        algorithm.run(input, self.as_ref()).into_result()
    }

    /// Checks that an algorithm run with its parameters omitted uses exactly the defaults
    /// `describe` shows: runs `id` once on `params` as given (the plugin's own decoding fills
    /// what is missing) and once with every default of the schema written out (as the engine
    /// completes a call), and compares the two results in full (`Debug` text, so NaNs compare equal), leaving out the map keys in
    /// `varying` at every depth (timings). Panics with both results when they differ.
    pub fn assert_omitted_means_default(
        &self,
        module: PluginModule_Ref,
        id: &str,
        params: Value,
        varying: &[&str],
    ) {
        let info = find_algorithm(module, id).unwrap();
        let raw = module.create()(id.into(), params.clone()).into_result();
        let omitted = raw
            .and_then(|mut algorithm| algorithm.run(Value::Unit, self.as_ref()).into_result())
            .unwrap_or_else(|e| panic!("{id} with parameters omitted: {e}"));
        let completed = complete_params(&info, params).unwrap().params;
        let written_out = self
            .run(module, id, completed, Value::Unit)
            .unwrap_or_else(|e| panic!("{id} with the defaults written out: {e}"));
        let strip = |v: Value| format!("{:?}", without_keys(v, varying));
        let (omitted, written_out) = (strip(omitted), strip(written_out));
        assert_eq!(
            omitted, written_out,
            "{id}: omitted parameters must mean describe's defaults"
        );
    }
}

/// `v` with the entries named in `keys` removed from its maps, at every depth.
fn without_keys(v: Value, keys: &[&str]) -> Value {
    match v {
        Value::Map(m) => {
            let mut out = ValueMap::new();
            for (k, v) in m.into_entries() {
                if !keys.contains(&k.as_str()) {
                    out.insert(k, without_keys(v, keys));
                }
            }
            Value::Map(out)
        }
        Value::List(items) => Value::List(
            items
                .into_iter()
                .map(|v| without_keys(v, keys))
                .collect::<Vec<_>>()
                .into(),
        ),
        other => other,
    }
}

fn find_algorithm(module: PluginModule_Ref, id: &str) -> Result<AlgorithmInfo, PluginError> {
    let info = module.info()().into_result()?;
    info.algorithms
        .into_iter()
        .find(|a| a.id.as_str() == id)
        .ok_or_else(|| {
            PluginError::bad_parameter(
                "id",
                format!("plugin `{}` has no algorithm `{id}`", info.name),
            )
        })
}

impl Host for TestHost {
    fn log(&self, level: LogLevel, message: RStr<'_>) {
        self.logs
            .lock()
            .expect("lock")
            .push((level, message.to_string()));
    }

    fn progress(&self, done: u64, total: u64, _message: RStr<'_>) {
        self.progress.lock().expect("lock").push((done, total));
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }

    fn call(&self, target: CallTarget, input: Value) -> RResult<Value, PluginError> {
        match target {
            CallTarget::Function(f) => self.call_function(f, input),
            CallTarget::Derivatives { .. } => Err(PluginError::bad_parameter(
                "function",
                "the test host calls Rust closures and cannot differentiate them (only the \
                 engine's script functions can)",
            )),
            CallTarget::Algorithm { id, params } => {
                let modules = self.modules.lock().expect("lock").clone();
                match modules
                    .into_iter()
                    .find(|m| find_algorithm(*m, &id).is_ok())
                {
                    Some(module) => self.run(module, &id, params, input),
                    None => Err(PluginError::bad_parameter(
                        "id",
                        format!("no algorithm `{id}` is registered with the test host"),
                    )),
                }
            }
        }
        .into()
    }

    fn checkpoint(&self, key: RStr<'_>, value: Value) -> RResult<(), PluginError> {
        self.checkpoints
            .lock()
            .expect("lock")
            .insert(key.to_string(), value);
        RResult::ROk(())
    }

    fn restore(&self, key: RStr<'_>) -> RResult<Value, PluginError> {
        RResult::ROk(
            self.checkpoints
                .lock()
                .expect("lock")
                .get(key.as_str())
                .cloned()
                .unwrap_or_default(),
        )
    }

    /// The jobs one after the other, in order.
    fn batch(
        &self,
        id: RStr<'_>,
        jobs: RVec<Value>,
    ) -> RResult<RVec<RResult<Value, PluginError>>, PluginError> {
        let results = jobs.into_iter().map(|params| {
            let target = CallTarget::Algorithm {
                id: id.as_str().into(),
                params,
            };
            Host::call(self, target, Value::Unit)
        });
        RResult::ROk(results.collect())
    }
}
