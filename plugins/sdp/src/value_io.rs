//! Conversions between script values and the solver's types: a problem built as a map in a
//! script, a solution as a result map, and a previous result as a warm start.
//!
//! Problem map (indices from 0; block sizes in the SDPA convention, negative for LP blocks):
//!
//! ```text
//! #{
//!     blocks: [3, -2],
//!     c: [1.0, 0.0],
//!     F0: [[0, 0, 1, 1.0]],                          // optional: [block, row, col, value]
//!     constraints: [
//!         [[0, 0, 0, 1.0], [1, 1, 1, 2.0]],          // F_1 as entries
//!         [#{ block: 0, v: [1.0, -1.0, 0.0], weight: 2.0 }],  // F_2 = 2 v vᵀ
//!     ],
//!     free: #{ b: [1.0], G: [[0, 0, 1.0]] },         // optional: w with objective b, G[i][k]
//! }
//! ```

use boundlab_sdk::prelude::*;

use boundlab_sdp_solver::blocks::{BlockMatrix, BlockValue};
use boundlab_sdp_solver::problem::{BlockKind, SdpProblem};
use boundlab_sdp_solver::scalar::Real;
use boundlab_sdp_solver::solver::{SdpSolution, WarmStart};

fn err(param: &str, msg: impl std::fmt::Display) -> PluginError {
    PluginError::bad_parameter(param, msg)
}

fn list<'a>(v: &'a Value, param: &str, place: &str) -> Result<Vec<&'a Value>, PluginError> {
    match v {
        Value::List(items) => Ok(items.iter().collect()),
        Value::Vector(_) => Err(err(
            param,
            format!("{place}: expected a list of entries, found a vector of numbers"),
        )),
        other => Err(err(
            param,
            format!("{place}: expected a list, found {}", other.describe()),
        )),
    }
}

fn numbers(v: &Value, param: &str, place: &str) -> Result<Vec<f64>, PluginError> {
    let xs = v.to_f64_vec().ok_or_else(|| {
        err(
            param,
            format!(
                "{place}: expected a list of numbers, found {}",
                v.describe()
            ),
        )
    })?;
    if let Some(k) = xs.iter().position(|x| !x.is_finite()) {
        return Err(err(param, format!("{place}[{k}] is not finite")));
    }
    Ok(xs)
}

fn index(x: f64, param: &str, place: &str) -> Result<usize, PluginError> {
    if x >= 0.0 && x.fract() == 0.0 && x < 1e12 {
        Ok(x as usize)
    } else {
        Err(err(
            param,
            format!("{place}: {x} is not an index (a whole number from 0)"),
        ))
    }
}

/// `[block, row, col, value]`.
fn entry(v: &Value, param: &str, place: &str) -> Result<(usize, usize, usize, f64), PluginError> {
    let xs = numbers(v, param, place)?;
    if xs.len() != 4 {
        return Err(err(
            param,
            format!(
                "{place}: expected [block, row, col, value], found {} numbers",
                xs.len()
            ),
        ));
    }
    Ok((
        index(xs[0], param, place)?,
        index(xs[1], param, place)?,
        index(xs[2], param, place)?,
        xs[3],
    ))
}

/// Builds a problem from the script's map (see the module documentation).
pub fn problem_from_value<T: Real>(v: &Value) -> Result<SdpProblem<T>, PluginError> {
    const P: &str = "problem";
    let map = v
        .as_map()
        .ok_or_else(|| err(P, format!("expected a map, found {}", v.describe())))?;
    let known = ["blocks", "c", "F0", "constraints", "free"];
    if let Some(k) = map.keys().find(|k| !known.contains(k)) {
        return Err(err(
            P,
            format!("unknown key `{k}`; the keys are {}", known.join(", ")),
        ));
    }
    let get = |k: &str| {
        map.get(k)
            .ok_or_else(|| err(P, format!("missing key `{k}`")))
    };
    let mut blocks = Vec::new();
    for (b, size) in numbers(get("blocks")?, P, "blocks")?
        .into_iter()
        .enumerate()
    {
        if size.fract() != 0.0 {
            return Err(err(
                P,
                format!("blocks[{b}] = {size} is not a whole number"),
            ));
        }
        blocks.push(
            BlockKind::from_sdpa(size as i64).ok_or_else(|| err(P, format!("blocks[{b}] is 0")))?,
        );
    }
    let c = numbers(get("c")?, P, "c")?;
    let mut problem = SdpProblem::<T>::new(blocks);
    for &ci in &c {
        problem.add_constraint(T::from_f64(ci));
    }
    if let Some(f0) = map.get("F0") {
        for (k, e) in list(f0, P, "F0")?.into_iter().enumerate() {
            add_part(&mut problem, None, e, &format!("F0[{k}]"))?;
        }
    }
    let constraints = list(get("constraints")?, P, "constraints")?;
    if constraints.len() != c.len() {
        return Err(err(
            P,
            format!(
                "{} constraints but c has {} entries",
                constraints.len(),
                c.len()
            ),
        ));
    }
    for (i, parts) in constraints.into_iter().enumerate() {
        for (k, e) in list(parts, P, &format!("constraints[{i}]"))?
            .into_iter()
            .enumerate()
        {
            add_part(&mut problem, Some(i), e, &format!("constraints[{i}][{k}]"))?;
        }
    }
    if let Some(free) = map.get("free") {
        let fm = free
            .as_map()
            .ok_or_else(|| err(P, "free: expected #{ b: [...], G: [[i, k, g], ...] }"))?;
        let b = numbers(
            fm.get("b").ok_or_else(|| err(P, "free: missing key `b`"))?,
            P,
            "free.b",
        )?;
        for bk in b {
            problem.add_free_variable(T::from_f64(bk));
        }
        if let Some(g) = fm.get("G") {
            for (n, e) in list(g, P, "free.G")?.into_iter().enumerate() {
                let place = format!("free.G[{n}]");
                let xs = numbers(e, P, &place)?;
                if xs.len() != 3 {
                    return Err(err(
                        P,
                        format!("{place}: expected [constraint, variable, value]"),
                    ));
                }
                problem.add_free_coefficient(
                    index(xs[0], P, &place)?,
                    index(xs[1], P, &place)?,
                    T::from_f64(xs[2]),
                );
            }
        }
    }
    problem.validate().map_err(|e| err(P, e))?;
    Ok(problem)
}

fn add_part<T: Real>(
    problem: &mut SdpProblem<T>,
    constraint: Option<usize>,
    e: &Value,
    place: &str,
) -> Result<(), PluginError> {
    const P: &str = "problem";
    if let Some(m) = e.as_map() {
        let block = index(
            m.get("block")
                .and_then(Value::as_f64)
                .ok_or_else(|| err(P, format!("{place}: a rank-one term needs `block`")))?,
            P,
            place,
        )?;
        let v = numbers(
            m.get("v")
                .ok_or_else(|| err(P, format!("{place}: a rank-one term needs `v`")))?,
            P,
            &format!("{place}.v"),
        )?;
        let weight = match m.get("weight") {
            Some(w) => w
                .as_f64()
                .ok_or_else(|| err(P, format!("{place}.weight: expected a number")))?,
            None => 1.0,
        };
        if let Some(k) = m.keys().find(|k| !["block", "v", "weight"].contains(k)) {
            return Err(err(
                P,
                format!("{place}: unknown key `{k}` (a rank-one term has block, v, weight)"),
            ));
        }
        let v: Vec<T> = v.into_iter().map(T::from_f64).collect();
        match constraint {
            Some(i) => problem.add_rank_one(i, block, T::from_f64(weight), v),
            None => problem.add_objective_rank_one(block, T::from_f64(weight), v),
        }
    } else {
        let (block, r, c, v) = entry(e, P, place)?;
        match constraint {
            Some(i) => problem.add_entry(i, block, r, c, T::from_f64(v)),
            None => problem.add_objective_entry(block, r, c, T::from_f64(v)),
        }
    }
    Ok(())
}

/// Blocks as a list: a dense matrix for a PSD block, a vector for an LP block.
pub fn blocks_to_value<T: Real>(m: &BlockMatrix<T>) -> Value {
    Value::List(
        m.blocks
            .iter()
            .map(|b| match b {
                BlockValue::Dense(a) => {
                    Value::Matrix(DenseMatrix::from_fn(a.nrows(), a.ncols(), |i, j| {
                        a[(i, j)].to_f64()
                    }))
                }
                BlockValue::Diag(d) => {
                    Value::Vector(d.iter().map(|x| x.to_f64()).collect::<Vec<f64>>().into())
                }
            })
            .collect::<Vec<_>>()
            .into(),
    )
}

fn blocks_from_value<T: Real>(
    v: &Value,
    kinds: &[BlockKind],
    place: &str,
) -> Result<BlockMatrix<T>, PluginError> {
    const P: &str = "warm_start";
    let items = list(v, P, place)?;
    if items.len() != kinds.len() {
        return Err(err(
            P,
            format!(
                "{place}: {} blocks, the problem has {}",
                items.len(),
                kinds.len()
            ),
        ));
    }
    let mut blocks = Vec::new();
    for (b, (item, kind)) in items.into_iter().zip(kinds).enumerate() {
        blocks.push(match *kind {
            BlockKind::Psd(n) => {
                let m = item
                    .try_to_dense_matrix()
                    .and_then(|m| {
                        if m.nrows() == n && m.ncols() == n {
                            Ok(m)
                        } else {
                            Err(format!("a {}x{} matrix", m.nrows(), m.ncols()))
                        }
                    })
                    .map_err(|why| {
                        err(P, format!("{place}[{b}]: expected a {n}x{n} matrix: {why}"))
                    })?;
                BlockValue::Dense(faer::Mat::from_fn(n, n, |i, j| T::from_f64(m.get(i, j))))
            }
            BlockKind::Lp(n) => {
                let d = numbers(item, P, &format!("{place}[{b}]"))?;
                if d.len() != n {
                    return Err(err(
                        P,
                        format!("{place}[{b}]: expected {n} numbers, found {}", d.len()),
                    ));
                }
                BlockValue::Diag(d.into_iter().map(T::from_f64).collect())
            }
        });
    }
    Ok(BlockMatrix { blocks })
}

/// A warm start from a previous `sdp.solve` result (solved with `return_solution: true`).
pub fn warm_start_from_value<T: Real>(
    v: &Value,
    problem: &SdpProblem<T>,
) -> Result<WarmStart<T>, PluginError> {
    const P: &str = "warm_start";
    let map = v
        .as_map()
        .ok_or_else(|| err(P, "expected a previous result map with x, X, Y"))?;
    let get = |k: &str| {
        map.get(k).ok_or_else(|| {
            err(
                P,
                format!("missing `{k}` (solve the earlier problem with return_solution: true)"),
            )
        })
    };
    let x = numbers(get("x")?, P, "x")?;
    if x.len() != problem.num_constraints() {
        return Err(err(
            P,
            format!(
                "x has {} entries, the problem has {} constraints",
                x.len(),
                problem.num_constraints()
            ),
        ));
    }
    let w = match map.get("w") {
        Some(w) => numbers(w, P, "w")?,
        None => Vec::new(),
    };
    if w.len() != problem.num_free() {
        return Err(err(
            P,
            format!(
                "w has {} entries, the problem has {} free variables",
                w.len(),
                problem.num_free()
            ),
        ));
    }
    Ok(WarmStart {
        x: x.into_iter().map(T::from_f64).collect(),
        w: w.into_iter().map(T::from_f64).collect(),
        X: blocks_from_value(get("X")?, &problem.blocks, "X")?,
        Y: blocks_from_value(get("Y")?, &problem.blocks, "Y")?,
    })
}

/// The result map of `sdp.solve`.
pub fn solution_to_value<T: Real>(sol: &SdpSolution<T>, with_solution: bool) -> Value {
    let mut m = ValueMap::new()
        .with("status", sol.status.as_str())
        .with("objective", sol.objective().to_f64())
        .with("objective_decimal", sol.objective().to_decimal())
        .with("primal_objective", sol.primal_objective.to_f64())
        .with("dual_objective", sol.dual_objective.to_f64())
        .with("gap", sol.gap)
        .with("primal_infeasibility", sol.primal_infeasibility)
        .with("dual_infeasibility", sol.dual_infeasibility)
        .with("iterations", sol.iterations as i64)
        .with("seconds", sol.seconds)
        .with("precision", sol.precision.as_str())
        .with("message", sol.message.as_str());
    if with_solution {
        m.insert(
            "x",
            Value::Vector(
                sol.x
                    .iter()
                    .map(|v| v.to_f64())
                    .collect::<Vec<f64>>()
                    .into(),
            ),
        );
        m.insert(
            "w",
            Value::Vector(
                sol.w
                    .iter()
                    .map(|v| v.to_f64())
                    .collect::<Vec<f64>>()
                    .into(),
            ),
        );
        m.insert("X", blocks_to_value(&sol.X));
        m.insert("Y", blocks_to_value(&sol.Y));
    }
    Value::Map(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use boundlab_sdp_solver::problem::Part;

    fn entry(b: i64, i: i64, j: i64, v: f64) -> Value {
        Value::List(vec![Value::Int(b), Value::Int(i), Value::Int(j), Value::Float(v)].into())
    }

    #[test]
    fn builds_entries_rank_one_terms_and_free_variables() {
        let rank_one = Value::Map(
            ValueMap::new()
                .with("block", 0i64)
                .with("v", vec![1.0, -1.0])
                .with("weight", 2.0),
        );
        let v = Value::Map(
            ValueMap::new()
                .with(
                    "blocks",
                    Value::List(vec![Value::Int(2), Value::Int(-1)].into()),
                )
                .with("c", vec![1.0, 0.5])
                .with("F0", Value::List(vec![entry(0, 0, 1, 1.0)].into()))
                .with(
                    "constraints",
                    Value::List(
                        vec![
                            Value::List(vec![entry(0, 0, 0, 1.0), entry(1, 0, 0, 1.0)].into()),
                            Value::List(vec![rank_one].into()),
                        ]
                        .into(),
                    ),
                )
                .with(
                    "free",
                    ValueMap::new().with("b", vec![1.0]).with(
                        "G",
                        Value::List(
                            vec![Value::List(
                                vec![Value::Int(1), Value::Int(0), Value::Float(1.0)].into(),
                            )]
                            .into(),
                        ),
                    ),
                ),
        );
        let p: SdpProblem<f64> = problem_from_value(&v).unwrap();
        assert_eq!(p.blocks, vec![BlockKind::Psd(2), BlockKind::Lp(1)]);
        assert_eq!(
            p.constraints[1][0].part,
            Part::LowRank(vec![(2.0, vec![1.0, -1.0])])
        );
        assert_eq!(p.free_coefficients, vec![(1, 0, 1.0)]);
    }

    #[test]
    fn errors_name_the_place() {
        let base = || {
            ValueMap::new()
                .with("blocks", Value::List(vec![Value::Int(2)].into()))
                .with("c", vec![1.0])
                .with(
                    "constraints",
                    Value::List(vec![Value::List(vec![entry(0, 0, 0, 1.0)].into())].into()),
                )
        };
        let bad = base().with(
            "constraints",
            Value::List(
                vec![Value::List(
                    vec![Value::List(vec![Value::Int(0), Value::Int(0)].into())].into(),
                )]
                .into(),
            ),
        );
        let e = problem_from_value::<f64>(&Value::Map(bad)).unwrap_err();
        assert!(
            e.message
                .contains("constraints[0][0]: expected [block, row, col, value]"),
            "{}",
            e.message
        );
        let bad = base().with(
            "constraints",
            Value::List(vec![Value::List(vec![entry(0, 2, 0, 1.0)].into())].into()),
        );
        let e = problem_from_value::<f64>(&Value::Map(bad)).unwrap_err();
        assert!(
            e.message
                .contains("entry (0, 2) lies outside block 0 of size 2"),
            "{}",
            e.message
        );
        let e = problem_from_value::<f64>(&Value::Map(base().with("Fo", 1.0))).unwrap_err();
        assert!(e.message.contains("unknown key `Fo`"), "{}", e.message);
        let e =
            problem_from_value::<f64>(&Value::Map(base().with("c", vec![1.0, 2.0]))).unwrap_err();
        assert!(
            e.message.contains("1 constraints but c has 2 entries"),
            "{}",
            e.message
        );
    }
}
