//! Choosing the compute device. Natively and in tests: burn's pure-Rust `flex` CPU backend. In the
//! browser: WebGPU when an adapter exists, else the same CPU backend, and we say why.

use burn::prelude::*;
use serde::Serialize;

/// Which backend runs the model, and why (shown in the page).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BackendChoice {
    /// `"webgpu"` or `"cpu"`.
    pub backend: &'static str,
    pub reason: String,
}

/// The CPU device (burn `flex`).
pub fn cpu() -> Device {
    Device::flex()
}

/// Drives a future whose device work completes without waiting on the browser (the CPU backend,
/// natively or in wasm): the CLI and native tests run the async algorithms with it.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
    }
}
