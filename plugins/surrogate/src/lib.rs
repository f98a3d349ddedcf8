//! boundlab plugin `surrogate`: target-based surrogates for stochastic optimisation (SSO,
//! Lavington, Vaswani, Babanezhad, Schmidt, Le Roux, ICML 2023) and the baselines SGD, SLS and
//! Adam, on supervised data sets (LIBSVM files) and an online imitation-learning task.
//!
//! The numerical code lives in ordinary modules with their own tests and knows nothing of the
//! sdk: it fails with [`error::SurrogateError`] and reports progress through callbacks that
//! return `ControlFlow`. [`plugin`] is the thin layer that exposes it through the boundlab sdk
//! (parameter names, conversion of errors, the host's progress and cancellation).
//!
//! - [`data`]: dense data sets with encoded targets, from arrays or LIBSVM files (read by `boundlab-libsvm`);
//! - [`loss`]: target-space losses (the expensive oracle); [`model`]: linear model and MLP with
//!   hand-written backpropagation (the cheap part);
//! - [`problem`]: objective and work counters; [`armijo`]: backtracking line search;
//! - [`sso`]: SSO / MM; [`optim`]: the optimiser trait, SGD, SLS, Adam;
//! - [`train`]: the outer loop and its trace; [`imitation`]: the control task;
//! - [`error`]: the numerics' one error type.

pub mod armijo;
pub mod data;
pub mod error;
pub mod imitation;
pub mod loss;
pub mod model;
pub mod optim;
pub mod plugin;
pub mod problem;
pub mod sso;
pub mod train;

pub use plugin::plugin_module;
