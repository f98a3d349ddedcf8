//! Engine errors as the exceptions of `boundlab.errors` (one class per kind of failure).

use boundlab_engine::EngineError;
use boundlab_sdk::ErrorKind;
use pyo3::prelude::*;

/// The exception class (a name in `boundlab.errors`) and message for `error`.
fn class_and_message(error: &EngineError) -> (&'static str, String) {
    let class = match error {
        EngineError::Algorithm { error, .. } => match error.kind {
            ErrorKind::BadParameter => "BadParameterError",
            ErrorKind::NumericalFailure => "NumericalError",
            ErrorKind::Infeasible => "InfeasibleError",
            ErrorKind::Cancelled => "CancelledError",
            ErrorKind::Internal => "InternalError",
        },
        EngineError::UnknownAlgorithm { .. } | EngineError::Usage(_) => "BadParameterError",
        EngineError::Cancelled => "CancelledError",
        EngineError::Script { .. } => "ScriptError",
        EngineError::Load { .. } | EngineError::DuplicatePlugin { .. } => "PluginLoadError",
        EngineError::Io { .. } | EngineError::Format { .. } => "FileError",
    };
    (class, error.to_string())
}

/// `boundlab.errors.<class>(message)`, with `cause` as its `__cause__` when given.
pub fn raise(py: Python<'_>, class: &str, message: String, cause: Option<PyErr>) -> PyErr {
    let made = (|| -> PyResult<PyErr> {
        let class = py.import("boundlab.errors")?.getattr(class)?;
        let exception = class.call1((message.clone(),))?;
        let err = PyErr::from_value(exception);
        if let Some(cause) = cause {
            err.set_cause(py, Some(cause));
        }
        Ok(err)
    })();
    // Without the Python package (the module imported on its own) a RuntimeError still says it.
    made.unwrap_or_else(|_| pyo3::exceptions::PyRuntimeError::new_err(message))
}

/// The exception for an engine error; `cause` is the Python exception behind it, if any.
///
/// An exception raised by a Python function passed as a parameter makes it a `CallbackError`
/// whatever the plugin turned it into: the fault is in that function, named in the message.
pub fn engine_error(py: Python<'_>, error: &EngineError, cause: Option<PyErr>) -> PyErr {
    let (class, message) = class_and_message(error);
    let class = if cause.is_some() {
        "CallbackError"
    } else {
        class
    };
    let err = raise(py, class, message, cause);
    if let EngineError::Script {
        file, line, column, ..
    } = error
    {
        let value = err.value(py);
        let _ = value.setattr("file", file.as_str());
        let _ = value.setattr("line", *line);
        let _ = value.setattr("column", *column);
    }
    err
}

/// A bad argument of a Python call (wrong type, shape, dtype, unknown key).
pub fn bad_argument(py: Python<'_>, message: String) -> PyErr {
    raise(py, "BadParameterError", message, None)
}
