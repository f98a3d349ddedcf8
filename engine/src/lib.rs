//! # boundlab-engine
//!
//! The engine behind the `boundlab` command, as a library: it loads algorithm plugins (linked
//! in by the application, or from shared libraries checked at load time), runs them from Rust
//! or from Rhai scripts, spreads batches over threads or MPI ranks, records every run so that
//! it can be repeated, and shows progress and logs. It links no plugin itself.
//!
//! Embedding takes three steps: build an [`Engine`], register plugins, run.
//!
//! ```no_run
//! use boundlab_engine::Engine;
//! use boundlab_sdk::{Value, ValueMap};
//!
//! let engine = Engine::builder()
//!     .plugin_module(my_plugin::plugin_module())     // a plugin crate linked statically
//!     .out_dir("runs/embedded")                      // records.ron, saved files, plots
//!     .build()?;
//! let result = engine.eval(r#"run("my.algorithm", #{ n: 10 })"#)?;
//! let value = result.get("value").and_then(Value::as_f64);
//! # mod my_plugin { pub fn plugin_module() -> boundlab_sdk::abi::PluginModule_Ref { unimplemented!() } }
//! # Ok::<(), boundlab_engine::EngineError>(())
//! ```
//!
//! See `examples/embed` for a complete program, and the README for the script functions.
//!
//! ## What to depend on
//!
//! `boundlab-engine` and `boundlab-sdk`, plus the plugin crates the application registers
//! (`boundlab-sdp`, `boundlab-alsketch`, `boundlab-surrogate`, `boundlab-mecb`, or its own):
//! a build compiles only those. The `mpi` feature (off by default) adds the MPI batcher.
//!
//! ## Logs and progress
//!
//! - Logs are [`tracing`] events: the engine's own under `boundlab_engine`, each plugin's
//!   (`host.info(..)`, `host.warn(..)`) with the plugin's name as target, so a filter such as
//!   `info,sdp=debug` selects them. Install any subscriber; [`logging::init_cli_logging`] is
//!   the command line's (stderr, filter from `$BOUNDLAB_LOG`). Without a subscriber nothing
//!   is printed.
//! - Progress: [`EngineBuilder::on_progress`] receives every report of a top-level run or
//!   batch ([`progress::ProgressUpdate`]: task, done, total, message) to draw as the
//!   application likes; [`EngineBuilder::progress`] turns on the engine's own display
//!   ([`progress::ProgressMode`]: terminal bars, rate-limited log lines, or nothing, the
//!   default).
//! - Cancellation: [`Engine::cancel_token`] stops the running algorithms at their next check.
//!
//! Inside, the layers depend one way: [`Engine`] (the facade) composes the executor (resolve,
//! check, run, record), the script runtime ([`script`]) and a [`batch::Batcher`] (threads, or
//! the MPI pool of `cluster`); the host adapter a running plugin talks to reaches the executor
//! only through a trait.

pub mod array_store;
pub mod batch;
#[cfg(feature = "mpi")]
pub mod cluster;
mod engine;
mod error;
mod executor;
pub mod files;
mod host;
mod loader;
pub mod logging;
pub mod progress;
pub mod records;
mod registry;
pub mod script;

pub use engine::{Engine, EngineBuilder};
pub use error::EngineError;
pub use host::{CancelToken, FunctionCaller, checkpoint_dir};
pub use loader::{PLUGIN_PATH_VAR, load_plugin_file};
pub use registry::{LoadedPlugin, PluginSource};
pub use script::Limits;

pub use boundlab_sdk as sdk;
