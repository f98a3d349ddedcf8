//! [`Value`]: the one data type that crosses the plugin boundary.
//!
//! Everything a script passes to an algorithm and everything an algorithm returns is a `Value`.
//! Numerical payloads have their own variants (dense vectors, column-major dense matrices, CSC
//! sparse matrices) so that they cross without boxing every number.

use abi_stable::std_types::{RString, RVec};
use abi_stable::StableAbi;

/// A dynamically typed value with a stable layout.
#[repr(C, u8)]
#[derive(StableAbi, Clone, Debug, PartialEq, Default)]
pub enum Value {
    /// No value (Rhai's `()`).
    #[default]
    Unit,
    /// A boolean.
    Bool(bool),
    /// A 64-bit integer.
    Int(i64),
    /// A double.
    Float(f64),
    /// A string.
    Str(RString),
    /// A list of values of any kinds.
    List(RVec<Value>),
    /// String keys in insertion order.
    Map(ValueMap),
    /// A dense vector of floats.
    Vector(RVec<f64>),
    /// A dense matrix.
    Matrix(DenseMatrix),
    /// A sparse matrix (CSC).
    Sparse(SparseMatrix),
    /// A function owned by the host (a script closure); call it with `Host::call`.
    Callable(Callable),
}

/// The kind of a [`Value`], used in parameter schemas and error messages.
#[repr(u8)]
#[derive(StableAbi, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueKind {
    /// Nothing (`()`).
    Unit,
    /// A boolean.
    Bool,
    /// An integer.
    Int,
    /// A float (ints are accepted).
    Float,
    /// A string.
    Str,
    /// A list.
    List,
    /// A map with string keys.
    Map,
    /// A vector of floats (lists of numbers are accepted).
    Vector,
    /// A dense matrix (a list of rows is accepted).
    Matrix,
    /// A sparse matrix.
    Sparse,
    /// A function.
    Callable,
    /// Any kind is accepted (schemas only).
    Any,
}

impl ValueKind {
    /// The name used in error messages and in `describe`.
    pub fn name(self) -> &'static str {
        match self {
            ValueKind::Unit => "unit",
            ValueKind::Bool => "bool",
            ValueKind::Int => "int",
            ValueKind::Float => "float",
            ValueKind::Str => "string",
            ValueKind::List => "list",
            ValueKind::Map => "map",
            ValueKind::Vector => "vector",
            ValueKind::Matrix => "matrix",
            ValueKind::Sparse => "sparse matrix",
            ValueKind::Callable => "function",
            ValueKind::Any => "any",
        }
    }

    /// Whether a value of kind `actual` is acceptable where `self` is expected.
    ///
    /// Integers widen to floats, numeric lists stand for vectors, and nested lists of numbers
    /// stand for matrices: scripts write `[1.0, 2.0]`, not a special constructor.
    pub fn accepts(self, value: &Value) -> bool {
        match (self, value) {
            (ValueKind::Any, _) => true,
            (ValueKind::Float, Value::Int(_)) => true,
            (ValueKind::Vector, Value::List(items)) => items.iter().all(Value::is_number),
            (ValueKind::List, Value::Vector(_)) => true,
            (ValueKind::Matrix, Value::List(rows)) => rows.iter().all(|row| {
                matches!(row, Value::Vector(_))
                    || matches!(row, Value::List(r) if r.iter().all(Value::is_number))
            }),
            (expected, actual) => expected == actual.kind(),
        }
    }
}

impl std::fmt::Display for ValueKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// An ordered map from strings to values (insertion order is kept, keys are unique).
#[repr(C)]
#[derive(StableAbi, Clone, Debug, PartialEq, Default)]
pub struct ValueMap {
    entries: RVec<MapEntry>,
}

/// One key-value pair of a [`ValueMap`].
#[repr(C)]
#[derive(StableAbi, Clone, Debug, PartialEq)]
pub struct MapEntry {
    /// The key.
    pub key: RString,
    /// Its value.
    pub value: Value,
}

impl ValueMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.value)
    }

    /// The value under `key`, to change it in place.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.entries
            .iter_mut()
            .find(|e| e.key == key)
            .map(|e| &mut e.value)
    }

    /// Whether `key` has an entry.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` to `value`, replacing an existing entry in place or appending a new one.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<Value>) {
        let key = key.into();
        let value = value.into();
        match self.get_mut(&key) {
            Some(slot) => *slot = value,
            None => self.entries.push(MapEntry {
                key: key.into(),
                value,
            }),
        }
    }

    /// Removes and returns the value under `key`, keeping the order of the others.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let index = self.entries.iter().position(|e| e.key == key)?;
        Some(self.entries.remove(index).value)
    }

    /// Builder-style insert.
    pub fn with(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.insert(key, value);
        self
    }

    /// The entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.iter().map(|e| (e.key.as_str(), &e.value))
    }

    /// The keys in insertion order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.key.as_str())
    }

    /// The entries by value, in order (no copies of large payloads).
    pub fn into_entries(self) -> impl Iterator<Item = (String, Value)> {
        self.entries
            .into_iter()
            .map(|e| (e.key.into_string(), e.value))
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for ValueMap {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = ValueMap::new();
        for (k, v) in iter {
            map.insert(k, v);
        }
        map
    }
}

/// A dense matrix in column-major order (the layout of faer, LAPACK and Fortran).
#[repr(C)]
#[derive(StableAbi, Clone, Debug, PartialEq)]
pub struct DenseMatrix {
    /// Number of rows.
    pub rows: u64,
    /// Number of columns.
    pub cols: u64,
    /// `data[i + j * rows]` is the entry in row `i`, column `j`.
    pub data: RVec<f64>,
}

impl DenseMatrix {
    /// A matrix from column-major data; fails when the length does not match the shape.
    pub fn from_col_major(rows: usize, cols: usize, data: Vec<f64>) -> Result<Self, String> {
        if rows.checked_mul(cols) != Some(data.len()) {
            return Err(format!(
                "a {rows}x{cols} matrix needs {} entries, got {}",
                rows.saturating_mul(cols),
                data.len()
            ));
        }
        Ok(Self {
            rows: rows as u64,
            cols: cols as u64,
            data: data.into(),
        })
    }

    /// A `rows` × `cols` matrix of zeros.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self {
            rows: rows as u64,
            cols: cols as u64,
            data: vec![0.0; rows * cols].into(),
        }
    }

    /// A matrix from a function of (row, column).
    pub fn from_fn(rows: usize, cols: usize, f: impl Fn(usize, usize) -> f64) -> Self {
        let mut data = Vec::with_capacity(rows * cols);
        for j in 0..cols {
            for i in 0..rows {
                data.push(f(i, j));
            }
        }
        Self {
            rows: rows as u64,
            cols: cols as u64,
            data: data.into(),
        }
    }

    /// A matrix from rows of equal length.
    pub fn from_rows(rows: &[Vec<f64>]) -> Result<Self, String> {
        let cols = rows.first().map_or(0, Vec::len);
        if let Some((i, row)) = rows.iter().enumerate().find(|(_, r)| r.len() != cols) {
            let entries = if row.len() == 1 { "entry" } else { "entries" };
            return Err(format!(
                "row {i} has {} {entries} but row 0 has {cols}",
                row.len()
            ));
        }
        Ok(Self::from_fn(rows.len(), cols, |i, j| rows[i][j]))
    }

    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.rows as usize
    }

    /// Number of columns.
    pub fn ncols(&self) -> usize {
        self.cols as usize
    }

    /// Entry (`row`, `col`).
    pub fn get(&self, row: usize, col: usize) -> f64 {
        self.data[row + col * self.nrows()]
    }

    /// Sets entry (`row`, `col`).
    pub fn set(&mut self, row: usize, col: usize, value: f64) {
        let rows = self.nrows();
        self.data[row + col * rows] = value;
    }
}

/// A sparse matrix in compressed sparse column (CSC) form.
///
/// Column `j` holds rows `row_indices[col_ptr[j]..col_ptr[j+1]]` with the matching `values`.
#[repr(C)]
#[derive(StableAbi, Clone, Debug, PartialEq)]
pub struct SparseMatrix {
    /// Number of rows.
    pub rows: u64,
    /// Number of columns.
    pub cols: u64,
    /// Column `j` holds entries `col_ptr[j]..col_ptr[j + 1]` (length `cols + 1`).
    pub col_ptr: RVec<u64>,
    /// The row of each stored entry, ascending within a column.
    pub row_indices: RVec<u64>,
    /// The stored entries.
    pub values: RVec<f64>,
}

impl SparseMatrix {
    /// Builds a CSC matrix from (row, column, value) triplets; duplicates are summed.
    pub fn from_triplets(
        rows: usize,
        cols: usize,
        triplets: &[(usize, usize, f64)],
    ) -> Result<Self, String> {
        if let Some((k, &(i, j, _))) = triplets
            .iter()
            .enumerate()
            .find(|(_, &(i, j, _))| i >= rows || j >= cols)
        {
            return Err(format!(
                "triplet {k} at ({i}, {j}) lies outside the {rows}x{cols} matrix"
            ));
        }
        let mut sorted: Vec<(usize, usize, f64)> = triplets.to_vec();
        sorted.sort_by_key(|&(i, j, _)| (j, i));
        let mut col_ptr = vec![0u64; cols + 1];
        let mut row_indices: Vec<u64> = Vec::with_capacity(sorted.len());
        let mut values: Vec<f64> = Vec::with_capacity(sorted.len());
        let mut last: Option<(usize, usize)> = None;
        for (i, j, v) in sorted {
            if last == Some((i, j)) {
                *values.last_mut().expect("a previous entry exists") += v;
                continue;
            }
            last = Some((i, j));
            row_indices.push(i as u64);
            values.push(v);
            col_ptr[j + 1] += 1;
        }
        for j in 0..cols {
            col_ptr[j + 1] += col_ptr[j];
        }
        Ok(Self {
            rows: rows as u64,
            cols: cols as u64,
            col_ptr: col_ptr.into(),
            row_indices: row_indices.into(),
            values: values.into(),
        })
    }

    /// Checks the CSC invariants (monotone column pointers, row indices in range and sorted).
    pub fn validate(&self) -> Result<(), String> {
        let (rows, cols) = (self.rows as usize, self.cols as usize);
        if self.col_ptr.len() != cols + 1 {
            return Err(format!(
                "col_ptr has {} entries, expected cols + 1 = {}",
                self.col_ptr.len(),
                cols + 1
            ));
        }
        if self.col_ptr[0] != 0 {
            return Err("col_ptr[0] must be 0".into());
        }
        let nnz = self.col_ptr[cols] as usize;
        if self.row_indices.len() != nnz || self.values.len() != nnz {
            return Err(format!(
                "col_ptr says {nnz} entries but row_indices has {} and values {}",
                self.row_indices.len(),
                self.values.len()
            ));
        }
        for j in 0..cols {
            let (start, end) = (self.col_ptr[j] as usize, self.col_ptr[j + 1] as usize);
            if start > end {
                return Err(format!("col_ptr decreases at column {j}"));
            }
            for k in start..end {
                let i = self.row_indices[k] as usize;
                if i >= rows {
                    return Err(format!(
                        "row index {i} in column {j} is out of range (rows = {rows})"
                    ));
                }
                if k > start && self.row_indices[k - 1] >= self.row_indices[k] {
                    return Err(format!(
                        "row indices of column {j} are not strictly increasing"
                    ));
                }
            }
        }
        Ok(())
    }

    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.values.len()
    }

    /// `y = A x`.
    pub fn mul_vec(&self, x: &[f64]) -> Vec<f64> {
        let mut y = vec![0.0; self.rows as usize];
        for (j, &xj) in x.iter().enumerate().take(self.cols as usize) {
            for k in self.col_ptr[j] as usize..self.col_ptr[j + 1] as usize {
                y[self.row_indices[k] as usize] += self.values[k] * xj;
            }
        }
        y
    }

    /// The (row, column, value) triplets in column order.
    pub fn triplets(&self) -> Vec<(usize, usize, f64)> {
        let mut out = Vec::with_capacity(self.nnz());
        for j in 0..self.cols as usize {
            for k in self.col_ptr[j] as usize..self.col_ptr[j + 1] as usize {
                out.push((self.row_indices[k] as usize, j, self.values[k]));
            }
        }
        out
    }
}

/// A handle to a function owned by the host; only the host that issued it can call it.
#[repr(C)]
#[derive(StableAbi, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Callable {
    /// The host's handle number.
    pub id: u64,
}

impl Value {
    /// Its kind (what schemas and errors name).
    pub fn kind(&self) -> ValueKind {
        match self {
            Value::Unit => ValueKind::Unit,
            Value::Bool(_) => ValueKind::Bool,
            Value::Int(_) => ValueKind::Int,
            Value::Float(_) => ValueKind::Float,
            Value::Str(_) => ValueKind::Str,
            Value::List(_) => ValueKind::List,
            Value::Map(_) => ValueKind::Map,
            Value::Vector(_) => ValueKind::Vector,
            Value::Matrix(_) => ValueKind::Matrix,
            Value::Sparse(_) => ValueKind::Sparse,
            Value::Callable(_) => ValueKind::Callable,
        }
    }

    /// Whether it is an int or a float.
    pub fn is_number(&self) -> bool {
        matches!(self, Value::Int(_) | Value::Float(_))
    }

    /// The value as a float (integers widen).
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Float(x) => Some(x),
            Value::Int(i) => Some(i as f64),
            _ => None,
        }
    }

    /// The integer, if it is one.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Int(i) => Some(i),
            _ => None,
        }
    }

    /// The boolean, if it is one.
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The string, if it is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// The map, if it is one.
    pub fn as_map(&self) -> Option<&ValueMap> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The map, if it is one, to change it in place.
    pub fn as_map_mut(&mut self) -> Option<&mut ValueMap> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The value as a vector of floats: a `Vector`, or a list of numbers.
    pub fn to_f64_vec(&self) -> Option<Vec<f64>> {
        match self {
            Value::Vector(v) => Some(v.to_vec()),
            Value::List(items) => items.iter().map(Value::as_f64).collect(),
            _ => None,
        }
    }

    /// The value as a dense matrix: a `Matrix`, or a list of equal-length numeric rows.
    pub fn to_dense_matrix(&self) -> Option<DenseMatrix> {
        self.try_to_dense_matrix().ok()
    }

    /// As [`to_dense_matrix`](Self::to_dense_matrix), with the reason when the value is not a
    /// matrix (`row 1 has 1 entry but row 0 has 2`, `row 2 is a string, not numbers`).
    pub fn try_to_dense_matrix(&self) -> Result<DenseMatrix, String> {
        match self {
            Value::Matrix(m) => Ok(m.clone()),
            Value::List(rows) => {
                let rows = rows
                    .iter()
                    .enumerate()
                    .map(|(i, row)| {
                        row.to_f64_vec()
                            .ok_or_else(|| format!("row {i} is a {}, not numbers", row.describe()))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                DenseMatrix::from_rows(&rows)
            }
            other => Err(format!(
                "expected a matrix (or a list of equal-length numeric rows), got {}",
                other.describe()
            )),
        }
    }

    /// Looks up `key` when the value is a map.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_map().and_then(|m| m.get(key))
    }

    /// The path of the first callable inside the value (`""` for the value itself, `f`,
    /// `problem.grad`, `[2].f`), or `None`. Callables cannot leave the host that issued them.
    pub fn find_callable(&self) -> Option<String> {
        match self {
            Value::Callable(_) => Some(String::new()),
            Value::Map(m) => m.iter().find_map(|(k, v)| {
                v.find_callable().map(|p| {
                    if p.is_empty() || p.starts_with('[') {
                        format!("{k}{p}")
                    } else {
                        format!("{k}.{p}")
                    }
                })
            }),
            Value::List(l) => l.iter().enumerate().find_map(|(i, v)| {
                v.find_callable().map(|p| {
                    if p.is_empty() || p.starts_with('[') {
                        format!("[{i}]{p}")
                    } else {
                        format!("[{i}].{p}")
                    }
                })
            }),
            _ => None,
        }
    }

    /// A short description for messages: the kind, and the value itself when it is small.
    pub fn describe(&self) -> String {
        match self {
            Value::Unit => "()".into(),
            Value::Bool(b) => format!("bool {b}"),
            Value::Int(i) => format!("int {i}"),
            Value::Float(x) => format!("float {x}"),
            Value::Str(s) if s.len() <= 40 => format!("string {:?}", s.as_str()),
            Value::Str(s) => format!("string of {} bytes", s.len()),
            Value::List(l) => format!("list of {}", l.len()),
            Value::Map(m) => format!("map with {} keys", m.len()),
            Value::Vector(v) => format!("vector of {}", v.len()),
            Value::Matrix(m) => format!("{}x{} matrix", m.rows, m.cols),
            Value::Sparse(s) => {
                format!("{}x{} sparse matrix ({} entries)", s.rows, s.cols, s.nnz())
            }
            Value::Callable(_) => "function".into(),
        }
    }
}

macro_rules! value_from {
    ($($t:ty => |$x:ident| $e:expr),* $(,)?) => {
        $(impl From<$t> for Value {
            fn from($x: $t) -> Self {
                $e
            }
        })*
    };
}

value_from! {
    () => |_x| Value::Unit,
    bool => |x| Value::Bool(x),
    i64 => |x| Value::Int(x),
    i32 => |x| Value::Int(x.into()),
    i16 => |x| Value::Int(x.into()),
    i8 => |x| Value::Int(x.into()),
    isize => |x| Value::Int(x as i64),
    u32 => |x| Value::Int(x.into()),
    u16 => |x| Value::Int(x.into()),
    u8 => |x| Value::Int(x.into()),
    // Counts beyond i64::MAX (never met in practice) keep their magnitude as a float rather
    // than wrap around.
    u64 => |x| i64::try_from(x).map_or(Value::Float(x as f64), Value::Int),
    usize => |x| i64::try_from(x).map_or(Value::Float(x as f64), Value::Int),
    f64 => |x| Value::Float(x),
    f32 => |x| Value::Float(x.into()),
    &str => |x| Value::Str(x.into()),
    String => |x| Value::Str(x.into()),
    RString => |x| Value::Str(x),
    Vec<f64> => |x| Value::Vector(x.into()),
    &[f64] => |x| Value::Vector(x.to_vec().into()),
    Vec<Value> => |x| Value::List(x.into()),
    RVec<Value> => |x| Value::List(x),
    RVec<f64> => |x| Value::Vector(x),
    Vec<i64> => |x| x.into_iter().collect(),
    Vec<String> => |x| x.into_iter().collect(),
    Vec<&str> => |x| x.into_iter().collect(),
    Vec<bool> => |x| x.into_iter().collect(),
    ValueMap => |x| Value::Map(x),
    DenseMatrix => |x| Value::Matrix(x),
    SparseMatrix => |x| Value::Sparse(x),
    Callable => |x| Value::Callable(x),
}

/// Collects into a [`Value::List`]: `(0..3).map(Value::from).collect::<Value>()`, or any
/// iterator of things that convert (`["a", "b"].into_iter().collect::<Value>()`).
impl<T: Into<Value>> FromIterator<T> for Value {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        Value::List(items.into_iter().map(Into::into).collect())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(x: Option<T>) -> Self {
        x.map_or(Value::Unit, Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_keeps_insertion_order_and_replaces_in_place() {
        let mut m = ValueMap::new()
            .with("b", 1i64)
            .with("a", 2.0)
            .with("c", "x");
        m.insert("a", 3i64);
        assert_eq!(m.keys().collect::<Vec<_>>(), ["b", "a", "c"]);
        assert_eq!(m.get("a"), Some(&Value::Int(3)));
        assert_eq!(m.remove("b"), Some(Value::Int(1)));
        assert_eq!(m.keys().collect::<Vec<_>>(), ["a", "c"]);
    }

    #[test]
    fn sparse_from_triplets_sums_duplicates_and_multiplies() {
        // [[1, 0, 2], [0, 3, 0]] with the (0,0) entry given in two parts.
        let a = SparseMatrix::from_triplets(
            2,
            3,
            &[(0, 2, 2.0), (0, 0, 0.5), (1, 1, 3.0), (0, 0, 0.5)],
        )
        .unwrap();
        a.validate().unwrap();
        assert_eq!(a.nnz(), 3);
        assert_eq!(a.col_ptr.as_slice(), &[0, 1, 2, 3]);
        assert_eq!(a.mul_vec(&[1.0, 1.0, 1.0]), vec![3.0, 3.0]);
        assert!(SparseMatrix::from_triplets(2, 2, &[(2, 0, 1.0)])
            .unwrap_err()
            .contains("outside"));
    }

    #[test]
    fn dense_matrix_is_column_major() {
        let m = DenseMatrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0]]).unwrap();
        assert_eq!(m.data.as_slice(), &[1.0, 3.0, 2.0, 4.0]);
        assert_eq!(m.get(0, 1), 2.0);
        assert!(DenseMatrix::from_rows(&[vec![1.0], vec![1.0, 2.0]]).is_err());
        assert!(DenseMatrix::from_col_major(2, 2, vec![1.0]).is_err());
    }

    #[test]
    fn find_callable_reports_the_path() {
        let f = Value::Callable(Callable { id: 1 });
        let v = Value::Map(
            ValueMap::new()
                .with("a", 1i64)
                .with("problem", ValueMap::new().with("grad", f.clone())),
        );
        assert_eq!(v.find_callable().as_deref(), Some("problem.grad"));
        let l = Value::List(vec![Value::Unit, Value::Map(ValueMap::new().with("f", f))].into());
        assert_eq!(l.find_callable().as_deref(), Some("[1].f"));
        assert_eq!(Value::Int(1).find_callable(), None);
    }

    #[test]
    fn conversions_cover_the_integer_and_collection_types_authors_hold() {
        assert_eq!(Value::from(7u64), Value::Int(7));
        assert_eq!(Value::from(u64::MAX), Value::Float(u64::MAX as f64));
        assert_eq!(Value::from(3u8), Value::Int(3));
        assert_eq!(Value::from(-3isize), Value::Int(-3));
        assert_eq!(Value::from(0.5f32), Value::Float(0.5));
        assert_eq!(
            Value::from(vec![1i64, 2]),
            Value::List(vec![Value::Int(1), Value::Int(2)].into())
        );
        assert_eq!(
            Value::from(vec!["a", "b"]),
            ["a", "b"].into_iter().collect::<Value>()
        );
        assert_eq!(
            (0..2u64).collect::<Value>(),
            Value::List(vec![Value::Int(0), Value::Int(1)].into())
        );
    }

    #[test]
    fn kinds_accept_script_shapes() {
        let list = Value::List(vec![Value::Int(1), Value::Float(2.0)].into());
        assert!(ValueKind::Vector.accepts(&list));
        assert!(ValueKind::Float.accepts(&Value::Int(3)));
        assert!(!ValueKind::Int.accepts(&Value::Float(3.0)));
        let rows = Value::List(vec![list.clone(), list].into());
        assert!(ValueKind::Matrix.accepts(&rows));
        assert_eq!(rows.to_dense_matrix().unwrap().get(1, 1), 2.0);
    }
}
