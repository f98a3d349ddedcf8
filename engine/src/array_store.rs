//! `records.bin`: the large numeric arrays of run records, stored once as raw numbers.
//!
//! A record's parameters are RON text, and 10⁶ numbers as text are ~20 MB and a quarter of a
//! second to write. Arrays of more than [`INLINE_MAX_NUMBERS`] entries are therefore written
//! here as little-endian 8-byte words and the record holds a reference,
//! `{"$stored": "vector", "offset": .., "len": ..}`. An array already stored by this log (the
//! same data matrix across a parameter sweep) is found by its fingerprint, compared word for
//! word with the stored copy, and referred to again instead of written twice.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use boundlab_sdk::{DenseMatrix, SparseMatrix, Value, ValueMap};

use crate::error::EngineError;

/// The file beside the record log that holds the records' large numeric arrays.
pub const ARRAYS_FILE: &str = "records.bin";

/// Arrays with more numbers than this are stored in [`ARRAYS_FILE`], not written inline.
pub const INLINE_MAX_NUMBERS: usize = 4096;

/// The key that marks a reference to an array in [`ARRAYS_FILE`].
const STORED_TAG: &str = "$stored";

/// Words moved per read or write (the buffer stays in cache).
const CHUNK_WORDS: usize = 1 << 17;

/// One stored array: its pieces (a sparse matrix has three) as 8-byte words.
enum Piece<'a> {
    Floats(&'a [f64]),
    Indices(&'a [u64]),
}

impl Piece<'_> {
    fn len(&self) -> usize {
        match self {
            Piece::Floats(v) => v.len(),
            Piece::Indices(v) => v.len(),
        }
    }

    fn word(&self, i: usize) -> u64 {
        match self {
            Piece::Floats(v) => v[i].to_bits(),
            Piece::Indices(v) => v[i],
        }
    }
}

/// Appends arrays to [`ARRAYS_FILE`]; opened on the first array.
pub(crate) struct ArrayWriter {
    path: PathBuf,
    file: Option<File>,
    /// Fingerprint and length in words → offsets of arrays stored by this writer.
    stored: HashMap<(u64, u64), Vec<u64>>,
}

impl ArrayWriter {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            file: None,
            stored: HashMap::new(),
        }
    }

    /// `value` with every array above [`INLINE_MAX_NUMBERS`] stored and replaced by its
    /// reference; the bytes are on disk when this returns.
    pub fn store(&mut self, value: Value) -> Result<Value, EngineError> {
        Ok(match value {
            Value::Vector(v) if v.len() > INLINE_MAX_NUMBERS => {
                let offset = self.put(&[Piece::Floats(&v)])?;
                Value::Map(
                    ValueMap::new()
                        .with(STORED_TAG, "vector")
                        .with("offset", offset as i64)
                        .with("len", v.len() as i64),
                )
            }
            Value::Matrix(m) if m.data.len() > INLINE_MAX_NUMBERS => {
                let offset = self.put(&[Piece::Floats(&m.data)])?;
                Value::Map(
                    ValueMap::new()
                        .with(STORED_TAG, "matrix")
                        .with("offset", offset as i64)
                        .with("rows", m.rows as i64)
                        .with("cols", m.cols as i64),
                )
            }
            Value::Sparse(m) if m.nnz() > INLINE_MAX_NUMBERS => {
                let offset = self.put(&[
                    Piece::Indices(&m.col_ptr),
                    Piece::Indices(&m.row_indices),
                    Piece::Floats(&m.values),
                ])?;
                Value::Map(
                    ValueMap::new()
                        .with(STORED_TAG, "sparse")
                        .with("offset", offset as i64)
                        .with("rows", m.rows as i64)
                        .with("cols", m.cols as i64)
                        .with("nnz", m.nnz() as i64),
                )
            }
            Value::List(items) => Value::List(
                items
                    .into_vec()
                    .into_iter()
                    .map(|v| self.store(v))
                    .collect::<Result<Vec<_>, _>>()?
                    .into(),
            ),
            Value::Map(map) => Value::Map(
                map.into_entries()
                    .map(|(k, v)| self.store(v).map(|v| (k, v)))
                    .collect::<Result<ValueMap, _>>()?,
            ),
            other => other,
        })
    }

    /// The offset of `pieces` in the file: where an identical array already is, or where they
    /// are appended now.
    fn put(&mut self, pieces: &[Piece<'_>]) -> Result<u64, EngineError> {
        let io = |path: &Path, e| EngineError::io(path, e);
        if self.file.is_none() {
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .read(true)
                .open(&self.path)
                .map_err(|e| io(&self.path, e))?;
            self.file = Some(file);
        }
        let words: usize = pieces.iter().map(Piece::len).sum();
        let key = (fingerprint(pieces), words as u64);
        let file = self.file.as_mut().expect("opened above");
        for &offset in self.stored.get(&key).into_iter().flatten() {
            if stored_equal(file, offset, pieces).map_err(|e| io(&self.path, e))? {
                return Ok(offset);
            }
        }
        // The file's own length, not a count kept here: another log on the same folder may
        // have appended since.
        let offset = file.metadata().map_err(|e| io(&self.path, e))?.len();
        let mut buffer = Vec::with_capacity(8 * CHUNK_WORDS.min(words));
        for piece in pieces {
            for i in 0..piece.len() {
                buffer.extend_from_slice(&piece.word(i).to_le_bytes());
                if buffer.len() == 8 * CHUNK_WORDS {
                    file.write_all(&buffer).map_err(|e| io(&self.path, e))?;
                    buffer.clear();
                }
            }
        }
        file.write_all(&buffer)
            .and_then(|_| file.flush())
            .map_err(|e| io(&self.path, e))?;
        self.stored.entry(key).or_default().push(offset);
        Ok(offset)
    }
}

/// A fingerprint of the words of `pieces` (four independent multiply-rotate lanes: a few
/// milliseconds for 10⁷ words). Only a hint: a match is confirmed word for word.
fn fingerprint(pieces: &[Piece<'_>]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut lanes = [1u64, 2, 3, 4];
    let mut n = 0usize;
    for piece in pieces {
        for i in 0..piece.len() {
            let lane = &mut lanes[n % 4];
            *lane = (lane.rotate_left(23) ^ piece.word(i)).wrapping_mul(K);
            n += 1;
        }
    }
    lanes
        .iter()
        .fold(n as u64, |h, &l| (h.rotate_left(17) ^ l).wrapping_mul(K))
}

/// Whether the words at `offset` in `file` are exactly those of `pieces`.
fn stored_equal(file: &mut File, offset: u64, pieces: &[Piece<'_>]) -> std::io::Result<bool> {
    file.seek(SeekFrom::Start(offset))?;
    let mut buffer = vec![0u8; 8 * CHUNK_WORDS];
    let mut words = pieces
        .iter()
        .flat_map(|p| (0..p.len()).map(move |i| p.word(i)));
    let mut left: usize = pieces.iter().map(Piece::len).sum();
    while left > 0 {
        let take = left.min(CHUNK_WORDS);
        file.read_exact(&mut buffer[..8 * take])?;
        for chunk in buffer[..8 * take].chunks_exact(8) {
            let stored = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
            if words.next() != Some(stored) {
                return Ok(false);
            }
        }
        left -= take;
    }
    Ok(true)
}

/// Reads the arrays records refer to back from [`ARRAYS_FILE`].
pub(crate) struct ArrayReader {
    path: PathBuf,
    file: Option<File>,
}

impl ArrayReader {
    pub fn new(path: PathBuf) -> Self {
        Self { path, file: None }
    }

    /// `value` with every reference replaced by its array; `Err` says what is wrong.
    pub fn restore(&mut self, value: Value) -> Result<Value, String> {
        match value {
            Value::Map(map) if map.contains_key(STORED_TAG) => self.read_reference(&map),
            Value::List(items) => Ok(Value::List(
                items
                    .into_vec()
                    .into_iter()
                    .map(|v| self.restore(v))
                    .collect::<Result<Vec<_>, _>>()?
                    .into(),
            )),
            Value::Map(map) => Ok(Value::Map(
                map.into_entries()
                    .map(|(k, v)| self.restore(v).map(|v| (k, v)))
                    .collect::<Result<ValueMap, _>>()?,
            )),
            other => Ok(other),
        }
    }

    fn read_reference(&mut self, map: &ValueMap) -> Result<Value, String> {
        let kind = map.get(STORED_TAG).and_then(Value::as_str).unwrap_or("");
        let size = |name: &str| {
            map.get(name)
                .and_then(Value::as_i64)
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| format!("a stored {kind} needs a non-negative `{name}`"))
        };
        let offset = size("offset")? as u64;
        match kind {
            "vector" => {
                let words = self.read_words(offset, size("len")?)?;
                Ok(Value::Vector(floats(words).into()))
            }
            "matrix" => {
                let (rows, cols) = (size("rows")?, size("cols")?);
                let data = floats(self.read_words(offset, rows * cols)?);
                DenseMatrix::from_col_major(rows, cols, data).map(Value::Matrix)
            }
            "sparse" => {
                let (rows, cols, nnz) = (size("rows")?, size("cols")?, size("nnz")?);
                let mut words = self.read_words(offset, cols + 1 + 2 * nnz)?;
                let values = floats(words.split_off(cols + 1 + nnz));
                let row_indices = words.split_off(cols + 1);
                let m = SparseMatrix {
                    rows: rows as u64,
                    cols: cols as u64,
                    col_ptr: words.into(),
                    row_indices: row_indices.into(),
                    values: values.into(),
                };
                m.validate()?;
                Ok(Value::Sparse(m))
            }
            other => Err(format!(
                "unknown stored array kind {other:?} (expected vector, matrix or sparse)"
            )),
        }
    }

    /// `count` words from `offset`.
    fn read_words(&mut self, offset: u64, count: usize) -> Result<Vec<u64>, String> {
        let path = &self.path;
        if self.file.is_none() {
            let file =
                File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
            self.file = Some(file);
        }
        let file = self.file.as_mut().expect("opened above");
        let end = offset + 8 * count as u64;
        let file_len = file.metadata().map_or(0, |m| m.len());
        if end > file_len {
            return Err(format!(
                "the array at bytes {offset}..{end} of {} lies beyond its end ({file_len} bytes)",
                path.display()
            ));
        }
        let mut bytes = vec![0u8; 8 * count];
        file.seek(SeekFrom::Start(offset))
            .and_then(|_| file.read_exact(&mut bytes))
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Ok(bytes
            .chunks_exact(8)
            .map(|w| u64::from_le_bytes(w.try_into().expect("8 bytes")))
            .collect())
    }
}

fn floats(words: Vec<u64>) -> Vec<f64> {
    words.into_iter().map(f64::from_bits).collect()
}
