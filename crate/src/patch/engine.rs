//! The incremental patching engine. It keeps the current circuit's pass (every receiver's input
//! and every sender's output under the current mask) and evaluates a change to one receiver by
//! recomputing exactly what that change reaches: for a head's q/k/v input, that head's projection
//! of its changed input, its attention and its output; then every live head and MLP above whose
//! input one of the changed senders reaches through a present edge; then the final LayerNorm and
//! the unembedding at the scored positions only (the last layer's MLP too runs only there).
//!
//! K candidate changes to the same receiver (ACDC's speculative batch) run as one computation of
//! K·batch rows. `commit` makes one candidate the current circuit; nothing else is recomputed.
//! `current` is then exact everywhere except at nodes nobody reads (dead nodes, and the last
//! layer's MLP and the final residual outside the scored positions), which are never read.

use burn::prelude::*;
use burn::tensor::IndexingUpdateOp;

use super::corrupt::{Corrupt, slot_value};
use super::live::Live;
use super::mask::{Coord, Layout, PatchMask};
use super::masked::masked_pass;
use super::Ablation;
use crate::graph::{EdgeType, Graph, Hook};
use crate::model::Transformer;
use crate::model::attention::Heads;
use crate::model::pass::{Plain, State};

/// One changed sender: `corrupt`-style delta of its output per candidate `[K, rows, d_model]`
/// (`[K, n_scored, d_model]` when `scored`).
struct Delta {
    slot: usize,
    value: Tensor<3>,
    scored: bool,
}

/// What a candidate computation wrote, kept until `commit` picks one candidate.
#[derive(Default)]
struct Pending {
    k: usize,
    edges: Vec<Vec<usize>>,
    heads: Vec<HeadWrite>,
    mlps: Vec<MlpWrite>,
    final_rows: Option<Tensor<2>>,
}

struct HeadWrite {
    layer: usize,
    heads: Vec<usize>,
    /// New `hook_{q,k,v}_input` per letter for these heads, `[hs, K, rows, d_model]`.
    inputs: [Option<Tensor<4>>; 3],
    /// `[hs, K·batch, pos, d_head]`
    qkv: [Tensor<4>; 3],
    /// `[hs, K·rows, d_model]`
    results: Tensor<3>,
}

struct MlpWrite {
    layer: usize,
    scored: bool,
    /// `[K·rows or K·n, d_model]`
    input: Tensor<2>,
    out: Tensor<2>,
}

/// The clean and corrupted runs of one dataset, the current circuit, and passes over them.
pub struct Engine {
    pub model: Transformer,
    pub layout: Layout,
    /// The clean run's pass.
    pub clean: State,
    /// What removed edges carry.
    pub corrupt: Corrupt,
    current: State,
    mask: PatchMask,
    live: Option<Live>,
    /// Flat `row · pos + position` indices of the scored rows `[n]`.
    scored: Tensor<1, Int>,
    pending: Option<Pending>,
    /// Forward computations run so far (full or incremental).
    pub passes: usize,
    /// FLOPs of the matmuls incremental evaluations ran (2 per multiply-add), the unembedding
    /// at the scored rows included: what the minimal recomputation costs (the benchmark's
    /// fraction of the machine's peak).
    flop_cell: std::cell::Cell<f64>,
}

/// `[K, x, d]` → `[K, n, d]` at the scored rows.
fn restrict(t: Tensor<3>, rows: &Tensor<1, Int>) -> Tensor<3> {
    t.select(1, rows.clone())
}

/// `t` `[x, …]` repeated K times along a new leading axis, flattened: `[K·x, …]`.
fn repeat_k<const D: usize>(t: Tensor<D>, k: usize) -> Tensor<D> {
    if k == 1 { t } else { t.repeat_dim(0, k) }
}

impl Engine {
    /// Runs the clean input, and the corrupted input (or zero ablation's run); `scored` are the
    /// metric's flat row indices. The current circuit is the full model.
    pub fn new(
        model: &Transformer,
        graph: &Graph,
        clean: Tensor<2, Int>,
        corrupt: Tensor<2, Int>,
        ablation: Ablation,
        pos_perm: Option<&[usize]>,
        scored: Tensor<1, Int>,
    ) -> Self {
        let clean_embeds = model.embeds(clean, graph.use_pos_embed, None);
        let corrupt_embeds = model.embeds(corrupt, graph.use_pos_embed, pos_perm);
        let clean = model.pass(clean_embeds.clone(), &mut Plain);
        let corrupt = Corrupt::new(model, ablation, &clean_embeds, corrupt_embeds);
        let layout = Layout::of(graph);
        Self {
            model: model.clone(),
            layout,
            current: clean.clone(),
            clean,
            corrupt,
            mask: PatchMask::full(layout),
            live: None,
            scored,
            pending: None,
            passes: 1,
            flop_cell: std::cell::Cell::new(0.0),
        }
    }

    pub fn mask(&self) -> &PatchMask {
        &self.mask
    }

    pub fn scored_rows(&self) -> &Tensor<1, Int> {
        &self.scored
    }

    /// The current circuit's final residual at the scored rows `[n, d_model]`.
    pub fn current_rows(&self) -> Tensor<2> {
        self.current.final_input.clone().select(0, self.scored.clone())
    }

    /// Makes `mask` the current circuit with one whole pass (from the first layer it touches, or
    /// from layer 0 with `full_pass`). Also how the current pass is resynchronised.
    pub fn set_mask(&mut self, mask: PatchMask, full_pass: bool) {
        self.passes += 1;
        self.current = masked_pass(&self.model, &self.clean, &self.corrupt, &mask, full_pass);
        self.mask = mask;
        self.live = None;
        self.pending = None;
    }

    /// The final residual `[rows, d_model]` under any mask, by a whole pass (from the first
    /// layer it touches, or from layer 0 with `full_pass`); the current circuit stays as it is.
    pub fn final_under(&self, mask: &PatchMask, full_pass: bool) -> Tensor<2> {
        masked_pass(&self.model, &self.clean, &self.corrupt, mask, full_pass).final_input
    }

    /// A sender slot's output in the current pass `[rows, d_model]`.
    fn current_slot(&self, slot: usize) -> Tensor<2> {
        let c = &self.current;
        let results: Vec<Tensor<3>> = c.layers.iter().map(|l| l.results().clone()).collect();
        let mlp_out: Vec<Option<Tensor<2>>> = c.layers.iter().map(|l| l.mlp_out().cloned()).collect();
        slot_value(&self.layout, slot, &c.embeds.nodes, &results, &mlp_out)
    }

    /// `Σ_{e ∈ edges} corrupt(sender) − current(sender)` `[rows, d_model]`: what removing these
    /// ADDITION edges adds to their receiver's input.
    fn removal_delta(&self, graph: &Graph, edges: &[usize]) -> Tensor<2> {
        let mut total: Option<Tensor<2>> = None;
        for &e in edges {
            let slot = self.layout.slot(&graph.nodes[graph.edges[e].sender]);
            let d = self.corrupt.slot(&self.layout, slot) - self.current_slot(slot);
            total = Some(match total {
                Some(t) => t + d,
                None => d,
            });
        }
        total.expect("at least one edge")
    }

    fn live(&mut self) -> Live {
        if self.live.is_none() {
            self.live = Some(Live::of(&self.mask));
        }
        self.live.clone().expect("just computed")
    }

    /// The final residual at the scored rows `[K·n, d_model]` (candidate-major) for K candidates,
    /// each removing a set of edges into the same receiver from the current circuit. A
    /// DIRECT_COMPUTATION edge is a candidate of its own (K = 1). `commit` or `discard` next.
    pub fn evaluate(&mut self, graph: &Graph, candidates: &[Vec<usize>]) -> Tensor<2> {
        self.passes += 1;
        let live = self.live();
        let k = candidates.len();
        let first = candidates[0][0];
        let receiver = graph.nodes[graph.edges[first].receiver];
        let mut pending = Pending { k, edges: candidates.to_vec(), ..Default::default() };
        let mut changed: Vec<Delta> = vec![];
        let stack = |deltas: Vec<Tensor<2>>| Tensor::stack::<3>(deltas, 0);
        let (rows, d) = (self.current.embeds.rows(), self.current.final_input.dims()[1]);
        let from_layer = match receiver.hook {
            Hook::ResidPost => {
                let deltas = candidates.iter().map(|c| self.removal_delta(graph, c).select(0, self.scored.clone())).collect();
                changed.push(Delta { slot: usize::MAX, value: stack(deltas), scored: true });
                self.layout.n_layers
            }
            Hook::MlpIn => {
                let deltas = candidates.iter().map(|c| self.removal_delta(graph, c)).collect();
                self.mlp_step(receiver.layer, Some(stack(deltas)), &mut changed, &mut pending, &live);
                receiver.layer + 1
            }
            Hook::QInput | Hook::KInput | Hook::VInput => {
                let deltas = candidates.iter().map(|c| self.removal_delta(graph, c)).collect();
                let head = receiver.head.expect("a head");
                let seed = Seed::Input { letter: letter(receiver.hook), head, delta: stack(deltas) };
                self.heads_step(receiver.layer, seed, &mut changed, &mut pending, &live);
                self.mlp_step(receiver.layer, None, &mut changed, &mut pending, &live);
                receiver.layer + 1
            }
            Hook::Q | Hook::K | Hook::V => {
                assert!(k == 1 && graph.edges[first].ty == EdgeType::DirectComputation, "one DIRECT_COMPUTATION edge");
                let seed = Seed::Dc { letter: letter(receiver.hook), head: receiver.head.expect("a head") };
                self.heads_step(receiver.layer, seed, &mut changed, &mut pending, &live);
                self.mlp_step(receiver.layer, None, &mut changed, &mut pending, &live);
                receiver.layer + 1
            }
            other => panic!("{other:?} receives no tested edge"),
        };
        for l in from_layer..self.layout.n_layers {
            self.heads_step(l, Seed::None, &mut changed, &mut pending, &live);
            self.mlp_step(l, None, &mut changed, &mut pending, &live);
        }
        // The final residual: the current one plus every changed sender's present edge to it.
        let n = self.scored.dims()[0];
        let base = repeat_k(self.current_rows(), k).reshape([k, n, d]);
        let mut total = base;
        for c in &changed {
            let present = c.slot == usize::MAX || self.mask.post[c.slot] == 0.0;
            if present {
                total = total + if c.scored { c.value.clone() } else { restrict(c.value.clone(), &self.scored) };
            }
        }
        let _ = rows;
        let vocab = self.model.b_u.val().dims()[0];
        self.count(2.0 * (k * n * d * vocab) as f64);
        let final_rows = total.reshape([k * n, d]);
        pending.final_rows = Some(final_rows.clone());
        self.pending = Some(pending);
        final_rows
    }

    /// The heads of layer `l` that the changed senders (or the seed) reach: recomputed, and
    /// their results' deltas added to `changed`.
    fn heads_step(&self, l: usize, seed: Seed, changed: &mut Vec<Delta>, pending: &mut Pending, live: &Live) {
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
    fn mlp_step(&self, l: usize, seed: Option<Tensor<3>>, changed: &mut Vec<Delta>, pending: &mut Pending, live: &Live) {
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

    /// FLOPs of the incremental evaluations so far.
    pub fn flops(&self) -> f64 {
        self.flop_cell.get()
    }

    fn count(&self, flops: f64) {
        self.flop_cell.set(self.flop_cell.get() + flops);
    }

    /// Forgets the last evaluation.
    pub fn discard(&mut self) {
        self.pending = None;
    }

    /// Makes candidate `j` of the last evaluation the current circuit: its edges are removed and
    /// what it recomputed replaces the current values. The evaluation stays: a speculative batch
    /// commits its candidates one after another (each includes the edges of those before it).
    pub fn commit(&mut self, graph: &Graph, j: usize) {
        let Some(p) = self.pending.as_ref() else { panic!("commit without an evaluation") };
        let k = p.k;
        let (batch, pos) = (self.current.embeds.batch, self.current.embeds.pos);
        let rows = batch * pos;
        let h = self.layout.n_heads;
        for w in &p.heads {
            let layer = &mut self.current.layers[w.layer];
            let d = layer.resid_pre.dims()[1];
            for (i, &hd) in w.heads.iter().enumerate() {
                for x in 0..3 {
                    if let Some(inputs) = &w.inputs[x] {
                        let [n, _, _] = layer.inputs[x].dims();
                        if n == 1 {
                            layer.inputs[x] = layer.inputs[x].clone().expand([h, rows, d]);
                        }
                        let value = inputs.clone().slice([i..i + 1, j..j + 1, 0..rows, 0..d]).reshape([1, rows, d]);
                        layer.inputs[x] = layer.inputs[x].clone().slice_assign([hd..hd + 1, 0..rows, 0..d], value);
                    }
                    let [_, _, _, dh] = w.qkv[x].dims();
                    let value = w.qkv[x].clone().reshape([w.heads.len(), k, batch, pos, dh]);
                    let value = value.slice([i..i + 1, j..j + 1, 0..batch, 0..pos, 0..dh]).reshape([1, batch, pos, dh]);
                    layer.qkv[x] = layer.qkv[x].clone().slice_assign([hd..hd + 1, 0..batch, 0..pos, 0..dh], value);
                }
                let value = w.results.clone().reshape([w.heads.len(), k, rows, d]);
                let value = value.slice([i..i + 1, j..j + 1, 0..rows, 0..d]).reshape([1, rows, d]);
                layer.attended.results = layer.attended.results.clone().slice_assign([hd..hd + 1, 0..rows, 0..d], value);
            }
        }
        for w in &p.mlps {
            let layer = &mut self.current.layers[w.layer];
            let [kx, d] = w.input.dims();
            let x = kx / k;
            let pick = |t: &Tensor<2>| t.clone().slice([j * x..(j + 1) * x, 0..d]);
            let (input, out) = (pick(&w.input), pick(&w.out));
            let mlp = layer.mlp.as_mut().expect("an MLP layer");
            if w.scored {
                layer.mlp_in = layer.mlp_in.take().map(|t| assign_rows(t, &self.scored, input));
                mlp.out = assign_rows(mlp.out.clone(), &self.scored, out);
            } else {
                layer.mlp_in = Some(input);
                mlp.out = out;
            }
        }
        if let Some(f) = &p.final_rows {
            let [kn, d] = f.dims();
            let n = kn / k;
            let value = f.clone().slice([j * n..(j + 1) * n, 0..d]);
            self.current.final_input = assign_rows(self.current.final_input.clone(), &self.scored, value);
        }
        for &e in &p.edges[j] {
            let coord = self.layout.coord(graph, e);
            self.mask.set(coord, true);
        }
        self.live = None;
    }

    /// Removes edges without recomputing anything: for edges whose receiver nobody reads (ACDC's
    /// skipped receivers), where nothing that reaches the metric changes.
    pub fn remove_unread(&mut self, graph: &Graph, edges: &[usize]) {
        for &e in edges {
            let coord = self.layout.coord(graph, e);
            if coord != Coord::None {
                self.mask.set(coord, true);
            }
        }
        self.live = None;
        self.pending = None;
    }
}

/// What starts a layer's recomputation besides the changed senders.
enum Seed {
    None,
    /// A head's `letter` input changes by `delta` `[K, rows, d_model]`.
    Input { letter: usize, head: usize, delta: Tensor<3> },
    /// A head's `letter` (q/k/v) takes its corrupted value.
    Dc { letter: usize, head: usize },
}

/// 0, 1, 2 for the q, k, v hooks and their inputs.
fn letter(hook: Hook) -> usize {
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

/// `t` with rows `idx` replaced by `values` `[n, d]` (`select_assign` adds, so add the change).
fn assign_rows(t: Tensor<2>, idx: &Tensor<1, Int>, values: Tensor<2>) -> Tensor<2> {
    let old = t.clone().select(0, idx.clone());
    t.select_assign(0, idx.clone(), values - old, IndexingUpdateOp::Add)
}
