//! The one error type of the surrogate numerics.
//!
//! The numerical modules know nothing of the plugin interface; the plugin layer
//! ([`crate::plugin`]) turns a [`SurrogateError`] into the engine's error kinds.

/// Why a data set, model or optimiser step was refused or failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SurrogateError {
    /// An input is unusable; `parameter` is the name of the plugin parameter it came from
    /// (`dataset`, `x`, `y`, `loss`, `hidden`, …), so that the message can point at it.
    #[error("parameter `{parameter}`: {message}")]
    BadInput {
        parameter: &'static str,
        message: String,
    },
    /// A factorisation or iteration broke down (Gram eigenvalues, the Riccati iteration).
    #[error("{0}")]
    Numerical(String),
    /// A state the code should never reach (a bug, not the caller's input).
    #[error("{0}")]
    Internal(String),
    /// The progress callback returned `ControlFlow::Break` (the host's cancellation).
    #[error("stopped by the caller")]
    Stopped,
}

impl SurrogateError {
    /// [`SurrogateError::BadInput`] for `parameter`.
    pub(crate) fn bad_input(parameter: &'static str, message: impl Into<String>) -> Self {
        SurrogateError::BadInput {
            parameter,
            message: message.into(),
        }
    }
}
