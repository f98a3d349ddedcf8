//! # boundlab-sdk
//!
//! The contract between the boundlab engine and its algorithm plugins. A plugin is a Rust
//! library that implements [`Plugin`], lists its algorithms with their parameter schemas, and
//! exports itself with [`export_plugin!`]. The engine loads it from a `cdylib` file (checked at
//! load time by `abi_stable`) or links it statically.
//!
//! ```
//! use boundlab_sdk::prelude::*;
//!
//! struct Hello;
//!
//! /// `hello.square`'s parameters: the schema `describe` shows and their decoding.
//! #[derive(Params)]
//! struct SquareParams {
//!     /// the number to square
//!     x: f64,
//! }
//!
//! impl Plugin for Hello {
//!     const NAME: &'static str = "hello";
//!     const VERSION: &'static str = "0.1.0";
//!     fn algorithms() -> Vec<AlgorithmSpec> {
//!         vec![AlgorithmSpec::new("hello.square", "Squares `x`.", |params| {
//!             let x = SquareParams::decode(params)?.x;
//!             Ok(Box::new(move |_input: Value, _host: &HostRef<'_>| Ok(Value::from(x * x))))
//!         })
//!         .params::<SquareParams>()]
//!     }
//! }
//!
//! boundlab_sdk::export_plugin!(Hello);
//! # fn main() { assert_eq!(plugin_module().abi_version(), boundlab_sdk::ABI_VERSION); }
//! ```
//!
//! Parameters arrive as a [`Value::Map`] checked against the schema; [`Params::decode`] turns
//! it into the struct, naming the offending parameter in its errors (see [`params`]).

#![allow(non_local_definitions)] // emitted by abi_stable's `#[sabi_trait]` expansion
#![warn(missing_docs)]

// `#[derive(Params)]` expands to `::boundlab_sdk::...` paths, which must resolve in the sdk's
// own tests and doc examples too.
extern crate self as boundlab_sdk;

mod error;
mod host;
mod module;
pub mod params;
mod schema;
mod serde_value;
pub mod testing;
mod value;
mod value_text;

pub use boundlab_sdk_derive::{ParamEnum, Params};
pub use error::{ErrorKind, PluginError, PluginResult};
pub use host::{Derivatives, HostExt, HostRef, LogLevel};
pub use module::{AlgorithmSpec, CreateFn, ParamInfo, Plugin, Run, ABI_VERSION};
pub use params::{ParamEnum, ParamValue, Params};
pub use serde_value::{from_value, to_value, DecodeError};
pub use value::{Callable, DenseMatrix, SparseMatrix, Value, ValueKind, ValueMap};

/// The engine's half of the contract: the types that cross the library boundary, the loader
/// symbols, the schema check and the panic guard. A plugin author needs none of it (the
/// `export_plugin!` macros use it); the engine and other hosts do.
pub mod abi {
    pub use crate::host::{CallTarget, Host, Host_TO};
    pub use crate::module::{
        guard, module_for, panic_message, Algorithm, AlgorithmBox, AlgorithmInfo, Algorithm_TO,
        PluginInfo, PluginModule, PluginModule_Ref, ABI_VERSION_SYMBOL,
    };
    pub use crate::schema::{
        check_params, closest_matches, complete_params, fill_params, CompletedParams,
    };
    pub use crate::value::MapEntry;
    pub use crate::value_text::SUMMARY_MAX_LEN;
    pub use abi_stable;
}

/// Everything a plugin author usually needs.
pub mod prelude {
    pub use crate::{
        from_value, to_value, AlgorithmSpec, Callable, DenseMatrix, ErrorKind, HostExt, HostRef,
        ParamEnum, ParamValue, Params, Plugin, PluginError, PluginResult, Run, SparseMatrix, Value,
        ValueKind, ValueMap,
    };
}
