//! Rhai scripting: the sandboxed script engine and the functions scripts call.
//!
//! | function | what it does |
//! |---|---|
//! | `run(id)`, `run(id, params)`, `run(id, params, input)` | runs an algorithm, returns its result map |
//! | `run_batch(id, [params, ...])` | runs in parallel; results in order, a failed job gives `#{ error, error_kind }` |
//! | `algorithms()`, `describe(id)` | the loaded algorithm ids; one algorithm's schema |
//! | `save(value, path)`, `load(path)` | RON or JSON by extension, inside the output folder |
//! | `plot(spec, path)` | an SVG chart (see [`plot`]) |
//! | `matrix(rows)`, `zeros(r, c)`, `eye(n)`, `sparse(r, c, triplets)` | matrices (see [`matrix`]) |
//! | `rng(seed)` | a seeded generator: `uniform()`, `normal()`, `int(lo, hi)`, `shuffle(a)` |
//! | `grad(f, x)`, `jacobian(c, x)`, `hessian(f, x)` | exact derivatives of a closure at `x` (see [`autodiff`]) |
//! | `out_dir()` | the output folder |

pub mod autodiff;
pub mod convert;
mod jet;
pub mod matrix;
pub mod plot;
mod random;
mod sandbox;

use std::path::Path;

use boundlab_sdk::{SparseMatrix, Value, ValueMap};
use rhai::{Array, Dynamic, EvalAltResult, INT, Map, NativeCallContext, Position, Scope};

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::EngineError;
use crate::executor::Executor;
use crate::host::AlgorithmCall;
use convert::{ScriptFunctions, number, to_dynamic, to_value};

/// What a script session is given besides the executor: its limits and constants.
#[derive(Clone)]
pub(crate) struct ScriptSettings {
    pub limits: Limits,
    /// Constants in the script's scope (the CLI's `--set NAME=VALUE`).
    pub constants: Vec<(String, Value)>,
}

/// Explicit limits of the script sandbox (each settable from the command line).
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Script operations before the script is stopped (runaway loops); 0 for no limit. The
    /// default, 2·10⁸, is about 10 s of plain script work (2·10⁷ operations per second measured
    /// on a spinning loop here); the shipped scripts use at most 3.5·10⁶. Script closures a
    /// plugin calls (an `alsketch.solve` problem) count too.
    pub max_operations: u64,
    /// Nested function calls.
    pub max_call_depth: usize,
    /// Bytes in one string.
    pub max_string_size: usize,
    /// Elements in one array.
    pub max_array_size: usize,
    /// Entries in one map.
    pub max_map_size: usize,
    /// Nesting depth of expressions.
    pub max_expr_depth: usize,
    /// Modules a script may import.
    pub max_modules: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_operations: 200_000_000,
            max_call_depth: 64,
            max_string_size: 16 << 20,
            max_array_size: 50_000_000,
            max_map_size: 1_000_000,
            max_expr_depth: 128,
            max_modules: 64,
        }
    }
}

pub(crate) fn script_error(message: impl Into<String>) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(
        Dynamic::from(message.into()),
        Position::NONE,
    ))
}

type Fallible<T> = Result<T, Box<EvalAltResult>>;

/// Builds a Rhai engine with the limits, the sandbox and the boundlab functions; `operations`
/// follows the number of operations the script has used (for the log line at its end).
fn build(
    executor: &Arc<Executor>,
    settings: &ScriptSettings,
    script_dir: &Path,
    operations: Arc<AtomicU64>,
) -> rhai::Engine {
    let limits = &settings.limits;
    let mut rhai = rhai::Engine::new();
    rhai.set_max_operations(limits.max_operations)
        .set_max_call_levels(limits.max_call_depth)
        .set_max_string_size(limits.max_string_size)
        .set_max_array_size(limits.max_array_size)
        .set_max_map_size(limits.max_map_size)
        .set_max_expr_depths(limits.max_expr_depth, limits.max_expr_depth)
        .set_max_modules(limits.max_modules)
        .set_module_resolver(sandbox::ConfinedResolver::new(script_dir));
    rhai.disable_symbol("eval");
    // A script's `print` goes to stdout; if nobody reads it any more (a closed pipe) the
    // experiment still runs to the end and records its results.
    rhai.on_print(|text| {
        use std::io::Write;
        let _ = writeln!(std::io::stdout().lock(), "{text}");
    });
    rhai.on_debug(|text, source, pos| match source {
        Some(source) => eprintln!("{source}:{}: {text}", pos.line().unwrap_or(0)),
        None => eprintln!("debug: {text}"),
    });
    let cancel = executor.cancel.clone();
    rhai.on_progress(move |count| {
        operations.store(count, Ordering::Relaxed);
        cancel.is_cancelled().then(|| Dynamic::from("cancelled"))
    });
    matrix::register(&mut rhai);
    random::register(&mut rhai);
    autodiff::register(&mut rhai);
    register_sparse(&mut rhai);
    register_engine_functions(&mut rhai, executor);
    rhai
}

fn register_sparse(rhai: &mut rhai::Engine) {
    rhai.register_type_with_name::<SparseMatrix>("SparseMatrix");
    rhai.register_fn(
        "sparse",
        |rows: INT, cols: INT, triplets: Array| -> Fallible<SparseMatrix> {
            let size = |n: INT, name: &str| {
                usize::try_from(n).map_err(|_| {
                    script_error(format!("sparse: `{name}` must be non-negative, got {n}"))
                })
            };
            let (r, c) = (size(rows, "rows")?, size(cols, "cols")?);
            let mut entries = Vec::with_capacity(triplets.len());
            for (k, t) in triplets.iter().enumerate() {
                let bad = || {
                    script_error(format!(
                        "sparse: triplet {k} must be [row, col, value] with integer row and col"
                    ))
                };
                let t = t.read_lock::<Array>().ok_or_else(bad)?;
                if t.len() != 3 {
                    return Err(bad());
                }
                let i = t[0]
                    .as_int()
                    .ok()
                    .and_then(|i| usize::try_from(i).ok())
                    .ok_or_else(bad)?;
                let j = t[1]
                    .as_int()
                    .ok()
                    .and_then(|j| usize::try_from(j).ok())
                    .ok_or_else(bad)?;
                let v = number(&t[2]).ok_or_else(bad)?;
                entries.push((i, j, v));
            }
            SparseMatrix::from_triplets(r, c, &entries)
                .map_err(|e| script_error(format!("sparse: {e}")))
        },
    );
    rhai.register_get("rows", |m: &mut SparseMatrix| m.rows as INT);
    rhai.register_get("cols", |m: &mut SparseMatrix| m.cols as INT);
    rhai.register_get("nnz", |m: &mut SparseMatrix| m.nnz() as INT);
    rhai.register_fn("*", |m: SparseMatrix, x: Array| -> Fallible<Array> {
        let x = convert::floats(&x, "sparse * vector")?;
        if x.len() != m.cols as usize {
            return Err(script_error(format!(
                "sparse * vector: the matrix has {} columns, the vector {} entries",
                m.cols,
                x.len()
            )));
        }
        Ok(m.mul_vec(&x).into_iter().map(Dynamic::from_float).collect())
    });
    rhai.register_fn("to_string", |m: &mut SparseMatrix| {
        format!("SparseMatrix {}x{} ({} entries)", m.rows, m.cols, m.nnz())
    });
    rhai.register_fn("to_debug", |m: &mut SparseMatrix| {
        format!("SparseMatrix {}x{} ({} entries)", m.rows, m.cols, m.nnz())
    });
}

fn engine_error(e: EngineError) -> Box<EvalAltResult> {
    let cancelled = |k: boundlab_sdk::ErrorKind| k == boundlab_sdk::ErrorKind::Cancelled;
    match e {
        EngineError::Algorithm { error, .. } if cancelled(error.kind) => Box::new(
            EvalAltResult::ErrorTerminated(Dynamic::from("cancelled"), Position::NONE),
        ),
        EngineError::Cancelled => Box::new(EvalAltResult::ErrorTerminated(
            Dynamic::from("cancelled"),
            Position::NONE,
        )),
        other => script_error(other.to_string()),
    }
}

/// One job's outcome as a script sees it in `run_batch`'s list: the result, or
/// `#{ error: message, error_kind: kind }` for a job that failed (the others still ran).
fn batch_entry(result: Result<Value, EngineError>) -> Value {
    match result.map_err(EngineError::into_plugin_error) {
        Ok(v) => v,
        Err(e) => Value::Map(
            ValueMap::new()
                .with("error", e.message.as_str())
                .with("error_kind", e.kind.name()),
        ),
    }
}

fn param_map(x: Dynamic, functions: &ScriptFunctions<'_>, what: &str) -> Fallible<Value> {
    if !x.is_map() && !x.is_unit() {
        return Err(script_error(format!(
            "{what} must be a map like #{{ name: value }}, got {}",
            x.type_name()
        )));
    }
    to_value(x, Some(functions)).map_err(|e| script_error(format!("{what}: cannot pass {e}")))
}

fn run_one(
    engine: &Executor,
    ctx: &NativeCallContext,
    id: &str,
    params: Dynamic,
    input: Dynamic,
) -> Fallible<Dynamic> {
    let functions = ScriptFunctions::new(ctx);
    let params = param_map(params, &functions, "the parameters")?;
    let input = to_value(input, Some(&functions))
        .map_err(|e| script_error(format!("the input: cannot pass {e}")))?;
    let result = engine
        .run_algorithm(AlgorithmCall {
            id,
            params,
            input,
            functions: Some(&functions),
            depth: 0,
            record: true,
            show_progress: true,
        })
        .map_err(engine_error)?;
    Ok(to_dynamic(result, Some(&functions)))
}

fn register_engine_functions(rhai: &mut rhai::Engine, engine: &Arc<Executor>) {
    let e = engine.clone();
    rhai.register_fn("run", move |ctx: NativeCallContext, id: &str| {
        run_one(&e, &ctx, id, Dynamic::UNIT, Dynamic::UNIT)
    });
    let e = engine.clone();
    rhai.register_fn(
        "run",
        move |ctx: NativeCallContext, id: &str, params: Dynamic| {
            run_one(&e, &ctx, id, params, Dynamic::UNIT)
        },
    );
    let e = engine.clone();
    rhai.register_fn(
        "run",
        move |ctx: NativeCallContext, id: &str, params: Dynamic, input: Dynamic| {
            run_one(&e, &ctx, id, params, input)
        },
    );

    let e = engine.clone();
    rhai.register_fn(
        "run_batch",
        move |ctx: NativeCallContext, id: &str, jobs: Array| -> Fallible<Array> {
            let functions = ScriptFunctions::new(&ctx);
            let params: Fallible<Vec<Value>> = jobs
                .into_iter()
                .enumerate()
                .map(|(i, p)| param_map(p, &functions, &format!("batch job {i}")))
                .collect();
            let results = e.run_batch_with(id, params?, Some(&functions), 0, true);
            if e.cancel.is_cancelled() {
                return Err(engine_error(EngineError::Cancelled));
            }
            Ok(results
                .into_iter()
                .enumerate()
                .map(|(i, r)| {
                    if let Err(err) = &r {
                        tracing::warn!("batch job {i} failed: {err}");
                    }
                    to_dynamic(batch_entry(r), Some(&functions))
                })
                .collect())
        },
    );

    let e = engine.clone();
    rhai.register_fn("algorithms", move || -> Array {
        e.registry()
            .algorithms()
            .map(|(_, a)| Dynamic::from(a.id.to_string()))
            .collect()
    });
    let e = engine.clone();
    rhai.register_fn("describe", move |id: &str| -> Fallible<Dynamic> {
        Ok(to_dynamic(
            e.registry().describe_value(id).map_err(engine_error)?,
            None,
        ))
    });
    let e = engine.clone();
    rhai.register_fn("out_dir", move || e.out_dir.display().to_string());

    let e = engine.clone();
    rhai.register_fn(
        "save",
        move |value: Dynamic, path: &str| -> Fallible<String> {
            let file = crate::files::confined_path(&e.out_dir, path).map_err(engine_error)?;
            let value = to_value(value, None)
                .map_err(|m| script_error(format!("save: cannot store {m}")))?;
            crate::files::write_value_atomic(&file, &value).map_err(engine_error)?;
            Ok(file.display().to_string())
        },
    );
    let e = engine.clone();
    rhai.register_fn("load", move |path: &str| -> Fallible<Dynamic> {
        let file = crate::files::confined_path(&e.out_dir, path).map_err(engine_error)?;
        Ok(to_dynamic(
            crate::files::read_value(&file).map_err(engine_error)?,
            None,
        ))
    });
    let e = engine.clone();
    rhai.register_fn("plot", move |spec: Map, path: &str| -> Fallible<String> {
        let file = crate::files::confined_path(&e.out_dir, path).map_err(engine_error)?;
        if file.extension().and_then(|x| x.to_str()) != Some("svg") {
            return Err(script_error(format!("plot: {path:?} must end in .svg")));
        }
        let spec = to_value(Dynamic::from_map(spec), None)
            .map_err(|m| script_error(format!("plot spec: cannot use {m}")))?;
        let spec = plot::parse_spec(spec).map_err(script_error)?;
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir).map_err(|err| engine_error(EngineError::io(dir, err)))?;
        }
        plot::draw_svg(&spec, &file).map_err(|m| script_error(format!("plot: {m}")))?;
        Ok(file.display().to_string())
    });
}

/// Runs the script file at `path`.
pub(crate) fn run_file(
    executor: &Arc<Executor>,
    settings: &ScriptSettings,
    path: &Path,
) -> Result<Value, EngineError> {
    let source = std::fs::read_to_string(path).map_err(|e| EngineError::io(path, e))?;
    run_source(
        executor,
        settings,
        &source,
        &path.display().to_string(),
        script_dir(path),
    )
}

/// The folder imports resolve in: the script's own.
fn script_dir(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Checks the script file at `path` for syntax errors without running it.
pub(crate) fn check_file(
    executor: &Arc<Executor>,
    settings: &ScriptSettings,
    path: &Path,
) -> Result<(), EngineError> {
    let source = std::fs::read_to_string(path).map_err(|e| EngineError::io(path, e))?;
    let rhai = build(executor, settings, script_dir(path), Arc::default());
    compile(&rhai, &source, &path.display().to_string()).map(|_| ())
}

fn compile(rhai: &rhai::Engine, source: &str, name: &str) -> Result<rhai::AST, EngineError> {
    rhai.compile(source).map_err(|e| EngineError::Script {
        file: name.to_string(),
        line: e.position().line(),
        column: e.position().position(),
        message: format!("syntax error: {}", e.err_type()),
    })
}

/// Runs script `source` named `name` (for messages); imports resolve inside `dir`.
pub(crate) fn run_source(
    executor: &Arc<Executor>,
    settings: &ScriptSettings,
    source: &str,
    name: &str,
    dir: &Path,
) -> Result<Value, EngineError> {
    let operations = Arc::new(AtomicU64::new(0));
    let rhai = build(executor, settings, dir, operations.clone());
    let ast = compile(&rhai, source, name)?;
    let mut scope = Scope::new();
    for (constant, value) in &settings.constants {
        scope.push_constant_dynamic(constant.clone(), to_dynamic(value.clone(), None));
    }
    let result = rhai.eval_ast_with_scope::<Dynamic>(&mut scope, &ast);
    tracing::debug!(
        "{name}: {} script operations (limit {})",
        operations.load(Ordering::Relaxed),
        settings.limits.max_operations
    );
    let result = result.map_err(|e| script_failure(name, *e, &settings.limits))?;
    to_value(result, None).map_err(|m| EngineError::Script {
        file: name.to_string(),
        line: None,
        column: None,
        message: format!("the script's final value is {m}"),
    })
}

fn script_failure(name: &str, mut error: EvalAltResult, limits: &Limits) -> EngineError {
    if matches!(error, EvalAltResult::ErrorTerminated(..)) {
        return EngineError::Cancelled;
    }
    let position = error.position();
    error.clear_position();
    let message = match &error {
        EvalAltResult::ErrorTooManyOperations(_) => format!(
            "the script exceeded its operation limit of {} (about {:.0} s of script work); raise it with --max-operations N, 0 for none (Limits::max_operations when embedding)",
            limits.max_operations,
            limits.max_operations as f64 / 2e7
        ),
        EvalAltResult::ErrorRuntime(value, _) => value.to_string(),
        other => other.to_string(),
    };
    EngineError::Script {
        file: name.to_string(),
        line: position.line(),
        column: position.position(),
        message,
    }
}
