//! The backward pass, by hand: the gradient of the metric with respect to every ADDITION
//! receiver's input (`hook_{q,k,v}_input` of each head, each `hook_mlp_in`, the final
//! `hook_resid_post`) on a plain pass. A receiver's gradient flows only through that receiver
//! (a head's q input through that head's query), as TransformerLens's split-input hooks give it;
//! the residual stream carries the sum of them down. Hand-written rather than burn's autodiff so
//! that the page's wasm stays small and every device runs it.

use burn::prelude::*;
use burn::tensor::IndexingUpdateOp;

use crate::metric::Metric;
use crate::model::Transformer;
use crate::model::pass::State;

/// Receiver gradients, handed over as the backward pass reaches them.
pub enum Grads {
    /// `∂M/∂blocks.{L-1}.hook_resid_post` `[rows, d_model]`.
    Final(Tensor<2>),
    Layer(LayerGrads),
}

/// One layer's receiver gradients, `[…, rows, d_model]`.
pub struct LayerGrads {
    pub layer: usize,
    /// Per letter: `∂M/∂hook_{q,k,v}_input` `[n_heads, rows, d_model]`.
    pub qkv: [Tensor<3>; 3],
    /// `∂M/∂hook_mlp_in` `[rows, d_model]` (MLP models).
    pub mlp_in: Option<Tensor<2>>,
}

/// Gradients of `metric` on `state` (a plain pass): the final residual's, then each layer's
/// receivers from the top, handed to `visit` as they are computed (so a caller can use them and
/// let them go). `scored` are the metric's flat row indices.
pub fn receiver_grads(
    model: &Transformer,
    state: &State,
    metric: &Metric,
    scored: &Tensor<1, Int>,
    mut visit: impl FnMut(Grads),
) {
    let [rows, d] = state.final_input.dims();
    let at_scored = state.final_input.clone().select(0, scored.clone());
    let logits = model.unembed(at_scored.clone());
    let g_logits = metric.grad(logits);
    let g_normed = g_logits.matmul(model.w_u_t.val());
    let g_rows = model.ln_final.backward(at_scored, g_normed);
    // Scatter back to every row (`Add`: a pair scored twice counts twice).
    let mut g = Tensor::<2>::zeros([rows, d], &g_rows.device()).select_assign(0, scored.clone(), g_rows, IndexingUpdateOp::Add);
    visit(Grads::Final(g.clone()));
    for (l, layer) in state.layers.iter().enumerate().rev() {
        let block = &model.blocks[l];
        let mlp_in = match (&layer.mlp_in, &layer.mlp) {
            (Some(input), Some(m)) => block.mlp_backward(input.clone(), m.pre.clone(), g.clone()),
            _ => None,
        };
        let g_mid = match &mlp_in {
            Some(gm) => g.clone() + gm.clone(),
            None => g.clone(),
        };
        let [q, k, v] = layer.qkv.clone();
        let g_qkv = block.attn.backward(q, k, v, layer.attended.pattern.clone(), g_mid.clone());
        let qkv: [Tensor<3>; 3] = std::array::from_fn(|x| block.qkv_backward(x, layer.inputs[x].clone(), g_qkv[x].clone()));
        g = qkv.iter().fold(g_mid, |acc, t| acc + t.clone().sum_dim(0).reshape([rows, d]));
        visit(Grads::Layer(LayerGrads { layer: l, qkv, mlp_in }));
    }
}
