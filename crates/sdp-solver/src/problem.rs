//! [`SdpProblem`]: a block-diagonal SDP in the SDPA convention, built piece by piece.
//!
//! ```text
//! primal:  minimise  c·x            subject to  X = Σ_i x_i F_i − F_0 ⪰ 0,   Gᵀx = b
//! dual:    maximise  F_0•Y + b·w    subject to  F_i•Y + (G w)_i = c_i,       Y ⪰ 0
//! ```
//!
//! Every matrix is block diagonal with the same block structure: positive semidefinite blocks
//! and LP (diagonal, nonnegative) blocks. `w` are optional free variables of the dual (the
//! coefficients of a polynomial in a sum-of-squares certificate are free); without them
//! (`k = 0`) this is exactly SDPA's problem. A constraint matrix `F_i` is given block by block
//! as sparse entries, as a sum of weighted rank-one terms `Σ λ v vᵀ` (sampled polynomial
//! identities), or both; the solver exploits either form in the Schur complement.
//!
//! Indices count from 0 here (the SDPA file format counts from 1).

use crate::scalar::Real;

/// The shape of one diagonal block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum BlockKind {
    /// An `n × n` positive semidefinite block.
    Psd(usize),
    /// `n` nonnegative scalars (a diagonal block).
    Lp(usize),
}

impl BlockKind {
    pub fn dim(self) -> usize {
        match self {
            BlockKind::Psd(n) | BlockKind::Lp(n) => n,
        }
    }

    /// The SDPA block size: positive for a PSD block, negative for an LP block.
    pub fn sdpa_size(self) -> i64 {
        match self {
            BlockKind::Psd(n) => n as i64,
            BlockKind::Lp(n) => -(n as i64),
        }
    }

    /// From an SDPA block size; `None` for 0.
    pub fn from_sdpa(size: i64) -> Option<Self> {
        match size {
            0 => None,
            s if s > 0 => Some(BlockKind::Psd(s as usize)),
            s => Some(BlockKind::Lp(s.unsigned_abs() as usize)),
        }
    }

    pub fn is_lp(self) -> bool {
        matches!(self, BlockKind::Lp(_))
    }
}

/// One block of a symmetric constraint (or objective) matrix.
#[derive(Clone, Debug, PartialEq)]
pub enum Part<T> {
    /// Entries `(i, j, v)` with `i ≤ j` meaning `F[i][j] = F[j][i] = v`; repeated positions
    /// add up. In an LP block only diagonal entries `(i, i, v)` are allowed.
    Entries(Vec<(usize, usize, T)>),
    /// `Σ_k λ_k v_k v_kᵀ`, terms `(λ_k, v_k)`; PSD blocks only.
    LowRank(Vec<(T, Vec<T>)>),
}

/// A part placed in a block.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockPart<T> {
    pub block: usize,
    pub part: Part<T>,
}

/// A block-diagonal SDP; see the module documentation for the convention.
#[derive(Clone, Debug, PartialEq)]
pub struct SdpProblem<T> {
    pub blocks: Vec<BlockKind>,
    /// `c`, one entry per constraint.
    pub c: Vec<T>,
    /// `F_0`, as parts (several parts in one block add up).
    pub f0: Vec<BlockPart<T>>,
    /// `F_i`, one list of parts per constraint.
    pub constraints: Vec<Vec<BlockPart<T>>>,
    /// `b`, one entry per free variable.
    pub free_objective: Vec<T>,
    /// `G`, as `(i, k, G_ik)`: constraint `i`, free variable `k`; repeats add up.
    pub free_coefficients: Vec<(usize, usize, T)>,
}

/// A problem that does not make sense, with the place that is wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct ProblemError(pub String);

impl std::fmt::Display for ProblemError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ProblemError {}

impl<T: Real> SdpProblem<T> {
    /// An empty problem (no constraints) on the given blocks.
    pub fn new(blocks: Vec<BlockKind>) -> Self {
        Self {
            blocks,
            c: Vec::new(),
            f0: Vec::new(),
            constraints: Vec::new(),
            free_objective: Vec::new(),
            free_coefficients: Vec::new(),
        }
    }

    /// The number of constraints `m` (the length of `x`).
    pub fn num_constraints(&self) -> usize {
        self.c.len()
    }

    pub fn num_free(&self) -> usize {
        self.free_objective.len()
    }

    /// Σ of block dimensions: the `n` in `μ = X•Y / n`.
    pub fn total_dim(&self) -> usize {
        self.blocks.iter().map(|b| b.dim()).sum()
    }

    /// Adds constraint `F_i•Y (+ G_i·w) = c_i` with `F_i = 0` for now; returns `i`.
    pub fn add_constraint(&mut self, c: T) -> usize {
        self.c.push(c);
        self.constraints.push(Vec::new());
        self.c.len() - 1
    }

    /// Adds `v` at `(row, col)` and `(col, row)` of block `block` of `F_constraint`.
    pub fn add_entry(&mut self, constraint: usize, block: usize, row: usize, col: usize, value: T) {
        let parts = &mut self.constraints[constraint];
        push_entry(parts, block, row, col, value);
    }

    /// Adds `weight · v vᵀ` to block `block` of `F_constraint`.
    pub fn add_rank_one(&mut self, constraint: usize, block: usize, weight: T, v: Vec<T>) {
        push_rank_one(&mut self.constraints[constraint], block, weight, v);
    }

    /// Adds `v` at `(row, col)` and `(col, row)` of block `block` of `F_0`.
    pub fn add_objective_entry(&mut self, block: usize, row: usize, col: usize, value: T) {
        push_entry(&mut self.f0, block, row, col, value);
    }

    /// Adds `weight · v vᵀ` to block `block` of `F_0`.
    pub fn add_objective_rank_one(&mut self, block: usize, weight: T, v: Vec<T>) {
        push_rank_one(&mut self.f0, block, weight, v);
    }

    /// Adds a free dual variable `w_k` with objective coefficient `b_k`; returns `k`.
    pub fn add_free_variable(&mut self, b: T) -> usize {
        self.free_objective.push(b);
        self.free_objective.len() - 1
    }

    /// Adds `g · w_k` to constraint `constraint`.
    pub fn add_free_coefficient(&mut self, constraint: usize, k: usize, g: T) {
        self.free_coefficients.push((constraint, k, g));
    }

    /// Checks sizes, indices and values; the message names the constraint, block and entry.
    pub fn validate(&self) -> Result<(), ProblemError> {
        let err = |msg: String| Err(ProblemError(msg));
        if self.blocks.is_empty() {
            return err("the problem has no blocks".into());
        }
        if let Some(b) = self.blocks.iter().position(|b| b.dim() == 0) {
            return err(format!("block {b} has size 0"));
        }
        if self.constraints.len() != self.c.len() {
            return err(format!(
                "{} constraint matrices but c has {} entries",
                self.constraints.len(),
                self.c.len()
            ));
        }
        if self.c.is_empty() {
            return err("the problem has no constraints (m = 0)".into());
        }
        if let Some(i) = self.c.iter().position(|v| !v.is_finite_value()) {
            return err(format!("c[{i}] is not finite"));
        }
        if let Some(k) = self
            .free_objective
            .iter()
            .position(|v| !v.is_finite_value())
        {
            return err(format!("free objective b[{k}] is not finite"));
        }
        self.check_parts(&self.f0, "F0")?;
        let mut used = vec![false; self.c.len()];
        for (i, parts) in self.constraints.iter().enumerate() {
            self.check_parts(parts, &format!("constraint {i}"))?;
            used[i] = parts.iter().any(|p| part_is_nonzero(&p.part));
        }
        for &(i, k, g) in &self.free_coefficients {
            if i >= self.c.len() {
                return err(format!(
                    "free coefficient names constraint {i}, but m = {}",
                    self.c.len()
                ));
            }
            if k >= self.free_objective.len() {
                return err(format!(
                    "free coefficient names free variable {k}, but there are {}",
                    self.free_objective.len()
                ));
            }
            if !g.is_finite_value() {
                return err(format!("free coefficient ({i}, {k}) is not finite"));
            }
            used[i] |= g != T::zero();
        }
        if let Some(i) = used.iter().position(|u| !u) {
            return err(format!(
                "constraint {i} has F_{i} = 0 (and no free coefficient): it cannot be satisfied or is redundant; remove it"
            ));
        }
        Ok(())
    }

    fn check_parts(&self, parts: &[BlockPart<T>], what: &str) -> Result<(), ProblemError> {
        for part in parts {
            let Some(&kind) = self.blocks.get(part.block) else {
                return Err(ProblemError(format!(
                    "{what}: block {} does not exist (there are {} blocks)",
                    part.block,
                    self.blocks.len()
                )));
            };
            let n = kind.dim();
            match &part.part {
                Part::Entries(entries) => {
                    for &(r, c, v) in entries {
                        if r >= n || c >= n {
                            return Err(ProblemError(format!(
                                "{what}: entry ({r}, {c}) lies outside block {} of size {n}",
                                part.block
                            )));
                        }
                        if kind.is_lp() && r != c {
                            return Err(ProblemError(format!(
                                "{what}: entry ({r}, {c}) is off the diagonal of LP block {}",
                                part.block
                            )));
                        }
                        if !v.is_finite_value() {
                            return Err(ProblemError(format!(
                                "{what}: entry ({r}, {c}) is not finite"
                            )));
                        }
                    }
                }
                Part::LowRank(terms) => {
                    if kind.is_lp() {
                        return Err(ProblemError(format!(
                            "{what}: a rank-one term in LP block {} (rank-one terms are for PSD blocks)",
                            part.block
                        )));
                    }
                    for (t, (w, v)) in terms.iter().enumerate() {
                        if v.len() != n {
                            return Err(ProblemError(format!(
                                "{what}: rank-one term {t} in block {} has a vector of length {}, expected {n}",
                                part.block,
                                v.len()
                            )));
                        }
                        if !w.is_finite_value() || v.iter().any(|x| !x.is_finite_value()) {
                            return Err(ProblemError(format!(
                                "{what}: rank-one term {t} is not finite"
                            )));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The same problem in another precision (rounded when narrower).
    pub fn cast<U: Real>(&self) -> SdpProblem<U> {
        let cast_parts = |parts: &[BlockPart<T>]| -> Vec<BlockPart<U>> {
            parts
                .iter()
                .map(|p| BlockPart {
                    block: p.block,
                    part: match &p.part {
                        Part::Entries(e) => {
                            Part::Entries(e.iter().map(|&(r, c, v)| (r, c, v.cast())).collect())
                        }
                        Part::LowRank(t) => Part::LowRank(
                            t.iter()
                                .map(|(w, v)| (w.cast(), v.iter().map(|x| x.cast()).collect()))
                                .collect(),
                        ),
                    },
                })
                .collect()
        };
        SdpProblem {
            blocks: self.blocks.clone(),
            c: self.c.iter().map(|v| v.cast()).collect(),
            f0: cast_parts(&self.f0),
            constraints: self.constraints.iter().map(|p| cast_parts(p)).collect(),
            free_objective: self.free_objective.iter().map(|v| v.cast()).collect(),
            free_coefficients: self
                .free_coefficients
                .iter()
                .map(|&(i, k, g)| (i, k, g.cast()))
                .collect(),
        }
    }
}

fn part_is_nonzero<T: Real>(part: &Part<T>) -> bool {
    match part {
        Part::Entries(e) => e.iter().any(|&(_, _, v)| v != T::zero()),
        Part::LowRank(t) => t
            .iter()
            .any(|(w, v)| *w != T::zero() && v.iter().any(|x| *x != T::zero())),
    }
}

fn push_entry<T>(parts: &mut Vec<BlockPart<T>>, block: usize, row: usize, col: usize, value: T) {
    let (row, col) = if row <= col { (row, col) } else { (col, row) };
    if let Some(BlockPart {
        part: Part::Entries(entries),
        ..
    }) = parts
        .iter_mut()
        .rev()
        .find(|p| p.block == block && matches!(p.part, Part::Entries(_)))
    {
        entries.push((row, col, value));
    } else {
        parts.push(BlockPart {
            block,
            part: Part::Entries(vec![(row, col, value)]),
        });
    }
}

fn push_rank_one<T>(parts: &mut Vec<BlockPart<T>>, block: usize, weight: T, v: Vec<T>) {
    if let Some(BlockPart {
        part: Part::LowRank(terms),
        ..
    }) = parts
        .iter_mut()
        .rev()
        .find(|p| p.block == block && matches!(p.part, Part::LowRank(_)))
    {
        terms.push((weight, v));
    } else {
        parts.push(BlockPart {
            block,
            part: Part::LowRank(vec![(weight, v)]),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_groups_parts_and_validation_names_the_place() {
        let mut p = SdpProblem::<f64>::new(vec![BlockKind::Psd(2), BlockKind::Lp(3)]);
        let i = p.add_constraint(1.0);
        p.add_entry(i, 0, 1, 0, 2.0);
        p.add_entry(i, 0, 0, 0, 1.0);
        p.add_rank_one(i, 0, 1.0, vec![1.0, 1.0]);
        p.add_entry(i, 1, 2, 2, 1.0);
        assert_eq!(p.constraints[0].len(), 3);
        assert_eq!(
            p.constraints[0][0].part,
            Part::Entries(vec![(0, 1, 2.0), (0, 0, 1.0)])
        );
        assert!(p.validate().is_ok());

        let mut bad = p.clone();
        bad.add_entry(0, 1, 0, 1, 1.0);
        assert!(
            bad.validate()
                .unwrap_err()
                .0
                .contains("off the diagonal of LP block 1")
        );
        let mut bad = p.clone();
        bad.add_rank_one(0, 0, 1.0, vec![1.0]);
        assert!(
            bad.validate()
                .unwrap_err()
                .0
                .contains("length 1, expected 2")
        );
        let mut bad = p.clone();
        bad.add_constraint(0.0);
        assert!(
            bad.validate()
                .unwrap_err()
                .0
                .contains("constraint 1 has F_1 = 0")
        );
        let mut bad = p.clone();
        bad.add_objective_entry(2, 0, 0, 1.0);
        assert!(
            bad.validate()
                .unwrap_err()
                .0
                .contains("F0: block 2 does not exist")
        );
    }
}
