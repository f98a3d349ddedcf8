//! How a [`Value`] reads to a person: `Display` in RON-like text, and the summary kept in run
//! records. Both shorten arrays longer than [`SUMMARY_MAX_LEN`] to a description with their
//! range, so printing a result with a million-entry vector stays one readable line.

use std::fmt::{self, Write};

use crate::value::{Value, ValueMap};

/// Arrays longer than this are described (length, min, max) rather than written out.
pub const SUMMARY_MAX_LEN: usize = 16;

impl Value {
    /// The value as a run record keeps it: scalars and short arrays unchanged, each longer
    /// array replaced by a string that describes it (`"vector of 1000 (min 0e0, max 1e0)"`).
    pub fn summarized(&self) -> Value {
        if let Some(text) = long_description(self) {
            return Value::Str(text.into());
        }
        match self {
            Value::List(items) => Value::List(items.iter().map(Value::summarized).collect()),
            Value::Map(m) => Value::Map(
                m.iter()
                    .map(|(k, v)| (k, v.summarized()))
                    .collect::<ValueMap>(),
            ),
            other => other.clone(),
        }
    }
}

/// The description of an array too long to write out, or `None` when it is short enough.
/// Sparse matrices are always described: their entries mean little without the pattern.
fn long_description(value: &Value) -> Option<String> {
    match value {
        Value::Vector(v) if v.len() > SUMMARY_MAX_LEN => Some(describe_floats("vector", v)),
        Value::List(items) if items.len() > SUMMARY_MAX_LEN => {
            Some(format!("list of {}", items.len()))
        }
        Value::Matrix(m) if m.data.len() > SUMMARY_MAX_LEN => Some(describe_floats(
            &format!("{}x{} matrix", m.rows, m.cols),
            &m.data,
        )),
        Value::Sparse(_) => Some(value.describe()),
        _ => None,
    }
}

fn describe_floats(what: &str, data: &[f64]) -> String {
    let finite = data.iter().copied().filter(|x| x.is_finite());
    let (min, max) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
        (lo.min(x), hi.max(x))
    });
    format!("{what} of {} (min {min:.6e}, max {max:.6e})", data.len())
}

/// RON-like text: `{"x": [1.0, 2.0], "converged": true, "tol": 1e-10}`. Floats are written in
/// the shortest form that reads back to the same number; long arrays appear as
/// `<vector of 1000 (min .., max ..)>`. `{:#}` spreads maps and nested lists over lines.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pretty = f.alternate();
        write_value(f, self, pretty, 0)
    }
}

fn write_value(out: &mut impl Write, value: &Value, pretty: bool, depth: usize) -> fmt::Result {
    if let Some(text) = long_description(value) {
        return write!(out, "<{text}>");
    }
    match value {
        Value::Unit => out.write_str("()"),
        Value::Bool(b) => write!(out, "{b}"),
        Value::Int(i) => write!(out, "{i}"),
        Value::Float(x) => write!(out, "{x:?}"),
        Value::Str(s) => write!(out, "{:?}", s.as_str()),
        Value::Vector(v) => write_floats(out, v),
        Value::Matrix(m) => {
            out.write_char('[')?;
            for i in 0..m.nrows() {
                if i > 0 {
                    out.write_str(", ")?;
                }
                let row: Vec<f64> = (0..m.ncols()).map(|j| m.get(i, j)).collect();
                write_floats(out, &row)?;
            }
            out.write_char(']')
        }
        Value::List(items) => {
            let nested = items
                .iter()
                .any(|v| matches!(v, Value::List(_) | Value::Map(_)));
            write_sequence(
                out,
                ('[', ']'),
                items.iter().map(|v| (None, v)),
                pretty && nested,
                depth,
            )
        }
        Value::Map(m) => write_sequence(
            out,
            ('{', '}'),
            m.iter().map(|(k, v)| (Some(k), v)),
            pretty && !m.is_empty(),
            depth,
        ),
        Value::Sparse(_) | Value::Callable(_) => write!(out, "<{}>", value.describe()),
    }
}

fn write_floats(out: &mut impl Write, data: &[f64]) -> fmt::Result {
    out.write_char('[')?;
    for (i, x) in data.iter().enumerate() {
        if i > 0 {
            out.write_str(", ")?;
        }
        write!(out, "{x:?}")?;
    }
    out.write_char(']')
}

/// A list or a map: on one line, or (pretty) one entry per line indented by depth.
fn write_sequence<'a>(
    out: &mut impl Write,
    (open, close): (char, char),
    entries: impl Iterator<Item = (Option<&'a str>, &'a Value)>,
    multiline: bool,
    depth: usize,
) -> fmt::Result {
    out.write_char(open)?;
    let indent = "    ";
    for (i, (key, value)) in entries.enumerate() {
        if multiline {
            out.write_char('\n')?;
            for _ in 0..=depth {
                out.write_str(indent)?;
            }
        } else if i > 0 {
            out.write_str(", ")?;
        }
        if let Some(key) = key {
            write!(out, "{key:?}: ")?;
        }
        write_value(out, value, multiline, depth + 1)?;
        if multiline {
            out.write_char(',')?;
        }
    }
    if multiline {
        out.write_char('\n')?;
        for _ in 0..depth {
            out.write_str(indent)?;
        }
    }
    out.write_char(close)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Callable, DenseMatrix};

    #[test]
    fn display_is_ron_like_with_shortest_floats() {
        let v = Value::Map(
            ValueMap::new()
                .with("x", vec![1.0, 0.5])
                .with("tol", 1e-10)
                .with("n", 3i64)
                .with("name", "a \"b\"")
                .with("ok", true)
                .with("none", ())
                .with(
                    "m",
                    DenseMatrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0]]).unwrap(),
                )
                .with("f", Value::Callable(Callable { id: 3 })),
        );
        assert_eq!(
            v.to_string(),
            r#"{"x": [1.0, 0.5], "tol": 1e-10, "n": 3, "name": "a \"b\"", "ok": true, "none": (), "m": [[1.0, 2.0], [3.0, 4.0]], "f": <function>}"#
        );
        // Shortest round trip: 0.1 + 0.2 needs all its digits, 1/3 too.
        assert_eq!(Value::Float(0.1 + 0.2).to_string(), "0.30000000000000004");
        assert_eq!(Value::Float(f64::NAN).to_string(), "NaN");
    }

    #[test]
    fn long_arrays_are_described_as_records_describe_them() {
        let long: Vec<f64> = (0..1000).map(f64::from).collect();
        let v = Value::Map(ValueMap::new().with("x", long.clone()));
        assert_eq!(
            v.to_string(),
            "{\"x\": <vector of 1000 (min 0.000000e0, max 9.990000e2)>}"
        );
        assert_eq!(
            v.summarized().get("x"),
            Some(&Value::from(
                "vector of 1000 (min 0.000000e0, max 9.990000e2)"
            ))
        );
        // At the threshold an array is still written out.
        let short = Value::from(long[..SUMMARY_MAX_LEN].to_vec());
        assert_eq!(short.summarized(), short);
        assert!(short.to_string().ends_with("15.0]"));
    }

    #[test]
    fn alternate_display_spreads_maps_over_lines() {
        let v = Value::Map(
            ValueMap::new()
                .with("a", 1i64)
                .with("inner", ValueMap::new().with("b", vec![1.0, 2.0])),
        );
        assert_eq!(
            format!("{v:#}"),
            "{\n    \"a\": 1,\n    \"inner\": {\n        \"b\": [1.0, 2.0],\n    },\n}"
        );
    }
}
