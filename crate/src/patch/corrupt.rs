//! The values removed edges carry: every sender's output (the input node(s), each head's result,
//! each MLP's output) and every head's q/k/v (for removed DIRECT_COMPUTATION edges), from the
//! corrupted run (resample ablation), zero ablation's run, or the corrupted run averaged over its
//! rows per position (mean ablation).

use burn::prelude::*;

use super::Ablation;
use crate::model::Transformer;
use crate::model::pass::{Embeds, Plain, State, ZeroSenders};

/// Removed edges' values, per sender and per head, `[…, rows, d_model]` like a pass's.
#[derive(Debug, Clone)]
pub struct Corrupt {
    /// The input node(s) `[n_embed, rows, d_model]`.
    pub embeds: Tensor<3>,
    /// Per layer: each head's result `[n_heads, rows, d_model]`.
    pub results: Vec<Tensor<3>>,
    /// Per layer: the MLP's output `[rows, d_model]` (MLP models).
    pub mlp_out: Vec<Option<Tensor<2>>>,
    /// Per layer and letter: `attn.hook_{q,k,v}` `[n_heads, batch, pos, d_head]`.
    pub qkv: Vec<[Tensor<4>; 3]>,
}

impl Corrupt {
    /// The values under `ablation`: from a plain pass over `corrupt` (resample, mean) or a pass
    /// over `clean` with every sender zeroed (zero).
    pub fn new(model: &Transformer, ablation: Ablation, clean: &Embeds, corrupt: Embeds) -> Self {
        let run = match ablation {
            Ablation::Zero => model.pass(clean.clone(), &mut ZeroSenders),
            Ablation::Resample | Ablation::Mean => model.pass(corrupt, &mut Plain),
        };
        let values = Self::of(&run);
        if ablation == Ablation::Mean { values.mean_over_rows(run.embeds.batch, run.embeds.pos) } else { values }
    }

    /// The senders' values and q/k/v of one pass.
    pub fn of(run: &State) -> Self {
        Self {
            embeds: run.embeds.nodes.clone(),
            results: run.layers.iter().map(|l| l.results().clone()).collect(),
            mlp_out: run.layers.iter().map(|l| l.mlp_out().cloned()).collect(),
            qkv: run.layers.iter().map(|l| l.qkv.clone()).collect(),
        }
    }

    /// Each value replaced by its mean over the batch, per position, broadcast back to every row.
    fn mean_over_rows(self, batch: usize, pos: usize) -> Self {
        self.sum_over_rows(batch, pos).scale(1.0 / batch as f64).broadcast(batch, pos)
    }

    /// Each value summed over the batch, per position: one row of `pos` positions.
    pub fn sum_over_rows(self, batch: usize, pos: usize) -> Self {
        let rows3 = |t: Tensor<3>| {
            let [n, _, d] = t.dims();
            t.reshape([n, batch, pos, d]).sum_dim(1).reshape([n, pos, d])
        };
        let rows2 = |t: Tensor<2>| rows3(t.unsqueeze::<3>()).squeeze_dim::<2>(0);
        Self {
            embeds: rows3(self.embeds),
            results: self.results.into_iter().map(rows3).collect(),
            mlp_out: self.mlp_out.into_iter().map(|m| m.map(rows2)).collect(),
            qkv: self.qkv.into_iter().map(|qkv| qkv.map(|t| t.sum_dim(1))).collect(),
        }
    }

    /// Every value times `factor`.
    pub fn scale(self, factor: f64) -> Self {
        Self {
            embeds: self.embeds * factor,
            results: self.results.into_iter().map(|t| t * factor).collect(),
            mlp_out: self.mlp_out.into_iter().map(|m| m.map(|t| t * factor)).collect(),
            qkv: self.qkv.into_iter().map(|qkv| qkv.map(|t| t * factor)).collect(),
        }
    }

    /// The sum of two sets of values of the same shapes.
    pub fn add(self, other: Self) -> Self {
        Self {
            embeds: self.embeds + other.embeds,
            results: self.results.into_iter().zip(other.results).map(|(a, b)| a + b).collect(),
            mlp_out: self.mlp_out.into_iter().zip(other.mlp_out).map(|(a, b)| a.zip(b).map(|(a, b)| a + b)).collect(),
            qkv: self.qkv.into_iter().zip(other.qkv).map(|(a, b)| [0, 1, 2].map(|x| a[x].clone() + b[x].clone())).collect(),
        }
    }

    /// One row of per-position values repeated for `batch` rows.
    pub fn broadcast(self, batch: usize, pos: usize) -> Self {
        let rows3 = |t: Tensor<3>| {
            let [n, _, d] = t.dims();
            t.unsqueeze_dim::<4>(1).expand([n, batch, pos, d]).reshape([n, batch * pos, d])
        };
        let rows2 = |t: Tensor<2>| rows3(t.unsqueeze::<3>()).squeeze_dim::<2>(0);
        let heads4 = |t: Tensor<4>| {
            let [h, _, p, dh] = t.dims();
            t.expand([h, batch, p, dh])
        };
        Self {
            embeds: rows3(self.embeds),
            results: self.results.into_iter().map(rows3).collect(),
            mlp_out: self.mlp_out.into_iter().map(|m| m.map(rows2)).collect(),
            qkv: self.qkv.into_iter().map(|qkv| qkv.map(heads4)).collect(),
        }
    }

    /// A sender slot's value (`patch::mask::Layout`'s numbering) `[rows, d_model]`.
    pub fn slot(&self, layout: &super::mask::Layout, slot: usize) -> Tensor<2> {
        slot_value(layout, slot, &self.embeds, &self.results, &self.mlp_out)
    }
}

/// Sender slot `slot`'s value in a pass's (or the corrupted values') blocks.
pub fn slot_value(
    layout: &super::mask::Layout,
    slot: usize,
    embeds: &Tensor<3>,
    results: &[Tensor<3>],
    mlp_out: &[Option<Tensor<2>>],
) -> Tensor<2> {
    let row = |t: &Tensor<3>, i: usize| {
        let [_, rows, d] = t.dims();
        t.clone().slice([i..i + 1, 0..rows, 0..d]).reshape([rows, d])
    };
    if slot < layout.n_embed {
        return row(embeds, slot);
    }
    let (l, i) = ((slot - layout.n_embed) / layout.per_layer(), (slot - layout.n_embed) % layout.per_layer());
    if i < layout.n_heads { row(&results[l], i) } else { mlp_out[l].clone().expect("an MLP layer") }
}
