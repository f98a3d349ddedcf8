//! Loading plugins from shared libraries.
//!
//! Order of checks, each with its own message: the file exists and is a shared library; it
//! exports the sdk's ABI version symbol (else it is not a boundlab plugin); the version equals
//! ours (else both numbers are named); abi_stable's layout check of the root module passes.
//! Libraries are never unloaded (abi_stable plugins cannot be safely unloaded).

use std::path::{Path, PathBuf};

use abi_stable::library::{LibraryError, lib_header_from_path};
use boundlab_sdk::ABI_VERSION;
use boundlab_sdk::abi::{ABI_VERSION_SYMBOL, PluginModule_Ref};

use crate::error::EngineError;
use crate::registry::{LoadedPlugin, PluginSource};

/// The environment variable with extra plugin folders (`:`-separated, `;` on Windows).
pub const PLUGIN_PATH_VAR: &str = "BOUNDLAB_PLUGIN_PATH";

/// Loads the plugin in the shared library at `path`.
pub fn load_plugin_file(path: &Path) -> Result<LoadedPlugin, EngineError> {
    let fail = |reason: String| EngineError::Load {
        path: path.to_path_buf(),
        reason,
    };
    if !path.is_file() {
        return Err(fail("no such file".into()));
    }
    let plugin_abi = read_abi_version(path).map_err(fail)?;
    if plugin_abi != ABI_VERSION {
        return Err(fail(format!(
            "it was built against boundlab-sdk ABI version {plugin_abi}, but this engine uses ABI \
             version {ABI_VERSION}; rebuild the plugin against the engine's boundlab-sdk"
        )));
    }
    let module = lib_header_from_path(path)
        .and_then(|header| header.init_root_module::<PluginModule_Ref>())
        .map_err(|e| fail(describe_library_error(&e)))?;
    let source = PluginSource::File(path.to_path_buf());
    let plugin = LoadedPlugin::from_module(module, source)?;
    if plugin.info.abi_version != ABI_VERSION {
        return Err(fail(format!(
            "its root module reports ABI version {}, the engine uses {ABI_VERSION}",
            plugin.info.abi_version
        )));
    }
    Ok(plugin)
}

fn read_abi_version(path: &Path) -> Result<u32, String> {
    // SAFETY: opening a library runs its initialisers; loading a plugin means trusting it.
    let library = unsafe { libloading::Library::new(path) }
        .map_err(|e| format!("not a loadable shared library ({e})"))?;
    // SAFETY: the symbol, when present, is the `u32` static defined by `export_plugin_library!`.
    unsafe {
        let symbol = library.get::<*const u32>(ABI_VERSION_SYMBOL).map_err(|_| {
            "not a boundlab plugin: it does not export `boundlab_sdk_abi_version` (was it built \
                 as a `cdylib` with `boundlab_sdk::export_plugin!`?)"
                .to_string()
        })?;
        Ok(std::ptr::read(*symbol))
    }
}

fn describe_library_error(error: &LibraryError) -> String {
    match error {
        LibraryError::AbiInstability(_) => format!(
            "its types do not match this engine's boundlab-sdk layout although both claim ABI \
             version {ABI_VERSION}:\n{error}"
        ),
        LibraryError::IncompatibleVersionNumber { .. } => {
            format!("it was built against an incompatible boundlab-sdk version: {error}")
        }
        other => other.to_string(),
    }
}

/// Folders searched for plugins when none is named: `$BOUNDLAB_PLUGIN_PATH`, then a `plugins`
/// folder next to the executable.
pub fn default_plugin_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os(PLUGIN_PATH_VAR)
        .map(|v| {
            std::env::split_paths(&v)
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default();
    if let Some(exe_dir) = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
    {
        dirs.push(exe_dir.join("plugins"));
    }
    dirs
}

/// The shared libraries in `dir` (not recursive), sorted by name for a reproducible order.
pub fn plugin_files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && is_shared_library(p))
        .collect();
    files.sort();
    files
}

fn is_shared_library(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("so") | Some("dylib") | Some("dll")
    )
}
