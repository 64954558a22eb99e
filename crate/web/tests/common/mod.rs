//! Golden fixtures from TransformerLens / Hugging Face (`tests/golden/`, made by
//! `tests/golden/generate.py`), shared by the native and the wasm tests. Bytes are compiled in so
//! the same checks run in a browser, where there is no file system.

#![allow(dead_code)]

use std::collections::BTreeMap;

use burn::prelude::*;
use circuitscope::model::{Activation, LoadedModel};
use safetensors::{Dtype, SafeTensors};

/// One fixture: the model files and what TransformerLens recorded.
pub struct Fixture {
    pub name: &'static str,
    pub config: &'static str,
    pub weights: &'static [u8],
    pub expected: &'static [u8],
}

macro_rules! fixture {
    ($name:literal) => {
        Fixture {
            name: $name,
            config: include_str!(concat!("../../../../tests/golden/", $name, "/config.json")),
            weights: include_bytes!(concat!("../../../../tests/golden/", $name, "/model.safetensors")),
            expected: include_bytes!(concat!("../../../../tests/golden/", $name, "/expected.safetensors")),
        }
    };
}

pub fn fixtures() -> Vec<Fixture> {
    vec![
        fixture!("gpt2_style"),
        fixture!("attn_only_shortformer"),
        fixture!("tracr_style"),
        fixture!("lnpre"),
        fixture!("hf_gpt2"),
    ]
}

/// Expected tensors: `tokens` as ids, everything else as f32 with its shape.
pub struct Expected {
    pub tokens: Vec<Vec<u32>>,
    pub tensors: BTreeMap<String, (Vec<usize>, Vec<f32>)>,
}

pub fn expected(bytes: &[u8]) -> Expected {
    let file = SafeTensors::deserialize(bytes).expect("expected.safetensors parses");
    let mut tokens = Vec::new();
    let mut tensors = BTreeMap::new();
    for (name, view) in file.tensors() {
        let shape = view.shape().to_vec();
        if name == "tokens" {
            assert_eq!(view.dtype(), Dtype::I32);
            let ids: Vec<u32> = view.data().chunks_exact(4).map(|b| i32::from_le_bytes(b.try_into().unwrap()) as u32).collect();
            tokens = ids.chunks(shape[1]).map(<[u32]>::to_vec).collect();
        } else {
            assert_eq!(view.dtype(), Dtype::F32, "{name}");
            let v = view.data().chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap())).collect();
            tensors.insert(name, (shape, v));
        }
    }
    Expected { tokens, tensors }
}

/// Runs the fixture's model on `device` and compares logits and every recorded hook; returns one
/// line per tensor ("TENSOR OK, maxdiff = …") or the first failure.
pub async fn check(fixture: &Fixture, device: &Device, tolerance: f32) -> Result<Vec<String>, String> {
    let model = LoadedModel::from_bytes(fixture.config, fixture.weights, None, device).map_err(|e| e.to_string())?;
    let expected = expected(fixture.expected);
    let tokens = model.tokens(&expected.tokens).map_err(|e| e.to_string())?;
    let (logits, cache) = model.transformer.run_with_cache(tokens);
    let mut report = Vec::new();
    for (name, (shape, want)) in &expected.tensors {
        let got = if name == "logits" {
            Activation::Rank3(logits.clone())
        } else {
            cache.get(name).ok_or_else(|| format!("{}: we record no {name}", fixture.name))?.clone()
        };
        if &got.dims() != shape {
            return Err(format!("{}: {name}: shape {:?}, expected {shape:?}", fixture.name, got.dims()));
        }
        let got = got.to_vec_async().await.map_err(|e| e.to_string())?;
        let diff = max_abs_diff(&got, want);
        if !(diff <= tolerance) {
            return Err(format!("{}: {name}: maxdiff = {diff:e} > {tolerance:e}", fixture.name));
        }
        report.push(format!("{} {name} OK, maxdiff = {diff:e}", fixture.name));
    }
    Ok(report)
}

pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, |m, d| if d.is_nan() { f32::NAN } else { m.max(d) })
}

fn edge_key(e: &serde_json::Value) -> (String, Option<u64>, String, Option<u64>) {
    let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
    (s("sender"), e["sender_head"].as_u64(), s("receiver"), e["receiver_head"].as_u64())
}

/// Our `circuit.json` against the reference harness's output: the same edges tested in the same
/// order with the same decisions, metrics within float noise, the same kept circuit.
pub fn compare_with_reference(ours: &serde_json::Value, reference: &serde_json::Value) -> Result<(), String> {
    let (a, b) = (ours["tested"].as_array().unwrap(), reference["tested"].as_array().unwrap());
    if a.len() != b.len() {
        return Err(format!("tested {} edges, the reference {}", a.len(), b.len()));
    }
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let (mx, my) = (x["metric_after"].as_f64().unwrap(), y["metric_after"].as_f64().unwrap());
        if edge_key(x) != edge_key(y) || x["removed"] != y["removed"] || (mx - my).abs() > 1e-5 * my.abs().max(1.0) {
            return Err(format!("edge {i}: ours {x} vs the reference {y}"));
        }
    }
    let mut ka: Vec<_> = ours["kept"].as_array().unwrap().iter().map(edge_key).collect();
    let mut kb: Vec<_> = reference["kept"].as_array().unwrap().iter().map(edge_key).collect();
    ka.sort();
    kb.sort();
    if ka != kb {
        return Err("kept circuits differ".into());
    }
    Ok(())
}
