//! Exact patching, EAP and EAP-IG inside headless Chromium, on the CPU backend and on WebGPU: the
//! same scores as the independent torch reference (tests/reference/attribution), and a
//! faithfulness point of the circuit they imply.

#![cfg(target_arch = "wasm32")]

use circuitscope::attribute::{AttributeSettings, Attribution, Method};
use circuitscope::data::AcdcData;
use circuitscope::evaluate::Judge;
use circuitscope::metric::MetricKind;
use circuitscope::model::LoadedModel;
use circuitscope::patch::Ablation;
use serde_json::Value;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const CONFIG: &str = include_str!("../../../tests/reference/tiny_mlp/model/config.json");
const WEIGHTS: &[u8] = include_bytes!("../../../tests/reference/tiny_mlp/model/model.safetensors");
const DATA: &str = include_str!("../../../tests/reference/tiny_mlp/data.json");
const FIXTURES: [(Method, &str); 3] = [
    (Method::Exact, include_str!("../../../tests/reference/attribution/tiny_mlp/exact_logit_diff_mean.json")),
    (Method::Eap, include_str!("../../../tests/reference/attribution/tiny_mlp/eap_logit_diff_mean.json")),
    (Method::EapIg, include_str!("../../../tests/reference/attribution/tiny_mlp/eap_ig_logit_diff_mean.json")),
];

async fn check(device: &burn::prelude::Device) {
    let model = LoadedModel::from_bytes(CONFIG, WEIGHTS, None, device).unwrap();
    let data = AcdcData::from_json(DATA).unwrap();
    for (method, fixture) in FIXTURES {
        let fixture: Value = serde_json::from_str(fixture).unwrap();
        let settings = AttributeSettings { method, steps: 5, metric: MetricKind::LogitDiff, ablation: Ablation::Mean, use_pos_embed: false };
        let mut run = Attribution::new(&model, &data, settings).await.unwrap();
        run.run().await.unwrap();
        let index = run.graph.edge_index();
        let edges = fixture["edges"].as_array().unwrap();
        let max = edges.iter().map(|e| e["score"].as_f64().unwrap().abs()).fold(0.0, f64::max);
        for e in edges {
            let name: circuitscope::graph::EdgeName = serde_json::from_value(e.clone()).unwrap();
            let (ours, theirs) = (run.scores[index[&name]], e["score"].as_f64().unwrap());
            assert!((ours - theirs).abs() <= 1e-5 + 1e-3 * max, "{method:?} {name}: {ours} vs {theirs}");
        }
        let mut judge = Judge::new(&model, &data, MetricKind::LogitDiff, Ablation::Mean, false).await.unwrap();
        let full = fixture["clean_metric"].as_f64().unwrap();
        assert!((judge.full_metric - full).abs() < 1e-4 * full.abs().max(1.0), "{method:?}: M(N) {} vs {full}", judge.full_metric);
        let curve = judge.curve(&run.scores).await.unwrap();
        assert_eq!(curve.points.len(), 10);
    }
}

#[wasm_bindgen_test]
async fn attribution_matches_the_reference_on_the_cpu_backend() {
    check(&circuitscope::device::cpu()).await;
}

#[wasm_bindgen_test]
async fn attribution_matches_the_reference_on_webgpu() {
    circuitscope_web::init_backend("webgpu".into()).await.expect("WebGPU starts");
    let (device, backend) = circuitscope_web::current();
    assert_eq!(backend, "webgpu");
    check(&device).await;
}
