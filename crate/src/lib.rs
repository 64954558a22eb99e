//! Circuitscope: a transformer with TransformerLens semantics on burn (CPU natively and in wasm,
//! WebGPU in the browser), the ACDC computational graph, patching and discovery.
//!
//! Data flows one way: `model` (weights, forward pass, hooks) → `predict` and the algorithms →
//! the CLI (`bin/`) and the wasm API (`web/`, wasm32 only).

pub mod analysis;
pub mod data;
pub mod device;
pub mod discover;
pub mod error;
pub mod graph;
pub mod metric;
pub mod model;
pub mod patch;
pub mod predict;
pub mod rasp;
pub mod rng;
pub mod tasks;

#[cfg(not(target_arch = "wasm32"))]
pub mod train;

#[cfg(all(feature = "cli", not(target_arch = "wasm32")))]
pub mod cli;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use error::{Error, Result};
