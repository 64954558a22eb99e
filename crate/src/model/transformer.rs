//! The whole transformer: embeddings → blocks → final LayerNorm → unembedding, one definition for
//! every device (CPU natively and in wasm, WebGPU in the browser).

use burn::module::Param;
use burn::prelude::*;

use super::block::TransformerBlock;
use super::cache::ActivationCache;
use super::config::{ModelConfig, PositionalEmbeddingType};
use super::layer_norm::LayerNorm;
use super::tensor_from_raw;
use super::weights::WeightMap;
use crate::error::{Error, Result};

#[derive(Module, Debug)]
pub struct Transformer {
    /// `embed.W_E`: `[d_vocab, d_model]`
    pub w_e: Param<Tensor<2>>,
    /// `pos_embed.W_pos`: `[n_ctx, d_model]`, absent for `positional_embedding_type: none`
    pub w_pos: Option<Param<Tensor<2>>>,
    pub blocks: Vec<TransformerBlock>,
    pub ln_final: LayerNorm,
    /// `unembed.W_U`: `[d_model, d_vocab_out]`
    pub w_u: Param<Tensor<2>>,
    /// `unembed.b_U`: `[d_vocab_out]`
    pub b_u: Param<Tensor<1>>,
    /// Whether positions go only to queries and keys (shortformer) rather than the residual.
    pub shortformer: bool,
}

/// The embeddings of a batch, split the way the ACDC graph's input nodes see them.
#[derive(Debug, Clone)]
pub struct Embedded {
    /// `hook_embed`: `[batch, pos, d_model]`
    pub embed: Tensor<3>,
    /// `hook_pos_embed`: `[batch, pos, d_model]` (zeros when the model has none)
    pub pos_embed: Tensor<3>,
    /// `blocks.0.hook_resid_pre`
    pub resid_pre: Tensor<3>,
    /// The position embedding queries and keys see, for shortformer models.
    pub shortformer_pos: Option<Tensor<3>>,
}

impl Transformer {
    /// Builds the module from validated TransformerLens-named weights.
    pub fn load(mut map: WeightMap, config: &ModelConfig, device: &Device) -> Result<Self> {
        map.validate(config)?;
        let (d, v) = (config.d_model, config.d_vocab);
        let w_e = Param::from_tensor(tensor_from_raw(map.take("embed.W_E", &[v, d])?, device));
        let w_pos = if config.has_pos_embed() {
            Some(Param::from_tensor(tensor_from_raw(map.take("pos_embed.W_pos", &[config.n_ctx, d])?, device)))
        } else {
            None
        };
        let blocks = (0..config.n_layers)
            .map(|l| TransformerBlock::load(&mut map, l, config, device))
            .collect::<Result<Vec<_>>>()?;
        let ln_final = LayerNorm::load(&mut map, "ln_final", config.normalization_type, d, config.eps, device)?;
        let vo = config.d_vocab_out();
        let w_u = Param::from_tensor(tensor_from_raw(map.take("unembed.W_U", &[d, vo])?, device));
        let b_u = Param::from_tensor(tensor_from_raw(map.take("unembed.b_U", &[vo])?, device));
        Ok(Self {
            w_e,
            w_pos,
            blocks,
            ln_final,
            w_u,
            b_u,
            shortformer: config.positional_embedding_type == PositionalEmbeddingType::Shortformer,
        })
    }

    /// Token and position embeddings of `tokens` `[batch, pos]`.
    pub fn embed(&self, tokens: Tensor<2, Int>) -> Embedded {
        let [batch, pos] = tokens.dims();
        let w_e = self.w_e.val();
        let d = w_e.dims()[1];
        let embed = w_e.select(0, tokens.reshape([batch * pos])).reshape([batch, pos, d]);
        let pos_embed = match &self.w_pos {
            Some(w) => w.val().slice([0..pos]).unsqueeze::<3>().expand([batch, pos, d]),
            None => Tensor::zeros([batch, pos, d], &embed.device()),
        };
        let (resid_pre, shortformer_pos) = if self.shortformer {
            (embed.clone(), Some(pos_embed.clone()))
        } else {
            (embed.clone() + pos_embed.clone(), None)
        };
        Embedded { embed, pos_embed, resid_pre, shortformer_pos }
    }

    /// `ln_final(resid) W_U + b_U`: `[batch, pos, d_model]` → logits `[batch, pos, d_vocab_out]`.
    pub fn unembed(&self, resid: Tensor<3>) -> Tensor<3> {
        self.ln_final.forward(resid).matmul(self.w_u.val().unsqueeze::<3>()) + self.b_u.val().unsqueeze::<3>()
    }

    /// Logits for `tokens` `[batch, pos]`.
    pub fn forward(&self, tokens: Tensor<2, Int>) -> Tensor<3> {
        self.forward_hooked(tokens, None)
    }

    /// Logits and every hooked activation.
    pub fn run_with_cache(&self, tokens: Tensor<2, Int>) -> (Tensor<3>, ActivationCache) {
        let mut cache = ActivationCache::default();
        let logits = self.forward_hooked(tokens, Some(&mut cache));
        (logits, cache)
    }

    fn forward_hooked(&self, tokens: Tensor<2, Int>, mut cache: Option<&mut ActivationCache>) -> Tensor<3> {
        let e = self.embed(tokens);
        if let Some(c) = cache.as_deref_mut() {
            c.insert3("hook_embed", &e.embed);
            if self.w_pos.is_some() {
                c.insert3("hook_pos_embed", &e.pos_embed);
            }
        }
        let mut resid = e.resid_pre;
        for (layer, block) in self.blocks.iter().enumerate() {
            resid = block.forward(layer, resid, e.shortformer_pos.as_ref(), cache.as_deref_mut());
        }
        self.unembed(resid)
    }
}

/// Checks a batch of token ids against the model and makes the `[batch, pos]` tensor.
pub fn tokens_tensor(rows: &[Vec<u32>], config: &ModelConfig, device: &Device) -> Result<Tensor<2, Int>> {
    let pos = rows.first().map(Vec::len).unwrap_or(0);
    if pos == 0 {
        return Err(Error::Input("the prompt is empty".into()));
    }
    if rows.iter().any(|r| r.len() != pos) {
        return Err(Error::Input("all rows of a batch must have the same length".into()));
    }
    if pos > config.n_ctx {
        return Err(Error::Input(format!(
            "the prompt is {pos} tokens long; this model reads at most n_ctx = {}",
            config.n_ctx
        )));
    }
    if let Some(bad) = rows.iter().flatten().find(|&&t| t as usize >= config.d_vocab) {
        return Err(Error::Input(format!("token id {bad} is outside the vocabulary (d_vocab = {})", config.d_vocab)));
    }
    let ids: Vec<i64> = rows.iter().flatten().map(|&t| t as i64).collect();
    Ok(Tensor::from_data(TensorData::new(ids, [rows.len(), pos]), device))
}
