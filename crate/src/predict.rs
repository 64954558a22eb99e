//! Next-token prediction: what the foundation page and `circuitscope run` show. Softmax and top-k
//! run on the host in f64 from the last position's logits, so every backend ranks the same way.

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::LoadedModel;

/// One token of the prompt as the tokenizer split it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TokenText {
    pub id: u32,
    pub text: String,
}

/// One candidate next token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TopToken {
    pub id: u32,
    pub token: String,
    pub prob: f64,
}

/// The prompt's tokens and the `k` most likely next tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Prediction {
    pub tokens: Vec<TokenText>,
    pub top: Vec<TopToken>,
}

/// Logits at the last position of a single-row prompt: `[d_vocab_out]`, still on the device.
fn last_logits(model: &LoadedModel, ids: &[u32]) -> Result<Tensor<1>> {
    let tokens = model.tokens(&[ids.to_vec()])?;
    let logits = model.transformer.forward(tokens);
    let [_, pos, vocab] = logits.dims();
    Ok(logits.slice([0..1, pos - 1..pos, 0..vocab]).reshape([vocab]))
}

/// Predicts with a blocking read-back (native, and the CPU backend in wasm).
pub fn predict(model: &LoadedModel, ids: &[u32], k: usize) -> Result<Prediction> {
    let logits = last_logits(model, ids)?.into_data().try_to_vec::<f32>().map_err(|e| Error::Device(format!("{e:?}")))?;
    Ok(rank(model, ids, &logits, k))
}

/// Predicts with an awaited read-back (required on WebGPU).
pub async fn predict_async(model: &LoadedModel, ids: &[u32], k: usize) -> Result<Prediction> {
    let data = last_logits(model, ids)?
        .into_data_async()
        .await
        .map_err(|e| Error::Device(format!("reading logits back failed: {e:?}")))?;
    let logits = data.try_to_vec::<f32>().map_err(|e| Error::Device(format!("{e:?}")))?;
    Ok(rank(model, ids, &logits, k))
}

/// Softmax in f64 and the `k` most likely tokens (ties broken by the lower id).
pub fn rank(model: &LoadedModel, ids: &[u32], logits: &[f32], k: usize) -> Prediction {
    let probs = softmax(logits);
    let mut order: Vec<usize> = (0..probs.len()).collect();
    order.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]).then(a.cmp(&b)));
    let top = order
        .into_iter()
        .take(k)
        .map(|i| TopToken { id: i as u32, token: model.token_text(i as u32), prob: probs[i] })
        .collect();
    let tokens = ids.iter().map(|&id| TokenText { id, text: model.token_text(id) }).collect();
    Prediction { tokens, top }
}

/// Numerically stable softmax in f64.
pub fn softmax(logits: &[f32]) -> Vec<f64> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let exps: Vec<f64> = logits.iter().map(|&x| (x as f64 - max).exp()).collect();
    let total: f64 = exps.iter().sum();
    exps.into_iter().map(|e| e / total).collect()
}

#[cfg(test)]
mod tests {
    use super::softmax;

    #[test]
    fn softmax_sums_to_one_and_keeps_order() {
        let p = softmax(&[1.0, 3.0, 2.0]);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(p[1] > p[2] && p[2] > p[0]);
    }
}
