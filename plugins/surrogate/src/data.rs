//! A supervised data set in dense form, with targets encoded for a given loss.
//!
//! Label conventions (the same as the SSO authors' loaders, which map binary labels to {0, 1}):
//! - two distinct labels: the smaller becomes 0, the larger 1 (one output) for the squared and
//!   logistic losses; two one-hot columns for cross-entropy;
//! - more than two labels: classes in increasing order, one-hot targets (one output per class)
//!   for cross-entropy and for the squared loss; the logistic loss refuses them;
//! - `regression = true` (squared loss only) keeps the raw labels as one output.

use faer::Mat;

use crate::error::SurrogateError;
use crate::loss::Loss;
use boundlab_libsvm::Dataset as LibsvmData;

/// Features (n × d), encoded targets (n × k), and the label classes.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub x: Mat<f64>,
    pub y: Mat<f64>,
    /// The distinct labels in increasing order (empty for regression).
    pub classes: Vec<f64>,
    /// Where the data came from, for the result record.
    pub source: String,
}

impl Dataset {
    pub fn n(&self) -> usize {
        self.x.nrows()
    }

    pub fn n_features(&self) -> usize {
        self.x.ncols()
    }

    /// Number of model outputs the targets need.
    pub fn n_outputs(&self) -> usize {
        self.y.ncols()
    }

    /// Builds a data set from a parsed LIBSVM file; `n_features` (if larger) pads columns.
    pub fn from_libsvm(
        raw: &LibsvmData,
        loss: Loss,
        regression: bool,
        source: &str,
    ) -> Result<Self, SurrogateError> {
        let n = raw.labels.len();
        let d = raw.n_features;
        let mut x = Mat::<f64>::zeros(n, d);
        for (i, row) in raw.rows.iter().enumerate() {
            for &(j, v) in row {
                x[(i, j)] = v;
            }
        }
        Self::from_dense(x, &raw.labels, loss, regression, source)
    }

    /// Builds a data set from dense features and raw labels.
    pub fn from_dense(
        x: Mat<f64>,
        labels: &[f64],
        loss: Loss,
        regression: bool,
        source: &str,
    ) -> Result<Self, SurrogateError> {
        let n = x.nrows();
        if labels.len() != n {
            return Err(SurrogateError::bad_input(
                "y",
                format!("has {} labels for {n} examples", labels.len()),
            ));
        }
        if n == 0 {
            return Err(SurrogateError::bad_input("dataset", "has no examples"));
        }
        if let Some(bad) = labels.iter().position(|v| !v.is_finite()) {
            return Err(SurrogateError::bad_input(
                "y",
                format!("label {bad} is not finite"),
            ));
        }
        if let Some(bad) = x
            .col_iter()
            .flat_map(|c| c.iter().copied().collect::<Vec<_>>())
            .position(|v: f64| !v.is_finite())
        {
            return Err(SurrogateError::bad_input(
                "x",
                format!("entry {bad} (column-major) is not finite"),
            ));
        }
        if regression {
            if loss != Loss::Squared {
                return Err(SurrogateError::bad_input(
                    "regression",
                    format!(
                        "raw real-valued targets need the squared loss, not `{}`",
                        loss.name()
                    ),
                ));
            }
            let y = Mat::from_fn(n, 1, |i, _| labels[i]);
            return Ok(Dataset {
                x,
                y,
                classes: Vec::new(),
                source: source.into(),
            });
        }
        let mut classes = labels.to_vec();
        classes.sort_by(f64::total_cmp);
        classes.dedup();
        if classes.len() < 2 {
            return Err(SurrogateError::bad_input(
                "dataset",
                format!(
                    "`{source}` has a single label ({}); classification needs two or more",
                    classes[0]
                ),
            ));
        }
        if classes.len() > 1000 {
            return Err(SurrogateError::bad_input(
                "dataset",
                format!(
                    "`{source}` has {} distinct labels; use `regression: true` for real-valued targets",
                    classes.len()
                ),
            ));
        }
        let class_of = |v: f64| {
            classes
                .binary_search_by(|c| c.total_cmp(&v))
                .expect("label is a class")
        };
        let y = match (loss, classes.len()) {
            (Loss::Squared | Loss::Logistic, 2) => {
                Mat::from_fn(n, 1, |i, _| class_of(labels[i]) as f64)
            }
            (Loss::Logistic, c) => {
                return Err(SurrogateError::bad_input(
                    "loss",
                    format!(
                        "`logistic` needs two classes but `{source}` has {c}; use `cross_entropy`"
                    ),
                ));
            }
            (_, c) => Mat::from_fn(n, c, |i, j| f64::from(u8::from(class_of(labels[i]) == j))),
        };
        Ok(Dataset {
            x,
            y,
            classes,
            source: source.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use boundlab_libsvm::parse;

    #[test]
    fn encodes_labels_per_loss() {
        let raw = parse("-1 1:1\n1 2:2\n-1 1:3\n", "t").unwrap();
        let d = Dataset::from_libsvm(&raw, Loss::Logistic, false, "t").unwrap();
        assert_eq!((d.n(), d.n_features(), d.n_outputs()), (3, 2, 1));
        assert_eq!([d.y[(0, 0)], d.y[(1, 0)], d.y[(2, 0)]], [0.0, 1.0, 0.0]);
        assert_eq!(d.x[(1, 1)], 2.0);
        let d = Dataset::from_libsvm(&raw, Loss::CrossEntropy, false, "t").unwrap();
        assert_eq!(d.n_outputs(), 2);
        assert_eq!([d.y[(1, 0)], d.y[(1, 1)]], [0.0, 1.0]);
        let raw3 = parse("3 1:1\n1 1:2\n2 1:3\n", "t").unwrap();
        let e = Dataset::from_libsvm(&raw3, Loss::Logistic, false, "t").unwrap_err();
        assert!(
            matches!(&e, SurrogateError::BadInput { parameter: "loss", message } if message.contains('3')),
            "{e}"
        );
        let d = Dataset::from_libsvm(&raw3, Loss::Squared, false, "t").unwrap();
        assert_eq!(d.n_outputs(), 3);
        assert_eq!(d.y[(0, 2)], 1.0);
        let d = Dataset::from_libsvm(&raw3, Loss::Squared, true, "t").unwrap();
        assert_eq!(d.y[(0, 0)], 3.0);
        let e = Dataset::from_libsvm(
            &parse("1 1:1\n1 1:2\n", "t").unwrap(),
            Loss::Logistic,
            false,
            "t",
        )
        .unwrap_err();
        assert!(e.to_string().contains("single label"), "{e}");
    }
}
