//! Our ACDC against the reference implementation (ArthurConmy/Automatic-Circuit-Discovery on
//! TransformerLens 1.6.1), edge by edge: the same edges tested in the same order, the same
//! decisions, the same kept circuit, metrics within float noise. Fixtures from
//! `tests/reference/run_reference.py` (see tests/reference/NOTES.md).

#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

use circuitscope::data::AcdcData;
use circuitscope::device::{block_on, cpu};
use circuitscope::discover::{Acdc, AcdcSettings, Circuit};
use circuitscope::model::LoadedModel;
use serde_json::Value;

mod common;

fn repo() -> PathBuf {
    circuitscope::manifest_dir!().parent().unwrap().to_path_buf()
}

fn run_fixture(path: &Path) -> Result<(), String> {
    let reference: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let s = &reference["settings"];
    let model = LoadedModel::from_dir(&repo().join(s["model"].as_str().unwrap()), &cpu()).unwrap();
    let mut data = AcdcData::from_json(&std::fs::read_to_string(repo().join(s["data"].as_str().unwrap())).unwrap()).unwrap();
    if let Some(perm) = reference["corruption"].get("pos_embed_perm") {
        data.pos_embed_perm = Some(serde_json::from_value(perm.clone()).unwrap());
    }
    let settings = AcdcSettings {
        tau: s["tau"].as_f64().unwrap(),
        metric: s["metric"].as_str().unwrap().parse().unwrap(),
        ablation: if s["zero_ablation"].as_bool().unwrap() { "zero" } else { "resample" }.parse().unwrap(),
        indices_mode: s["indices_mode"].as_str().unwrap().parse().unwrap(),
        names_mode: s["names_mode"].as_str().unwrap().parse().unwrap(),
        abs_value_threshold: s["abs_value_threshold"].as_bool().unwrap(),
        use_pos_embed: s["use_pos_embed"].as_bool().unwrap(),
        seed: 0,
    };
    let mut run = block_on(Acdc::new(&model, &data, settings)).map_err(|e| e.to_string())?;
    block_on(run.run()).map_err(|e| e.to_string())?;
    let ours = serde_json::to_value(Circuit::of(&run, 0.0)).unwrap();
    common::compare_with_reference(&ours, &reference)
}
#[test]
fn acdc_matches_the_reference_implementation_edge_by_edge_on_every_fixture() {
    let mut fixtures: Vec<PathBuf> = ["tiny", "tiny_mlp", "tiny_tracr", "induction_2l"]
        .iter()
        .flat_map(|d| std::fs::read_dir(repo().join("tests/reference").join(d)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains("_tau"))
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 10, "fixtures missing: {fixtures:?}");
    let failures: Vec<String> =
        fixtures.iter().filter_map(|p| run_fixture(p).err().map(|e| format!("{}: {e}", p.display()))).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
