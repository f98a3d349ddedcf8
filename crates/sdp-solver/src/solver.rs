//! The primal-dual interior-point method: [`solve`] and its options and result.
//!
//! An infeasible-start path-following method in the SDPA convention (see [`crate::problem`])
//! with Mehrotra's predictor-corrector. Each iteration:
//!
//! 1. residuals `P = A*(x) − F_0 − X`, `d = c − A(Y) − G w`, `e = b − Gᵀx`, and `μ = X•Y / n`;
//! 2. the Schur complement `B_ij = tr(F_i X⁻¹ F_j Y)` (the private module `schur`) and its Cholesky
//!    factor (with the free variables, the saddle system `[B G; Gᵀ 0]` is solved through
//!    `Gᵀ B⁻¹ G`);
//! 3. a predictor (affine, `σ = 0`) and a corrector with `σ = (μ_aff/μ)³` and the second-order
//!    term `X⁻¹ dX dY`;
//! 4. separate primal and dual step lengths, a fraction `γ` of the distance to the boundary
//!    of the cone, each confirmed by a Cholesky factorization of the new iterate.
//!
//! **Direction: HKM** (Helmberg–Rendl–Vanderbei–Wolkowicz, Kojima–Shindoh–Hara, Monteiro),
//! `dY = sym(σμX⁻¹ − Y − X⁻¹ dX Y)`. It needs only `X⁻¹`, from a Cholesky factor, and matrix
//! products, where NT needs the scaling point `W = X^½ (X^½ Y X^½)^-½ X^½`, i.e. an eigen- or
//! singular value decomposition per block and iteration: several times the cost of a Cholesky
//! factorization, and not available for `fx128` in faer 0.24.4 (its eigensolver panics). The
//! HKM Schur complement `tr(F_i X⁻¹ F_j Y)` exploits sparse and rank-one `F_i` exactly as NT's
//! does; SDPA, CSDP and SDPB use it too.
//!
//! **Infeasibility.** When the dual objective grows while `A(Y) + G w` stays bounded, `Y/(F_0•Y +
//! b·w)` tends to a Farkas certificate of primal infeasibility (`Y ⪰ 0`, `A(Y) + G w = 0`,
//! `F_0•Y + b·w = 1`); when `c·x → −∞` with the residuals bounded, `x/|c·x|` tends to a
//! certificate of dual infeasibility (`A*(x) ⪰ 0`, `Gᵀx = 0`, `c·x = −1`). Both are tested
//! every iteration with [`SdpOptions::infeasibility_tol`].
//!
//! **Numerical trouble** (a Schur complement that is not positive definite even after a small
//! regularization, steps that collapse, non-finite values) ends the solve with
//! [`SdpStatus::NumericalError`] and the best iterate seen, never with a claim of optimality.

use std::ops::ControlFlow;
use std::time::Instant;

use faer::{Mat, Par};

use crate::blocks::{BlockMatrix, BlockValue};
use crate::dense;
use crate::model::Model;
use crate::problem::{ProblemError, SdpProblem};
use crate::scalar::Real;

/// How a solve ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SdpStatus {
    /// Relative gap and both infeasibilities are below `tol`.
    Optimal,
    /// The primal (`min c·x`) has no feasible point; `Y`, `w` hold the certificate.
    PrimalInfeasible,
    /// The dual (`max F_0•Y + b·w`) has no feasible point; `x` holds the certificate.
    DualInfeasible,
    /// `max_iter` iterations without meeting the tolerances.
    MaxIter,
    /// The iterations lost accuracy before meeting the tolerances.
    NumericalError,
    /// The monitor asked to stop.
    Cancelled,
}

impl SdpStatus {
    /// The name used in results (`"optimal"`, `"primal_infeasible"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            SdpStatus::Optimal => "optimal",
            SdpStatus::PrimalInfeasible => "primal_infeasible",
            SdpStatus::DualInfeasible => "dual_infeasible",
            SdpStatus::MaxIter => "max_iter",
            SdpStatus::NumericalError => "numerical_error",
            SdpStatus::Cancelled => "cancelled",
        }
    }
}

/// A starting point taken from an earlier solution (of this or a nearby problem).
#[derive(Clone, Debug, PartialEq)]
#[allow(non_snake_case)] // X and Y as in the SDPA convention
pub struct WarmStart<T> {
    pub x: Vec<T>,
    pub w: Vec<T>,
    pub X: BlockMatrix<T>,
    pub Y: BlockMatrix<T>,
}

/// Solver settings; [`SdpOptions::default`] gives `tol = 1e-8`, 100 iterations, `γ = 0.9`
/// (SDPA's default; 0.95 saves an iteration or two on easy problems and loses accuracy at the
/// end on ill-conditioned ones such as gpp100 in double precision).
#[derive(Clone, Debug)]
pub struct SdpOptions<T> {
    /// Stop when the relative gap and both relative infeasibilities are below this.
    pub tol: f64,
    /// Accept an infeasibility certificate whose residual is below this (see [`solve`]).
    pub infeasibility_tol: f64,
    pub max_iter: usize,
    /// The fraction `γ` of the step to the boundary of the cone.
    pub step_fraction: f64,
    /// Threads for the dense kernels (1: sequential; 0: all).
    pub threads: usize,
    pub warm_start: Option<WarmStart<T>>,
    /// Weight `λ` of the default interior point mixed into a warm start: the start is
    /// `(1−λ)·previous + λ·default`, which moves it off the boundary of the cone. 0.03 by
    /// default (bench/results/sdp_warm_start.md: 0.01–0.03 save the most iterations on
    /// perturbed SDPLIB problems, 0.3 little).
    pub warm_start_blend: f64,
    /// Factor on the default primal start `X = ξ I` (1 by default; the precision driver takes
    /// [`crate::precision::Arithmetic::start_scale`]). Larger starts avoid blocked first
    /// steps on problems whose solutions lie far out and cost about `log10` of it in digits.
    pub start_scale: f64,
}

impl<T> Default for SdpOptions<T> {
    fn default() -> Self {
        Self {
            tol: 1e-8,
            infeasibility_tol: 1e-8,
            max_iter: 100,
            step_fraction: 0.9,
            threads: 1,
            warm_start: None,
            warm_start_blend: 0.03,
            start_scale: 1.0,
        }
    }
}

/// Where the time of a solve went (seconds), for tuning and benchmarks.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct PhaseTimes {
    /// `X⁻¹` and the Schur complement.
    pub schur: f64,
    /// Cholesky factorization of the Schur complement (and the free-variable system).
    pub factor: f64,
    /// Predictor and corrector directions (solves, products).
    pub directions: f64,
    /// Step lengths and the Cholesky factorizations that confirm them.
    pub steps: f64,
    /// Everything else (model, residuals, tests).
    pub other: f64,
}

/// Sees each iterate; `ControlFlow::Break` stops the solve with status `cancelled`.
pub type Monitor<'a> = dyn FnMut(&IterationInfo) -> ControlFlow<()> + 'a;

/// What the monitor sees after each iteration (all relative measures as in [`SdpSolution`]).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct IterationInfo {
    pub iteration: usize,
    pub primal_objective: f64,
    pub dual_objective: f64,
    pub gap: f64,
    pub primal_infeasibility: f64,
    pub dual_infeasibility: f64,
    pub mu: f64,
    pub alpha_primal: f64,
    pub alpha_dual: f64,
    pub sigma: f64,
    pub seconds: f64,
}

/// The result of a solve.
///
/// Relative measures: `primal_infeasibility = max(‖A*(x) − F_0 − X‖_F / (1 + ‖F_0‖_F),
/// ‖Gᵀx − b‖ / (1 + ‖b‖))`, `dual_infeasibility = ‖A(Y) + G w − c‖ / (1 + ‖c‖)`,
/// `gap = |c·x − F_0•Y − b·w| / (1 + |c·x| + |F_0•Y + b·w|)`.
///
/// For `primal_infeasible`, `Y` and `w` are the certificate scaled to `F_0•Y + b·w = 1`; for
/// `dual_infeasible`, `x` is the certificate scaled to `c·x = −1`.
#[derive(Clone, Debug)]
#[allow(non_snake_case)] // X and Y as in the SDPA convention
pub struct SdpSolution<T> {
    pub status: SdpStatus,
    /// A sentence on how the solve ended.
    pub message: String,
    pub x: Vec<T>,
    pub w: Vec<T>,
    pub X: BlockMatrix<T>,
    pub Y: BlockMatrix<T>,
    /// `c·x`.
    pub primal_objective: T,
    /// `F_0•Y + b·w`.
    pub dual_objective: T,
    pub gap: f64,
    pub primal_infeasibility: f64,
    pub dual_infeasibility: f64,
    pub iterations: usize,
    pub seconds: f64,
    pub history: Vec<IterationInfo>,
    /// The arithmetic that produced the result: `"f64"`, `"dd"`, `"mp512"`, or the sequence
    /// of an escalating solve such as `"f64+dd+mp256"` (see [`crate::precision`]).
    pub precision: String,
    pub phase_times: PhaseTimes,
}

impl<T: Real> SdpSolution<T> {
    /// The optimal value: the midpoint of the primal and dual objectives (they agree to the
    /// gap), the value SDPLIB tabulates; `+∞` when the primal is infeasible (its minimum over
    /// the empty set, and the supremum of the then unbounded dual), `−∞` when the dual is.
    pub fn objective(&self) -> T {
        match self.status {
            SdpStatus::PrimalInfeasible => T::from_f64(f64::INFINITY),
            SdpStatus::DualInfeasible => T::from_f64(f64::NEG_INFINITY),
            _ => (self.primal_objective + self.dual_objective) * T::from_f64(0.5),
        }
    }

    /// A warm start for a nearby problem with the same shape.
    pub fn warm_start(&self) -> WarmStart<T> {
        WarmStart {
            x: self.x.clone(),
            w: self.w.clone(),
            X: self.X.clone(),
            Y: self.Y.clone(),
        }
    }

    /// The same solution in another precision.
    pub fn cast<U: Real>(&self) -> SdpSolution<U> {
        SdpSolution {
            status: self.status,
            message: self.message.clone(),
            x: self.x.iter().map(|v| v.cast()).collect(),
            w: self.w.iter().map(|v| v.cast()).collect(),
            X: self.X.cast(),
            Y: self.Y.cast(),
            primal_objective: self.primal_objective.cast(),
            dual_objective: self.dual_objective.cast(),
            gap: self.gap,
            primal_infeasibility: self.primal_infeasibility,
            dual_infeasibility: self.dual_infeasibility,
            iterations: self.iterations,
            seconds: self.seconds,
            history: self.history.clone(),
            precision: self.precision.clone(),
            phase_times: self.phase_times.clone(),
        }
    }
}

impl<T: Real> WarmStart<T> {
    /// The same point in another precision.
    pub fn cast<U: Real>(&self) -> WarmStart<U> {
        WarmStart {
            x: self.x.iter().map(|v| v.cast()).collect(),
            w: self.w.iter().map(|v| v.cast()).collect(),
            X: self.X.cast(),
            Y: self.Y.cast(),
        }
    }
}

impl<T: Real> SdpOptions<T> {
    /// The same options with the warm start in another precision.
    pub fn cast<U: Real>(&self) -> SdpOptions<U> {
        SdpOptions {
            tol: self.tol,
            infeasibility_tol: self.infeasibility_tol,
            max_iter: self.max_iter,
            step_fraction: self.step_fraction,
            threads: self.threads,
            warm_start: self.warm_start.as_ref().map(WarmStart::cast),
            warm_start_blend: self.warm_start_blend,
            start_scale: self.start_scale,
        }
    }
}

pub use crate::precision::{Precision, solve_in_precision};

/// Solves `problem`; see [`solve_with_monitor`].
pub fn solve<T: Real>(
    problem: &SdpProblem<T>,
    options: &SdpOptions<T>,
) -> Result<SdpSolution<T>, ProblemError> {
    solve_with_monitor(problem, options, &mut |_| ControlFlow::Continue(()))
}

/// Solves `problem`, calling `monitor` after every iteration; it returns `false` to stop
/// (status [`SdpStatus::Cancelled`]).
///
/// Errors are for a problem (or warm start) that does not make sense; every numerical outcome
/// is a status of the returned solution.
pub fn solve_with_monitor<T: Real>(
    problem: &SdpProblem<T>,
    options: &SdpOptions<T>,
    monitor: &mut Monitor<'_>,
) -> Result<SdpSolution<T>, ProblemError> {
    let start = Instant::now();
    problem.validate()?;
    if options.tol.is_nan()
        || options.tol <= 0.0
        || options.infeasibility_tol.is_nan()
        || options.infeasibility_tol <= 0.0
    {
        return Err(ProblemError(
            "tol and infeasibility_tol must be positive".into(),
        ));
    }
    if !(options.step_fraction > 0.0 && options.step_fraction < 1.0) {
        return Err(ProblemError("step_fraction must lie in (0, 1)".into()));
    }
    let par = match options.threads {
        1 => Par::Seq,
        t => Par::rayon(t),
    };
    let model = Model::new(problem, par);
    if let Some(ws) = &options.warm_start {
        check_warm_start(&model, ws)?;
    }
    Ok(Ipm::new(&model, options, start).run(monitor))
}

fn check_warm_start<T: Real>(model: &Model<T>, ws: &WarmStart<T>) -> Result<(), ProblemError> {
    if ws.x.len() != model.m || ws.w.len() != model.k {
        return Err(ProblemError(format!(
            "warm start has {} x and {} w entries, the problem {} and {}",
            ws.x.len(),
            ws.w.len(),
            model.m,
            model.k
        )));
    }
    if ws.X.kinds() != model.kinds || ws.Y.kinds() != model.kinds {
        return Err(ProblemError(
            "warm start blocks differ from the problem's".into(),
        ));
    }
    Ok(())
}

/// Cholesky factors of the PSD blocks of a block matrix (`None` for LP blocks).
type Factors<T> = Vec<Option<Mat<T>>>;

/// The iterate (in the scaled model).
struct Iterate<T> {
    x: Vec<T>,
    w: Vec<T>,
    xm: BlockMatrix<T>,
    ym: BlockMatrix<T>,
    /// Cholesky factors of the PSD blocks of X and Y (`None` for LP blocks).
    lx: Vec<Option<Mat<T>>>,
    ly: Vec<Option<Mat<T>>>,
}

/// Residuals and measures of an iterate.
struct Residuals<T> {
    p: BlockMatrix<T>,
    d: Vec<T>,
    e: Vec<T>,
    pobj: T,
    dobj: T,
    mu: T,
    pinf: f64,
    dinf: f64,
    gap: f64,
    /// `X•Y / (1 + |c·x| + |F_0•Y + b·w|)`: the gap the iterate would have if it were feasible.
    compl: f64,
}

impl<T> Residuals<T> {
    /// The progress measure: the largest of the relative errors (the complementarity keeps an
    /// objective gap that crosses zero on infeasible iterates from looking like progress).
    fn score(&self) -> f64 {
        self.pinf.max(self.dinf).max(self.gap).max(self.compl)
    }
}

/// The factored Schur complement (and, with free variables, `B⁻¹G` and the factor of `GᵀB⁻¹G`).
struct SchurFactor<T> {
    /// Whether `l` factors `B` plus a diagonal shift (then the solve refines more).
    shifted: bool,
    b: Mat<T>,
    l: Mat<T>,
    bg: Mat<T>,
    lk: Mat<T>,
}

struct Direction<T> {
    dx: Vec<T>,
    dw: Vec<T>,
    dxm: BlockMatrix<T>,
    dym: BlockMatrix<T>,
}

struct Ipm<'a, T> {
    model: &'a Model<T>,
    options: &'a SdpOptions<T>,
    n_total: usize,
    start: Instant,
    times: std::cell::RefCell<PhaseTimes>,
}

/// Factors every PSD block of `m`; `None` if one is not positive definite (LP blocks must be
/// positive).
fn factor_blocks<T: Real>(m: &BlockMatrix<T>, par: Par) -> Option<Vec<Option<Mat<T>>>> {
    m.blocks
        .iter()
        .map(|b| match b {
            BlockValue::Dense(a) => dense::cholesky(a.as_ref(), par).map(Some),
            BlockValue::Diag(d) => d
                .iter()
                .all(|&v| v > T::zero() && v.is_finite_value())
                .then_some(None),
        })
        .collect()
}

impl<'a, T: Real> Ipm<'a, T> {
    fn new(model: &'a Model<T>, options: &'a SdpOptions<T>, start: Instant) -> Self {
        Self {
            model,
            options,
            n_total: model.total_dim(),
            start,
            times: Default::default(),
        }
    }

    /// The default interior point (after Helmberg, Rendl, Vanderbei and Wolkowicz, as in CSDP):
    /// `x = 0`, `X = ξ I`, `Y = η I` with `ξ`, `η` from the norms of the data.
    fn cold_start(&self) -> (Vec<T>, Vec<T>, BlockMatrix<T>, BlockMatrix<T>) {
        let model = self.model;
        let n = self.n_total as f64;
        let f_norms = self.constraint_norms();
        let mut eta: f64 = 0.0;
        let mut fmax: f64 = model.f0.norm_fro().to_f64();
        for i in 0..model.m {
            eta = eta.max((1.0 + model.c[i].to_f64().abs()) / (1.0 + f_norms[i]));
            fmax = fmax.max(f_norms[i]);
        }
        // Clamped so that extreme data cannot make the start overflow.
        let eta = (10.0 * n * eta).clamp(1e-100, 1e100);
        let xi = (10.0 * (1.0 + fmax) / n.sqrt() * self.options.start_scale).clamp(1e-100, 1e100);
        (
            vec![T::zero(); model.m],
            vec![T::zero(); model.k],
            BlockMatrix::scaled_identity(&model.kinds, T::from_f64(xi)),
            BlockMatrix::scaled_identity(&model.kinds, T::from_f64(eta)),
        )
    }

    /// ‖F_i‖_F of the scaled constraints (about 1 by the scaling; computed for the free part).
    fn constraint_norms(&self) -> Vec<f64> {
        let model = self.model;
        (0..model.m)
            .map(|i| {
                let mut g2 = 0.0;
                for k in 0..model.k {
                    g2 += model.g[(i, k)].to_f64().powi(2);
                }
                (1.0 - g2).max(0.0).sqrt()
            })
            .collect()
    }

    fn initial_iterate(&self) -> Iterate<T> {
        let model = self.model;
        let par = model.par;
        let (x0, w0, xc, yc) = self.cold_start();
        if let Some(ws) = &self.options.warm_start {
            let x: Vec<T> =
                ws.x.iter()
                    .zip(&model.row_scale)
                    .map(|(&x, &r)| x / r)
                    .collect();
            let mut lambda = self.options.warm_start_blend.clamp(0.0, 1.0);
            loop {
                let l = T::from_f64(lambda);
                let mut xm = ws.X.clone();
                xm.scale(T::one() - l);
                xm.axpy(l, &xc);
                let mut ym = ws.Y.clone();
                ym.scale(T::one() - l);
                ym.axpy(l, &yc);
                if let (Some(lx), Some(ly)) = (factor_blocks(&xm, par), factor_blocks(&ym, par)) {
                    return Iterate {
                        x,
                        w: ws.w.clone(),
                        xm,
                        ym,
                        lx,
                        ly,
                    };
                }
                if lambda >= 1.0 {
                    break;
                }
                lambda = (lambda * 2.0).clamp(1e-3, 1.0);
            }
        }
        let lx = factor_blocks(&xc, par).expect("a positive multiple of I is positive definite");
        let ly = factor_blocks(&yc, par).expect("a positive multiple of I is positive definite");
        Iterate {
            x: x0,
            w: w0,
            xm: xc,
            ym: yc,
            lx,
            ly,
        }
    }

    fn residuals(&self, it: &Iterate<T>) -> Residuals<T> {
        let model = self.model;
        let mut p = model.adjoint(&it.x);
        p.axpy(-T::one(), &model.f0);
        p.axpy(-T::one(), &it.xm);
        let ay = model.apply(&it.ym);
        let gw = model.g_times(&it.w);
        let d: Vec<T> = (0..model.m).map(|i| model.c[i] - ay[i] - gw[i]).collect();
        let gtx = model.gt_times(&it.x);
        let e: Vec<T> = (0..model.k).map(|k| model.b[k] - gtx[k]).collect();
        let mut pobj = T::zero();
        for i in 0..model.m {
            pobj += model.c[i] * it.x[i];
        }
        let mut dobj = model.f0.dot(&it.ym);
        for k in 0..model.k {
            dobj += model.b[k] * it.w[k];
        }
        let mu = it.xm.dot(&it.ym) / T::from_usize(self.n_total);
        let norm = |v: &mut dyn Iterator<Item = f64>| v.map(|x| x * x).sum::<f64>().sqrt();
        let pinf_matrix = p.norm_fro().to_f64() / (1.0 + model.norm_f0);
        let pinf_free = norm(&mut e.iter().map(|v| v.to_f64())) / (1.0 + model.norm_b);
        let dinf = norm(
            &mut d
                .iter()
                .zip(&model.row_scale)
                .map(|(d, r)| (*d / *r).to_f64()),
        ) / (1.0 + model.norm_c);
        let (pf, df) = (pobj.to_f64(), dobj.to_f64());
        let gap = (pobj - dobj).abs().to_f64() / (1.0 + pf.abs() + df.abs());
        let compl = (mu * T::from_usize(self.n_total)).to_f64().abs() / (1.0 + pf.abs() + df.abs());
        Residuals {
            compl,
            p,
            d,
            e,
            pobj,
            dobj,
            mu,
            pinf: pinf_matrix.max(pinf_free),
            dinf,
            gap,
        }
    }

    /// `X⁻¹` block by block (dense inverse from the Cholesky factor, `1/x` for LP blocks).
    fn inverse(&self, it: &Iterate<T>) -> BlockMatrix<T> {
        BlockMatrix {
            blocks: it
                .xm
                .blocks
                .iter()
                .zip(&it.lx)
                .map(|(b, l)| match (b, l) {
                    (BlockValue::Dense(_), Some(l)) => {
                        BlockValue::Dense(dense::inverse_from_cholesky(l.as_ref(), self.model.par))
                    }
                    (BlockValue::Diag(d), None) => {
                        BlockValue::Diag(d.iter().map(|&v| T::one() / v).collect())
                    }
                    _ => unreachable!("factors follow the block kinds"),
                })
                .collect(),
        }
    }

    /// Factors `B` (retrying with a small diagonal shift if needed) and the free-variable system.
    fn factor_schur(&self, b: Mat<T>) -> Option<SchurFactor<T>> {
        let model = self.model;
        let par = model.par;
        let m = model.m;
        let mut l = dense::cholesky(b.as_ref(), par);
        let shifted = l.is_none();
        if l.is_none() {
            let maxdiag = (0..m)
                .map(|i| b[(i, i)].abs())
                .fold(T::zero(), |a, v| a.max(v));
            let mut shift = maxdiag * T::epsilon().sqrt() * T::from_f64(1e-2);
            for _ in 0..4 {
                let mut bs = b.clone();
                for i in 0..m {
                    bs[(i, i)] += shift;
                }
                l = dense::cholesky(bs.as_ref(), par);
                if l.is_some() {
                    break;
                }
                shift *= T::from_f64(100.0);
            }
        }
        let l = l?;
        let k = model.k;
        let mut bg = model.g.clone();
        let mut lk = dense::zeros::<T>(k, k);
        if k > 0 {
            T::solve_lower(l.as_ref(), bg.as_mut(), par);
            // K = Gᵀ B⁻¹ G = (L⁻¹G)ᵀ (L⁻¹G)
            T::gemm(
                lk.as_mut(),
                false,
                bg.transpose(),
                bg.as_ref(),
                T::one(),
                par,
            );
            T::solve_lower_transpose(l.as_ref(), bg.as_mut(), par);
            lk = dense::cholesky(lk.as_ref(), par)?;
        }
        Some(SchurFactor {
            shifted,
            b,
            l,
            bg,
            lk,
        })
    }

    /// Solves `[B G; Gᵀ 0] [dx; dw'] = [r; e]` with one step of iterative refinement; returns
    /// `(dx, dw)` with `dw = −dw'`.
    fn solve_saddle(&self, f: &SchurFactor<T>, r: &[T], e: &[T]) -> (Vec<T>, Vec<T>) {
        let model = self.model;
        let (m, k) = (model.m, model.k);
        let once = |r: &[T], e: &[T]| -> (Vec<T>, Vec<T>) {
            let mut dx = Mat::<T>::from_fn(m, 1, |i, _| r[i]);
            T::solve_lower(f.l.as_ref(), dx.as_mut(), model.par);
            T::solve_lower_transpose(f.l.as_ref(), dx.as_mut(), model.par);
            let mut dwp = vec![T::zero(); k];
            if k > 0 {
                let gtdx = model.gt_times(dx.col_as_slice(0));
                let mut rhs = Mat::<T>::from_fn(k, 1, |i, _| gtdx[i] - e[i]);
                T::solve_lower(f.lk.as_ref(), rhs.as_mut(), model.par);
                T::solve_lower_transpose(f.lk.as_ref(), rhs.as_mut(), model.par);
                for i in 0..k {
                    dwp[i] = rhs[(i, 0)];
                }
                for i in 0..m {
                    let mut s = T::zero();
                    for kk in 0..k {
                        s += f.bg[(i, kk)] * dwp[kk];
                    }
                    dx[(i, 0)] -= s;
                }
            }
            (dx.col_as_slice(0).to_vec(), dwp)
        };
        let (mut dx, mut dwp) = once(r, e);
        // Iterative refinement against the unshifted B.
        for _ in 0..if f.shifted { 4 } else { 1 } {
            let gdw = model.g_times(&dwp);
            let minus_dx: Vec<T> = dx.iter().map(|&v| -v).collect();
            let mut r1 = vec![T::zero(); m];
            for i in 0..m {
                let mut s = r[i] - gdw[i];
                let col = f.b.col_as_slice(i);
                for j in 0..m {
                    s = s.mul_add(col[j], minus_dx[j]);
                }
                r1[i] = s;
            }
            let gtdx = model.gt_times(&dx);
            let e1: Vec<T> = (0..k).map(|i| e[i] - gtdx[i]).collect();
            let (cx, cw) = once(&r1, &e1);
            for i in 0..m {
                dx[i] += cx[i];
            }
            for i in 0..k {
                dwp[i] += cw[i];
            }
        }
        (dx, dwp.into_iter().map(|v| -v).collect())
    }

    /// One Newton direction for the given `σμ` and optional second-order term `(dXp, dYp)`.
    #[allow(clippy::too_many_arguments)]
    fn direction(
        &self,
        it: &Iterate<T>,
        res: &Residuals<T>,
        ginv: &BlockMatrix<T>,
        gpy: &BlockMatrix<T>,
        factor: &SchurFactor<T>,
        sigma_mu: T,
        second_order: Option<(&BlockMatrix<T>, &BlockMatrix<T>)>,
    ) -> Direction<T> {
        let model = self.model;
        let par = model.par;
        // R = σμ X⁻¹ − Y − X⁻¹ dXp dYp, and H = R − X⁻¹ P Y.
        let mut r = ginv.clone();
        r.scale(sigma_mu);
        r.axpy(-T::one(), &it.ym);
        if let Some((dxp, dyp)) = second_order {
            for (((rb, g), a), bb) in r
                .blocks
                .iter_mut()
                .zip(&ginv.blocks)
                .zip(&dxp.blocks)
                .zip(&dyp.blocks)
            {
                match rb {
                    BlockValue::Dense(rm) => {
                        let prod = dense::mul3(
                            g.dense().as_ref(),
                            a.dense().as_ref(),
                            bb.dense().as_ref(),
                            par,
                        );
                        for j in 0..rm.ncols() {
                            for (x, &y) in
                                rm.col_as_slice_mut(j).iter_mut().zip(prod.col_as_slice(j))
                            {
                                *x -= y;
                            }
                        }
                    }
                    BlockValue::Diag(rd) => {
                        for (i, x) in rd.iter_mut().enumerate() {
                            *x -= g.diag()[i] * a.diag()[i] * bb.diag()[i];
                        }
                    }
                }
            }
        }
        let h = r.plus(-T::one(), gpy);
        let ah = model.apply(&h);
        let rhs: Vec<T> = (0..model.m).map(|i| ah[i] - res.d[i]).collect();
        let (dx, dw) = self.solve_saddle(factor, &rhs, &res.e);
        let mut dxm = model.adjoint(&dx);
        dxm.axpy(T::one(), &res.p);
        // dY = sym(R − X⁻¹ dX Y)
        let mut dym = r;
        for (((db, g), a), yb) in dym
            .blocks
            .iter_mut()
            .zip(&ginv.blocks)
            .zip(&dxm.blocks)
            .zip(&it.ym.blocks)
        {
            match db {
                BlockValue::Dense(dm) => {
                    let prod = dense::mul3(
                        g.dense().as_ref(),
                        a.dense().as_ref(),
                        yb.dense().as_ref(),
                        par,
                    );
                    for j in 0..dm.ncols() {
                        for (x, &y) in dm.col_as_slice_mut(j).iter_mut().zip(prod.col_as_slice(j)) {
                            *x -= y;
                        }
                    }
                    dense::symmetrize(dm);
                }
                BlockValue::Diag(dd) => {
                    for (i, x) in dd.iter_mut().enumerate() {
                        *x -= g.diag()[i] * a.diag()[i] * yb.diag()[i];
                    }
                }
            }
        }
        Direction { dx, dw, dxm, dym }
    }

    /// The largest step keeping `M + α dM` in the cone (`M = L Lᵀ` for dense blocks).
    fn max_step(
        &self,
        m: &BlockMatrix<T>,
        l: &[Option<Mat<T>>],
        dm: &BlockMatrix<T>,
    ) -> Option<f64> {
        let mut alpha = f64::INFINITY;
        for ((b, lf), db) in m.blocks.iter().zip(l).zip(&dm.blocks) {
            let a = match (b, lf) {
                (BlockValue::Dense(_), Some(lf)) => {
                    dense::max_step_psd(lf.as_ref(), db.dense().as_ref(), self.model.par)?
                }
                (BlockValue::Diag(d), None) => dense::max_step_lp(d, db.diag()),
                _ => unreachable!("factors follow the block kinds"),
            };
            alpha = alpha.min(a);
        }
        Some(alpha)
    }

    /// Takes the largest step `α ≤ α0` (shrinking by 0.8 up to 30 times) for which `M + α dM`
    /// factors; returns the new matrix, its factors and `α`.
    fn confirmed_step(
        &self,
        m: &BlockMatrix<T>,
        dm: &BlockMatrix<T>,
        alpha0: f64,
    ) -> Option<(BlockMatrix<T>, Factors<T>, f64)> {
        let mut alpha = alpha0;
        for _ in 0..30 {
            let next = m.plus(T::from_f64(alpha), dm);
            if let Some(l) = factor_blocks(&next, self.model.par) {
                return Some((next, l, alpha));
            }
            alpha *= 0.8;
        }
        None
    }

    fn run(&self, monitor: &mut Monitor<'_>) -> SdpSolution<T> {
        let model = self.model;
        let opts = self.options;
        let gamma = opts.step_fraction;
        let mut it = self.initial_iterate();
        let mut history: Vec<IterationInfo> = Vec::new();
        let mut best: Option<(f64, Iterate<T>, usize)> = None;
        let mut stalled = 0usize;
        // Iterations since the best measure last improved by 10 %.
        let mut since_progress = 0usize;
        let mut iteration = 0usize;
        let (mut alpha_p, mut alpha_d, mut sigma) = (0.0, 0.0, 0.0);
        loop {
            let res = self.residuals(&it);
            let info = IterationInfo {
                iteration,
                primal_objective: res.pobj.to_f64(),
                dual_objective: res.dobj.to_f64(),
                gap: res.gap,
                primal_infeasibility: res.pinf,
                dual_infeasibility: res.dinf,
                mu: res.mu.to_f64(),
                alpha_primal: alpha_p,
                alpha_dual: alpha_d,
                sigma,
                seconds: self.start.elapsed().as_secs_f64(),
            };
            let finite = [
                info.primal_objective,
                info.dual_objective,
                info.mu,
                info.primal_infeasibility,
                info.dual_infeasibility,
            ]
            .iter()
            .all(|v| v.is_finite());
            history.push(info.clone());
            if !finite {
                return self.finish_best(
                    best,
                    it,
                    history,
                    SdpStatus::NumericalError,
                    "the iterates became non-finite",
                );
            }
            let score = res.score();
            let best_score = best.as_ref().map_or(f64::INFINITY, |b| b.0);
            if score < 0.9 * best_score {
                since_progress = 0;
            } else {
                since_progress += 1;
            }
            if score < best_score {
                best = Some((score, self.snapshot(&it), iteration));
            }
            if res.pinf <= opts.tol && res.dinf <= opts.tol && res.gap <= opts.tol {
                return self.finish(
                    it,
                    &res,
                    history,
                    iteration,
                    SdpStatus::Optimal,
                    "optimal to the requested tolerance".into(),
                );
            }
            if let Some(status) = self.certificate(&mut it, &res) {
                let msg = match status {
                    SdpStatus::PrimalInfeasible => {
                        "the primal is infeasible: Y, w certify it (F0•Y + b·w = 1, A(Y) + G w ≈ 0)"
                    }
                    _ => {
                        "the dual is infeasible: x certifies it (c·x = -1, A*(x) ⪰ 0 approximately, Gᵀx ≈ 0)"
                    }
                };
                let res2 = self.residuals(&it);
                let mut sol = self.finish(it, &res2, history, iteration, status, msg.into());
                // The certificate's own quality is what matters; keep the last measures.
                sol.primal_infeasibility = res.pinf;
                sol.dual_infeasibility = res.dinf;
                sol.gap = res.gap;
                return sol;
            }
            if since_progress >= 8 && best.as_ref().is_some_and(|b| b.0 < 1e-2) {
                return self.finish_best(
                    best,
                    it,
                    history,
                    SdpStatus::NumericalError,
                    "no progress in 8 iterations (the working precision is exhausted)",
                );
            }
            if monitor(&info).is_break() {
                return self.finish(
                    it,
                    &res,
                    history,
                    iteration,
                    SdpStatus::Cancelled,
                    "cancelled by the caller".into(),
                );
            }
            if iteration >= opts.max_iter {
                let msg = format!(
                    "stopped after {iteration} iterations (gap {:.1e}, infeasibilities {:.1e}, {:.1e})",
                    res.gap, res.pinf, res.dinf
                );
                return self.finish(it, &res, history, iteration, SdpStatus::MaxIter, msg);
            }

            // The Newton system.
            let par = model.par;
            let clock = Instant::now();
            let ginv = self.inverse(&it);
            let b = crate::schur::assemble(model, &ginv, &it.ym);
            self.times.borrow_mut().schur += clock.elapsed().as_secs_f64();
            let clock = Instant::now();
            let factor = self.factor_schur(b);
            self.times.borrow_mut().factor += clock.elapsed().as_secs_f64();
            let clock = Instant::now();
            let Some(factor) = factor else {
                return self.finish_best(
                    best,
                    it,
                    history,
                    SdpStatus::NumericalError,
                    "the Schur complement is not positive definite",
                );
            };
            // X⁻¹ P Y (zero once the primal is feasible)
            let mut gpy = BlockMatrix::<T>::zeros(&model.kinds);
            for (((o, g), p), y) in gpy
                .blocks
                .iter_mut()
                .zip(&ginv.blocks)
                .zip(&res.p.blocks)
                .zip(&it.ym.blocks)
            {
                match o {
                    BlockValue::Dense(om) => {
                        *om = dense::mul3(
                            g.dense().as_ref(),
                            p.dense().as_ref(),
                            y.dense().as_ref(),
                            par,
                        )
                    }
                    BlockValue::Diag(od) => {
                        for (i, v) in od.iter_mut().enumerate() {
                            *v = g.diag()[i] * p.diag()[i] * y.diag()[i];
                        }
                    }
                }
            }

            // Predictor.
            let pred = self.direction(&it, &res, &ginv, &gpy, &factor, T::zero(), None);
            self.times.borrow_mut().directions += clock.elapsed().as_secs_f64();
            let clock = Instant::now();
            let (Some(ap), Some(ad)) = (
                self.max_step(&it.xm, &it.lx, &pred.dxm),
                self.max_step(&it.ym, &it.ly, &pred.dym),
            ) else {
                return self.finish_best(
                    best,
                    it,
                    history,
                    SdpStatus::NumericalError,
                    "the predictor direction is not finite",
                );
            };
            let (ap, ad) = ((gamma * ap).min(1.0), (gamma * ad).min(1.0));
            let xa = it.xm.plus(T::from_f64(ap), &pred.dxm);
            let ya = it.ym.plus(T::from_f64(ad), &pred.dym);
            let mu_aff = xa.dot(&ya).to_f64() / self.n_total as f64;
            let mu = res.mu.to_f64();
            sigma = (mu_aff / mu).clamp(0.0, 1.0).powi(3);

            self.times.borrow_mut().steps += clock.elapsed().as_secs_f64();
            let clock = Instant::now();
            // Corrector.
            let dir = self.direction(
                &it,
                &res,
                &ginv,
                &gpy,
                &factor,
                T::from_f64(sigma) * res.mu,
                Some((&pred.dxm, &pred.dym)),
            );
            self.times.borrow_mut().directions += clock.elapsed().as_secs_f64();
            let clock = Instant::now();
            let (Some(ap), Some(ad)) = (
                self.max_step(&it.xm, &it.lx, &dir.dxm),
                self.max_step(&it.ym, &it.ly, &dir.dym),
            ) else {
                return self.finish_best(
                    best,
                    it,
                    history,
                    SdpStatus::NumericalError,
                    "the corrector direction is not finite",
                );
            };
            let (ap, ad) = ((gamma * ap).min(1.0), (gamma * ad).min(1.0));
            let Some((xm, lx, ap)) = self.confirmed_step(&it.xm, &dir.dxm, ap) else {
                return self.finish_best(
                    best,
                    it,
                    history,
                    SdpStatus::NumericalError,
                    "no primal step keeps X positive definite",
                );
            };
            let Some((ym, ly, ad)) = self.confirmed_step(&it.ym, &dir.dym, ad) else {
                return self.finish_best(
                    best,
                    it,
                    history,
                    SdpStatus::NumericalError,
                    "no dual step keeps Y positive definite",
                );
            };
            self.times.borrow_mut().steps += clock.elapsed().as_secs_f64();
            for i in 0..model.m {
                it.x[i] += T::from_f64(ap) * dir.dx[i];
            }
            for k in 0..model.k {
                it.w[k] += T::from_f64(ad) * dir.dw[k];
            }
            it.xm = xm;
            it.lx = lx;
            it.ym = ym;
            it.ly = ly;
            alpha_p = ap;
            alpha_d = ad;
            iteration += 1;
            if ap.max(ad) < 1e-6 {
                stalled += 1;
                if stalled >= 3 {
                    return self.finish_best(
                        best,
                        it,
                        history,
                        SdpStatus::NumericalError,
                        "the steps collapsed (no progress for 3 iterations)",
                    );
                }
            } else {
                stalled = 0;
            }
        }
    }

    /// Tests the iterate for an infeasibility certificate; on success rescales it in place.
    fn certificate(&self, it: &mut Iterate<T>, res: &Residuals<T>) -> Option<SdpStatus> {
        // Both tests are invariant under scaling the iterate and the data: the residual per
        // unit size of the candidate (constraint rows have unit norm in the model) must be
        // below `tol` times its objective per unit size (at most 1). A feasible problem's
        // iterates stay bounded, so their residual per unit size stays away from zero.
        let model = self.model;
        let tol = self.options.infeasibility_tol;
        let norm = |v: &mut dyn Iterator<Item = f64>| v.map(|x| x * x).sum::<f64>().sqrt();
        // Primal infeasibility: Y ⪰ 0 with A(Y) + G w = c − d ≈ 0 and F0•Y + b·w > 0.
        let dobj = res.dobj.to_f64();
        if dobj > 0.0 {
            let size_y = it.ym.norm_fro().to_f64();
            let size_w = norm(&mut it.w.iter().map(|v| v.to_f64()));
            let residual = norm(&mut (0..model.m).map(|i| (model.c[i] - res.d[i]).to_f64()))
                / (size_y + size_w);
            let objective = dobj / (model.f0.norm_fro().to_f64() * size_y + model.norm_b * size_w);
            if residual <= tol * objective {
                let s = T::one() / res.dobj;
                it.ym.scale(s);
                for w in &mut it.w {
                    *w *= s;
                }
                return Some(SdpStatus::PrimalInfeasible);
            }
        }
        // Dual infeasibility: A*(x) = X + F0 + P ⪰ F0 + P, Gᵀx = b − e ≈ 0 and c·x < 0.
        let pobj = res.pobj.to_f64();
        if pobj < 0.0 {
            let size_x = norm(&mut it.x.iter().map(|v| v.to_f64()));
            let norm_c = norm(&mut model.c.iter().map(|v| v.to_f64()));
            let mut f = model.f0.clone();
            f.axpy(T::one(), &res.p);
            let violation = f.norm_fro().to_f64()
                + norm(&mut (0..model.k).map(|k| (model.b[k] - res.e[k]).to_f64()));
            let residual = violation / size_x;
            let objective = -pobj / (norm_c * size_x);
            if residual <= tol * objective {
                let s = T::one() / -res.pobj;
                for x in &mut it.x {
                    *x *= s;
                }
                return Some(SdpStatus::DualInfeasible);
            }
        }
        None
    }

    fn snapshot(&self, it: &Iterate<T>) -> Iterate<T> {
        Iterate {
            x: it.x.clone(),
            w: it.w.clone(),
            xm: it.xm.clone(),
            ym: it.ym.clone(),
            lx: Vec::new(),
            ly: Vec::new(),
        }
    }

    fn finish_best(
        &self,
        best: Option<(f64, Iterate<T>, usize)>,
        last: Iterate<T>,
        history: Vec<IterationInfo>,
        status: SdpStatus,
        why: &str,
    ) -> SdpSolution<T> {
        let (it, iteration) = match best {
            Some((_, it, k)) => (it, k),
            None => (last, history.len().saturating_sub(1)),
        };
        let res = self.residuals(&it);
        let iterations = history.len().saturating_sub(1);
        // Counted back from the end, so the message stays right after a precision switch.
        let back = iterations.saturating_sub(iteration);
        let msg = format!(
            "{why}; returning the best iterate ({back} iterations before the last: gap {:.1e}, infeasibilities {:.1e}, {:.1e})",
            res.gap, res.pinf, res.dinf
        );
        let mut sol = self.finish(it, &res, history, iterations, status, msg);
        sol.iterations = iterations;
        sol
    }

    fn finish(
        &self,
        it: Iterate<T>,
        res: &Residuals<T>,
        history: Vec<IterationInfo>,
        iterations: usize,
        status: SdpStatus,
        message: String,
    ) -> SdpSolution<T> {
        let model = self.model;
        let x: Vec<T> =
            it.x.iter()
                .zip(&model.row_scale)
                .map(|(&x, &r)| x * r)
                .collect();
        SdpSolution {
            status,
            message,
            x,
            w: it.w,
            X: it.xm,
            Y: it.ym,
            primal_objective: res.pobj,
            dual_objective: res.dobj,
            gap: res.gap,
            primal_infeasibility: res.pinf,
            dual_infeasibility: res.dinf,
            iterations,
            seconds: self.start.elapsed().as_secs_f64(),
            history,
            precision: precision_name::<T>(),
            phase_times: {
                let mut t = self.times.borrow().clone();
                t.other = (self.start.elapsed().as_secs_f64()
                    - t.schur
                    - t.factor
                    - t.directions
                    - t.steps)
                    .max(0.0);
                t
            },
        }
    }
}

/// The name of `T`'s arithmetic as results report it (`"f64"`, `"dd"`, `"mp256"`).
fn precision_name<T: Real>() -> String {
    if T::NAME == "mp" {
        format!("mp{}", T::BITS)
    } else {
        T::NAME.to_string()
    }
}
