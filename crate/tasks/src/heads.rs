//! Per-head attention diagnostics on induction data (Olsson et al. 2022): the previous-token
//! score (mean attention from position t to t − 1) and the induction score (mean attention from a
//! repeated token to the token after its previous occurrence, t − k + 1 for period k).

use serde::Serialize;

use circuitscope::error::Result;
use circuitscope::model::{Activation, LoadedModel};
use crate::induction::InductionBatch;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HeadScore {
    pub layer: usize,
    pub head: usize,
    pub prev_token: f64,
    pub induction: f64,
}

/// Scores every head on `batch` (one forward pass with the cache; blocking read-back).
pub fn induction_head_scores(model: &LoadedModel, batch: &InductionBatch) -> Result<Vec<HeadScore>> {
    let (_, cache) = model.transformer.run_with_cache(model.tokens(&batch.tokens)?);
    let mut scores = Vec::new();
    for layer in 0..model.config.n_layers {
        let Some(Activation::Rank4(pattern)) = cache.get(&format!("blocks.{layer}.attn.hook_pattern")) else {
            continue;
        };
        let [rows, heads, pos, _] = pattern.dims();
        let p = Activation::Rank4(pattern.clone()).to_vec();
        let at = |r: usize, h: usize, q: usize, k: usize| p[((r * heads + h) * pos + q) * pos + k] as f64;
        for head in 0..heads {
            let (mut prev, mut n_prev, mut ind, mut n_ind) = (0.0, 0, 0.0, 0);
            for r in 0..rows {
                let k = batch.periods[r];
                for t in 1..pos {
                    prev += at(r, head, t, t - 1);
                    n_prev += 1;
                    if batch.repeated[r][t] {
                        // The token that followed this token's previous occurrence.
                        ind += at(r, head, t, t - k + 1);
                        n_ind += 1;
                    }
                }
            }
            scores.push(HeadScore {
                layer,
                head,
                prev_token: prev / n_prev.max(1) as f64,
                induction: ind / n_ind.max(1) as f64,
            });
        }
    }
    Ok(scores)
}

/// Top-1 accuracy of next-token predictions at the positions `batch.predictable` marks.
pub fn induction_accuracy(model: &LoadedModel, batch: &InductionBatch) -> Result<f64> {
    accuracy_against(model, &batch.tokens, batch)
}

/// Top-1 accuracy of the model run on `input` rows, judged against `truth`'s next tokens at
/// `truth`'s predictable positions (for corrupted inputs, e.g. shuffled rows).
pub fn accuracy_against(model: &LoadedModel, input: &[Vec<u32>], truth: &InductionBatch) -> Result<f64> {
    let logits = model.transformer.forward(model.tokens(input)?);
    let [rows, pos, vocab] = logits.dims();
    let l = Activation::Rank3(logits).to_vec();
    let (mut right, mut total) = (0usize, 0usize);
    for r in 0..rows {
        for t in 0..pos - 1 {
            if !truth.predictable[r][t] {
                continue;
            }
            let row = &l[(r * pos + t) * vocab..(r * pos + t + 1) * vocab];
            let best = (0..vocab).max_by(|&a, &b| row[a].total_cmp(&row[b])).unwrap_or(0);
            right += usize::from(best as u32 == truth.tokens[r][t + 1]);
            total += 1;
        }
    }
    Ok(right as f64 / total.max(1) as f64)
}
