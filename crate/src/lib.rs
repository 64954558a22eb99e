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

pub use error::{Error, Result};
