//! One run's sender outputs and the residual entering each layer: the clean run supplies the
//! unchanged prefix of every patched pass, the corrupted run supplies removed edges' values.

use burn::prelude::*;

use crate::model::Transformer;

/// Everything a patched pass reads from one (clean or corrupted) run.
#[derive(Debug, Clone)]
pub struct RunCache {
    /// The input node(s)' outputs `[batch, pos, n_embed, d_model]`: `blocks.0.hook_resid_pre`, or
    /// `hook_embed` and `hook_pos_embed` with `use_pos_embed`.
    pub embeds: Tensor<4>,
    /// Per layer: `hook_resid_pre` of this run `[batch, pos, d_model]`.
    pub resid_pre: Vec<Tensor<3>>,
    /// Per layer: the residual after attention (`resid_pre + Σ result + b_O`).
    pub resid_mid: Vec<Tensor<3>>,
    /// Per layer: `attn.hook_q`, `hook_k`, `hook_v` `[batch, pos, n_heads, d_head]`.
    pub q: Vec<Tensor<4>>,
    pub k: Vec<Tensor<4>>,
    pub v: Vec<Tensor<4>>,
    /// Per layer: the layer's senders `[batch, pos, n_heads (+1 for the MLP), d_model]`: each
    /// head's `hook_result`, then `hook_mlp_out` when the model has MLPs.
    pub senders: Vec<Tensor<4>>,
    /// The final residual (`blocks.{L-1}.hook_resid_post`).
    pub resid_final: Tensor<3>,
}

/// How to run the model for a cache.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions<'a> {
    /// Two input nodes (token and position embedding) instead of one.
    pub use_pos_embed: bool,
    /// Zero every sender output (zero ablation's "corrupted" run).
    pub zero: bool,
    /// Positions of the position embedding, scrambled (the reference's tracr resample run).
    pub pos_perm: Option<&'a [usize]>,
}

impl RunCache {
    pub fn run(model: &Transformer, tokens: Tensor<2, Int>, opts: RunOptions) -> Self {
        let e = model.embed(tokens);
        let [b, p, d] = e.embed.dims();
        let device = e.embed.device();
        let mut pos_embed = e.pos_embed.clone();
        if let Some(perm) = opts.pos_perm {
            let idx: Vec<i64> = perm.iter().map(|&i| i as i64).collect();
            pos_embed = pos_embed.select(1, Tensor::<1, Int>::from_data(TensorData::new(idx, [p]), &device));
        }
        let mut embeds = if opts.use_pos_embed {
            Tensor::stack::<4>(vec![e.embed, pos_embed], 2)
        } else if model.shortformer {
            e.embed.unsqueeze_dim::<4>(2)
        } else {
            (e.embed + pos_embed).unsqueeze_dim::<4>(2)
        };
        if opts.zero {
            embeds = embeds.zeros_like();
        }
        let mut resid = embeds.clone().sum_dim(2).reshape([b, p, d]);
        let mut cache = RunCache {
            embeds,
            resid_pre: vec![],
            resid_mid: vec![],
            q: vec![],
            k: vec![],
            v: vec![],
            senders: vec![],
            resid_final: resid.clone(),
        };
        for block in &model.blocks {
            cache.resid_pre.push(resid.clone());
            let shared = resid.clone().unsqueeze_dim::<4>(2);
            let (q, k, v) = block.qkv(shared.clone(), shared.clone(), shared, e.shortformer_pos.as_ref());
            let out = block.attn.attend(q.clone(), k.clone(), v.clone());
            let (result, heads) = if opts.zero {
                (out.result.zeros_like(), out.result_heads.zeros_like())
            } else {
                (out.result, out.result_heads)
            };
            let mid = resid + block.attn.attn_out(heads);
            cache.resid_mid.push(mid.clone());
            let (senders, post) = match block.mlp_out(mid.clone()) {
                Some(m) => {
                    let m = if opts.zero { m.zeros_like() } else { m };
                    (Tensor::cat(vec![result, m.clone().unsqueeze_dim::<4>(2)], 2), mid + m)
                }
                None => (result, mid),
            };
            cache.q.push(q);
            cache.k.push(k);
            cache.v.push(v);
            cache.senders.push(senders);
            resid = post;
        }
        cache.resid_final = resid;
        cache
    }
}
