//! boundlab plugin `surrogate`: Target-based surrogates for stochastic optimisation (SSO) and baselines.
//!
//! The numerical code lives in ordinary modules with their own tests; [`plugin`] is the thin
//! layer that exposes it through the boundlab sdk.

pub mod plugin;

pub use plugin::plugin_module;
