//! boundlab plugin `sdp`: Primal-dual interior-point SDP solver, SDPA I/O, sphere-packing bounds and the SDP game.
//!
//! The numerical code lives in ordinary modules with their own tests; [`plugin`] is the thin
//! layer that exposes it through the boundlab sdk.

pub mod blocks;
pub mod bounds;
pub(crate) mod dd;
pub mod dense;
pub mod game;
pub(crate) mod model;
pub mod plugin;
pub mod problem;
pub mod ron_form;
pub mod scalar;
pub(crate) mod schur;
pub mod sdpa;
pub mod solver;
pub mod value_io;

pub use plugin::plugin_module;
