//! The SDP game: model-based search over bound formulations when every evaluation is an SDP
//! solve (after Tutunov et al., "Model-Based and Sample-Efficient AI-Assisted Math Discovery
//! in Sphere Packing", arXiv:2512.04829).
//!
//! A formulation is a point of continuous parameters plus a set of building blocks from a
//! target's vocabulary. Bayesian optimisation ([`gp`], [`acquisition`]) proposes the
//! parameters; Monte Carlo tree search ([`mcts`]) assembles the blocks, scoring partial and
//! complete formulations with a learned [`value_model`] so that rollouts cost no solves.

pub mod acquisition;
pub mod gp;
pub mod mcts;
pub mod value_model;
