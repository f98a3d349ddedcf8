//! # boundlab-sdp-game
//!
//! The SDP game: model-based search over bound formulations when every evaluation is an SDP
//! solve (after Tutunov et al., "Model-Based and Sample-Efficient AI-Assisted Math Discovery
//! in Sphere Packing", arXiv:2512.04829).
//!
//! A formulation is a point of continuous parameters plus a set of building blocks from a
//! target's vocabulary. Bayesian optimisation ([`gp`], [`acquisition`]) proposes the
//! parameters; Monte Carlo tree search ([`mcts`]) assembles the blocks, scoring partial and
//! complete formulations with a learned [`value_model`] so that rollouts cost no solves.
//! [`search`] runs the loop with checkpoints; [`target`] defines the three games
//! (`cohn_elkies`, `three_point_kissing`, `sphere_packing_3pt`), each turning a formulation
//! into a typed [`target::Job`] for the bound that solves it (in `boundlab-sphere-bounds`).
//!
//! A plain library: how jobs are solved (threads, MPI ranks, another process) is the caller's
//! choice, given to [`search::run_search`] as [`search::SearchIo`]; the `sdp` plugin's
//! `sdp.game` runs them on the engine's batch workers.

pub mod acquisition;
pub mod error;
pub mod gp;
pub mod mcts;
pub mod search;
pub mod target;
pub mod value_model;

pub use error::GameError;
