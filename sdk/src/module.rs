//! The plugin's root module and the algorithm objects it creates.
//!
//! A plugin author implements [`Plugin`] (a name, a version, a list of [`AlgorithmSpec`]s) and
//! calls [`export_plugin!`](crate::export_plugin). Everything that crosses the boundary is built
//! here by generic code, and every entry point catches panics, so authors never write
//! `extern "C"` functions or unsafe code.

#![allow(non_camel_case_types)] // `PluginModule_Ref` follows abi_stable's naming convention

use std::panic::{catch_unwind, AssertUnwindSafe};

use abi_stable::library::RootModule;
use abi_stable::sabi_types::VersionStrings;
use abi_stable::std_types::{RBox, ROption, RResult, RStr, RString, RVec};
use abi_stable::{sabi_trait, StableAbi};

use crate::error::{PluginError, PluginResult};
use crate::host::HostRef;
use crate::value::{Value, ValueKind};

/// Version of the binary contract. Bump it on any change to a type that crosses the boundary;
/// the engine refuses plugins built with another number and says both numbers.
///
/// 2: `CallTarget::Derivatives`, `ParamInfo::renamed_from`.
/// 3: `Host::batch` (was the pseudo-algorithm `engine.batch`).
pub const ABI_VERSION: u32 = 3;

/// One parameter of an algorithm, as shown by `describe` and checked by the engine.
#[repr(C)]
#[derive(StableAbi, Clone, Debug, PartialEq)]
pub struct ParamInfo {
    /// The name callers use.
    pub name: RString,
    /// The kind the engine checks before the plugin sees the value.
    pub kind: ValueKind,
    /// The value used when the caller omits the parameter.
    pub default: ROption<Value>,
    /// A required parameter has no default and must be given.
    pub required: bool,
    /// What `describe` shows.
    pub doc: RString,
    /// Earlier names, still accepted with a deprecation warning (see [`Self::renamed_from`]).
    pub old_names: RVec<RString>,
}

impl ParamInfo {
    /// A parameter the caller must give.
    pub fn required(name: &str, kind: ValueKind, doc: &str) -> Self {
        Self {
            name: name.into(),
            kind,
            default: ROption::RNone,
            required: true,
            doc: doc.into(),
            old_names: RVec::new(),
        }
    }

    /// The parameter used to be called `old`: a caller who still writes `old` gets the value
    /// here and a warning, for one release, instead of an unknown-parameter error.
    pub fn renamed_from(mut self, old: &str) -> Self {
        self.old_names.push(old.into());
        self
    }

    /// A parameter without a default, required or not (what `#[derive(Params)]` emits).
    pub fn declared(name: &str, kind: ValueKind, required: bool, doc: &str) -> Self {
        Self {
            required,
            ..Self::required(name, kind, doc)
        }
    }

    /// A parameter that may be absent (the algorithm decides what absence means).
    pub fn optional(name: &str, kind: ValueKind, doc: &str) -> Self {
        Self {
            required: false,
            ..Self::required(name, kind, doc)
        }
    }

    /// A parameter with a default value; `kind` says what else is accepted.
    pub fn with_default(name: &str, kind: ValueKind, default: impl Into<Value>, doc: &str) -> Self {
        Self {
            default: ROption::RSome(default.into()),
            required: false,
            ..Self::required(name, kind, doc)
        }
    }
}

/// What `describe(id)` shows about an algorithm.
#[repr(C)]
#[derive(StableAbi, Clone, Debug, PartialEq)]
pub struct AlgorithmInfo {
    /// Dotted id, `plugin.algorithm` by convention (`sdp.solve`).
    pub id: RString,
    /// One line on what it computes.
    pub summary: RString,
    /// Its parameters, in the order `describe` shows.
    pub params: RVec<ParamInfo>,
}

/// What a plugin says about itself.
#[repr(C)]
#[derive(StableAbi, Clone, Debug, PartialEq)]
pub struct PluginInfo {
    /// The plugin's name (`sdp`).
    pub name: RString,
    /// Its version.
    pub version: RString,
    /// The version of `boundlab-sdk` the plugin was compiled against.
    pub sdk_version: RString,
    /// The ABI version it was built against (must equal the engine's).
    pub abi_version: u32,
    /// Its algorithms.
    pub algorithms: RVec<AlgorithmInfo>,
}

/// A created algorithm, ready to run.
#[sabi_trait]
pub trait Algorithm: Send {
    #[sabi(last_prefix_field)]
    /// Runs the algorithm once (the ABI form of [`Run::run`]).
    fn run(&mut self, input: Value, host: HostRef<'_>) -> RResult<Value, PluginError>;
}

/// An owned algorithm object that crosses the boundary.
pub type AlgorithmBox = Algorithm_TO<'static, RBox<()>>;

/// The root module every plugin exports.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = PluginModule_Ref)))]
#[sabi(missing_field(panic))]
pub struct PluginModule {
    /// The ABI version the plugin was built against, read before anything else.
    pub abi_version: u32,
    /// The plugin's description: name, versions, algorithms.
    pub info: extern "C" fn() -> RResult<PluginInfo, PluginError>,
    /// Creates algorithm `id` from its parameters (already checked against the schema and
    /// completed with defaults by the engine).
    #[sabi(last_prefix_field)]
    pub create: extern "C" fn(id: RStr<'_>, params: Value) -> RResult<AlgorithmBox, PluginError>,
}

impl RootModule for PluginModule_Ref {
    abi_stable::declare_root_module_statics! {PluginModule_Ref}
    const BASE_NAME: &'static str = "boundlab_plugin";
    const NAME: &'static str = "boundlab_plugin";
    const VERSION_STRINGS: VersionStrings = abi_stable::package_version_strings!();
}

/// The plugin author's side of an algorithm: ordinary Rust, no ABI types but [`Value`].
///
/// The algorithm was created from its parameters (checked against the schema, defaults filled
/// in, recorded in `records.ron`). `run` then receives:
/// - `input`: data for this one run that is not a parameter, `()` unless the caller passes
///   some — the third argument of `run(id, params, input)` in a script, or of
///   [`HostExt::call_algorithm`](crate::HostExt::call_algorithm) from another plugin. It is
///   neither checked against the schema nor recorded, so a run that depends on it cannot be
///   repeated with `boundlab rerun`; put what defines the experiment in the parameters and use
///   `input` for what flows between algorithms (a warm start, an intermediate result).
/// - `host`: the engine's services: progress, cancellation, logging, script functions, nested
///   runs and batches, checkpoints.
///
/// It returns the result, usually a [`Value::Map`] (see [`to_value`](crate::to_value)), or a
/// [`PluginError`] whose kind says what went wrong.
pub trait Run: Send + 'static {
    /// Runs the algorithm on `input`, with `host` for progress, cancellation and callbacks.
    fn run(&mut self, input: Value, host: &HostRef<'_>) -> PluginResult<Value>;
}

impl<F> Run for F
where
    F: FnMut(Value, &HostRef<'_>) -> PluginResult<Value> + Send + 'static,
{
    fn run(&mut self, input: Value, host: &HostRef<'_>) -> PluginResult<Value> {
        self(input, host)
    }
}

/// Creates an algorithm from its (checked, defaults-filled) parameter map.
pub type CreateFn = fn(params: Value) -> PluginResult<Box<dyn Run>>;

/// An algorithm's description and constructor.
pub struct AlgorithmSpec {
    /// Its id, summary and parameter schema.
    pub info: AlgorithmInfo,
    /// Builds the algorithm from its (checked, completed) parameters.
    pub create: CreateFn,
}

impl AlgorithmSpec {
    /// An algorithm with no parameters yet; add them with [`AlgorithmSpec::params`].
    pub fn new(id: &str, summary: &str, create: CreateFn) -> Self {
        Self {
            info: AlgorithmInfo {
                id: id.into(),
                summary: summary.into(),
                params: RVec::new(),
            },
            create,
        }
    }

    /// Adds a parameter to the schema.
    pub fn param(mut self, param: ParamInfo) -> Self {
        self.info.params.push(param);
        self
    }

    /// Appends the schema of a `#[derive(Params)]` struct: its fields, in order.
    pub fn params<P: crate::Params>(mut self) -> Self {
        self.info.params.extend(P::schema());
        self
    }
}

/// Implemented by a plugin crate; see [`export_plugin!`](crate::export_plugin).
pub trait Plugin: 'static {
    /// The plugin's name: the prefix of its algorithm ids.
    const NAME: &'static str;
    /// Its version (usually `env!("CARGO_PKG_VERSION")`).
    const VERSION: &'static str;
    /// Its algorithms.
    fn algorithms() -> Vec<AlgorithmSpec>;
}

/// Builds the root module of plugin `P`; every entry point catches panics.
pub fn module_for<P: Plugin>() -> PluginModule_Ref {
    use abi_stable::prefix_type::PrefixTypeTrait;
    PluginModule {
        abi_version: ABI_VERSION,
        info: info_entry::<P>,
        create: create_entry::<P>,
    }
    .leak_into_prefix()
}

extern "C" fn info_entry<P: Plugin>() -> RResult<PluginInfo, PluginError> {
    guard("listing algorithms", || {
        Ok(PluginInfo {
            name: P::NAME.into(),
            version: P::VERSION.into(),
            sdk_version: env!("CARGO_PKG_VERSION").into(),
            abi_version: ABI_VERSION,
            algorithms: P::algorithms().into_iter().map(|a| a.info).collect(),
        })
    })
    .into()
}

extern "C" fn create_entry<P: Plugin>(
    id: RStr<'_>,
    params: Value,
) -> RResult<AlgorithmBox, PluginError> {
    guard("creating the algorithm", || {
        let create = create_fn::<P>(id.as_str()).ok_or_else(|| {
            PluginError::bad_parameter(
                "id",
                format!("plugin `{}` has no algorithm `{id}`", P::NAME),
            )
        })?;
        let algorithm = create(params)?;
        Ok(Algorithm_TO::from_value(
            Guarded(algorithm),
            sabi_trait::TD_Opaque,
        ))
    })
    .into()
}

/// The constructor of algorithm `id` of plugin `P`. The table of each plugin is built once:
/// `P::algorithms()` builds every schema, which costs more than a small run.
fn create_fn<P: Plugin>(id: &str) -> Option<CreateFn> {
    use std::any::TypeId;
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    type Table = Arc<HashMap<String, CreateFn>>;
    static TABLES: OnceLock<Mutex<HashMap<TypeId, Table>>> = OnceLock::new();
    let table = {
        let mut tables = TABLES
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        tables
            .entry(TypeId::of::<P>())
            .or_insert_with(|| {
                Arc::new(
                    P::algorithms()
                        .into_iter()
                        .map(|a| (a.info.id.to_string(), a.create))
                        .collect(),
                )
            })
            .clone()
    };
    table.get(id).copied()
}

/// Wraps an author's algorithm so that a panic in `run` becomes an `Internal` error.
struct Guarded(Box<dyn Run>);

impl Algorithm for Guarded {
    fn run(&mut self, input: Value, host: HostRef<'_>) -> RResult<Value, PluginError> {
        let inner = &mut self.0;
        guard("running the algorithm", || inner.run(input, &host)).into()
    }
}

/// Runs `f`, turning a panic into `PluginError::internal` with the panic message.
pub fn guard<T>(step: &str, f: impl FnOnce() -> PluginResult<T>) -> PluginResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => Err(PluginError::internal(format!(
            "the plugin panicked while {step}: {}",
            panic_message(payload.as_ref())
        ))),
    }
}

/// The message of a panic payload (`&str` or `String`), or a placeholder.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(a panic payload that is not a string)".to_string()
    }
}

/// Exports a [`Plugin`] implementation from a plugin crate: what a third-party plugin calls.
///
/// Defines `pub fn plugin_module() -> PluginModule_Ref` (for linking the plugin statically, e.g.
/// in its own tests or an application) and the loader symbols the engine looks for when it
/// loads the crate's `cdylib` from a file. It is [`declare_plugin!`](crate::declare_plugin!) followed by
/// [`export_plugin_library!`](crate::export_plugin_library!)`(plugin_module)`.
///
/// The loader symbols have fixed names, so two crates that call this macro cannot be linked
/// into one program. Plugins meant to be linked together (the first-party ones in the
/// `boundlab` binary) call [`declare_plugin!`](crate::declare_plugin!) in their library and
/// [`export_plugin_library!`](crate::export_plugin_library!) in a small `cdylib` crate of their own.
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty) => {
        $crate::declare_plugin!($plugin);
        $crate::export_plugin_library!(plugin_module);
    };
}

/// Defines `pub fn plugin_module() -> PluginModule_Ref` for a [`Plugin`] implementation,
/// without loader symbols: the form for plugins that are linked statically, alone or together.
#[macro_export]
macro_rules! declare_plugin {
    ($plugin:ty) => {
        /// This plugin's root module, for static registration with an engine.
        pub fn plugin_module() -> $crate::abi::PluginModule_Ref {
            static MODULE: ::std::sync::OnceLock<$crate::abi::PluginModule_Ref> =
                ::std::sync::OnceLock::new();
            *MODULE.get_or_init($crate::abi::module_for::<$plugin>)
        }
    };
}

/// Exports the loader symbols of a shared library whose plugin is `$module()` (a function
/// `fn() -> PluginModule_Ref`, usually a plugin crate's `plugin_module`). Call it once, in the
/// crate built as the `cdylib`.
#[macro_export]
macro_rules! export_plugin_library {
    ($module:path) => {
        #[doc(hidden)]
        #[unsafe(export_name = "_1as_0lib_1header_0root_bmodule_bloader")]
        pub static BOUNDLAB_PLUGIN_LIB_HEADER: $crate::abi::abi_stable::library::LibHeader = {
            extern "C" fn load_root_module() -> $crate::abi::abi_stable::library::RootModuleResult {
                $crate::abi::abi_stable::library::__call_root_module_loader($module)
            }
            unsafe {
                $crate::abi::abi_stable::library::LibHeader::from_constructor::<
                    $crate::abi::PluginModule_Ref,
                >(
                    load_root_module,
                    $crate::abi::abi_stable::library::CheckTypeLayout::Yes,
                )
            }
        };

        /// Read by the engine before any layout check, so a mismatch names both versions.
        #[doc(hidden)]
        #[unsafe(export_name = "boundlab_sdk_abi_version")]
        pub static BOUNDLAB_SDK_ABI_VERSION: u32 = $crate::ABI_VERSION;
    };
}

/// The symbol under which the ABI version is exported (see [`export_plugin_library!`](crate::export_plugin_library!)).
pub const ABI_VERSION_SYMBOL: &[u8] = b"boundlab_sdk_abi_version\0";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exported_header_name_matches_abi_stable() {
        // The macro hard-codes the name because attributes cannot take computed strings.
        assert_eq!(
            abi_stable::library::ROOT_MODULE_LOADER_NAME,
            "_1as_0lib_1header_0root_bmodule_bloader"
        );
    }

    #[test]
    fn guard_turns_panics_into_internal_errors() {
        let err = guard::<()>("testing", || panic!("boom {}", 7)).unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::Internal);
        assert!(err.message.contains("boom 7"), "{}", err.message);
    }
}
