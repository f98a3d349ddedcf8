//! The `sdp` plugin as a loadable library: `cargo build --release -p boundlab-plugin-sdp`, then
//! `boundlab run SCRIPT --plugin target/release/libboundlab_plugin_sdp.so`. The `boundlab` binary
//! links the same plugin statically; this crate only adds the loader symbols.

boundlab_sdk::export_plugin_library!(boundlab_sdp::plugin_module);
