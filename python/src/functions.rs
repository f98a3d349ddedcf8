//! Python callables in parameters, served to plugins through the engine's [`FunctionCaller`].
//!
//! Each callable found while converting the parameters gets a [`Callable`] handle; a plugin's
//! call re-acquires the GIL, converts the input (vectors arrive as numpy arrays), calls, and
//! converts the result back. The first exception a callable raises is kept, so that the
//! caller sees it (with its traceback) as the cause of the engine's error.

use std::sync::Mutex;

use boundlab_engine::FunctionCaller;
use boundlab_sdk::{Callable, Derivatives, PluginError, Value};
use pyo3::prelude::*;

use crate::convert::{to_py, to_value};

/// The callables of one run: handle `id` is index `id` of `entries`.
#[derive(Default)]
pub struct PyFunctions {
    entries: Mutex<Vec<(String, Py<PyAny>)>>,
    first_error: Mutex<Option<PyErr>>,
}

impl PyFunctions {
    /// A handle for `function`, found at parameter `path`.
    pub fn register(&self, path: &str, function: Py<PyAny>) -> Callable {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.push((path.to_string(), function));
        Callable {
            id: entries.len() as u64 - 1,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.lock().map_or(true, |e| e.is_empty())
    }

    /// The first exception a callable raised, if any (taken: asked once per run).
    pub fn take_error(&self) -> Option<PyErr> {
        self.first_error.lock().ok()?.take()
    }

    fn lookup(
        &self,
        py: Python<'_>,
        function: Callable,
    ) -> Result<(String, Py<PyAny>), PluginError> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(function.id as usize)
            .map(|(path, f)| (path.clone(), f.clone_ref(py)))
            .ok_or_else(|| {
                PluginError::internal(format!("no Python function with handle {}", function.id))
            })
    }
}

impl FunctionCaller for PyFunctions {
    fn call(&self, function: Callable, input: Value) -> Result<Value, PluginError> {
        Python::attach(|py| {
            let (path, f) = self.lookup(py, function)?;
            let outcome = to_py(py, input)
                .and_then(|arg| f.call1(py, (arg,)))
                .and_then(|out| to_value(out.bind(py), &format!("{path}(…)"), None));
            outcome.map_err(|err| {
                let message = format!("the Python function `{path}` raised {}", describe(py, &err));
                let mut slot = self.first_error.lock().unwrap_or_else(|e| e.into_inner());
                if slot.is_none() {
                    *slot = Some(err);
                }
                PluginError::bad_parameter(&path, message)
            })
        })
    }

    fn derivatives(
        &self,
        function: Callable,
        _x: &[f64],
        _order: u8,
    ) -> Result<Derivatives, PluginError> {
        let (path, _) = Python::attach(|py| self.lookup(py, function))?;
        Err(PluginError::bad_parameter(
            &path,
            "Python functions are not differentiated automatically: pass the derivatives as \
             functions too (e.g. `grad`, `jac`, `hess`), or let the algorithm use finite \
             differences",
        ))
    }
}

/// `TypeName: message` of a Python exception.
fn describe(py: Python<'_>, err: &PyErr) -> String {
    let name = err
        .get_type(py)
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an exception".into());
    format!("{name}: {}", err.value(py))
}
