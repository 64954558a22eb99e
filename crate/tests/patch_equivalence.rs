//! Fast-vs-slow equivalence: for random edge sets on small random models, under every ablation,
//! the masked pass (dense masks, starting at the first touched layer) and the incremental engine
//! (only what a tested edge reaches, batched candidates, commits) equal the brute-force pass that
//! assembles every receiver's input sender by sender from the graph.

#![cfg(not(target_arch = "wasm32"))]

use burn::tensor::{Int, Tensor, TensorData};
use circuitscope::device::cpu;
use circuitscope::graph::{EdgeType, Graph};
use circuitscope::model::config::{ActFn, AttentionDir, ModelConfig, NormalizationType, PositionalEmbeddingType};
use circuitscope::model::init::random_weights;
use circuitscope::model::transformer::tokens_tensor;
use circuitscope::model::Transformer;
use circuitscope::patch::engine::Engine;
use circuitscope::patch::mask::PatchMask;
use circuitscope::patch::naive::final_resid_naive;
use circuitscope::patch::Ablation;
use circuitscope::rng::Rng;

fn config(attn_only: bool, pos: PositionalEmbeddingType, norm: Option<NormalizationType>) -> ModelConfig {
    ModelConfig {
        model_name: "random".into(),
        n_layers: 3,
        n_heads: 3,
        d_model: 12,
        d_head: 4,
        d_mlp: (!attn_only).then_some(16),
        d_vocab: 17,
        d_vocab_out: None,
        n_ctx: 8,
        act_fn: (!attn_only).then_some(ActFn::GeluNew),
        normalization_type: norm,
        positional_embedding_type: pos,
        attention_dir: AttentionDir::Causal,
        attn_only,
        eps: 1e-5,
        use_attn_scale: true,
        use_pos_embed: false,
        tasks: vec![],
    }
}

fn max_diff(a: Vec<f32>, b: Vec<f32>) -> f32 {
    a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

/// Flat `row · pos + position` indices: a few scored rows.
fn scored(device: &burn::tensor::Device) -> Tensor<1, Int> {
    Tensor::<1, Int>::from_data(TensorData::new(vec![3i64, 5, 11, 23], [4]), device)
}

fn rows_of(t: Tensor<2>, idx: &Tensor<1, Int>) -> Vec<f32> {
    t.select(0, idx.clone()).into_data().try_to_vec().unwrap()
}

fn shapes() -> Vec<(ModelConfig, bool)> {
    vec![
        (config(false, PositionalEmbeddingType::Standard, Some(NormalizationType::Ln)), false),
        (config(true, PositionalEmbeddingType::Shortformer, Some(NormalizationType::Ln)), false),
        (config(false, PositionalEmbeddingType::Standard, None), true),
        (config(false, PositionalEmbeddingType::Standard, Some(NormalizationType::LnPre)), false),
    ]
}

fn engine_for(model: &Transformer, config: &ModelConfig, graph: &Graph, ablation: Ablation, rng: &mut Rng) -> Engine {
    let device = cpu();
    let rows = |rng: &mut Rng| -> Vec<Vec<u32>> { (0..4).map(|_| (0..6).map(|_| rng.below(17) as u32).collect()).collect() };
    let (clean, corrupt) = (rows(rng), rows(rng));
    Engine::new(
        model,
        graph,
        tokens_tensor(&clean, config, &device).unwrap(),
        tokens_tensor(&corrupt, config, &device).unwrap(),
        ablation,
        None,
        scored(&device),
    )
}

#[test]
fn the_masked_pass_equals_brute_force_for_random_masks() {
    let device = cpu();
    let mut rng = Rng::new(11);
    for (case, (config, use_pos_embed)) in shapes().iter().enumerate() {
        let model = Transformer::load(random_weights(config, case as u64), config, &device).unwrap();
        let graph = Graph::new(config, *use_pos_embed);
        for ablation in Ablation::ALL {
            let engine = engine_for(&model, config, &graph, ablation, &mut rng);
            for trial in 0..6 {
                // From nothing removed to most edges removed.
                let p = trial as f64 / 6.0;
                let removed: Vec<bool> = (0..graph.edges.len()).map(|_| rng.uniform() < p).collect();
                let mask = PatchMask::from_removed(&graph, &removed);
                let fast = engine.final_under(&mask, false);
                let slow = final_resid_naive(&engine, &graph, &removed);
                let (fast, slow): (Vec<f32>, Vec<f32>) = (fast.into_data().try_to_vec().unwrap(), slow.into_data().try_to_vec().unwrap());
                let scale = slow.iter().fold(0f32, |m, x| m.max(x.abs()));
                let d = max_diff(fast, slow);
                // 1e-5 absolute for O(1) activations; the LayerNorm-free model grows to ~50, where
                // f32 summation order alone moves the result by ~1e-6 relative.
                assert!(d < 1e-5 * scale.max(1.0), "case {case} {ablation:?} trial {trial}: maxdiff {d} (values up to {scale})");
            }
        }
    }
}

/// The incremental engine, from a random current circuit, against brute force: every kind of
/// tested edge alone, a batch of candidates at one receiver, and a chain of commits.
#[test]
fn the_incremental_engine_equals_brute_force_for_random_circuits() {
    let device = cpu();
    let idx = scored(&device);
    let mut rng = Rng::new(12);
    for (case, (config, use_pos_embed)) in shapes().iter().enumerate() {
        let model = Transformer::load(random_weights(config, 10 + case as u64), config, &device).unwrap();
        let graph = Graph::new(config, *use_pos_embed);
        let tested: Vec<usize> = (0..graph.edges.len()).filter(|&e| graph.edges[e].ty != EdgeType::Placeholder).collect();
        // From the full model too: every head of a layer then reads the same senders and shares
        // one input (the engine's shared path), until a commit sets one apart. (Not under zero
        // ablation: removing every sender of an input leaves the incremental path f32 rounding
        // of the removed values where the brute force has an exact zero, which a LayerNorm then
        // scales by 1/√eps — the reference patches by the same differences.)
        let starts = Ablation::ALL.into_iter().map(|a| (a, 0.3)).chain([(Ablation::Resample, 0.0), (Ablation::Mean, 0.0)]);
        for (ablation, rate) in starts {
            let mut engine = engine_for(&model, config, &graph, ablation, &mut rng);
            let mut removed: Vec<bool> = (0..graph.edges.len()).map(|_| rng.uniform() < rate).collect();
            engine.set_mask(PatchMask::from_removed(&graph, &removed), false);
            for step in 0..24 {
                let e = tested[rng.below(tested.len())];
                if removed[e] {
                    continue;
                }
                let rows = engine.evaluate(&graph, &[vec![e]]);
                let mut want_removed = removed.clone();
                want_removed[e] = true;
                let want = final_resid_naive(&engine, &graph, &want_removed);
                let (got, want): (Vec<f32>, Vec<f32>) = (rows.into_data().try_to_vec().unwrap(), rows_of(want, &idx));
                let scale = want.iter().fold(0f32, |m, x| m.max(x.abs())).max(1.0);
                let d = max_diff(got, want);
                assert!(d < 2e-5 * scale, "case {case} {ablation:?} step {step} edge {}: maxdiff {d}", graph.edges[e].sender);
                if step % 3 == 0 {
                    engine.commit(&graph, 0);
                    removed = want_removed;
                    let now = rows_of(final_resid_naive(&engine, &graph, &removed), &idx);
                    let d = max_diff(engine.current_rows().into_data().try_to_vec().unwrap(), now);
                    assert!(d < 2e-5 * scale, "case {case} {ablation:?} after commit {step}: maxdiff {d}");
                } else {
                    engine.discard();
                }
            }
            // A batch: three candidates at one receiver, cumulative, the middle one committed.
            let receiver = graph.edges[tested[rng.below(tested.len())]].receiver;
            let open: Vec<usize> = graph.incoming[receiver]
                .iter()
                .copied()
                .filter(|&e| graph.edges[e].ty == EdgeType::Addition && !removed[e])
                .collect();
            if open.len() >= 3 {
                let candidates = vec![open[..1].to_vec(), open[..2].to_vec(), open[..3].to_vec()];
                let rows: Vec<f32> = engine.evaluate(&graph, &candidates).into_data().try_to_vec().unwrap();
                let n = 4 * config.d_model;
                for (j, c) in candidates.iter().enumerate() {
                    let mut r = removed.clone();
                    c.iter().for_each(|&e| r[e] = true);
                    let want = rows_of(final_resid_naive(&engine, &graph, &r), &idx);
                    let d = max_diff(rows[j * n..(j + 1) * n].to_vec(), want);
                    assert!(d < 2e-5 * 50.0, "case {case} {ablation:?} candidate {j}: maxdiff {d}");
                }
                engine.commit(&graph, 1);
                candidates[1].iter().for_each(|&e| removed[e] = true);
                let now = rows_of(final_resid_naive(&engine, &graph, &removed), &idx);
                let d = max_diff(engine.current_rows().into_data().try_to_vec().unwrap(), now);
                assert!(d < 2e-5 * 50.0, "case {case} {ablation:?} after the batch: maxdiff {d}");
            }
        }
    }
}

#[test]
fn with_nothing_removed_the_patched_pass_is_the_clean_model() {
    let config = config(false, PositionalEmbeddingType::Standard, Some(NormalizationType::Ln));
    let device = cpu();
    let model = Transformer::load(random_weights(&config, 5), &config, &device).unwrap();
    let graph = Graph::new(&config, false);
    let tokens = vec![vec![1, 2, 3, 4], vec![4, 3, 2, 1]];
    let t = tokens_tensor(&tokens, &config, &device).unwrap();
    let scored = Tensor::<1, Int>::from_data(TensorData::new(vec![3i64, 7], [2]), &device);
    let engine = Engine::new(&model, &graph, t.clone(), t.clone(), Ablation::Zero, None, scored);
    let full = engine.final_under(&PatchMask::full(circuitscope::patch::mask::Layout::of(&graph)), true);
    let logits = model.unembed(full);
    let d = max_diff(logits.into_data().try_to_vec().unwrap(), model.forward(t).into_data().try_to_vec().unwrap());
    assert!(d < 1e-5, "{d}");
}
