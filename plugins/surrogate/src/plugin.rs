//! The boundlab plugin layer: algorithm ids, parameter schemas, and conversion to [`Value`].

use boundlab_sdk::prelude::*;

/// The `surrogate` plugin.
pub struct SurrogatePlugin;

impl Plugin for SurrogatePlugin {
    const NAME: &'static str = "surrogate";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    fn algorithms() -> Vec<AlgorithmSpec> {
        Vec::new()
    }
}

boundlab_sdk::export_plugin!(SurrogatePlugin);
