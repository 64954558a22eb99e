//! The one forward pass. Every receiver's input — each head's q, k and v input, each MLP's input,
//! the final residual — goes through an [`Inject`], so the same loop is the model's plain pass
//! (nothing injected: [`Plain`]), the recorded clean and corrupted runs the patching engine
//! caches, zero ablation's run (senders zeroed) and a patched pass (removed edges' values
//! injected, `patch::masked`). Every layer's state is kept in the returned [`State`]: the
//! incremental engine recomputes from it, the backward pass differentiates through it, and
//! `run_with_cache` reads TransformerLens's hooks off it.
//!
//! Rows are flat: `rows = batch · pos`. Per-head tensors are head-major (`[heads, …]`).

use burn::prelude::*;

use super::attention::{Attended, Heads};
use super::mlp::MlpOutput;
use super::transformer::Transformer;

/// What a pass asks at each receiver. Every method has the plain model's answer as its default.
pub trait Inject {
    /// Zero every sender's output (the embedding, each head's result, each MLP's output): zero
    /// ablation's "corrupted" run. Attention output biases survive; a shortformer's position
    /// embedding (outside the graph) too.
    fn zero_senders(&self) -> bool {
        false
    }

    /// `hook_{q,k,v}_input` of layer `l`'s heads, head-major `[n_heads or 1, rows, d_model]`, from
    /// the live residual `resid` `[rows, d_model]`. The default: every head reads the residual.
    fn head_inputs(&mut self, _l: usize, resid: &Tensor<2>) -> [Tensor<3>; 3] {
        let x = resid.clone().unsqueeze::<3>();
        [x.clone(), x.clone(), x]
    }

    /// `attn.hook_{q,k,v}` of layer `l` (`letter` 0, 1, 2) as the heads will use them,
    /// `[n_heads, batch, pos, d_head]`: a removed DIRECT_COMPUTATION edge swaps a head's value.
    fn qkv(&mut self, _l: usize, _letter: usize, x: Tensor<4>) -> Tensor<4> {
        x
    }

    /// Layer `l`'s heads' results `[n_heads, rows, d_model]` as the residual receives them.
    fn heads_done(&mut self, _l: usize, _results: &Tensor<3>) {}

    /// `hook_mlp_in` of layer `l` from the live residual after attention `[rows, d_model]`.
    fn mlp_input(&mut self, _l: usize, mid: &Tensor<2>) -> Tensor<2> {
        mid.clone()
    }

    /// Layer `l`'s `hook_mlp_out` `[rows, d_model]` as the residual receives it.
    fn mlp_done(&mut self, _l: usize, _out: &Tensor<2>) {}

    /// `blocks.{L-1}.hook_resid_post` as the unembedding reads it, from the live residual.
    fn final_input(&mut self, resid: &Tensor<2>) -> Tensor<2> {
        resid.clone()
    }
}

/// The model as it is: nothing injected.
pub struct Plain;
impl Inject for Plain {}

/// Zero ablation's run: every sender's output is zero.
pub struct ZeroSenders;
impl Inject for ZeroSenders {
    fn zero_senders(&self) -> bool {
        true
    }
}

/// A batch's embedding, split as the graph's input nodes see it.
#[derive(Debug, Clone)]
pub struct Embeds {
    /// The input nodes' outputs `[n_embed, rows, d_model]`: `blocks.0.hook_resid_pre` (token plus
    /// position embedding; the token embedding alone for a shortformer), or `hook_embed` and
    /// `hook_pos_embed` (the graph's `use_pos_embed` variant).
    pub nodes: Tensor<3>,
    /// The position embedding a shortformer adds to queries and keys `[rows, d_model]`.
    pub shortformer_pos: Option<Tensor<2>>,
    pub batch: usize,
    pub pos: usize,
}

impl Embeds {
    /// The residual entering layer 0: the input nodes summed `[rows, d_model]`.
    pub fn resid(&self) -> Tensor<2> {
        let [n, rows, d] = self.nodes.dims();
        if n == 1 { self.nodes.clone().reshape([rows, d]) } else { self.nodes.clone().sum_dim(0).reshape([rows, d]) }
    }

    pub fn rows(&self) -> usize {
        self.batch * self.pos
    }
}

/// One layer of a pass.
#[derive(Debug, Clone)]
pub struct LayerState {
    /// The live residual entering the layer (`hook_resid_pre`) `[rows, d_model]`: every current
    /// sender's output plus the attention biases of the layers below, before any injection.
    pub resid_pre: Tensor<2>,
    /// `hook_{q,k,v}_input` per letter, `[n_heads or 1, rows, d_model]` (1: shared by every head).
    pub inputs: [Tensor<3>; 3],
    /// `attn.hook_{q,k,v}` per letter as the heads used them, `[n_heads, batch, pos, d_head]`.
    pub qkv: [Tensor<4>; 3],
    pub attended: Attended,
    /// `resid_pre + Σ results + b_O` `[rows, d_model]`.
    pub resid_mid: Tensor<2>,
    /// `hook_mlp_in` and what the MLP computed from it (MLP models only).
    pub mlp_in: Option<Tensor<2>>,
    pub mlp: Option<MlpOutput>,
    /// The live residual leaving the layer `[rows, d_model]`.
    pub resid_post: Tensor<2>,
}

impl LayerState {
    /// Each head's result as the residual received it (zero in zero ablation's run).
    pub fn results(&self) -> &Tensor<3> {
        &self.attended.results
    }

    /// The MLP's output as the residual received it.
    pub fn mlp_out(&self) -> Option<&Tensor<2>> {
        self.mlp.as_ref().map(|m| &m.out)
    }
}

/// Everything one pass computed.
#[derive(Debug, Clone)]
pub struct State {
    pub embeds: Embeds,
    pub layers: Vec<LayerState>,
    /// `blocks.{L-1}.hook_resid_post` as the unembedding reads it `[rows, d_model]`.
    pub final_input: Tensor<2>,
}

impl Transformer {
    /// The forward pass from `embeds`, every receiver's input through `inject`.
    pub fn pass(&self, embeds: Embeds, inject: &mut impl Inject) -> State {
        self.pass_from(embeds, inject, None)
    }

    /// The same, taking layers below `first` from `base` as they are (a pass that changes
    /// nothing there): `inject` is told their senders as if it had computed them.
    pub fn pass_from(&self, embeds: Embeds, inject: &mut impl Inject, from: Option<(&State, usize)>) -> State {
        let zero = inject.zero_senders();
        let embeds = if zero { Embeds { nodes: embeds.nodes.zeros_like(), ..embeds } } else { embeds };
        let (batch, pos) = (embeds.batch, embeds.pos);
        let mut resid = embeds.resid();
        let mut layers = Vec::with_capacity(self.blocks.len());
        let first = from.map_or(0, |(_, first)| first.min(self.blocks.len()));
        if let Some((base, _)) = from {
            for layer in &base.layers[..first] {
                inject.heads_done(layers.len(), layer.results());
                if let Some(out) = layer.mlp_out() {
                    inject.mlp_done(layers.len(), out);
                }
                resid = layer.resid_post.clone();
                layers.push(layer.clone());
            }
        }
        for (l, block) in self.blocks.iter().enumerate().skip(first) {
            let inputs = inject.head_inputs(l, &resid);
            let pos_embed = embeds.shortformer_pos.as_ref();
            let qkv: [Tensor<4>; 3] = std::array::from_fn(|x| {
                let projected = block.qkv(x, inputs[x].clone(), Heads::All, batch, pos_embed);
                inject.qkv(l, x, projected)
            });
            let [q, k, v] = qkv.clone();
            let mut attended = block.attn.attend(q, k, v, Heads::All);
            if zero {
                attended.results = attended.results.zeros_like();
            }
            inject.heads_done(l, &attended.results);
            let resid_mid = resid.clone() + block.attn.attn_out(attended.results.clone());
            let (mlp_in, mlp, resid_post) = if block.mlp.is_some() {
                let mlp_in = inject.mlp_input(l, &resid_mid);
                let mut out = block.mlp(mlp_in.clone()).expect("an MLP block");
                if zero {
                    out.out = out.out.zeros_like();
                }
                inject.mlp_done(l, &out.out);
                let post = resid_mid.clone() + out.out.clone();
                (Some(mlp_in), Some(out), post)
            } else {
                (None, None, resid_mid.clone())
            };
            layers.push(LayerState { resid_pre: resid, inputs, qkv, attended, resid_mid, mlp_in, mlp, resid_post: resid_post.clone() });
            resid = resid_post;
        }
        let final_input = inject.final_input(&resid);
        debug_assert_eq!(final_input.dims()[0], batch * pos);
        State { embeds, layers, final_input }
    }
}
