//! Python objects ↔ [`Value`]s.
//!
//! In: `None`, `bool`, `int`, `float`, `str`, lists and tuples (a non-empty list of floats
//! becomes a vector, as a script's array of floats does), `dict`s with string keys, numpy
//! arrays of one or two dimensions with a real dtype (vectors and matrices), `scipy.sparse`
//! matrices (CSC), and callables (functions a plugin calls back, with a functions table).
//! Out: the same, with vectors and matrices as numpy `float64` arrays and sparse matrices as
//! `scipy.sparse.csc_matrix` (a dict of its CSC arrays without scipy).

use boundlab_sdk::{DenseMatrix, SparseMatrix, Value, ValueMap};
use numpy::ndarray::{Array2, ShapeBuilder};
use numpy::{IntoPyArray, PyArrayDyn, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use crate::errors::bad_argument;
use crate::functions::PyFunctions;

/// Converts `obj` (found at `path`, e.g. `x0` or `problem.f`, for messages).
pub fn to_value(
    obj: &Bound<'_, PyAny>,
    path: &str,
    functions: Option<&PyFunctions>,
) -> PyResult<Value> {
    let py = obj.py();
    if obj.is_none() {
        return Ok(Value::Unit);
    }
    // bool before int: Python's bool is an int.
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        return obj.extract::<i64>().map(Value::Int).map_err(|_| {
            bad_argument(
                py,
                format!("`{path}`: the integer {obj} does not fit in 64 bits"),
            )
        });
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(Value::Float(f.value()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::Str(s.to_cow()?.as_ref().into()));
    }
    if let Ok(array) = obj.cast::<PyUntypedArray>() {
        return array_to_value(array, path);
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        return dict_to_value(d, path, functions).map(Value::Map);
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let items: Vec<Bound<'_, PyAny>> = obj.try_iter()?.collect::<PyResult<_>>()?;
        if !items.is_empty() && items.iter().all(|v| v.is_instance_of::<PyFloat>()) {
            let v: Vec<f64> = items.iter().map(|v| v.extract()).collect::<PyResult<_>>()?;
            return Ok(Value::Vector(v.into()));
        }
        let converted = items
            .iter()
            .enumerate()
            .map(|(i, v)| to_value(v, &format!("{path}[{i}]"), functions))
            .collect::<PyResult<Vec<Value>>>()?;
        return Ok(Value::List(converted.into()));
    }
    if is_scipy_sparse(obj) {
        return sparse_to_value(obj, path);
    }
    // numpy scalars (np.float64 is a float already; np.int64, np.float32 are not).
    if let Ok(kind) = obj.getattr("dtype").and_then(|d| d.getattr("kind")) {
        let kind: String = kind.extract().unwrap_or_default();
        if kind == "i" || kind == "u" {
            return to_value(&obj.call_method0("item")?, path, functions);
        }
        if kind == "f" {
            return Ok(Value::Float(obj.extract()?));
        }
    }
    if obj.is_callable() {
        return match functions {
            Some(table) => Ok(Value::Callable(table.register(path, obj.clone().unbind()))),
            None => Err(bad_argument(
                py,
                format!("`{path}`: a function cannot be passed here"),
            )),
        };
    }
    Err(bad_argument(
        py,
        format!(
            "`{path}`: cannot pass a value of type `{}` (expected a number, str, bool, list, \
             dict, numpy array, scipy.sparse matrix or function)",
            obj.get_type().name()?
        ),
    ))
}

/// A dict with string keys as a [`ValueMap`] (keys in the dict's order).
pub fn dict_to_value(
    d: &Bound<'_, PyDict>,
    path: &str,
    functions: Option<&PyFunctions>,
) -> PyResult<ValueMap> {
    let mut map = ValueMap::new();
    for (k, v) in d.iter() {
        let Ok(key) = k.cast::<PyString>() else {
            return Err(bad_argument(
                d.py(),
                format!("`{path}`: dict keys must be strings, found {}", k.repr()?),
            ));
        };
        let key = key.to_cow()?;
        let key = key.as_ref();
        let inner = if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        };
        map.insert(key, to_value(&v, &inner, functions)?);
    }
    Ok(map)
}

fn array_to_value(array: &Bound<'_, PyUntypedArray>, path: &str) -> PyResult<Value> {
    let py = array.py();
    let kind: String = array.dtype().getattr("kind")?.extract()?;
    if !matches!(kind.as_str(), "f" | "i" | "u") {
        return Err(bad_argument(
            py,
            format!(
                "`{path}`: a numpy array of dtype {} cannot be used (expected a real dtype, \
                 e.g. float64)",
                array.dtype()
            ),
        ));
    }
    let floats = if array.dtype().getattr("name")?.extract::<String>()? == "float64" {
        array.clone().into_any()
    } else {
        array.call_method1("astype", ("float64",))?
    };
    let floats = floats.cast_into::<PyArrayDyn<f64>>()?;
    let view = floats.readonly();
    let a = view.as_array();
    match a.ndim() {
        1 => Ok(Value::Vector(
            a.iter().copied().collect::<Vec<f64>>().into(),
        )),
        2 => {
            let (rows, cols) = (a.shape()[0], a.shape()[1]);
            // Column-major, as DenseMatrix stores it: iterate the transpose in logical order.
            let data: Vec<f64> = a.t().iter().copied().collect();
            let m = DenseMatrix::from_col_major(rows, cols, data)
                .map_err(|e| bad_argument(py, format!("`{path}`: {e}")))?;
            Ok(Value::Matrix(m))
        }
        n => Err(bad_argument(
            py,
            format!(
                "`{path}`: a numpy array of shape ({}) cannot be used (expected 1 dimension for \
                 a vector or 2 for a matrix, got {n})",
                a.shape()
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

fn is_scipy_sparse(obj: &Bound<'_, PyAny>) -> bool {
    let module: String = obj
        .get_type()
        .getattr("__module__")
        .and_then(|m| m.extract())
        .unwrap_or_default();
    module.starts_with("scipy.sparse") && obj.hasattr("tocsc").unwrap_or(false)
}

fn sparse_to_value(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<Value> {
    let py = obj.py();
    // Canonical CSC (sorted row indices, no duplicates) is read as it is; anything else is
    // converted, and a copy made canonical (`sum_duplicates` works in place).
    let format: String = obj.getattr("format")?.extract()?;
    let csc = if format == "csc" {
        obj.clone()
    } else {
        obj.call_method0("tocsc")?
    };
    let canonical: bool = csc.getattr("has_canonical_format")?.extract()?;
    let csc = if canonical {
        csc
    } else {
        let owned = if format == "csc" {
            csc.call_method0("copy")?
        } else {
            csc
        };
        owned.call_method0("sum_duplicates")?;
        owned
    };
    let (rows, cols): (usize, usize) = csc.getattr("shape")?.extract()?;
    let kind: String = csc.getattr("dtype")?.getattr("kind")?.extract()?;
    if !matches!(kind.as_str(), "f" | "i" | "u") {
        return Err(bad_argument(
            py,
            format!(
                "`{path}`: a sparse matrix of dtype {} cannot be used (expected real entries)",
                csc.getattr("dtype")?
            ),
        ));
    }
    let values: Vec<f64> = numpy_vec(&csc.getattr("data")?, "float64")?;
    let m = SparseMatrix {
        rows: rows as u64,
        cols: cols as u64,
        col_ptr: numpy_vec::<u64>(&csc.getattr("indptr")?, "uint64")?.into(),
        row_indices: numpy_vec::<u64>(&csc.getattr("indices")?, "uint64")?.into(),
        values: values.into(),
    };
    m.validate()
        .map_err(|e| bad_argument(py, format!("`{path}`: {e}")))?;
    Ok(Value::Sparse(m))
}

/// The entries of a 1-d numpy array, converted to `dtype` (the element type `T`).
fn numpy_vec<T: numpy::Element + Copy>(array: &Bound<'_, PyAny>, dtype: &str) -> PyResult<Vec<T>> {
    let kwargs = PyDict::new(array.py());
    kwargs.set_item("copy", false)?;
    let converted = array.call_method("astype", (dtype,), Some(&kwargs))?;
    let typed = converted.cast_into::<PyArrayDyn<T>>()?;
    let view = typed.readonly();
    Ok(view.as_array().iter().copied().collect())
}

/// A [`Value`] as a Python object.
pub fn to_py(py: Python<'_>, value: Value) -> PyResult<Py<PyAny>> {
    Ok(match value {
        Value::Unit => py.None(),
        Value::Bool(b) => PyBool::new(py, b).to_owned().into_any().unbind(),
        Value::Int(i) => i.into_pyobject(py)?.into_any().unbind(),
        Value::Float(f) => f.into_pyobject(py)?.into_any().unbind(),
        Value::Str(s) => s.as_str().into_pyobject(py)?.into_any().unbind(),
        Value::List(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any().unbind()
        }
        Value::Map(map) => map_to_py(py, map)?.into_any().unbind(),
        Value::Vector(v) => v.into_vec().into_pyarray(py).into_any().unbind(),
        Value::Matrix(m) => {
            let (rows, cols) = (m.nrows(), m.ncols());
            let a = Array2::from_shape_vec((rows, cols).f(), m.data.into_vec())
                .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
            a.into_pyarray(py).into_any().unbind()
        }
        Value::Sparse(s) => sparse_to_py(py, s)?,
        // A handle means nothing outside the host that issued it.
        Value::Callable(_) => py.None(),
    })
}

pub fn map_to_py(py: Python<'_>, map: ValueMap) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in map.into_entries() {
        d.set_item(k, to_py(py, v)?)?;
    }
    Ok(d)
}

fn sparse_to_py(py: Python<'_>, s: SparseMatrix) -> PyResult<Py<PyAny>> {
    let shape = (s.rows as usize, s.cols as usize);
    let indptr: Vec<i64> = s.col_ptr.iter().map(|&v| v as i64).collect();
    let indices: Vec<i64> = s.row_indices.iter().map(|&v| v as i64).collect();
    let data = s.values.into_vec().into_pyarray(py);
    let indptr = indptr.into_pyarray(py);
    let indices = indices.into_pyarray(py);
    match py.import("scipy.sparse") {
        Ok(sp) => Ok(sp
            .getattr("csc_matrix")?
            .call1(((data, indices, indptr), shape))?
            .unbind()),
        Err(_) => {
            let d = PyDict::new(py);
            d.set_item("shape", shape)?;
            d.set_item("indptr", indptr)?;
            d.set_item("indices", indices)?;
            d.set_item("data", data)?;
            Ok(d.into_any().unbind())
        }
    }
}
