//! Fast-vs-slow equivalence: for random edge sets on small random models, the optimised engine
//! (dense masks, passes that start at the first touched layer) equals the brute-force pass that
//! assembles every receiver's input sender by sender from the graph.

#![cfg(not(target_arch = "wasm32"))]

use circuitscope::device::cpu;
use circuitscope::graph::Graph;
use circuitscope::model::config::{ActFn, AttentionDir, ModelConfig, NormalizationType, PositionalEmbeddingType};
use circuitscope::model::init::random_weights;
use circuitscope::model::transformer::tokens_tensor;
use circuitscope::model::Transformer;
use circuitscope::patch::forward::PatchEngine;
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

#[test]
fn the_optimised_engine_equals_brute_force_for_random_masks() {
    let shapes = [
        (config(false, PositionalEmbeddingType::Standard, Some(NormalizationType::Ln)), false),
        (config(true, PositionalEmbeddingType::Shortformer, Some(NormalizationType::Ln)), false),
        (config(false, PositionalEmbeddingType::Standard, None), true),
        (config(false, PositionalEmbeddingType::Standard, Some(NormalizationType::LnPre)), false),
    ];
    let device = cpu();
    let mut rng = Rng::new(11);
    for (case, (config, use_pos_embed)) in shapes.iter().enumerate() {
        let model = Transformer::load(random_weights(config, case as u64), config, &device).unwrap();
        let graph = Graph::new(config, *use_pos_embed);
        let rows = |rng: &mut Rng| -> Vec<Vec<u32>> { (0..4).map(|_| (0..6).map(|_| rng.below(17) as u32).collect()).collect() };
        let (clean, corrupt) = (rows(&mut rng), rows(&mut rng));
        for ablation in [Ablation::Resample, Ablation::Zero] {
            let mut engine = PatchEngine::new(
                &model,
                &graph,
                tokens_tensor(&clean, config, &device).unwrap(),
                tokens_tensor(&corrupt, config, &device).unwrap(),
                ablation,
                None,
            );
            for trial in 0..6 {
                // From nothing removed to most edges removed.
                let p = trial as f64 / 6.0;
                let removed: Vec<bool> = (0..graph.edges.len()).map(|_| rng.uniform() < p).collect();
                let mask = PatchMask::from_removed(&graph, &removed);
                let fast = engine.final_resid(&mask);
                // The metric's path: only scored rows through the last MLP.
                let rows: Vec<i64> = vec![3, 5, 11, 23];
                let rows = burn::tensor::Tensor::<1, burn::tensor::Int>::from_data(burn::tensor::TensorData::new(rows, [4]), &device);
                let picked = fast.clone().reshape([24, config.d_model]).select(0, rows.clone()).reshape([1, 4, config.d_model]);
                let picked: Vec<f32> = picked.into_data().try_to_vec().unwrap();
                // Batched with two other candidates, in the middle of the batch.
                let other = PatchMask::from_removed(&graph, &vec![trial % 2 == 0; graph.edges.len()]);
                let full = PatchMask::full(circuitscope::patch::mask::Layout::of(&graph));
                let scored = engine.scored_resid(&[&other, &mask, &full], &rows);
                let scored: Vec<f32> = scored.into_data().try_to_vec().unwrap();
                let d = max_diff(scored[4 * config.d_model..8 * config.d_model].to_vec(), picked);
                assert!(d < 1e-5 * 50.0, "case {case} {ablation:?} trial {trial}: scored rows differ by {d}");
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

#[test]
fn with_nothing_removed_the_patched_pass_is_the_clean_model() {
    let config = config(false, PositionalEmbeddingType::Standard, Some(NormalizationType::Ln));
    let device = cpu();
    let model = Transformer::load(random_weights(&config, 5), &config, &device).unwrap();
    let graph = Graph::new(&config, false);
    let tokens = vec![vec![1, 2, 3, 4], vec![4, 3, 2, 1]];
    let t = tokens_tensor(&tokens, &config, &device).unwrap();
    let mut engine = PatchEngine::new(&model, &graph, t.clone(), t.clone(), Ablation::Zero, None);
    let full = engine.final_resid(&PatchMask::full(circuitscope::patch::mask::Layout::of(&graph)));
    let logits = model.unembed(full);
    let d = max_diff(logits.into_data().try_to_vec().unwrap(), model.forward(t).into_data().try_to_vec().unwrap());
    assert!(d < 1e-5, "{d}");
}
