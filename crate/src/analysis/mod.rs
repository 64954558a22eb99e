//! Diagnostics computed from real forward passes: attention patterns, and ACDC run to the end.

pub mod attention;
pub mod inspect;
pub mod pattern;
/// Runs ACDC to the end with the blocking CPU driver and a wall clock: native only.
#[cfg(not(target_arch = "wasm32"))]
pub mod circuit;
/// ACDC beside EAP-IG and exact patching, for a model card: native only (blocking, like `circuit`).
#[cfg(not(target_arch = "wasm32"))]
pub mod methods;
