//! The plugins linked into boundlab's front ends (the `boundlab` binary, the Python package):
//! the four first-party families and the plugin template (the third-party example the
//! quickstart calls). A plugin loaded from a file with the same name replaces the linked-in one.

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

#[cfg(test)]
mod tests {
    use boundlab_engine::script::convert::is_bare_map_key;

    /// Every first-party parameter can be written bare in a script map (issue 18: `export`, a
    /// Rhai keyword, had to be quoted). Old names kept for one release are exempt.
    #[test]
    fn no_linked_in_parameter_is_a_rhai_keyword() {
        for module in super::modules() {
            let info = module.info()().into_result().unwrap();
            for algorithm in info.algorithms.iter() {
                for param in algorithm.params.iter() {
                    assert!(
                        is_bare_map_key(&param.name),
                        "`{}`: parameter `{}` must be quoted in scripts",
                        algorithm.id,
                        param.name
                    );
                }
            }
        }
    }
}
