//! The plugins linked into the `boundlab` binary: the four first-party families and the
//! plugin template (the third-party example the quickstart calls). A plugin loaded from a file
//! with the same name replaces the linked-in one.

use boundlab_sdk::PluginModule_Ref;

/// The root modules of the linked-in plugins, in a fixed order.
pub fn modules() -> [PluginModule_Ref; 5] {
    [
        boundlab_plugin_template::plugin_module(),
        boundlab_sdp::plugin_module(),
        boundlab_alsketch::plugin_module(),
        boundlab_surrogate::plugin_module(),
        boundlab_mecb::plugin_module(),
    ]
}
