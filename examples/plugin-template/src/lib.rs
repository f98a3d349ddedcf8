//! placeholder
use boundlab_sdk::prelude::*;
pub struct TemplatePlugin;
impl Plugin for TemplatePlugin {
    const NAME: &'static str = "template";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    fn algorithms() -> Vec<AlgorithmSpec> { Vec::new() }
}
boundlab_sdk::export_plugin!(TemplatePlugin);
