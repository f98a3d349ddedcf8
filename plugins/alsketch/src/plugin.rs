//! The boundlab plugin layer: algorithm ids, parameter schemas, and conversion to [`Value`].

use boundlab_sdk::prelude::*;

/// The `alsketch` plugin.
pub struct AlsketchPlugin;

impl Plugin for AlsketchPlugin {
    const NAME: &'static str = "alsketch";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    fn algorithms() -> Vec<AlgorithmSpec> {
        Vec::new()
    }
}

boundlab_sdk::export_plugin!(AlsketchPlugin);
