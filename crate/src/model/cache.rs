//! Activations keyed by TransformerLens hook names (`blocks.0.attn.hook_result`, …): what
//! `run_with_cache` returns and what golden tests compare.

use std::collections::BTreeMap;

use burn::prelude::*;

use super::pass::State;
use super::transformer::Transformer;

/// One recorded activation. Ranks differ by hook: the residual stream is `[batch, pos, d_model]`,
/// per-head hooks add a head axis.
#[derive(Debug, Clone)]
pub enum Activation {
    Rank3(Tensor<3>),
    Rank4(Tensor<4>),
}

impl Activation {
    pub fn dims(&self) -> Vec<usize> {
        match self {
            Self::Rank3(t) => t.dims().to_vec(),
            Self::Rank4(t) => t.dims().to_vec(),
        }
    }

    /// Reads the values back to the host (blocking: native and wasm CPU only).
    pub fn to_vec(&self) -> Vec<f32> {
        match self {
            Self::Rank3(t) => t.to_data().try_to_vec::<f32>().expect("f32 activations"),
            Self::Rank4(t) => t.to_data().try_to_vec::<f32>().expect("f32 activations"),
        }
    }

    /// Reads the values back to the host, awaiting the device (required on WebGPU).
    pub async fn to_vec_async(&self) -> crate::error::Result<Vec<f32>> {
        let data = match self {
            Self::Rank3(t) => t.to_data_async().await,
            Self::Rank4(t) => t.to_data_async().await,
        }
        .map_err(|e| crate::error::Error::Device(format!("{e:?}")))?;
        data.try_to_vec::<f32>().map_err(|e| crate::error::Error::Device(format!("{e:?}")))
    }
}

/// Every hooked activation of one forward pass.
#[derive(Debug, Clone, Default)]
pub struct ActivationCache {
    pub entries: BTreeMap<String, Activation>,
}

impl ActivationCache {
    pub fn insert3(&mut self, name: impl Into<String>, t: &Tensor<3>) {
        self.entries.insert(name.into(), Activation::Rank3(t.clone()));
    }

    pub fn insert4(&mut self, name: impl Into<String>, t: &Tensor<4>) {
        self.entries.insert(name.into(), Activation::Rank4(t.clone()));
    }

    pub fn get(&self, name: &str) -> Option<&Activation> {
        self.entries.get(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }
}

impl ActivationCache {
    /// TransformerLens's hooks, in its shapes (`[batch, pos, n_heads, …]` per head), off a plain
    /// pass over `tokens`.
    pub fn of(model: &Transformer, tokens: Tensor<2, Int>, state: &State) -> Self {
        let (batch, pos) = (state.embeds.batch, state.embeds.pos);
        let rows3 = |t: &Tensor<2>| {
            let d = t.dims()[1];
            t.clone().reshape([batch, pos, d])
        };
        // Head-major [h, b, p, x] → TransformerLens's [b, p, h, x].
        let heads4 = |t: Tensor<4>| t.permute([1, 2, 0, 3]);
        let mut cache = Self::default();
        let w_e = model.w_e.val();
        let d = w_e.dims()[1];
        cache.insert3("hook_embed", &w_e.select(0, tokens.reshape([batch * pos])).reshape([batch, pos, d]));
        if let Some(w) = &model.w_pos {
            cache.insert3("hook_pos_embed", &w.val().slice([0..pos]).unsqueeze::<3>().expand([batch, pos, d]));
        }
        let n_heads = model.blocks.first().map_or(0, |b| b.attn.w_q.val().dims()[0]);
        for (l, layer) in state.layers.iter().enumerate() {
            let p = format!("blocks.{l}");
            cache.insert3(format!("{p}.hook_resid_pre"), &rows3(&layer.resid_pre));
            for (x, letter) in ["q", "k", "v"].iter().enumerate() {
                let input = layer.inputs[x].clone();
                let [_, rows, d] = input.dims();
                let input = input.expand([n_heads, rows, d]).reshape([n_heads, batch, pos, d]);
                cache.insert4(format!("{p}.hook_{letter}_input"), &heads4(input));
                cache.insert4(format!("{p}.attn.hook_{letter}"), &heads4(layer.qkv[x].clone()));
            }
            let a = &layer.attended;
            cache.insert4(format!("{p}.attn.hook_attn_scores"), &a.scores.clone().swap_dims(0, 1));
            cache.insert4(format!("{p}.attn.hook_pattern"), &a.pattern.clone().swap_dims(0, 1));
            cache.insert4(format!("{p}.attn.hook_z"), &heads4(a.z.clone()));
            let result = a.results.clone().reshape([n_heads, batch, pos, d]);
            cache.insert4(format!("{p}.attn.hook_result"), &heads4(result));
            cache.insert3(format!("{p}.hook_attn_out"), &rows3(&model.blocks[l].attn.attn_out(a.results.clone())));
            if let (Some(mlp_in), Some(m)) = (&layer.mlp_in, &layer.mlp) {
                cache.insert3(format!("{p}.hook_resid_mid"), &rows3(&layer.resid_mid));
                cache.insert3(format!("{p}.hook_mlp_in"), &rows3(mlp_in));
                cache.insert3(format!("{p}.mlp.hook_pre"), &rows3(&m.pre));
                cache.insert3(format!("{p}.mlp.hook_post"), &rows3(&m.post));
                cache.insert3(format!("{p}.hook_mlp_out"), &rows3(&m.out));
            }
            cache.insert3(format!("{p}.hook_resid_post"), &rows3(&layer.resid_post));
        }
        cache
    }
}
