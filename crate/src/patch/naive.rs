//! The slow, obviously-correct patched forward: every receiver's input is assembled sender by
//! sender from the graph's incoming edges (docs/patching.md), with no dense masks, no caching of
//! layers and no shortcuts. Tests hold the masked pass and the incremental engine to it.

use burn::prelude::*;

use super::corrupt::{Corrupt, slot_value};
use super::engine::Engine;
use crate::graph::{EdgeType, Graph, Hook, Node};
use crate::model::attention::Heads;

/// The final residual `[rows, d_model]` under `removed` (one flag per graph edge), the slow way.
pub fn final_resid_naive(engine: &Engine, graph: &Graph, removed: &[bool]) -> Tensor<2> {
    let model = &engine.model;
    let layout = engine.layout;
    let clean = &engine.clean;
    let (batch, h) = (clean.embeds.batch, layout.n_heads);
    let [rows, d] = clean.final_input.dims();
    let device = clean.final_input.device();
    let b_o: Vec<Tensor<2>> = model.blocks.iter().map(|blk| blk.attn.b_o.val().unsqueeze::<2>()).collect();
    // This pass's sender outputs as they are computed (input nodes first).
    let mut current = Corrupt { embeds: clean.embeds.nodes.clone(), results: vec![], mlp_out: vec![], qkv: vec![] };
    let assemble = |current: &Corrupt, r: usize| -> Tensor<2> {
        let mut sum: Tensor<2> = Tensor::zeros([rows, d], &device);
        let mut bias_layers = std::collections::BTreeSet::new();
        for &e in &graph.incoming[r] {
            let edge = graph.edges[e];
            if edge.ty != EdgeType::Addition {
                continue;
            }
            let s = graph.nodes[edge.sender];
            let source = if removed[e] { &engine.corrupt } else { current };
            let slot = layout.slot(&s);
            sum = sum + slot_value(&layout, slot, &source.embeds, &source.results, &source.mlp_out);
            if s.hook == Hook::Result {
                bias_layers.insert(s.layer);
            }
        }
        for l in bias_layers {
            sum = sum + b_o[l].clone();
        }
        sum
    };
    let id = |node: Node| graph.node_id(&node).expect("node in graph");
    for (l, block) in model.blocks.iter().enumerate() {
        let mut qkv: Vec<Tensor<4>> = Hook::INPUTS
            .iter()
            .enumerate()
            .map(|(x, &hook)| {
                let per_head: Vec<Tensor<2>> = (0..h).map(|hd| assemble(&current, id(Node::new(hook, l, Some(hd))))).collect();
                block.qkv(x, Tensor::stack::<3>(per_head, 0), Heads::All, batch, clean.embeds.shortformer_pos.as_ref())
            })
            .collect();
        for (x, hook) in Hook::QKV.iter().enumerate() {
            for hd in 0..h {
                let r = id(Node::new(*hook, l, Some(hd)));
                let dc = graph.incoming[r].iter().copied().find(|&e| graph.edges[e].ty == EdgeType::DirectComputation);
                if dc.is_some_and(|e| removed[e]) {
                    let [_, b, p, dh] = qkv[x].dims();
                    let ranges = [hd..hd + 1, 0..b, 0..p, 0..dh];
                    let patch = engine.corrupt.qkv[l][x].clone().slice(ranges.clone());
                    qkv[x] = qkv[x].clone().slice_assign(ranges, patch);
                }
            }
        }
        let [q, k, v]: [Tensor<4>; 3] = qkv.try_into().expect("three");
        let results = block.attn.attend(q, k, v, Heads::All).results;
        current.results.push(results);
        if graph.has_mlp {
            current.mlp_out.push(Some(Tensor::zeros([rows, d], &device)));
            let mlp_in = assemble(&current, id(Node::new(Hook::MlpIn, l, None)));
            current.mlp_out[l] = Some(block.mlp(mlp_in).expect("an MLP block").out);
        } else {
            current.mlp_out.push(None);
        }
    }
    assemble(&current, id(Node::new(Hook::ResidPost, layout.n_layers - 1, None)))
}
