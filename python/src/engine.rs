//! `boundlab._native.Engine`: the engine with the first-party plugins linked in.
//!
//! Every run happens on a run thread while the calling thread waits with the GIL released,
//! waking every [`SIGNAL_POLL`] to let Python handle signals: Ctrl-C (a `KeyboardInterrupt`
//! raised by the interpreter's handler) sets the engine's cancellation flag, the algorithm
//! stops at its next check, and the `KeyboardInterrupt` propagates. Python callables and the
//! progress callback re-acquire the GIL on the thread that calls them.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use boundlab_engine::progress::ProgressMode;
use boundlab_engine::{Engine, EngineError};
use boundlab_sdk::Value;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::convert::{dict_to_value, to_py};
use crate::errors::engine_error;
use crate::functions::PyFunctions;

/// How often the waiting thread lets Python look at pending signals.
const SIGNAL_POLL: Duration = Duration::from_millis(20);

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
        let (engine, id, table) = (self.engine.clone(), id.to_string(), functions.clone());
        let outcome = self.wait(py, move || {
            if table.is_empty() {
                engine.run(&id, params)
            } else {
                engine.run_with_functions(&id, params, table.as_ref())
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
        let (engine, id, table) = (self.engine.clone(), id.to_string(), functions.clone());
        let results = self
            .wait(py, move || {
                Ok(if table.is_empty() {
                    engine.run_batch(&id, jobs)
                } else {
                    engine.run_batch_with_functions(&id, jobs, table.as_ref())
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
        let (engine, source) = (self.engine.clone(), source.to_string());
        let outcome = self.wait(py, move || engine.eval(&source))?;
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
        let engine = self.engine.clone();
        let outcome = self.wait(py, move || engine.run_script_with(&path, constants))?;
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
    /// Runs `work` on the run thread; the GIL is released while waiting, and a signal
    /// handler's exception (Ctrl-C) cancels the work and is returned once it has stopped.
    fn wait<T: Send + 'static>(
        &self,
        py: Python<'_>,
        work: impl FnOnce() -> Result<T, EngineError> + Send + 'static,
    ) -> PyResult<Result<T, EngineError>> {
        let token = self.engine.cancel_token();
        let (done, finished) = crossbeam::channel::bounded(1);
        RunThread::submit(Box::new(move || {
            let _ = done.send(work());
        }));
        let mut interrupted: Option<PyErr> = None;
        let outcome = loop {
            match py.detach(|| finished.recv_timeout(SIGNAL_POLL)) {
                Ok(outcome) => break Some(outcome),
                Err(crossbeam::channel::RecvTimeoutError::Timeout) => {
                    if interrupted.is_none()
                        && let Err(signal) = py.check_signals()
                    {
                        token.cancel();
                        interrupted = Some(signal);
                    }
                }
                // The work panicked outside the engine's own guards.
                Err(crossbeam::channel::RecvTimeoutError::Disconnected) => break None,
            }
        };
        match (outcome, interrupted) {
            (Some(_), Some(signal)) => {
                token.reset();
                Err(signal)
            }
            (Some(outcome), None) => Ok(outcome),
            (None, _) => Err(pyo3::exceptions::PyRuntimeError::new_err(
                "the engine's worker thread stopped unexpectedly",
            )),
        }
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// Where runs execute: one long-lived thread for the process, or a new thread when that one
/// is busy (runs from several Python threads, a Python callback that starts a nested run).
///
/// The long-lived thread keeps its Python thread state and waits for jobs with the GIL
/// released: a run then costs two thread wake-ups. Starting a thread (and a thread state) per
/// run cost ~100 µs of the 122 µs a trivial `engine.run` took (bench/python; `Engine::run`
/// itself is ~8 µs). The thread never exits (it keeps a sender of its own queue), so it never
/// asks for the GIL while the interpreter shuts down.
struct RunThread {
    jobs: crossbeam::channel::Sender<Job>,
    busy: AtomicBool,
}

static RUN_THREAD: std::sync::OnceLock<RunThread> = std::sync::OnceLock::new();

impl RunThread {
    fn get() -> &'static RunThread {
        RUN_THREAD.get_or_init(|| {
            let (jobs, queue) = crossbeam::channel::unbounded::<Job>();
            let keep_open = jobs.clone();
            std::thread::Builder::new()
                .name("boundlab-run".into())
                .spawn(move || {
                    let _keep_open = keep_open;
                    Python::attach(|py| {
                        py.detach(|| {
                            for job in queue {
                                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                                if let Some(r) = RUN_THREAD.get() {
                                    r.busy.store(false, Ordering::Release);
                                }
                            }
                        })
                    })
                })
                .expect("the run thread starts");
            RunThread {
                jobs,
                busy: AtomicBool::new(false),
            }
        })
    }

    fn submit(job: Job) {
        let this = Self::get();
        let claimed = this
            .busy
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        let job = if claimed {
            match this.jobs.send(job) {
                Ok(()) => return,
                Err(crossbeam::channel::SendError(job)) => job,
            }
        } else {
            job
        };
        std::thread::spawn(move || run_job(job));
    }
}

/// One job with a Python thread state kept for its duration (the GIL released), so that each
/// callback into Python only takes the GIL instead of creating a thread state (3x the cost of
/// a Rhai closure call on alsketch's HS6 without this). A panic is contained: the waiting
/// side sees the job's channel close.
fn run_job(job: Job) {
    Python::attach(|py| {
        py.detach(|| {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
        })
    });
}

/// The parameters dict (or none) as a map value, registering callables in `functions`.
fn params_value(params: Option<&Bound<'_, PyDict>>, functions: &PyFunctions) -> PyResult<Value> {
    Ok(Value::Map(match params {
        Some(d) => dict_to_value(d, "", Some(functions))?,
        None => Default::default(),
    }))
}
