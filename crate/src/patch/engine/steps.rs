//! One layer's recomputation for the engine's evaluation: the heads the changed senders reach
//! (or the tested receiver's head), then the MLP; each adds its output's change to `changed`.

use burn::prelude::*;

use super::{Delta, Engine, HeadWrite, MlpWrite, Pending, repeat_k, restrict};
use crate::graph::Hook;
use crate::model::attention::Heads;
use crate::patch::live::Live;

impl Engine {
    /// The heads of layer `l` that the changed senders (or the seed) reach: recomputed, and
    /// their results' deltas added to `changed`.
    pub(super) fn heads_step(&self, l: usize, seed: Seed, changed: &mut Vec<Delta>, pending: &mut Pending, live: &Live) {
        let layout = self.layout;
        let h = layout.n_heads;
        let width = layout.slots_before(l);
        let layer = &self.current.layers[l];
        let block = &self.model.blocks[l];
        let k = pending.k;
        let (batch, pos) = (self.current.embeds.batch, self.current.embeds.pos);
        let rows = batch * pos;
        let d = self.current.final_input.dims()[1];
        // Per letter and head: the change of its input `[K, rows, d]`, through present edges.
        let mut delta_in: [Vec<Option<Tensor<3>>>; 3] = std::array::from_fn(|_| vec![None; h]);
        let below: Vec<&Delta> = changed.iter().filter(|c| c.slot < width).collect();
        if !below.is_empty() {
            let flat = Tensor::stack::<2>(below.iter().map(|c| c.value.clone().reshape([k * rows * d])).collect(), 0);
            for (x, per_head) in delta_in.iter_mut().enumerate() {
                let weights: Vec<f32> = (0..h)
                    .flat_map(|hd| {
                        let reads = live.heads[l][hd] && !self.mask.dc[l][x][hd];
                        below.iter().map(move |c| reads && self.mask.qkv[l][x][hd * width + c.slot] == 0.0)
                    })
                    .map(|p| if p { 1.0 } else { 0.0 })
                    .collect();
                if weights.iter().all(|&w| w == 0.0) {
                    continue;
                }
                let m = Tensor::<2>::from_data(TensorData::new(weights.clone(), [h, below.len()]), &flat.device());
                let sums = m.matmul(flat.clone());
                for (hd, slot) in per_head.iter_mut().enumerate() {
                    if weights[hd * below.len()..(hd + 1) * below.len()].iter().any(|&w| w != 0.0) {
                        *slot = Some(sums.clone().slice([hd..hd + 1, 0..k * rows * d]).reshape([k, rows, d]));
                    }
                }
            }
        }
        let mut dc_seed = None;
        match seed {
            Seed::Input { letter, head, delta } => {
                delta_in[letter][head] = Some(match delta_in[letter][head].take() {
                    Some(t) => t + delta,
                    None => delta,
                });
            }
            Seed::Dc { letter, head } => dc_seed = Some((letter, head)),
            Seed::None => {}
        }
        let heads: Vec<usize> = (0..h)
            .filter(|&hd| (0..3).any(|x| delta_in[x][hd].is_some()) || dc_seed.is_some_and(|(_, s)| s == hd))
            .collect();
        if heads.is_empty() {
            return;
        }
        let hs = heads.len();
        let device = layer.resid_pre.device();
        let idx = Tensor::<1, Int>::from_data(TensorData::new(heads.iter().map(|&x| x as i64).collect::<Vec<_>>(), [hs]), &device);
        let pos_embed = self.current.embeds.shortformer_pos.clone().map(|p| repeat_k(p, k));
        let mut inputs: [Option<Tensor<4>>; 3] = [None, None, None];
        let qkv: [Tensor<4>; 3] = std::array::from_fn(|x| {
            let dh = layer.qkv[x].dims()[3];
            let current = layer.qkv[x].clone().select(0, idx.clone());
            let mut t = if heads.iter().any(|&hd| delta_in[x][hd].is_some()) {
                let own = head_rows(&layer.inputs[x], &idx, hs);
                let zero = Tensor::<3>::zeros([k, rows, d], &device);
                let deltas: Vec<Tensor<3>> = heads.iter().map(|&hd| delta_in[x][hd].clone().unwrap_or(zero.clone())).collect();
                let new_in = own.unsqueeze_dim::<4>(1).expand([hs, k, rows, d]) + Tensor::stack::<4>(deltas, 0);
                inputs[x] = Some(new_in.clone());
                block.qkv(x, new_in.reshape([hs, k * rows, d]), Heads::Some(&idx), k * batch, pos_embed.as_ref())
            } else {
                repeat_batch(current.clone(), k)
            };
            // Heads whose DIRECT_COMPUTATION edge is removed (or is the one under test) use the
            // corrupted value.
            let corrupted: Vec<bool> =
                heads.iter().map(|&hd| self.mask.dc[l][x][hd] || dc_seed == Some((x, hd))).collect();
            if corrupted.iter().any(|&c| c) {
                let sel: Vec<f32> = corrupted.iter().map(|&c| if c { 1.0 } else { 0.0 }).collect();
                let sel = Tensor::<4>::from_data(TensorData::new(sel, [hs, 1, 1, 1]), &device);
                let value = repeat_batch(self.corrupt.qkv[l][x].clone().select(0, idx.clone()), k);
                t = t * (sel.clone().neg() + 1.0) + value * sel;
            }
            let _ = dh;
            t
        });
        let [q, kk, v] = qkv.clone();
        let attended = block.attn.attend(q, kk, v, Heads::Some(&idx));
        let dh = layer.qkv[0].dims()[3] as f64;
        let letters = inputs.iter().filter(|i| i.is_some()).count() as f64;
        let (hs_f, rows_k) = (hs as f64, (k * rows) as f64);
        // Projections of the changed inputs, scores and pattern·v, and W_O.
        self.count(2.0 * hs_f * rows_k * (letters * d as f64 * dh + 2.0 * pos as f64 * dh + dh * d as f64));
        let current_results = layer.results().clone().select(0, idx.clone());
        let deltas = attended.results.clone().reshape([hs, k, rows, d]) - current_results.unsqueeze_dim::<4>(1);
        for (i, &hd) in heads.iter().enumerate() {
            let value = deltas.clone().slice([i..i + 1, 0..k, 0..rows, 0..d]).reshape([k, rows, d]);
            changed.push(Delta { slot: width + hd, value, scored: false });
        }
        pending.heads.push(HeadWrite { layer: l, heads, inputs, qkv, results: attended.results });
    }

    /// Layer `l`'s MLP, when the changed senders (or the seed) reach its input: recomputed (the
    /// last layer's at the scored rows only) and its output's delta added to `changed`.
    pub(super) fn mlp_step(&self, l: usize, seed: Option<Tensor<3>>, changed: &mut Vec<Delta>, pending: &mut Pending, live: &Live) {
        if !self.layout.has_mlp || !live.mlp[l] {
            return;
        }
        let width = self.layout.mlp_width(l);
        let mut delta = seed;
        for c in changed.iter().filter(|c| c.slot < width && self.mask.mlp_in[l][c.slot] == 0.0) {
            delta = Some(match delta {
                Some(t) => t + c.value.clone(),
                None => c.value.clone(),
            });
        }
        let Some(delta) = delta else { return };
        let layer = &self.current.layers[l];
        let k = pending.k;
        let scored = l + 1 == self.layout.n_layers;
        let (current_in, current_out, delta) = if scored {
            let pick = |t: &Tensor<2>| t.clone().select(0, self.scored.clone());
            (pick(layer.mlp_in.as_ref().expect("mlp_in")), pick(layer.mlp_out().expect("mlp_out")), restrict(delta, &self.scored))
        } else {
            (layer.mlp_in.clone().expect("mlp_in"), layer.mlp_out().cloned().expect("mlp_out"), delta)
        };
        let [x, d] = current_in.dims();
        let input = (current_in.unsqueeze::<3>().expand([k, x, d]) + delta).reshape([k * x, d]);
        let out = self.model.blocks[l].mlp(input.clone()).expect("an MLP block").out;
        let d_mlp = self.model.blocks[l].mlp.as_ref().map_or(0, |m| m.w_in.val().dims()[1]);
        self.count(2.0 * (k * x) as f64 * 2.0 * (d * d_mlp) as f64);
        let value = out.clone().reshape([k, x, d]) - current_out.unsqueeze::<3>();
        changed.push(Delta { slot: self.layout.slots_before(l) + self.layout.n_heads, value, scored });
        pending.mlps.push(MlpWrite { layer: l, scored, input, out });
    }
}

/// What starts a layer's recomputation besides the changed senders.
pub(super) enum Seed {
    None,
    /// A head's `letter` input changes by `delta` `[K, rows, d_model]`.
    Input { letter: usize, head: usize, delta: Tensor<3> },
    /// A head's `letter` (q/k/v) takes its corrupted value.
    Dc { letter: usize, head: usize },
}

/// 0, 1, 2 for the q, k, v hooks and their inputs.
pub(super) fn letter(hook: Hook) -> usize {
    match hook {
        Hook::QInput | Hook::Q => 0,
        Hook::KInput | Hook::K => 1,
        _ => 2,
    }
}

/// Heads `idx`'s rows of a per-head (or shared) input `[n_heads or 1, rows, d]`: `[hs, rows, d]`.
fn head_rows(inputs: &Tensor<3>, idx: &Tensor<1, Int>, hs: usize) -> Tensor<3> {
    let [n, rows, d] = inputs.dims();
    if n == 1 { inputs.clone().expand([hs, rows, d]) } else { inputs.clone().select(0, idx.clone()) }
}

/// `[hs, batch, pos, dh]` repeated for K candidates along the batch: `[hs, K·batch, pos, dh]`.
fn repeat_batch(t: Tensor<4>, k: usize) -> Tensor<4> {
    if k == 1 { t } else { t.repeat_dim(1, k) }
}

