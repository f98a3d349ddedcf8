//! boundlab plugin `alsketch`: Exact augmented Lagrangian with randomized iterative sketching (AdaSketch-Newton).
//!
//! The numerical code lives in ordinary modules with their own tests; [`plugin`] is the thin
//! layer that exposes it through the boundlab sdk.

pub mod plugin;

pub use plugin::plugin_module;
