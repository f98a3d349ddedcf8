//! `boundlab._native.Engine`: the engine with the first-party plugins linked in.
//!
//! Every run happens on the calling thread with the GIL released; Ctrl-C cancels it and
//! raises `KeyboardInterrupt` once it has stopped ([`crate::interrupt`]). Python callables
//! and the progress callback re-acquire the GIL on the thread that calls them.

use std::path::PathBuf;
use std::sync::Arc;

use boundlab_engine::progress::ProgressMode;
use boundlab_engine::{Engine, EngineError};
use boundlab_sdk::Value;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::convert::{dict_to_value, to_py};
use crate::errors::engine_error;
use crate::functions::PyFunctions;
use crate::interrupt::run_interruptible;

#[pyclass(name = "Engine", module = "boundlab._native", frozen)]
pub struct PyEngine {
    engine: Engine,
}

#[pymethods]
impl PyEngine {
    /// See `boundlab.Engine`.
    #[new]
    #[pyo3(signature = (plugins = Vec::new(), out_dir = None, jobs = None, seed = None, progress = None, discover_plugins = false))]
    fn new(
        py: Python<'_>,
        plugins: Vec<PathBuf>,
        out_dir: Option<PathBuf>,
        jobs: Option<usize>,
        seed: Option<i64>,
        progress: Option<Py<PyAny>>,
        discover_plugins: bool,
    ) -> PyResult<Self> {
        boundlab_engine::logging::init_cli_logging();
        let mut builder = Engine::builder()
            .discover_plugins(discover_plugins)
            .progress(ProgressMode::Silent);
        for module in boundlab_bundled::modules() {
            builder = builder.plugin_module(module);
        }
        for p in plugins {
            builder = builder.plugin_file(p);
        }
        if let Some(dir) = out_dir {
            builder = builder.out_dir(dir);
        }
        if let Some(jobs) = jobs {
            if jobs == 0 {
                return Err(crate::errors::bad_argument(
                    py,
                    "`jobs` must be at least 1".into(),
                ));
            }
            builder = builder.jobs(jobs);
        }
        if let Some(seed) = seed {
            builder = builder.seed(seed);
        }
        if let Some(callback) = progress {
            builder = builder.on_progress(move |p| {
                Python::attach(|py| {
                    // A failing display must not stop the run: report it and go on.
                    if let Err(e) = callback.call1(py, (p.task, p.done, p.total, p.message)) {
                        e.write_unraisable(py, None);
                    }
                })
            });
        }
        let engine = py
            .detach(|| builder.build())
            .map_err(|e| engine_error(py, &e, None))?;
        Ok(Self { engine })
    }

    /// The ids of every loaded algorithm, sorted.
    fn algorithms(&self) -> Vec<String> {
        self.engine.algorithm_ids()
    }

    /// `describe` as the command line prints it.
    fn describe(&self, py: Python<'_>, id: &str) -> PyResult<String> {
        self.engine
            .describe(id)
            .map_err(|e| engine_error(py, &e, None))
    }

    /// The schema of `id` as data: description, parameters (name, kind, default, doc).
    fn schema(&self, py: Python<'_>, id: &str) -> PyResult<Py<PyAny>> {
        let v = self
            .engine
            .describe_value(id)
            .map_err(|e| engine_error(py, &e, None))?;
        to_py(py, v)
    }

    /// Runs `id` with the parameters in `params` (a dict) and records the run.
    #[pyo3(signature = (id, params = None))]
    fn run(
        &self,
        py: Python<'_>,
        id: &str,
        params: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let functions = Arc::new(PyFunctions::default());
        let params = params_value(params, &functions)?;
        let table = functions.as_ref();
        let outcome = self.wait(py, |engine| {
            if table.is_empty() {
                engine.run(id, params)
            } else {
                engine.run_with_functions(id, params, table)
            }
        })?;
        outcome
            .map_err(|e| engine_error(py, &e, functions.take_error()))
            .and_then(|v| to_py(py, v))
    }

    /// Runs `id` once per dict in `params` on the engine's workers; a list of results in the
    /// same order, each a dict or the exception of that run (raised by the Python layer).
    fn run_batch(
        &self,
        py: Python<'_>,
        id: &str,
        params: &Bound<'_, PyList>,
    ) -> PyResult<Py<PyAny>> {
        let functions = Arc::new(PyFunctions::default());
        let mut jobs = Vec::with_capacity(params.len());
        for (i, p) in params.iter().enumerate() {
            let d = p.cast::<PyDict>().map_err(|_| {
                crate::errors::bad_argument(
                    py,
                    format!("`params[{i}]`: expected a dict of parameters"),
                )
            })?;
            jobs.push(Value::Map(dict_to_value(d, "", Some(&functions))?));
        }
        let table = functions.as_ref();
        let results = self
            .wait(py, |engine| {
                Ok(if table.is_empty() {
                    engine.run_batch(id, jobs)
                } else {
                    engine.run_batch_with_functions(id, jobs, table)
                })
            })?
            .unwrap_or_default();
        let out = PyList::empty(py);
        for r in results {
            match r {
                Ok(v) => out.append(to_py(py, v)?)?,
                Err(e) => {
                    out.append(engine_error(py, &e, functions.take_error()).into_value(py))?
                }
            }
        }
        Ok(out.into_any().unbind())
    }

    /// Runs a Rhai snippet and returns its final value.
    fn eval(&self, py: Python<'_>, source: &str) -> PyResult<Py<PyAny>> {
        let outcome = self.wait(py, |engine| engine.eval(source))?;
        outcome
            .map_err(|e| engine_error(py, &e, None))
            .and_then(|v| to_py(py, v))
    }

    /// Runs the Rhai script at `path` with `constants` (a dict) in its scope.
    #[pyo3(signature = (path, constants = None))]
    fn run_script(
        &self,
        py: Python<'_>,
        path: PathBuf,
        constants: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let constants: Vec<(String, Value)> = match constants {
            Some(d) => dict_to_value(d, "", None)?.into_entries().collect(),
            None => Vec::new(),
        };
        let outcome = self.wait(py, |engine| engine.run_script_with(&path, constants))?;
        outcome
            .map_err(|e| engine_error(py, &e, None))
            .and_then(|v| to_py(py, v))
    }

    /// Loads a plugin from a shared library (replacing a loaded plugin of the same name);
    /// returns its name.
    fn load_plugin(&self, py: Python<'_>, path: PathBuf) -> PyResult<String> {
        self.engine
            .load_plugin(&path)
            .map(|p| p.info.name.to_string())
            .map_err(|e| engine_error(py, &e, None))
    }

    /// The folder of records, checkpoints and saved files.
    #[getter]
    fn out_dir(&self) -> PathBuf {
        self.engine.out_dir().to_path_buf()
    }

    /// The file the runs are recorded in.
    #[getter]
    fn records_path(&self) -> PathBuf {
        self.engine.records_path().to_path_buf()
    }

    /// Names, versions and sources of the loaded plugins.
    fn plugins(&self) -> Vec<(String, String, String)> {
        self.engine
            .plugins()
            .into_iter()
            .map(|p| {
                (
                    p.info.name.to_string(),
                    p.info.version.to_string(),
                    format!("{:?}", p.source),
                )
            })
            .collect()
    }
}

impl PyEngine {
    /// Runs `work` with the GIL released, cancelled by Ctrl-C (see [`crate::interrupt`]).
    fn wait<T: Send>(
        &self,
        py: Python<'_>,
        work: impl FnOnce(&Engine) -> Result<T, EngineError> + Send,
    ) -> PyResult<Result<T, EngineError>> {
        let engine = &self.engine;
        run_interruptible(py, engine.cancel_token(), || work(engine))
    }
}

/// The parameters dict (or none) as a map value, registering callables in `functions`.
fn params_value(params: Option<&Bound<'_, PyDict>>, functions: &PyFunctions) -> PyResult<Value> {
    Ok(Value::Map(match params {
        Some(d) => dict_to_value(d, "", Some(functions))?,
        None => Default::default(),
    }))
}
