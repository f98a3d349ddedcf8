//! Choosing the arithmetic at run time.
//!
//! [`Precision`] is what a user asks for (`precision` with `bits` or `max_bits`), an
//! [`Arithmetic`] is what one solve runs in, and [`solve_formulation`] builds a problem in that
//! scalar, solves it and reads the solution — for `auto`, escalating `f64 → dd → mp` (256,
//! 512, … bits up to `max_bits`) each time the previous arithmetic runs out of accuracy (ends
//! `numerical_error`, or stalls: see [`StallWatch`]), warm started from the previous iterate. A problem that can be built in any scalar is a
//! [`Formulation`]: the bounds build their data (polynomial coefficients, π, volumes) in the
//! working precision, not rounded from `f64`; an SDPA file is parsed to it.
//!
//! The multiprecision widths are the `Mp<L>` of [`crate::mp::MP_LIMBS`] (128, 256, 384, 512,
//! 768, 1024, 2048 and 4096 bits); `bits` rounds up to the next of them.

use crate::mp::Mp;
use crate::problem::{ProblemError, SdpProblem};
use crate::scalar::{Real, Wide, fx128};
use crate::solver::{IterationInfo, Monitor, SdpOptions, SdpSolution, SdpStatus, WarmStart};
use std::ops::ControlFlow;

/// The smallest and largest `bits` accepted, and the defaults of `bits` and `max_bits`.
pub const MIN_BITS: u32 = 64;
pub const MAX_BITS: u32 = 4096;
pub const DEFAULT_BITS: u32 = 256;
pub const DEFAULT_MAX_BITS: u32 = 1024;

/// Evaluates `$body` with `$t` the scalar type of `$arith` (one place maps widths to types).
macro_rules! with_scalar {
    ($arith:expr, $t:ident => $body:expr) => {
        match $arith {
            Arithmetic::F64 => {
                type $t = f64;
                $body
            }
            Arithmetic::DoubleDouble => {
                type $t = fx128;
                $body
            }
            Arithmetic::Mp { limbs: 2 } => {
                type $t = Mp<2>;
                $body
            }
            Arithmetic::Mp { limbs: 4 } => {
                type $t = Mp<4>;
                $body
            }
            Arithmetic::Mp { limbs: 6 } => {
                type $t = Mp<6>;
                $body
            }
            Arithmetic::Mp { limbs: 8 } => {
                type $t = Mp<8>;
                $body
            }
            Arithmetic::Mp { limbs: 12 } => {
                type $t = Mp<12>;
                $body
            }
            Arithmetic::Mp { limbs: 16 } => {
                type $t = Mp<16>;
                $body
            }
            Arithmetic::Mp { limbs: 32 } => {
                type $t = Mp<32>;
                $body
            }
            Arithmetic::Mp { .. } => {
                type $t = Mp<64>;
                $body
            }
        }
    };
}

/// The arithmetic of one solve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arithmetic {
    F64,
    DoubleDouble,
    /// `Mp<limbs>`: 64·`limbs` bits.
    Mp {
        limbs: usize,
    },
}

impl Arithmetic {
    /// The narrowest multiprecision width with at least `bits` bits (`bits` ≤ [`MAX_BITS`]).
    pub fn mp(bits: u32) -> Self {
        let limbs = crate::mp::MP_LIMBS
            .into_iter()
            .find(|&l| 64 * l as u32 >= bits)
            .unwrap_or(64);
        Arithmetic::Mp { limbs }
    }

    /// Bits of the mantissa.
    pub fn bits(self) -> u32 {
        match self {
            Arithmetic::F64 => 53,
            Arithmetic::DoubleDouble => 106,
            Arithmetic::Mp { limbs } => 64 * limbs as u32,
        }
    }

    /// `"f64"`, `"dd"`, `"mp256"`, ...
    pub fn name(self) -> String {
        match self {
            Arithmetic::F64 => "f64".into(),
            Arithmetic::DoubleDouble => "dd".into(),
            Arithmetic::Mp { limbs } => format!("mp{}", 64 * limbs),
        }
    }

    /// The smallest relative tolerance this arithmetic is asked to reach: `10^(−0.8·digits)`
    /// (an interior-point method loses a few digits to the conditioning of its last
    /// iterations; f64 1.6e-13, dd 3e-26, 256 bits 2e-62).
    pub fn tol_floor(self) -> f64 {
        10f64.powf(-0.8 * f64::from(self.bits()) * std::f64::consts::LOG10_2)
    }

    /// The factor on the default primal start `X = ξ I` (see `SdpOptions::start_scale`).
    ///
    /// A larger start keeps the first steps from blocking on the bound LPs whose solutions lie
    /// far out (the Cohn–Elkies LP in high dimension: the first ~17 of 85 iterations at
    /// n = 8, degree 63 made no progress while μ grew), but the residuals then lose about
    /// `log10(scale)` digits to cancellation. Multiprecision has digits to spare and takes
    /// 10⁶ (SDPB starts at 10²⁰): Cohn–Elkies at 512 bits, n = 8, degree 63: 85 → 60
    /// iterations; degree 31 at 256 bits: n = 16 95 → 52, n = 24 123 → 77; n = 3 a few more
    /// (49 → 53 at degree 63), same digits everywhere. f64 and dd keep 1: at 10³ dd ends
    /// `numerical_error` on n = 3 degree 31, which it solves from the default start.
    pub fn start_scale(self) -> f64 {
        match self {
            Arithmetic::F64 | Arithmetic::DoubleDouble => 1.0,
            Arithmetic::Mp { .. } => 1e6,
        }
    }
}

/// The arithmetic a user asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    /// Double precision throughout.
    F64,
    /// Double-double (`fx128`, about 32 digits) throughout: 10–50 times slower.
    DoubleDouble,
    /// `bits` bits throughout (rounded up to a width of [`crate::mp::MP_LIMBS`]).
    Mp { bits: u32 },
    /// Double precision, and when an arithmetic runs out of accuracy before the tolerances are
    /// met, the remaining iterations in the next one from its last iterate: double-double,
    /// then 256, 512, ... bits up to `max_bits`. Arithmetics that cannot reach `tol` are
    /// skipped.
    Auto { max_bits: u32 },
}

impl Default for Precision {
    fn default() -> Self {
        Precision::Auto {
            max_bits: DEFAULT_MAX_BITS,
        }
    }
}

impl Precision {
    /// From the parameters `precision` (`"f64"`, `"dd"`, `"mp"`, `"auto"`), `bits` (only with
    /// `mp`) and `max_bits` (only with `auto`); the error names the parameter.
    pub fn parse(
        name: &str,
        bits: Option<i64>,
        max_bits: Option<i64>,
    ) -> Result<Self, (&'static str, String)> {
        let check = |param: &'static str, v: i64| -> Result<u32, (&'static str, String)> {
            if (i64::from(MIN_BITS)..=i64::from(MAX_BITS)).contains(&v) {
                Ok(v as u32)
            } else {
                Err((param, format!("{v} must lie in {MIN_BITS}..={MAX_BITS}")))
            }
        };
        let precision = match name {
            "f64" => Precision::F64,
            "dd" => Precision::DoubleDouble,
            "mp" => Precision::Mp {
                bits: check("bits", bits.unwrap_or(i64::from(DEFAULT_BITS)))?,
            },
            "auto" => Precision::Auto {
                max_bits: check("max_bits", max_bits.unwrap_or(i64::from(DEFAULT_MAX_BITS)))?,
            },
            other => {
                return Err((
                    "precision",
                    format!("`{other}`: expected `f64`, `dd`, `mp` or `auto`"),
                ));
            }
        };
        if bits.is_some() && !matches!(precision, Precision::Mp { .. }) {
            return Err((
                "bits",
                format!("is for `precision: \"mp\"`, not `{name}` (use `max_bits` with `auto`)"),
            ));
        }
        if max_bits.is_some() && !matches!(precision, Precision::Auto { .. }) {
            return Err((
                "max_bits",
                format!("is for `precision: \"auto\"`, not `{name}`"),
            ));
        }
        Ok(precision)
    }

    /// The arithmetics to try, in order, for tolerance `tol`; an error when none reaches it.
    pub fn ladder(self, tol: f64) -> Result<Vec<Arithmetic>, String> {
        let rungs = match self {
            Precision::F64 => vec![Arithmetic::F64],
            Precision::DoubleDouble => vec![Arithmetic::DoubleDouble],
            Precision::Mp { bits } => vec![Arithmetic::mp(bits)],
            Precision::Auto { max_bits } => {
                let mut rungs = vec![Arithmetic::F64, Arithmetic::DoubleDouble];
                let mut bits = 256;
                while bits <= max_bits {
                    rungs.push(Arithmetic::mp(bits));
                    bits *= 2;
                }
                if max_bits > 128 && !rungs.contains(&Arithmetic::mp(max_bits)) {
                    rungs.push(Arithmetic::mp(max_bits));
                }
                rungs
            }
        };
        let reachable: Vec<Arithmetic> = rungs
            .iter()
            .copied()
            .filter(|a| tol >= a.tol_floor())
            .collect();
        if reachable.is_empty() {
            let widest = rungs.last().copied().unwrap_or(Arithmetic::F64);
            return Err(format!(
                "tol = {tol:e} is below what {} arithmetic reaches ({:.1e}); use a wider \
                 precision (`precision: \"mp\"` with more `bits`, or a larger `max_bits`)",
                widest.name(),
                widest.tol_floor()
            ));
        }
        Ok(reachable)
    }
}

/// A problem that can be built in any scalar type, and read back from its solution.
pub trait Formulation {
    /// The SDP in scalar `T` and whatever reading its solution needs.
    type Built<T: Real>;
    /// What a solve produces (a bound, a solution map, ...).
    type Output;

    fn build<T: Real>(&self) -> Result<Self::Built<T>, String>;
    fn problem<T: Real>(built: &Self::Built<T>) -> &SdpProblem<T>;
    /// Reads the result from the last solve; `solution` carries the totals of every
    /// arithmetic that ran (iterations, seconds, history, `precision` such as `"f64+dd+mp512"`).
    fn read<T: Real>(&self, built: &Self::Built<T>, solution: &SdpSolution<T>) -> Self::Output;
}

/// Solver settings that do not depend on the scalar type.
#[derive(Clone, Debug)]
pub struct SolveSettings {
    pub precision: Precision,
    /// Relative gap and infeasibilities to stop at.
    pub tol: f64,
    /// Residual below which an infeasibility certificate is accepted.
    pub infeasibility_tol: f64,
    /// Iterations in all (summed over the arithmetics that run).
    pub max_iter: usize,
    /// Threads for the dense kernels (1: sequential; 0: all).
    pub threads: usize,
    /// A starting point for the first arithmetic (from an earlier solution of a problem of the
    /// same shape), mixed with the default start by `warm_start_blend`.
    pub warm_start: Option<WarmStart<Wide>>,
    pub warm_start_blend: f64,
}

impl Default for SolveSettings {
    fn default() -> Self {
        Self {
            precision: Precision::default(),
            tol: 1e-8,
            infeasibility_tol: 1e-8,
            max_iter: 200,
            threads: 1,
            warm_start: None,
            warm_start_blend: SdpOptions::<f64>::default().warm_start_blend,
        }
    }
}

/// The outcome of one arithmetic's solve, as the escalation sees it.
struct Attempt<O> {
    output: O,
    status: SdpStatus,
    iterations: usize,
    seconds: f64,
    history: Vec<IterationInfo>,
    /// The last iterate, for the next arithmetic (only when it will run).
    warm: Option<WarmStart<Wide>>,
    /// Stopped by the [`StallWatch`] (not by the caller's monitor): the next arithmetic runs.
    stalled: bool,
}

/// Stops an arithmetic that is not the last one when it no longer makes progress, so that
/// `auto` does not spend the whole iteration budget in f64 on a problem that needs more bits
/// (a three-point sphere-packing SDP in f64 can sit at a gap of 0.8 for 200 iterations without
/// the steps ever collapsing). Progress is the largest of the gap and the two
/// infeasibilities; an arithmetic has stalled when that has not fallen by a factor
/// [`StallWatch::FACTOR`] over the last [`StallWatch::WINDOW`] iterations.
#[derive(Default)]
struct StallWatch {
    progress: Vec<f64>,
    stalled: bool,
}

impl StallWatch {
    const WINDOW: usize = 25;
    const FACTOR: f64 = 10.0;

    /// Records an iteration; `false` when the arithmetic has stalled.
    fn keep_going(&mut self, info: &IterationInfo) -> bool {
        let measures = [info.gap, info.primal_infeasibility, info.dual_infeasibility];
        // `f64::max` would drop a NaN; a NaN measure must count as no progress.
        let progress = if measures.iter().any(|v| v.is_nan()) {
            f64::NAN
        } else {
            measures.into_iter().fold(0.0, f64::max)
        };
        self.progress.push(progress);
        if let Some(&then) = self.progress.iter().rev().nth(Self::WINDOW) {
            let fell_enough = progress * Self::FACTOR <= then;
            // A NaN compares false: a stall.
            self.stalled = !fell_enough;
        }
        !self.stalled
    }
}

/// What the arithmetics before the current one did (their totals go into its solution).
#[derive(Default)]
struct Earlier {
    names: Vec<String>,
    iterations: usize,
    seconds: f64,
    history: Vec<IterationInfo>,
}

/// Builds `formulation` in the arithmetic `settings.precision` asks for, solves it and reads
/// the result (see the module docs for `auto`). Errors: a formulation that cannot be built,
/// settings that make no sense (a `tol` the precision cannot reach).
pub fn solve_formulation<F: Formulation>(
    formulation: &F,
    settings: &SolveSettings,
    monitor: &mut Monitor<'_>,
) -> Result<F::Output, String> {
    if !(settings.tol > 0.0 && settings.tol < 1.0) {
        return Err(format!("tol = {} must lie in (0, 1)", settings.tol));
    }
    let ladder = settings.precision.ladder(settings.tol)?;
    let mut earlier = Earlier::default();
    let mut warm: Option<WarmStart<Wide>> = settings.warm_start.clone();
    for (k, &arithmetic) in ladder.iter().enumerate() {
        let next_exists = k + 1 < ladder.len();
        let attempt = with_arithmetic(
            formulation,
            arithmetic,
            settings,
            warm.take(),
            &earlier,
            next_exists,
            monitor,
        )?;
        let out_of_accuracy = attempt.status == SdpStatus::NumericalError || attempt.stalled;
        let iterations_left = earlier.iterations + attempt.iterations < settings.max_iter;
        if !(out_of_accuracy && next_exists && iterations_left) {
            return Ok(attempt.output);
        }
        earlier.names.push(arithmetic.name());
        earlier.iterations += attempt.iterations;
        earlier.seconds += attempt.seconds;
        earlier.history.extend(attempt.history);
        warm = attempt.warm;
    }
    unreachable!("the last arithmetic returns")
}

/// Runs one arithmetic: the scalar type chosen at run time.
fn with_arithmetic<F: Formulation>(
    formulation: &F,
    arithmetic: Arithmetic,
    settings: &SolveSettings,
    warm: Option<WarmStart<Wide>>,
    earlier: &Earlier,
    keep_iterate: bool,
    monitor: &mut Monitor<'_>,
) -> Result<Attempt<F::Output>, String> {
    let run = RunIn {
        formulation,
        settings,
        warm,
        earlier,
        keep_iterate,
        arithmetic,
    };
    with_scalar!(arithmetic, T => run.solve::<T>(monitor))
}

/// One arithmetic's solve, with what it continues from.
struct RunIn<'a, F> {
    formulation: &'a F,
    settings: &'a SolveSettings,
    warm: Option<WarmStart<Wide>>,
    earlier: &'a Earlier,
    keep_iterate: bool,
    arithmetic: Arithmetic,
}

impl<F: Formulation> RunIn<'_, F> {
    fn solve<T: Real>(self, monitor: &mut Monitor<'_>) -> Result<Attempt<F::Output>, String> {
        let built = self.formulation.build::<T>()?;
        let problem = F::problem(&built);
        let done = self.earlier.iterations;
        let before = self.earlier.seconds;
        let options = SdpOptions::<T> {
            tol: self.settings.tol,
            infeasibility_tol: self.settings.infeasibility_tol,
            max_iter: self.settings.max_iter.saturating_sub(done).max(1),
            threads: self.settings.threads,
            warm_start: self.warm.as_ref().map(WarmStart::cast),
            // A continuation starts where the previous arithmetic stopped, mixed with the cold
            // start as any warm start is: the iterate an arithmetic ran out of accuracy at is
            // close to the cone's boundary, and taken as it is (no blend) the steps from it
            // collapsed (Cohn–Elkies n = 3, degree 63: dd → mp256 → mp512 ended
            // `numerical_error` where mp512 alone is optimal).
            warm_start_blend: self.settings.warm_start_blend,
            start_scale: self.arithmetic.start_scale(),
            ..SdpOptions::default()
        };
        let mut watch = StallWatch::default();
        let watching = self.keep_iterate;
        let mut shifted = |info: &IterationInfo| {
            let mut info = info.clone();
            info.iteration += done;
            info.seconds += before;
            monitor(&info)?;
            if watching && !watch.keep_going(&info) {
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        };
        let mut solution =
            T::solve(problem, &options, &mut shifted).map_err(|e: ProblemError| e.to_string())?;
        let stalled = watch.stalled && solution.status == SdpStatus::Cancelled;
        let own = Attempt::<()> {
            output: (),
            status: solution.status,
            iterations: solution.iterations,
            seconds: solution.seconds,
            history: solution.history.clone(),
            warm: (self.keep_iterate && (solution.status == SdpStatus::NumericalError || stalled))
                .then(|| solution.warm_start().cast()),
            stalled,
        };
        if !self.earlier.names.is_empty() {
            let mut names = self.earlier.names.clone();
            names.push(solution.precision.clone());
            let mut history = self.earlier.history.clone();
            history.extend(solution.history.iter().skip(1).map(|info| {
                let mut info = info.clone();
                info.iteration += done;
                info.seconds += before;
                info
            }));
            solution.history = history;
            solution.iterations += done;
            solution.seconds += before;
            solution.message = format!(
                "{} ({} ran out of accuracy after {done} iterations)",
                solution.message,
                self.earlier.names.join(", then ")
            );
            solution.precision = names.join("+");
        }
        let output = self.formulation.read(&built, &solution);
        Ok(Attempt {
            output,
            status: own.status,
            iterations: own.iterations,
            seconds: own.seconds,
            history: own.history,
            warm: own.warm,
            stalled: own.stalled,
        })
    }
}

/// The text forms a problem can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextFormat {
    /// SDPA sparse (`.dat-s`).
    Sdpa,
    /// The RON form (`.ron`).
    Ron,
}

/// `formulation` built in `arithmetic` and written as text (every digit of the arithmetic).
pub fn problem_text<F: Formulation>(
    formulation: &F,
    arithmetic: Arithmetic,
    format: TextFormat,
) -> Result<String, String> {
    fn write<F: Formulation, T: Real>(f: &F, format: TextFormat) -> Result<String, String> {
        let built = f.build::<T>()?;
        let problem = F::problem(&built);
        match format {
            TextFormat::Sdpa => crate::sdpa::write_sdpa(problem),
            TextFormat::Ron => Ok(crate::ron_form::write_ron(problem)),
        }
    }
    with_scalar!(arithmetic, T => write::<F, T>(formulation, format))
}

/// An already built problem, solved in the chosen arithmetic (its data rounded or widened to
/// it); the solution comes back in the problem's own scalar.
impl<W: Real> Formulation for SdpProblem<W> {
    type Built<T: Real> = SdpProblem<T>;
    type Output = SdpSolution<W>;

    fn build<T: Real>(&self) -> Result<SdpProblem<T>, String> {
        Ok(self.cast())
    }
    fn problem<T: Real>(built: &SdpProblem<T>) -> &SdpProblem<T> {
        built
    }
    fn read<T: Real>(&self, _built: &SdpProblem<T>, solution: &SdpSolution<T>) -> SdpSolution<W> {
        solution.cast()
    }
}

/// Solves an already built problem in `precision` (its data rounded or widened to each
/// arithmetic); `options` as for [`solve_with_monitor`], with `max_iter` over all arithmetics.
pub fn solve_in_precision<W: Real>(
    problem: &SdpProblem<W>,
    precision: Precision,
    options: &SdpOptions<W>,
    monitor: &mut Monitor<'_>,
) -> Result<SdpSolution<W>, String> {
    let settings = SolveSettings {
        precision,
        tol: options.tol,
        infeasibility_tol: options.infeasibility_tol,
        max_iter: options.max_iter,
        threads: options.threads,
        warm_start: options.warm_start.as_ref().map(WarmStart::cast),
        warm_start_blend: options.warm_start_blend,
    };
    solve_formulation(problem, &settings, monitor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(iteration: usize, gap: f64) -> IterationInfo {
        IterationInfo {
            iteration,
            primal_objective: 0.0,
            dual_objective: 0.0,
            gap,
            primal_infeasibility: 0.0,
            dual_infeasibility: 0.0,
            mu: 0.0,
            alpha_primal: 1.0,
            alpha_dual: 1.0,
            sigma: 0.1,
            seconds: 0.0,
        }
    }

    #[test]
    fn a_stalled_arithmetic_is_stopped_and_a_converging_one_is_not() {
        // Slow but steady: a factor 10 every 20 iterations never stalls.
        let mut steady = StallWatch::default();
        assert!((0..200).all(|k| steady.keep_going(&info(k, 10f64.powf(-(k as f64) / 20.0)))));
        // Stuck at 0.8 (as f64 on a three-point sphere-packing SDP): stopped after the window.
        let mut stuck = StallWatch::default();
        let kept = (0..200)
            .take_while(|&k| stuck.keep_going(&info(k, 0.8)))
            .count();
        assert_eq!(kept, StallWatch::WINDOW);
        assert!(stuck.stalled);
        // A NaN gap is no progress.
        let mut nan = StallWatch::default();
        assert!(!(0..100).all(|k| nan.keep_going(&info(k, f64::NAN))));
    }

    #[test]
    fn bits_round_up_to_a_built_in_width() {
        assert_eq!(Arithmetic::mp(64), Arithmetic::Mp { limbs: 2 });
        assert_eq!(Arithmetic::mp(256), Arithmetic::Mp { limbs: 4 });
        assert_eq!(Arithmetic::mp(300), Arithmetic::Mp { limbs: 6 });
        assert_eq!(Arithmetic::mp(513), Arithmetic::Mp { limbs: 12 });
        assert_eq!(Arithmetic::mp(4096), Arithmetic::Mp { limbs: 64 });
        assert_eq!(Arithmetic::mp(300).name(), "mp384");
    }

    #[test]
    fn parameters_are_checked_by_name() {
        assert_eq!(
            Precision::parse("mp", None, None),
            Ok(Precision::Mp { bits: 256 })
        );
        assert_eq!(
            Precision::parse("auto", None, Some(2048)),
            Ok(Precision::Auto { max_bits: 2048 })
        );
        assert_eq!(
            Precision::parse("mp", Some(63), None).unwrap_err().0,
            "bits"
        );
        assert_eq!(
            Precision::parse("mp", Some(5000), None).unwrap_err().0,
            "bits"
        );
        assert_eq!(
            Precision::parse("dd", Some(512), None).unwrap_err().0,
            "bits"
        );
        assert_eq!(
            Precision::parse("mp", None, Some(512)).unwrap_err().0,
            "max_bits"
        );
        assert_eq!(
            Precision::parse("quad", None, None).unwrap_err().0,
            "precision"
        );
    }

    #[test]
    fn auto_climbs_to_max_bits_and_skips_what_cannot_reach_tol() {
        let names = |p: Precision, tol: f64| -> Vec<String> {
            p.ladder(tol)
                .unwrap()
                .into_iter()
                .map(Arithmetic::name)
                .collect()
        };
        let auto = Precision::default();
        assert_eq!(names(auto, 1e-8), ["f64", "dd", "mp256", "mp512", "mp1024"]);
        assert_eq!(names(auto, 1e-40), ["mp256", "mp512", "mp1024"]);
        assert_eq!(
            names(Precision::Auto { max_bits: 700 }, 1e-8),
            ["f64", "dd", "mp256", "mp512", "mp768"]
        );
        assert!(
            Precision::F64
                .ladder(1e-20)
                .unwrap_err()
                .contains("tol = 1e-20")
        );
        assert!(Precision::Mp { bits: 128 }.ladder(1e-60).is_err());
    }
}
