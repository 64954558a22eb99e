//! `circuitscope train induction-2l`: the ACDC induction shape (2 layers, 8 heads, attention-only,
//! shortformer positions, LayerNorm) trained on repeated random word segments.

use std::path::Path;

use burn::optim::{AdamConfig, GradientsParams};

use super::next_token_loss;
use circuitscope::error::{Error, Result};
use circuitscope::model::config::{AttentionDir, ModelConfig, NormalizationType, PositionalEmbeddingType};
use circuitscope::model::init::random_weights;
use circuitscope::model::tokenizer::word_level_json;
use circuitscope::model::weights::to_safetensors;
use circuitscope::model::Transformer;
use circuitscope::rng::Rng;
use circuitscope_tasks::induction::{self, WORDS};

/// Training settings; the defaults are the shipped model's.
#[derive(Debug, Clone)]
pub struct Settings {
    pub seed: u64,
    pub steps: usize,
    pub batch: usize,
    pub lr: f64,
    pub seq_len: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self { seed: 0, steps: 6000, batch: 32, lr: 2e-3, seq_len: 24 }
    }
}

pub fn config() -> ModelConfig {
    ModelConfig {
        model_name: "induction-2l".into(),
        n_layers: 2,
        n_heads: 8,
        d_model: 64,
        d_head: 8,
        d_mlp: None,
        d_vocab: WORDS.len() + 2,
        d_vocab_out: None,
        n_ctx: 32,
        act_fn: None,
        normalization_type: Some(NormalizationType::Ln),
        positional_embedding_type: PositionalEmbeddingType::Shortformer,
        attention_dir: AttentionDir::Causal,
        attn_only: true,
        eps: 1e-5,
        use_attn_scale: true,
        use_pos_embed: false,
        tasks: vec!["induction".into()],
    }
}

/// The vocabulary in id order: `<bos>`, `[UNK]`, then the words.
pub fn vocabulary() -> Vec<&'static str> {
    let mut v = vec!["<bos>", "[UNK]"];
    v.extend(WORDS);
    v
}

/// Trains, writes `out/{config.json, model.safetensors, tokenizer.json, loss.csv}` and returns
/// the loss curve.
pub fn train(out: &Path, s: &Settings) -> Result<Vec<(usize, f32)>> {
    let config = config();
    let device = circuitscope::device::cpu().autodiff();
    let mut model = Transformer::load(random_weights(&config, s.seed), &config, &device)?;
    let mut optim = AdamConfig::new().init();
    let mut rng = Rng::new(s.seed.wrapping_add(1));
    let mut curve = Vec::new();
    let max_len = (s.seq_len - 2) / 2;
    for step in 0..s.steps {
        let batch = induction::sequences(&mut rng, s.batch, s.seq_len, 4, max_len, config.d_vocab);
        let tokens = circuitscope::model::transformer::tokens_tensor(&batch.tokens, &config, &device)?;
        let loss = next_token_loss(model.forward(tokens), &batch.tokens, &batch.predictable);
        if step % 50 == 0 || step + 1 == s.steps {
            let value: f32 = loss.clone().into_scalar();
            eprintln!("step {step:>5}  loss {value:.4}");
            curve.push((step, value));
        }
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        // Linear warm-down keeps the end of training stable.
        let lr = s.lr * (1.0 - step as f64 / s.steps as f64).max(0.05);
        model = optim.step(lr, model, grads);
    }
    std::fs::create_dir_all(out).map_err(|e| Error::Io(e.to_string()))?;
    let write = |name: &str, bytes: &[u8]| std::fs::write(out.join(name), bytes).map_err(|e| Error::Io(format!("{name}: {e}")));
    write("config.json", serde_json::to_string_pretty(&config).expect("plain config").as_bytes())?;
    write("model.safetensors", &to_safetensors(&model.weight_map()?.tensors)?)?;
    write("tokenizer.json", word_level_json(&vocabulary(), "<bos>", "[UNK]").as_bytes())?;
    let csv: String = std::iter::once("step,loss\n".to_string())
        .chain(curve.iter().map(|(s, l)| format!("{s},{l}\n")))
        .collect();
    write("loss.csv", csv.as_bytes())?;
    write("loss.svg", super::card::loss_svg(&curve).as_bytes())?;
    let trained = circuitscope::model::LoadedModel::from_dir(out, &circuitscope::device::cpu())?;
    let final_loss = curve.last().map(|c| c.1).unwrap_or(f32::NAN);
    write("card.md", super::card::induction_card(&trained, s.seed, s.steps, final_loss)?.as_bytes())?;
    Ok(curve)
}
