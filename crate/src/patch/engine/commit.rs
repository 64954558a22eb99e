//! Committing a candidate of the last evaluation (its recomputed values replace the current
//! ones, its edges leave the mask), and removing edges nobody reads.

use std::ops::Range;

use burn::prelude::*;
use burn::tensor::IndexingUpdateOp;

use super::Engine;
use crate::graph::Graph;
use crate::patch::mask::Coord;

impl Engine {
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
            for (x, writes) in w.inputs.iter().enumerate() {
                for write in writes {
                    let pick = |i: usize| write.value.clone().slice([i..i + 1, j..j + 1, 0..rows, 0..d]).reshape([1, rows, d]);
                    let shared = write.value.dims()[0] == 1;
                    if shared && write.heads.len() == h {
                        // Every head reads the same new input: it stays one shared tensor.
                        layer.inputs[x] = pick(0);
                        continue;
                    }
                    if layer.inputs[x].dims()[0] == 1 {
                        layer.inputs[x] = take(&mut layer.inputs[x]).expand([h, rows, d]);
                    }
                    for (i, &hd) in write.heads.iter().enumerate() {
                        let value = pick(if shared { 0 } else { i });
                        assign_in_place(&mut layer.inputs[x], [hd..hd + 1, 0..rows, 0..d], value);
                    }
                }
            }
            for (i, &hd) in w.heads.iter().enumerate() {
                for x in 0..3 {
                    let [_, _, _, dh] = w.qkv[x].dims();
                    let value = w.qkv[x].clone().reshape([w.heads.len(), k, batch, pos, dh]);
                    let value = value.slice([i..i + 1, j..j + 1, 0..batch, 0..pos, 0..dh]).reshape([1, batch, pos, dh]);
                    assign_in_place(&mut layer.qkv[x], [hd..hd + 1, 0..batch, 0..pos, 0..dh], value);
                }
                let value = w.results.clone().reshape([w.heads.len(), k, rows, d]);
                let value = value.slice([i..i + 1, j..j + 1, 0..rows, 0..d]).reshape([1, rows, d]);
                assign_in_place(&mut layer.attended.results, [hd..hd + 1, 0..rows, 0..d], value);
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
                mlp.out = assign_rows(take(&mut mlp.out), &self.scored, out);
            } else {
                layer.mlp_in = Some(input);
                mlp.out = out;
            }
        }
        if let Some(f) = &p.final_rows {
            let [kn, d] = f.dims();
            let n = kn / k;
            let value = f.clone().slice([j * n..(j + 1) * n, 0..d]);
            self.current.final_input = assign_rows(take(&mut self.current.final_input), &self.scored, value);
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

/// The tensor in `slot`, leaving an empty one. burn's CPU backend copies a tensor on write while
/// another handle shares its buffer, so writing into `slot.clone()` copied the whole tensor (every
/// head's rows, to replace one head's: a seventh of a small model's ACDC run in the page); taken
/// out of its slot, the buffer is written in place when nothing else holds it.
fn take<const D: usize>(slot: &mut Tensor<D>) -> Tensor<D> {
    let empty = Tensor::empty([0usize; D], &slot.device());
    std::mem::replace(slot, empty)
}

/// `slot[ranges] = value`, in place where `slot`'s buffer is its own ([`take`]).
fn assign_in_place<const D: usize>(slot: &mut Tensor<D>, ranges: [Range<usize>; D], value: Tensor<D>) {
    *slot = take(slot).slice_assign(ranges, value);
}

/// `t` with rows `idx` replaced by `values` `[n, d]` (`select_assign` adds, so add the change).
fn assign_rows(t: Tensor<2>, idx: &Tensor<1, Int>, values: Tensor<2>) -> Tensor<2> {
    let old = t.clone().select(0, idx.clone());
    t.select_assign(0, idx.clone(), values - old, IndexingUpdateOp::Add)
}
