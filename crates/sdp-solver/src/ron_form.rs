//! The RON form of an [`SdpProblem`]: the same problem as the SDPA file, readable and with
//! rank-one terms and free variables kept as such.
//!
//! ```ron
//! (
//!     blocks: [Psd(2), Lp(1)],
//!     c: [1.0, "0.1"],
//!     F0: [Entries(block: 0, entries: [(0, 1, 1.0)])],
//!     constraints: [
//!         [Entries(block: 0, entries: [(0, 0, 1.0), (1, 1, 1.0)])],
//!         [RankOne(block: 0, weight: 1.0, v: [1.0, -1.0]), Entries(block: 1, entries: [(0, 0, 1.0)])],
//!     ],
//!     free_objective: [],
//!     free_coefficients: [],
//! )
//! ```
//!
//! Indices count from 0. A number is a RON float or a decimal string; strings keep all the
//! digits of a double-double value (`"0.1"` is read to ~32 digits in `dd`).

use serde::{Deserialize, Serialize};

use crate::problem::{BlockKind, BlockPart, Part, SdpProblem};
use crate::scalar::Real;

/// A number as written: a float, or a decimal string for full double-double precision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
enum Num {
    Float(f64),
    Text(String),
}

impl Num {
    fn of<T: Real>(v: T) -> Num {
        let f = v.to_f64();
        if T::from_f64(f) == v {
            Num::Float(f)
        } else {
            Num::Text(v.to_decimal())
        }
    }

    fn value<T: Real>(&self, place: &str) -> Result<T, String> {
        match self {
            Num::Float(f) => Ok(T::from_f64(*f)),
            Num::Text(s) => {
                T::parse_decimal(s).ok_or_else(|| format!("{place}: `{s}` is not a number"))
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum RonPart {
    Entries {
        block: usize,
        entries: Vec<(usize, usize, Num)>,
    },
    RankOne {
        block: usize,
        weight: Num,
        v: Vec<Num>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[allow(non_snake_case)]
struct RonProblem {
    blocks: Vec<BlockKind>,
    c: Vec<Num>,
    #[serde(default)]
    F0: Vec<RonPart>,
    constraints: Vec<Vec<RonPart>>,
    #[serde(default)]
    free_objective: Vec<Num>,
    #[serde(default)]
    free_coefficients: Vec<(usize, usize, Num)>,
}

fn parts_to_ron<T: Real>(parts: &[BlockPart<T>]) -> Vec<RonPart> {
    let mut out = Vec::new();
    for p in parts {
        match &p.part {
            Part::Entries(e) => out.push(RonPart::Entries {
                block: p.block,
                entries: e.iter().map(|&(i, j, v)| (i, j, Num::of(v))).collect(),
            }),
            Part::LowRank(terms) => {
                for (w, v) in terms {
                    out.push(RonPart::RankOne {
                        block: p.block,
                        weight: Num::of(*w),
                        v: v.iter().map(|x| Num::of(*x)).collect(),
                    });
                }
            }
        }
    }
    out
}

fn parts_from_ron<T: Real>(parts: &[RonPart], what: &str) -> Result<Vec<BlockPart<T>>, String> {
    let mut out = Vec::new();
    for (k, p) in parts.iter().enumerate() {
        let place = format!("{what}[{k}]");
        out.push(match p {
            RonPart::Entries { block, entries } => BlockPart {
                block: *block,
                part: Part::Entries(
                    entries
                        .iter()
                        .map(|(i, j, v)| Ok((*i.min(j), *i.max(j), v.value(&place)?)))
                        .collect::<Result<_, String>>()?,
                ),
            },
            RonPart::RankOne { block, weight, v } => BlockPart {
                block: *block,
                part: Part::LowRank(vec![(
                    weight.value(&place)?,
                    v.iter()
                        .map(|x| x.value(&place))
                        .collect::<Result<_, String>>()?,
                )]),
            },
        });
    }
    Ok(out)
}

/// The RON text of a problem.
pub fn write_ron<T: Real>(problem: &SdpProblem<T>) -> String {
    let ron = RonProblem {
        blocks: problem.blocks.clone(),
        c: problem.c.iter().map(|v| Num::of(*v)).collect(),
        F0: parts_to_ron(&problem.f0),
        constraints: problem
            .constraints
            .iter()
            .map(|p| parts_to_ron(p))
            .collect(),
        free_objective: problem.free_objective.iter().map(|v| Num::of(*v)).collect(),
        free_coefficients: problem
            .free_coefficients
            .iter()
            .map(|&(i, k, g)| (i, k, Num::of(g)))
            .collect(),
    };
    ron::ser::to_string_pretty(&ron, ron::ser::PrettyConfig::default().depth_limit(3))
        .expect("the RON form always serializes")
}

/// Reads the RON form; errors give the line and column (from RON) or the place in the problem.
pub fn read_ron<T: Real>(text: &str) -> Result<SdpProblem<T>, String> {
    let ron: RonProblem = ron::from_str(text).map_err(|e| e.to_string())?;
    let problem = SdpProblem {
        blocks: ron.blocks,
        c: ron
            .c
            .iter()
            .enumerate()
            .map(|(i, v)| v.value(&format!("c[{i}]")))
            .collect::<Result<_, _>>()?,
        f0: parts_from_ron(&ron.F0, "F0")?,
        constraints: ron
            .constraints
            .iter()
            .enumerate()
            .map(|(i, p)| parts_from_ron(p, &format!("constraints[{i}]")))
            .collect::<Result<_, _>>()?,
        free_objective: ron
            .free_objective
            .iter()
            .enumerate()
            .map(|(k, v)| v.value(&format!("free_objective[{k}]")))
            .collect::<Result<_, _>>()?,
        free_coefficients: ron
            .free_coefficients
            .iter()
            .enumerate()
            .map(|(n, (i, k, g))| Ok((*i, *k, g.value(&format!("free_coefficients[{n}]"))?)))
            .collect::<Result<_, String>>()?,
    };
    Ok(problem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::fx128;

    #[test]
    fn round_trip_keeps_rank_one_terms_free_variables_and_dd_digits() {
        let mut p = SdpProblem::<fx128>::new(vec![BlockKind::Psd(2), BlockKind::Lp(1)]);
        let third = fx128::from(1.0) / fx128::from(3.0);
        let i = p.add_constraint(third);
        p.add_entry(i, 0, 1, 0, fx128::from(2.0));
        p.add_rank_one(i, 0, fx128::from(0.5), vec![fx128::from(1.0), third]);
        let j = p.add_constraint(fx128::from(1.0));
        p.add_entry(j, 1, 0, 0, fx128::from(1.0));
        p.add_objective_entry(0, 0, 0, fx128::from(-1.0));
        let k = p.add_free_variable(fx128::from(1.0));
        p.add_free_coefficient(j, k, fx128::from(-1.0));
        let text = write_ron(&p);
        let q: SdpProblem<fx128> = read_ron(&text).unwrap();
        assert_eq!(q.blocks, p.blocks);
        assert_eq!(q.constraints[0].len(), 2);
        assert!(((q.c[0] - third) / third).abs().to_f64() < 1e-31, "{text}");
        assert_eq!(q.free_coefficients, p.free_coefficients);
        q.validate().unwrap();
    }

    #[test]
    fn errors_say_where() {
        let err = read_ron::<f64>("(blocks: [Psd(2)], c: [1.0], constraints: [[Entries(block: 0, entries: [(0, 0, \"x\")])]])")
            .unwrap_err();
        assert!(
            err.contains("constraints[0][0]: `x` is not a number"),
            "{err}"
        );
        let err = read_ron::<f64>("(blocks: [Psd(2)],\n c: [1.0]\n constraints: [])").unwrap_err();
        assert!(err.contains("3:"), "{err}");
    }
}
