//! Conversions between script values (`rhai::Dynamic`) and plugin values ([`Value`]), and the
//! table through which plugins call script closures.

use std::sync::Mutex;

use boundlab_sdk::{Callable, Derivatives, PluginError, SparseMatrix, Value, ValueMap};
use rhai::{Array, Dynamic, FLOAT, FnPtr, INT, Map, NativeCallContext};

use super::matrix::Matrix;
use crate::host::FunctionCaller;

/// A number as `f64` (integers widen).
pub fn number(x: &Dynamic) -> Option<f64> {
    x.as_float()
        .ok()
        .or_else(|| x.as_int().ok().map(|i| i as f64))
}

/// Whether a script can write `name` as a bare map key (`#{ name: 1 }`): not a Rhai keyword
/// (`export`, `fn`, `let`, ...), and an identifier. Parameter names should be; others have to be
/// quoted (`#{ "export": 1 }`), which no user guesses from "Expecting name of a property".
pub fn is_bare_map_key(name: &str) -> bool {
    let identifier = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    // One bare parser for every check (each loaded plugin asks once per parameter).
    static PARSER: std::sync::OnceLock<rhai::Engine> = std::sync::OnceLock::new();
    identifier
        && PARSER
            .get_or_init(rhai::Engine::new_raw)
            .compile_expression(format!("#{{ {name}: 1 }}"))
            .is_ok()
}

/// The numbers of a script array; `what` names the array in the error (`"matrix row 2"`).
pub fn floats(values: &Array, what: &str) -> Result<Vec<f64>, Box<rhai::EvalAltResult>> {
    values
        .iter()
        .enumerate()
        .map(|(i, x)| {
            number(x).ok_or_else(|| {
                super::script_error(format!(
                    "{what}: entry {i} is a {}, expected a number",
                    x.type_name()
                ))
            })
        })
        .collect()
}

/// How messages name a script function: function `name` for a named one, "the closure" for
/// an anonymous one (whose internal name `anon$...` means nothing to a reader).
pub fn function_label(f: &FnPtr) -> String {
    if f.is_anonymous() {
        "the closure".to_string()
    } else {
        format!("function `{}`", f.fn_name())
    }
}

/// The closures passed to one algorithm run, callable from any of its threads.
pub struct ScriptFunctions<'a> {
    context: &'a NativeCallContext<'a>,
    table: Mutex<Vec<FnPtr>>,
}

impl<'a> ScriptFunctions<'a> {
    pub fn new(context: &'a NativeCallContext<'a>) -> Self {
        Self {
            context,
            table: Mutex::new(Vec::new()),
        }
    }

    fn register(&self, f: FnPtr) -> Callable {
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        table.push(f);
        Callable {
            id: table.len() as u64 - 1,
        }
    }

    fn lookup(&self, c: Callable) -> Option<FnPtr> {
        self.table
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(c.id as usize)
            .cloned()
    }
}

impl FunctionCaller for ScriptFunctions<'_> {
    fn call(&self, function: Callable, input: Value) -> Result<Value, PluginError> {
        let f = self.lookup(function).ok_or_else(|| {
            PluginError::internal(format!("no script function with handle {}", function.id))
        })?;
        let argument = to_dynamic(input, Some(self));
        let result: Dynamic = f
            .call_within_context(self.context, (argument,))
            .map_err(|e| {
                PluginError::bad_parameter(f.fn_name(), format!("the script function failed: {e}"))
            })?;
        to_value(result, Some(self)).map_err(|message| {
            PluginError::bad_parameter(
                f.fn_name(),
                format!("the script function returned {message}"),
            )
        })
    }

    fn derivatives(
        &self,
        function: Callable,
        x: &[f64],
        order: u8,
    ) -> Result<Derivatives, PluginError> {
        let f = self.lookup(function).ok_or_else(|| {
            PluginError::internal(format!("no script function with handle {}", function.id))
        })?;
        super::autodiff::derivatives(self.context, &f, x, order)
            .map_err(|message| PluginError::bad_parameter(f.fn_name(), message))
    }
}

/// Converts a script value for a plugin; closures become [`Callable`] handles in `functions`.
///
/// Arrays of floats become vectors; other arrays become lists; maps keep their (sorted) keys.
pub fn to_value(x: Dynamic, functions: Option<&ScriptFunctions<'_>>) -> Result<Value, String> {
    if x.is_unit() {
        return Ok(Value::Unit);
    }
    if let Ok(b) = x.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Ok(i) = x.as_int() {
        return Ok(Value::Int(i));
    }
    if let Ok(f) = x.as_float() {
        return Ok(Value::Float(f));
    }
    if x.is_string() {
        return Ok(Value::Str(x.into_string().unwrap_or_default().into()));
    }
    if let Ok(c) = x.as_char() {
        return Ok(Value::Str(c.to_string().into()));
    }
    if x.is_array() {
        let items = x.into_array().unwrap_or_default();
        if !items.is_empty() && items.iter().all(|v| v.is_float()) {
            return Ok(Value::Vector(
                items
                    .iter()
                    .filter_map(|v| v.as_float().ok())
                    .collect::<Vec<f64>>()
                    .into(),
            ));
        }
        let converted: Result<Vec<Value>, String> = items
            .into_iter()
            .enumerate()
            .map(|(i, v)| to_value(v, functions).map_err(|e| format!("{e} at index {i}")))
            .collect();
        return Ok(Value::List(converted?.into()));
    }
    if x.is_map() {
        let map = x.cast::<Map>();
        let mut out = ValueMap::new();
        for (k, v) in map {
            let v = to_value(v, functions).map_err(|e| format!("{e} under key `{k}`"))?;
            out.insert(k.to_string(), v);
        }
        return Ok(Value::Map(out));
    }
    if x.is::<Matrix>() {
        return Ok(Value::Matrix(x.cast::<Matrix>().to_dense()));
    }
    if x.is::<SparseMatrix>() {
        return Ok(Value::Sparse(x.cast::<SparseMatrix>()));
    }
    if x.is_fnptr() {
        return match functions {
            Some(table) => Ok(Value::Callable(table.register(x.cast::<FnPtr>()))),
            None => Err("a function, which cannot be stored or returned here".into()),
        };
    }
    Err(format!(
        "a value of type `{}`, which plugins cannot receive",
        x.type_name()
    ))
}

/// Converts a plugin value for a script: vectors become arrays of floats, matrices `Matrix`.
pub fn to_dynamic(v: Value, functions: Option<&ScriptFunctions<'_>>) -> Dynamic {
    match v {
        Value::Unit => Dynamic::UNIT,
        Value::Bool(b) => Dynamic::from_bool(b),
        Value::Int(i) => Dynamic::from_int(i as INT),
        Value::Float(x) => Dynamic::from_float(x as FLOAT),
        Value::Str(s) => Dynamic::from(s.into_string()),
        Value::List(items) => Dynamic::from_array(
            items
                .into_iter()
                .map(|v| to_dynamic(v, functions))
                .collect::<Array>(),
        ),
        Value::Vector(v) => {
            Dynamic::from_array(v.into_iter().map(Dynamic::from_float).collect::<Array>())
        }
        Value::Map(m) => {
            let mut out = Map::new();
            for (k, v) in m.iter() {
                out.insert(k.into(), to_dynamic(v.clone(), functions));
            }
            Dynamic::from_map(out)
        }
        Value::Matrix(m) => Dynamic::from(Matrix::from_dense(&m)),
        Value::Sparse(s) => Dynamic::from(s),
        Value::Callable(c) => match functions.and_then(|t| t.lookup(c)) {
            Some(f) => Dynamic::from(f),
            None => Dynamic::from(format!("<function {}>", c.id)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_and_non_identifiers_are_not_bare_map_keys() {
        for name in ["tol", "save_sdp", "x0", "_private", "bound_options"] {
            assert!(is_bare_map_key(name), "{name}");
        }
        // Rhai's keywords and reserved words (the `export` parameter of issue 18 among them).
        for name in [
            "export", "fn", "let", "import", "true", "this", "", "2d", "a-b", "a.b",
        ] {
            assert!(!is_bare_map_key(name), "{name}");
        }
    }

    #[test]
    fn float_arrays_become_vectors_and_back() {
        let arr: Array = vec![Dynamic::from_float(1.0), Dynamic::from_float(2.5)];
        let v = to_value(Dynamic::from_array(arr), None).unwrap();
        assert_eq!(v, Value::Vector(vec![1.0, 2.5].into()));
        let back = to_dynamic(v, None).into_array().unwrap();
        assert_eq!(back[1].as_float().unwrap(), 2.5);
    }

    #[test]
    fn mixed_arrays_and_maps_convert_recursively() {
        let mut map = Map::new();
        map.insert("n".into(), Dynamic::from_int(3));
        map.insert(
            "xs".into(),
            Dynamic::from_array(vec![Dynamic::from_int(1), Dynamic::from("a")]),
        );
        let v = to_value(Dynamic::from_map(map), None).unwrap();
        assert_eq!(v.get("n"), Some(&Value::Int(3)));
        assert_eq!(
            v.get("xs"),
            Some(&Value::List(
                vec![Value::Int(1), Value::Str("a".into())].into()
            ))
        );
    }

    #[test]
    fn unsupported_values_are_named() {
        let err = to_value(Dynamic::from(std::time::Instant::now()), None).unwrap_err();
        assert!(err.contains("which plugins cannot receive"), "{err}");
    }
}
