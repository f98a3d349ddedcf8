//! [`EngineError`]: every way a call into the engine can fail, with messages that say where.

use std::path::PathBuf;

use boundlab_sdk::PluginError;

/// An error from the engine. The `Display` form is the message a user sees.
#[derive(Debug)]
pub enum EngineError {
    /// No loaded algorithm has this id.
    UnknownAlgorithm {
        id: String,
        suggestions: Vec<String>,
    },
    /// An algorithm (or the plugin around it) returned an error.
    Algorithm { id: String, error: PluginError },
    /// A plugin file could not be loaded.
    Load { path: PathBuf, reason: String },
    /// Two plugins claim the same name.
    DuplicatePlugin {
        name: String,
        first: String,
        second: String,
    },
    /// A file could not be read or written.
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// A file's content is malformed.
    Format { path: PathBuf, reason: String },
    /// A script failed: syntax, runtime error, limit, or an algorithm error raised in it.
    Script {
        file: String,
        line: Option<usize>,
        column: Option<usize>,
        message: String,
    },
    /// The run was cancelled (Ctrl-C).
    Cancelled,
    /// Anything the caller passed that makes no sense (a bad `--set`, a record index).
    Usage(String),
}

impl EngineError {
    pub(crate) fn io(path: impl Into<PathBuf>, error: std::io::Error) -> Self {
        EngineError::Io {
            path: path.into(),
            error,
        }
    }

    pub(crate) fn format(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        EngineError::Format {
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// The error as a plugin sees it (for results that travel back through `Host::call`).
    pub fn into_plugin_error(self) -> PluginError {
        match self {
            EngineError::Algorithm { error, .. } => error,
            EngineError::Cancelled => PluginError::cancelled(),
            EngineError::UnknownAlgorithm { .. } | EngineError::Usage(_) => {
                PluginError::new(boundlab_sdk::ErrorKind::BadParameter, self.to_string())
            }
            other => PluginError::internal(other.to_string()),
        }
    }

    /// True for errors caused by how the engine was invoked rather than by a run.
    pub fn is_usage(&self) -> bool {
        matches!(self, EngineError::Usage(_))
    }
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EngineError::UnknownAlgorithm { id, suggestions } => {
                write!(f, "unknown algorithm `{id}`")?;
                match suggestions.as_slice() {
                    [] => write!(f, " (`boundlab list` shows the loaded algorithms)"),
                    close => {
                        let names: Vec<String> = close.iter().map(|s| format!("`{s}`")).collect();
                        write!(f, "; did you mean {}?", names.join(" or "))
                    }
                }
            }
            EngineError::Algorithm { id, error } => write!(f, "{id}: {error}"),
            EngineError::Load { path, reason } => {
                write!(f, "cannot load plugin {}: {reason}", path.display())
            }
            EngineError::DuplicatePlugin {
                name,
                first,
                second,
            } => write!(
                f,
                "plugin `{name}` is loaded twice: from {first} and from {second}"
            ),
            EngineError::Io { path, error } => write!(f, "{}: {error}", path.display()),
            EngineError::Format { path, reason } => write!(f, "{}: {reason}", path.display()),
            EngineError::Script {
                file,
                line,
                column,
                message,
            } => match (line, column) {
                (Some(l), Some(c)) => write!(f, "{file}:{l}:{c}: {message}"),
                (Some(l), None) => write!(f, "{file}:{l}: {message}"),
                _ => write!(f, "{file}: {message}"),
            },
            EngineError::Cancelled => write!(f, "cancelled"),
            EngineError::Usage(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for EngineError {}
