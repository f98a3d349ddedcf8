//! # boundlab-sdp-solver
//!
//! A primal-dual interior-point solver for semidefinite programs in the SDPA form, generic
//! over the scalar ([`scalar::Real`]: `f64` and faer's double-double `fx128`), with SDPA and
//! RON input and output. A plain Rust library: it knows nothing of the plugin ABI, so it can be
//! used and tested on its own; the `sdp` plugin is a thin layer on top.
//!
//! - algebra: [`scalar`] (the scalar trait), `dd` (double-double kernels), [`mp`] (the
//!   multiprecision scalar `Mp<L>`, 128 to 4096 bits), [`dense`]
//!   (Cholesky, products, step lengths), [`blocks`] (block-diagonal matrices);
//! - the problem: [`problem`] (SDPA convention, sparse and low-rank constraint matrices);
//! - the method: [`solver`] (HKM predictor-corrector, infeasibility certificates), with the private `model` (constraint data per block) and `schur` (the
//!   Schur complement);
//! - the arithmetic chosen at run time: [`precision`] (`f64 → dd → mp` escalation, problems
//!   built in the working precision through [`precision::Formulation`]);
//! - I/O: [`sdpa`] (the sparse SDPA format) and [`ron_form`].
//!
//! ```
//! use boundlab_sdp_solver::sdpa::read_sdpa;
//! use boundlab_sdp_solver::solver::{SdpOptions, SdpStatus, solve};
//!
//! // max tr(C X) with one 2x2 block: minimise x1 s.t. [[x1, 1], [1, x1]] >= 0 → x1 = 1.
//! let text = "1\n1\n2\n1.0\n0 1 1 2 -1.0\n1 1 1 1 1.0\n1 1 2 2 1.0\n";
//! let problem = read_sdpa::<f64>(text).unwrap();
//! let solution = solve(&problem, &SdpOptions::default()).unwrap();
//! assert_eq!(solution.status, SdpStatus::Optimal);
//! assert!((solution.primal_objective - 1.0).abs() < 1e-6);
//! ```

pub mod blocks;
pub(crate) mod dd;
pub mod dense;
pub(crate) mod model;
pub mod mp;
pub mod precision;
pub mod problem;
pub mod ron_form;
pub mod scalar;
pub(crate) mod schur;
pub mod sdpa;
pub mod solver;
