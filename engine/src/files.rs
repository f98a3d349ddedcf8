//! Reading and writing values as RON or JSON, and keeping script file access inside the
//! output folder.

use std::path::{Component, Path, PathBuf};

use boundlab_sdk::Value;

use crate::error::EngineError;

/// The file formats `save` and `load` understand, chosen by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ron,
    Json,
}

impl Format {
    pub fn from_path(path: &Path) -> Result<Self, EngineError> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("ron") => Ok(Format::Ron),
            Some("json") => Ok(Format::Json),
            _ => Err(EngineError::Usage(format!(
                "{}: unknown file format; use a `.ron` or `.json` extension",
                path.display()
            ))),
        }
    }
}

/// Encodes a value as text in the format of `path`'s extension.
pub fn encode(path: &Path, value: &Value) -> Result<String, EngineError> {
    match Format::from_path(path)? {
        Format::Ron => ron::ser::to_string_pretty(value, ron::ser::PrettyConfig::default())
            .map_err(|e| EngineError::format(path, e.to_string())),
        Format::Json => serde_json::to_string_pretty(value)
            .map_err(|e| EngineError::format(path, e.to_string())),
    }
}

/// Decodes a value from text in the format of `path`'s extension; errors give line and column.
pub fn decode(path: &Path, text: &str) -> Result<Value, EngineError> {
    match Format::from_path(path)? {
        Format::Ron => ron::from_str(text).map_err(|e| {
            EngineError::format(
                path,
                format!(
                    "line {}, column {}: {}",
                    e.span.start.line, e.span.start.col, e.code
                ),
            )
        }),
        Format::Json => serde_json::from_str(text).map_err(|e| {
            EngineError::format(
                path,
                format!("line {}, column {}: {e}", e.line(), e.column()),
            )
        }),
    }
}

pub fn read_value(path: &Path) -> Result<Value, EngineError> {
    let text = std::fs::read_to_string(path).map_err(|e| EngineError::io(path, e))?;
    decode(path, &text)
}

/// Writes through a temporary file and a rename, so a reader never sees half a file.
pub fn write_value_atomic(path: &Path, value: &Value) -> Result<(), EngineError> {
    let text = encode(path, value)?;
    write_text_atomic(path, &text)
}

pub fn write_text_atomic(path: &Path, text: &str) -> Result<(), EngineError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| EngineError::io(dir, e))?;
    }
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    std::fs::write(&tmp, text).map_err(|e| EngineError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| EngineError::io(path, e))
}

/// Resolves a script-supplied relative path inside `root`; absolute paths and `..` are refused,
/// and so is a path that leaves `root` through a symbolic link.
pub fn confined_path(root: &Path, relative: &str) -> Result<PathBuf, EngineError> {
    let candidate = Path::new(relative);
    let escapes = relative.is_empty()
        || candidate
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
    if escapes {
        return Err(EngineError::Usage(format!(
            "path {relative:?} is refused: script files are relative paths inside the output folder {} (no `..`, no absolute paths)",
            root.display()
        )));
    }
    let path = root.join(candidate);
    // Check the deepest existing ancestor: a symbolic link inside the folder must not lead out.
    if let (Ok(real_root), Some(existing)) =
        (root.canonicalize(), path.ancestors().find(|a| a.exists()))
    {
        let real = existing
            .canonicalize()
            .map_err(|e| EngineError::io(existing, e))?;
        if !real.starts_with(&real_root) {
            return Err(EngineError::Usage(format!(
                "path {relative:?} is refused: it leads outside the output folder {}",
                root.display()
            )));
        }
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confined_paths_stay_inside() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert_eq!(
            confined_path(root, "a/b.ron").unwrap(),
            root.join("a/b.ron")
        );
        for bad in ["../x.ron", "/etc/passwd", "a/../../x", ""] {
            assert!(confined_path(root, bad).is_err(), "{bad} should be refused");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/tmp", root.join("link")).unwrap();
            let err = confined_path(root, "link/x.ron").unwrap_err().to_string();
            assert!(err.contains("outside the output folder"), "{err}");
        }
    }

    #[test]
    fn decode_errors_give_line_and_column() {
        let err = decode(Path::new("x.json"), "{\n  \"a\": [1, 2,\n}")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("x.json: line 3, column 1"), "{err}");
        let err = decode(Path::new("x.ron"), "{\n \"a\": 1,\n \"b\" 2}")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("x.ron: line 3"), "{err}");
        assert!(decode(Path::new("x.txt"), "1").is_err());
    }
}
