//! The SDP game: model-based search over bound formulations when every evaluation is an SDP
//! solve (after Tutunov et al., "Model-Based and Sample-Efficient AI-Assisted Math Discovery
//! in Sphere Packing", arXiv:2512.04829).
//!
//! A formulation is a point of continuous parameters plus a set of building blocks from a
//! target's vocabulary. Bayesian optimisation ([`gp`], [`acquisition`]) proposes the
//! parameters; Monte Carlo tree search ([`mcts`]) assembles the blocks, scoring partial and
//! complete formulations with a learned [`value_model`] so that rollouts cost no solves.
//! [`search`] runs the loop with checkpoints; [`target`] defines the three games
//! (`cohn_elkies`, `three_point_kissing`, `sphere_packing_3pt`); [`cdls`] is the
//! Cohn–de Laat–Salmon three-point bound the last one solves; [`algorithms`] exposes
//! `sdp.game` and `sdp.sphere_packing_3pt`.

pub mod acquisition;
pub mod algorithms;
pub mod cdls;
pub mod gp;
pub mod mcts;
pub mod search;
pub mod target;
pub mod value_model;
