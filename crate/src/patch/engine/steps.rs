//! One layer's recomputation for the engine's evaluation: the heads the changed senders reach
//! (or the tested receiver's head), then the MLP; each adds its output's change to `changed`.

use burn::prelude::*;

use super::changes::Changes;
use super::{Delta, Engine, HeadWrite, InputWrite, MlpWrite, Pending, repeat_k, restrict};
use crate::graph::Hook;
use crate::model::attention::Heads;
use crate::patch::live::Live;

impl Engine {
    /// The heads of layer `l` that the changed senders (or the seed) reach: recomputed, and
    /// their results' deltas added to `changed`. Heads whose input changes by the same sum (and
    /// whose current input is the shared residual) are normalised and projected from one input.
    pub(super) fn heads_step(&self, l: usize, seed: Seed, changed: &mut Changes, pending: &mut Pending, live: &Live) {
        let layout = self.layout;
        let h = layout.n_heads;
        let width = layout.slots_before(l);
        let layer = &self.current.layers[l];
        let block = &self.model.blocks[l];
        let k = pending.k;
        let (batch, pos) = (self.current.embeds.batch, self.current.embeds.pos);
        let rows = batch * pos;
        let d = self.current.final_input.dims()[1];
        // Per letter and head: the change of its input `[K, rows, d]` through present edges, as an
        // index of `changed`'s sums (heads reading the same senders share one).
        let mut delta_in: [Vec<Option<usize>>; 3] = std::array::from_fn(|_| vec![None; h]);
        for (x, per_head) in delta_in.iter_mut().enumerate() {
            for (hd, slot) in per_head.iter_mut().enumerate() {
                if !live.heads[l][hd] || self.mask.dc[l][x][hd] {
                    continue;
                }
                let present = |s: usize| s < width && self.mask.qkv[l][x][hd * width + s] == 0.0;
                *slot = changed.sum(present);
            }
        }
        let mut dc_seed = None;
        match seed {
            Seed::Input { letter, head, delta } => {
                delta_in[letter][head] = Some(changed.plus(delta_in[letter][head], delta));
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
        let idx = index(&heads, &device);
        // Rows of a per-head tensor for `heads` (no copy when they are all of them).
        let pick = |t: &Tensor<4>| if hs == h { t.clone() } else { t.clone().select(0, idx.clone()) };
        let pos_embed = self.current.embeds.shortformer_pos.clone().map(|p| repeat_k(p, k));
        let mut inputs: [Vec<InputWrite>; 3] = Default::default();
        let mut projected = 0usize;
        let qkv: [Tensor<4>; 3] = std::array::from_fn(|x| {
            let current = pick(&layer.qkv[x]);
            // Positions in `heads`, grouped by the sum their input changes by (`None`: unchanged).
            let mut groups: Vec<(Option<usize>, Vec<usize>)> = vec![];
            for (at, &hd) in heads.iter().enumerate() {
                let key = delta_in[x][hd];
                match groups.iter_mut().find(|(g, _)| *g == key) {
                    Some((_, positions)) => positions.push(at),
                    None => groups.push((key, vec![at])),
                }
            }
            let mut t = if groups.len() == 1 && groups[0].0.is_none() {
                repeat_batch(current.clone(), k)
            } else {
                let shared = layer.inputs[x].dims()[0] == 1;
                let mut parts = vec![];
                let mut order: Vec<usize> = vec![];
                for (key, positions) in &groups {
                    order.extend(positions);
                    let Some(i) = key else {
                        parts.push(repeat_batch(current.clone().select(0, index(positions, &device)), k));
                        continue;
                    };
                    let members: Vec<usize> = positions.iter().map(|&at| heads[at]).collect();
                    let gidx = index(&members, &device);
                    projected += members.len();
                    let own = if shared { layer.inputs[x].clone() } else { layer.inputs[x].clone().select(0, gidx.clone()) };
                    let n = own.dims()[0];
                    let new_in = own.unsqueeze_dim::<4>(1).expand([n, k, rows, d]) + changed.get(*i).unsqueeze::<4>();
                    parts.push(block.qkv(x, new_in.clone().reshape([n, k * rows, d]), Heads::Some(&gidx), k * batch, pos_embed.as_ref()));
                    inputs[x].push(InputWrite { heads: members, value: new_in });
                }
                let t = if parts.len() == 1 { parts.remove(0) } else { Tensor::cat(parts, 0) };
                if order.iter().enumerate().all(|(i, &o)| i == o) {
                    t
                } else {
                    let mut inverse = vec![0; hs];
                    order.iter().enumerate().for_each(|(i, &o)| inverse[o] = i);
                    t.select(0, index(&inverse, &device))
                }
            };
            // Heads whose DIRECT_COMPUTATION edge is removed (or is the one under test) use the
            // corrupted value.
            let corrupted: Vec<bool> =
                heads.iter().map(|&hd| self.mask.dc[l][x][hd] || dc_seed == Some((x, hd))).collect();
            if corrupted.iter().any(|&c| c) {
                let sel: Vec<f32> = corrupted.iter().map(|&c| if c { 1.0 } else { 0.0 }).collect();
                let sel = Tensor::<4>::from_data(TensorData::new(sel, [hs, 1, 1, 1]), &device);
                let value = repeat_batch(pick(&self.corrupt.qkv[l][x]), k);
                t = t * (sel.clone().neg() + 1.0) + value * sel;
            }
            t
        });
        let [q, kk, v] = qkv.clone();
        let attended = block.attn.attend(q, kk, v, Heads::Some(&idx));
        let dh = layer.qkv[0].dims()[3] as f64;
        let (hs_f, rows_k) = (hs as f64, (k * rows) as f64);
        // Projections of the changed inputs, scores and pattern·v, and W_O.
        self.count(2.0 * rows_k * (projected as f64 * d as f64 * dh + hs_f * (2.0 * pos as f64 * dh + dh * d as f64)));
        let current_results = if hs == h { layer.results().clone() } else { layer.results().clone().select(0, idx.clone()) };
        let deltas = attended.results.clone().reshape([hs, k, rows, d]) - current_results.unsqueeze_dim::<4>(1);
        for (i, &hd) in heads.iter().enumerate() {
            let value = deltas.clone().slice([i..i + 1, 0..k, 0..rows, 0..d]).reshape([k, rows, d]);
            changed.push(Delta { slot: width + hd, value, scored: false });
        }
        pending.heads.push(HeadWrite { layer: l, heads, inputs, qkv, results: attended.results });
    }

    /// Layer `l`'s MLP, when the changed senders (or the seed) reach its input: recomputed (the
    /// last layer's at the scored rows only) and its output's delta added to `changed`.
    pub(super) fn mlp_step(&self, l: usize, seed: Option<Tensor<3>>, changed: &mut Changes, pending: &mut Pending, live: &Live) {
        if !self.layout.has_mlp || !live.mlp[l] {
            return;
        }
        let width = self.layout.mlp_width(l);
        let sum = changed.sum(|s| s < width && self.mask.mlp_in[l][s] == 0.0).map(|i| changed.get(i));
        let delta = match (seed, sum) {
            (Some(a), Some(b)) => a + b,
            (a, b) => match a.or(b) {
                Some(t) => t,
                None => return,
            },
        };
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

/// `heads` as an index tensor.
fn index(heads: &[usize], device: &Device) -> Tensor<1, Int> {
    Tensor::from_data(TensorData::new(heads.iter().map(|&x| x as i64).collect::<Vec<_>>(), [heads.len()]), device)
}

/// `[hs, batch, pos, dh]` repeated for K candidates along the batch: `[hs, K·batch, pos, dh]`.
fn repeat_batch(t: Tensor<4>, k: usize) -> Tensor<4> {
    if k == 1 { t } else { t.repeat_dim(1, k) }
}

