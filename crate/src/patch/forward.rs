//! The optimised patched forward pass. A receiver's input is the live residual of this pass plus,
//! for its removed edges, `corrupt(s) − current(s)` (ACDC.md §2), one small matmul per receiver
//! group: `removed[receivers, senders] @ delta[senders, batch·pos·d_model]`. Layers below the
//! earliest receiver with a removed edge are identical to the clean run, so the pass starts there
//! from cached residuals.

use burn::prelude::*;

use super::cache::{RunCache, RunOptions};
use super::mask::{Layout, PatchMask};
use super::Ablation;
use crate::graph::Graph;
use crate::model::Transformer;

/// Clean and corrupted caches of one dataset, and the passes over them.
#[derive(Debug, Clone)]
pub struct PatchEngine {
    pub model: Transformer,
    pub layout: Layout,
    pub clean: RunCache,
    pub corrupt: RunCache,
    shortformer_pos: Option<Tensor<3>>,
    /// `corrupt − clean` of the input node(s) `[n_embed, N]` and of every layer's senders
    /// `[heads (+ MLP), N]`, N = batch·pos·d_model.
    clean_deltas: Vec<Tensor<2>>,
    /// Forward passes run so far (each call of [`Self::final_resid`]).
    pub passes: usize,
}

/// Where a pass begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Start {
    /// At a layer's attention.
    Layer(usize),
    /// At a layer's MLP (its attention is clean).
    Mlp(usize),
    /// At the final residual (every layer is clean).
    Final,
}

/// `[b, p, s, d]` → `[s, b·p·d]`.
fn flat(t: Tensor<4>) -> Tensor<2> {
    let [b, p, s, d] = t.dims();
    t.permute([2, 0, 1, 3]).reshape([s, b * p * d])
}

impl PatchEngine {
    /// Runs the clean input and the corrupted input (or the zero-ablated clean input).
    pub fn new(
        model: &Transformer,
        graph: &Graph,
        clean: Tensor<2, Int>,
        corrupt: Tensor<2, Int>,
        ablation: Ablation,
        pos_perm: Option<&[usize]>,
    ) -> Self {
        let use_pos_embed = graph.use_pos_embed;
        let plain = RunOptions { use_pos_embed, zero: false, pos_perm: None };
        let clean_cache = RunCache::run(model, clean.clone(), plain);
        let corrupt_cache = match ablation {
            Ablation::Resample => RunCache::run(model, corrupt, RunOptions { pos_perm, ..plain }),
            Ablation::Zero => RunCache::run(model, clean.clone(), RunOptions { zero: true, ..plain }),
        };
        let mut clean_deltas = vec![flat(corrupt_cache.embeds.clone() - clean_cache.embeds.clone())];
        for (c, k) in corrupt_cache.senders.iter().zip(&clean_cache.senders) {
            clean_deltas.push(flat(c.clone() - k.clone()));
        }
        let shortformer_pos = model.embed(clean).shortformer_pos;
        Self {
            model: model.clone(),
            layout: Layout::of(graph),
            clean: clean_cache,
            corrupt: corrupt_cache,
            shortformer_pos,
            clean_deltas,
            passes: 0,
        }
    }

    fn dims(&self) -> [usize; 3] {
        self.clean.resid_final.dims()
    }

    /// `Σ_cols removed[rows, cols] · deltas[cols]` over the sender blocks, `[rows, N]`; `None`
    /// when nothing is removed.
    fn patch(&self, removed: &[f32], rows: usize, width: usize, blocks: &[Tensor<2>]) -> Option<Tensor<2>> {
        let device = self.clean.resid_final.device();
        let mut total: Option<Tensor<2>> = None;
        let mut offset = 0;
        for block in blocks {
            if offset >= width {
                break;
            }
            let n = block.dims()[0].min(width - offset);
            let sub: Vec<f32> =
                (0..rows).flat_map(|r| removed[r * width + offset..r * width + offset + n].iter().copied()).collect();
            if sub.iter().any(|&x| x != 0.0) {
                let m = Tensor::<2>::from_data(TensorData::new(sub, [rows, n]), &device);
                let block = if n == block.dims()[0] { block.clone() } else { block.clone().slice([0..n]) };
                let term = m.matmul(block);
                total = Some(match total {
                    Some(t) => t + term,
                    None => term,
                });
            }
            offset += n;
        }
        total
    }

    /// The final residual stream (`resid_post` of the last layer, patched) under `mask`.
    pub fn final_resid(&mut self, mask: &PatchMask) -> Tensor<3> {
        self.passes += 1;
        let [b, p, d] = self.dims();
        let (h, n_layers) = (self.layout.n_heads, self.layout.n_layers);
        let device = self.clean.resid_final.device();
        let start = earliest_start(mask);
        let first = match start {
            Start::Layer(l) | Start::Mlp(l) => l,
            Start::Final => n_layers,
        };
        let mut deltas: Vec<Tensor<2>> = self.clean_deltas[..=first].to_vec();
        let mut resid = if first < n_layers { self.clean.resid_pre[first].clone() } else { self.clean.resid_final.clone() };
        for l in first..n_layers {
            let block = &self.model.blocks[l];
            let (results, mid) = if start == Start::Mlp(l) {
                (self.clean.senders[l].clone().slice([0..b, 0..p, 0..h]), self.clean.resid_mid[l].clone())
            } else {
                let width = self.layout.slots_before(l);
                let input = |x: usize| -> Tensor<4> {
                    let base = resid.clone().unsqueeze_dim::<4>(2);
                    match self.patch(&mask.qkv[l][x], h, width, &deltas) {
                        Some(p_) => base + p_.reshape([h, b, p, d]).permute([1, 2, 0, 3]),
                        None => base,
                    }
                };
                let (q, k, v) = block.qkv(input(0), input(1), input(2), self.shortformer_pos.as_ref());
                let corrupt = [&self.corrupt.q[l], &self.corrupt.k[l], &self.corrupt.v[l]];
                let [q, k, v] = [q, k, v].into_iter().enumerate().map(|(x, t)| {
                    let dc = &mask.dc[l][x];
                    if !dc.iter().any(|&r| r) {
                        return t;
                    }
                    // A removed q_input → q edge gives that head the corrupted run's q.
                    let sel: Vec<f32> = dc.iter().map(|&r| if r { 1.0 } else { 0.0 }).collect();
                    let sel = Tensor::<4>::from_data(TensorData::new(sel, [1, 1, h, 1]), &device);
                    t * (sel.clone().neg() + 1.0) + corrupt[x].clone() * sel
                }).collect::<Vec<_>>().try_into().expect("three tensors");
                let out = block.attn.attend(q, k, v);
                let mid = resid.clone() + block.attn.attn_out(out.result.clone());
                (out.result, mid)
            };
            let senders = match (&block.ln2, &block.mlp) {
                (Some(_), Some(_)) => {
                    let heads_corrupt = self.corrupt.senders[l].clone().slice([0..b, 0..p, 0..h]);
                    let mut blocks = deltas.clone();
                    blocks.push(flat(heads_corrupt - results.clone()));
                    let mlp_in = match self.patch(&mask.mlp_in[l], 1, self.layout.mlp_width(l), &blocks) {
                        Some(p_) => mid.clone() + p_.reshape([b, p, d]),
                        None => mid.clone(),
                    };
                    let m = block.mlp_out(mlp_in).expect("an MLP block");
                    resid = mid + m.clone();
                    Tensor::cat(vec![results, m.unsqueeze_dim::<4>(2)], 2)
                }
                _ => {
                    resid = mid;
                    results
                }
            };
            deltas.push(flat(self.corrupt.senders[l].clone() - senders));
        }
        match self.patch(&mask.post, 1, self.layout.total_slots(), &deltas) {
            Some(p_) => resid + p_.reshape([b, p, d]),
            None => resid,
        }
    }
}

/// The earliest point any removed edge touches: everything before it is the clean run.
pub fn earliest_start(mask: &PatchMask) -> Start {
    for l in 0..mask.layout.n_layers {
        let qkv = mask.qkv[l].iter().flatten().any(|&x| x != 0.0) || mask.dc[l].iter().flatten().any(|&r| r);
        if qkv {
            return Start::Layer(l);
        }
        if mask.mlp_in[l].iter().any(|&x| x != 0.0) {
            return Start::Mlp(l);
        }
    }
    Start::Final
}
