//! [`Executor`]: the run machinery — resolve an id, complete and check its parameters, give
//! the algorithm a host, run it, record it — and batches through a [`Batcher`].
//!
//! Everything that runs an algorithm (the [`Engine`](crate::Engine) facade, scripts, a plugin's
//! nested calls through its host, an MPI worker rank) goes through [`Executor::execute`].

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use boundlab_sdk::Value;
use boundlab_sdk::abi::{
    AlgorithmBox, AlgorithmInfo, Host_TO, PluginModule_Ref, check_params, fill_params,
};

use crate::batch::{Batch, Batcher, Executed, ThreadBatcher};
use crate::error::EngineError;
use crate::host::{AlgorithmCall, CancelToken, Dispatch, FunctionCaller, RunHost};
use crate::progress::ProgressSink;
use crate::records::{Record, RecordLog, utc_timestamp};
use crate::registry::Registry;

/// A call whose id resolved and whose parameters passed the schema, completed with defaults.
struct Admitted {
    plugin_name: String,
    plugin_version: String,
    module: PluginModule_Ref,
    params: Value,
}

/// The plugins, the output folder and its records, progress, cancellation and the batcher.
pub(crate) struct Executor {
    pub registry: RwLock<Registry>,
    pub out_dir: PathBuf,
    pub records: RecordLog,
    pub progress: ProgressSink,
    pub cancel: CancelToken,
    /// The seed given to algorithms that take one when the caller gives none (`--seed`).
    pub seed: Option<i64>,
    /// Where batches run (threads of this process by default, MPI ranks when configured).
    pub batcher: Arc<dyn Batcher>,
    /// Batches whose jobs hold script functions always run here.
    pub local: ThreadBatcher,
}

impl Executor {
    pub fn registry(&self) -> std::sync::RwLockReadGuard<'_, Registry> {
        self.registry.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Resolves, checks, runs and (when `call.record`) records one call.
    pub fn run_algorithm(&self, call: AlgorithmCall<'_>) -> Result<Value, EngineError> {
        let (outcome, record) = self.execute(call);
        if let Some(record) = record {
            self.append_record(record);
        }
        outcome
    }

    pub fn append_record(&self, record: Record) {
        if let Err(e) = self.records.append(record) {
            tracing::error!("could not write the run record: {e}");
        }
    }

    /// Runs `call` and, when `call.record` is set, returns its record instead of writing it
    /// (an MPI worker sends it to rank 0, which writes every record of the session). A call
    /// refused before it started (unknown id, bad parameters) gets a record too, with status
    /// `error` and the message: every run a user asked for leaves a line.
    pub fn execute(&self, mut call: AlgorithmCall<'_>) -> Executed {
        let params = std::mem::take(&mut call.params);
        match self.admit(call.id, params) {
            Ok(admitted) => self.run_admitted(call, admitted),
            Err(refusal) => {
                let (refused, params) = *refusal;
                let record = call
                    .record
                    .then(|| self.refused_record(call.id.to_string(), params, &refused));
                (Err(refused), record)
            }
        }
    }

    fn refused_record(&self, id: String, params: Value, refused: &EngineError) -> Record {
        let (plugin, plugin_version) = self
            .registry()
            .resolve(&id)
            .map(|(p, _)| (p.info.name.to_string(), p.info.version.to_string()))
            .unwrap_or_default();
        Record {
            index: 0,
            id,
            plugin,
            plugin_version,
            engine_version: env!("CARGO_PKG_VERSION").to_string(),
            timestamp: utc_timestamp(),
            seed: params.get("seed").and_then(Value::as_i64),
            params,
            wall_seconds: 0.0,
            status: "error".to_string(),
            // As a run's own error reads: without the id, which the record holds already.
            error: Some(match refused {
                EngineError::Algorithm { error, .. } => error.to_string(),
                other => other.to_string(),
            }),
            summary: Value::Unit,
        }
    }

    /// Resolves `id` and checks `params` against its schema. A refusal (unknown id, bad
    /// parameters) hands the parameters back for its record: they are never copied.
    fn admit(&self, id: &str, params: Value) -> Result<Admitted, Box<(EngineError, Value)>> {
        let resolved = {
            let registry = self.registry();
            registry.resolve(id).map(|(plugin, info)| {
                (
                    plugin.info.name.to_string(),
                    plugin.info.version.to_string(),
                    plugin.module,
                    info.clone(),
                )
            })
        };
        let (plugin_name, plugin_version, module, info) = match resolved {
            Ok(resolved) => resolved,
            Err(refused) => return Err(Box::new((refused, params))),
        };
        let params = self.with_session_seed(&info, params);
        if let Err(error) = check_params(&info, &params) {
            let id = id.to_string();
            return Err(Box::new((EngineError::Algorithm { id, error }, params)));
        }
        let completed = fill_params(&info, params);
        for warning in &completed.warnings {
            crate::logging::emit(&plugin_name, boundlab_sdk::LogLevel::Warn, warning);
        }
        Ok(Admitted {
            plugin_name,
            plugin_version,
            module,
            params: completed.params,
        })
    }

    /// Runs an admitted call: creates the algorithm, gives it a host, times it.
    fn run_admitted(&self, call: AlgorithmCall<'_>, admitted: Admitted) -> Executed {
        let Admitted {
            plugin_name,
            plugin_version,
            module,
            params,
        } = admitted;
        let progress = self.progress.task(call.id, call.show_progress);
        let host = RunHost {
            dispatch: self,
            plugin: &plugin_name,
            progress: &progress,
            functions: call.functions,
            depth: call.depth,
        };
        let started = Instant::now();
        // The algorithm owns its parameters; the record keeps this copy.
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
            summary: outcome.as_ref().map(Value::summarized).unwrap_or_default(),
        });
        let outcome = outcome.map_err(|error| EngineError::Algorithm {
            id: call.id.to_string(),
            error,
        });
        (outcome, record)
    }

    /// Gives the session seed (`--seed`) to algorithms that take a `seed` the caller left out.
    fn with_session_seed(&self, info: &AlgorithmInfo, params: Value) -> Value {
        let Some(seed) = self.seed else {
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

    /// Runs `id` once per parameter map on the batcher; results in the order of `params`.
    /// Jobs that hold script functions stay in this process.
    pub fn run_batch_with(
        &self,
        id: &str,
        params: Vec<Value>,
        functions: Option<&dyn FunctionCaller>,
        depth: usize,
        record: bool,
    ) -> Vec<Result<Value, EngineError>> {
        let holds_functions = params.iter().any(|p| p.find_callable().is_some());
        let batcher: &dyn Batcher = if holds_functions && !self.batcher.runs_in_process() {
            tracing::debug!(
                "batch of `{id}` passes script functions: it runs on this process's threads"
            );
            &self.local
        } else {
            self.batcher.as_ref()
        };
        let count = params.len() as u64;
        let progress = self.progress.task(&format!("{id} batch"), true);
        let run_here = |params: Value| {
            self.run_algorithm(AlgorithmCall {
                id,
                params,
                input: Value::Unit,
                functions,
                depth,
                record,
                show_progress: false,
            })
        };
        let write_record = |r: Record| self.append_record(r);
        batcher.run_batch(Batch {
            id,
            params,
            run_here: &run_here,
            record: record.then_some(&write_record as &(dyn Fn(Record) + Sync)),
            cancelled: &|| self.cancel.is_cancelled(),
            on_done: &|done| progress.update(done as u64, count, "jobs"),
        })
    }
}

impl Dispatch for Executor {
    fn run_call(&self, call: AlgorithmCall<'_>) -> Result<Value, EngineError> {
        self.run_algorithm(call)
    }

    fn run_nested_batch(
        &self,
        id: &str,
        params: Vec<Value>,
        functions: Option<&dyn FunctionCaller>,
        depth: usize,
    ) -> Vec<Result<Value, EngineError>> {
        self.run_batch_with(id, params, functions, depth, false)
    }

    fn out_dir(&self) -> &Path {
        &self.out_dir
    }

    fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }
}
