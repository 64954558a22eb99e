//! How well a model does a task: the task metric on clean and on corrupted data, accuracy on
//! both, and the KL divergence from the clean to the corrupted outputs (`circuitscope eval`, the
//! model cards, the shipped-model tests). The metric is the one ACDC minimises (`metric::Metric`),
//! so these numbers are the two ends of the scale ACDC works on.

use burn::prelude::*;
use serde::Serialize;

use circuitscope::data::AcdcData;
use circuitscope::error::{Error, Result};
use circuitscope::metric::{Metric, MetricKind};
use circuitscope::model::pass::Plain;
use circuitscope::model::{Activation, LoadedModel};
use crate::{Accuracy, Task};

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    pub task: String,
    pub rows: usize,
    pub metric: MetricKind,
    /// The task metric (lower is better: logit and probability differences are negated).
    pub clean_metric: f64,
    pub corrupt_metric: f64,
    /// Accuracy by the task's rule; on corrupted data judged against the clean answers.
    pub clean_accuracy: f64,
    pub corrupt_accuracy: f64,
    /// KL(clean outputs ‖ corrupted outputs) at the scored positions, one mean over all of them.
    pub kl_clean_to_corrupt: f64,
}

/// The final residual stream `[rows, d_model]` and logits `[batch, pos, vocab]` of `rows`.
fn run(model: &LoadedModel, rows: &[Vec<u32>]) -> Result<(Tensor<2>, Tensor<3>)> {
    let t = &model.transformer;
    let resid = t.pass(t.embeds(model.tokens(rows)?, false, None), &mut Plain).final_input;
    let logits = t.unembed(resid.clone());
    let vocab = logits.dims()[1];
    Ok((resid, logits.reshape([rows.len(), data_len(rows), vocab])))
}

fn data_len(rows: &[Vec<u32>]) -> usize {
    rows.first().map_or(0, Vec::len)
}

/// A one-element metric read back to the host (blocking: the CPU backend).
fn scalar(t: Tensor<1>) -> Result<f64> {
    let v = t.to_data().try_to_vec::<f32>().map_err(|e| Error::Device(format!("{e:?}")))?;
    Ok(v[0] as f64)
}

/// Evaluates `task`'s metric (or `metric`) and accuracy on `data`.
pub fn evaluate(model: &LoadedModel, task: &Task, data: &AcdcData, metric: Option<MetricKind>) -> Result<Evaluation> {
    data.validate()?;
    let kind = metric.unwrap_or(task.default_metric);
    let t = &model.transformer;
    let (clean_resid, clean_logits) = run(model, &data.clean)?;
    let (corrupt_resid, corrupt_logits) = run(model, &data.corrupt)?;
    let m = Metric::new(kind, t, clean_resid.clone(), data)?;
    let kl = Metric::new(MetricKind::Kl, t, clean_resid.clone(), data)?;
    let clean_logits = Activation::Rank3(clean_logits).to_vec();
    let corrupt_logits = Activation::Rank3(corrupt_logits).to_vec();
    Ok(Evaluation {
        task: task.name.into(),
        rows: data.rows(),
        metric: kind,
        clean_metric: scalar(m.of_final(t, clean_resid, false))?,
        corrupt_metric: scalar(m.of_final(t, corrupt_resid.clone(), false))?,
        clean_accuracy: accuracy(task.accuracy, data, &clean_logits, model.config.d_vocab_out()),
        corrupt_accuracy: accuracy(task.accuracy, data, &corrupt_logits, model.config.d_vocab_out()),
        kl_clean_to_corrupt: scalar(kl.of_final(t, corrupt_resid, false))?,
    })
}

/// The fraction of scored (row, position) pairs answered right; `logits` `[rows, pos, vocab]`
/// flattened, judged against the clean rows' answers.
pub fn accuracy(rule: Accuracy, data: &AcdcData, logits: &[f32], vocab: usize) -> f64 {
    let p = data.seq_len();
    let (mut right, mut total) = (0usize, 0usize);
    for r in 0..data.rows() {
        let scored: Vec<usize> = match &data.positions {
            Some(pos) => pos[r].clone(),
            None => vec![p - 1],
        };
        for t in scored {
            let l = &logits[(r * p + t) * vocab..(r * p + t + 1) * vocab];
            let best = (0..vocab).max_by(|&a, &b| l[a].total_cmp(&l[b])).unwrap_or(0) as u32;
            let labels = |x: &Option<Vec<circuitscope::data::Labels>>| x.as_ref().map(|v| v[r].ids()).unwrap_or_default();
            let ok = match rule {
                Accuracy::Top1 => labels(&data.correct).contains(&best),
                Accuracy::BeatsWrong => {
                    let (correct, wrong) = (labels(&data.correct), labels(&data.wrong));
                    let max_wrong = wrong.iter().map(|&w| l[w as usize]).fold(f32::NEG_INFINITY, f32::max);
                    correct.first().is_some_and(|&c| l[c as usize] > max_wrong)
                }
                Accuracy::NextToken => {
                    let row = &data.clean[r];
                    if t + 1 >= p || !row[..=t].contains(&row[t + 1]) {
                        continue;
                    }
                    best == row[t + 1]
                }
            };
            right += usize::from(ok);
            total += 1;
        }
    }
    right as f64 / total.max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use circuitscope::data::Labels;

    fn data() -> AcdcData {
        AcdcData {
            clean: vec![vec![0, 1, 2], vec![0, 2, 1]],
            corrupt: vec![vec![0, 1, 2], vec![0, 2, 1]],
            positions: None,
            correct: Some(vec![Labels::One(1), Labels::One(2)]),
            wrong: Some(vec![Labels::Many(vec![0, 2]), Labels::Many(vec![0])]),
            pos_embed_perm: None,
        }
    }

    #[test]
    fn top1_counts_rows_whose_best_token_is_a_correct_answer() {
        // Two rows × three positions × vocab 3; only the last position is scored.
        let mut logits = vec![0f32; 18];
        logits[2 * 3 + 1] = 5.0; // row 0: best 1 (correct)
        logits[(3 + 2) * 3] = 5.0; // row 1: best 0 (wrong)
        assert_eq!(accuracy(Accuracy::Top1, &data(), &logits, 3), 0.5);
    }

    #[test]
    fn beats_wrong_compares_only_the_answers_logits() {
        let mut logits = vec![0f32; 18];
        logits[2 * 3 + 1] = 1.0; // row 0: correct 1 beats 0 and 2
        logits[(3 + 2) * 3 + 1] = 9.0; // row 1: token 1 is best, but it is neither answer
        logits[(3 + 2) * 3 + 2] = 0.5; // correct 2 beats wrong 0
        assert_eq!(accuracy(Accuracy::BeatsWrong, &data(), &logits, 3), 1.0);
    }
}
