//! The error type of alsketch's numerics.
//!
//! The solver, the sketches and the library problems report failures as [`Error`]; only the
//! plugin layer turns them into the engine's error kinds. A problem's own callbacks (a script
//! closure that raises, say) pass their error through [`Error::Callback`] unchanged.

/// Why a sketch solve or a run was stopped from outside the numerics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// `max_time` was reached.
    TimeLimit,
    /// The caller asked to stop (the monitor returned `Break`).
    Cancelled,
}

/// A failure of alsketch's numerics.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input is wrong; `parameter` names the one to fix (`problem`, `grid`, `beta`, ...).
    #[error("parameter `{parameter}`: {message}")]
    BadInput {
        /// The parameter the caller should change.
        parameter: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// The numerics broke down (a singular system, a non-finite value).
    #[error("{0}")]
    Numerical(String),
    /// The problem has no solution.
    #[error("{0}")]
    Infeasible(String),
    /// A bug: a state the code should never reach.
    #[error("internal error: {0}")]
    Internal(String),
    /// The run was stopped before it finished.
    #[error("{}", match .0 { Stop::TimeLimit => "time limit reached", Stop::Cancelled => "cancelled" })]
    Stopped(Stop),
    /// A problem callback failed; its own error, untouched.
    #[error(transparent)]
    Callback(Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    /// A bad input named by its parameter.
    pub fn bad_input(parameter: &'static str, message: impl std::fmt::Display) -> Self {
        Self::BadInput {
            parameter,
            message: message.to_string(),
        }
    }
}

/// The result type of alsketch's numerics.
pub type Result<T> = std::result::Result<T, Error>;
