//! Views that answer "why" about a head or an edge, each from real forward passes:
//! - the logit lens: the residual stream entering each layer read through the final LayerNorm and
//!   the unembedding, per position;
//! - a head's direct effect on the logits (direct logit attribution): its output at a position
//!   through the unembedding (the final LayerNorm's scale taken from that position's final
//!   residual, as TransformerLens's `apply_ln_to_stack` does), the tokens it promotes and
//!   suppresses most;
//! - an edge into a head's query or key: that head's attention on a row with the edge present and
//!   with it removed (patched from the corrupted run), and which keys gain or lose attention.

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::graph::{Graph, Hook};
use crate::model::LoadedModel;
use crate::model::pass::{Plain, State};
use crate::patch::corrupt::Corrupt;
use crate::patch::mask::PatchMask;
use crate::patch::masked::masked_pass;
use crate::patch::Ablation;

/// A token and a number about it (a logit, a probability, a change of attention).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TokenScore {
    pub id: u32,
    pub token: String,
    pub value: f32,
}

/// One layer of the logit lens: per position, the most likely next tokens `[pos][k]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LensLayer {
    /// `embed`, `after A0` (attention), `after MLP 0`, …, `logits`.
    pub label: String,
    pub top: Vec<Vec<TokenScore>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LogitLens {
    pub tokens: Vec<String>,
    pub layers: Vec<LensLayer>,
}

/// What one head writes to the logits at each position of a row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HeadLogits {
    pub tokens: Vec<String>,
    /// Per position: the tokens whose logits the head raises most, and lowers most.
    pub promoted: Vec<Vec<TokenScore>>,
    pub suppressed: Vec<Vec<TokenScore>>,
}

/// A head's attention on one row with an edge into it present and removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EdgeAttention {
    pub tokens: Vec<String>,
    /// `[query][key]`
    pub present: Vec<Vec<f32>>,
    pub removed: Vec<Vec<f32>>,
    /// At the last position: the keys whose attention changes most (removed − present).
    pub changes: Vec<TokenScore>,
}

async fn read(t: Tensor<2>) -> Result<Vec<f32>> {
    let data = t.into_data_async().await.map_err(|e| Error::Device(format!("{e:?}")))?;
    data.try_to_vec().map_err(|e| Error::Device(format!("{e:?}")))
}

/// The `k` largest values of `row` (the lowest ids first on ties), as scored tokens.
fn top(model: &LoadedModel, row: &[f32], k: usize, largest: bool) -> Vec<TokenScore> {
    let mut order: Vec<usize> = (0..row.len()).collect();
    order.sort_by(|&a, &b| if largest { row[b].total_cmp(&row[a]) } else { row[a].total_cmp(&row[b]) }.then(a.cmp(&b)));
    order.into_iter().take(k).map(|i| TokenScore { id: i as u32, token: model.token_text(i as u32), value: row[i] }).collect()
}

fn plain(model: &LoadedModel, ids: &[u32]) -> Result<State> {
    let t = &model.transformer;
    Ok(t.pass(t.embeds(model.tokens(&[ids.to_vec()])?, false, None), &mut Plain))
}

/// The logit lens of one row: `k` tokens per position and layer.
pub async fn logit_lens(model: &LoadedModel, ids: &[u32], k: usize) -> Result<LogitLens> {
    let state = plain(model, ids)?;
    let mut stages: Vec<(String, Tensor<2>)> = vec![];
    for (l, layer) in state.layers.iter().enumerate() {
        stages.push((if l == 0 { "embed".into() } else { format!("before layer {l}") }, layer.resid_pre.clone()));
        if layer.mlp.is_some() {
            stages.push((format!("after A{l}"), layer.resid_mid.clone()));
        }
    }
    stages.push(("logits".into(), state.final_input.clone()));
    let p = ids.len();
    let mut layers = vec![];
    for (label, resid) in stages {
        let logits = read(model.transformer.unembed(resid)).await?;
        let vocab = logits.len() / p;
        let top = (0..p).map(|q| top(model, &logits[q * vocab..(q + 1) * vocab], k, true)).collect();
        layers.push(LensLayer { label, top });
    }
    Ok(LogitLens { tokens: ids.iter().map(|&i| model.token_text(i)).collect(), layers })
}

/// Head `layer.head`'s direct effect on the logits at each position of one row.
pub async fn head_logits(model: &LoadedModel, ids: &[u32], layer: usize, head: usize, k: usize) -> Result<HeadLogits> {
    if layer >= model.config.n_layers || head >= model.config.n_heads {
        return Err(Error::Invalid(format!("no head {layer}.{head} in this model")));
    }
    let state = plain(model, ids)?;
    let t = &model.transformer;
    let p = ids.len();
    let d = model.config.d_model;
    let result = state.layers[layer].results().clone().slice([head..head + 1, 0..p, 0..d]).reshape([p, d]);
    // The final LayerNorm's scale at each position, applied to the head's (centred) output.
    let resid = state.final_input;
    let direct = if t.ln_final.normalize {
        let centred = resid.clone() - resid.clone().mean_dim(1);
        let sigma = (centred.clone() * centred).mean_dim(1).add_scalar(t.ln_final.eps).sqrt();
        let out = (result.clone() - result.mean_dim(1)) / sigma;
        match &t.ln_final.w {
            Some(w) => out * w.val().unsqueeze::<2>(),
            None => out,
        }
    } else {
        result
    };
    let logits = read(direct.matmul(t.w_u_t.val().transpose())).await?;
    let vocab = logits.len() / p;
    let rows = |largest| (0..p).map(|q| top(model, &logits[q * vocab..(q + 1) * vocab], k, largest)).collect();
    Ok(HeadLogits { tokens: ids.iter().map(|&i| model.token_text(i)).collect(), promoted: rows(true), suppressed: rows(false) })
}

/// The receiving head's attention on `row` of `clean` with ADDITION edge `edge` (into a q or k
/// input) present and removed, under `ablation` (`corrupt`: the corrupted rows).
pub async fn edge_attention(
    model: &LoadedModel,
    graph: &Graph,
    clean: &[Vec<u32>],
    corrupt: &[Vec<u32>],
    ablation: Ablation,
    edge: usize,
    row: usize,
) -> Result<EdgeAttention> {
    let receiver = graph.nodes[graph.edges.get(edge).ok_or_else(|| Error::Invalid(format!("no edge {edge}")))?.receiver];
    if !matches!(receiver.hook, Hook::QInput | Hook::KInput) {
        return Err(Error::Invalid("only an edge into a head's query or key changes where it attends".into()));
    }
    let (layer, head) = (receiver.layer, receiver.head.expect("a head"));
    let t = &model.transformer;
    let clean_embeds = t.embeds(model.tokens(clean)?, graph.use_pos_embed, None);
    let clean_state = t.pass(clean_embeds.clone(), &mut Plain);
    let corrupt_values = Corrupt::new(t, ablation, &clean_embeds, t.embeds(model.tokens(corrupt)?, graph.use_pos_embed, None));
    let mut removed = vec![false; graph.edges.len()];
    removed[edge] = true;
    let mask = PatchMask::from_removed(graph, &removed);
    let patched = masked_pass(t, &clean_state, &corrupt_values, &mask, false);
    let p = clean[0].len();
    let pattern = |s: &State| s.layers[layer].attended.pattern.clone().slice([head..head + 1, row..row + 1, 0..p, 0..p]).reshape([p, p]);
    let (present, after) = (read(pattern(&clean_state)).await?, read(pattern(&patched)).await?);
    let last = (p - 1) * p;
    let change: Vec<f32> = (0..p).map(|k| after[last + k] - present[last + k]).collect();
    let mut order: Vec<usize> = (0..p).collect();
    order.sort_by(|&a, &b| change[b].abs().total_cmp(&change[a].abs()).then(a.cmp(&b)));
    let tokens: Vec<String> = clean[row].iter().map(|&i| model.token_text(i)).collect();
    let changes = order.into_iter().take(5).map(|k| TokenScore { id: clean[row][k], token: format!("{} (position {k})", tokens[k]), value: change[k] }).collect();
    Ok(EdgeAttention {
        present: present.chunks(p).map(<[f32]>::to_vec).collect(),
        removed: after.chunks(p).map(<[f32]>::to_vec).collect(),
        changes,
        tokens,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::{block_on, cpu};

    fn model() -> LoadedModel {
        LoadedModel::from_dir(&crate::manifest_dir!().join("../models/induction-2l"), &cpu()).unwrap()
    }

    #[test]
    fn the_logit_lens_ends_at_the_models_own_prediction() {
        let model = model();
        let ids: Vec<u32> = vec![1, 9, 16, 23, 9, 16];
        let lens = block_on(logit_lens(&model, &ids, 3)).unwrap();
        assert_eq!(lens.layers.first().unwrap().label, "embed");
        let prediction = crate::predict::predict(&model, &ids, 1).unwrap();
        assert_eq!(lens.layers.last().unwrap().top[5][0].id, prediction.top[0].id);
    }

    #[test]
    fn a_heads_direct_effects_sum_with_the_others_to_the_logits() {
        // Linear in the heads up to the biases: the head's promoted list is ordered and sized.
        let model = model();
        let out = block_on(head_logits(&model, &[1, 9, 16, 23, 9, 16], 1, 5, 4)).unwrap();
        assert_eq!(out.promoted.len(), 6);
        assert!(out.promoted[5].windows(2).all(|w| w[0].value >= w[1].value));
        assert!(out.suppressed[5].windows(2).all(|w| w[0].value <= w[1].value));
        assert!(out.promoted[5][0].value > out.suppressed[5][0].value);
    }

    #[test]
    fn removing_an_edge_into_a_key_moves_that_heads_attention() {
        let model = model();
        let graph = Graph::new(&model.config, false);
        let clean = vec![vec![1u32, 9, 16, 23, 9, 16], vec![2, 8, 15, 22, 8, 15]];
        let corrupt = vec![clean[1].clone(), clean[0].clone()];
        // Previous-token head A0.? → induction head A1.5's key.
        let edge = (0..graph.edges.len())
            .find(|&e| {
                let (s, r) = (graph.nodes[graph.edges[e].sender], graph.nodes[graph.edges[e].receiver]);
                s.hook == Hook::ResidPre && r.hook == Hook::KInput && r.layer == 1 && r.head == Some(5)
            })
            .unwrap();
        let out = block_on(edge_attention(&model, &graph, &clean, &corrupt, Ablation::Resample, edge, 0)).unwrap();
        assert_eq!(out.present.len(), 6);
        let moved: f32 = out.present[5].iter().zip(&out.removed[5]).map(|(a, b)| (a - b).abs()).sum();
        assert!(moved > 1e-4, "the key's input changed, so did the attention: {moved}");
        let row_sum: f32 = out.removed[5].iter().sum();
        assert!((row_sum - 1.0).abs() < 1e-4);
    }
}
