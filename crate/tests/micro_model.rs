//! A hand-built model whose circuit is known on paper (auto-circuit's micro-model idea).
//!
//! Residual dims 0–1: the token, one-hot. Head A0.0 attends uniformly (W_Q = W_K = 0) and copies
//! dims 0–1 into 2–3: the running token frequencies f_t. Head A1.1 averages dims 2–3 into 4–5.
//! Heads A0.1 and A1.0 write nothing (W_O = 0). The unembedding adds dims (0, 2, 4) into logit 0
//! and (1, 3, 5) into logit 1. So the circuit is exactly: embed → logits, A0.0 → logits,
//! A1.1 → logits, embed → A0.0 v, A0.0 → A1.1 v, and the two heads' v DIRECT_COMPUTATION edges.

#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;

use circuitscope::data::AcdcData;
use circuitscope::device::{block_on, cpu};
use circuitscope::discover::{Acdc, AcdcSettings, Circuit};
use circuitscope::graph::{Hook, Node};
use circuitscope::metric::MetricKind;
use circuitscope::model::config::{AttentionDir, ModelConfig, PositionalEmbeddingType};
use circuitscope::model::weights::{RawTensor, WeightMap, expected_shapes};
use circuitscope::model::{LoadedModel, Transformer};
use circuitscope::patch::Ablation;

fn config() -> ModelConfig {
    ModelConfig {
        model_name: "micro".into(),
        n_layers: 2,
        n_heads: 2,
        d_model: 6,
        d_head: 2,
        d_mlp: None,
        d_vocab: 2,
        d_vocab_out: None,
        n_ctx: 8,
        act_fn: None,
        normalization_type: None,
        positional_embedding_type: PositionalEmbeddingType::None,
        attention_dir: AttentionDir::Causal,
        attn_only: true,
        eps: 1e-5,
        use_attn_scale: true,
        use_pos_embed: false,
        tasks: vec![],
    }
}

fn micro_model() -> LoadedModel {
    let config = config();
    let mut w = WeightMap::default();
    for (name, shape) in expected_shapes(&config) {
        let n = shape.iter().product();
        w.tensors.insert(name, RawTensor::new(shape, vec![0.0; n]));
    }
    let mut set = |name: &str, index: &[usize], value: f32| {
        let t = w.tensors.get_mut(name).unwrap();
        let flat = index.iter().zip(&t.shape).fold(0, |acc, (i, s)| acc * s + i);
        t.data[flat] = value;
    };
    // Embedding: token i → dim i.
    set("embed.W_E", &[0, 0], 1.0);
    set("embed.W_E", &[1, 1], 1.0);
    // A0.0: v = dims 0–1, written to dims 2–3.  A1.1: v = dims 2–3, written to dims 4–5.
    for j in 0..2 {
        set("blocks.0.attn.W_V", &[0, j, j], 1.0);
        set("blocks.0.attn.W_O", &[0, j, 2 + j], 1.0);
        set("blocks.1.attn.W_V", &[1, 2 + j, j], 1.0);
        set("blocks.1.attn.W_O", &[1, j, 4 + j], 1.0);
    }
    // The dead heads read something but write nothing.
    set("blocks.0.attn.W_V", &[1, 0, 0], 1.0);
    set("blocks.1.attn.W_V", &[0, 1, 1], 1.0);
    for dim in 0..6 {
        set("unembed.W_U", &[dim, dim % 2], 1.0);
    }
    let device = cpu();
    let transformer = Transformer::load(w, &config, &device).unwrap();
    LoadedModel { config, transformer, tokenizer: None, device }
}

fn data() -> AcdcData {
    let clean: Vec<Vec<u32>> = vec![vec![0, 1, 1, 0, 1], vec![1, 1, 0, 0, 0], vec![0, 0, 1, 1, 1]];
    let corrupt = clean.iter().map(|r| r.iter().map(|t| 1 - t).collect()).collect();
    AcdcData { clean, corrupt, positions: None, correct: None, wrong: None, pos_embed_perm: None }
}

type Edge = (String, Option<usize>, String, Option<usize>);

fn edge(s: Node, r: Node) -> Edge {
    (s.hook_name(), s.head, r.hook_name(), r.head)
}

fn paper_circuit() -> BTreeSet<Edge> {
    let embed = Node::new(Hook::ResidPre, 0, None);
    let post = Node::new(Hook::ResidPost, 1, None);
    let head = |l, h| Node::new(Hook::Result, l, Some(h));
    [
        edge(embed, post),
        edge(head(0, 0), post),
        edge(head(1, 1), post),
        edge(embed, Node::new(Hook::VInput, 0, Some(0))),
        edge(Node::new(Hook::VInput, 0, Some(0)), Node::new(Hook::V, 0, Some(0))),
        edge(head(0, 0), Node::new(Hook::VInput, 1, Some(1))),
        edge(Node::new(Hook::VInput, 1, Some(1)), Node::new(Hook::V, 1, Some(1))),
    ]
    .into_iter()
    .collect()
}

fn run(tau: f64, ablation: Ablation) -> Circuit {
    let settings = AcdcSettings { tau, metric: MetricKind::L2, ablation, ..Default::default() };
    let mut acdc = block_on(Acdc::new(&micro_model(), &data(), settings)).unwrap();
    block_on(acdc.run()).unwrap();
    Circuit::of(&acdc, 0.0)
}

#[test]
fn acdc_recovers_the_circuit_on_paper_for_several_thresholds_and_both_ablations() {
    for ablation in [Ablation::Resample, Ablation::Zero] {
        for tau in [1e-6, 1e-3, 1e-2] {
            let circuit = run(tau, ablation);
            let kept: BTreeSet<Edge> =
                circuit.kept.iter().map(|e| (e.sender.clone(), e.sender_head, e.receiver.clone(), e.receiver_head)).collect();
            assert_eq!(kept, paper_circuit(), "tau {tau}, {ablation:?}");
        }
    }
}

/// Running token frequencies f_t of a row (what A0.0 writes to dims 2–3).
fn frequencies(row: &[u32]) -> Vec<[f64; 2]> {
    let mut counts = [0.0, 0.0];
    row.iter()
        .enumerate()
        .map(|(t, &tok)| {
            counts[tok as usize] += 1.0;
            [counts[0] / (t + 1) as f64, counts[1] / (t + 1) as f64]
        })
        .collect()
}

/// The L2 metric (positions 1.., both logits) of a logit change `delta(row, t, logit)`.
fn l2(delta: impl Fn(usize, usize, usize) -> f64) -> f64 {
    let d = data();
    let mut sum = 0.0;
    let mut n = 0.0;
    for r in 0..d.clean.len() {
        for t in 1..d.clean[r].len() {
            for j in 0..2 {
                sum += delta(r, t, j).powi(2);
                n += 1.0;
            }
        }
    }
    sum / n
}

#[test]
fn removing_one_edge_gives_the_hand_computed_metric_under_both_ablations() {
    let d = data();
    let onehot = |tok: u32, j: usize| if tok as usize == j { 1.0 } else { 0.0 };
    let f_clean: Vec<Vec<[f64; 2]>> = d.clean.iter().map(|r| frequencies(r)).collect();
    let f_corrupt: Vec<Vec<[f64; 2]>> = d.corrupt.iter().map(|r| frequencies(r)).collect();
    let embed = Node::new(Hook::ResidPre, 0, None);
    let post = Node::new(Hook::ResidPost, 1, None);
    let a00 = Node::new(Hook::Result, 0, Some(0));
    let cases: Vec<(Ablation, Node, f64)> = vec![
        // embed → logits: the token's one-hot becomes the corrupted token's (resample) or 0 (zero).
        (Ablation::Resample, embed, l2(|r, t, j| onehot(d.corrupt[r][t], j) - onehot(d.clean[r][t], j))),
        (Ablation::Zero, embed, l2(|r, t, j| -onehot(d.clean[r][t], j))),
        // A0.0 → logits: the frequencies become the corrupted run's (resample) or 0 (zero).
        (Ablation::Resample, a00, l2(|r, t, j| f_corrupt[r][t][j] - f_clean[r][t][j])),
        (Ablation::Zero, a00, l2(|r, t, j| -f_clean[r][t][j])),
    ];
    for (ablation, sender, expected) in cases {
        let settings = AcdcSettings { tau: 0.01, metric: MetricKind::L2, ablation, ..Default::default() };
        let mut acdc = block_on(Acdc::new(&micro_model(), &data(), settings)).unwrap();
        let e = (0..acdc.graph.edges.len())
            .find(|&e| acdc.graph.nodes[acdc.graph.edges[e].sender] == sender && acdc.graph.nodes[acdc.graph.edges[e].receiver] == post)
            .unwrap();
        let got = block_on(acdc.probe(&[e])).unwrap()[0];
        assert!((got - expected).abs() < 1e-6, "{ablation:?} {sender}: {got} vs hand {expected}");
    }
}

#[test]
fn the_same_inputs_give_byte_identical_circuit_json() {
    for ablation in [Ablation::Resample, Ablation::Zero] {
        let a = serde_json::to_string(&run(1e-3, ablation)).unwrap();
        let b = serde_json::to_string(&run(1e-3, ablation)).unwrap();
        assert_eq!(a, b);
    }
}
