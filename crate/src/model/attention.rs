//! One attention layer, computed per head from per-head inputs so that ACDC can give every head's
//! query, key and value its own (patched) residual input (`hook_{q,k,v}_input[h]`).

use burn::module::Param;
use burn::prelude::*;
use burn::tensor::activation::softmax;

use super::config::{AttentionDir, ModelConfig};
use super::tensor_from_raw;
use super::weights::WeightMap;
use crate::error::Result;

/// Attention weights in TransformerLens layout.
#[derive(Module, Debug)]
pub struct Attention {
    /// `[n_heads, d_model, d_head]`
    pub w_q: Param<Tensor<3>>,
    pub w_k: Param<Tensor<3>>,
    pub w_v: Param<Tensor<3>>,
    /// `[n_heads, d_head]`
    pub b_q: Param<Tensor<2>>,
    pub b_k: Param<Tensor<2>>,
    pub b_v: Param<Tensor<2>>,
    /// `[n_heads, d_head, d_model]`
    pub w_o: Param<Tensor<3>>,
    /// `[d_model]`; not part of any head's `hook_result`.
    pub b_o: Param<Tensor<1>>,
    pub scale: f64,
    pub causal: bool,
}

/// What one attention layer computes, named by its TransformerLens hooks.
#[derive(Debug, Clone)]
pub struct AttentionOutput {
    /// `attn.hook_q`, `hook_k`, `hook_v`: `[batch, pos, n_heads, d_head]`
    pub q: Tensor<4>,
    pub k: Tensor<4>,
    pub v: Tensor<4>,
    /// `attn.hook_attn_scores` (after masking): `[batch, n_heads, query_pos, key_pos]`
    pub scores: Tensor<4>,
    /// `attn.hook_pattern`: `[batch, n_heads, query_pos, key_pos]`
    pub pattern: Tensor<4>,
    /// `attn.hook_z`: the pattern-weighted values, `[batch, pos, n_heads, d_head]`
    pub z: Tensor<4>,
    /// `attn.hook_result`: each head's write to the residual, `[batch, pos, n_heads, d_model]`
    /// (a view of `result_heads`).
    pub result: Tensor<4>,
    /// The same, head-major and contiguous: `[n_heads, batch, pos, d_model]`, so that a head's
    /// output is one row of `[n_heads, batch·pos·d_model]` for the patching matmuls.
    pub result_heads: Tensor<4>,
}

impl Attention {
    pub fn load(map: &mut WeightMap, prefix: &str, config: &ModelConfig, device: &Device) -> Result<Self> {
        let (d, h, dh) = (config.d_model, config.n_heads, config.d_head);
        let mut w = |name: &str| -> Result<Param<Tensor<3>>> {
            let shape = if name == "W_O" { [h, dh, d] } else { [h, d, dh] };
            Ok(Param::from_tensor(tensor_from_raw(map.take(&format!("{prefix}.{name}"), &shape)?, device)))
        };
        let (w_q, w_k, w_v, w_o) = (w("W_Q")?, w("W_K")?, w("W_V")?, w("W_O")?);
        let mut b = |name: &str| -> Result<Param<Tensor<2>>> {
            Ok(Param::from_tensor(tensor_from_raw(map.take(&format!("{prefix}.{name}"), &[h, dh])?, device)))
        };
        let (b_q, b_k, b_v) = (b("b_Q")?, b("b_K")?, b("b_V")?);
        let b_o = Param::from_tensor(tensor_from_raw(map.take(&format!("{prefix}.b_O"), &[d])?, device));
        Ok(Self {
            w_q,
            w_k,
            w_v,
            b_q,
            b_k,
            b_v,
            w_o,
            b_o,
            scale: if config.use_attn_scale { (dh as f64).sqrt() } else { 1.0 },
            causal: config.attention_dir == AttentionDir::Causal,
        })
    }

    /// Runs the heads on already normalised inputs `[batch, pos, h, d_model]`, where `h` is
    /// `n_heads` (one input per head) or 1 (one input shared by all heads).
    pub fn forward(&self, q_in: Tensor<4>, k_in: Tensor<4>, v_in: Tensor<4>) -> AttentionOutput {
        let (q, k, v) = self.qkv(q_in, k_in, v_in);
        self.attend(q, k, v)
    }

    /// `attn.hook_q`, `hook_k`, `hook_v` `[batch, pos, n_heads, d_head]` from normalised inputs.
    pub fn qkv(&self, q_in: Tensor<4>, k_in: Tensor<4>, v_in: Tensor<4>) -> (Tensor<4>, Tensor<4>, Tensor<4>) {
        let [batch, _, _, _] = q_in.dims();
        let heads_first = |x: Tensor<4>| {
            let [b, p, h, d] = x.dims();
            x.permute([2, 0, 1, 3]).reshape([h, b * p, d])
        };
        self.qkv_heads(heads_first(q_in), heads_first(k_in), heads_first(v_in), batch)
    }

    /// The same from head-major inputs `[h, batch·pos, d_model]` (h = n_heads, or 1 shared).
    pub fn qkv_heads(&self, q_in: Tensor<3>, k_in: Tensor<3>, v_in: Tensor<3>, batch: usize) -> (Tensor<4>, Tensor<4>, Tensor<4>) {
        (
            project(q_in, self.w_q.val(), self.b_q.val(), batch),
            project(k_in, self.w_k.val(), self.b_k.val(), batch),
            project(v_in, self.w_v.val(), self.b_v.val(), batch),
        )
    }

    /// Scores, pattern, z and each head's result from (possibly patched) q, k, v.
    pub fn attend(&self, q: Tensor<4>, k: Tensor<4>, v: Tensor<4>) -> AttentionOutput {
        let [_, pos, _, _] = q.dims();
        // [b, h, q, dh] @ [b, h, dh, k] -> [b, h, q, k]
        let scores = q.clone().swap_dims(1, 2).matmul(k.clone().permute([0, 2, 3, 1])) / self.scale;
        let scores = if self.causal {
            // tril_mask is true outside the lower triangle (diagonal included): the future keys.
            let future = Tensor::<2, Bool>::tril_mask([pos, pos], 0, &scores.device());
            // TransformerLens sets masked scores to IGNORE = -1e5 (not -inf); we do the same.
            scores.mask_fill(future.unsqueeze::<4>(), -1e5)
        } else {
            scores
        };
        let pattern = softmax(scores.clone(), 3);
        // z: [b, h, q, dh]; result: [h, b, q, dh] @ [h, 1, dh, d] -> [h, b, q, d]
        let z = pattern.clone().matmul(v.clone().swap_dims(1, 2));
        let result_heads = z.clone().swap_dims(0, 1).matmul(self.w_o.val().unsqueeze_dim::<4>(1));
        let result = result_heads.clone().permute([1, 2, 0, 3]);
        AttentionOutput { q, k, v, scores, pattern, z: z.swap_dims(1, 2), result, result_heads }
    }

    /// `hook_attn_out`: the heads' results summed, plus the output bias, from head-major results
    /// `[n_heads, batch, pos, d_model]`.
    pub fn attn_out(&self, result_heads: Tensor<4>) -> Tensor<3> {
        result_heads.sum_dim(0).squeeze_dim::<3>(0) + self.b_o.val().unsqueeze::<3>()
    }
}

/// `[h', b·p, d] × [h, d, dh] + [h, dh] -> [b, p, h, dh]`, broadcasting a shared input over heads.
fn project(x: Tensor<3>, w: Tensor<3>, b: Tensor<2>, batch: usize) -> Tensor<4> {
    let [_, n, _] = x.dims();
    let [h, _, dh] = w.dims();
    let y = x.matmul(w) + b.unsqueeze_dim::<3>(1);
    y.reshape([h, batch, n / batch, dh]).permute([1, 2, 0, 3])
}
