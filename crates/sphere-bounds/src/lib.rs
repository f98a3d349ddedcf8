//! # boundlab-sphere-bounds
//!
//! Sphere-packing and spherical-code bounds as SDPs for the solver in [`boundlab_sdp_solver::solver`]
//! (a plain library: the `sdp` plugin exposes it as algorithms).
//!
//! - [`delsarte`]: the Delsarte–Goethals–Seidel linear programming bound for spherical codes
//!   (the kissing number at `cos θ = 1/2`), with an exact rational check in [`verify`];
//! - [`three_point`]: the Bachoc–Vallentin three-point SDP bound (Mittelmann–Vallentin's form
//!   and ClusteredLowRankSolver's), with the S₃ symmetry reduction of the trivariate part;
//! - [`cohn_elkies`]: the Cohn–Elkies linear programming bound for sphere packing density,
//!   with an exact check in [`verify_cohn_elkies`];
//! - [`cdls`]: the Cohn–de Laat–Salmon truncated three-point bound for sphere packing density.
//!
//! Each formulation is a builder from a spec struct whose fields are the pieces a search
//! (the SDP game) varies: which basis terms, which `S_k` matrices, degrees, sum-of-squares
//! multipliers, sample scaling. The default spec is the full formulation. The shared
//! polynomial machinery is in [`poly`] (bases, sample points, Fekete selection) and [`sos`]
//! (weighted sums of squares as sampled rank-one constraints).

pub mod cdls;
pub mod cohn_elkies;
pub mod delsarte;
pub mod poly;
pub mod sos;
pub mod three_point;
pub mod verify;
pub mod verify_cohn_elkies;

use boundlab_sdp_solver::problem::SdpProblem;
use boundlab_sdp_solver::scalar::{Real, to_decimal_digits};
use boundlab_sdp_solver::solver::{SdpSolution, SdpStatus};

/// A spec field with a value the formulation cannot use: which field, and why (the message
/// starts with the field, as in `dim = 1: must be at least 2`).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct SpecError {
    /// The spec field (the parameter of the same name in the `sdp` plugin).
    pub field: &'static str,
    /// What is wrong with it.
    pub message: String,
}

impl SpecError {
    pub(crate) fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// How to solve a bound's SDP: precision (`f64`, `dd`, `mp` with bits, `auto` up to
/// `max_bits`), tolerances, iterations, threads.
pub use boundlab_sdp_solver::precision::SolveSettings;

/// What the solver did, in plain numbers (for results and benchmarks).
#[derive(Clone, Debug, serde::Serialize)]
pub struct SolveReport {
    /// `"optimal"`, `"numerical_error"`, ... (see [`SdpStatus::as_str`]).
    pub status: String,
    pub message: String,
    pub iterations: usize,
    pub seconds: f64,
    pub gap: f64,
    pub primal_infeasibility: f64,
    pub dual_infeasibility: f64,
    /// The arithmetic(s) that ran: `"f64"`, `"dd"`, `"mp512"`, or `"f64+dd+mp256"` for an
    /// escalating solve.
    pub precision: String,
    /// Number of constraints (samples) and PSD/LP block sizes (SDPA convention, LP negative).
    pub constraints: usize,
    pub blocks: Vec<i64>,
}

/// A bound's value as a solve certifies it: a bound only when the solve ended `optimal`.
#[derive(Clone, Debug, PartialEq)]
pub struct Certified {
    bound: f64,
    /// Every digit the solve guarantees (those its gap and infeasibilities leave, at most the
    /// working precision's); empty unless the solve ended optimal.
    pub decimal: String,
    /// The last iterate's value, whatever the status: not a bound unless optimal.
    pub last_iterate: f64,
}

impl Certified {
    pub fn new<T: Real>(value: T, report: &SolveReport, status: SdpStatus) -> Self {
        let last_iterate = value.to_f64();
        if status != SdpStatus::Optimal || !value.is_finite_value() {
            return Self {
                bound: f64::NAN,
                decimal: String::new(),
                last_iterate,
            };
        }
        let accuracy = report
            .gap
            .max(report.primal_infeasibility)
            .max(report.dual_infeasibility);
        let width = (f64::from(T::BITS) * std::f64::consts::LOG10_2).floor();
        let digits = (-accuracy.log10()).floor().clamp(1.0, width) as usize;
        Self {
            bound: last_iterate,
            decimal: to_decimal_digits(value, digits),
            last_iterate,
        }
    }

    /// The bound when the solve ended optimal, NaN otherwise.
    pub fn bound(&self) -> f64 {
        self.bound
    }
}

/// What the solver reports about a solve of `problem`.
pub fn report<T: Real>(problem: &SdpProblem<T>, sol: &SdpSolution<T>) -> SolveReport {
    SolveReport {
        status: sol.status.as_str().to_string(),
        message: sol.message.clone(),
        iterations: sol.iterations,
        seconds: sol.seconds,
        gap: sol.gap,
        primal_infeasibility: sol.primal_infeasibility,
        dual_infeasibility: sol.dual_infeasibility,
        precision: sol.precision.clone(),
        constraints: problem.num_constraints(),
        blocks: problem.blocks.iter().map(|b| b.sdpa_size()).collect(),
    }
}

/// Builds, solves (in the arithmetic `settings` asks for, escalating for `auto`) and reads a
/// bound: each bound's spec is a [`Formulation`] built in the working precision.
pub use boundlab_sdp_solver::precision::solve_formulation as solve_bound;

/// Whether a solve ended optimal.
pub fn is_optimal<T: Real>(sol: &SdpSolution<T>) -> bool {
    sol.status == SdpStatus::Optimal
}
