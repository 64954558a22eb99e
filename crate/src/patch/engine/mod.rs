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

mod changes;
mod commit;
mod steps;

use changes::Changes;

use steps::{Seed, letter};

use super::corrupt::{Corrupt, slot_value};
use super::live::Live;
use super::mask::{Layout, PatchMask};
use super::masked::masked_pass;
use super::Ablation;
use crate::graph::{EdgeType, Graph, Hook};
use crate::model::Transformer;
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
    /// New `hook_{q,k,v}_input` per letter, for the heads whose input changed.
    inputs: [Vec<InputWrite>; 3],
    /// `[hs, K·batch, pos, d_head]`
    qkv: [Tensor<4>; 3],
    /// `[hs, K·rows, d_model]`
    results: Tensor<3>,
}

/// A new `hook_{q,k,v}_input` of `heads`: `[1 (shared by them) or heads, K, rows, d_model]`.
struct InputWrite {
    heads: Vec<usize>,
    value: Tensor<4>,
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
        let mut changed = Changes::default();
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
        if let Some(i) = changed.sum(|s| self.mask.post[s] == 0.0) {
            total = total + restrict(changed.get(i), &self.scored);
        }
        for c in changed.deltas.iter().filter(|c| c.scored) {
            if c.slot == usize::MAX || self.mask.post[c.slot] == 0.0 {
                total = total + c.value.clone();
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
}
