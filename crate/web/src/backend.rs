//! Picking the device once per worker: WebGPU when the browser has an adapter, else burn's CPU
//! backend, with the reason. burn's wgpu runtime can be initialised only once, so the choice is
//! cached for the worker's life.

use std::cell::RefCell;

use burn::prelude::*;
#[cfg(feature = "webgpu")]
use burn::tensor::wgpu::WgpuBackend;
use wasm_bindgen::prelude::*;

use circuitscope::device::BackendChoice;

thread_local! {
    static CHOSEN: RefCell<Option<(Device, BackendChoice)>> = const { RefCell::new(None) };
}

/// The chosen device and backend name; the CPU if `initBackend` was never called.
pub fn current() -> (Device, &'static str) {
    CHOSEN.with(|c| match &*c.borrow() {
        Some((device, choice)) => (device.clone(), choice.backend),
        None => (circuitscope::device::cpu(), "cpu"),
    })
}

#[cfg(feature = "webgpu")]
fn has_navigator_gpu() -> bool {
    let global = js_sys::global();
    js_sys::Reflect::get(&global, &"navigator".into())
        .ok()
        .filter(|n| !n.is_undefined())
        .and_then(|n| js_sys::Reflect::get(&n, &"gpu".into()).ok())
        .is_some_and(|gpu| !gpu.is_undefined() && !gpu.is_null())
}

/// The CPU-only builds (see Cargo.toml); the worker loads them only for the CPU.
#[cfg(not(feature = "webgpu"))]
async fn try_webgpu() -> Result<Device, String> {
    Err("this build of the module runs on the CPU only (WebGPU is in the default build)".into())
}

#[cfg(feature = "webgpu")]
async fn try_webgpu() -> Result<Device, String> {
    if !has_navigator_gpu() {
        return Err("this browser has no WebGPU (navigator.gpu is missing)".into());
    }
    let device = Device::wgpu_options()
        .graphics_api(WgpuBackend::WebGpu)
        .init_async()
        .await
        .map_err(|e| format!("WebGPU did not start: {e}"))?;
    // A tiny round trip proves the device computes and reads back.
    let probe = Tensor::<1>::from_floats([1.0, 2.0], &device).sum();
    let value = probe
        .into_data_async()
        .await
        .map_err(|e| format!("WebGPU read-back failed: {e:?}"))?
        .try_to_vec::<f32>()
        .map_err(|e| format!("WebGPU read-back failed: {e:?}"))?;
    if value.first() != Some(&3.0) {
        return Err(format!("WebGPU computed 1 + 2 = {value:?}"));
    }
    Ok(device)
}

/// Chooses the backend: `"auto"` (WebGPU, else CPU), `"webgpu"` (error if unavailable) or
/// `"cpu"`. Resolves to `{backend, reason}`. Later calls return the first choice.
#[wasm_bindgen(js_name = initBackend)]
pub async fn init_backend(prefer: String) -> Result<JsValue, JsError> {
    // The start function has run them already in the page; a host that skips it (a test harness)
    // still gets WebGPU's kernels registered before the device exists.
    super::ctors::run_once();
    if let Some((_, choice)) = CHOSEN.with(|c| c.borrow().clone()) {
        return super::to_js(&choice);
    }
    let (device, choice) = match prefer.as_str() {
        "cpu" => (circuitscope::device::cpu(), BackendChoice { backend: "cpu", reason: "CPU requested".into() }),
        "webgpu" | "auto" => match try_webgpu().await {
            Ok(device) => (device, BackendChoice { backend: "webgpu", reason: "WebGPU adapter found".into() }),
            Err(why) if prefer == "auto" => (circuitscope::device::cpu(), BackendChoice { backend: "cpu", reason: why }),
            Err(why) => return Err(JsError::new(&why)),
        },
        other => return Err(JsError::new(&format!("unknown backend {other:?}: use auto, webgpu or cpu"))),
    };
    CHOSEN.with(|c| *c.borrow_mut() = Some((device, choice.clone())));
    super::to_js(&choice)
}
