//! # boundlab-sphere-bounds
//!
//! Sphere-packing and spherical-code bounds as SDPs for the solver in [`boundlab_sdp_solver::solver`]
//! (a plain library: the `sdp` plugin exposes it as algorithms).
//!
//! - [`delsarte`]: the Delsarte–Goethals–Seidel linear programming bound for spherical codes
//!   (the kissing number at `cos θ = 1/2`), with an exact rational check in [`verify`];
//! - [`three_point`]: the Bachoc–Vallentin three-point SDP bound (Mittelmann–Vallentin's form
//!   and ClusteredLowRankSolver's), with the S₃ symmetry reduction of the trivariate part;
//! - [`cohn_elkies`]: the Cohn–Elkies linear programming bound for sphere packing density;
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

use boundlab_sdp_solver::problem::SdpProblem;
use boundlab_sdp_solver::scalar::fx128;
use boundlab_sdp_solver::solver::{
    IterationInfo, Precision, SdpOptions, SdpSolution, SdpStatus, solve_in_precision,
};

/// How to solve a bound's SDP.
#[derive(Clone, Debug)]
pub struct SolveSettings {
    pub precision: Precision,
    /// Relative gap and infeasibilities to stop at.
    pub tol: f64,
    pub max_iter: usize,
    /// Threads for the dense kernels (1: sequential).
    pub threads: usize,
}

impl Default for SolveSettings {
    fn default() -> Self {
        Self {
            precision: Precision::Auto,
            tol: 1e-8,
            max_iter: 200,
            threads: 1,
        }
    }
}

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
    /// `"f64"`, `"dd"` or `"f64+dd"`.
    pub precision: String,
    /// Number of constraints (samples) and PSD/LP block sizes (SDPA convention, LP negative).
    pub constraints: usize,
    pub blocks: Vec<i64>,
}

/// Solves a bound's SDP; `monitor` sees every iteration and returns `false` to cancel.
pub fn solve_sdp(
    problem: &SdpProblem<fx128>,
    settings: &SolveSettings,
    monitor: &mut dyn FnMut(&IterationInfo) -> bool,
) -> Result<(SdpSolution<fx128>, SolveReport), String> {
    if !(settings.tol > 0.0 && settings.tol < 1.0) {
        return Err(format!("tol = {} must lie in (0, 1)", settings.tol));
    }
    let options = SdpOptions {
        tol: settings.tol,
        infeasibility_tol: settings.tol,
        max_iter: settings.max_iter,
        threads: settings.threads,
        ..SdpOptions::default()
    };
    let sol = solve_in_precision(problem, settings.precision, &options, monitor)
        .map_err(|e| e.to_string())?;
    let report = SolveReport {
        status: sol.status.as_str().to_string(),
        message: sol.message.clone(),
        iterations: sol.iterations,
        seconds: sol.seconds,
        gap: sol.gap,
        primal_infeasibility: sol.primal_infeasibility,
        dual_infeasibility: sol.dual_infeasibility,
        precision: sol.precision.to_string(),
        constraints: problem.num_constraints(),
        blocks: problem.blocks.iter().map(|b| b.sdpa_size()).collect(),
    };
    Ok((sol, report))
}

/// Whether a solve ended optimal.
pub fn is_optimal(sol: &SdpSolution<fx128>) -> bool {
    sol.status == SdpStatus::Optimal
}
