//! The boundlab plugin layer: algorithm ids, parameter schemas, and conversion to [`Value`].

use boundlab_sdk::prelude::*;

/// The `mecb` plugin.
pub struct MecbPlugin;

impl Plugin for MecbPlugin {
    const NAME: &'static str = "mecb";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    fn algorithms() -> Vec<AlgorithmSpec> {
        Vec::new()
    }
}

boundlab_sdk::export_plugin!(MecbPlugin);
