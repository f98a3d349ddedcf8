//! [`PluginError`]: what an algorithm returns when it cannot produce a result.

use abi_stable::std_types::RString;
use abi_stable::StableAbi;

/// What went wrong, for the caller to branch on.
#[repr(u8)]
#[derive(StableAbi, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A parameter is missing, of the wrong type, or out of range.
    BadParameter,
    /// The numerics broke down (a factorisation failed, accuracy was lost).
    NumericalFailure,
    /// The problem has no feasible point.
    Infeasible,
    /// The host asked the algorithm to stop.
    Cancelled,
    /// A bug or a panic inside the plugin, or a host service that failed.
    Internal,
}

impl ErrorKind {
    /// The name shown in messages (`bad parameter`, `numerical`, ...).
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::BadParameter => "bad parameter",
            ErrorKind::NumericalFailure => "numerical failure",
            ErrorKind::Infeasible => "infeasible",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Internal => "internal error",
        }
    }

    /// The kind whose [`name`](Self::name) is `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            ErrorKind::BadParameter,
            ErrorKind::NumericalFailure,
            ErrorKind::Infeasible,
            ErrorKind::Cancelled,
            ErrorKind::Internal,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }
}

/// An error with a kind and a message that names the parameter or the step that failed.
#[repr(C)]
#[derive(StableAbi, Clone, Debug, PartialEq)]
pub struct PluginError {
    /// What went wrong, by kind (the engine maps each to its own error and exit code).
    pub kind: ErrorKind,
    /// The message, naming the parameter or the condition that failed.
    pub message: RString,
}

impl PluginError {
    /// An error of any kind.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into().into(),
        }
    }

    /// A bad parameter: `parameter `name`: what was wrong`.
    pub fn bad_parameter(name: &str, message: impl std::fmt::Display) -> Self {
        Self::new(
            ErrorKind::BadParameter,
            format!("parameter `{name}`: {message}"),
        )
    }

    /// The numerics failed (breakdown, no convergence, loss of accuracy).
    pub fn numerical(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NumericalFailure, message)
    }

    /// The problem has no solution (a certified infeasibility).
    pub fn infeasible(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Infeasible, message)
    }

    /// The run stopped because cancellation was requested.
    pub fn cancelled() -> Self {
        Self::new(ErrorKind::Cancelled, "cancelled")
    }

    /// A bug or an unexpected state in the plugin or the host.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    /// Prefixes the message with context (`"reading file x: "` + message), keeping the kind.
    pub fn context(mut self, context: impl std::fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message).into();
        self
    }
}

/// `kind: message`, said once: when the message begins with the words the kind's name ends
/// with, they merge (`bad parameter` + `parameter `tol`: ...` reads
/// `bad parameter `tol`: ...`; `cancelled` + `cancelled` reads `cancelled`).
impl std::fmt::Display for PluginError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = self.kind.name();
        let message = self.message.as_str();
        let words: Vec<(usize, &str)> = kind
            .match_indices(' ')
            .map(|(i, _)| (i + 1, &kind[i + 1..]))
            .collect();
        let overlap = std::iter::once((0, kind)).chain(words).find(|(_, tail)| {
            message
                .strip_prefix(tail)
                .is_some_and(|rest| rest.chars().next().is_none_or(|c| !c.is_alphanumeric()))
        });
        match overlap {
            Some((start, _)) => write!(f, "{}{message}", &kind[..start]),
            None if message.is_empty() => f.write_str(kind),
            None => write!(f, "{kind}: {message}"),
        }
    }
}

impl std::error::Error for PluginError {}

/// The result type of every plugin entry point.
pub type PluginResult<T> = Result<T, PluginError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_says_the_kind_once() {
        let bad = PluginError::bad_parameter("tol", "2 must lie in (0, 1)");
        assert_eq!(bad.to_string(), "bad parameter `tol`: 2 must lie in (0, 1)");
        assert_eq!(PluginError::cancelled().to_string(), "cancelled");
        assert_eq!(
            PluginError::numerical("Cholesky failed").to_string(),
            "numerical failure: Cholesky failed"
        );
        assert_eq!(
            PluginError::numerical("numerical failure in step 3").to_string(),
            "numerical failure in step 3"
        );
        // A word that only begins like the kind does not merge.
        assert_eq!(
            PluginError::new(ErrorKind::BadParameter, "parameters are empty").to_string(),
            "bad parameter: parameters are empty"
        );
        assert_eq!(PluginError::infeasible("").to_string(), "infeasible");
    }
}
