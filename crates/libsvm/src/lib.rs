//! A reader for the LIBSVM sparse text format (`label index:value index:value ...`, one sample
//! a line), shared by every plugin that reads data sets so that a file means the same to all.
//!
//! - Indices are one-based and strictly increasing within a line; omitted features are zero,
//!   and so are explicit zeros (they are not stored).
//! - `qid:N` tokens (ranking data) are skipped: the query id is not a feature.
//! - `#` starts a comment; blank and comment-only lines are skipped.
//! - Labels and values must be finite numbers; indices at most [`MAX_FEATURES`] (a typo such as
//!   `100000000:1` would otherwise allocate gigabytes downstream).
//!
//! Every error names the file, the line and the (one-based, character) column where the problem
//! starts, as `file:line:column: message`, so a broken file is fixed in one look.

use std::fmt;
use std::path::Path;

/// The largest feature index accepted.
pub const MAX_FEATURES: usize = 1 << 24;

/// A labelled data set with sparse rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// One label per sample, as written in the file.
    pub labels: Vec<f64>,
    /// Per sample: (zero-based feature index, value) with the value nonzero, indices increasing.
    pub rows: Vec<Vec<(usize, f64)>>,
    /// One more than the largest zero-based feature index seen (the dimension d).
    pub n_features: usize,
}

impl Dataset {
    /// The number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no samples (never true for a parsed file).
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The distinct labels, ascending.
    pub fn distinct_labels(&self) -> Vec<f64> {
        let mut l = self.labels.clone();
        l.sort_by(f64::total_cmp);
        l.dedup();
        l
    }
}

/// What went wrong reading a data set, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    /// The file (or the name given to [`parse`]).
    pub source: String,
    /// One-based line; 0 when the error is not tied to a line (unreadable or empty file).
    pub line: usize,
    /// One-based character column of the offending token (0 with `line` 0).
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.source, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.source, self.line, self.column, self.message
            )
        }
    }
}

impl std::error::Error for Error {}

/// Reads the LIBSVM file at `path`.
pub fn read_file(path: &Path) -> Result<Dataset, Error> {
    let source = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Error {
        source: source.clone(),
        line: 0,
        column: 0,
        message: format!("cannot read the file: {e}"),
    })?;
    parse(&text, &source)
}

/// Parses LIBSVM `text`; `source` names it in errors.
pub fn parse(text: &str, source: &str) -> Result<Dataset, Error> {
    let mut data = Dataset {
        labels: Vec::new(),
        rows: Vec::new(),
        n_features: 0,
    };
    for (line_index, raw) in text.lines().enumerate() {
        let content = raw.split('#').next().unwrap_or("");
        let err = |column: usize, message: String| Error {
            source: source.to_string(),
            line: line_index + 1,
            column,
            message,
        };
        let mut tokens = tokens_with_columns(content);
        let Some((label_column, label_text)) = tokens.next() else {
            continue;
        };
        let label = finite(label_text).ok_or_else(|| {
            err(
                label_column,
                format!("label `{label_text}` is not a finite number"),
            )
        })?;
        let mut row = Vec::new();
        let mut last_index = 0usize;
        for (column, token) in tokens {
            let (index_text, value_text) = token
                .split_once(':')
                .ok_or_else(|| err(column, format!("expected `index:value`, found `{token}`")))?;
            if index_text == "qid" {
                continue;
            }
            let index: usize = index_text.parse().map_err(|_| {
                err(
                    column,
                    format!("feature index `{index_text}` is not a positive integer"),
                )
            })?;
            if index == 0 {
                return Err(err(
                    column,
                    "feature indices are one-based; found index 0".into(),
                ));
            }
            if index > MAX_FEATURES {
                return Err(err(
                    column,
                    format!("feature index {index} exceeds the limit {MAX_FEATURES}"),
                ));
            }
            if index <= last_index {
                return Err(err(
                    column,
                    format!(
                        "feature index {index} does not increase (previous index {last_index})"
                    ),
                ));
            }
            let value_column = column + index_text.chars().count() + 1;
            let value = finite(value_text).ok_or_else(|| {
                err(
                    value_column,
                    format!("value `{value_text}` of feature {index} is not a finite number"),
                )
            })?;
            last_index = index;
            data.n_features = data.n_features.max(index);
            if value != 0.0 {
                row.push((index - 1, value));
            }
        }
        data.labels.push(label);
        data.rows.push(row);
    }
    if data.labels.is_empty() {
        return Err(Error {
            source: source.to_string(),
            line: 0,
            column: 0,
            message: "no samples (the file is empty or only comments)".into(),
        });
    }
    Ok(data)
}

fn finite(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Whitespace-separated tokens with their one-based character columns.
fn tokens_with_columns(line: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None; // (byte offset, character column)
    for (char_index, (byte, ch)) in line.char_indices().enumerate() {
        if ch.is_whitespace() {
            if let Some((b, c)) = start.take() {
                out.push((c, &line[b..byte]));
            }
        } else if start.is_none() {
            start = Some((byte, char_index + 1));
        }
    }
    if let Some((b, c)) = start {
        out.push((c, &line[b..]));
    }
    out.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sparse_rows_comments_blank_lines_and_query_ids() {
        let text = "# header\n+1 1:0.5 3:-2\n\n-1 qid:7 2:1e-1   4:0 # trailing\n0\n";
        let d = parse(text, "t.svm").unwrap();
        assert_eq!(d.labels, vec![1.0, -1.0, 0.0]);
        assert_eq!(
            d.rows,
            vec![vec![(0, 0.5), (2, -2.0)], vec![(1, 0.1)], vec![]]
        );
        assert_eq!(d.n_features, 4);
        assert_eq!(d.distinct_labels(), vec![-1.0, 0.0, 1.0]);
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let e = |text: &str| parse(text, "f.svm").unwrap_err().to_string();
        assert_eq!(
            e("1 1:0.5\n1 2:0.5 x\n"),
            "f.svm:2:9: expected `index:value`, found `x`"
        );
        assert_eq!(
            e("1 1:0.5\n-1 3:1 2:1\n"),
            "f.svm:2:8: feature index 2 does not increase (previous index 3)"
        );
        assert_eq!(
            e("1 0:1\n"),
            "f.svm:1:3: feature indices are one-based; found index 0"
        );
        assert_eq!(
            e("1 2:abc\n"),
            "f.svm:1:5: value `abc` of feature 2 is not a finite number"
        );
        assert_eq!(
            e("\n\npos 1:1\n"),
            "f.svm:3:1: label `pos` is not a finite number"
        );
        assert!(e("1 -3:1\n").starts_with("f.svm:1:3: feature index `-3`"));
        assert!(e("1 1:nan\n").contains("not a finite number"));
        assert!(e("1 99999999:1\n").contains("exceeds the limit"));
        assert_eq!(
            e("# nothing\n\n"),
            "f.svm: no samples (the file is empty or only comments)"
        );
        let missing = read_file(Path::new("/nonexistent/x.svm")).unwrap_err();
        assert!(
            missing
                .to_string()
                .starts_with("/nonexistent/x.svm: cannot read the file"),
            "{missing}"
        );
    }

    /// The bundled sets match data/libsvm/README.md (samples, features, labels).
    #[test]
    fn bundled_sets_match_their_readme() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/libsvm");
        let cases = [
            ("breast_cancer_scale.svm", 569, 30, vec![-1.0, 1.0]),
            ("digits.svm", 1797, 64, (0..10).map(f64::from).collect()),
            ("wine_scale.svm", 178, 13, vec![1.0, 2.0, 3.0]),
        ];
        for (file, samples, features, labels) in cases {
            let d = read_file(&dir.join(file)).unwrap();
            assert_eq!(d.len(), samples, "{file}");
            assert!(
                d.n_features <= features,
                "{file}: {} features",
                d.n_features
            );
            assert_eq!(d.distinct_labels(), labels, "{file}");
        }
    }
}
