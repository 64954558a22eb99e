//! The optimised patched forward pass. A receiver's input is the live residual of this pass plus,
//! for its removed edges, `corrupt(s) − current(s)` (ACDC.md §2), one small matmul per receiver
//! group: `removed[receivers, senders] @ delta[senders, batch·pos·d_model]`. Layers below the
//! earliest receiver with a removed edge are identical to the clean run, so the pass starts there
//! from cached residuals. K candidate masks run as one pass of K·batch rows (candidate-major),
//! each with its own masks and its own deltas: exact, and far fewer, larger kernels.

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
    /// Every layer's senders flat, `[1, heads (+ MLP), N]`, in the clean and corrupted runs.
    clean_flat: Vec<Tensor<3>>,
    corrupt_flat: Vec<Tensor<3>>,
    /// Forward passes run so far (each call of [`Self::final_resid`]).
    pub passes: usize,
    /// Benchmark baseline: every pass from layer 0, as a hook-based implementation runs it.
    pub naive: bool,
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
        let (mut clean_flat, mut corrupt_flat) = (vec![], vec![]);
        for (c, k) in corrupt_cache.senders.iter().zip(&clean_cache.senders) {
            let (c, k) = (flat(c.clone()), flat(k.clone()));
            clean_deltas.push(c.clone() - k.clone());
            corrupt_flat.push(c.unsqueeze::<3>());
            clean_flat.push(k.unsqueeze::<3>());
        }
        let shortformer_pos = model.embed(clean).shortformer_pos;
        Self {
            model: model.clone(),
            layout: Layout::of(graph),
            clean: clean_cache,
            corrupt: corrupt_cache,
            shortformer_pos,
            clean_deltas,
            clean_flat,
            corrupt_flat,
            passes: 0,
            naive: false,
        }
    }

    fn dims(&self) -> [usize; 3] {
        self.clean.resid_final.dims()
    }

    /// `Σ_cols removed_k[rows, cols] · deltas[cols]` over the sender blocks, `[k, rows, N]`
    /// (`N` = the blocks' width); `None` when no candidate removes anything here. Blocks are
    /// `[1 or k, senders, N]`: shared (clean prefix) or one per candidate.
    fn patch(&self, masks: &[&[f32]], rows: usize, width: usize, blocks: &[Tensor<3>]) -> Option<Tensor<3>> {
        let device = self.clean.resid_final.device();
        let k = masks.len();
        let mut total: Option<Tensor<3>> = None;
        let mut offset = 0;
        for block in blocks {
            if offset >= width {
                break;
            }
            let n = block.dims()[1].min(width - offset);
            let sub: Vec<f32> = masks
                .iter()
                .flat_map(|m| (0..rows).flat_map(move |r| m[r * width + offset..r * width + offset + n].iter().copied()))
                .collect();
            if sub.iter().any(|&x| x != 0.0) {
                let m = Tensor::<3>::from_data(TensorData::new(sub, [k, rows, n]), &device);
                let [kb, s, w] = block.dims();
                let block = if n == s { block.clone() } else { block.clone().slice([0..kb, 0..n, 0..w]) };
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

    /// The final residual stream (`resid_post` of the last layer, patched) under `mask`,
    /// `[batch, pos, d_model]`.
    pub fn final_resid(&mut self, mask: &PatchMask) -> Tensor<3> {
        self.pass(&[mask], None)
    }

    /// The final residual under each of `masks` at the flat `row · pos + position` indices a
    /// metric reads: `[1, k·n, d_model]`, candidate-major. The last layer's MLP runs only there
    /// (its keys and values need every position).
    pub fn scored_resid(&mut self, masks: &[&PatchMask], rows: &Tensor<1, Int>) -> Tensor<3> {
        self.pass(masks, Some(rows))
    }

    /// `[k, s, b·p·d]` → `[k, s, n·d]` at the flat row indices.
    fn restrict(&self, t: Tensor<3>, rows: &Tensor<1, Int>) -> Tensor<3> {
        let [b, p, d] = self.dims();
        let [k, s, _] = t.dims();
        let n = rows.dims()[0];
        t.reshape([k, s, b * p, d]).select(2, rows.clone()).reshape([k, s, n * d])
    }

    /// Row indices of every candidate's scored rows in a `[k·b·p]` layout.
    fn rows_k(&self, rows: &Tensor<1, Int>, k: usize) -> Tensor<1, Int> {
        let [b, p, _] = self.dims();
        let n = rows.dims()[0];
        let offsets: Vec<i64> = (0..k).map(|c| (c * b * p) as i64).collect();
        let offsets = Tensor::<1, Int>::from_data(TensorData::new(offsets, [k]), &rows.device());
        (rows.clone().reshape([1, n]) + offsets.reshape([k, 1])).reshape([k * n])
    }

    fn pass(&mut self, masks: &[&PatchMask], rows: Option<&Tensor<1, Int>>) -> Tensor<3> {
        self.passes += 1;
        let k = masks.len();
        let [b, p, d] = self.dims();
        let n_all = b * p * d;
        let (h, n_layers) = (self.layout.n_heads, self.layout.n_layers);
        let device = self.clean.resid_final.device();
        let start = if self.naive { Start::Layer(0) } else { masks.iter().map(|m| earliest_start(m)).min().unwrap_or(Start::Final) };
        let first = match start {
            Start::Layer(l) | Start::Mlp(l) => l,
            Start::Final => n_layers,
        };
        let many = |t: Tensor<4>| if k == 1 { t } else { t.repeat_dim(0, k) };
        let many3 = |t: Tensor<3>| if k == 1 { t } else { t.repeat_dim(0, k) };
        // Sender blocks `[1 or k, senders, N]`: the clean prefix is shared by every candidate.
        let mut deltas: Vec<Tensor<3>> = self.clean_deltas[..=first].iter().map(|t| t.clone().unsqueeze::<3>()).collect();
        let mut resid = many3(if first < n_layers { self.clean.resid_pre[first].clone() } else { self.clean.resid_final.clone() });
        let pos = self.shortformer_pos.clone().map(many3);
        for l in first..n_layers {
            let block = &self.model.blocks[l];
            // This pass's head outputs `[1 or k, h, N]` and the residual after attention.
            let (heads, mid) = if start == Start::Mlp(l) {
                (self.clean_flat[l].clone().slice([0..1, 0..h, 0..n_all]), many3(self.clean.resid_mid[l].clone()))
            } else {
                let width = self.layout.slots_before(l);
                // Head-major inputs `[h or 1, k·b·p, d]`: the live residual plus removed edges' patch.
                let input = |x: usize| -> Tensor<3> {
                    let base = resid.clone().reshape([1, k * b * p, d]);
                    let ms: Vec<&[f32]> = masks.iter().map(|m| m.qkv[l][x].as_slice()).collect();
                    match self.patch(&ms, h, width, &deltas) {
                        Some(p_) if k == 1 => base + p_.reshape([h, b * p, d]),
                        Some(p_) => base + p_.reshape([k, h, b * p, d]).swap_dims(0, 1).reshape([h, k * b * p, d]),
                        None => base,
                    }
                };
                let (q, k_, v) = block.qkv_heads(input(0), input(1), input(2), k * b, pos.as_ref());
                let corrupt = [&self.corrupt.q[l], &self.corrupt.k[l], &self.corrupt.v[l]];
                let [q, k_, v] = [q, k_, v].into_iter().enumerate().map(|(x, t)| {
                    if !masks.iter().any(|m| m.dc[l][x].iter().any(|&r| r)) {
                        return t;
                    }
                    // A removed q_input → q edge gives that head the corrupted run's q.
                    let sel: Vec<f32> = masks
                        .iter()
                        .flat_map(|m| (0..b).flat_map(move |_| m.dc[l][x].iter().map(|&r| if r { 1.0 } else { 0.0 })))
                        .collect();
                    let sel = Tensor::<4>::from_data(TensorData::new(sel, [k * b, 1, h, 1]), &device);
                    t * (sel.clone().neg() + 1.0) + many(corrupt[x].clone()) * sel
                }).collect::<Vec<_>>().try_into().expect("three tensors");
                let out = block.attn.attend(q, k_, v);
                let mid = resid.clone() + block.attn.attn_out(out.result_heads.clone());
                let heads = if k == 1 {
                    out.result_heads.reshape([1, h, n_all])
                } else {
                    out.result_heads.reshape([h, k, n_all]).swap_dims(0, 1)
                };
                (heads, mid)
            };
            let corrupt_heads = self.corrupt_flat[l].clone().slice([0..1, 0..h, 0..n_all]);
            let Some(_) = &block.mlp else {
                resid = mid;
                deltas.push(corrupt_heads - heads);
                continue;
            };
            let ms: Vec<&[f32]> = masks.iter().map(|m| m.mlp_in[l].as_slice()).collect();
            let width = self.layout.mlp_width(l);
            if let Some(rows) = rows.filter(|_| l + 1 == n_layers) {
                // Only the scored rows of the last layer's MLP reach the metric.
                let n = rows.dims()[0];
                let rk = self.rows_k(rows, k);
                deltas = deltas.into_iter().map(|t| self.restrict(t, rows)).collect();
                let heads = self.restrict(heads, rows);
                let mut blocks = deltas.clone();
                blocks.push(self.restrict(corrupt_heads, rows) - heads.clone());
                let mid = mid.reshape([k * b * p, d]).select(0, rk).reshape([1, k * n, d]);
                let mlp_in = match self.patch(&ms, 1, width, &blocks) {
                    Some(p_) => mid.clone() + p_.reshape([1, k * n, d]),
                    None => mid.clone(),
                };
                let m = block.mlp_out(mlp_in).expect("an MLP block");
                resid = mid + m.clone();
                let heads = if heads.dims()[0] == k { heads } else { heads.repeat_dim(0, k) };
                let senders = Tensor::cat(vec![heads, m.reshape([k, 1, n * d])], 1);
                deltas.push(self.restrict(self.corrupt_flat[l].clone(), rows) - senders);
                continue;
            }
            let mut blocks = deltas.clone();
            blocks.push(corrupt_heads - heads.clone());
            let mlp_in = match self.patch(&ms, 1, width, &blocks) {
                Some(p_) => mid.clone() + p_.reshape([k * b, p, d]),
                None => mid.clone(),
            };
            let m = block.mlp_out(mlp_in).expect("an MLP block");
            resid = mid + m.clone();
            let heads = if heads.dims()[0] == k { heads } else { heads.repeat_dim(0, k) };
            let senders = Tensor::cat(vec![heads, m.reshape([k, 1, n_all])], 1);
            deltas.push(self.corrupt_flat[l].clone() - senders);
        }
        let ms: Vec<&[f32]> = masks.iter().map(|m| m.post.as_slice()).collect();
        let Some(rows) = rows else {
            return match self.patch(&ms, 1, self.layout.total_slots(), &deltas) {
                Some(p_) => resid + p_.reshape([k * b, p, d]),
                None => resid,
            };
        };
        let n = rows.dims()[0];
        if resid.dims() != [1, k * n, d] {
            // The last layer had no MLP to restrict (or was clean): restrict now.
            let rk = self.rows_k(rows, k);
            resid = resid.reshape([k * b * p, d]).select(0, rk).reshape([1, k * n, d]);
            deltas = deltas.into_iter().map(|t| self.restrict(t, rows)).collect();
        }
        match self.patch(&ms, 1, self.layout.total_slots(), &deltas) {
            Some(p_) => resid + p_.reshape([1, k * n, d]),
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
