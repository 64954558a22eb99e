//! ACDC inside headless Chromium: the same circuit as the reference implementation on the CPU
//! backend and on WebGPU, and byte-identical `circuit.json` when run twice.

#![cfg(target_arch = "wasm32")]

mod common;

use circuitscope::data::AcdcData;
use circuitscope::discover::{Acdc, AcdcSettings, Circuit};
use circuitscope::model::LoadedModel;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const CONFIG: &str = include_str!("../../../tests/reference/tiny/model/config.json");
const WEIGHTS: &[u8] = include_bytes!("../../../tests/reference/tiny/model/model.safetensors");
const DATA: &str = include_str!("../../../tests/reference/tiny/data.json");
const REFERENCE: &str = include_str!("../../../tests/reference/tiny/kl_tau0.1.json");

async fn circuit(device: &burn::prelude::Device, batch: usize) -> serde_json::Value {
    let model = LoadedModel::from_bytes(CONFIG, WEIGHTS, None, device).unwrap();
    let data = AcdcData::from_json(DATA).unwrap();
    let mut run = Acdc::new(&model, &data, AcdcSettings { tau: 0.1, ..Default::default() }).await.unwrap();
    run.set_batch(batch);
    run.run().await.unwrap();
    serde_json::to_value(Circuit::of(&run, 0.0)).unwrap()
}

#[wasm_bindgen_test]
async fn acdc_matches_the_reference_on_the_cpu_backend_and_is_deterministic() {
    let device = circuitscope::device::cpu();
    let reference: serde_json::Value = serde_json::from_str(REFERENCE).unwrap();
    let first = circuit(&device, 1).await;
    common::compare_with_reference(&first, &reference).unwrap();
    assert_eq!(first.to_string(), circuit(&device, 1).await.to_string(), "two runs differ");
}

#[wasm_bindgen_test]
async fn acdc_matches_the_reference_on_webgpu_with_batched_candidates() {
    circuitscope_web::init_backend("webgpu".into()).await.expect("WebGPU starts");
    let (device, backend) = circuitscope_web::current();
    assert_eq!(backend, "webgpu");
    let reference: serde_json::Value = serde_json::from_str(REFERENCE).unwrap();
    common::compare_with_reference(&circuit(&device, 8).await, &reference).unwrap();
}
