//! The `mecb` plugin as a loadable library: `cargo build --release -p boundlab-plugin-mecb`, then
//! `boundlab run SCRIPT --plugin target/release/libboundlab_plugin_mecb.so`. The `boundlab` binary
//! links the same plugin statically; this crate only adds the loader symbols.

boundlab_sdk::export_plugin_library!(boundlab_mecb::plugin_module);
