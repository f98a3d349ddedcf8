//! AdaSketch-Newton (Hong, Na, Mahoney, Kolar, ICML 2023): Newton-KKT steps solved inexactly by
//! randomized sketching until an adaptive accuracy condition holds, globalised by an Armijo line
//! search on the exact augmented Lagrangian
//!
//! ```text
//! L_{μ,ν}(x, λ) = f + λᵀc + (μ/2)‖c‖² + (ν/2)‖∇ₓL‖²,
//! ∇ L_{μ,ν} = [∇ₓL + μGᵀc + ν∇²ₓL ∇ₓL ;  c + νG∇ₓL].
//! ```
//!
//! One iteration follows the authors' code (`../shared/notes/alsketch.md` §1.3) with these
//! deliberate differences, each documented in the README:
//! - the merit gradient uses the Hessian of the *Lagrangian* (the code uses ∇²f, exact only for
//!   linear constraints);
//! - a rank-deficient Jacobian (λ_min(GGᵀ) tiny, e.g. HS61 at its start) is not an abort: the
//!   (2,2) block becomes −εI and the step is regularised;
//! - the accuracy target ‖r‖ ≤ θδ‖∇L‖/(‖K‖_F Ψ) is floored at `min_rel_residual`·‖∇L‖, since
//!   for large problems it falls below double precision;
//! - when the sketch budget runs out, a direction that is still a descent direction of the merit
//!   is used (counted in `inexact_steps`); otherwise the run stops with status `sketch_limit`;
//! - the superlinear variant sharpens the condition with θ_k = min(θ, ‖∇L_k‖).

use std::ops::ControlFlow;
use std::time::Instant;

use faer::Mat;
use serde::Serialize;

use crate::error::{Error, Result, Stop};
use crate::kkt;
use boundlab_vecops::{dot, norm};

use crate::linalg::{Matrix, sym_eigenvalues};
use crate::problem::{Problem, check_len, check_shape};
use crate::sketch::{SketchKind, Sketcher, SolveState, System};

/// Dense problems with n + m above this use the sparse path under `linalg = "auto"`.
pub const DENSE_LIMIT: usize = 800;

/// Which storage the Newton-KKT system uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinAlg {
    /// Sparse when the problem's Jacobian is sparse or n + m > [`DENSE_LIMIT`], else dense.
    Auto,
    Dense,
    Sparse,
}

/// How the Hessian is modified when the reduced Hessian is not positive definite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HessianShift {
    /// t = ξ_B + ‖∇²L‖_F, as in the authors' code.
    Frobenius,
    /// The smallest shift giving λ_min(Zᵀ(∇²L + tI)Z) = ξ_B (dense path; the sparse path has no
    /// eigenvalues and falls back to the Frobenius shift).
    Minimal,
}

/// Algorithm parameters; defaults are the authors' (`Param.jl`) except where noted.
#[derive(Clone, Debug)]
pub struct Options {
    pub sketch: SketchKind,
    /// Columns q of the block sketches.
    pub block_size: usize,
    /// Stop when ‖(∇ₓL, c)‖₂ ≤ tol (the authors use 1e-4; we default to 1e-8).
    pub tol: f64,
    pub max_iter: usize,
    /// Sketch steps allowed per Newton system (the authors: 1e5 on CUTEst, 1e6 elsewhere).
    pub max_sketch_iter: u64,
    pub seed: u64,
    pub superlinear: bool,
    /// Initial μ (weight of ‖c‖²).
    pub mu0: f64,
    /// Initial ν (weight of ‖∇ₓL‖²).
    pub nu0: f64,
    /// Initial accuracy δ.
    pub delta0: f64,
    /// Floor of δ (the code's "numerical issue" guard).
    pub delta_min: f64,
    /// Armijo constant β (< 1/2).
    pub beta: f64,
    /// Penalty update factor ρ: μ ← ρ²μ, ν ← ν/ρ, δ ← δ/ρ⁴.
    pub rho: f64,
    /// Hessian-modification constant ξ_B.
    pub xi_b: f64,
    /// Accuracy constant θ (θ_k in the superlinear variant never exceeds it).
    pub theta: f64,
    /// The accuracy target is never below this multiple of ‖∇L‖.
    pub min_rel_residual: f64,
    /// λ_min(GGᵀ) ≤ licq_tol · max(1, ‖G‖_F²) counts as a rank-deficient Jacobian.
    pub licq_tol: f64,
    /// ε of the regularised (2,2) block −εI used for rank-deficient Jacobians.
    pub jacobian_regularization: f64,
    pub hessian_shift: HessianShift,
    pub linalg: LinAlg,
    /// Record a per-iteration trace.
    pub trace: bool,
    /// Wall-clock limit in seconds (0: none); checked between iterations and during sketching.
    pub max_time: f64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            sketch: SketchKind::Gaussian,
            block_size: 16,
            tol: 1e-8,
            max_iter: 1000,
            max_sketch_iter: 100_000,
            seed: 2023,
            superlinear: false,
            mu0: 1.0,
            nu0: 0.1,
            delta0: 0.1,
            delta_min: 1e-6,
            beta: 0.1,
            rho: 1.5,
            xi_b: 0.1,
            theta: 1.0,
            min_rel_residual: 1e-13,
            licq_tol: 1e-10,
            jacobian_regularization: 1.0,
            hessian_shift: HessianShift::Frobenius,
            linalg: LinAlg::Auto,
            trace: false,
            max_time: 0.0,
        }
    }
}

impl Options {
    /// Checks ranges; errors name the parameter.
    pub fn validate(&self) -> Result<()> {
        let positive = |name: &'static str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(Error::bad_input(
                    name,
                    format!("must be a positive number, got {v}"),
                ))
            }
        };
        positive("tol", self.tol)?;
        positive("mu0", self.mu0)?;
        positive("nu0", self.nu0)?;
        positive("delta0", self.delta0)?;
        positive("delta_min", self.delta_min)?;
        positive("xi_b", self.xi_b)?;
        positive("theta", self.theta)?;
        positive("licq_tol", self.licq_tol)?;
        positive("jacobian_regularization", self.jacobian_regularization)?;
        if !(self.beta > 0.0 && self.beta < 0.5) {
            return Err(Error::bad_input(
                "beta",
                format!("must lie in (0, 1/2), got {}", self.beta),
            ));
        }
        if !(self.rho > 1.0 && self.rho.is_finite()) {
            return Err(Error::bad_input(
                "rho",
                format!("must be greater than 1, got {}", self.rho),
            ));
        }
        if !(self.min_rel_residual >= 0.0 && self.min_rel_residual < 1.0) {
            return Err(Error::bad_input(
                "min_rel_residual",
                format!("must lie in [0, 1), got {}", self.min_rel_residual),
            ));
        }
        if !(self.max_time >= 0.0 && self.max_time.is_finite()) {
            return Err(Error::bad_input(
                "max_time",
                format!(
                    "must be a non-negative number of seconds, got {}",
                    self.max_time
                ),
            ));
        }
        if self.max_sketch_iter == 0 {
            return Err(Error::bad_input("max_sketch_iter", "must be at least 1"));
        }
        if self.block_size == 0 {
            return Err(Error::bad_input("block_size", "must be at least 1"));
        }
        Ok(())
    }
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// ‖(∇ₓL, c)‖ ≤ tol.
    Converged,
    MaxIter,
    /// The Armijo search found no acceptable step.
    LineSearchFailed,
    /// The sketch budget ran out and the inexact direction was not a descent direction.
    SketchLimit,
    /// `max_time` was reached.
    TimeLimit,
}

/// Counts of problem callbacks.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Evaluations {
    pub f: u64,
    pub grad: u64,
    pub c: u64,
    pub jac: u64,
    pub hess: u64,
}

/// Per-iteration records (entry 0 is the start point).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Trace {
    pub iteration: Vec<f64>,
    pub kkt: Vec<f64>,
    pub f: Vec<f64>,
    pub constraint_violation: Vec<f64>,
    /// The step size taken to reach this iterate.
    pub alpha: Vec<f64>,
    pub mu: Vec<f64>,
    pub nu: Vec<f64>,
    pub delta: Vec<f64>,
    /// Sketch steps spent on the Newton system that produced this iterate.
    pub sketch_iterations: Vec<f64>,
    /// Relative residual ‖Kz − b‖/‖b‖ of that system's accepted solution.
    pub relative_residual: Vec<f64>,
    /// Cumulative counted flops.
    pub flops: Vec<f64>,
    /// Hessian shift t used for that system (0 when none).
    pub hessian_shift: Vec<f64>,
    /// Wall time since the start, in seconds.
    pub time: Vec<f64>,
}

/// The result of a run.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    pub status: Status,
    pub x: Vec<f64>,
    pub lambda: Vec<f64>,
    pub f: f64,
    /// ‖(∇f + Gᵀλ, c)‖₂ at (x, λ).
    pub kkt: f64,
    /// ‖c(x)‖₂.
    pub constraint_violation: f64,
    pub iterations: usize,
    /// Sketch steps over all Newton systems.
    pub sketch_iterations: u64,
    /// Counted flops of the sketch solves and the merit-gradient products.
    pub flops: u64,
    pub evaluations: Evaluations,
    pub line_search_steps: u64,
    pub hessian_modifications: u64,
    pub regularized_steps: u64,
    /// Steps taken with a direction that missed the accuracy target (sketch budget exhausted).
    pub inexact_steps: u64,
    pub mu: f64,
    pub nu: f64,
    /// "dense" or "sparse".
    pub linalg: &'static str,
    /// Wall time in seconds.
    pub time: f64,
    pub trace: Option<Trace>,
}

/// Hooks into the caller: progress, cancellation and warnings. `Break` from either callback
/// stops the run with [`Error::Stopped`]`(`[`Stop::Cancelled`]`)`.
pub trait Monitor {
    /// Called once per outer iteration `k` with the current KKT residual.
    fn iteration(&mut self, k: usize, max_iter: usize, kkt: f64) -> ControlFlow<()>;
    /// Called every few thousand sketch steps, so that a long sketch solve can be stopped.
    fn poll(&mut self) -> ControlFlow<()>;
    /// A condition the caller should know about (a rank-deficient Jacobian, a retried solve).
    fn warn(&mut self, message: &str);
}

/// A monitor that does nothing (tests, benchmarks).
pub struct Silent;

impl Monitor for Silent {
    fn iteration(&mut self, _: usize, _: usize, _: f64) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
    fn poll(&mut self) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
    fn warn(&mut self, _: &str) {}
}

/// A problem with counted callbacks and checked shapes.
struct Counted<'p> {
    p: &'p mut dyn Problem,
    n: usize,
    m: usize,
    evals: Evaluations,
}

/// Everything known at one primal-dual point.
struct Point {
    x: Vec<f64>,
    lambda: Vec<f64>,
    f: f64,
    c: Vec<f64>,
    jac: Matrix,
    /// ∇ₓL = ∇f + Gᵀλ.
    grad_l: Vec<f64>,
}

impl Point {
    fn kkt(&self) -> f64 {
        (dot(&self.grad_l, &self.grad_l) + dot(&self.c, &self.c)).sqrt()
    }

    fn merit(&self, mu: f64, nu: f64) -> f64 {
        self.f
            + dot(&self.lambda, &self.c)
            + 0.5 * mu * dot(&self.c, &self.c)
            + 0.5 * nu * dot(&self.grad_l, &self.grad_l)
    }

    fn is_finite(&self) -> bool {
        self.f.is_finite()
            && self.c.iter().all(|v| v.is_finite())
            && self.grad_l.iter().all(|v| v.is_finite())
    }
}

impl Counted<'_> {
    fn point(&mut self, x: Vec<f64>, lambda: Vec<f64>) -> Result<Point> {
        self.evals.f += 1;
        let f = self.p.objective(&x)?;
        self.evals.grad += 1;
        let g = self.p.gradient(&x)?;
        check_len("the gradient", g.len(), self.n)?;
        self.evals.c += 1;
        let c = self.p.constraints(&x)?;
        check_len("the constraints", c.len(), self.m)?;
        self.evals.jac += 1;
        let jac = self.p.jacobian(&x)?;
        check_shape("the Jacobian", &jac, self.m, self.n)?;
        let mut grad_l = vec![0.0; self.n];
        jac.tmul_vec(&lambda, &mut grad_l);
        for (a, b) in grad_l.iter_mut().zip(&g) {
            *a += b;
        }
        Ok(Point {
            x,
            lambda,
            f,
            c,
            jac,
            grad_l,
        })
    }

    fn hessian(&mut self, pt: &Point) -> Result<Matrix> {
        self.evals.hess += 1;
        let h = self.p.hessian_lagrangian(&pt.x, &pt.lambda)?;
        check_shape("the Hessian of the Lagrangian", &h, self.n, self.n)?;
        if !h.is_finite() {
            return Err(Error::Numerical(format!(
                "the Hessian of the Lagrangian has non-finite entries at iteration point x = {}",
                short(&pt.x)
            )));
        }
        Ok(h)
    }
}

fn short(x: &[f64]) -> String {
    if x.len() <= 6 {
        format!("{x:?}")
    } else {
        format!("[{}, {}, ... ({} entries)]", x[0], x[1], x.len())
    }
}

/// Sum of the diagonal.
fn trace_of(a: &Matrix) -> f64 {
    let mut t = 0.0;
    for j in 0..a.ncols() {
        a.for_each_in_col(j, |i, v| {
            if i == j {
                t += v
            }
        });
    }
    t
}

/// Facts about G and the reduced Hessian that set the shift, the regularisation and Ψ.
struct Curvature {
    /// λ_min(GGᵀ) (dense: exact; sparse: a Lanczos estimate, an upper bound).
    xi_g: f64,
    /// λ_min(ZᵀHZ) when known (dense path), with Z an orthonormal null-space basis of G.
    reduced_min: Option<f64>,
}

/// Dense path: SVD of G for λ_min(GGᵀ) and the null space, then the reduced Hessian.
fn dense_curvature(h: &Matrix, g: &Matrix) -> Result<Curvature> {
    let n = h.ncols();
    let m = g.nrows();
    let hd = h.to_dense();
    if m == 0 {
        let ev = sym_eigenvalues(&hd).map_err(Error::Numerical)?;
        return Ok(Curvature {
            xi_g: 1.0,
            reduced_min: ev.first().copied(),
        });
    }
    let gd = g.to_dense();
    let svd = gd
        .svd()
        .map_err(|e| Error::Numerical(format!("SVD of the Jacobian failed: {e:?}")))?;
    let s = svd.S().column_vector();
    let k = m.min(n);
    let smax = if k > 0 { s[0] } else { 0.0 };
    let smin = if k > 0 { s[k - 1] } else { 0.0 };
    let xi_g = if m <= n { smin * smin } else { 0.0 };
    let rank = (0..k).filter(|&i| s[i] > 1e-12 * smax.max(1.0)).count();
    let reduced_min = if rank < n {
        let v = svd.V();
        let z = v.subcols(rank, n - rank);
        let hz = &hd * z;
        let red: Mat<f64> = z.transpose() * &hz;
        let ev = sym_eigenvalues(&red).map_err(Error::Numerical)?;
        ev.first().copied()
    } else {
        None
    };
    Ok(Curvature { xi_g, reduced_min })
}

/// Sparse path: the smallest Ritz value of GGᵀ after a short Lanczos run (no null space).
fn sparse_curvature(g: &Matrix, flops: &mut u64) -> Curvature {
    let m = g.nrows();
    let n = g.ncols();
    if m == 0 {
        return Curvature {
            xi_g: 1.0,
            reduced_min: None,
        };
    }
    let steps = m.min(30);
    // A fixed, generic start vector.
    let mut q: Vec<f64> = (0..m)
        .map(|i| 1.0 + ((i as f64) * 0.618_033_988_7).fract())
        .collect();
    let qn = norm(&q);
    q.iter_mut().for_each(|v| *v /= qn);
    let mut q_prev = vec![0.0; m];
    let (mut alpha, mut beta) = (Vec::new(), Vec::new());
    let mut tmp = vec![0.0; n];
    let mut w = vec![0.0; m];
    let mut b_prev = 0.0;
    for _ in 0..steps {
        *flops += g.tmul_vec(&q, &mut tmp);
        *flops += g.mul_vec(&tmp, &mut w);
        let a = dot(&w, &q);
        for i in 0..m {
            w[i] -= a * q[i] + b_prev * q_prev[i];
        }
        alpha.push(a);
        let b = norm(&w);
        if b <= 1e-12 * a.abs().max(1.0) {
            break;
        }
        beta.push(b);
        q_prev.copy_from_slice(&q);
        for i in 0..m {
            q[i] = w[i] / b;
        }
        b_prev = b;
    }
    let k = alpha.len();
    let t = Mat::from_fn(k, k, |i, j| {
        if i == j {
            alpha[i]
        } else if i == j + 1 || j == i + 1 {
            beta[i.min(j)]
        } else {
            0.0
        }
    });
    let xi_g = sym_eigenvalues(&t)
        .ok()
        .and_then(|e| e.first().copied())
        .unwrap_or(0.0)
        .max(0.0);
    Curvature {
        xi_g,
        reduced_min: None,
    }
}

/// Runs AdaSketch-Newton on `problem`.
pub fn solve(
    problem: &mut dyn Problem,
    opts: &Options,
    monitor: &mut dyn Monitor,
) -> Result<Outcome> {
    opts.validate()?;
    let start = Instant::now();
    let n = problem.n();
    let m = problem.m();
    if n == 0 {
        return Err(Error::bad_input("problem", "has no variables (n = 0)"));
    }
    let x0 = problem.x0();
    check_len("the start point", x0.len(), n)?;
    let l0 = problem.lambda0();
    check_len("the start multipliers", l0.len(), m)?;
    if let Some(i) = x0.iter().position(|v| !v.is_finite()) {
        return Err(Error::bad_input(
            "problem",
            format!("start point entry {i} is {}", x0[i]),
        ));
    }
    let mut prob = Counted {
        p: problem,
        n,
        m,
        evals: Evaluations::default(),
    };
    let mut pt = prob.point(x0, l0)?;
    let sparse = match opts.linalg {
        LinAlg::Auto => pt.jac.is_sparse() || n + m > DENSE_LIMIT,
        LinAlg::Dense => false,
        LinAlg::Sparse => true,
    };
    if !pt.is_finite() {
        return Err(Error::Numerical(format!(
            "f, c or ∇ₓL is not finite at the start point x0 = {}",
            short(&pt.x)
        )));
    }

    let (mut mu, mut nu, mut delta) = (opts.mu0, opts.nu0, opts.delta0);
    let mut sketcher = Sketcher::new(opts.sketch, opts.block_size, opts.seed);
    let mut flops = 0u64;
    let mut sketch_total = 0u64;
    let (mut ls_steps, mut hess_mods, mut reg_steps, mut inexact) = (0u64, 0u64, 0u64, 0u64);
    let mut trace = opts.trace.then(Trace::default);
    let mut kkt = pt.kkt();
    let record = |trace: &mut Option<Trace>,
                  k: usize,
                  pt: &Point,
                  kkt: f64,
                  alpha: f64,
                  mu: f64,
                  nu: f64,
                  delta: f64,
                  sk: u64,
                  rel: f64,
                  flops: u64,
                  t: f64| {
        if let Some(tr) = trace.as_mut() {
            tr.iteration.push(k as f64);
            tr.kkt.push(kkt);
            tr.f.push(pt.f);
            tr.constraint_violation.push(norm(&pt.c));
            tr.alpha.push(alpha);
            tr.mu.push(mu);
            tr.nu.push(nu);
            tr.delta.push(delta);
            tr.sketch_iterations.push(sk as f64);
            tr.relative_residual.push(rel);
            tr.flops.push(flops as f64);
            tr.hessian_shift.push(t);
            tr.time.push(start.elapsed().as_secs_f64());
        }
    };
    record(&mut trace, 0, &pt, kkt, 0.0, mu, nu, delta, 0, 0.0, 0, 0.0);

    let mut iterations = 0usize;
    let status = loop {
        if kkt <= opts.tol {
            break Status::Converged;
        }
        if iterations >= opts.max_iter {
            break Status::MaxIter;
        }
        if opts.max_time > 0.0 && start.elapsed().as_secs_f64() >= opts.max_time {
            break Status::TimeLimit;
        }
        if monitor.iteration(iterations, opts.max_iter, kkt).is_break() {
            return Err(Error::Stopped(Stop::Cancelled));
        }

        // --- Newton-KKT system -------------------------------------------------------------
        let h = prob.hessian(&pt)?;
        let curvature = if sparse {
            sparse_curvature(&pt.jac, &mut flops)
        } else {
            dense_curvature(&h, &pt.jac)?
        };
        let g_norm = pt.jac.frobenius_norm();
        let h_norm = h.frobenius_norm();
        let rank_deficient = m > 0 && curvature.xi_g <= opts.licq_tol * g_norm.powi(2).max(1.0);
        let mut reg = if rank_deficient {
            opts.jacobian_regularization
        } else {
            0.0
        };
        if rank_deficient {
            reg_steps += 1;
            monitor.warn(&format!(
                "iteration {iterations}: the constraint Jacobian is rank deficient (λ_min(GGᵀ) = {:.2e}); taking a regularised step with ε = {reg}",
                curvature.xi_g
            ));
        }
        let mut shift = match curvature.reduced_min {
            Some(lmin) if m < n && lmin < 1e-6 => match opts.hessian_shift {
                HessianShift::Frobenius => opts.xi_b + h_norm,
                HessianShift::Minimal => opts.xi_b - lmin,
            },
            _ => 0.0,
        };
        // On the sparse path the shift is decided after the solve (curvature test), at most once.
        let mut shift_tested = !sparse || m >= n;
        let b: Vec<f64> = pt.grad_l.iter().chain(&pt.c).map(|v| -v).collect();
        let b_norm = norm(&b);
        // H ∇ₓL for the merit gradient (exact Hessian of the Lagrangian, unshifted).
        let mut h_gl = vec![0.0; n];
        flops += h.mul_vec(&pt.grad_l, &mut h_gl);
        let mut gt_c = vec![0.0; n];
        flops += pt.jac.tmul_vec(&pt.c, &mut gt_c);
        let mut g_gl = vec![0.0; m];
        flops += pt.jac.mul_vec(&pt.grad_l, &mut g_gl);
        let theta = if opts.superlinear {
            opts.theta.min(kkt)
        } else {
            opts.theta
        };
        let mut timed_out = false;

        let (state, shift_used, sketch_steps, reached) = 'system: loop {
            if shift != 0.0 {
                hess_mods += 1;
            }
            let k_mat = kkt::assemble(&h, shift, &pt.jac, reg, sparse);
            let k_norm = k_mat.frobenius_norm();
            let h_tr = trace_of(&h);
            let b_frob2 =
                (h_norm * h_norm + 2.0 * shift * h_tr + n as f64 * shift * shift).max(0.0);
            let psi = 20.0 * b_frob2.max(1.0) / (curvature.xi_g.min(1.0) * opts.xi_b.min(1.0));
            let upsilon = g_norm.max(h_norm).max(1.0);
            let delta_trial = |mu: f64, nu: f64| {
                (0.5 - opts.beta) * nu / ((1.0 + mu + nu) * upsilon * upsilon * psi * psi)
            };
            delta = delta.min(delta_trial(mu, nu)).max(opts.delta_min);
            let sys = System::with_kind(&k_mat, &b, opts.sketch).with_primal(n);
            let mut state = SolveState::zero(&b);
            let mut reached;
            let max_time = opts.max_time;
            let mut poll = |_: u64| {
                if max_time > 0.0 && start.elapsed().as_secs_f64() >= max_time {
                    return ControlFlow::Break(Stop::TimeLimit);
                }
                monitor.poll().map_break(|()| Stop::Cancelled)
            };
            loop {
                let target =
                    (theta * delta * b_norm / (k_norm * psi)).max(opts.min_rel_residual * b_norm);
                let budget = opts.max_sketch_iter.saturating_sub(state.steps);
                let rep = match sketcher.solve(&sys, &mut state, target, budget, &mut poll) {
                    Ok(rep) => rep,
                    // A singular K (only the direct solver notices): the sparse path has not
                    // tested the curvature yet, so shift the Hessian; then regularise G.
                    Err(Error::Numerical(message)) if shift == 0.0 || reg == 0.0 => {
                        if shift == 0.0 {
                            shift = opts.xi_b + h_norm;
                            shift_tested = true;
                        } else {
                            reg = opts.jacobian_regularization;
                            reg_steps += 1;
                        }
                        monitor.warn(&format!("iteration {iterations}: {message}; retrying with shift {shift:.3e}, regularisation {reg:.1e}"));
                        continue 'system;
                    }
                    Err(Error::Stopped(Stop::TimeLimit)) => {
                        // Keep the partial solve: it is used below if it is a descent direction.
                        timed_out = true;
                        flops += sketcher.aborted_flops;
                        let steps = state.steps;
                        break 'system (state, shift, steps, false);
                    }
                    Err(e) => return Err(e),
                };
                flops += rep.flops;
                reached = rep.reached;
                // Sparse path: inertia-free curvature test on Δx before any penalty update (one
                // retry with the Frobenius shift, which makes ∇²L + tI positive definite).
                if !shift_tested {
                    shift_tested = true;
                    let dx = &state.z[..n];
                    let mut hdx = vec![0.0; n];
                    flops += h.mul_vec(dx, &mut hdx);
                    if dot(dx, &hdx) < 1e-8 * dot(dx, dx) {
                        shift = opts.xi_b + h_norm;
                        continue 'system;
                    }
                }
                // Merit gradient and the descent test gᵀz ≤ −(ν/2)‖∇L‖².
                let (dx, dl) = state.z.split_at(n);
                let gx_dot = dot(&pt.grad_l, dx) + mu * dot(&gt_c, dx) + nu * dot(&h_gl, dx);
                let gl_dot = dot(&pt.c, dl) + nu * dot(&g_gl, dl);
                flops += 4 * (n + m) as u64 + 6 * n as u64;
                let gz = gx_dot + gl_dot;
                if mu > 1e8 || nu < 1e-8 {
                    break;
                }
                if gz > -0.5 * nu * b_norm * b_norm {
                    mu *= opts.rho * opts.rho;
                    nu /= opts.rho;
                    delta = (delta / opts.rho.powi(4))
                        .min(delta_trial(mu, nu))
                        .max(opts.delta_min);
                    continue;
                }
                break;
            }
            let steps = state.steps;
            break 'system (state, shift, steps, reached);
        };
        sketch_total += sketch_steps;
        let rel_res = state.residual_norm() / b_norm;
        let (dx, dl) = state.z.split_at(n);
        let gz = dot(&pt.grad_l, dx)
            + mu * dot(&gt_c, dx)
            + nu * dot(&h_gl, dx)
            + dot(&pt.c, dl)
            + nu * dot(&g_gl, dl);
        if !reached {
            if gz >= 0.0 {
                break if timed_out {
                    Status::TimeLimit
                } else {
                    Status::SketchLimit
                };
            }
            inexact += 1;
        }

        // --- Armijo line search on L_{μ,ν} ---------------------------------------------------
        let merit0 = pt.merit(mu, nu);
        let mut alpha = 1.0;
        let accepted = loop {
            let xt: Vec<f64> = pt.x.iter().zip(dx).map(|(a, d)| a + alpha * d).collect();
            let lt: Vec<f64> = pt
                .lambda
                .iter()
                .zip(dl)
                .map(|(a, d)| a + alpha * d)
                .collect();
            let trial = prob.point(xt, lt)?;
            ls_steps += 1;
            if trial.is_finite() && trial.merit(mu, nu) <= merit0 + alpha * opts.beta * gz {
                break Some(trial);
            }
            alpha *= 0.5;
            if alpha < 1e-14 {
                break None;
            }
        };
        let Some(next) = accepted else {
            break Status::LineSearchFailed;
        };
        pt = next;
        kkt = pt.kkt();
        iterations += 1;
        record(
            &mut trace,
            iterations,
            &pt,
            kkt,
            alpha,
            mu,
            nu,
            delta,
            sketch_steps,
            rel_res,
            flops,
            shift_used,
        );
    };

    Ok(Outcome {
        status,
        constraint_violation: norm(&pt.c),
        f: pt.f,
        kkt,
        x: pt.x,
        lambda: pt.lambda,
        iterations,
        sketch_iterations: sketch_total,
        flops,
        evaluations: prob.evals,
        line_search_steps: ls_steps,
        hessian_modifications: hess_mods,
        regularized_steps: reg_steps,
        inexact_steps: inexact,
        mu,
        nu,
        linalg: if sparse { "sparse" } else { "dense" },
        time: start.elapsed().as_secs_f64(),
        trace,
    })
}
