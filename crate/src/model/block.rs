//! One transformer block: attention then (optionally) an MLP, each reading the pre-LayerNorm
//! residual stream, exactly as TransformerLens wires them.

use burn::prelude::*;

use super::attention::{Attention, AttentionOutput};
use super::cache::ActivationCache;
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

    /// Runs the heads on (possibly per-head) residual inputs `[batch, pos, h, d_model]` (h = 1 or
    /// n_heads).
    pub fn attention(
        &self,
        q_input: Tensor<4>,
        k_input: Tensor<4>,
        v_input: Tensor<4>,
        shortformer_pos: Option<&Tensor<3>>,
    ) -> AttentionOutput {
        let (q, k, v) = self.qkv(q_input, k_input, v_input, shortformer_pos);
        self.attn.attend(q, k, v)
    }

    /// q, k, v from pre-LayerNorm inputs: LayerNorm each input, add the shortformer position
    /// embedding to the queries' and keys' (TransformerLens adds it after ln1, never to values).
    pub fn qkv(
        &self,
        q_input: Tensor<4>,
        k_input: Tensor<4>,
        v_input: Tensor<4>,
        shortformer_pos: Option<&Tensor<3>>,
    ) -> (Tensor<4>, Tensor<4>, Tensor<4>) {
        let (mut q, mut k) = (self.ln1.forward(q_input), self.ln1.forward(k_input));
        if let Some(pos) = shortformer_pos {
            let pos = pos.clone().unsqueeze_dim::<4>(2);
            q = q + pos.clone();
            k = k + pos;
        }
        self.attn.qkv(q, k, self.ln1.forward(v_input))
    }

    /// [`Self::qkv`] from head-major inputs `[h, batch·pos, d_model]` (h = n_heads or 1); the
    /// shortformer position embedding is `[batch, pos, d_model]`.
    pub fn qkv_heads(
        &self,
        q_input: Tensor<3>,
        k_input: Tensor<3>,
        v_input: Tensor<3>,
        batch: usize,
        shortformer_pos: Option<&Tensor<3>>,
    ) -> (Tensor<4>, Tensor<4>, Tensor<4>) {
        let (mut q, mut k) = (self.ln1.forward(q_input), self.ln1.forward(k_input));
        if let Some(pos) = shortformer_pos {
            let [b, p, d] = pos.dims();
            let pos = pos.clone().reshape([1, b * p, d]);
            q = q + pos.clone();
            k = k + pos;
        }
        self.attn.qkv_heads(q, k, self.ln1.forward(v_input), batch)
    }

    /// `hook_mlp_out` for the (pre-LayerNorm) `hook_mlp_in`; `None` for attention-only blocks.
    pub fn mlp_out(&self, mlp_in: Tensor<3>) -> Option<Tensor<3>> {
        self.mlp_hooked(mlp_in).map(|m| m.out)
    }

    fn mlp_hooked(&self, mlp_in: Tensor<3>) -> Option<MlpOutput> {
        match (&self.ln2, &self.mlp) {
            (Some(ln2), Some(mlp)) => Some(mlp.forward_hooked(ln2.forward(mlp_in))),
            _ => None,
        }
    }

    /// The plain forward pass of the block, recording hooks into `cache` when given.
    pub fn forward(
        &self,
        layer: usize,
        resid_pre: Tensor<3>,
        shortformer_pos: Option<&Tensor<3>>,
        mut cache: Option<&mut ActivationCache>,
    ) -> Tensor<3> {
        let p = format!("blocks.{layer}");
        let shared = resid_pre.clone().unsqueeze_dim::<4>(2);
        let out = self.attention(shared.clone(), shared.clone(), shared.clone(), shortformer_pos);
        let attn_out = self.attn.attn_out(out.result_heads.clone());
        let resid_mid = resid_pre.clone() + attn_out.clone();
        let mlp = self.mlp_hooked(resid_mid.clone());
        let resid_post = match &mlp {
            Some(m) => resid_mid.clone() + m.out.clone(),
            None => resid_mid.clone(),
        };
        if let Some(cache) = cache.as_deref_mut() {
            let [b, pos, _, d] = shared.dims();
            let per_head = shared.expand([b, pos, out.q.dims()[2], d]);
            cache.insert3(format!("{p}.hook_resid_pre"), &resid_pre);
            for x in ["q", "k", "v"] {
                cache.insert4(format!("{p}.hook_{x}_input"), &per_head);
            }
            cache.insert4(format!("{p}.attn.hook_q"), &out.q);
            cache.insert4(format!("{p}.attn.hook_k"), &out.k);
            cache.insert4(format!("{p}.attn.hook_v"), &out.v);
            cache.insert4(format!("{p}.attn.hook_attn_scores"), &out.scores);
            cache.insert4(format!("{p}.attn.hook_pattern"), &out.pattern);
            cache.insert4(format!("{p}.attn.hook_z"), &out.z);
            cache.insert4(format!("{p}.attn.hook_result"), &out.result);
            cache.insert3(format!("{p}.hook_attn_out"), &attn_out);
            if let Some(m) = &mlp {
                cache.insert3(format!("{p}.hook_resid_mid"), &resid_mid);
                cache.insert3(format!("{p}.hook_mlp_in"), &resid_mid);
                cache.insert3(format!("{p}.mlp.hook_pre"), &m.pre);
                cache.insert3(format!("{p}.mlp.hook_post"), &m.post);
                cache.insert3(format!("{p}.hook_mlp_out"), &m.out);
            }
            cache.insert3(format!("{p}.hook_resid_post"), &resid_post);
        }
        resid_post
    }
}
