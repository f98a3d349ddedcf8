//! The first-party plugins linked into this build (cargo features `bundled-*`).

use boundlab_sdk::PluginModule_Ref;

/// The root modules of the bundled plugins, in a fixed order.
// Each push sits behind its own cargo feature, so neither `vec![]` nor a non-mut binding fits.
#[allow(unused_mut, clippy::vec_init_then_push)]
pub fn modules() -> Vec<PluginModule_Ref> {
    let mut modules = Vec::new();
    #[cfg(feature = "bundled-template")]
    modules.push(boundlab_plugin_template::plugin_module());
    #[cfg(feature = "bundled-sdp")]
    modules.push(boundlab_sdp::plugin_module());
    #[cfg(feature = "bundled-alsketch")]
    modules.push(boundlab_alsketch::plugin_module());
    #[cfg(feature = "bundled-surrogate")]
    modules.push(boundlab_surrogate::plugin_module());
    #[cfg(feature = "bundled-mecb")]
    modules.push(boundlab_mecb::plugin_module());
    modules
}
