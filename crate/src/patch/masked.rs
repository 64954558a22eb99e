//! A whole forward pass under a mask, through the model's one pass. A receiver's input is the live
//! residual of this pass plus, for its removed edges, `corrupt(s) − current(s)`
//! (docs/patching.md): one small matmul per receiver group, `removed[receivers, senders] @
//! delta[senders, rows·d_model]`, over the sender blocks computed so far. Layers below the
//! earliest receiver with a removed edge are the clean run's, so the pass starts there.

use burn::prelude::*;

use super::corrupt::Corrupt;
use super::mask::{PatchMask, Start, earliest_start};
use crate::model::Transformer;
use crate::model::pass::{Inject, State};

/// `Σ_cols weights[r, cols] · blocks[cols]` over the sender blocks (`[senders_i, N]` each, read
/// left to right up to `width` columns): `[rows, N]`, or `None` when every weight is 0.
pub fn combine(weights: &[f32], rows: usize, width: usize, blocks: &[Tensor<2>]) -> Option<Tensor<2>> {
    let mut total: Option<Tensor<2>> = None;
    let mut offset = 0;
    for block in blocks {
        if offset >= width {
            break;
        }
        let [s, n] = block.dims();
        let take = s.min(width - offset);
        let sub: Vec<f32> = (0..rows).flat_map(|r| weights[r * width + offset..r * width + offset + take].iter().copied()).collect();
        if sub.iter().any(|&x| x != 0.0) {
            let m = Tensor::<2>::from_data(TensorData::new(sub, [rows, take]), &block.device());
            let block = if take == s { block.clone() } else { block.clone().slice([0..take, 0..n]) };
            let term = m.matmul(block);
            total = Some(match total {
                Some(t) => t + term,
                None => term,
            });
        }
        offset += take;
    }
    total
}

/// Injects a mask's removed edges into a pass.
pub struct Masked<'a> {
    mask: &'a PatchMask,
    corrupt: &'a Corrupt,
    /// `corrupt − current` of every sender computed so far, `[senders, rows·d_model]` blocks in
    /// slot order: the input node(s), then per layer its heads and its MLP.
    deltas: Vec<Tensor<2>>,
    rows: usize,
    d_model: usize,
}

impl<'a> Masked<'a> {
    /// `embeds` are this pass's input nodes `[n_embed, rows, d_model]`.
    pub fn new(mask: &'a PatchMask, corrupt: &'a Corrupt, embeds: &Tensor<3>) -> Self {
        let [n, rows, d_model] = embeds.dims();
        let deltas = vec![(corrupt.embeds.clone() - embeds.clone()).reshape([n, rows * d_model])];
        Self { mask, corrupt, deltas, rows, d_model }
    }

    fn patch(&self, weights: &[f32], receivers: usize, width: usize) -> Option<Tensor<2>> {
        combine(weights, receivers, width, &self.deltas)
    }
}

impl Inject for Masked<'_> {
    fn head_inputs(&mut self, l: usize, resid: &Tensor<2>) -> [Tensor<3>; 3] {
        let (h, width) = (self.mask.layout.n_heads, self.mask.layout.slots_before(l));
        let shared = resid.clone().unsqueeze::<3>();
        std::array::from_fn(|x| match self.patch(&self.mask.qkv[l][x], h, width) {
            Some(p) => shared.clone() + p.reshape([h, self.rows, self.d_model]),
            None => shared.clone(),
        })
    }

    fn qkv(&mut self, l: usize, letter: usize, x: Tensor<4>) -> Tensor<4> {
        let removed = &self.mask.dc[l][letter];
        if !removed.iter().any(|&r| r) {
            return x;
        }
        // A removed q_input → q edge gives that head the corrupted run's q.
        let sel: Vec<f32> = removed.iter().map(|&r| if r { 1.0 } else { 0.0 }).collect();
        let sel = Tensor::<4>::from_data(TensorData::new(sel, [removed.len(), 1, 1, 1]), &x.device());
        x * (sel.clone().neg() + 1.0) + self.corrupt.qkv[l][letter].clone() * sel
    }

    fn heads_done(&mut self, l: usize, results: &Tensor<3>) {
        let [h, rows, d] = results.dims();
        self.deltas.push((self.corrupt.results[l].clone() - results.clone()).reshape([h, rows * d]));
    }

    fn mlp_input(&mut self, l: usize, mid: &Tensor<2>) -> Tensor<2> {
        match self.patch(&self.mask.mlp_in[l], 1, self.mask.layout.mlp_width(l)) {
            Some(p) => mid.clone() + p.reshape([self.rows, self.d_model]),
            None => mid.clone(),
        }
    }

    fn mlp_done(&mut self, l: usize, out: &Tensor<2>) {
        let corrupt = self.corrupt.mlp_out[l].clone().expect("an MLP layer");
        self.deltas.push((corrupt - out.clone()).reshape([1, self.rows * self.d_model]));
    }

    fn final_input(&mut self, resid: &Tensor<2>) -> Tensor<2> {
        match self.patch(&self.mask.post, 1, self.mask.layout.total_slots()) {
            Some(p) => resid.clone() + p.reshape([self.rows, self.d_model]),
            None => resid.clone(),
        }
    }
}

/// The pass under `mask`, from `clean` (the clean run's pass, whose layers below the first
/// touched one it reuses). `full_pass` starts at layer 0 (the benchmark's baseline).
pub fn masked_pass(model: &Transformer, clean: &State, corrupt: &Corrupt, mask: &PatchMask, full_pass: bool) -> State {
    let first = match earliest_start(mask) {
        _ if full_pass => 0,
        Start::Layer(l) | Start::Mlp(l) => l,
        Start::Final => mask.layout.n_layers,
    };
    let mut inject = Masked::new(mask, corrupt, &clean.embeds.nodes);
    model.pass_from(clean.embeds.clone(), &mut inject, Some((clean, first)))
}
