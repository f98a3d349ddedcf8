//! [`Engine`]: the facade an application or the command line holds — plugins, runs, batches
//! and scripts behind one cheap handle — and its [`EngineBuilder`].
//!
//! It composes the parts and adds no machinery of its own: runs go through the executor,
//! scripts through the script runtime, batches through the configured [`Batcher`].

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use boundlab_sdk::Value;
use boundlab_sdk::abi::PluginModule_Ref;

use crate::batch::{Batcher, Executed, ThreadBatcher};
use crate::error::EngineError;
use crate::executor::Executor;
use crate::host::{AlgorithmCall, CancelToken, FunctionCaller};
use crate::loader;
use crate::progress::{ProgressCallback, ProgressMode, ProgressSink, ProgressUpdate};
use crate::records::RecordLog;
use crate::registry::{LoadedPlugin, OnDuplicate, PluginSource, Registry};
use crate::script::{Limits, ScriptSettings};

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
    executor: Arc<Executor>,
    script: Arc<ScriptSettings>,
    jobs: usize,
}

/// Configures an [`Engine`]; every setting has a default suited to library use.
pub struct EngineBuilder {
    out_dir: Option<PathBuf>,
    jobs: Option<usize>,
    seed: Option<i64>,
    limits: Limits,
    constants: Vec<(String, Value)>,
    modules: Vec<PluginModule_Ref>,
    plugin_files: Vec<PathBuf>,
    discover: bool,
    progress: ProgressMode,
    on_progress: Option<ProgressCallback>,
    batcher: Option<Arc<dyn Batcher>>,
}

impl Default for EngineBuilder {
    fn default() -> Self {
        Self {
            out_dir: None,
            jobs: None,
            seed: None,
            limits: Limits::default(),
            constants: Vec::new(),
            modules: Vec::new(),
            plugin_files: Vec::new(),
            discover: false,
            progress: ProgressMode::Silent,
            on_progress: None,
            batcher: None,
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

    /// Worker threads for `run_batch` (default: all cores); ignored with [`Self::batcher`].
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

    /// Registers a statically linked plugin (`my_plugin::plugin_module()`). The engine links
    /// none of its own: an application registers the ones it depends on (the `boundlab` binary
    /// registers the first-party plugins). A later module of the same name is refused.
    pub fn plugin_module(mut self, module: PluginModule_Ref) -> Self {
        self.modules.push(module);
        self
    }

    /// Loads a plugin from a shared library; a failure fails `build`. A loaded plugin with the
    /// name of a registered module replaces it.
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

    /// How runs show progress (default [`ProgressMode::Silent`]; the CLI uses
    /// [`ProgressMode::detect`]).
    pub fn progress(mut self, mode: ProgressMode) -> Self {
        self.progress = mode;
        self
    }

    /// Calls `callback` with every progress report of a top-level run or batch, whatever the
    /// [`ProgressMode`]: an application draws its own bar or forwards reports elsewhere.
    ///
    /// ```no_run
    /// let engine = boundlab_engine::Engine::builder()
    ///     .on_progress(|p| eprintln!("{}: {}/{} {}", p.task, p.done, p.total, p.message))
    ///     .build()?;
    /// # Ok::<(), boundlab_engine::EngineError>(())
    /// ```
    pub fn on_progress(
        mut self,
        callback: impl Fn(&ProgressUpdate<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.on_progress = Some(Arc::new(callback));
        self
    }

    /// Where batches run (default: [`ThreadBatcher`] with [`Self::jobs`] threads), e.g. the
    /// MPI pool of the `cluster` module (cargo feature `mpi`).
    pub fn batcher(mut self, batcher: Arc<dyn Batcher>) -> Self {
        self.batcher = Some(batcher);
        self
    }

    pub fn build(self) -> Result<Engine, EngineError> {
        let mut registry = Registry::default();
        for module in self.modules {
            registry.add(
                LoadedPlugin::from_module(module, PluginSource::Static)?,
                OnDuplicate::Refuse,
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
        let local = ThreadBatcher { workers: jobs };
        let batcher = self
            .batcher
            .unwrap_or_else(|| Arc::new(ThreadBatcher { workers: jobs }));
        Ok(Engine {
            executor: Arc::new(Executor {
                registry: RwLock::new(registry),
                records: RecordLog::new(&out_dir),
                out_dir,
                progress: ProgressSink::new(self.progress, self.on_progress),
                cancel: CancelToken::default(),
                seed: self.seed,
                batcher,
                local,
            }),
            script: Arc::new(ScriptSettings {
                limits: self.limits,
                constants: self.constants,
            }),
            jobs,
        })
    }
}

impl Engine {
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// The folder of records, checkpoints, saved files and plots.
    pub fn out_dir(&self) -> &Path {
        &self.executor.out_dir
    }

    /// The path of this engine's run records.
    pub fn records_path(&self) -> &Path {
        self.executor.records.path()
    }

    /// Cancels running work when set (the CLI sets it on Ctrl-C).
    pub fn cancel_token(&self) -> &CancelToken {
        &self.executor.cancel
    }

    /// Worker threads of batches that run in this process.
    pub fn jobs(&self) -> usize {
        self.jobs
    }

    /// A snapshot of the loaded plugins.
    pub fn plugins(&self) -> Vec<LoadedPlugin> {
        self.registry().plugins().to_vec()
    }

    fn registry(&self) -> std::sync::RwLockReadGuard<'_, Registry> {
        self.executor.registry()
    }

    /// Loads a plugin from a shared library; a plugin of the same name is replaced.
    pub fn load_plugin(&self, path: &Path) -> Result<LoadedPlugin, EngineError> {
        let plugin = loader::load_plugin_file(path)?;
        let mut registry = self
            .executor
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

    /// A human-readable description of algorithm `id`: summary, plugin, parameters (what
    /// `boundlab describe` prints).
    pub fn describe(&self, id: &str) -> Result<String, EngineError> {
        self.registry().describe_text(id)
    }

    /// Describes algorithm `id` as a value (what scripts get from `describe(id)`).
    pub fn describe_value(&self, id: &str) -> Result<Value, EngineError> {
        self.registry().describe_value(id)
    }

    /// Runs algorithm `id` with `params` (a map) and records the run.
    pub fn run(&self, id: &str, params: Value) -> Result<Value, EngineError> {
        self.executor.run_algorithm(AlgorithmCall {
            id,
            params,
            input: Value::Unit,
            functions: None,
            depth: 0,
            record: true,
            show_progress: true,
        })
    }

    /// Runs algorithm `id` with `params` whose [`Value::Callable`] handles `functions` serves
    /// (an embedding's own functions, such as Python callables), and records the run.
    pub fn run_with_functions(
        &self,
        id: &str,
        params: Value,
        functions: &dyn FunctionCaller,
    ) -> Result<Value, EngineError> {
        self.executor.run_algorithm(AlgorithmCall {
            id,
            params,
            input: Value::Unit,
            functions: Some(functions),
            depth: 0,
            record: true,
            show_progress: true,
        })
    }

    /// Runs algorithm `id` and returns its record instead of writing it: what an MPI worker
    /// rank does with a job, sending the record to the rank that writes them.
    pub fn run_unwritten(&self, id: &str, params: Value) -> Executed {
        self.executor.execute(AlgorithmCall {
            id,
            params,
            input: Value::Unit,
            functions: None,
            depth: 0,
            record: true,
            show_progress: false,
        })
    }

    /// Runs algorithm `id` once per parameter map on the engine's batcher; results come back
    /// in the order of `params`, each run recorded.
    pub fn run_batch(&self, id: &str, params: Vec<Value>) -> Vec<Result<Value, EngineError>> {
        self.executor.run_batch_with(id, params, None, 0, true)
    }

    /// [`run_batch`](Self::run_batch) with parameters whose [`Value::Callable`] handles
    /// `functions` serves.
    pub fn run_batch_with_functions(
        &self,
        id: &str,
        params: Vec<Value>,
        functions: &dyn FunctionCaller,
    ) -> Vec<Result<Value, EngineError>> {
        self.executor
            .run_batch_with(id, params, Some(functions), 0, true)
    }

    /// Runs the Rhai script at `path` and returns its final value.
    pub fn run_script(&self, path: &Path) -> Result<Value, EngineError> {
        crate::script::run_file(&self.executor, &self.script, path)
    }

    /// Runs the Rhai script at `path` with `constants` visible to it besides the builder's (a
    /// later one of the same name shadows an earlier one).
    pub fn run_script_with(
        &self,
        path: &Path,
        constants: Vec<(String, Value)>,
    ) -> Result<Value, EngineError> {
        let mut settings = (*self.script).clone();
        settings.constants.extend(constants);
        crate::script::run_file(&self.executor, &settings, path)
    }

    /// Checks the Rhai script at `path` for syntax errors without running it.
    pub fn check_script(&self, path: &Path) -> Result<(), EngineError> {
        crate::script::check_file(&self.executor, &self.script, path)
    }

    /// Runs a Rhai snippet (imports resolve against the current directory).
    pub fn eval(&self, source: &str) -> Result<Value, EngineError> {
        crate::script::run_source(
            &self.executor,
            &self.script,
            source,
            "<eval>",
            Path::new("."),
        )
    }
}
