//! Run records: one line of RON per algorithm run, appended to `records.ron` as each run ends.
//!
//! A record holds everything needed to rerun (id, complete parameters, seed, plugin and engine
//! versions) and a summary of the result. One record per line (instead of one RON list) means a
//! crash or a kill never loses or corrupts the records already written.
//!
//! Large numeric arrays in the parameters go to `records.bin` beside it ([`crate::array_store`]),
//! written before the line that refers to them, so a crash leaves at most unreferenced bytes.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use boundlab_sdk::Value;
use serde::{Deserialize, Serialize};

use crate::array_store::{ARRAYS_FILE, ArrayReader, ArrayWriter};
use crate::error::EngineError;

/// The file name of the record log inside the output folder.
pub const RECORDS_FILE: &str = "records.ron";

const HEADER: &str =
    "// boundlab run records: one RON record per line (boundlab rerun FILE N reruns record N)";

/// One algorithm run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Position in the file, from 0.
    pub index: usize,
    pub id: String,
    pub plugin: String,
    pub plugin_version: String,
    pub engine_version: String,
    /// UTC, RFC 3339.
    pub timestamp: String,
    /// The `seed` parameter, when the algorithm has one.
    pub seed: Option<i64>,
    /// The complete parameters (after defaults were filled in).
    pub params: Value,
    pub wall_seconds: f64,
    /// `ok` or `error`.
    pub status: String,
    pub error: Option<String>,
    /// The result with large arrays shortened to a description.
    pub summary: Value,
}

/// The append-only record file of an output folder; opened on the first record.
pub struct RecordLog {
    path: PathBuf,
    state: Mutex<LogState>,
}

struct LogState {
    file: Option<File>,
    next_index: usize,
    arrays: ArrayWriter,
}

impl RecordLog {
    pub fn new(out_dir: &Path) -> Self {
        Self {
            path: out_dir.join(RECORDS_FILE),
            state: Mutex::new(LogState {
                file: None,
                next_index: 0,
                arrays: ArrayWriter::new(out_dir.join(ARRAYS_FILE)),
            }),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `record` (its index is assigned here) and flushes it to disk.
    pub fn append(&self, mut record: Record) -> Result<usize, EngineError> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if state.file.is_none() {
            let existing = if self.path.exists() {
                count_records(&self.path)?
            } else {
                0
            };
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| EngineError::io(dir, e))?;
            }
            let mut file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)
                .map_err(|e| EngineError::io(&self.path, e))?;
            if existing == 0 {
                writeln!(file, "{HEADER}").map_err(|e| EngineError::io(&self.path, e))?;
            }
            state.file = Some(file);
            state.next_index = existing;
        }
        record.index = state.next_index;
        record.params = state.arrays.store(std::mem::take(&mut record.params))?;
        let mut line = ron::to_string(&record)
            .map_err(|e| EngineError::format(&self.path, format!("cannot encode record: {e}")))?;
        line.push('\n');
        let file = state.file.as_mut().expect("opened above");
        // One write call per record (`writeln!` on a File makes one per piece).
        file.write_all(line.as_bytes())
            .and_then(|_| file.flush())
            .map_err(|e| EngineError::io(&self.path, e))?;
        state.next_index += 1;
        Ok(record.index)
    }
}

/// The number of records in a record file: its lines that are neither empty nor comments
/// (counted, not parsed: a folder whose records hold large arrays opens in milliseconds).
fn count_records(path: &Path) -> Result<usize, EngineError> {
    let file = File::open(path).map_err(|e| EngineError::io(path, e))?;
    let mut count = 0;
    for line in BufReader::new(file).lines() {
        let line = line.map_err(|e| EngineError::io(path, e))?;
        let text = line.trim();
        count += usize::from(!text.is_empty() && !text.starts_with("//"));
    }
    Ok(count)
}

/// Reads every record of a record file (with the arrays it stored in [`ARRAYS_FILE`]).
pub fn read_records(path: &Path) -> Result<Vec<Record>, EngineError> {
    let file = File::open(path).map_err(|e| EngineError::io(path, e))?;
    let mut arrays = ArrayReader::new(path.with_file_name(ARRAYS_FILE));
    let mut records = Vec::new();
    for (number, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| EngineError::io(path, e))?;
        let text = line.trim();
        if text.is_empty() || text.starts_with("//") {
            continue;
        }
        let mut record: Record = ron::from_str(text).map_err(|e| {
            EngineError::format(path, format!("line {}: not a run record: {e}", number + 1))
        })?;
        record.params = arrays
            .restore(std::mem::take(&mut record.params))
            .map_err(|e| EngineError::format(path, format!("line {}: {e}", number + 1)))?;
        records.push(record);
    }
    Ok(records)
}

/// The current time in UTC as RFC 3339 (`2026-11-29T05:38:23Z`).
pub fn utc_timestamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    format_utc(secs)
}

/// Formats seconds since the Unix epoch as RFC 3339 UTC (proleptic Gregorian calendar).
pub fn format_utc(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A compact form for folder names: `20261129-053823`.
pub fn compact_timestamp() -> String {
    utc_timestamp()
        .replace(['-', ':'], "")
        .replace('T', "-")
        .trim_end_matches('Z')
        .to_string()
}

/// Days since 1970-01-01 to (year, month, day); H. Hinnant's `civil_from_days` algorithm.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::array_store::INLINE_MAX_NUMBERS;
    use boundlab_sdk::{DenseMatrix, SparseMatrix, ValueMap};

    #[test]
    fn utc_formatting_matches_known_dates() {
        // Reference values from `date -u -d @N` (GNU coreutils).
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_utc(1_795_930_703), "2026-11-29T05:38:23Z");
        assert_eq!(format_utc(-86_400), "1969-12-31T00:00:00Z");
    }

    #[test]
    fn records_append_line_by_line_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let log = RecordLog::new(dir.path());
        let record = |id: &str| Record {
            index: 99,
            id: id.into(),
            plugin: "p".into(),
            plugin_version: "1".into(),
            engine_version: "0".into(),
            timestamp: utc_timestamp(),
            seed: Some(3),
            params: Value::Map(ValueMap::new().with("x", vec![1.0, f64::NAN])),
            wall_seconds: 0.5,
            status: "ok".into(),
            error: None,
            summary: Value::Float(1.0),
        };
        assert_eq!(log.append(record("a")).unwrap(), 0);
        assert_eq!(log.append(record("b")).unwrap(), 1);
        // A new log on the same folder continues the numbering.
        let again = RecordLog::new(dir.path());
        assert_eq!(again.append(record("c")).unwrap(), 2);
        let read = read_records(log.path()).unwrap();
        assert_eq!(
            read.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
        assert_eq!(read[2].index, 2);
        std::fs::write(dir.path().join("bad.ron"), "(index: 0,\n").unwrap();
        let err = read_records(&dir.path().join("bad.ron"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 1: not a run record"), "{err}");
    }

    #[test]
    fn large_arrays_go_to_the_arrays_file_and_come_back_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let n = INLINE_MAX_NUMBERS + 1;
        let vector: Vec<f64> = (0..n).map(|i| (i as f64).sqrt() - 7.5).collect();
        let triplets: Vec<_> = (0..n).map(|i| (i, i, 1.0 / (i + 1) as f64)).collect();
        let sparse = SparseMatrix::from_triplets(n, n, &triplets).unwrap();
        let dense = DenseMatrix::from_fn(n, 2, |i, j| (i * 2 + j) as f64 * 1e-300);
        let params = Value::Map(
            ValueMap::new()
                .with("small", vec![1.0, 2.0])
                .with("x", Value::Vector(vector.clone().into()))
                .with(
                    "blocks",
                    Value::List(vec![Value::Sparse(sparse), Value::Matrix(dense)].into()),
                ),
        );
        let record = |params: Value| Record {
            index: 0,
            id: "a".into(),
            plugin: "p".into(),
            plugin_version: "1".into(),
            engine_version: "0".into(),
            timestamp: utc_timestamp(),
            seed: None,
            params,
            wall_seconds: 0.0,
            status: "ok".into(),
            error: None,
            summary: Value::Unit,
        };
        let log = RecordLog::new(dir.path());
        log.append(record(params.clone())).unwrap();
        // A second log on the folder appends after the bytes already there.
        RecordLog::new(dir.path())
            .append(record(params.clone()))
            .unwrap();
        let text = std::fs::read_to_string(log.path()).unwrap();
        assert!(
            text.len() < 4000,
            "arrays written inline: {} bytes",
            text.len()
        );
        // Stored once: the second log found nothing of the first's to reuse, the first's own
        // repeat is a reference to what it wrote.
        let bin = dir.path().join(ARRAYS_FILE);
        let one_copy = 8 * (n + (n + 1) + 2 * n + 2 * n) as u64;
        assert_eq!(std::fs::metadata(&bin).unwrap().len(), 2 * one_copy);
        log.append(record(params.clone())).unwrap();
        assert_eq!(std::fs::metadata(&bin).unwrap().len(), 2 * one_copy);
        // One number changed: that array alone is written again.
        let mut changed = vector.clone();
        changed[n - 1] += 1.0;
        let mut other = params.clone();
        if let Value::Map(m) = &mut other {
            m.insert("x", Value::Vector(changed.into()));
        }
        log.append(record(other)).unwrap();
        assert_eq!(
            std::fs::metadata(&bin).unwrap().len(),
            2 * one_copy + 8 * n as u64
        );
        let read = read_records(log.path()).unwrap();
        assert_eq!(read.len(), 4);
        for r in &read[..3] {
            // (Printing a mismatch would print 10⁴ numbers: compare, then say which.)
            for key in ["x", "blocks"] {
                assert!(r.params.get(key) == params.get(key), "`{key}` changed");
            }
            assert_eq!(
                r.params.get("small").unwrap().to_f64_vec(),
                Some(vec![1.0, 2.0])
            );
        }
        assert_eq!(
            read[3].params.get("x").unwrap().to_f64_vec().unwrap()[n - 1],
            vector[n - 1] + 1.0
        );
        // A truncated arrays file is an error naming the line and the bytes missing.
        let len = std::fs::metadata(&bin).unwrap().len();
        std::fs::OpenOptions::new()
            .write(true)
            .open(&bin)
            .unwrap()
            .set_len(len - 8)
            .unwrap();
        let err = read_records(log.path()).unwrap_err().to_string();
        assert!(
            err.contains("line 5") && err.contains("beyond its end"),
            "{err}"
        );
    }
}
