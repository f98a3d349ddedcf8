//! boundlab plugin `mecb`: Minimum-entropy coupling, EBIM, MEC-B and the Markov coding game.
//!
//! The numerical code lives in ordinary modules with their own tests; [`plugin`] is the thin
//! layer that exposes it through the boundlab sdk.
//!
//! - [`dist`]: checking distributions, entropies.
//! - [`coupling`]: greedy (Kocaoglu) and sorted couplings of k marginals, sparse output.
//! - [`bounds`]: lower bounds on the minimum coupling entropy (majorisation, profile,
//!   majorize-profile).
//! - [`exact`]: the exact minimum-entropy coupling of two small marginals.
//! - [`ebim`]: entropy-bounded information maximisation (the MEC-B encoder).
//! - [`mecb`]: minimum-entropy coupling with a bottleneck, end to end.
//! - [`gridworld`] and [`coding_game`]: the Markov coding game with a rate limit.

pub mod bounds;
pub mod coding_game;
pub mod coupling;
pub mod dist;
pub mod ebim;
pub mod exact;
pub mod gridworld;
pub mod mecb;
pub mod plugin;

pub use plugin::plugin_module;
