//! serde for [`Value`]: decode parameters into plain structs, encode results from them, and
//! read or write values as RON or JSON.
//!
//! Dense and sparse matrices and callables have no serde data-model equivalent, so they travel
//! as maps tagged with `"$type"` (`{"$type": "matrix", "rows": 2, "cols": 2, "data": [...]}`);
//! [`Value`]'s `Deserialize` turns such maps back into the typed variants.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde::ser::{self, Serialize, SerializeMap};
use serde::Deserialize;

use crate::error::PluginError;
use crate::value::{Callable, DenseMatrix, SparseMatrix, Value, ValueMap};

const TYPE_TAG: &str = "$type";

// ---------------------------------------------------------------------------------------------
// Errors

/// A decoding error with the path of the offending entry (`tol`, `blocks[2]`, `problem.c`).
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError {
    path: Vec<String>,
    message: String,
}

impl DecodeError {
    fn at(mut self, segment: String) -> Self {
        self.path.insert(0, segment);
        self
    }

    /// The dotted path of the entry that failed, empty for the top level.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for segment in &self.path {
            if !out.is_empty() && !segment.starts_with('[') {
                out.push('.');
            }
            out.push_str(segment);
        }
        out
    }

    /// The message, naming the field where decoding failed.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "`{}`: {}", self.path(), self.message)
        }
    }
}

impl std::error::Error for DecodeError {}

impl de::Error for DecodeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DecodeError {
            path: Vec::new(),
            message: msg.to_string(),
        }
    }

    fn missing_field(field: &'static str) -> Self {
        DecodeError {
            path: vec![field.to_string()],
            message: "is required but missing".into(),
        }
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        DecodeError {
            path: vec![field.to_string()],
            message: format!(
                "is not a known parameter (expected one of: {})",
                expected.join(", ")
            ),
        }
    }
}

impl ser::Error for DecodeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        <DecodeError as de::Error>::custom(msg)
    }
}

impl From<DecodeError> for PluginError {
    fn from(e: DecodeError) -> Self {
        if e.path.is_empty() {
            PluginError::new(crate::ErrorKind::BadParameter, e.message)
        } else {
            PluginError::bad_parameter(&e.path(), e.message)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Public entry points

/// Decodes a value into `T` (typically a `#[derive(Deserialize)]` parameter struct).
///
/// What each field type accepts (scripts write plain literals, not constructors):
///
/// | field type | accepts |
/// |---|---|
/// | `f64` | a float or an int (`1` widens to `1.0`) |
/// | `i64`, `u64`, `usize`, ... | an int in the type's range (a negative one for `u64` is an error) |
/// | `bool`, `String` | a bool, a string |
/// | `Vec<f64>` | a vector, or a list of numbers (`[1, 2.5]`) |
/// | [`DenseMatrix`] | a matrix, or a list of equal-length numeric rows (`[[1, 2], [3, 4]]`, row-major as written) |
/// | [`SparseMatrix`] | a sparse matrix (`sparse(rows, cols, triplets)` in Rhai) |
/// | [`Callable`] | a script function (call it with `host.call_function`) |
/// | `Vec<T>`, `HashMap<String, T>`, structs | a list, a map (nested structs decode field by field) |
/// | a unit-variant enum | the variant's name as a string (`"dd"` for `Dd` with `rename_all = "snake_case"`) |
/// | `Option<T>` | `()` or an absent key as `None`, anything `T` accepts as `Some` |
///
/// A field marked `#[serde(default)]` may be absent; unknown keys are ignored here (the
/// engine's schema check has already refused them). The error names the path of the entry
/// that failed (`blocks[2]`, `problem.c`) and, converted to a [`PluginError`], reads
/// ``parameter `blocks[2]`: ...``.
///
/// ```
/// use boundlab_sdk::{from_value, DenseMatrix, Value, ValueMap};
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// #[serde(rename_all = "snake_case")]
/// enum Method { Plain, Shifted }
///
/// #[derive(Deserialize)]
/// struct Params { a: DenseMatrix, b: Vec<f64>, tol: f64, method: Method, #[serde(default)] max_iter: Option<u64> }
///
/// let rows = Value::from(vec![Value::from(vec![2.0, 1.0]), Value::from(vec![1i64, 3])]);
/// let given = ValueMap::new()
///     .with("a", rows)
///     .with("b", vec![Value::Int(1), Value::Float(0.5)])
///     .with("tol", 1i64)
///     .with("method", "shifted");
/// let p: Params = from_value(Value::Map(given)).unwrap();
/// assert_eq!((p.a.get(0, 1), p.a.get(1, 0)), (1.0, 1.0)); // rows as written
/// assert_eq!(p.b, [1.0, 0.5]);
/// assert_eq!(p.tol, 1.0);
/// assert!(matches!(p.method, Method::Shifted));
/// assert_eq!(p.max_iter, None);
/// ```
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, DecodeError> {
    T::deserialize(value)
}

/// Encodes any serializable value (a result struct, a vector) as a [`Value`].
///
/// Sequences of floats become [`Value::Vector`]; structs and maps become [`Value::Map`] in field
/// order; `None` becomes `Unit`; enum unit variants become their name.
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Value {
    value
        .serialize(ValueSerializer)
        .unwrap_or_else(|e| Value::Str(format!("<not encodable: {e}>").into()))
}

// ---------------------------------------------------------------------------------------------
// Value -> serde

impl Serialize for Value {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Unit => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::Float(x) => s.serialize_f64(*x),
            Value::Str(text) => s.serialize_str(text),
            Value::List(items) => s.collect_seq(items.iter()),
            Value::Vector(v) => s.collect_seq(v.iter()),
            Value::Map(m) => {
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, v) in m.iter() {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            Value::Matrix(m) => m.serialize(s),
            Value::Sparse(m) => m.serialize(s),
            Value::Callable(c) => c.serialize(s),
        }
    }
}

impl Serialize for DenseMatrix {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(4))?;
        map.serialize_entry(TYPE_TAG, "matrix")?;
        map.serialize_entry("rows", &self.rows)?;
        map.serialize_entry("cols", &self.cols)?;
        map.serialize_entry("data", self.data.as_slice())?;
        map.end()
    }
}

impl Serialize for SparseMatrix {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(6))?;
        map.serialize_entry(TYPE_TAG, "sparse")?;
        map.serialize_entry("rows", &self.rows)?;
        map.serialize_entry("cols", &self.cols)?;
        map.serialize_entry("col_ptr", self.col_ptr.as_slice())?;
        map.serialize_entry("row_indices", self.row_indices.as_slice())?;
        map.serialize_entry("values", self.values.as_slice())?;
        map.end()
    }
}

impl Serialize for Callable {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry(TYPE_TAG, "callable")?;
        map.serialize_entry("id", &self.id)?;
        map.end()
    }
}

// ---------------------------------------------------------------------------------------------
// serde -> Value

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        i64::try_from(v)
            .map(Value::Int)
            .map_err(|_| E::custom(format!("integer {v} does not fit in 64-bit signed range")))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.into()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v.into()))
    }
    fn visit_char<E>(self, v: char) -> Result<Value, E> {
        Ok(Value::Str(v.to_string().into()))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Unit)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Unit)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_newtype_struct<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        if let Some(value) = take_handed_off() {
            return Ok(value);
        }
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
        while let Some(item) = seq.next_element::<Value>()? {
            items.push(item);
        }
        Ok(Value::List(items.into()))
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        if let Some(value) = take_handed_off() {
            return Ok(value);
        }
        let mut map = ValueMap::new();
        while let Some((k, v)) = access.next_entry::<String, Value>()? {
            map.insert(k, v);
        }
        from_tagged_map(map).map_err(de::Error::custom)
    }
}

/// Turns a `"$type"`-tagged map back into a matrix, sparse matrix or callable.
fn from_tagged_map(map: ValueMap) -> Result<Value, String> {
    let Some(tag) = map.get(TYPE_TAG).and_then(Value::as_str) else {
        return Ok(Value::Map(map));
    };
    let field = |name: &str| {
        map.get(name)
            .ok_or_else(|| format!("a {tag} needs the field `{name}`"))
    };
    let size = |name: &str| -> Result<usize, String> {
        field(name)?
            .as_i64()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| format!("`{name}` of a {tag} must be a non-negative integer"))
    };
    let floats = |name: &str| {
        field(name)?
            .to_f64_vec()
            .ok_or_else(|| format!("`{name}` of a {tag} must be a list of numbers"))
    };
    let indices = |name: &str| -> Result<Vec<u64>, String> {
        match field(name)? {
            Value::List(items) => items
                .iter()
                .map(|v| v.as_i64().and_then(|n| u64::try_from(n).ok()))
                .collect::<Option<Vec<u64>>>()
                .ok_or_else(|| format!("`{name}` of a {tag} must hold non-negative integers")),
            _ => Err(format!("`{name}` of a {tag} must be a list")),
        }
    };
    match tag {
        "matrix" => Ok(Value::Matrix(DenseMatrix::from_col_major(
            size("rows")?,
            size("cols")?,
            floats("data")?,
        )?)),
        "sparse" => {
            let m = SparseMatrix {
                rows: size("rows")? as u64,
                cols: size("cols")? as u64,
                col_ptr: indices("col_ptr")?.into(),
                row_indices: indices("row_indices")?.into(),
                values: floats("values")?.into(),
            };
            m.validate()?;
            Ok(Value::Sparse(m))
        }
        "callable" => Ok(Value::Callable(Callable {
            id: size("id")? as u64,
        })),
        other => Err(format!(
            "unknown `$type` {other:?} (expected matrix, sparse or callable)"
        )),
    }
}

impl<'de> Deserialize<'de> for DenseMatrix {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Value::deserialize(d)?
            .try_to_dense_matrix()
            .map_err(de::Error::custom)
    }
}

/// Decodes a value that must be one variant of [`Value`]; `what` names it in the error.
fn expect_variant<'de, D: de::Deserializer<'de>, T>(
    d: D,
    what: &str,
    extract: fn(Value) -> Result<T, Value>,
) -> Result<T, D::Error> {
    extract(Value::deserialize(d)?)
        .map_err(|other| de::Error::custom(format!("expected {what}, got {}", other.describe())))
}

impl<'de> Deserialize<'de> for SparseMatrix {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        expect_variant(d, "a sparse matrix", |v| match v {
            Value::Sparse(m) => Ok(m),
            other => Err(other),
        })
    }
}

impl<'de> Deserialize<'de> for Callable {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        expect_variant(d, "a function", |v| match v {
            Value::Callable(c) => Ok(c),
            other => Err(other),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Value as a Deserializer (decoding parameters)

impl<'de> IntoDeserializer<'de, DecodeError> for Value {
    type Deserializer = Value;
    fn into_deserializer(self) -> Value {
        self
    }
}

impl<'de> de::Deserializer<'de> for Value {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self {
            Value::Unit => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Int(i) => visitor.visit_i64(i),
            Value::Float(x) => visitor.visit_f64(x),
            Value::Str(s) => visitor.visit_string(s.into_string()),
            compound => hand_off(compound, visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self {
            Value::Unit => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self {
            Value::Int(i) => visitor.visit_f64(i as f64),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match self {
            Value::Str(s) => visitor.visit_enum(s.into_string().into_deserializer()),
            Value::Map(m) if m.len() == 1 => {
                let (k, v) = m
                    .iter()
                    .next()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .expect("one entry");
                visitor.visit_enum(EnumReader {
                    variant: k,
                    content: v,
                })
            }
            other => Err(de::Error::custom(format!(
                "expected a variant name or a one-key map, got {}",
                other.describe()
            ))),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

thread_local! {
    /// A compound value on its way from [`Value`]'s deserializer to the visitor it is handed to.
    ///
    /// serde gives a deserializer no way to pass a value of its own type to a visitor, so
    /// decoding a `Value` (or a matrix) from a `Value` would rebuild it entry by entry, through
    /// the serde form: a 10⁶-entry vector as 10⁶ `Value::Float`s, a sparse matrix as tagged
    /// lists of `Value::Int`. Instead the deserializer parks the value here and offers a reader
    /// that takes it on first use: [`ValueVisitor`] takes it whole (a move), any other visitor
    /// reads the usual serde form from the reader. Nothing runs between parking and the
    /// visitor's first step, so the value parked is always the one being visited.
    static HANDED_OFF: RefCell<Option<Value>> = const { RefCell::new(None) };
}

fn take_handed_off() -> Option<Value> {
    HANDED_OFF.with(|h| h.borrow_mut().take())
}

/// Visits a list, vector, map, matrix, sparse matrix or callable through [`HANDED_OFF`].
fn hand_off<'de, V: Visitor<'de>>(value: Value, visitor: V) -> Result<V::Value, DecodeError> {
    let as_seq = matches!(value, Value::List(_) | Value::Vector(_));
    let len = match &value {
        Value::List(items) => items.len(),
        Value::Vector(v) => v.len(),
        Value::Map(m) => m.len(),
        Value::Matrix(_) => 4,
        Value::Sparse(_) => 6,
        _ => 2,
    };
    HANDED_OFF.with(|h| *h.borrow_mut() = Some(value));
    let mut reader = HandedOffSeq { len, items: None };
    let out = if as_seq {
        visitor.visit_seq(&mut reader)
    } else {
        visitor.visit_map(HandedOffMap { len, reader: None })
    };
    // Still parked: the visitor neither took the value nor read from the reader.
    let untouched = take_handed_off().is_some();
    let left = match &reader.items {
        Some(items) => items.len(),
        None if untouched => len,
        None => 0,
    };
    match out {
        Ok(_) if as_seq && left > 0 => Err(de::Error::invalid_length(len, &"fewer elements")),
        out => out,
    }
}

/// The `"$type"`-tagged map form of a matrix, sparse matrix or callable.
fn tagged_map(value: Value) -> ValueMap {
    let ints = |v: &[u64]| Value::List(v.iter().map(|&i| Value::Int(i as i64)).collect());
    match value {
        Value::Matrix(m) => ValueMap::new()
            .with(TYPE_TAG, "matrix")
            .with("rows", m.rows as i64)
            .with("cols", m.cols as i64)
            .with("data", Value::Vector(m.data)),
        Value::Sparse(m) => ValueMap::new()
            .with(TYPE_TAG, "sparse")
            .with("rows", m.rows as i64)
            .with("cols", m.cols as i64)
            .with("col_ptr", ints(&m.col_ptr))
            .with("row_indices", ints(&m.row_indices))
            .with("values", Value::Vector(m.values)),
        Value::Callable(c) => ValueMap::new()
            .with(TYPE_TAG, "callable")
            .with("id", c.id as i64),
        _ => unreachable!("only matrices, sparse matrices and callables are tagged"),
    }
}

/// The elements of a handed-off list or vector, taken on the first request.
struct HandedOffSeq {
    len: usize,
    items: Option<std::iter::Enumerate<SeqItems>>,
}

/// A list's values, or a vector's numbers (read one by one, never collected as values).
enum SeqItems {
    Values(std::vec::IntoIter<Value>),
    Floats(abi_stable::std_types::vec::IntoIter<f64>),
}

impl Iterator for SeqItems {
    type Item = Value;
    fn next(&mut self) -> Option<Value> {
        match self {
            SeqItems::Values(items) => items.next(),
            SeqItems::Floats(items) => items.next().map(Value::Float),
        }
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            SeqItems::Values(items) => items.size_hint(),
            SeqItems::Floats(items) => items.size_hint(),
        }
    }
}

impl ExactSizeIterator for SeqItems {}

impl<'de> de::SeqAccess<'de> for &mut HandedOffSeq {
    type Error = DecodeError;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DecodeError> {
        let items = self.items.get_or_insert_with(|| {
            match take_handed_off() {
                Some(Value::List(items)) => SeqItems::Values(items.into_vec().into_iter()),
                Some(Value::Vector(v)) => SeqItems::Floats(v.into_iter()),
                _ => SeqItems::Values(Vec::new().into_iter()),
            }
            .enumerate()
        });
        match items.next() {
            None => Ok(None),
            Some((i, v)) => seed
                .deserialize(v)
                .map(Some)
                .map_err(|e| e.at(format!("[{i}]"))),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.as_ref().map_or(self.len, ExactSizeIterator::len))
    }
}

/// The entries of a handed-off map (or tagged-map form), taken on the first request.
struct HandedOffMap {
    len: usize,
    reader: Option<MapReader>,
}

impl HandedOffMap {
    fn reader(&mut self) -> &mut MapReader {
        self.reader.get_or_insert_with(|| {
            MapReader::new(match take_handed_off() {
                Some(Value::Map(m)) => m,
                Some(tagged) => tagged_map(tagged),
                None => ValueMap::new(),
            })
        })
    }
}

impl<'de> de::MapAccess<'de> for HandedOffMap {
    type Error = DecodeError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        self.reader().next_key_seed(seed)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DecodeError> {
        self.reader().next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.reader.as_ref().map_or(self.len, |r| r.entries.len()))
    }
}

struct MapReader {
    entries: std::vec::IntoIter<(String, Value)>,
    pending: Option<(String, Value)>,
}

impl MapReader {
    fn new(map: ValueMap) -> Self {
        Self {
            entries: map.into_entries().collect::<Vec<_>>().into_iter(),
            pending: None,
        }
    }
}

impl<'de> de::MapAccess<'de> for MapReader {
    type Error = DecodeError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        match self.entries.next() {
            None => Ok(None),
            Some((k, v)) => {
                let key = seed.deserialize(Value::Str(k.clone().into()))?;
                self.pending = Some((k, v));
                Ok(Some(key))
            }
        }
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DecodeError> {
        let (k, v) = self.pending.take().ok_or_else(|| {
            <DecodeError as de::Error>::custom("a map value was requested before its key")
        })?;
        seed.deserialize(v).map_err(|e| e.at(k))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

struct EnumReader {
    variant: String,
    content: Value,
}

impl<'de> de::EnumAccess<'de> for EnumReader {
    type Error = DecodeError;
    type Variant = VariantReader;

    fn variant_seed<V: de::DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, VariantReader), DecodeError> {
        let name = self.variant.clone();
        let v = seed.deserialize(Value::Str(self.variant.into()))?;
        Ok((
            v,
            VariantReader {
                name,
                content: self.content,
            },
        ))
    }
}

struct VariantReader {
    name: String,
    content: Value,
}

impl<'de> de::VariantAccess<'de> for VariantReader {
    type Error = DecodeError;

    fn unit_variant(self) -> Result<(), DecodeError> {
        match self.content {
            Value::Unit => Ok(()),
            other => Err(<DecodeError as de::Error>::custom(format!(
                "variant takes no value, got {}",
                other.describe()
            ))
            .at(self.name)),
        }
    }

    fn newtype_variant_seed<T: de::DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, DecodeError> {
        let name = self.name;
        seed.deserialize(self.content).map_err(|e| e.at(name))
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        let name = self.name;
        de::Deserializer::deserialize_seq(self.content, visitor).map_err(|e| e.at(name))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        let name = self.name;
        de::Deserializer::deserialize_map(self.content, visitor).map_err(|e| e.at(name))
    }
}

// ---------------------------------------------------------------------------------------------
// Serializer into Value (encoding results)

struct ValueSerializer;

type SerResult = Result<Value, DecodeError>;

fn seq_value(items: Vec<Value>) -> Value {
    if !items.is_empty() && items.iter().all(|v| matches!(v, Value::Float(_))) {
        Value::Vector(
            items
                .iter()
                .filter_map(Value::as_f64)
                .collect::<Vec<f64>>()
                .into(),
        )
    } else {
        Value::List(items.into())
    }
}

impl ser::Serializer for ValueSerializer {
    type Ok = Value;
    type Error = DecodeError;
    type SerializeSeq = SeqBuilder;
    type SerializeTuple = SeqBuilder;
    type SerializeTupleStruct = SeqBuilder;
    type SerializeTupleVariant = VariantBuilder<SeqBuilder>;
    type SerializeMap = MapBuilder;
    type SerializeStruct = MapBuilder;
    type SerializeStructVariant = VariantBuilder<MapBuilder>;

    fn serialize_bool(self, v: bool) -> SerResult {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> SerResult {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> SerResult {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> SerResult {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> SerResult {
        Ok(Value::Int(v))
    }
    fn serialize_u8(self, v: u8) -> SerResult {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> SerResult {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> SerResult {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> SerResult {
        i64::try_from(v).map(Value::Int).map_err(|_| {
            ser::Error::custom(format!("integer {v} does not fit in 64-bit signed range"))
        })
    }
    fn serialize_f32(self, v: f32) -> SerResult {
        Ok(Value::Float(v.into()))
    }
    fn serialize_f64(self, v: f64) -> SerResult {
        Ok(Value::Float(v))
    }
    fn serialize_char(self, v: char) -> SerResult {
        Ok(Value::Str(v.to_string().into()))
    }
    fn serialize_str(self, v: &str) -> SerResult {
        Ok(Value::Str(v.into()))
    }
    fn serialize_bytes(self, v: &[u8]) -> SerResult {
        Ok(Value::List(
            v.iter().map(|&b| Value::Int(b.into())).collect(),
        ))
    }
    fn serialize_none(self) -> SerResult {
        Ok(Value::Unit)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> SerResult {
        v.serialize(self)
    }
    fn serialize_unit(self) -> SerResult {
        Ok(Value::Unit)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> SerResult {
        Ok(Value::Unit)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> SerResult {
        Ok(Value::Str(variant.into()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        v: &T,
    ) -> SerResult {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        v: &T,
    ) -> SerResult {
        Ok(Value::Map(
            ValueMap::new().with(variant, v.serialize(ValueSerializer)?),
        ))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqBuilder, DecodeError> {
        Ok(SeqBuilder(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqBuilder, DecodeError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<SeqBuilder, DecodeError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantBuilder<SeqBuilder>, DecodeError> {
        Ok(VariantBuilder {
            variant,
            inner: SeqBuilder(Vec::with_capacity(len)),
        })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<MapBuilder, DecodeError> {
        Ok(MapBuilder {
            map: ValueMap::new(),
            key: None,
        })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<MapBuilder, DecodeError> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantBuilder<MapBuilder>, DecodeError> {
        Ok(VariantBuilder {
            variant,
            inner: self.serialize_map(Some(len))?,
        })
    }
}

struct SeqBuilder(Vec<Value>);

impl ser::SerializeSeq for SeqBuilder {
    type Ok = Value;
    type Error = DecodeError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), DecodeError> {
        self.0.push(v.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> SerResult {
        Ok(seq_value(self.0))
    }
}

impl ser::SerializeTuple for SeqBuilder {
    type Ok = Value;
    type Error = DecodeError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), DecodeError> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> SerResult {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for SeqBuilder {
    type Ok = Value;
    type Error = DecodeError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), DecodeError> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> SerResult {
        ser::SerializeSeq::end(self)
    }
}

struct MapBuilder {
    map: ValueMap,
    key: Option<String>,
}

impl ser::SerializeMap for MapBuilder {
    type Ok = Value;
    type Error = DecodeError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), DecodeError> {
        self.key = Some(match key.serialize(ValueSerializer)? {
            Value::Str(s) => s.into_string(),
            Value::Int(i) => i.to_string(),
            Value::Bool(b) => b.to_string(),
            other => {
                return Err(ser::Error::custom(format!(
                    "map keys must be strings, got {}",
                    other.describe()
                )))
            }
        });
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), DecodeError> {
        let key = self.key.take().ok_or_else(|| {
            <DecodeError as ser::Error>::custom("a map value was given before its key")
        })?;
        self.map.insert(key, v.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> SerResult {
        from_tagged_map(self.map).map_err(ser::Error::custom)
    }
}

impl ser::SerializeStruct for MapBuilder {
    type Ok = Value;
    type Error = DecodeError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), DecodeError> {
        self.map.insert(key, v.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> SerResult {
        Ok(Value::Map(self.map))
    }
}

struct VariantBuilder<T> {
    variant: &'static str,
    inner: T,
}

impl ser::SerializeTupleVariant for VariantBuilder<SeqBuilder> {
    type Ok = Value;
    type Error = DecodeError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), DecodeError> {
        ser::SerializeSeq::serialize_element(&mut self.inner, v)
    }
    fn end(self) -> SerResult {
        Ok(Value::Map(
            ValueMap::new().with(self.variant, ser::SerializeSeq::end(self.inner)?),
        ))
    }
}

impl ser::SerializeStructVariant for VariantBuilder<MapBuilder> {
    type Ok = Value;
    type Error = DecodeError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), DecodeError> {
        ser::SerializeStruct::serialize_field(&mut self.inner, key, v)
    }
    fn end(self) -> SerResult {
        Ok(Value::Map(
            ValueMap::new().with(self.variant, Value::Map(self.inner.map)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Params {
        dim: usize,
        #[serde(default = "default_tol")]
        tol: f64,
        precision: Precision,
        weights: Option<Vec<f64>>,
    }

    fn default_tol() -> f64 {
        1e-8
    }

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Precision {
        F64,
        Dd,
    }

    fn params(entries: &[(&str, Value)]) -> Value {
        Value::Map(entries.iter().cloned().collect())
    }

    #[test]
    fn decodes_structs_with_widening_and_defaults() {
        let p: Params = from_value(params(&[
            ("dim", Value::Int(3)),
            ("precision", "dd".into()),
            (
                "weights",
                Value::List(vec![Value::Int(1), Value::Float(0.5)].into()),
            ),
        ]))
        .unwrap();
        assert_eq!(
            p,
            Params {
                dim: 3,
                tol: 1e-8,
                precision: Precision::Dd,
                weights: Some(vec![1.0, 0.5])
            }
        );
    }

    #[test]
    fn errors_name_the_parameter() {
        let err = from_value::<Params>(params(&[
            ("dim", "three".into()),
            ("precision", "dd".into()),
        ]))
        .unwrap_err();
        assert_eq!(err.path(), "dim");
        assert!(err.message().contains("expected usize"), "{err}");

        let err = from_value::<Params>(params(&[
            ("dim", Value::Int(-1)),
            ("precision", "dd".into()),
        ]))
        .unwrap_err();
        assert_eq!(err.path(), "dim");

        let err = from_value::<Params>(params(&[("precision", "dd".into())])).unwrap_err();
        assert_eq!(err.to_string(), "`dim`: is required but missing");

        let err = from_value::<Params>(params(&[
            ("dim", Value::Int(1)),
            ("precision", "dd".into()),
            (
                "weights",
                Value::List(vec![Value::Int(1), "x".into()].into()),
            ),
        ]))
        .unwrap_err();
        assert_eq!(err.path(), "weights[1]");

        let err = from_value::<Params>(params(&[
            ("dim", Value::Int(1)),
            ("precision", "quad".into()),
        ]))
        .unwrap_err();
        assert_eq!(err.path(), "precision");
        let plugin_err = PluginError::from(err);
        assert!(
            plugin_err.message.starts_with("parameter `precision`"),
            "{}",
            plugin_err.message
        );
    }

    #[test]
    fn encodes_structs_in_field_order_and_float_lists_as_vectors() {
        let v = to_value(&Params {
            dim: 2,
            tol: 0.5,
            precision: Precision::F64,
            weights: Some(vec![1.0, 2.0]),
        });
        let m = v.as_map().unwrap();
        assert_eq!(
            m.keys().collect::<Vec<_>>(),
            ["dim", "tol", "precision", "weights"]
        );
        assert_eq!(m.get("precision"), Some(&Value::Str("f64".into())));
        assert_eq!(
            m.get("weights"),
            Some(&Value::Vector(vec![1.0, 2.0].into()))
        );
    }

    #[test]
    fn matrices_round_trip_through_ron_and_json() {
        let original = Value::Map(
            ValueMap::new()
                .with(
                    "a",
                    DenseMatrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 4.5]]).unwrap(),
                )
                .with(
                    "s",
                    SparseMatrix::from_triplets(3, 2, &[(0, 0, 1.0), (2, 1, -2.0)]).unwrap(),
                )
                .with("f", Callable { id: 7 })
                .with(
                    "list",
                    Value::List(vec![Value::Int(1), "x".into(), Value::Bool(true)].into()),
                ),
        );
        let json = serde_json::to_string(&original).unwrap();
        let back: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back, original);
        let text = ron::to_string(&original).unwrap();
        let back: Value = ron::from_str(&text).unwrap();
        assert_eq!(back, original);
    }

    #[test]
    fn typed_matrix_fields_accept_nested_lists() {
        #[derive(Deserialize, Debug)]
        struct P {
            a: DenseMatrix,
        }
        let rows = Value::List(
            vec![
                Value::List(vec![Value::Int(1), Value::Int(2)].into()),
                Value::Vector(vec![3.0, 4.0].into()),
            ]
            .into(),
        );
        let p: P = from_value(params(&[("a", rows)])).unwrap();
        assert_eq!(p.a.get(1, 0), 3.0);
        let p: P = from_value(params(&[("a", DenseMatrix::zeros(2, 3).into())])).unwrap();
        assert_eq!((p.a.nrows(), p.a.ncols()), (2, 3));
        // A ragged matrix is refused with the row that is wrong, not a vaguer message.
        let ragged = Value::from(vec![Value::from(vec![1.0, 2.0]), Value::from(vec![3.0])]);
        let err = PluginError::from(from_value::<P>(params(&[("a", ragged)])).unwrap_err());
        assert_eq!(
            err.message.as_str(),
            "parameter `a`: row 1 has 1 entry but row 0 has 2"
        );
        let mixed = Value::from(vec![Value::from(vec![1.0]), Value::from("x")]);
        let err = PluginError::from(from_value::<P>(params(&[("a", mixed)])).unwrap_err());
        assert!(
            err.message.contains("row 1 is a string \"x\", not numbers"),
            "{}",
            err.message
        );
    }

    #[test]
    fn values_decoded_from_values_keep_their_variant_and_other_targets_see_the_serde_form() {
        let sparse = SparseMatrix::from_triplets(2, 2, &[(0, 0, 1.0), (1, 1, 2.0)]).unwrap();
        let original = params(&[
            ("v", Value::Vector(vec![1.0, 2.0].into())),
            ("s", Value::Sparse(sparse.clone())),
            (
                "l",
                Value::List(vec![Value::Int(1), Value::from("x")].into()),
            ),
        ]);
        // Value from Value: the same variants (a vector stays a vector, not a list of floats).
        let same: Value = from_value(original.clone()).unwrap();
        assert_eq!(same, original);
        #[derive(Deserialize)]
        struct Typed {
            v: Vec<f64>,
            s: SparseMatrix,
            l: (i64, String),
        }
        let typed: Typed = from_value(original.clone()).unwrap();
        assert_eq!(
            (typed.v, typed.s, typed.l),
            (vec![1.0, 2.0], sparse, (1, "x".into()))
        );
        // An untagged enum buffers the serde form and replays it into Value: the numbers and
        // the sparse matrix survive (the vector as a list of floats, as serde sees it).
        #[derive(Deserialize, Debug, PartialEq)]
        #[serde(untagged)]
        enum Either {
            Number(f64),
            Anything(Value),
        }
        let Either::Anything(replayed) = from_value(original.clone()).unwrap() else {
            panic!("a map is not a number");
        };
        assert_eq!(
            replayed.get("v").unwrap().to_f64_vec(),
            Some(vec![1.0, 2.0])
        );
        assert_eq!(replayed.get("s"), original.get("s"));
        // Too many elements for a tuple is still an error naming the length.
        let err = from_value::<(f64,)>(Value::Vector(vec![1.0, 2.0].into())).unwrap_err();
        assert!(err.to_string().contains("invalid length 2"), "{err}");
    }
}
