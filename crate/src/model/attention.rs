//! One attention layer, computed head-major (`[heads, rows, …]`) from per-head inputs, so that
//! every head's query, key and value can read its own (patched) residual input
//! (`hook_{q,k,v}_input[h]`), and so that a subset of heads can be recomputed alone (the
//! incremental patching engine recomputes only the heads an edge reaches).

use burn::module::Param;
use burn::prelude::*;
use super::cpu_math::softmax;

use super::config::{AttentionDir, ModelConfig};
use super::tensor_from_raw;
use super::weights::WeightMap;
use crate::error::Result;

/// TransformerLens fills masked scores with `IGNORE = -1e5` (not −∞); so do we.
pub const IGNORE: f32 = -1e5;

/// Attention weights in TransformerLens layout.
#[derive(Module, Debug)]
pub struct Attention {
    /// `W_Q`, `W_K`, `W_V`: `[n_heads, d_model, d_head]`
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

/// What the heads compute from their q, k, v, head-major.
#[derive(Debug, Clone)]
pub struct Attended {
    /// `attn.hook_attn_scores` after masking: `[heads, batch, query_pos, key_pos]`
    pub scores: Tensor<4>,
    /// `attn.hook_pattern`: `[heads, batch, query_pos, key_pos]`
    pub pattern: Tensor<4>,
    /// `attn.hook_z`: `[heads, batch, pos, d_head]`
    pub z: Tensor<4>,
    /// `attn.hook_result`: each head's write to the residual, `[heads, batch·pos, d_model]`.
    pub results: Tensor<3>,
}

/// Which heads a call is about: all of them, or a subset by index (`[hs]`).
#[derive(Debug, Clone, Copy)]
pub enum Heads<'a> {
    All,
    Some(&'a Tensor<1, Int>),
}

impl Heads<'_> {
    fn pick<const D: usize>(self, t: Tensor<D>) -> Tensor<D> {
        match self {
            Heads::All => t,
            Heads::Some(idx) => t.select(0, idx.clone()),
        }
    }
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

    /// `W` and `b` of one letter (0, 1, 2 = q, k, v).
    pub fn weights(&self, letter: usize) -> (Tensor<3>, Tensor<2>) {
        match letter {
            0 => (self.w_q.val(), self.b_q.val()),
            1 => (self.w_k.val(), self.b_k.val()),
            _ => (self.w_v.val(), self.b_v.val()),
        }
    }

    /// `attn.hook_{q,k,v}` of `heads` from normalised head-major inputs `[hs or 1, batch·pos,
    /// d_model]` (1: one input shared by every head): `[hs, batch, pos, d_head]`.
    pub fn project(&self, letter: usize, x: Tensor<3>, heads: Heads, batch: usize) -> Tensor<4> {
        let (w, b) = self.weights(letter);
        let (w, b) = (heads.pick(w), heads.pick(b));
        let [hs, _, dh] = w.dims();
        let [_, rows, _] = x.dims();
        let y = x.matmul(w) + b.unsqueeze_dim::<3>(1);
        y.reshape([hs, batch, rows / batch, dh])
    }

    /// Scores, pattern, z and each head's result from (possibly patched) head-major q, k, v
    /// `[hs, batch, pos, d_head]` of `heads`.
    pub fn attend(&self, q: Tensor<4>, k: Tensor<4>, v: Tensor<4>, heads: Heads) -> Attended {
        let [hs, batch, pos, _] = q.dims();
        let scores = q.matmul(k.swap_dims(2, 3)) / self.scale;
        let scores = if self.causal {
            // tril_mask is true outside the lower triangle (diagonal included): the future keys.
            let future = Tensor::<2, Bool>::tril_mask([pos, pos], 0, &scores.device());
            scores.mask_fill(future.unsqueeze::<4>(), IGNORE)
        } else {
            scores
        };
        let pattern = softmax(scores.clone(), 3);
        let z = pattern.clone().matmul(v);
        // [hs, b, p, dh] @ [hs, 1, dh, d] -> [hs, b, p, d]
        let w_o = heads.pick(self.w_o.val());
        let d = w_o.dims()[2];
        let results = z.clone().matmul(w_o.unsqueeze_dim::<4>(1)).reshape([hs, batch * pos, d]);
        Attended { scores, pattern, z, results }
    }

    /// The gradients of every head's q, k and v `[n_heads, batch, pos, d_head]` given the
    /// gradient `g` `[rows, d_model]` of the residual the heads' results are added to (each
    /// head's result receives it whole), and the forward's q, k, v and pattern.
    pub fn backward(&self, q: Tensor<4>, k: Tensor<4>, v: Tensor<4>, pattern: Tensor<4>, g: Tensor<2>) -> [Tensor<4>; 3] {
        let [_, batch, pos, _] = q.dims();
        let d = g.dims()[1];
        // result_h = z_h W_O[h]: g_z = g W_O[h]ᵀ, [1, b, p, d] @ [h, 1, d, dh].
        let g_z = g.reshape([1, batch, pos, d]).matmul(self.w_o.val().swap_dims(1, 2).unsqueeze_dim::<4>(1));
        let g_pattern = g_z.clone().matmul(v.swap_dims(2, 3));
        let g_v = pattern.clone().swap_dims(2, 3).matmul(g_z);
        // Softmax: g_s = A ∘ (g_A − Σ_k g_A ∘ A); masked keys have A = 0 and get none.
        let g_scores = pattern.clone() * (g_pattern.clone() - (g_pattern * pattern).sum_dim(3)) / self.scale;
        let g_q = g_scores.clone().matmul(k);
        let g_k = g_scores.swap_dims(2, 3).matmul(q);
        [g_q, g_k, g_v]
    }

    /// `hook_attn_out` without the heads' separation: `Σ_h result_h + b_O`, `[rows, d_model]`.
    pub fn attn_out(&self, results: Tensor<3>) -> Tensor<2> {
        let [_, rows, d] = results.dims();
        results.sum_dim(0).reshape([rows, d]) + self.b_o.val().unsqueeze::<2>()
    }
}
