//! One transformer block: attention then (optionally) an MLP, each reading the pre-LayerNorm
//! residual stream, exactly as TransformerLens wires them. The block only computes its parts from
//! their inputs; which input each part reads is the pass's business (`pass.rs`).

use burn::prelude::*;

use super::attention::{Attention, Heads};
use super::config::ModelConfig;
use super::layer_norm::LayerNorm;
use super::mlp::{Mlp, MlpOutput};
use super::weights::WeightMap;
use crate::error::Result;

#[derive(Module, Debug)]
pub struct TransformerBlock {
    pub ln1: LayerNorm,
    pub attn: Attention,
    pub ln2: Option<LayerNorm>,
    pub mlp: Option<Mlp>,
}

impl TransformerBlock {
    pub fn load(map: &mut WeightMap, layer: usize, config: &ModelConfig, device: &Device) -> Result<Self> {
        let p = format!("blocks.{layer}");
        let norm = |map: &mut WeightMap, name: &str| {
            LayerNorm::load(map, &format!("{p}.{name}"), config.normalization_type, config.d_model, config.eps, device)
        };
        let ln1 = norm(map, "ln1")?;
        let attn = Attention::load(map, &format!("{p}.attn"), config, device)?;
        let (ln2, mlp) = if config.attn_only {
            (None, None)
        } else {
            (Some(norm(map, "ln2")?), Some(Mlp::load(map, &format!("{p}.mlp"), config, device)?))
        };
        Ok(Self { ln1, attn, ln2, mlp })
    }

    /// `attn.hook_{q,k,v}` of `heads` from their pre-LayerNorm inputs `hook_{q,k,v}_input`,
    /// head-major `[hs or 1, batch·pos, d_model]` → `[hs, batch, pos, d_head]`. LayerNorm is
    /// computed per head on its own input; a shortformer's position embedding `[batch·pos,
    /// d_model]` is added after ln1 to queries and keys, never to values (as TransformerLens).
    pub fn qkv(&self, letter: usize, input: Tensor<3>, heads: Heads, batch: usize, pos_embed: Option<&Tensor<2>>) -> Tensor<4> {
        let x = self.ln1.forward(input);
        let x = match pos_embed {
            Some(pos) if letter < 2 => x + pos.clone().unsqueeze::<3>(),
            _ => x,
        };
        self.attn.project(letter, x, heads, batch)
    }

    /// The gradient with respect to each head's pre-LayerNorm `letter` input `[n_heads, rows,
    /// d_model]`, given the gradient of its `attn.hook_{q,k,v}` `[n_heads, batch, pos, d_head]`
    /// and the input itself (`[n_heads or 1, rows, d_model]`).
    pub fn qkv_backward(&self, letter: usize, input: Tensor<3>, g: Tensor<4>) -> Tensor<3> {
        let [h, b, p, dh] = g.dims();
        let (w, _) = self.attn.weights(letter);
        let g_normed = g.reshape([h, b * p, dh]).matmul(w.swap_dims(1, 2));
        self.ln1.backward(input, g_normed)
    }

    /// The gradient with respect to `hook_mlp_in` `[rows, d_model]` given the gradient of the
    /// MLP's output and the forward's input and `pre` activations.
    pub fn mlp_backward(&self, mlp_in: Tensor<2>, pre: Tensor<2>, g: Tensor<2>) -> Option<Tensor<2>> {
        match (&self.ln2, &self.mlp) {
            (Some(ln2), Some(mlp)) => Some(ln2.backward(mlp_in, mlp.backward(pre, g))),
            _ => None,
        }
    }

    /// The MLP on its pre-LayerNorm input `hook_mlp_in` `[rows, d_model]`; `None` for
    /// attention-only blocks.
    pub fn mlp(&self, mlp_in: Tensor<2>) -> Option<MlpOutput> {
        match (&self.ln2, &self.mlp) {
            (Some(ln2), Some(mlp)) => Some(mlp.forward(ln2.forward(mlp_in))),
            _ => None,
        }
    }
}
