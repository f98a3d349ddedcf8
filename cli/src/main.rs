//! The `boundlab` command line. Exit codes: 0 success, 1 the run failed, 2 usage error.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use boundlab_engine::records::read_records;
use boundlab_engine::{Engine, EngineBuilder, EngineError, Limits};
use boundlab_sdk::{Value, ValueMap};
use clap::{Args, Parser, Subcommand};

/// `println!` that survives a closed pipe: `boundlab list | head -1` (or `grep -q`) stops
/// reading early, and a Unix tool then ends quietly with success instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => { emit(&format!("{}\n", format_args!($($arg)*))) };
}

/// Writes `text` to stdout. When the reader has gone there is nobody left to tell anything,
/// so the program ends (exit 0 for a closed pipe, 1 for any other write error).
fn emit(text: &str) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

#[derive(Parser)]
#[command(
    name = "boundlab",
    version,
    about = "Run numerical experiments: algorithm plugins orchestrated by Rhai scripts"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a Rhai experiment script.
    Run {
        /// The script file.
        script: PathBuf,
        #[command(flatten)]
        session: SessionArgs,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        mpi: MpiArgs,
    },
    /// Check Rhai scripts for syntax errors without running them.
    Check {
        /// The script files.
        #[arg(required = true)]
        scripts: Vec<PathBuf>,
    },
    /// List the loaded plugins and their algorithms.
    List {
        #[command(flatten)]
        plugins: PluginArgs,
    },
    /// Show an algorithm's parameters. Algorithms of a plugin file need that file's
    /// `--plugin PATH` (or the file on BOUNDLAB_PLUGIN_PATH), as for `list`.
    #[command(override_usage = "boundlab describe [--plugin PATH]... ID")]
    Describe {
        /// Algorithm id, e.g. `sdp.solve`.
        id: String,
        #[command(flatten)]
        plugins: PluginArgs,
    },
    /// Run one algorithm and print its result as RON.
    Solve {
        /// Algorithm id, e.g. `sdp.solve`.
        id: String,
        /// A RON file holding the parameter map.
        #[arg(long, value_name = "FILE.ron")]
        params: Option<PathBuf>,
        #[command(flatten)]
        session: SessionArgs,
    },
    /// Load a plugin file and report its name, versions, ABI version and algorithms.
    CheckPlugin {
        /// The shared library (`.so`, `.dylib`, `.dll`).
        path: PathBuf,
    },
    /// Rerun record N of a records.ron file and compare with the recorded result.
    Rerun {
        /// The records file written by an earlier run (it is only read).
        records: PathBuf,
        /// The record's index (the `index` field; the first record is 0).
        index: usize,
        /// Output folder for the rerun's own record [default: runs/rerun-TIME].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        #[command(flatten)]
        plugins: PluginArgs,
    },
}

#[derive(Args, Clone)]
struct PluginArgs {
    /// Load a plugin from a shared library (repeatable).
    #[arg(long = "plugin", value_name = "PATH")]
    plugins: Vec<PathBuf>,
}

#[derive(Args)]
struct SessionArgs {
    /// Output folder for records.ron, saved files and plots [default: runs/NAME-TIME].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    #[command(flatten)]
    plugins: PluginArgs,
    /// Set a constant (scripts) or parameter (solve): NAME=VALUE, VALUE in RON (1, 2.5, true, "s", [1, 2]).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
    /// Seed for algorithms that take a `seed` parameter and are not given one.
    #[arg(long)]
    seed: Option<i64>,
    /// Worker threads for run_batch [default: all cores].
    #[arg(long)]
    jobs: Option<usize>,
}

#[derive(Args)]
struct MpiArgs {
    /// Run under MPI (`mpirun -np K boundlab run SCRIPT --mpi`): rank 0 runs the script, batch
    /// jobs go to ranks 1..K-1. Needs a build with the `mpi` feature.
    #[arg(long)]
    mpi: bool,
    /// Seconds without a heartbeat after which a worker rank counts as dead.
    #[arg(long, default_value_t = 60.0, value_name = "SECONDS")]
    mpi_timeout: f64,
}

#[derive(Args)]
struct LimitArgs {
    /// Script operations before the script is stopped (about 2·10⁷ per second; 0: no limit).
    #[arg(long, default_value_t = Limits::default().max_operations)]
    max_operations: u64,
    /// Depth of nested script function calls.
    #[arg(long, default_value_t = Limits::default().max_call_depth)]
    max_call_depth: usize,
    /// Bytes in one script string.
    #[arg(long, default_value_t = Limits::default().max_string_size)]
    max_string_size: usize,
    /// Elements in one script array.
    #[arg(long, default_value_t = Limits::default().max_array_size)]
    max_array_size: usize,
    /// Entries in one script map.
    #[arg(long, default_value_t = Limits::default().max_map_size)]
    max_map_size: usize,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            max_operations: self.max_operations,
            max_call_depth: self.max_call_depth,
            max_string_size: self.max_string_size,
            max_array_size: self.max_array_size,
            max_map_size: self.max_map_size,
            ..Limits::default()
        }
    }
}

fn main() -> ExitCode {
    boundlab_engine::logging::init_cli_logging();
    let cli = Cli::parse();
    match execute(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            if matches!(&e, EngineError::UnknownAlgorithm { suggestions, .. } if suggestions.is_empty())
            {
                eprintln!(
                    "hint: a plugin file's algorithms need `--plugin PATH` (or the file in a folder of ${})",
                    boundlab_engine::PLUGIN_PATH_VAR
                );
            }
            if e.is_usage() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

/// An engine with the linked-in plugins, the discovered ones and `--plugin` files.
fn builder(plugins: &PluginArgs) -> EngineBuilder {
    let mut b = Engine::builder()
        .discover_plugins(true)
        .progress(boundlab_engine::progress::ProgressMode::detect());
    for module in boundlab_bundled::modules() {
        b = b.plugin_module(module);
    }
    for p in &plugins.plugins {
        b = b.plugin_file(p);
    }
    b
}

/// `--out`, or `runs/<name>-<time>`.
fn out_path(session: &SessionArgs, default_name: &str) -> PathBuf {
    out_or_default(session.out.as_ref(), default_name)
}

fn out_or_default(out: Option<&PathBuf>, default_name: &str) -> PathBuf {
    out.cloned().unwrap_or_else(|| {
        PathBuf::from("runs").join(format!(
            "{default_name}-{}",
            boundlab_engine::records::compact_timestamp()
        ))
    })
}

fn session_builder(session: &SessionArgs, out: PathBuf) -> Result<EngineBuilder, EngineError> {
    let mut b = builder(&session.plugins).out_dir(out);
    if let Some(seed) = session.seed {
        b = b.seed(seed);
    }
    if let Some(jobs) = session.jobs {
        b = b.jobs(jobs);
    }
    Ok(b)
}

/// Parses `--set NAME=VALUE`; VALUE is RON when it reads as RON, and otherwise the text itself
/// as a string (a bare word, a path: `--set file=data/sdplib/theta2.dat-s`).
fn parse_set(arg: &str) -> Result<(String, Value), EngineError> {
    let (name, text) = arg
        .split_once('=')
        .ok_or_else(|| EngineError::Usage(format!("--set {arg:?}: expected NAME=VALUE")))?;
    let name = name.trim();
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(EngineError::Usage(format!(
            "--set {arg:?}: {name:?} is not a valid name"
        )));
    }
    let text = text.trim();
    let bare_word = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        && text.parse::<f64>().is_err()
        && text != "true"
        && text != "false";
    let value = if bare_word {
        Value::Str(text.into())
    } else {
        match ron::from_str::<Value>(text) {
            Ok(value) => value,
            // Text that opens a RON structure or string was meant as one: say what is wrong.
            Err(e) if text.starts_with(['[', '{', '(', '"', '#']) => {
                return Err(EngineError::Usage(format!(
                    "--set {arg:?}: cannot read the value as RON: {e}"
                )));
            }
            Err(_) => Value::Str(text.into()),
        }
    };
    Ok((name.to_string(), value))
}

fn install_ctrl_c(engine: &Engine) {
    let token = engine.cancel_token().clone();
    let _ = ctrlc::set_handler(move || {
        if token.is_cancelled() {
            eprintln!("\ninterrupted");
            std::process::exit(130);
        }
        token.cancel();
        eprintln!("\ncancelling (press Ctrl-C again to stop at once)");
    });
}

fn execute(command: Command) -> Result<(), EngineError> {
    match command {
        Command::Run {
            script,
            session,
            limits,
            mpi,
        } => {
            if !script.is_file() {
                return Err(EngineError::Usage(format!(
                    "{}: no such script",
                    script.display()
                )));
            }
            let stem = script
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("script")
                .to_string();
            let script_builder = |out: PathBuf| -> Result<EngineBuilder, EngineError> {
                let mut b = session_builder(&session, out)?.limits(limits.limits());
                for arg in &session.set {
                    let (name, value) = parse_set(arg)?;
                    b = b.constant(name, value);
                }
                Ok(b)
            };
            if mpi.mpi {
                return run_under_mpi(
                    &script,
                    out_path(&session, &stem),
                    mpi.mpi_timeout,
                    script_builder,
                );
            }
            let engine = script_builder(out_path(&session, &stem))?.build()?;
            install_ctrl_c(&engine);
            run_script_and_report(&engine, &script)
        }
        Command::Check { scripts } => {
            let engine = Engine::builder().build()?;
            for script in &scripts {
                if !script.is_file() {
                    return Err(EngineError::Usage(format!(
                        "{}: no such script",
                        script.display()
                    )));
                }
                engine.check_script(script)?;
                outln!("{}: ok", script.display());
            }
            Ok(())
        }
        Command::List { plugins } => {
            let engine = builder(&plugins).build()?;
            for plugin in engine.plugins() {
                outln!(
                    "{} {} ({})",
                    plugin.info.name,
                    plugin.info.version,
                    plugin.source
                );
                for a in plugin.info.algorithms.iter() {
                    outln!("  {:24} {}", a.id.as_str(), a.summary.as_str());
                }
            }
            Ok(())
        }
        Command::Describe { id, plugins } => {
            let engine = builder(&plugins).build()?;
            emit(&engine.describe(&id)?);
            Ok(())
        }
        Command::Solve {
            id,
            params,
            session,
        } => {
            let mut map = match &params {
                Some(path) => match boundlab_engine::files::read_value(path)? {
                    Value::Map(m) => m,
                    other => {
                        return Err(EngineError::Usage(format!(
                            "{}: expected a map of parameters, found {}",
                            path.display(),
                            other.describe()
                        )));
                    }
                },
                None => ValueMap::new(),
            };
            for arg in &session.set {
                let (name, value) = parse_set(arg)?;
                map.insert(name, value);
            }
            let engine = session_builder(&session, out_path(&session, "solve"))?.build()?;
            install_ctrl_c(&engine);
            let result = engine.run(&id, Value::Map(map))?;
            outln!("{}", to_ron(&result));
            Ok(())
        }
        Command::CheckPlugin { path } => {
            let plugin = boundlab_engine::load_plugin_file(&path)?;
            let info = &plugin.info;
            outln!("plugin:      {} {}", info.name, info.version);
            outln!("file:        {}", path.display());
            outln!(
                "sdk:         boundlab-sdk {} (ABI version {})",
                info.sdk_version,
                info.abi_version
            );
            outln!(
                "engine:      boundlab-sdk {} (ABI version {})",
                boundlab_sdk_version(),
                boundlab_sdk::ABI_VERSION
            );
            outln!("algorithms:");
            for a in info.algorithms.iter() {
                outln!(
                    "  {:24} {} ({} parameters)",
                    a.id.as_str(),
                    a.summary.as_str(),
                    a.params.len()
                );
            }
            outln!("compatible:  yes");
            Ok(())
        }
        Command::Rerun {
            records,
            index,
            out,
            plugins,
        } => rerun(
            &records,
            index,
            out_or_default(out.as_ref(), "rerun"),
            &plugins,
        ),
    }
}

fn run_script_and_report(engine: &Engine, script: &Path) -> Result<(), EngineError> {
    let outcome = engine.run_script(script);
    if engine.records_path().exists() {
        eprintln!("records: {}", engine.records_path().display());
    }
    outcome.map(|_| ())
}

#[cfg(not(feature = "mpi"))]
fn run_under_mpi(
    _script: &Path,
    _out: PathBuf,
    _timeout: f64,
    _builder: impl Fn(PathBuf) -> Result<EngineBuilder, EngineError>,
) -> Result<(), EngineError> {
    Err(EngineError::Usage(
        "this boundlab was built without MPI support; build it with \
         `cargo build --release -p boundlab-cli --features mpi`"
            .into(),
    ))
}

/// Rank 0 runs the script with batches sent to the other ranks; every other rank serves jobs.
#[cfg(feature = "mpi")]
fn run_under_mpi(
    script: &Path,
    out: PathBuf,
    timeout: f64,
    builder: impl Fn(PathBuf) -> Result<EngineBuilder, EngineError>,
) -> Result<(), EngineError> {
    use boundlab_engine::cluster;
    use mpi::Threading;
    let (universe, threading) =
        mpi::initialize_with_threading(Threading::Multiple).ok_or_else(|| {
            EngineError::Usage("MPI could not be initialised (is this run under mpirun?)".into())
        })?;
    let heartbeat = threading == Threading::Multiple;
    let rank = cluster::rank();
    let out = cluster::share_out_dir((rank == 0).then_some(out.as_path()));
    let outcome = if rank == 0 {
        if !heartbeat {
            tracing::warn!(
                "the MPI library does not allow MPI_THREAD_MULTIPLE: dead worker ranks cannot be detected"
            );
        }
        let timeout = if heartbeat { timeout } else { f64::MAX };
        let pool = std::sync::Arc::new(cluster::MpiPool::new(std::time::Duration::from_secs_f64(
            timeout.max(1.0),
        )));
        let mut b = builder(out)?;
        if pool.live_workers() > 0 {
            b = b.batcher(pool.clone());
        } else {
            tracing::warn!("only one MPI rank: batches run on this rank's threads");
        }
        let engine = b.build();
        let outcome = engine.and_then(|engine| {
            install_ctrl_c(&engine);
            run_script_and_report(&engine, script)
        });
        pool.shutdown();
        outcome
    } else {
        let engine = builder(out)?
            .progress(boundlab_engine::progress::ProgressMode::Silent)
            .build()?;
        install_ctrl_c(&engine);
        cluster::serve(&|id, params| engine.run_unwritten(id, params), heartbeat);
        Ok(())
    };
    drop(universe);
    outcome
}

fn boundlab_sdk_version() -> &'static str {
    // The engine is built in the same workspace as the sdk, with the same version number.
    env!("CARGO_PKG_VERSION")
}

fn to_ron(value: &Value) -> String {
    ron::ser::to_string_pretty(value, ron::ser::PrettyConfig::default())
        .unwrap_or_else(|e| format!("<{e}>"))
}

/// Reruns record `index` of `path`, writing the new record to `out_dir` (never to the file
/// it reads: a rerun is a new run, and the original log stays as it was).
fn rerun(
    path: &Path,
    index: usize,
    out_dir: PathBuf,
    plugins: &PluginArgs,
) -> Result<(), EngineError> {
    let records = read_records(path)?;
    let record = records.iter().find(|r| r.index == index).ok_or_else(|| {
        EngineError::Usage(format!(
            "{}: there is no record {index} (the file holds {} records)",
            path.display(),
            records.len()
        ))
    })?;
    if let Some(param) = record.params.find_callable() {
        return Err(EngineError::Usage(format!(
            "record {index} passes a script function (parameter `{param}`); rerun the script that made it instead"
        )));
    }
    let engine = builder(plugins).out_dir(out_dir).build()?;
    install_ctrl_c(&engine);
    if let Some(plugin) = engine
        .plugins()
        .into_iter()
        .find(|p| p.info.name.as_str() == record.plugin)
        && plugin.info.version.as_str() != record.plugin_version
    {
        eprintln!(
            "warning: record {index} was made with {} {}, this run uses {}",
            record.plugin, record.plugin_version, plugin.info.version
        );
    }
    let result = engine.run(&record.id, record.params.clone())?;
    outln!("{}", to_ron(&result));
    // Compare in the recorded form: a RON round trip turns vectors into lists of floats.
    let now = ron::to_string(&result.summarized())
        .ok()
        .and_then(|text| ron::from_str::<Value>(&text).ok())
        .unwrap_or_default();
    let differing = differing_keys(&record.summary, &now);
    if differing.is_empty() {
        eprintln!("reproduced: the result matches record {index}");
    } else {
        eprintln!(
            "the result differs from record {index} in: {}",
            differing.join(", ")
        );
    }
    Ok(())
}

/// Top-level keys whose values differ, ignoring timings.
fn differing_keys(recorded: &Value, now: &Value) -> Vec<String> {
    match (recorded, now) {
        (Value::Map(a), Value::Map(b)) => {
            let mut keys: Vec<String> = a.keys().chain(b.keys()).map(String::from).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .filter(|k| !(k.contains("seconds") || k.contains("time")))
                .filter(|k| a.get(k) != b.get(k))
                .collect()
        }
        (a, b) if a == b => Vec::new(),
        _ => vec!["(the whole result)".to_string()],
    }
}
