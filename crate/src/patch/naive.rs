//! The slow, obviously-correct patched forward: every receiver's input is assembled sender by
//! sender from the graph's incoming edges (ACDC.md §2), with no dense masks, no caching of layers
//! and no shortcuts. Tests hold the optimised engine to it.

use burn::prelude::*;

use super::cache::RunCache;
use super::forward::PatchEngine;
use super::mask::Layout;
use crate::graph::{EdgeType, Graph, Hook, Node};

/// A sender's output `[batch, pos, d_model]` in one run.
fn sender_value(cache: &RunCache, layout: &Layout, node: &Node) -> Tensor<3> {
    let [b, p, _, d] = cache.embeds.dims();
    let take = |t: &Tensor<4>, i: usize| t.clone().slice([0..b, 0..p, i..i + 1, 0..d]).reshape([b, p, d]);
    match node.hook {
        Hook::ResidPre | Hook::Embed => take(&cache.embeds, 0),
        Hook::PosEmbed => take(&cache.embeds, 1),
        Hook::Result => take(&cache.senders[node.layer], node.head.expect("head")),
        Hook::MlpOut => take(&cache.senders[node.layer], layout.n_heads),
        other => panic!("{other:?} sends no ADDITION edge"),
    }
}

/// The final residual under `removed` (one flag per graph edge), the slow way.
pub fn final_resid_naive(engine: &PatchEngine, graph: &Graph, removed: &[bool]) -> Tensor<3> {
    let model = &engine.model;
    let layout = engine.layout;
    let [b, p, d] = engine.clean.resid_final.dims();
    let h = layout.n_heads;
    // This pass's sender outputs, as they are computed, keyed by node.
    let mut current = RunCache { ..engine.clean.clone() };
    let shortformer_pos = model.embed(Tensor::zeros([b, p], &engine.clean.resid_final.device())).shortformer_pos;
    let b_o: Vec<Tensor<3>> = model.blocks.iter().map(|blk| blk.attn.b_o.val().unsqueeze::<3>()).collect();
    let assemble = |current: &RunCache, r: usize| -> Tensor<3> {
        let mut sum: Tensor<3> = Tensor::zeros([b, p, d], &engine.clean.resid_final.device());
        let mut bias_layers = std::collections::BTreeSet::new();
        for &e in &graph.incoming[r] {
            let edge = graph.edges[e];
            if edge.ty != EdgeType::Addition {
                continue;
            }
            let s = graph.nodes[edge.sender];
            let source = if removed[e] { &engine.corrupt } else { current };
            sum = sum + sender_value(source, &layout, &s);
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
        let inputs: Vec<Tensor<4>> = Hook::INPUTS
            .iter()
            .map(|&hook| {
                let per_head: Vec<Tensor<3>> = (0..h).map(|hd| assemble(&current, id(Node::new(hook, l, Some(hd))))).collect();
                Tensor::stack::<4>(per_head, 2)
            })
            .collect();
        let [qi, ki, vi]: [Tensor<4>; 3] = inputs.try_into().expect("three inputs");
        let (q, k, v) = block.qkv(qi, ki, vi, shortformer_pos.as_ref());
        let mut qkv = [q, k, v];
        let corrupt = [&engine.corrupt.q[l], &engine.corrupt.k[l], &engine.corrupt.v[l]];
        for (x, hook) in Hook::QKV.iter().enumerate() {
            for hd in 0..h {
                let r = id(Node::new(*hook, l, Some(hd)));
                let dc = graph.incoming[r].iter().copied().find(|&e| graph.edges[e].ty == EdgeType::DirectComputation);
                if dc.is_some_and(|e| removed[e]) {
                    let dh = qkv[x].dims()[3];
                    let ranges = [0..b, 0..p, hd..hd + 1, 0..dh];
                    let patch = corrupt[x].clone().slice(ranges.clone());
                    qkv[x] = qkv[x].clone().slice_assign(ranges, patch);
                }
            }
        }
        let [q, k, v] = qkv;
        let out = block.attn.attend(q, k, v);
        let senders = if graph.has_mlp {
            current.senders[l] = Tensor::cat(vec![out.result.clone(), Tensor::zeros([b, p, 1, d], &out.result.device())], 2);
            let mlp_in = assemble(&current, id(Node::new(Hook::MlpIn, l, None)));
            let m = block.mlp_out(mlp_in).expect("an MLP block");
            Tensor::cat(vec![out.result, m.unsqueeze_dim::<4>(2)], 2)
        } else {
            out.result
        };
        current.senders[l] = senders;
    }
    assemble(&current, id(Node::new(Hook::ResidPost, layout.n_layers - 1, None)))
}
