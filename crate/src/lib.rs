//! Circuitscope's core: a transformer with TransformerLens semantics on burn (CPU natively and in
//! wasm, WebGPU in the browser), the ACDC computational graph, patching, discovery and metrics.
//!
//! Data flows one way, in the order of the modules below: `model` (weights, the forward pass,
//! hooks) → `graph` → `patch` → `metric` → `discover`, fed by `data`. The tools sit outside this
//! crate and depend on it: `circuitscope-rasp` (the RASP compiler), `circuitscope-tasks`,
//! `circuitscope-train`, `circuitscope-cli` and `circuitscope-web` (the wasm API).

pub mod error;
pub mod device;
pub mod rng;
pub mod model;
pub mod predict;
pub mod graph;
pub mod data;
pub mod patch;
pub mod metric;
pub mod discover;
pub mod attribute;
pub mod evaluate;
pub mod memory;
pub mod settings;
pub mod analysis;

/// The calling package's directory, for tests that read the repository's files: the one cargo
/// names when it runs the test, else the one the test was compiled in. CI and a working checkout
/// at another path share one target directory, and cargo reuses a test binary across the move,
/// with `env!("CARGO_MANIFEST_DIR")` still naming where it was compiled.
#[macro_export]
macro_rules! manifest_dir {
    () => {
        ::std::path::PathBuf::from(
            ::std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| ::std::ffi::OsString::from(env!("CARGO_MANIFEST_DIR"))),
        )
    };
}

pub use error::{Error, Result};
