//! Diagnostics computed from real forward passes: per-head attention scores for model cards and
//! the page, and a model's metric and accuracy on a task's data.

pub mod attention;
/// Runs ACDC to the end with the blocking CPU driver and a wall clock: native only.
#[cfg(not(target_arch = "wasm32"))]
pub mod circuit;
pub mod eval;
pub mod heads;
