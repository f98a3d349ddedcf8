//! boundlab plugin `sdp`: the ABI layer over the SDP solver (`boundlab-sdp-solver`), the
//! sphere-packing and kissing bounds (`boundlab-sphere-bounds`) and the SDP game
//! (`boundlab-sdp-game`).
//!
//! The only code of this family that sees the sdk's `Value`, `HostRef` and `PluginError`:
//! [`plugin`] (`sdp.solve` and the plugin's list of algorithms), [`bounds`] (`sdp.delsarte`,
//! `sdp.three_point`, `sdp.cohn_elkies`), [`game`] (`sdp.game`, `sdp.sphere_packing_3pt`) and
//! [`value_io`] (problems and solutions as values).

pub mod bounds;
pub mod game;
pub mod plugin;
pub mod value_io;

pub use plugin::plugin_module;
