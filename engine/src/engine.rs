//! [`Engine`]: the registry of plugins, the run machinery (schema check, host, records), and
//! the entry points for scripts and embedding applications.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use boundlab_sdk::{AlgorithmBox, Host_TO, PluginError, PluginModule_Ref, Value, complete_params};

use crate::error::EngineError;
use crate::host::{CancelToken, FunctionCaller, RunHost};
use crate::loader;
use crate::progress::{ProgressMode, ProgressSink};
use crate::records::{Record, RecordLog, summarize, utc_timestamp};
use crate::registry::{LoadedPlugin, OnDuplicate, PluginSource, Registry};
use crate::script::Limits;

/// The boundlab engine: loaded plugins, an output folder for records and files, and a Rhai
/// script runtime.
///
/// Cheap to clone (a shared handle). Build one with [`Engine::builder`]:
///
/// ```no_run
/// use boundlab_engine::Engine;
/// use boundlab_sdk::{Value, ValueMap};
///
/// let engine = Engine::builder().out_dir("runs/example").build()?;
/// // From Rust:
/// let params = Value::Map(ValueMap::new().with("n", 3i64));
/// let result = engine.run("some.algorithm", params)?;
/// // From a script:
/// let value = engine.eval(r#"let r = run("some.algorithm", #{ n: 3 }); r.value"#)?;
/// # Ok::<(), boundlab_engine::EngineError>(())
/// ```
#[derive(Clone)]
pub struct Engine {
    shared: Arc<Shared>,
}

struct Shared {
    registry: RwLock<Registry>,
    out_dir: PathBuf,
    records: RecordLog,
    progress: ProgressSink,
    cancel: CancelToken,
    jobs: usize,
    seed: Option<i64>,
    limits: Limits,
    constants: Vec<(String, Value)>,
    #[cfg(feature = "mpi")]
    mpi: Option<Arc<crate::cluster::MpiPool>>,
}

/// Configures an [`Engine`]; every setting has a default suited to library use.
pub struct EngineBuilder {
    out_dir: Option<PathBuf>,
    jobs: Option<usize>,
    seed: Option<i64>,
    limits: Limits,
    constants: Vec<(String, Value)>,
    bundled: bool,
    modules: Vec<PluginModule_Ref>,
    plugin_files: Vec<PathBuf>,
    discover: bool,
    progress: ProgressMode,
    #[cfg(feature = "mpi")]
    mpi: Option<Arc<crate::cluster::MpiPool>>,
}

impl Default for EngineBuilder {
    fn default() -> Self {
        Self {
            out_dir: None,
            jobs: None,
            seed: None,
            limits: Limits::default(),
            constants: Vec::new(),
            bundled: true,
            modules: Vec::new(),
            plugin_files: Vec::new(),
            discover: false,
            progress: ProgressMode::Silent,
            #[cfg(feature = "mpi")]
            mpi: None,
        }
    }
}

impl EngineBuilder {
    /// The folder for `records.ron`, checkpoints, and the files scripts save and plot
    /// (default `runs/session-<timestamp>`; created when first needed).
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Worker threads for `run_batch` (default: all cores).
    pub fn jobs(mut self, jobs: usize) -> Self {
        self.jobs = Some(jobs.max(1));
        self
    }

    /// The seed given to algorithms that take a `seed` parameter when the caller gives none.
    pub fn seed(mut self, seed: i64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Script sandbox limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// A constant visible to scripts (the CLI's `--set NAME=VALUE`).
    pub fn constant(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.constants.push((name.into(), value.into()));
        self
    }

    /// Whether to register the plugins linked into this build (default true).
    pub fn bundled_plugins(mut self, yes: bool) -> Self {
        self.bundled = yes;
        self
    }

    /// Registers a statically linked plugin (`my_plugin::plugin_module()`).
    pub fn plugin_module(mut self, module: PluginModule_Ref) -> Self {
        self.modules.push(module);
        self
    }

    /// Loads a plugin from a shared library; a failure fails `build`.
    pub fn plugin_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.plugin_files.push(path.into());
        self
    }

    /// Also loads the plugins found in `$BOUNDLAB_PLUGIN_PATH` and in `plugins/` next to the
    /// executable; failures there are logged and skipped.
    pub fn discover_plugins(mut self, yes: bool) -> Self {
        self.discover = yes;
        self
    }

    pub fn progress(mut self, mode: ProgressMode) -> Self {
        self.progress = mode;
        self
    }

    /// Sends batch jobs to MPI worker ranks (rank 0 only; see the `cluster` module).
    #[cfg(feature = "mpi")]
    pub fn mpi_pool(mut self, pool: Arc<crate::cluster::MpiPool>) -> Self {
        self.mpi = Some(pool);
        self
    }

    pub fn build(self) -> Result<Engine, EngineError> {
        let mut registry = Registry::default();
        if self.bundled {
            for module in crate::bundled::modules() {
                registry.add(
                    LoadedPlugin::from_module(module, PluginSource::Static)?,
                    OnDuplicate::Refuse,
                )?;
            }
        }
        for module in self.modules {
            registry.add(
                LoadedPlugin::from_module(module, PluginSource::Static)?,
                OnDuplicate::Replace,
            )?;
        }
        if self.discover {
            for dir in loader::default_plugin_dirs() {
                for file in loader::plugin_files_in(&dir) {
                    match loader::load_plugin_file(&file)
                        .and_then(|p| registry.add(p, OnDuplicate::Refuse))
                    {
                        Ok(()) => tracing::debug!("loaded plugin {}", file.display()),
                        Err(e) => tracing::warn!("skipped: {e}"),
                    }
                }
            }
        }
        for file in &self.plugin_files {
            registry.add(loader::load_plugin_file(file)?, OnDuplicate::Replace)?;
        }
        let out_dir = self.out_dir.unwrap_or_else(|| {
            PathBuf::from("runs").join(format!("session-{}", crate::records::compact_timestamp()))
        });
        let jobs = self
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        Ok(Engine {
            shared: Arc::new(Shared {
                registry: RwLock::new(registry),
                records: RecordLog::new(&out_dir),
                out_dir,
                progress: ProgressSink::new(self.progress),
                cancel: CancelToken::default(),
                jobs,
                seed: self.seed,
                limits: self.limits,
                constants: self.constants,
                #[cfg(feature = "mpi")]
                mpi: self.mpi,
            }),
        })
    }
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

impl Engine {
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    pub fn out_dir(&self) -> &Path {
        &self.shared.out_dir
    }

    /// The path of this engine's run records.
    pub fn records_path(&self) -> &Path {
        self.shared.records.path()
    }

    pub fn cancel_token(&self) -> &CancelToken {
        &self.shared.cancel
    }

    pub fn jobs(&self) -> usize {
        self.shared.jobs
    }

    pub(crate) fn limits(&self) -> &Limits {
        &self.shared.limits
    }

    pub(crate) fn constants(&self) -> &[(String, Value)] {
        &self.shared.constants
    }

    /// A snapshot of the loaded plugins.
    pub fn plugins(&self) -> Vec<LoadedPlugin> {
        self.registry().plugins().to_vec()
    }

    fn registry(&self) -> std::sync::RwLockReadGuard<'_, Registry> {
        self.shared
            .registry
            .read()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// Loads a plugin from a shared library; a plugin of the same name is replaced.
    pub fn load_plugin(&self, path: &Path) -> Result<LoadedPlugin, EngineError> {
        let plugin = loader::load_plugin_file(path)?;
        let mut registry = self
            .shared
            .registry
            .write()
            .unwrap_or_else(|p| p.into_inner());
        registry.add(plugin.clone(), OnDuplicate::Replace)?;
        Ok(plugin)
    }

    /// Every algorithm id, in load order.
    pub fn algorithm_ids(&self) -> Vec<String> {
        self.registry()
            .algorithms()
            .map(|(_, a)| a.id.to_string())
            .collect()
    }

    /// A human-readable description of algorithm `id`: summary, plugin, parameters.
    pub fn describe(&self, id: &str) -> Result<String, EngineError> {
        let registry = self.registry();
        let (plugin, info) = registry.resolve(id)?;
        let mut out = format!(
            "{} — {}\nplugin: {} {} ({})\nparameters:\n",
            info.id, info.summary, plugin.info.name, plugin.info.version, plugin.source
        );
        if info.params.is_empty() {
            out.push_str("  (none)\n");
        }
        let width = info.params.iter().map(|p| p.name.len()).max().unwrap_or(0);
        for p in info.params.iter() {
            let default = match (&p.default, p.required) {
                (abi_stable::std_types::ROption::RSome(v), _) => format!("= {}", short_value(v)),
                (_, true) => "required".to_string(),
                _ => "optional".to_string(),
            };
            out.push_str(&format!(
                "  {:width$}  {:8} {:16} {}\n",
                p.name,
                p.kind.name(),
                default,
                p.doc
            ));
        }
        Ok(out)
    }

    /// Describes algorithm `id` as a value (what scripts get from `describe(id)`).
    pub fn describe_value(&self, id: &str) -> Result<Value, EngineError> {
        let registry = self.registry();
        let (plugin, info) = registry.resolve(id)?;
        let params: Vec<Value> = info
            .params
            .iter()
            .map(|p| {
                let mut m = boundlab_sdk::ValueMap::new()
                    .with("name", p.name.as_str())
                    .with("kind", p.kind.name())
                    .with("required", p.required)
                    .with("doc", p.doc.as_str());
                if let abi_stable::std_types::ROption::RSome(d) = &p.default {
                    m.insert("default", d.clone());
                }
                Value::Map(m)
            })
            .collect();
        Ok(Value::Map(
            boundlab_sdk::ValueMap::new()
                .with("id", info.id.as_str())
                .with("summary", info.summary.as_str())
                .with("plugin", plugin.info.name.as_str())
                .with("version", plugin.info.version.as_str())
                .with("params", params),
        ))
    }

    /// Runs algorithm `id` with `params` (a map) and records the run.
    pub fn run(&self, id: &str, params: Value) -> Result<Value, EngineError> {
        self.run_algorithm(AlgorithmCall {
            id,
            params,
            input: Value::Unit,
            functions: None,
            depth: 0,
            record: true,
            show_progress: true,
        })
    }

    /// Runs algorithm `id` once per parameter map on the engine's worker threads; results
    /// come back in the order of `params`, each run recorded.
    pub fn run_batch(&self, id: &str, params: Vec<Value>) -> Vec<Result<Value, EngineError>> {
        self.run_batch_with(id, params, None, 0, true)
    }

    pub(crate) fn run_batch_with(
        &self,
        id: &str,
        params: Vec<Value>,
        functions: Option<&dyn FunctionCaller>,
        depth: usize,
        record: bool,
    ) -> Vec<Result<Value, EngineError>> {
        #[cfg(feature = "mpi")]
        if let Some(pool) = &self.shared.mpi {
            // Script functions live on rank 0: such jobs run here, on threads.
            if params.iter().all(|p| p.find_callable().is_none()) {
                let progress = self
                    .shared
                    .progress
                    .task(&format!("{id} batch"), self.shared.progress.mode());
                let count = params.len() as u64;
                return pool.run_batch(self, id, params, record, &|done| {
                    progress.update(done as u64, count, "jobs")
                });
            }
            tracing::debug!("batch of `{id}` passes script functions: it runs on rank 0's threads");
        }
        let count = params.len();
        let workers = self.shared.jobs.min(count).max(1);
        let jobs: Vec<Mutex<Option<Value>>> =
            params.into_iter().map(|p| Mutex::new(Some(p))).collect();
        let results: Vec<Mutex<Option<Result<Value, EngineError>>>> =
            (0..count).map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        let finished = AtomicUsize::new(0);
        let batch_progress = self
            .shared
            .progress
            .task(&format!("{id} batch"), self.shared.progress.mode());
        // faer's thread pool is process-wide: run each job sequentially inside while the
        // batch itself uses the cores, and restore the setting afterwards.
        let parallelism = faer::get_global_parallelism();
        if workers > 1 {
            faer::set_global_parallelism(faer::Par::Seq);
        }
        crossbeam::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|_| {
                    loop {
                        let index = next.fetch_add(1, Ordering::SeqCst);
                        if index >= count {
                            break;
                        }
                        let job_params = jobs[index]
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .take()
                            .unwrap_or_default();
                        let result = if self.shared.cancel.is_cancelled() {
                            Err(EngineError::Cancelled)
                        } else {
                            self.run_algorithm(AlgorithmCall {
                                id,
                                params: job_params,
                                input: Value::Unit,
                                functions,
                                depth,
                                record,
                                show_progress: false,
                            })
                        };
                        *results[index].lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
                        let done = finished.fetch_add(1, Ordering::SeqCst) + 1;
                        batch_progress.update(done as u64, count as u64, "jobs");
                    }
                });
            }
        })
        .unwrap_or_else(|_| tracing::error!("a batch worker thread panicked"));
        faer::set_global_parallelism(parallelism);
        results
            .into_iter()
            .map(|slot| {
                slot.into_inner()
                    .unwrap_or_else(|p| p.into_inner())
                    .unwrap_or_else(|| Err(EngineError::Usage("a batch job did not run".into())))
            })
            .collect()
    }

    /// The one path every run takes: resolve, check parameters, create, run, record.
    pub(crate) fn run_algorithm(&self, call: AlgorithmCall<'_>) -> Result<Value, EngineError> {
        let (outcome, record) = self.execute(call);
        if let Some(record) = record {
            self.append_record(record);
        }
        outcome
    }

    pub(crate) fn append_record(&self, record: Record) {
        if let Err(e) = self.shared.records.append(record) {
            tracing::error!("could not write the run record: {e}");
        }
    }

    /// Runs `call` and, when `call.record` is set, returns its record instead of writing it
    /// (an MPI worker sends it to rank 0, which writes every record of the session).
    pub(crate) fn execute(
        &self,
        call: AlgorithmCall<'_>,
    ) -> (Result<Value, EngineError>, Option<Record>) {
        match self.execute_inner(call) {
            Ok((outcome, record)) => (outcome, record),
            Err(refused) => (Err(refused), None),
        }
    }

    /// The outer error is a call refused before it started (unknown id, bad parameters); the
    /// inner result is the run's own outcome.
    #[allow(clippy::type_complexity)] // the two layers are the point: refused vs ran
    fn execute_inner(
        &self,
        call: AlgorithmCall<'_>,
    ) -> Result<(Result<Value, EngineError>, Option<Record>), EngineError> {
        let (plugin_name, plugin_version, module, info) = {
            let registry = self.registry();
            let (plugin, info) = registry.resolve(call.id)?;
            (
                plugin.info.name.to_string(),
                plugin.info.version.to_string(),
                plugin.module,
                info.clone(),
            )
        };
        let algorithm_error = |error: PluginError| EngineError::Algorithm {
            id: call.id.to_string(),
            error,
        };
        let params = self.with_session_seed(&info, call.params);
        let params = complete_params(&info, params).map_err(algorithm_error)?;
        let progress = self.shared.progress.task(
            call.id,
            if call.show_progress {
                self.shared.progress.mode()
            } else {
                ProgressMode::Silent
            },
        );
        let host = RunHost {
            engine: self,
            plugin: &plugin_name,
            progress: &progress,
            functions: call.functions,
            depth: call.depth,
        };
        let started = Instant::now();
        let outcome = module.create()(call.id.into(), params.clone())
            .into_result()
            .and_then(|mut algorithm: AlgorithmBox| {
                algorithm
                    .run(
                        call.input,
                        Host_TO::from_ptr(&host, abi_stable::sabi_trait::TD_Opaque),
                    )
                    .into_result()
            });
        let wall_seconds = started.elapsed().as_secs_f64();
        drop(progress);
        let record = call.record.then(|| Record {
            index: 0,
            id: call.id.to_string(),
            plugin: plugin_name,
            plugin_version,
            engine_version: env!("CARGO_PKG_VERSION").to_string(),
            timestamp: utc_timestamp(),
            seed: params.get("seed").and_then(Value::as_i64),
            params,
            wall_seconds,
            status: if outcome.is_ok() { "ok" } else { "error" }.to_string(),
            error: outcome.as_ref().err().map(ToString::to_string),
            summary: outcome.as_ref().map(summarize).unwrap_or_default(),
        });
        Ok((outcome.map_err(algorithm_error), record))
    }

    /// Gives the session seed (`--seed`) to algorithms that take a `seed` the caller left out.
    fn with_session_seed(&self, info: &boundlab_sdk::AlgorithmInfo, params: Value) -> Value {
        let Some(seed) = self.shared.seed else {
            return params;
        };
        if !info.params.iter().any(|p| p.name.as_str() == "seed") {
            return params;
        }
        match params {
            Value::Unit => Value::Map(boundlab_sdk::ValueMap::new().with("seed", seed)),
            Value::Map(mut map) => {
                if !map.contains_key("seed") {
                    map.insert("seed", seed);
                }
                Value::Map(map)
            }
            other => other,
        }
    }

    /// Runs the Rhai script at `path` and returns its final value.
    pub fn run_script(&self, path: &Path) -> Result<Value, EngineError> {
        crate::script::run_file(self, path)
    }

    /// Runs a Rhai snippet (imports resolve against the current directory).
    pub fn eval(&self, source: &str) -> Result<Value, EngineError> {
        crate::script::run_source(self, source, "<eval>", Path::new("."))
    }
}

fn short_value(v: &Value) -> String {
    match v {
        Value::Str(s) => format!("{:?}", s.as_str()),
        Value::Float(x) => format!("{x}"),
        Value::Int(i) => format!("{i}"),
        Value::Bool(b) => format!("{b}"),
        other => other.describe(),
    }
}
