//! The SDPA sparse format (`.dat-s`): reader and writer.
//!
//! ```text
//! "comment lines start with a double quote or an asterisk
//! 2              m, the number of constraints (the rest of the line is ignored)
//! 2              the number of blocks
//! 2 -3           block sizes; negative sizes are LP (diagonal) blocks
//! 1.0 -2.0       c (separators may include , { } ( ))
//! 0 1 1 1 3.5    matrix (0 = F_0, k = F_k), block, row, column, value; counted from 1
//! ```
//!
//! An entry `(i, j)` sets both `(i, j)` and `(j, i)`; repeated entries add up. Values are read
//! at the full precision of the scalar type (`1.0D-3` Fortran exponents are accepted). Errors
//! give the line number and what was expected there.

use std::fmt::Write as _;

use crate::problem::{BlockKind, Part, SdpProblem};
use crate::scalar::Real;

/// A malformed file: the line (counted from 1; 0 for the end of the file) and what was wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct SdpaError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for SdpaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "at the end of the file: {}", self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

impl std::error::Error for SdpaError {}

fn fail<T>(line: usize, message: impl Into<String>) -> Result<T, SdpaError> {
    Err(SdpaError {
        line,
        message: message.into(),
    })
}

/// The lines that carry data: `(line number, tokens)`, comments and blank lines dropped.
fn data_lines(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines().enumerate().filter_map(|(k, line)| {
        let trimmed = line.trim_start();
        if trimmed.starts_with('"') || trimmed.starts_with('*') {
            return None;
        }
        let tokens: Vec<&str> = trimmed
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '{' | '}' | '(' | ')'))
            .filter(|t| !t.is_empty())
            .collect();
        (!tokens.is_empty()).then_some((k + 1, tokens))
    })
}

fn parse_value<T: Real>(token: &str) -> Option<T> {
    if token.contains(['d', 'D']) {
        T::parse_decimal(&token.replace(['d', 'D'], "e"))
    } else {
        T::parse_decimal(token)
    }
}

fn parse_int(token: &str, line: usize, what: &str) -> Result<i64, SdpaError> {
    token
        .parse::<i64>()
        .or_else(|_| {
            // Some writers print integers as "2.0".
            token
                .parse::<f64>()
                .ok()
                .filter(|v| v.fract() == 0.0 && v.abs() < 1e15)
                .map(|v| v as i64)
                .ok_or(())
        })
        .or_else(|_| {
            fail(
                line,
                format!("expected {what} (an integer), found `{token}`"),
            )
        })
}

/// Reads an SDPA sparse file.
pub fn read_sdpa<T: Real>(text: &str) -> Result<SdpProblem<T>, SdpaError> {
    let mut lines = data_lines(text).peekable();

    let Some((line, tokens)) = lines.next() else {
        return fail(0, "expected m, the number of constraints");
    };
    let m = parse_int(tokens[0], line, "m, the number of constraints")?;
    if m <= 0 {
        return fail(line, format!("m must be positive, found {m}"));
    }
    let m = m as usize;

    let Some((line, tokens)) = lines.next() else {
        return fail(0, "expected the number of blocks");
    };
    let nblocks = parse_int(tokens[0], line, "the number of blocks")?;
    if nblocks <= 0 {
        return fail(
            line,
            format!("the number of blocks must be positive, found {nblocks}"),
        );
    }
    let nblocks = nblocks as usize;

    let mut blocks = Vec::with_capacity(nblocks);
    while blocks.len() < nblocks {
        let Some((line, tokens)) = lines.next() else {
            return fail(
                0,
                format!("expected {nblocks} block sizes, found {}", blocks.len()),
            );
        };
        for token in tokens {
            if blocks.len() == nblocks {
                break; // trailing text on the line
            }
            let size = parse_int(
                token,
                line,
                &format!("the size of block {}", blocks.len() + 1),
            )?;
            match BlockKind::from_sdpa(size) {
                Some(kind) => blocks.push(kind),
                None => return fail(line, format!("block {} has size 0", blocks.len() + 1)),
            }
        }
    }

    let mut c: Vec<T> = Vec::with_capacity(m);
    while c.len() < m {
        let Some((line, tokens)) = lines.next() else {
            return fail(0, format!("expected {m} entries of c, found {}", c.len()));
        };
        for token in tokens {
            if c.len() == m {
                break;
            }
            match parse_value::<T>(token) {
                Some(v) => c.push(v),
                None => {
                    return fail(
                        line,
                        format!(
                            "expected entry {} of c (a number), found `{token}`",
                            c.len() + 1
                        ),
                    );
                }
            }
        }
    }

    let mut problem = SdpProblem::new(blocks.clone());
    for &ci in &c {
        problem.add_constraint(ci);
    }
    for (line, tokens) in lines {
        if tokens.len() != 5 {
            return fail(
                line,
                format!(
                    "expected 5 fields (matrix, block, row, column, value), found {}",
                    tokens.len()
                ),
            );
        }
        let k = parse_int(tokens[0], line, "the matrix number")?;
        let b = parse_int(tokens[1], line, "the block number")?;
        let i = parse_int(tokens[2], line, "the row")?;
        let j = parse_int(tokens[3], line, "the column")?;
        let Some(v) = parse_value::<T>(tokens[4]) else {
            return fail(
                line,
                format!("expected the value (a number), found `{}`", tokens[4]),
            );
        };
        if k < 0 || k as usize > m {
            return fail(line, format!("matrix number {k} is outside 0..={m}"));
        }
        if b < 1 || b as usize > nblocks {
            return fail(line, format!("block {b} is outside 1..={nblocks}"));
        }
        let kind = blocks[b as usize - 1];
        let n = kind.dim() as i64;
        if i < 1 || i > n || j < 1 || j > n {
            return fail(
                line,
                format!("entry ({i}, {j}) lies outside block {b} of size {n}"),
            );
        }
        if kind.is_lp() && i != j {
            return fail(
                line,
                format!("entry ({i}, {j}) is off the diagonal of LP block {b}"),
            );
        }
        let (bi, i, j) = (b as usize - 1, i as usize - 1, j as usize - 1);
        if k == 0 {
            problem.add_objective_entry(bi, i, j, v);
        } else {
            problem.add_entry(k as usize - 1, bi, i, j, v);
        }
    }
    Ok(problem)
}

/// Writes a problem in the SDPA sparse format. Rank-one parts are written as their entries
/// (SDPA has no rank-one form); free variables have no SDPA form and are refused.
pub fn write_sdpa<T: Real>(problem: &SdpProblem<T>) -> Result<String, String> {
    if problem.num_free() > 0 {
        return Err("the SDPA format has no free variables".into());
    }
    let mut out = String::new();
    let _ = writeln!(out, "\"written by boundlab-sdp");
    let _ = writeln!(out, "{}", problem.num_constraints());
    let _ = writeln!(out, "{}", problem.blocks.len());
    let sizes: Vec<String> = problem
        .blocks
        .iter()
        .map(|b| b.sdpa_size().to_string())
        .collect();
    let _ = writeln!(out, "{}", sizes.join(" "));
    let c: Vec<String> = problem.c.iter().map(|v| v.to_decimal()).collect();
    let _ = writeln!(out, "{}", c.join(" "));
    let mut write_parts = |k: usize, parts: &[crate::problem::BlockPart<T>]| {
        for (block, entries) in merged_entries(problem, parts) {
            for ((i, j), v) in entries {
                let _ = writeln!(
                    out,
                    "{k} {} {} {} {}",
                    block + 1,
                    i + 1,
                    j + 1,
                    v.to_decimal()
                );
            }
        }
    };
    write_parts(0, &problem.f0);
    for (i, parts) in problem.constraints.iter().enumerate() {
        write_parts(i + 1, parts);
    }
    Ok(out)
}

/// The entries `(row, col) -> value` (upper triangle) of one block.
type BlockEntries<T> = std::collections::BTreeMap<(usize, usize), T>;

/// The upper-triangle entries of each block of a matrix given by parts (rank-one terms
/// expanded, repeated positions summed, zeros dropped), blocks in order.
fn merged_entries<T: Real>(
    problem: &SdpProblem<T>,
    parts: &[crate::problem::BlockPart<T>],
) -> Vec<(usize, BlockEntries<T>)> {
    let mut out: Vec<(usize, BlockEntries<T>)> = Vec::new();
    for block in 0..problem.blocks.len() {
        let mut map = std::collections::BTreeMap::new();
        for part in parts.iter().filter(|p| p.block == block) {
            match &part.part {
                Part::Entries(e) => {
                    for &(i, j, v) in e {
                        let key = if i <= j { (i, j) } else { (j, i) };
                        let slot = map.entry(key).or_insert_with(T::zero);
                        *slot += v;
                    }
                }
                Part::LowRank(terms) => {
                    for (w, v) in terms {
                        for j in 0..v.len() {
                            for i in 0..=j {
                                let x = *w * v[i] * v[j];
                                if x != T::zero() {
                                    let slot = map.entry((i, j)).or_insert_with(T::zero);
                                    *slot += x;
                                }
                            }
                        }
                    }
                }
            }
        }
        map.retain(|_, v| *v != T::zero());
        if !map.is_empty() {
            out.push((block, map));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::fx128;

    const SMALL: &str = "\"a comment\n* another\n2 =mdim\n2 =nblocks\n{2, -2}\n{1.0, -2.5D0}\n0 1 1 2 3.0\n1 1 1 1 1.0\n1 2 2 2 -1\n2 1 2 2 1e-1\n2 1 2 1 1\n";

    #[test]
    fn reads_comments_separators_and_entries() {
        let p: SdpProblem<f64> = read_sdpa(SMALL).unwrap();
        assert_eq!(p.blocks, vec![BlockKind::Psd(2), BlockKind::Lp(2)]);
        assert_eq!(p.c, vec![1.0, -2.5]);
        assert_eq!(p.f0.len(), 1);
        assert_eq!(
            p.constraints[1][0].part,
            Part::Entries(vec![(1, 1, 0.1), (0, 1, 1.0)])
        );
        p.validate().unwrap();
    }

    #[test]
    fn writes_what_it_reads() {
        let p: SdpProblem<fx128> = read_sdpa(SMALL).unwrap();
        let text = write_sdpa(&p).unwrap();
        let q: SdpProblem<fx128> = read_sdpa(&text).unwrap();
        assert_eq!(q.blocks, p.blocks);
        assert_eq!(q.c, p.c);
        assert_eq!(q.constraints.len(), p.constraints.len());
        // 0.1 survives in double-double: the value read back is 0.1 to 32 digits.
        let v = match &q.constraints[1][0].part {
            Part::Entries(e) => e.iter().find(|e| (e.0, e.1) == (1, 1)).unwrap().2,
            _ => unreachable!(),
        };
        assert!((v * fx128::from(10.0) - fx128::from(1.0)).abs().to_f64() < 1e-31);
        // Rank-one parts are expanded.
        let mut r = SdpProblem::<f64>::new(vec![BlockKind::Psd(2)]);
        let i = r.add_constraint(1.0);
        r.add_rank_one(i, 0, 2.0, vec![1.0, -1.0]);
        let text = write_sdpa(&r).unwrap();
        assert!(
            text.ends_with("1 1 1 1 2e0\n1 1 1 2 -2e0\n1 1 2 2 2e0\n"),
            "{text}"
        );
        // A double-double that is not a double is written with 33 digits and read back to ~1e-32.
        let mut d = SdpProblem::<fx128>::new(vec![BlockKind::Lp(1)]);
        let third = fx128::from(1.0) / fx128::from(3.0);
        let i = d.add_constraint(third);
        d.add_entry(i, 0, 0, 0, fx128::from(1.0));
        let back: SdpProblem<fx128> = read_sdpa(&write_sdpa(&d).unwrap()).unwrap();
        assert!(((back.c[0] - third) / third).abs().to_f64() < 1e-31);
    }

    #[test]
    fn errors_name_the_line_and_the_expectation() {
        let cases = [
            ("2\n1\n2\n1 2\n1 1 1 1\n", 5, "expected 5 fields"),
            (
                "2\n1\n2\n1 x\n",
                4,
                "expected entry 2 of c (a number), found `x`",
            ),
            (
                "2\n1\n2\n1 2\n3 1 1 1 1.0\n",
                5,
                "matrix number 3 is outside 0..=2",
            ),
            ("2\n1\n2\n1 2\n1 2 1 1 1.0\n", 5, "block 2 is outside 1..=1"),
            (
                "2\n1\n2\n1 2\n1 1 3 1 1.0\n",
                5,
                "entry (3, 1) lies outside block 1 of size 2",
            ),
            (
                "2\n1\n-2\n1 2\n1 1 1 2 1.0\n",
                5,
                "off the diagonal of LP block 1",
            ),
            (
                "2\n1\n2\n1 2\n1 1 1 1 1.0.0\n",
                5,
                "expected the value (a number), found `1.0.0`",
            ),
            (
                "two\n",
                1,
                "expected m, the number of constraints (an integer), found `two`",
            ),
            ("2\n1\n0\n", 3, "block 1 has size 0"),
            ("2\n1\n2\n1\n", 0, "expected 2 entries of c, found 1"),
        ];
        for (text, line, message) in cases {
            let err = read_sdpa::<f64>(text).unwrap_err();
            assert_eq!(err.line, line, "{text:?}: {err}");
            assert!(err.message.contains(message), "{text:?}: {err}");
        }
    }
}
