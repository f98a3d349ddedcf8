//! boundlab plugin `mecb`: Minimum-entropy coupling, EBIM, MEC-B and the Markov coding game.
//!
//! The numerical code lives in ordinary modules with their own tests; [`plugin`] is the thin
//! layer that exposes it through the boundlab sdk.

pub mod plugin;

pub use plugin::plugin_module;
