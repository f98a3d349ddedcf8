//! boundlab plugin `alsketch`: equality-constrained optimisation by the exact augmented
//! Lagrangian and randomized iterative sketching (AdaSketch-Newton; Hong, Na, Mahoney, Kolar,
//! ICML 2023).
//!
//! The numerical code lives in ordinary modules with their own tests; [`plugin`] is the thin
//! layer that exposes it through the boundlab sdk.
//!
//! - [`solver`]: the outer iteration (merit, penalty and accuracy updates, line search).
//! - [`sketch`]: Gaussian, Kaczmarz, block-Gaussian and count-sketch solvers for `K z = b`.
//! - [`kkt`]: assembly of the Newton-KKT matrix (dense or sparse) and a direct reference solve.
//! - [`error`]: the numerics' error type (the plugin layer maps it to the engine's kinds).
//! - [`problem`]: the problem trait; [`hs`], [`logreg`], [`pde`] and [`script`] implement it.
//! - LIBSVM data sets are read by the shared `boundlab-libsvm` crate.

pub mod error;
pub mod hs;
pub mod kkt;
pub mod linalg;
pub mod logreg;
pub mod pde;
pub mod plugin;
pub mod problem;
pub mod script;
pub mod sketch;
pub mod solver;

pub use plugin::plugin_module;
