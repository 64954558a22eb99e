//! Hugging Face GPT-2 checkpoints, converted at load time to TransformerLens names and shapes
//! (the same rearrangements as TL's `convert_gpt2_weights`, with `fold_ln = False`).

use std::collections::BTreeMap;

use serde_json::Value;

use super::config::{ActFn, AttentionDir, ModelConfig, NormalizationType, PositionalEmbeddingType};
use super::weights::{RawTensor, Unembed, WeightMap};
use crate::error::{Error, Result};

/// Reads a Hugging Face `GPT2Config` JSON.
pub fn config_from_hf(value: &Value) -> Result<ModelConfig> {
    let int = |key: &str| -> Result<usize> {
        value
            .get(key)
            .and_then(Value::as_u64)
            .map(|v| v as usize)
            .ok_or_else(|| Error::Config(format!("Hugging Face GPT-2 config: missing integer {key}")))
    };
    let d_model = int("n_embd")?;
    let n_heads = int("n_head")?;
    if d_model % n_heads != 0 {
        return Err(Error::Config("n_embd must be a multiple of n_head".into()));
    }
    let act_fn = match value.get("activation_function").and_then(Value::as_str).unwrap_or("gelu_new") {
        "gelu_new" => ActFn::GeluNew,
        "gelu" => ActFn::Gelu,
        "relu" => ActFn::Relu,
        other => return Err(Error::Config(format!("unsupported activation_function {other}"))),
    };
    let d_mlp = value.get("n_inner").and_then(Value::as_u64).map(|v| v as usize).unwrap_or(4 * d_model);
    Ok(ModelConfig {
        model_name: value.get("_name_or_path").and_then(Value::as_str).unwrap_or("gpt2").to_string(),
        n_layers: int("n_layer")?,
        n_heads,
        d_model,
        d_head: d_model / n_heads,
        d_mlp: Some(d_mlp),
        d_vocab: int("vocab_size")?,
        d_vocab_out: None,
        n_ctx: int("n_positions").or_else(|_| int("n_ctx"))?,
        act_fn: Some(act_fn),
        normalization_type: Some(NormalizationType::Ln),
        positional_embedding_type: PositionalEmbeddingType::Standard,
        attention_dir: AttentionDir::Causal,
        attn_only: false,
        eps: value.get("layer_norm_epsilon").and_then(Value::as_f64).unwrap_or(1e-5),
        use_attn_scale: true,
        use_pos_embed: false,
        // Not Hugging Face's: ours (models/gpt2/config.json), the tasks the page opens GPT-2 with.
        tasks: value.get("tasks").and_then(|t| serde_json::from_value(t.clone()).ok()).unwrap_or_default(),
    })
}

/// Whether a weight map holds Hugging Face GPT-2 names (with or without `transformer.`).
pub fn is_hf_gpt2(map: &WeightMap) -> bool {
    map.tensors.contains_key("wte.weight") || map.tensors.contains_key("transformer.wte.weight")
}

/// Renames and reshapes a Hugging Face GPT-2 state dict into TransformerLens's.
pub fn convert(mut map: WeightMap, config: &ModelConfig) -> Result<WeightMap> {
    let prefix = if map.tensors.contains_key("transformer.wte.weight") { "transformer." } else { "" };
    let (d, h, dh, m) = (config.d_model, config.n_heads, config.d_head, config.d_mlp());
    let mut out = BTreeMap::new();
    let mut take = |name: &str, shape: &[usize]| map.take(&format!("{prefix}{name}"), shape);

    out.insert("embed.W_E".into(), take("wte.weight", &[config.d_vocab, d])?);
    out.insert("pos_embed.W_pos".into(), take("wpe.weight", &[config.n_ctx, d])?);
    for l in 0..config.n_layers {
        let (hf, tl) = (format!("h.{l}"), format!("blocks.{l}"));
        for (a, b) in [("ln_1", "ln1"), ("ln_2", "ln2")] {
            out.insert(format!("{tl}.{b}.w"), take(&format!("{hf}.{a}.weight"), &[d])?);
            out.insert(format!("{tl}.{b}.b"), take(&format!("{hf}.{a}.bias"), &[d])?);
        }
        // c_attn is a Conv1D: x @ W with W [d, 3d]; columns are (q|k|v), each (head, d_head).
        let w = take(&format!("{hf}.attn.c_attn.weight"), &[d, 3 * d])?;
        let b = take(&format!("{hf}.attn.c_attn.bias"), &[3 * d])?;
        for (i, x) in ["Q", "K", "V"].iter().enumerate() {
            let mut wx = vec![0.0; h * d * dh];
            for row in 0..d {
                for head in 0..h {
                    for j in 0..dh {
                        wx[(head * d + row) * dh + j] = w.data[row * 3 * d + i * d + head * dh + j];
                    }
                }
            }
            out.insert(format!("{tl}.attn.W_{x}"), RawTensor::new(vec![h, d, dh], wx));
            out.insert(format!("{tl}.attn.b_{x}"), RawTensor::new(vec![h, dh], b.data[i * d..(i + 1) * d].to_vec()));
        }
        // c_proj rows are (head, d_head): exactly W_O [h, dh, d] in row-major order.
        let wo = take(&format!("{hf}.attn.c_proj.weight"), &[d, d])?;
        out.insert(format!("{tl}.attn.W_O"), RawTensor::new(vec![h, dh, d], wo.data));
        out.insert(format!("{tl}.attn.b_O"), take(&format!("{hf}.attn.c_proj.bias"), &[d])?);
        out.insert(format!("{tl}.mlp.W_in"), take(&format!("{hf}.mlp.c_fc.weight"), &[d, m])?);
        out.insert(format!("{tl}.mlp.b_in"), take(&format!("{hf}.mlp.c_fc.bias"), &[m])?);
        out.insert(format!("{tl}.mlp.W_out"), take(&format!("{hf}.mlp.c_proj.weight"), &[m, d])?);
        out.insert(format!("{tl}.mlp.b_out"), take(&format!("{hf}.mlp.c_proj.bias"), &[d])?);
    }
    out.insert("ln_final.w".into(), take("ln_f.weight", &[d])?);
    out.insert("ln_final.b".into(), take("ln_f.bias", &[d])?);
    // The unembedding is tied to the embedding unless the checkpoint has its own lm_head; either
    // way it stays in the layout the model keeps (`Unembed`), its shape checked by `validate`.
    let vocab = config.d_vocab;
    let unembed = match map.tensors.remove("lm_head.weight") {
        Some(t) => {
            out.insert("lm_head.weight".into(), t);
            Unembed::LmHead
        }
        None => Unembed::TiedToEmbed,
    };
    out.insert("unembed.b_U".into(), RawTensor::new(vec![vocab], vec![0.0; vocab]));
    if let Some(extra) = map.tensors.keys().next() {
        return Err(Error::Weights(format!("unexpected tensor {extra} in a GPT-2 checkpoint")));
    }
    Ok(WeightMap { tensors: out, unembed })
}
