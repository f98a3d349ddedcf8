//! The boundlab plugin layer: algorithm ids, parameter schemas, and conversion to [`Value`].

use boundlab_sdk::prelude::*;

/// The `sdp` plugin.
pub struct SdpPlugin;

impl Plugin for SdpPlugin {
    const NAME: &'static str = "sdp";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    fn algorithms() -> Vec<AlgorithmSpec> {
        Vec::new()
    }
}

boundlab_sdk::export_plugin!(SdpPlugin);
