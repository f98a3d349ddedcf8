//! The search's error type: what went wrong and, for a bad setting, which one.

use std::fmt;

/// Why a search could not start or did not finish.
#[derive(Clone, Debug, PartialEq)]
pub enum GameError {
    /// A setting is out of range or inconsistent; `name` is the setting (`dim`, `degree`,
    /// `ranges`, `resume`, ...), as the caller's parameter of that name.
    BadSetting { name: String, message: String },
    /// The caller asked the search to stop.
    Cancelled,
    /// The caller's services broke their contract (a batch with the wrong number of results).
    Internal(String),
}

impl GameError {
    pub fn bad_setting(name: &str, message: impl Into<String>) -> Self {
        GameError::BadSetting {
            name: name.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for GameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GameError::BadSetting { name, message } => write!(f, "`{name}`: {message}"),
            GameError::Cancelled => f.write_str("the search was cancelled"),
            GameError::Internal(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for GameError {}

pub type GameResult<T> = Result<T, GameError>;
