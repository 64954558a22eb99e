//! The whole transformer: embeddings → blocks → final LayerNorm → unembedding, one definition for
//! every device (CPU natively and in wasm, WebGPU in the browser).

use burn::module::Param;
use burn::prelude::*;

use super::block::TransformerBlock;
use super::cache::ActivationCache;
use super::pass::{Embeds, Plain};
use super::config::{ModelConfig, PositionalEmbeddingType};
use super::layer_norm::LayerNorm;
use super::tensor_from_raw;
use super::weights::{Unembed, WeightMap};
use crate::error::{Error, Result};

#[derive(Module, Debug)]
pub struct Transformer {
    /// `embed.W_E`: `[d_vocab, d_model]`
    pub w_e: Param<Tensor<2>>,
    /// `pos_embed.W_pos`: `[n_ctx, d_model]`, absent for `positional_embedding_type: none`
    pub w_pos: Option<Param<Tensor<2>>>,
    pub blocks: Vec<TransformerBlock>,
    pub ln_final: LayerNorm,
    /// `unembed.W_U` transposed, `[d_vocab_out, d_model]`. The unembedding multiplies a few rows
    /// (the scored positions) by a wide vocabulary, which is bound by reading W_U; stored with the
    /// vocabulary as rows it streams contiguously (GPT-2's, 10 rows: 20.6 → 12.7 ms on the CPU).
    pub w_u_t: Param<Tensor<2>>,
    /// `unembed.b_U`: `[d_vocab_out]`
    pub b_u: Param<Tensor<1>>,
    /// Whether positions go only to queries and keys (shortformer) rather than the residual.
    pub shortformer: bool,
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
        let w_u_t = match map.unembed {
            Unembed::WU => Param::from_tensor(tensor_from_raw(map.take("unembed.W_U", &[d, vo])?.transposed(), device)),
            Unembed::LmHead => Param::from_tensor(tensor_from_raw(map.take("lm_head.weight", &[vo, d])?, device)),
            Unembed::TiedToEmbed => Param::from_tensor(w_e.val()),
        };
        let b_u = Param::from_tensor(tensor_from_raw(map.take("unembed.b_U", &[vo])?, device));
        Ok(Self {
            w_e,
            w_pos,
            blocks,
            ln_final,
            w_u_t,
            b_u,
            shortformer: config.positional_embedding_type == PositionalEmbeddingType::Shortformer,
        })
    }

    /// The embedding of `tokens` `[batch, pos]` as the graph's input nodes see it: one
    /// `blocks.0.hook_resid_pre` node, or `hook_embed` and `hook_pos_embed` (`use_pos_embed`).
    /// `pos_perm` scrambles the positions of the position embedding (the reference's tracr
    /// resample run).
    pub fn embeds(&self, tokens: Tensor<2, Int>, use_pos_embed: bool, pos_perm: Option<&[usize]>) -> Embeds {
        let [batch, pos] = tokens.dims();
        let w_e = self.w_e.val();
        let d = w_e.dims()[1];
        let device = w_e.device();
        let embed = w_e.select(0, tokens.reshape([batch * pos]));
        let pos_embed = self.w_pos.as_ref().map(|w| {
            let w = w.val().slice([0..pos]);
            let w = match pos_perm {
                Some(perm) => {
                    let idx: Vec<i64> = perm.iter().map(|&i| i as i64).collect();
                    w.select(0, Tensor::<1, Int>::from_data(TensorData::new(idx, [pos]), &device))
                }
                None => w,
            };
            w.unsqueeze::<3>().expand([batch, pos, d]).reshape([batch * pos, d])
        });
        let (nodes, shortformer_pos) = match (pos_embed, use_pos_embed, self.shortformer) {
            (Some(p), false, true) => (embed.unsqueeze::<3>(), Some(p)),
            (Some(p), false, false) => ((embed + p).unsqueeze::<3>(), None),
            (Some(p), true, _) => (Tensor::stack::<3>(vec![embed, p], 0), None),
            (None, true, _) => (Tensor::stack::<3>(vec![embed.clone(), embed.zeros_like()], 0), None),
            (None, false, _) => (embed.unsqueeze::<3>(), None),
        };
        Embeds { nodes, shortformer_pos, batch, pos }
    }

    /// `ln_final(resid) W_U + b_U`: `[rows, d_model]` → logits `[rows, d_vocab_out]`.
    pub fn unembed(&self, resid: Tensor<2>) -> Tensor<2> {
        let normed = self.ln_final.forward(resid);
        // Few rows (ACDC's scored positions): the vocabulary as the long side of the product;
        // many (a whole pass): rows first, so the wide result needs no transposing copy.
        let logits = if normed.dims()[0] <= 64 {
            self.w_u_t.val().matmul(normed.transpose()).transpose()
        } else {
            normed.matmul(self.w_u_t.val().transpose())
        };
        logits + self.b_u.val().unsqueeze::<2>()
    }

    /// Logits for `tokens` `[batch, pos]`: `[batch, pos, d_vocab_out]`.
    pub fn forward(&self, tokens: Tensor<2, Int>) -> Tensor<3> {
        let [batch, pos] = tokens.dims();
        let state = self.pass(self.embeds(tokens, false, None), &mut Plain);
        let logits = self.unembed(state.final_input);
        let vocab = logits.dims()[1];
        logits.reshape([batch, pos, vocab])
    }

    /// Logits and every hooked activation, by TransformerLens hook name.
    pub fn run_with_cache(&self, tokens: Tensor<2, Int>) -> (Tensor<3>, ActivationCache) {
        let [batch, pos] = tokens.dims();
        let embedded = self.embeds(tokens.clone(), false, None);
        let state = self.pass(embedded, &mut Plain);
        let cache = ActivationCache::of(self, tokens, &state);
        let logits = self.unembed(state.final_input);
        let vocab = logits.dims()[1];
        (logits.reshape([batch, pos, vocab]), cache)
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
