//! The `alsketch` plugin as a loadable library: `cargo build --release -p boundlab-plugin-alsketch`, then
//! `boundlab run SCRIPT --plugin target/release/libboundlab_plugin_alsketch.so`. The `boundlab` binary
//! links the same plugin statically; this crate only adds the loader symbols.

boundlab_sdk::export_plugin_library!(boundlab_alsketch::plugin_module);
