//! Checking a parameter map against an algorithm's schema.
//!
//! The engine runs this before `create`, so every plugin gets the same errors for unknown,
//! missing and mistyped parameters, and receives a map completed with the defaults.

use crate::error::PluginError;
use crate::module::AlgorithmInfo;
use crate::value::{Value, ValueMap};

/// A parameter map checked against its schema: defaults filled in, renamed parameters under
/// their new names, and what the caller should be told about the old names.
#[derive(Debug, Clone, PartialEq)]
pub struct CompletedParams {
    /// The completed parameter map.
    pub params: Value,
    /// One message per parameter given under a name it no longer has.
    pub warnings: Vec<String>,
}

/// Checks `params` (a map, or `Unit` for none) against `info` and fills in defaults.
///
/// Errors name the parameter: an unknown name with the closest known names, a missing
/// required parameter, or a value of the wrong kind with the kind expected. A parameter given
/// under one of its old names ([`ParamInfo::renamed_from`](crate::ParamInfo::renamed_from))
/// moves to its new name with a warning.
pub fn complete_params(
    info: &AlgorithmInfo,
    params: Value,
) -> Result<CompletedParams, PluginError> {
    check_params(info, &params)?;
    Ok(fill_params(info, params))
}

/// The checks of [`complete_params`] alone, on borrowed parameters: a caller that must keep
/// the parameters of a refused call (for its record) checks first and never copies them.
pub fn check_params(info: &AlgorithmInfo, params: &Value) -> Result<(), PluginError> {
    let empty = ValueMap::new();
    let given = match params {
        Value::Unit => &empty,
        Value::Map(m) => m,
        other => {
            return Err(PluginError::new(
                crate::ErrorKind::BadParameter,
                format!(
                    "`{}` takes a map of parameters, got {}",
                    info.id,
                    other.describe()
                ),
            ))
        }
    };
    let known: Vec<&str> = info.params.iter().map(|p| p.name.as_str()).collect();
    let is_old_name = |key: &str| {
        info.params
            .iter()
            .any(|p| p.old_names.iter().any(|old| old.as_str() == key))
    };
    for key in given.keys() {
        if !known.contains(&key) && !is_old_name(key) {
            let hint = match closest_matches(key, known.iter().copied(), 3).as_slice() {
                [] => format!("known parameters: {}", known.join(", ")),
                close => format!("did you mean {}?", quoted(close)),
            };
            return Err(PluginError::bad_parameter(
                key,
                format!("`{}` has no such parameter; {hint}", info.id),
            ));
        }
    }
    for param in info.params.iter() {
        let name = param.name.as_str();
        let mut value = given.get(name);
        for old in param.old_names.iter() {
            if let Some(old_value) = given.get(old.as_str()) {
                if value.is_some() {
                    return Err(PluginError::bad_parameter(
                        old.as_str(),
                        format!("is the old name of `{name}`, which is given too; keep one"),
                    ));
                }
                value = Some(old_value);
            }
        }
        match value {
            Some(value) if !param.kind.accepts(value) => {
                return Err(PluginError::bad_parameter(
                    name,
                    format!("expected {}, got {}", param.kind.name(), value.describe()),
                ));
            }
            None if param.required && param.default.is_none() => {
                return Err(PluginError::bad_parameter(
                    name,
                    format!("is required by `{}` ({})", info.id, param.doc),
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Moves checked parameters into schema order under their current names and fills in the
/// defaults (no value is copied). `params` must have passed [`check_params`].
pub fn fill_params(info: &AlgorithmInfo, params: Value) -> CompletedParams {
    let mut given = match params {
        Value::Map(m) => m,
        _ => ValueMap::new(),
    };
    let mut warnings = Vec::new();
    let mut out = ValueMap::new();
    for param in info.params.iter() {
        let name = param.name.as_str();
        let mut value = given.remove(name);
        for old in param.old_names.iter() {
            if let Some(old_value) = given.remove(old.as_str()) {
                warnings.push(format!(
                    "`{}`: parameter `{old}` is now called `{name}`; the old name will stop working in the next release",
                    info.id
                ));
                value = Some(old_value);
            }
        }
        if let Some(value) = value.or_else(|| param.default.clone().into_option()) {
            out.insert(name, value);
        }
    }
    CompletedParams {
        params: Value::Map(out),
        warnings,
    }
}

/// Up to `limit` candidates closest to `word` by edit distance, nearest first; only those
/// within a third of the word's length (at least 2 edits) are offered.
pub fn closest_matches<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    limit: usize,
) -> Vec<&'a str> {
    let threshold = (word.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|&(d, c)| d <= threshold || c.contains(word) || word.contains(c))
        .collect();
    scored.sort();
    scored.into_iter().take(limit).map(|(_, c)| c).collect()
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::module::ParamInfo;
    use crate::value::ValueKind;

    fn info() -> AlgorithmInfo {
        AlgorithmInfo {
            id: "demo.solve".into(),
            summary: "".into(),
            params: vec![
                ParamInfo::required("dim", ValueKind::Int, "dimension"),
                ParamInfo::with_default("tol", ValueKind::Float, 1e-8, "tolerance"),
                ParamInfo::optional("weights", ValueKind::Vector, "weights"),
            ]
            .into(),
        }
    }

    #[test]
    fn fills_defaults_and_keeps_schema_order() {
        let params = Value::Map(ValueMap::new().with("tol", 1i64).with("dim", 3i64));
        let out = complete_params(&info(), params).unwrap().params;
        let m = out.as_map().unwrap();
        assert_eq!(m.keys().collect::<Vec<_>>(), ["dim", "tol"]);
        assert_eq!(m.get("tol"), Some(&Value::Int(1)));
        let out = complete_params(&info(), Value::Map(ValueMap::new().with("dim", 2i64)))
            .unwrap()
            .params;
        assert_eq!(out.get("tol"), Some(&Value::Float(1e-8)));
    }

    #[test]
    fn an_old_name_still_works_with_a_warning() {
        let mut info = info();
        info.params
            .push(ParamInfo::optional("save_as", ValueKind::Str, "file").renamed_from("export"));
        let given = ValueMap::new().with("dim", 2i64).with("export", "p.dat-s");
        let out = complete_params(&info, Value::Map(given.clone())).unwrap();
        assert_eq!(out.params.get("save_as"), Some(&Value::from("p.dat-s")));
        assert_eq!(out.params.get("export"), None);
        assert_eq!(out.warnings.len(), 1);
        assert!(
            out.warnings[0].contains("`export` is now called `save_as`"),
            "{:?}",
            out.warnings
        );
        let both = given.with("save_as", "q.ron");
        let err = complete_params(&info, Value::Map(both)).unwrap_err();
        assert!(
            err.message.contains("old name of `save_as`"),
            "{}",
            err.message
        );
        let out = complete_params(&info, Value::Map(ValueMap::new().with("dim", 1i64))).unwrap();
        assert!(out.warnings.is_empty());
    }

    #[test]
    fn errors_name_parameter_and_expectation() {
        let err = complete_params(
            &info(),
            Value::Map(ValueMap::new().with("dim", 3i64).with("tl", 1.0)),
        )
        .unwrap_err();
        assert!(
            err.message.contains("parameter `tl`") && err.message.contains("did you mean `tol`"),
            "{}",
            err.message
        );
        let err =
            complete_params(&info(), Value::Map(ValueMap::new().with("dim", 2.5))).unwrap_err();
        assert_eq!(err.message, "parameter `dim`: expected int, got float 2.5");
        let err = complete_params(&info(), Value::Unit).unwrap_err();
        assert!(
            err.message.starts_with("parameter `dim`: is required"),
            "{}",
            err.message
        );
    }

    #[test]
    fn closest_matches_prefers_small_edits() {
        let ids = ["sdp.solve", "sdp.delsarte", "mecb.couple"];
        assert_eq!(closest_matches("sdp.solv", ids, 3), ["sdp.solve"]);
        assert_eq!(closest_matches("zzz", ids, 3), Vec::<&str>::new());
    }
}
