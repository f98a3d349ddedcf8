//! A reader for the LIBSVM text format (`label index:value index:value ...`, one example a line).
//!
//! Indices are one-based and strictly increasing within a line; omitted features are zero.
//! Blank lines and `#` comments are skipped. Every error names the file, the line and the
//! (one-based, character) column where the problem starts, so a broken data file is found at once.

use std::path::Path;

use boundlab_sdk::PluginError;

/// A data set as read from a LIBSVM file: labels and sparse feature rows.
#[derive(Clone, Debug, PartialEq)]
pub struct LibsvmData {
    /// One label per example, as written in the file.
    pub labels: Vec<f64>,
    /// Zero-based `(feature, value)` pairs of each example, features increasing.
    pub rows: Vec<Vec<(usize, f64)>>,
    /// One more than the largest feature index seen (zero-based), i.e. the number of columns.
    pub n_features: usize,
}

/// The largest feature index accepted; guards against a typo allocating gigabytes.
pub const MAX_FEATURES: usize = 1 << 24;

/// Reads a LIBSVM file; errors are `BadParameter` errors naming `param`, the file and the line.
pub fn read_file(path: &Path, param: &str) -> Result<LibsvmData, PluginError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        PluginError::bad_parameter(param, format!("cannot read `{}`: {e}", path.display()))
    })?;
    parse(&text, &path.display().to_string()).map_err(|e| PluginError::bad_parameter(param, e))
}

/// Parses LIBSVM text; `source` names the text in error messages (`source:line:column: ...`).
pub fn parse(text: &str, source: &str) -> Result<LibsvmData, String> {
    let mut data = LibsvmData {
        labels: Vec::new(),
        rows: Vec::new(),
        n_features: 0,
    };
    for (line_index, raw_line) in text.lines().enumerate() {
        let line_no = line_index + 1;
        let content = raw_line.split('#').next().unwrap_or("");
        let mut tokens = tokens_with_columns(content);
        let Some((label_col, label_text)) = tokens.next() else {
            continue;
        };
        let err = |col: usize, msg: String| format!("{source}:{line_no}:{col}: {msg}");
        let label = parse_number(label_text)
            .ok_or_else(|| err(label_col, format!("label `{label_text}` is not a number")))?;
        let mut row: Vec<(usize, f64)> = Vec::new();
        for (col, token) in tokens {
            let Some((index_text, value_text)) = token.split_once(':') else {
                return Err(err(col, format!("expected `index:value`, found `{token}`")));
            };
            let index: usize = index_text.parse().map_err(|_| {
                err(
                    col,
                    format!("feature index `{index_text}` is not a positive integer"),
                )
            })?;
            if index == 0 {
                return Err(err(col, "feature indices are one-based; found 0".into()));
            }
            if index > MAX_FEATURES {
                return Err(err(
                    col,
                    format!("feature index {index} exceeds the limit {MAX_FEATURES}"),
                ));
            }
            let value_col = col + index_text.chars().count() + 1;
            let value = parse_number(value_text).ok_or_else(|| {
                err(
                    value_col,
                    format!("feature value `{value_text}` is not a finite number"),
                )
            })?;
            if let Some(&(previous, _)) = row.last()
                && index - 1 <= previous
            {
                return Err(err(
                    col,
                    format!(
                        "feature index {index} does not increase (previous was {})",
                        previous + 1
                    ),
                ));
            }
            data.n_features = data.n_features.max(index);
            row.push((index - 1, value));
        }
        data.labels.push(label);
        data.rows.push(row);
    }
    if data.labels.is_empty() {
        return Err(format!(
            "{source}: no examples (the file is empty or only comments)"
        ));
    }
    Ok(data)
}

/// Whitespace-separated tokens with their one-based character columns.
fn tokens_with_columns(line: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None; // (byte offset, column)
    for (col, (byte, ch)) in line.char_indices().enumerate() {
        if ch.is_whitespace() {
            if let Some((b, c)) = start.take() {
                out.push((c + 1, &line[b..byte]));
            }
        } else if start.is_none() {
            start = Some((byte, col));
        }
    }
    if let Some((b, c)) = start {
        out.push((c + 1, &line[b..]));
    }
    out.into_iter()
}

fn parse_number(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sparse_rows_with_one_based_indices() {
        let text = "# comment line\n+1 1:0.5 3:-2\n\n-1 2:1e-3 # trailing comment\n0\n";
        let d = parse(text, "t.svm").unwrap();
        assert_eq!(d.labels, vec![1.0, -1.0, 0.0]);
        assert_eq!(d.rows[0], vec![(0, 0.5), (2, -2.0)]);
        assert_eq!(d.rows[1], vec![(1, 1e-3)]);
        assert!(d.rows[2].is_empty());
        assert_eq!(d.n_features, 3);
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = parse("1 1:0.5\n1 2:0.5 x\n", "f.svm").unwrap_err();
        assert_eq!(e, "f.svm:2:9: expected `index:value`, found `x`");
        let e = parse("1 1:0.5 3:abc\n", "f.svm").unwrap_err();
        assert_eq!(e, "f.svm:1:11: feature value `abc` is not a finite number");
        let e = parse("1 2:1 2:1\n", "f.svm").unwrap_err();
        assert_eq!(
            e,
            "f.svm:1:7: feature index 2 does not increase (previous was 2)"
        );
        let e = parse("\n\nabc 1:1\n", "f.svm").unwrap_err();
        assert_eq!(e, "f.svm:3:1: label `abc` is not a number");
        let e = parse("1 0:1\n", "f.svm").unwrap_err();
        assert!(e.contains("one-based"), "{e}");
        let e = parse("1 -3:1\n", "f.svm").unwrap_err();
        assert!(e.starts_with("f.svm:1:3: feature index `-3`"), "{e}");
        let e = parse("1 1:nan\n", "f.svm").unwrap_err();
        assert!(e.contains("not a finite number"), "{e}");
        assert!(
            parse("# only a comment\n", "f.svm")
                .unwrap_err()
                .contains("no examples")
        );
    }

    #[test]
    fn missing_file_names_parameter() {
        let e = read_file(Path::new("/nonexistent/x.svm"), "dataset").unwrap_err();
        assert!(
            e.message
                .starts_with("parameter `dataset`: cannot read `/nonexistent/x.svm`"),
            "{}",
            e.message
        );
    }

    /// The bundled files parse with the sizes stated in data/libsvm/README.md.
    #[test]
    fn bundled_files_have_documented_sizes() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/libsvm");
        for (file, n, d, classes) in [
            ("breast_cancer_scale.svm", 569, 30, vec![-1.0, 1.0]),
            ("digits.svm", 1797, 64, (0..10).map(f64::from).collect()),
            ("wine_scale.svm", 178, 13, vec![1.0, 2.0, 3.0]),
        ] {
            let data = read_file(&dir.join(file), "dataset").unwrap();
            assert_eq!(data.labels.len(), n, "{file}");
            assert!(data.n_features <= d, "{file}: {} features", data.n_features);
            let mut seen: Vec<f64> = data.labels.clone();
            seen.sort_by(f64::total_cmp);
            seen.dedup();
            assert_eq!(seen, classes, "{file}");
        }
    }
}
