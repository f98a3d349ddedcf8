//! Parameter structs declared once: `#[derive(Params)]` gives the schema `describe` shows, the
//! decoding, the defaults and the range checks from one struct.
//!
//! ```
//! use boundlab_sdk::prelude::*;
//!
//! #[derive(Params)]
//! struct Square {
//!     /// The number to square.
//!     x: f64,
//!     /// How many times to square it.
//!     #[param(default = 1, ge = 0)]
//!     times: usize,
//! }
//!
//! let schema = Square::schema();
//! assert_eq!(schema[1].default.clone().into_option(), Some(Value::from(1)));
//! let p = Square::decode(Value::Map(ValueMap::new().with("x", 3.0))).unwrap();
//! assert_eq!((p.x, p.times), (3.0, 1));
//! ```

use crate::error::{PluginError, PluginResult};
use crate::module::ParamInfo;
use crate::value::{Callable, DenseMatrix, SparseMatrix, Value, ValueKind, ValueMap};

/// A parameter struct: its schema and its decoding, from one declaration.
///
/// Derived with `#[derive(Params)]`; a field marked `#[param(flatten)]` is itself a `Params`
/// struct whose parameters join this one's (options several algorithms share).
pub trait Params: Sized {
    /// One entry per parameter, in field order (flattened structs in place).
    fn schema() -> Vec<ParamInfo>;
    /// The parameter names, as in [`Params::schema`].
    fn names() -> Vec<&'static str>;
    /// Takes this struct's parameters out of `map`, leaving the others.
    fn take_from(map: &mut ValueMap) -> PluginResult<Self>;
    /// Decodes a parameter map (the engine's completed map, or one written by hand in a test);
    /// errors name the parameter, an unknown key gets the closest known name.
    fn decode(params: Value) -> PluginResult<Self> {
        let mut map = into_param_map(params, &Self::names())?;
        Self::take_from(&mut map)
    }
}

/// A Rust type a parameter can have: its kind in the schema and its conversion from a value.
pub trait ParamValue: Sized {
    /// The kind `describe` shows and the engine checks before the plugin sees the value.
    const KIND: ValueKind;
    /// Converts the value (already of an accepted kind); `Err` is the reason, without the name.
    fn from_param(value: Value) -> Result<Self, String>;
    /// The value of a parameter the caller left out and that has no default: `Some` only for
    /// `Option`, which makes the parameter optional.
    fn absent() -> Option<Self> {
        None
    }
    /// The number a range check (`gt`, `ge`, `lt`, `le`) compares; `None` skips the check.
    fn as_number(&self) -> Option<f64> {
        None
    }
}

/// A string option: an enum whose variants are the allowed strings (`#[derive(ParamEnum)]`).
pub trait ParamEnum: Sized + 'static {
    /// The allowed strings, in declaration order.
    const NAMES: &'static [&'static str];
    /// This option's string.
    fn name(&self) -> &'static str;
    /// The option named `name`, if there is one.
    fn from_name(name: &str) -> Option<Self>;
}

/// A derived `ParamEnum`'s decoding: unknown names list the choices and the closest one.
#[doc(hidden)]
pub fn enum_from_param<E: ParamEnum>(value: Value) -> Result<E, String> {
    let Value::Str(s) = &value else {
        return Err(kind_error(ValueKind::Str, &value));
    };
    E::from_name(s.as_str()).ok_or_else(|| {
        let choices = E::NAMES
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let hint =
            match crate::schema::closest_matches(s.as_str(), E::NAMES.iter().copied(), 1).first() {
                Some(close) => format!(" (did you mean `{close}`?)"),
                None => String::new(),
            };
        format!("must be one of {choices}, got `{s}`{hint}")
    })
}

fn kind_error(expected: ValueKind, got: &Value) -> String {
    format!("expected {}, got {}", expected.name(), got.describe())
}

impl ParamValue for f64 {
    const KIND: ValueKind = ValueKind::Float;
    fn from_param(value: Value) -> Result<Self, String> {
        value.as_f64().ok_or_else(|| kind_error(Self::KIND, &value))
    }
    fn as_number(&self) -> Option<f64> {
        Some(*self)
    }
}

/// An integer; a float is accepted when it is one exactly (numpy arrays and vectors hold
/// floats).
fn integer(value: &Value) -> Result<i64, String> {
    match value {
        Value::Float(x) if x.fract() == 0.0 && x.abs() < 9.007_199_254_740_992e15 => Ok(*x as i64),
        Value::Float(x) => Err(format!("must be an integer, got {x}")),
        other => other
            .as_i64()
            .ok_or_else(|| kind_error(ValueKind::Int, other)),
    }
}

impl ParamValue for i64 {
    const KIND: ValueKind = ValueKind::Int;
    fn from_param(value: Value) -> Result<Self, String> {
        integer(&value)
    }
    fn as_number(&self) -> Option<f64> {
        Some(*self as f64)
    }
}

macro_rules! unsigned_param {
    ($($t:ty),*) => {$(
        impl ParamValue for $t {
            const KIND: ValueKind = ValueKind::Int;
            fn from_param(value: Value) -> Result<Self, String> {
                let i = integer(&value)?;
                <$t>::try_from(i).map_err(|_| {
                    if i < 0 {
                        format!("must be ≥ 0, got {i}")
                    } else {
                        format!("must be at most {}, got {i}", <$t>::MAX)
                    }
                })
            }
            fn as_number(&self) -> Option<f64> {
                Some(*self as f64)
            }
        }
    )*};
}
unsigned_param!(usize, u64, u32);

impl ParamValue for bool {
    const KIND: ValueKind = ValueKind::Bool;
    fn from_param(value: Value) -> Result<Self, String> {
        value
            .as_bool()
            .ok_or_else(|| kind_error(Self::KIND, &value))
    }
}

impl ParamValue for String {
    const KIND: ValueKind = ValueKind::Str;
    fn from_param(value: Value) -> Result<Self, String> {
        match value {
            Value::Str(s) => Ok(s.into_string()),
            other => Err(kind_error(Self::KIND, &other)),
        }
    }
}

impl ParamValue for Vec<f64> {
    const KIND: ValueKind = ValueKind::Vector;
    fn from_param(value: Value) -> Result<Self, String> {
        match value {
            // A vector is moved, not copied element by element.
            Value::Vector(v) => Ok(v.into_vec()),
            other => other
                .to_f64_vec()
                .ok_or_else(|| kind_error(Self::KIND, &other)),
        }
    }
}

impl ParamValue for SparseMatrix {
    const KIND: ValueKind = ValueKind::Sparse;
    fn from_param(value: Value) -> Result<Self, String> {
        match value {
            Value::Sparse(m) => {
                m.validate()?;
                Ok(m)
            }
            other => Err(kind_error(Self::KIND, &other)),
        }
    }
}

impl ParamValue for DenseMatrix {
    const KIND: ValueKind = ValueKind::Matrix;
    fn from_param(value: Value) -> Result<Self, String> {
        match value {
            Value::Matrix(m) => Ok(m),
            other => other.try_to_dense_matrix(),
        }
    }
}

impl ParamValue for Callable {
    const KIND: ValueKind = ValueKind::Callable;
    fn from_param(value: Value) -> Result<Self, String> {
        match value {
            Value::Callable(c) => Ok(c),
            other => Err(kind_error(Self::KIND, &other)),
        }
    }
}

/// A map, as given (e.g. a previous result to warm-start from).
impl ParamValue for ValueMap {
    const KIND: ValueKind = ValueKind::Map;
    fn from_param(value: Value) -> Result<Self, String> {
        match value {
            Value::Map(m) => Ok(m),
            other => Err(kind_error(Self::KIND, &other)),
        }
    }
}

/// A type a list parameter can hold: `Vec<T>` is a `list` parameter for these `T` (a
/// `Vec<f64>` is a `vector`).
pub trait ListElement: ParamValue {}
impl ListElement for i64 {}
impl ListElement for usize {}
impl ListElement for u64 {}
impl ListElement for u32 {}
impl ListElement for bool {}
impl ListElement for String {}
impl ListElement for Value {}
impl ListElement for ValueMap {}
impl ListElement for DenseMatrix {}
impl ListElement for SparseMatrix {}
impl<T: ListElement> ListElement for Vec<T> {}
impl ListElement for Vec<f64> {}

/// A list; entry errors say which entry (`entry 2: expected int, got string`).
impl<T: ListElement> ParamValue for Vec<T> {
    const KIND: ValueKind = ValueKind::List;
    fn from_param(value: Value) -> Result<Self, String> {
        let items: Vec<Value> = match value {
            Value::List(items) => items.into_vec(),
            Value::Vector(v) => v.iter().map(|&x| Value::Float(x)).collect(),
            other => return Err(kind_error(Self::KIND, &other)),
        };
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| T::from_param(item).map_err(|e| format!("entry {i}: {e}")))
            .collect()
    }
}

/// Any value, as given (the plugin inspects it).
impl ParamValue for Value {
    const KIND: ValueKind = ValueKind::Any;
    fn from_param(value: Value) -> Result<Self, String> {
        Ok(value)
    }
}

/// An optional parameter: absent (or `()`) is `None`.
impl<T: ParamValue> ParamValue for Option<T> {
    const KIND: ValueKind = T::KIND;
    fn from_param(value: Value) -> Result<Self, String> {
        match value {
            Value::Unit => Ok(None),
            other => T::from_param(other).map(Some),
        }
    }
    fn absent() -> Option<Self> {
        Some(None)
    }
    fn as_number(&self) -> Option<f64> {
        self.as_ref().and_then(T::as_number)
    }
}

/// The map `decode` reads; anything else, or a key no field has, is an error.
fn into_param_map(params: Value, known: &[&str]) -> PluginResult<ValueMap> {
    let map = match params {
        Value::Unit => ValueMap::new(),
        Value::Map(m) => m,
        other => {
            return Err(PluginError::new(
                crate::ErrorKind::BadParameter,
                format!("parameters must be a map, got {}", other.describe()),
            ))
        }
    };
    if let Some(key) = map.keys().find(|k| !known.contains(k)) {
        let hint = match crate::schema::closest_matches(key, known.iter().copied(), 3).first() {
            Some(close) => format!("did you mean `{close}`?"),
            None if known.is_empty() => "this algorithm takes none".to_string(),
            None => format!("known parameters: {}", known.join(", ")),
        };
        return Err(PluginError::bad_parameter(
            key,
            format!("is not a parameter; {hint}"),
        ));
    }
    Ok(map)
}

/// A derived range check: `value op bound` must hold.
#[doc(hidden)]
pub fn check_bound<T: ParamValue>(name: &str, value: &T, op: &str, bound: f64) -> PluginResult<()> {
    let Some(x) = value.as_number() else {
        return Ok(());
    };
    let holds = match op {
        ">" => x > bound,
        ">=" => x >= bound,
        "<" => x < bound,
        _ => x <= bound,
    };
    if holds {
        Ok(())
    } else {
        let op = match op {
            ">=" => "≥",
            "<=" => "≤",
            other => other,
        };
        Err(PluginError::bad_parameter(
            name,
            format!("must be {op} {bound}, got {x}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;

    /// A test problem.
    #[derive(Params, Debug)]
    struct Demo {
        /// The system matrix.
        matrix: SparseMatrix,
        /// Relative tolerance,
        /// on two lines.
        ///
        /// (Not part of the summary.)
        #[param(default = 1e-10, gt = 0.0, lt = 1.0)]
        tol: f64,
        /// Iteration cap.
        #[param(ge = 1, renamed_from = "maxit")]
        max_iter: Option<usize>,
        /// A name.
        #[param(default = "cg")]
        name: String,
        /// The loss.
        #[param(default = Loss::CrossEntropy)]
        loss: Loss,
        /// Pairs.
        pairs: Option<Vec<Vec<usize>>>,
        #[param(flatten)]
        shared: Shared,
    }

    /// Options another struct could share.
    #[derive(Params, Debug)]
    struct Shared {
        #[param(default = 1, doc = format!("threads, at most {}", 64))]
        threads: usize,
    }

    /// A string option.
    #[derive(ParamEnum, Debug, PartialEq, Clone, Copy)]
    enum Loss {
        Squared,
        CrossEntropy,
        #[param(name = "l1")]
        Absolute,
    }

    /// An algorithm without parameters.
    #[derive(Params)]
    struct Nothing {}

    #[test]
    fn a_struct_without_fields_takes_no_parameters() {
        assert!(Nothing::schema().is_empty());
        Nothing::decode(Value::Unit).unwrap();
        let err = Nothing::decode(Value::Map(ValueMap::new().with("x", 1.0)))
            .err()
            .unwrap();
        assert_eq!(
            err.message.as_str(),
            "parameter `x`: is not a parameter; this algorithm takes none"
        );
    }

    fn given(entries: ValueMap) -> Value {
        let a = SparseMatrix::from_triplets(1, 1, &[(0, 0, 2.0)]).unwrap();
        Value::Map(entries.with("matrix", a))
    }

    #[test]
    fn the_schema_comes_from_the_fields() {
        let schema = Demo::schema();
        let names: Vec<&str> = schema.iter().map(|p| p.name.as_str()).collect();
        let all = [
            "matrix", "tol", "max_iter", "name", "loss", "pairs", "threads",
        ];
        assert_eq!(names, all);
        assert_eq!(Demo::names(), all);
        assert_eq!(schema[4].kind, ValueKind::Str);
        assert_eq!(
            schema[4].default.clone().into_option(),
            Some(Value::from("cross_entropy"))
        );
        assert_eq!(Loss::NAMES, ["squared", "cross_entropy", "l1"]);
        assert_eq!(schema[5].kind, ValueKind::List);
        assert_eq!(schema[6].doc.as_str(), "threads, at most 64");
        assert!(schema[0].required && schema[0].kind == ValueKind::Sparse);
        assert_eq!(schema[1].doc.as_str(), "Relative tolerance, on two lines.");
        assert_eq!(
            schema[1].default.clone().into_option(),
            Some(Value::Float(1e-10))
        );
        assert!(!schema[2].required && schema[2].default.is_none());
        assert_eq!(schema[2].old_names.len(), 1);
        assert_eq!(
            schema[3].default.clone().into_option(),
            Some(Value::from("cg"))
        );
    }

    #[test]
    fn decoding_fills_defaults_and_checks_ranges_by_name() {
        let p = Demo::decode(given(ValueMap::new())).unwrap();
        assert_eq!(p.matrix.nnz(), 1);
        assert_eq!((p.tol, p.max_iter, p.name.as_str()), (1e-10, None, "cg"));
        assert_eq!((p.loss, p.shared.threads), (Loss::CrossEntropy, 1));
        let p = Demo::decode(given(ValueMap::new().with("threads", 2i64))).unwrap();
        assert_eq!(p.shared.threads, 2);
        let p = Demo::decode(given(
            ValueMap::new().with("max_iter", 5i64).with("loss", "l1"),
        ))
        .unwrap();
        assert_eq!((p.max_iter, p.loss), (Some(5), Loss::Absolute));
        let message = |entries| {
            Demo::decode(given(entries))
                .unwrap_err()
                .message
                .to_string()
        };
        assert_eq!(
            message(ValueMap::new().with("tol", 2.0)),
            "parameter `tol`: must be < 1, got 2"
        );
        assert_eq!(
            message(ValueMap::new().with("max_iter", 0i64)),
            "parameter `max_iter`: must be ≥ 1, got 0"
        );
        assert_eq!(
            message(ValueMap::new().with("max_iter", -3i64)),
            "parameter `max_iter`: must be ≥ 0, got -3"
        );
        assert_eq!(
            message(ValueMap::new().with("tl", 0.1)),
            "parameter `tl`: is not a parameter; did you mean `tol`?"
        );
        assert_eq!(
            message(ValueMap::new().with("loss", "squard")),
            "parameter `loss`: must be one of `squared`, `cross_entropy`, `l1`, got `squard` \
             (did you mean `squared`?)"
        );
        let pairs = Value::List(vec![Value::from(vec![1.0, 2.0]), Value::from(vec![3.0])].into());
        let p = Demo::decode(given(ValueMap::new().with("pairs", pairs))).unwrap();
        assert_eq!(p.pairs, Some(vec![vec![1, 2], vec![3]]));
        let bad = Value::List(vec![Value::from(vec![1.0]), Value::from("x")].into());
        assert_eq!(
            message(ValueMap::new().with("pairs", bad)),
            "parameter `pairs`: entry 1: expected list, got string \"x\""
        );
        let err = Demo::decode(Value::Map(ValueMap::new())).unwrap_err();
        assert_eq!(
            err.message.as_str(),
            "parameter `matrix`: is required but missing"
        );
    }
}
