//! A reader for the LIBSVM sparse text format (`label index:value index:value ...`).
//!
//! Indices are one-based and strictly increasing within a line; omitted features are zero;
//! `#` starts a comment; blank lines are skipped. Every malformed token is reported with its
//! line and (one-based, character) column, so a broken file is fixed in one look.

use std::fmt;
use std::path::Path;

/// A labelled data set with sparse rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// One label per sample, as written in the file.
    pub labels: Vec<f64>,
    /// Per sample: (zero-based feature index, value), indices increasing.
    pub rows: Vec<Vec<(usize, f64)>>,
    /// One more than the largest feature index seen (the dimension d).
    pub n_features: usize,
}

/// A parse error at a position in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseError {
    /// One-based line number (0 when the error is not tied to a line, e.g. the file is empty).
    pub line: usize,
    /// One-based character column of the offending token.
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.message)
        } else {
            write!(
                f,
                "line {}, column {}: {}",
                self.line, self.column, self.message
            )
        }
    }
}

impl std::error::Error for ParseError {}

/// Reads a LIBSVM file; errors name the file, the line and the column.
pub fn read_file(path: &Path) -> Result<Dataset, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses LIBSVM text.
pub fn parse(text: &str) -> Result<Dataset, ParseError> {
    let mut labels = Vec::new();
    let mut rows = Vec::new();
    let mut n_features = 0usize;
    for (line_index, raw) in text.lines().enumerate() {
        let line_no = line_index + 1;
        let content = match raw.find('#') {
            Some(k) => &raw[..k],
            None => raw,
        };
        let mut tokens = tokens_with_columns(content);
        let Some((label_col, label_tok)) = tokens.next() else {
            continue; // blank or comment-only line
        };
        let err = |column: usize, message: String| ParseError {
            line: line_no,
            column,
            message,
        };
        let label: f64 = label_tok
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| {
                err(
                    label_col,
                    format!("label `{label_tok}` is not a finite number"),
                )
            })?;
        let mut row = Vec::new();
        let mut last_index = 0usize;
        for (col, tok) in tokens {
            let (idx_str, val_str) = tok
                .split_once(':')
                .ok_or_else(|| err(col, format!("expected `index:value`, found `{tok}`")))?;
            if idx_str == "qid" {
                continue; // ranking data: the query id is not a feature
            }
            let index: usize = idx_str.parse().map_err(|_| {
                err(
                    col,
                    format!("feature index `{idx_str}` is not a positive integer"),
                )
            })?;
            if index == 0 {
                return Err(err(
                    col,
                    "feature indices are one-based; found index 0".into(),
                ));
            }
            if index <= last_index {
                return Err(err(
                    col,
                    format!(
                        "feature index {index} does not increase (previous index {last_index})"
                    ),
                ));
            }
            let value_col = col + idx_str.chars().count() + 1;
            let value: f64 = val_str
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())
                .ok_or_else(|| {
                    err(
                        value_col,
                        format!("value `{val_str}` of feature {index} is not a finite number"),
                    )
                })?;
            last_index = index;
            n_features = n_features.max(index);
            if value != 0.0 {
                row.push((index - 1, value));
            }
        }
        labels.push(label);
        rows.push(row);
    }
    if labels.is_empty() {
        return Err(ParseError {
            line: 0,
            column: 0,
            message: "the file holds no samples".into(),
        });
    }
    Ok(Dataset {
        labels,
        rows,
        n_features,
    })
}

/// Whitespace-separated tokens with their one-based character columns.
fn tokens_with_columns(line: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None; // (byte offset, char column)
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

impl Dataset {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sparse_rows_comments_and_blank_lines() {
        let text = "# header\n+1 1:0.5 3:-2\n\n-1 2:1e-1   4:0 # trailing\n";
        let d = parse(text).unwrap();
        assert_eq!(d.labels, vec![1.0, -1.0]);
        assert_eq!(d.rows, vec![vec![(0, 0.5), (2, -2.0)], vec![(1, 0.1)]]);
        assert_eq!(d.n_features, 4);
        assert_eq!(d.distinct_labels(), vec![-1.0, 1.0]);
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = parse("1 1:0.5\n1 2:0.5 x\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 9));
        assert!(e.message.contains("index:value"), "{e}");
        let e = parse("1 1:0.5\n-1 3:1 2:1\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 8));
        assert!(e.message.contains("does not increase"), "{e}");
        let e = parse("1 0:1\n").unwrap_err();
        assert_eq!((e.line, e.column), (1, 3));
        let e = parse("1 2:abc\n").unwrap_err();
        assert_eq!((e.line, e.column), (1, 5));
        assert_eq!(
            e.to_string(),
            "line 1, column 5: value `abc` of feature 2 is not a finite number"
        );
        let e = parse("pos 1:1\n").unwrap_err();
        assert_eq!((e.line, e.column), (1, 1));
        let e = parse("1 x:1\n").unwrap_err();
        assert!(e.message.contains("positive integer"), "{e}");
        assert!(
            parse("# nothing\n\n")
                .unwrap_err()
                .message
                .contains("no samples")
        );
    }

    /// The bundled sets match their README (`data/libsvm/README.md`: samples,
    /// features, labels).
    #[test]
    fn bundled_sets_match_their_readme() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/libsvm");
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
