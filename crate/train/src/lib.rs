//! Training the shipped models (native only, never in CI): burn autodiff on the CPU, Adam, a fixed
//! seed, one command per model. Each run writes the model folder and its loss curve.

pub mod card;
pub mod cards;
pub mod docstring;
pub mod fit;
pub mod greater_than;
pub mod induction;
pub mod ioi;
pub mod task_card;

use burn::prelude::*;
use burn::tensor::activation::log_softmax;

/// Mean cross-entropy of next-token predictions over the positions `mask` marks.
/// `logits` `[batch, pos, vocab]`, `tokens` `[batch][pos]`, `mask` `[batch][pos]` (position t
/// predicts token t + 1; the last position is never scored).
pub fn next_token_loss(logits: Tensor<3>, tokens: &[Vec<u32>], mask: &[Vec<bool>]) -> Tensor<1> {
    let [batch, pos, vocab] = logits.dims();
    let device = logits.device();
    let targets: Vec<i64> = tokens.iter().flat_map(|r| r[1..].iter().map(|&t| t as i64)).collect();
    let weights: Vec<f32> =
        mask.iter().flat_map(|r| r[..pos - 1].iter().map(|&m| if m { 1.0 } else { 0.0 })).collect();
    let count = weights.iter().sum::<f32>().max(1.0);
    let targets = Tensor::<3, Int>::from_data(TensorData::new(targets, [batch, pos - 1, 1]), &device);
    let weights = Tensor::<2>::from_data(TensorData::new(weights, [batch, pos - 1]), &device);
    let log_probs = log_softmax(logits.slice([0..batch, 0..pos - 1, 0..vocab]), 2);
    let picked = log_probs.gather(2, targets).reshape([batch, pos - 1]);
    (picked * weights).sum().neg() / count as f64
}
