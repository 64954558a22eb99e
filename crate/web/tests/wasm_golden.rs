//! The golden fixtures again, inside headless Chromium: on WebGPU (SwiftShader here) and on the
//! CPU backend compiled to wasm. Run by `scripts/test.sh` through wasm-bindgen-test-runner.

#![cfg(target_arch = "wasm32")]

mod common;

use common::{check, fixtures};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn run_all(device: &burn::prelude::Device, label: &str) {
    for fixture in fixtures() {
        match check(&fixture, device, 1e-4).await {
            Ok(report) => web_sys_log(&format!("{label}: {} tensors OK for {}", report.len(), fixture.name)),
            Err(e) => panic!("{label}: {e}"),
        }
    }
}

fn web_sys_log(line: &str) {
    wasm_bindgen_test::console_log!("{line}");
}

#[wasm_bindgen_test]
async fn golden_fixtures_match_on_the_cpu_backend_in_the_browser() {
    run_all(&circuitscope::device::cpu(), "cpu").await;
}

#[wasm_bindgen_test]
async fn golden_fixtures_match_on_webgpu_in_the_browser() {
    // All tests share one page and burn's wgpu runtime initialises once: initBackend caches it.
    circuitscope_web::init_backend("webgpu".into()).await.expect("WebGPU starts (--enable-unsafe-webgpu)");
    let (device, backend) = circuitscope_web::current();
    assert_eq!(backend, "webgpu");
    run_all(&device, "webgpu").await;
}
