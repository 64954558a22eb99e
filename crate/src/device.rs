//! Choosing the compute device. Natively and in tests: burn's pure-Rust `flex` CPU backend. In the
//! browser: WebGPU when an adapter exists, else the same CPU backend, and we say why.

use burn::prelude::*;
use serde::Serialize;

/// Which backend runs the model, and why (shown in the page).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BackendChoice {
    /// `"webgpu"` or `"cpu"`.
    pub backend: &'static str,
    pub reason: String,
}

/// The CPU device (burn `flex`).
pub fn cpu() -> Device {
    Device::flex()
}
