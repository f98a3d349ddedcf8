//! `boundlab._native`: the engine behind the Python package in `../boundlab/`.
//!
//! The pure-Python layer adds the docstrings, the progress display and the exception classes;
//! this module converts values ([`convert`]), serves Python callables to plugins
//! ([`functions`]), maps engine errors to those exceptions ([`errors`]) and runs algorithms
//! with the GIL released and Ctrl-C turned into cancellation ([`engine`]).

mod convert;
mod engine;
mod errors;
mod functions;
mod interrupt;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<engine::PyEngine>()?;
    m.add("ABI_VERSION", boundlab_sdk::ABI_VERSION)?;
    m.add("VERSION", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
