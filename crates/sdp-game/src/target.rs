//! The games: a target's vocabulary of building blocks, its continuous parameters, and how a
//! formulation becomes a typed [`Job`] for the bound that solves it.
//!
//! A formulation is `(θ, B)`: `θ` in the box of [`Target::params`], `B` a set of block indices
//! whose total cost is at most [`Target::cost_cap`]. The default formulation (the "baseline")
//! is [`Target::default_params`] with [`Target::default_blocks`]; its cost is the cap, so the
//! search competes with the standard formulation at equal cost.

use boundlab_sphere_bounds::cdls::{Multiplier as CdlsMultiplier, full_kernel};
use boundlab_sphere_bounds::three_point::Multiplier as KissingMultiplier;

use crate::error::{GameError, GameResult};

/// A formulation as its bound takes it: the structural choices a search varies. The solve
/// settings shared by every job (precision, tolerance, fixed options of the bound) are the
/// caller's to add.
#[derive(Clone, Debug, PartialEq)]
pub enum Job {
    /// The Cohn–Elkies LP (`sdp.cohn_elkies`).
    CohnElkies {
        dim: usize,
        degree: usize,
        radius: f64,
        /// Laguerre indices `k` of the terms `f` may use.
        terms: Vec<usize>,
        /// Products `L_i·L_j` besides the terms.
        products: Vec<(usize, usize)>,
    },
    /// The Bachoc–Vallentin three-point kissing bound (`sdp.three_point`).
    ThreePointKissing {
        dim: usize,
        degree: usize,
        sk: Vec<usize>,
        gegenbauer_terms: Vec<usize>,
        /// The trivariate multipliers, the constant one first.
        multipliers: Vec<KissingMultiplier>,
        grid_extra: usize,
    },
    /// The Cohn–de Laat–Salmon truncated three-point bound (`sdp.sphere_packing_3pt`).
    SpherePacking3pt {
        dim: usize,
        r: f64,
        big_r: f64,
        /// Kernel basis functions `(k, i)` of `f₃`.
        kernel: Vec<(usize, usize)>,
        multipliers: Vec<CdlsMultiplier>,
    },
}

/// What a solved job reports back to the search.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The solver's status (`optimal`, `numerical_error`, ...).
    pub status: String,
    /// The bound, meaningful only when `status` is `optimal`.
    pub bound: f64,
    pub message: String,
    /// The solve's own time, when it reports one.
    pub seconds: Option<f64>,
}

/// A formulation in words: its parameters, and its blocks' names by group.
#[derive(Clone, Debug, PartialEq)]
pub struct Description {
    pub params: Vec<(String, f64)>,
    pub groups: Vec<(&'static str, Vec<String>)>,
}

/// A continuous parameter of a formulation.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamSpec {
    pub name: String,
    pub lo: f64,
    pub hi: f64,
    pub default: f64,
    /// Rounded to an integer in the job (a count such as a grid size).
    pub integer: bool,
}

/// A building block of the vocabulary.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockSpec {
    /// Readable and unique: `L7`, `F3.1`, `gram`, ...
    pub name: String,
    /// The part it belongs to (value-model features count blocks per group).
    pub group: usize,
    pub cost: f64,
    /// A degree-like size (value-model feature: the largest chosen per group).
    pub degree: f64,
}

/// One game.
pub trait Target: Send + Sync {
    /// The target's name (`cohn_elkies`, `three_point_kissing`, `sphere_packing_3pt`).
    fn name(&self) -> &str;
    /// The algorithm id that solves a formulation (`sdp.cohn_elkies`, ...).
    fn algorithm_id(&self) -> &str;
    fn dim(&self) -> usize;
    fn params(&self) -> &[ParamSpec];
    fn blocks(&self) -> &[BlockSpec];
    /// Names of the block groups (for readable formulations).
    fn group_names(&self) -> &[&'static str];
    fn cost_cap(&self) -> f64;
    fn default_blocks(&self) -> Vec<usize>;
    /// Whether a formulation with these blocks (sorted) may be solved.
    fn complete(&self, blocks: &[usize]) -> bool;
    /// The job that solves the formulation (`θ` already rounded, in the parameters' units).
    fn job(&self, theta: &[f64], blocks: &[usize]) -> Job;
    /// A one-line summary of the options that shape the vocabulary (a resumed search must
    /// have the same).
    fn signature(&self) -> String;

    fn default_params(&self) -> Vec<f64> {
        self.params().iter().map(|p| p.default).collect()
    }

    fn cost(&self, blocks: &[usize]) -> f64 {
        blocks.iter().map(|&b| self.blocks()[b].cost).sum()
    }

    /// Whether `block` may be added to `chosen` within the cost cap.
    fn admissible(&self, chosen: &[usize], block: usize) -> bool {
        !chosen.contains(&block)
            && self.cost(chosen) + self.blocks()[block].cost <= self.cost_cap() + 1e-9
    }

    /// Value-model features of a (partial) formulation: `θ` scaled to the unit cube, its
    /// squares, block indicators, the count and the largest degree per group, the cost share.
    fn features(&self, unit_theta: &[f64], blocks: &[usize]) -> Vec<f64> {
        let vocab = self.blocks();
        let groups = self.group_names().len();
        let mut f = Vec::with_capacity(2 * unit_theta.len() + vocab.len() + 2 * groups + 1);
        f.extend_from_slice(unit_theta);
        f.extend(unit_theta.iter().map(|x| x * x));
        let mut ind = vec![0.0; vocab.len()];
        let mut count = vec![0.0; groups];
        let mut top = vec![0.0f64; groups];
        let max_deg = vocab.iter().map(|b| b.degree).fold(1.0f64, f64::max);
        for &b in blocks {
            ind[b] = 1.0;
            count[vocab[b].group] += 1.0;
            top[vocab[b].group] = top[vocab[b].group].max(vocab[b].degree / max_deg);
        }
        f.extend(ind);
        let n = vocab.len().max(1) as f64;
        f.extend(count.iter().map(|c| c / n));
        f.extend(top);
        f.push(self.cost(blocks) / self.cost_cap().max(1e-12));
        f
    }

    /// Features of the value model's Gaussian process: `θ` in the unit cube and the block
    /// indicators.
    fn gp_features(&self, unit_theta: &[f64], blocks: &[usize]) -> Vec<f64> {
        let mut f = unit_theta.to_vec();
        let mut ind = vec![0.0; self.blocks().len()];
        for &b in blocks {
            ind[b] = 1.0;
        }
        f.extend(ind);
        f
    }

    /// The formulation in words: parameters and blocks by group.
    fn describe(&self, theta: &[f64], blocks: &[usize]) -> Description {
        let params = self
            .params()
            .iter()
            .zip(theta)
            .map(|(p, v)| (p.name.clone(), *v))
            .collect();
        let groups = self
            .group_names()
            .iter()
            .enumerate()
            .map(|(g, gname)| {
                let names = blocks
                    .iter()
                    .filter(|&&b| self.blocks()[b].group == g)
                    .map(|&b| self.blocks()[b].name.clone())
                    .collect();
                (*gname, names)
            })
            .collect();
        Description { params, groups }
    }
}

/// Rounds to 6 significant digits (formulation keys and jobs use the rounded value, so that a
/// formulation re-solves to the same number).
pub fn round6(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{x:.5e}").parse().unwrap_or(x)
}

/// The canonical key of a formulation: target, dimension, rounded parameters, sorted block
/// names. Equal keys mean equal jobs.
pub fn canonical_key(target: &dyn Target, theta: &[f64], blocks: &[usize]) -> String {
    let mut sorted = blocks.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let params: Vec<String> = target
        .params()
        .iter()
        .zip(theta)
        .map(|(p, v)| format!("{}={:.5e}", p.name, v))
        .collect();
    let names: Vec<&str> = sorted
        .iter()
        .map(|&b| target.blocks()[b].name.as_str())
        .collect();
    format!(
        "{}|n={}|{}|{}",
        target.name(),
        target.dim(),
        params.join(","),
        names.join("+")
    )
}

fn check_range(name: &str, lo: f64, hi: f64) -> GameResult<()> {
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Err(GameError::bad_setting(
            "ranges",
            format!("{name}: [{lo}, {hi}] is not an interval"),
        ));
    }
    Ok(())
}

/// Options shared by the targets, from `sdp.game`'s parameters.
#[derive(Clone, Debug)]
pub struct TargetOptions {
    pub dim: usize,
    /// The default formulation's degree (`None`: the target's default).
    pub degree: Option<usize>,
    /// The vocabulary's degree cap (`None`: the target's default).
    pub max_degree: Option<usize>,
    /// `cohn_elkies`: the number `b` of base Laguerre functions `L_0..L_{b−1}` whose products
    /// `L_i·L_j` (`1 ≤ i ≤ j`, `i + j ≤ max_degree`) join the vocabulary; 0: none.
    pub base_polynomials: usize,
    /// Parameter ranges to override: name → `[lo, hi]`.
    pub ranges: Vec<(String, f64, f64)>,
}

impl TargetOptions {
    fn apply_ranges(&self, params: &mut [ParamSpec]) -> GameResult<()> {
        for (name, lo, hi) in &self.ranges {
            let Some(p) = params.iter_mut().find(|p| &p.name == name) else {
                let known: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
                return Err(GameError::bad_setting(
                    "ranges",
                    format!("no parameter `{name}` (this target has {known:?})"),
                ));
            };
            check_range(name, *lo, *hi)?;
            p.lo = *lo;
            p.hi = *hi;
            p.default = p.default.clamp(*lo, *hi);
        }
        Ok(())
    }
}

/// The target named `name`.
pub fn make_target(name: &str, options: TargetOptions) -> GameResult<Box<dyn Target>> {
    match name {
        "cohn_elkies" => Ok(Box::new(CohnElkiesTarget::new(options)?)),
        "three_point_kissing" => Ok(Box::new(ThreePointTarget::new(options)?)),
        "sphere_packing_3pt" => Ok(Box::new(SpherePacking3pt::new(options)?)),
        other => Err(GameError::bad_setting(
            "target",
            format!(
                "`{other}`: expected `cohn_elkies`, `three_point_kissing` or `sphere_packing_3pt`"
            ),
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// cohn_elkies

/// The Cohn–Elkies LP: parameter the sign-change radius `r`; blocks the Laguerre terms
/// `L_k^{n/2−1}(2π|x|²) e^{−π|x|²}`, `k ≤ max_degree` (default `degree + 4`), and with
/// `base_polynomials: b` the products `L_i·L_j` (`1 ≤ i ≤ j < b`, `i + j ≤ max_degree`: the
/// paper's monomials of base polynomials), each of cost 1; the default is `k = 0..=degree` at
/// `r = √(1 + n/8)`.
pub struct CohnElkiesTarget {
    options: TargetOptions,
    degree: usize,
    max_degree: usize,
    params: Vec<ParamSpec>,
    blocks: Vec<BlockSpec>,
    /// The product blocks `L_i·L_j`, after the `max_degree + 1` term blocks.
    products: Vec<(usize, usize)>,
}

impl CohnElkiesTarget {
    pub fn new(options: TargetOptions) -> GameResult<Self> {
        let n = options.dim;
        if !(1..=64).contains(&n) {
            return Err(GameError::bad_setting(
                "dim",
                format!("{n}: cohn_elkies needs 1 <= dim <= 64"),
            ));
        }
        let degree = options.degree.unwrap_or(12);
        let max_degree = options.max_degree.unwrap_or(degree + 4);
        if !(2..=100).contains(&degree) || max_degree < degree || max_degree > 200 {
            return Err(GameError::bad_setting(
                "degree",
                format!(
                    "degree {degree}, max_degree {max_degree}: need 2 <= degree <= max_degree <= 200"
                ),
            ));
        }
        let r0 = boundlab_sphere_bounds::cohn_elkies::default_radius(n);
        let mut params = vec![ParamSpec {
            name: "radius".into(),
            lo: 0.8 * r0,
            hi: 1.25 * r0,
            default: round6(r0),
            integer: false,
        }];
        options.apply_ranges(&mut params)?;
        let mut blocks: Vec<BlockSpec> = (0..=max_degree)
            .map(|k| BlockSpec {
                name: format!("L{k}"),
                group: 0,
                cost: 1.0,
                degree: k as f64,
            })
            .collect();
        let base = options.base_polynomials;
        let products: Vec<(usize, usize)> = (1..base)
            .flat_map(|i| (i..base).map(move |j| (i, j)))
            .filter(|&(i, j)| i + j <= max_degree)
            .collect();
        blocks.extend(products.iter().map(|&(i, j)| BlockSpec {
            name: format!("L{i}*L{j}"),
            group: 1,
            cost: 1.0,
            degree: (i + j) as f64,
        }));
        Ok(Self {
            options,
            degree,
            max_degree,
            params,
            blocks,
            products,
        })
    }
}

impl Target for CohnElkiesTarget {
    fn name(&self) -> &str {
        "cohn_elkies"
    }
    fn algorithm_id(&self) -> &str {
        "sdp.cohn_elkies"
    }
    fn dim(&self) -> usize {
        self.options.dim
    }
    fn params(&self) -> &[ParamSpec] {
        &self.params
    }
    fn blocks(&self) -> &[BlockSpec] {
        &self.blocks
    }
    fn group_names(&self) -> &[&'static str] {
        &["terms", "products"]
    }
    fn cost_cap(&self) -> f64 {
        (self.degree + 1) as f64
    }
    fn default_blocks(&self) -> Vec<usize> {
        (0..=self.degree).collect()
    }
    fn complete(&self, blocks: &[usize]) -> bool {
        // f needs a Laguerre term (its weight is the one f̂(0) = 1 eliminates) and one more
        // basis function.
        blocks.len() >= 2 && blocks.iter().any(|&b| b <= self.max_degree)
    }
    fn job(&self, theta: &[f64], blocks: &[usize]) -> Job {
        let nt = self.max_degree + 1;
        let terms: Vec<usize> = blocks.iter().copied().filter(|&b| b < nt).collect();
        let products: Vec<(usize, usize)> = blocks
            .iter()
            .filter(|&&b| b >= nt)
            .map(|&b| self.products[b - nt])
            .collect();
        let degree = terms
            .iter()
            .copied()
            .chain(products.iter().map(|&(i, j)| i + j))
            .max()
            .unwrap_or(1)
            .max(1);
        Job::CohnElkies {
            dim: self.options.dim,
            degree,
            radius: theta[0],
            terms,
            products,
        }
    }
    fn signature(&self) -> String {
        format!(
            "cohn_elkies n={} degree={} max_degree={} radius=[{}, {}]{}",
            self.options.dim,
            self.degree,
            self.max_degree,
            self.params[0].lo,
            self.params[0].hi,
            if self.products.is_empty() {
                String::new()
            } else {
                format!(" base_polynomials={}", self.options.base_polynomials)
            }
        )
    }
}

// ---------------------------------------------------------------------------------------------
// three_point_kissing

/// The Bachoc–Vallentin three-point bound for the kissing number (Mittelmann–Vallentin form):
/// blocks `S_k` (`k ≤ max_degree`), Gegenbauer terms `a_k` (`1 ≤ k ≤ 2·max_degree`) and the
/// trivariate multipliers beyond the constant one, each of cost 1; the parameter is the sample
/// grid's size (`grid_extra`). The default is `s_degree(n)`: all `S_k`, `a_k` of degree
/// `degree` with Mittelmann–Vallentin's multipliers.
pub struct ThreePointTarget {
    options: TargetOptions,
    degree: usize,
    max_degree: usize,
    params: Vec<ParamSpec>,
    blocks: Vec<BlockSpec>,
}

/// The trivariate multipliers the vocabulary offers (the constant one is always in).
const KISSING_MULTIPLIERS: [KissingMultiplier; 5] = [
    KissingMultiplier::SeparateP,
    KissingMultiplier::SumP,
    KissingMultiplier::SumPP,
    KissingMultiplier::Ppp,
    KissingMultiplier::Gram,
];

impl ThreePointTarget {
    pub fn new(options: TargetOptions) -> GameResult<Self> {
        let n = options.dim;
        if !(3..=200).contains(&n) {
            return Err(GameError::bad_setting(
                "dim",
                format!("{n}: three_point_kissing needs 3 <= dim <= 200"),
            ));
        }
        let degree = options.degree.unwrap_or(4);
        let max_degree = options.max_degree.unwrap_or(degree + 1);
        if !(1..=20).contains(&degree) || max_degree < degree || max_degree > 20 {
            return Err(GameError::bad_setting(
                "degree",
                format!(
                    "degree {degree}, max_degree {max_degree}: need 1 <= degree <= max_degree <= 20"
                ),
            ));
        }
        let mut params = vec![ParamSpec {
            name: "grid_extra".into(),
            lo: 0.0,
            hi: 8.0,
            default: 0.0,
            integer: true,
        }];
        options.apply_ranges(&mut params)?;
        let mut blocks: Vec<BlockSpec> = (0..=max_degree)
            .map(|k| BlockSpec {
                name: format!("S{k}"),
                group: 0,
                cost: 1.0,
                degree: k as f64,
            })
            .collect();
        blocks.extend((1..=2 * max_degree).map(|k| BlockSpec {
            name: format!("a{k}"),
            group: 1,
            cost: 1.0,
            degree: k as f64 / 2.0,
        }));
        blocks.extend(KISSING_MULTIPLIERS.iter().map(|m| BlockSpec {
            name: m.name().into(),
            group: 2,
            cost: 1.0,
            degree: m.degree() as f64 / 2.0,
        }));
        Ok(Self {
            options,
            degree,
            max_degree,
            params,
            blocks,
        })
    }

    fn split(&self, blocks: &[usize]) -> (Vec<usize>, Vec<usize>, Vec<KissingMultiplier>) {
        let ns = self.max_degree + 1;
        let na = 2 * self.max_degree;
        let mut sk = Vec::new();
        let mut ak = Vec::new();
        let mut mult = Vec::new();
        for &b in blocks {
            if b < ns {
                sk.push(b);
            } else if b < ns + na {
                ak.push(b - ns + 1);
            } else {
                mult.push(KISSING_MULTIPLIERS[b - ns - na]);
            }
        }
        (sk, ak, mult)
    }
}

impl Target for ThreePointTarget {
    fn name(&self) -> &str {
        "three_point_kissing"
    }
    fn algorithm_id(&self) -> &str {
        "sdp.three_point"
    }
    fn dim(&self) -> usize {
        self.options.dim
    }
    fn params(&self) -> &[ParamSpec] {
        &self.params
    }
    fn blocks(&self) -> &[BlockSpec] {
        &self.blocks
    }
    fn group_names(&self) -> &[&'static str] {
        &["sk", "gegenbauer_terms", "multipliers"]
    }
    fn cost_cap(&self) -> f64 {
        self.default_blocks().len() as f64
    }
    fn default_blocks(&self) -> Vec<usize> {
        let ns = self.max_degree + 1;
        let na = 2 * self.max_degree;
        let mut b: Vec<usize> = (0..=self.degree).collect();
        b.extend((1..=2 * self.degree).map(|k| ns + k - 1));
        // Mittelmann–Vallentin's multipliers: the separate p(u), p(v), p(t) and the Gram
        // determinant.
        b.push(ns + na);
        b.push(ns + na + 4);
        b
    }
    fn complete(&self, blocks: &[usize]) -> bool {
        let (_, ak, _) = self.split(blocks);
        !ak.is_empty()
    }
    fn job(&self, theta: &[f64], blocks: &[usize]) -> Job {
        let (sk, ak, mult) = self.split(blocks);
        let degree = sk
            .iter()
            .copied()
            .chain(ak.iter().map(|k| k.div_ceil(2)))
            .max()
            .unwrap_or(1)
            .max(1);
        let mut multipliers = vec![KissingMultiplier::One];
        multipliers.extend(mult);
        Job::ThreePointKissing {
            dim: self.options.dim,
            degree,
            sk,
            gegenbauer_terms: ak,
            multipliers,
            grid_extra: theta[0].round().max(0.0) as usize,
        }
    }
    fn signature(&self) -> String {
        format!(
            "three_point_kissing n={} degree={} max_degree={} grid_extra=[{}, {}]",
            self.options.dim, self.degree, self.max_degree, self.params[0].lo, self.params[0].hi
        )
    }
}

// ---------------------------------------------------------------------------------------------
// sphere_packing_3pt

/// The Cohn–de Laat–Salmon truncated three-point bound ([`super::cdls`]): parameters `r` and
/// `R`; blocks the kernel basis functions `(k, i)` of `f₃` with `2i + k ≤ max_degree` and the
/// trivariate multipliers, each of cost 1. The default is the full kernel of degree `degree`
/// (9) with the four basic multipliers at `r = 1`, `R = 1.664634`.
pub struct SpherePacking3pt {
    options: TargetOptions,
    degree: usize,
    max_degree: usize,
    params: Vec<ParamSpec>,
    blocks: Vec<BlockSpec>,
    kernel: Vec<(usize, usize)>,
}

impl SpherePacking3pt {
    pub fn new(options: TargetOptions) -> GameResult<Self> {
        let n = options.dim;
        if !(2..=32).contains(&n) {
            return Err(GameError::bad_setting(
                "dim",
                format!("{n}: sphere_packing_3pt needs 2 <= dim <= 32"),
            ));
        }
        let degree = options.degree.unwrap_or(9);
        let max_degree = options.max_degree.unwrap_or(degree + 2);
        if !(1..=16).contains(&degree) || max_degree < degree || max_degree > 16 {
            return Err(GameError::bad_setting(
                "degree",
                format!(
                    "degree {degree}, max_degree {max_degree}: need 1 <= degree <= max_degree <= 16"
                ),
            ));
        }
        let mut params = vec![
            ParamSpec {
                name: "r".into(),
                lo: 0.85,
                hi: 1.15,
                default: 1.0,
                integer: false,
            },
            ParamSpec {
                name: "R".into(),
                lo: 1.2,
                hi: 2.2,
                default: 1.664634,
                integer: false,
            },
        ];
        options.apply_ranges(&mut params)?;
        let kernel = full_kernel(max_degree);
        let mut blocks: Vec<BlockSpec> = kernel
            .iter()
            .map(|&(k, i)| BlockSpec {
                name: format!("F{k}.{i}"),
                group: 0,
                cost: 1.0,
                degree: (2 * i + k) as f64,
            })
            .collect();
        blocks.extend(CdlsMultiplier::ALL.iter().map(|m| BlockSpec {
            name: m.name().into(),
            group: 1,
            cost: 1.0,
            degree: m.degree() as f64,
        }));
        Ok(Self {
            options,
            degree,
            max_degree,
            params,
            blocks,
            kernel,
        })
    }
}

impl Target for SpherePacking3pt {
    fn name(&self) -> &str {
        "sphere_packing_3pt"
    }
    fn algorithm_id(&self) -> &str {
        "sdp.sphere_packing_3pt"
    }
    fn dim(&self) -> usize {
        self.options.dim
    }
    fn params(&self) -> &[ParamSpec] {
        &self.params
    }
    fn blocks(&self) -> &[BlockSpec] {
        &self.blocks
    }
    fn group_names(&self) -> &[&'static str] {
        &["kernel", "multipliers"]
    }
    fn cost_cap(&self) -> f64 {
        self.default_blocks().len() as f64
    }
    fn default_blocks(&self) -> Vec<usize> {
        let mut b: Vec<usize> = self
            .kernel
            .iter()
            .enumerate()
            .filter(|(_, (k, i))| 2 * i + k <= self.degree)
            .map(|(j, _)| j)
            .collect();
        let nk = self.kernel.len();
        b.extend(
            CdlsMultiplier::ALL
                .iter()
                .enumerate()
                .filter(|(_, m)| CdlsMultiplier::BASIC.contains(m))
                .map(|(j, _)| nk + j),
        );
        b
    }
    fn complete(&self, _blocks: &[usize]) -> bool {
        true
    }
    fn job(&self, theta: &[f64], blocks: &[usize]) -> Job {
        let nk = self.kernel.len();
        Job::SpherePacking3pt {
            dim: self.options.dim,
            r: theta[0],
            big_r: theta[1],
            kernel: blocks
                .iter()
                .filter(|&&b| b < nk)
                .map(|&b| self.kernel[b])
                .collect(),
            multipliers: blocks
                .iter()
                .filter(|&&b| b >= nk)
                .map(|&b| CdlsMultiplier::ALL[b - nk])
                .collect(),
        }
    }
    fn signature(&self) -> String {
        format!(
            "sphere_packing_3pt n={} degree={} max_degree={} r=[{}, {}] R=[{}, {}]",
            self.options.dim,
            self.degree,
            self.max_degree,
            self.params[0].lo,
            self.params[0].hi,
            self.params[1].lo,
            self.params[1].hi
        )
    }
}
