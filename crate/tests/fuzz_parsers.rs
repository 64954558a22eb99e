//! Every file a person can hand the core, mutated at random from valid seeds (bit flips, byte
//! edits, truncations, splices, and huge numbers in the right places): the parser must return a
//! value or an error, never panic, and finish in bounded time and memory. A few thousand cases per
//! parser run in CI in seconds; `FUZZ_CASES=200000 cargo test --release -p circuitscope --test
//! fuzz_parsers` is the longer run by hand (its last result is in docs/robustness.md). Seeds: the
//! shipped models and the reference fixtures.

#![cfg(not(target_arch = "wasm32"))]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Longer than any case takes on a loaded machine by orders of magnitude: only a hang reaches it.
const HANG: Duration = Duration::from_secs(60);

use circuitscope::attribute::scores::ScoresFile;
use circuitscope::data::AcdcData;
use circuitscope::device::cpu;
use circuitscope::discover::Circuit;
use circuitscope::model::config::ModelConfig;
use circuitscope::model::tokenizer::Tokenizer;
use circuitscope::model::{LoadedModel, WeightMap};
use circuitscope::rng::Rng;

fn root() -> PathBuf {
    circuitscope::manifest_dir!().parent().unwrap().to_path_buf()
}

fn cases() -> usize {
    std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1500)
}

/// One mutation of `seed`.
fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut out = seed.to_vec();
    let edits = 1 + rng.below(4);
    for _ in 0..edits {
        match rng.below(7) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] = rng.below(256) as u8;
            }
            2 if !out.is_empty() => {
                let n = rng.below(out.len() + 1);
                out.truncate(n);
            }
            3 => {
                let i = rng.below(out.len() + 1);
                let junk: Vec<u8> = (0..rng.below(16)).map(|_| rng.below(256) as u8).collect();
                out.splice(i..i, junk);
            }
            4 if !out.is_empty() => {
                // A digit run replaced by a huge number (sizes, offsets, shapes, ids).
                let i = rng.below(out.len());
                if out[i].is_ascii_digit() {
                    let big = ["99999999999", "18446744073709551615", "4294967296", "1e308", "-1", "0"][rng.below(6)];
                    let end = (i..out.len()).find(|&j| !out[j].is_ascii_digit()).unwrap_or(out.len());
                    out.splice(i..end, big.bytes());
                }
            }
            5 if out.len() > 2 => {
                // Splice a piece of the file into itself.
                let (a, b) = (rng.below(out.len()), rng.below(out.len()));
                let (a, b) = (a.min(b), a.max(b));
                let piece = out[a..b].to_vec();
                let at = rng.below(out.len());
                out.splice(at..at, piece.into_iter().take(64));
            }
            _ => {}
        }
    }
    out
}

/// Runs `parse` on mutations of every seed: it must not panic, and each case must be quick.
fn fuzz(name: &str, seeds: &[Vec<u8>], mut parse: impl FnMut(&[u8])) {
    let mut rng = Rng::new(name.bytes().map(u64::from).sum());
    let started = Instant::now();
    for case in 0..cases() {
        let seed = &seeds[case % seeds.len()];
        let input = mutate(&mut rng, seed);
        let began = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| parse(&input)));
        assert!(outcome.is_ok(), "{name}: case {case} panicked on {} bytes: {:?}", input.len(), String::from_utf8_lossy(&input[..input.len().min(300)]));
        // A hang guard, not a speed target: a case is microseconds; a minute means a loop that never ends.
        assert!(began.elapsed() < HANG, "{name}: case {case} took {:?}", began.elapsed());
    }
    eprintln!("{name}: {} cases in {:?}", cases(), started.elapsed());
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn config_json_never_panics() {
    let seeds: Vec<Vec<u8>> = ["models/induction-2l/config.json", "models/ioi/config.json", "models/gpt2/config.json", "tests/reference/tiny_tracr/model/config.json"]
        .iter()
        .map(|p| read(p))
        .collect();
    fuzz("config.json", &seeds, |bytes| {
        let _ = ModelConfig::from_json(&String::from_utf8_lossy(bytes));
    });
}

#[test]
fn safetensors_weights_never_panic_nor_allocate_what_the_header_claims() {
    let config = std::fs::read_to_string(root().join("tests/reference/tiny/model/config.json")).unwrap();
    let seeds = vec![read("tests/reference/tiny/model/model.safetensors")];
    fuzz("model.safetensors", &seeds, |bytes| {
        let _ = WeightMap::from_safetensors(bytes);
        let _ = LoadedModel::from_bytes(&config, bytes, None, &cpu());
    });
}

#[test]
fn tokenizer_json_never_panics() {
    let seeds = vec![read("models/induction-2l/tokenizer.json"), read("models/ioi/tokenizer.json")];
    fuzz("tokenizer.json", &seeds, |bytes| {
        if let Ok(t) = Tokenizer::from_json(&String::from_utf8_lossy(bytes)) {
            let _ = t.encode("Mary and John went to the store");
        }
    });
}

#[test]
fn data_circuit_and_scores_files_never_panic() {
    let data = vec![read("tests/reference/tiny/data.json"), read("tests/reference/tiny/data_positions.json"), read("tests/reference/induction_2l/data.json")];
    let model = LoadedModel::from_dir(&root().join("tests/reference/tiny/model"), &cpu()).unwrap();
    fuzz("data.json", &data, |bytes| {
        if let Ok(d) = AcdcData::from_json(&String::from_utf8_lossy(bytes)) {
            // Data that parses must also be refused or accepted cleanly by a model.
            let _ = model.tokens(&d.clean);
        }
    });
    // circuit.json and scores.json as the CLI writes them.
    let graph = circuitscope::graph::Graph::new(&model.config, false);
    let circuit = serde_json::to_vec(&serde_json::json!({
        "settings": {"tau": 0.1, "metric": "kl", "ablation": "resample", "indices_mode": "normal", "names_mode": "normal",
                     "abs_value_threshold": false, "use_pos_embed": false, "seed": 0},
        "graph": graph.counts(), "initial_metric": 0.0, "tested": [], "skipped": [],
        "kept": [circuitscope::graph::EdgeName::of(&graph, 0)], "final_metric": 0.1, "forward_passes": 3, "wall_time": 0.1
    }))
    .unwrap();
    assert!(Circuit::from_json(std::str::from_utf8(&circuit).unwrap()).is_ok(), "the seed parses");
    fuzz("circuit.json", &[circuit], |bytes| {
        if let Ok(c) = Circuit::from_json(&String::from_utf8_lossy(bytes)) {
            let _ = c.kept_flags(&graph);
        }
    });
    let scores = read("tests/reference/attribution/tiny/eap_logit_diff_resample.json");
    let scores: serde_json::Value = serde_json::from_slice(&scores).unwrap();
    let file = serde_json::to_vec(&serde_json::json!({
        "settings": {"method": "eap", "steps": 5, "metric": "logit_diff", "ablation": "resample", "use_pos_embed": false},
        "graph": graph.counts(), "edges": scores["edges"], "forward_passes": 2, "backward_passes": 1, "wall_time": 0.0
    }))
    .unwrap();
    assert!(ScoresFile::from_json(std::str::from_utf8(&file).unwrap()).is_ok(), "the seed parses");
    fuzz("scores.json", &[file], |bytes| {
        if let Ok(s) = ScoresFile::from_json(&String::from_utf8_lossy(bytes)) {
            let _ = s.per_edge(&graph);
        }
    });
}

#[test]
fn a_huge_prompt_is_refused_quickly() {
    let model = LoadedModel::from_dir(&root().join("models/induction-2l"), &cpu()).unwrap();
    let prompt = "cat ".repeat(25_000_000);
    let began = Instant::now();
    let err = model.encode(&prompt).unwrap_err().to_string();
    assert!(err.contains("characters"), "{err}");
    assert!(began.elapsed() < HANG, "{:?}", began.elapsed());
}
