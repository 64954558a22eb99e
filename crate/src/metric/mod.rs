//! The metrics ACDC minimises (ACDC.md §3, NOTES.md §5), computed on the device in f32 like the
//! reference: KL(clean model ‖ circuit) with one mean over all scored (row, position) pairs,
//! negated logit difference, negated probability difference, L2 against the clean logits, NLL.

use burn::prelude::*;
use burn::tensor::activation::{log_softmax, softmax};
use serde::{Deserialize, Serialize};

use crate::data::AcdcData;
use crate::error::{Error, Result};
use crate::model::Transformer;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    Kl,
    LogitDiff,
    ProbDiff,
    L2,
    Nll,
}

impl std::str::FromStr for MetricKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "kl" => Self::Kl,
            "logit_diff" => Self::LogitDiff,
            "prob_diff" => Self::ProbDiff,
            "l2" => Self::L2,
            "nll" => Self::Nll,
            _ => return Err(Error::Invalid(format!("unknown metric {s:?}: use kl, logit_diff, prob_diff, l2 or nll"))),
        })
    }
}

/// A metric bound to a dataset: which positions it reads and what it compares them with.
#[derive(Debug, Clone)]
pub struct Metric {
    pub kind: MetricKind,
    /// Flat `row · pos + position` indices of the scored pairs.
    index: Tensor<1, Int>,
    /// Per scored pair: the clean model's log-probabilities (KL) or logits (L2) `[n, vocab]`.
    reference: Option<Tensor<2>>,
    /// Per scored pair: the correct answer `[n, 1]`, the wrong answers `[n, W]`.
    correct: Option<Tensor<2, Int>>,
    wrong: Option<Tensor<2, Int>>,
    /// Probability difference: +1 on correct answers, −1 on wrong ones `[n, vocab]`.
    signs: Option<Tensor<2>>,
    /// Benchmark baseline: unembed every position, then pick the scored ones (as the reference
    /// computes full logits).
    pub naive: bool,
}

impl Metric {
    /// Binds `kind` to `data`, given the clean run's final residual `[batch, pos, d_model]`.
    pub fn new(kind: MetricKind, model: &Transformer, clean_resid: Tensor<3>, data: &AcdcData) -> Result<Self> {
        let device = clean_resid.device();
        let (rows, p) = (data.rows(), data.seq_len());
        let pairs: Vec<(usize, usize)> = match (&data.positions, kind) {
            (Some(pos), _) => pos.iter().enumerate().flat_map(|(r, ps)| ps.iter().map(move |&t| (r, t))).collect(),
            (None, MetricKind::L2) => (0..rows).flat_map(|r| (1..p).map(move |t| (r, t))).collect(),
            (None, _) => (0..rows).map(|r| (r, p - 1)).collect(),
        };
        if pairs.is_empty() {
            return Err(Error::Invalid("the metric scores no position".into()));
        }
        let n = pairs.len();
        let flat: Vec<i64> = pairs.iter().map(|&(r, t)| (r * p + t) as i64).collect();
        let index = Tensor::<1, Int>::from_data(TensorData::new(flat, [n]), &device);
        let vocab = model.b_u.val().dims()[0];
        let labels = |name: &str, l: &Option<Vec<crate::data::Labels>>| -> Result<Vec<Vec<u32>>> {
            let l = l.as_ref().ok_or_else(|| Error::Invalid(format!("the {kind:?} metric needs `{name}` answers")))?;
            let per_pair: Vec<Vec<u32>> = pairs.iter().map(|&(r, _)| l[r].ids()).collect();
            if per_pair.iter().any(Vec::is_empty) || per_pair.iter().flatten().any(|&t| t as usize >= vocab) {
                return Err(Error::Invalid(format!("`{name}`: every row needs answers inside the output vocabulary")));
            }
            Ok(per_pair)
        };
        let ids = |rows: Vec<Vec<u32>>| -> Tensor<2, Int> {
            // Pad each row by repeating its first id: max and gather are unchanged by repeats.
            let w = rows.iter().map(Vec::len).max().unwrap_or(1);
            let flat: Vec<i64> = rows.iter().flat_map(|r| (0..w).map(move |i| *r.get(i).unwrap_or(&r[0]) as i64)).collect();
            Tensor::from_data(TensorData::new(flat, [rows.len(), w]), &device)
        };
        let mut metric = Self { kind, index, reference: None, correct: None, wrong: None, signs: None, naive: false };
        let clean_logits = metric.scored_logits(model, clean_resid);
        match kind {
            MetricKind::Kl => metric.reference = Some(log_softmax(clean_logits, 1)),
            MetricKind::L2 => metric.reference = Some(clean_logits),
            MetricKind::LogitDiff => {
                let correct = labels("correct", &data.correct)?;
                if correct.iter().any(|c| c.len() != 1) {
                    return Err(Error::Invalid("logit_diff: one correct answer per row".into()));
                }
                metric.correct = Some(ids(correct));
                metric.wrong = Some(ids(labels("wrong", &data.wrong)?));
            }
            MetricKind::ProbDiff => {
                let (correct, wrong) = (labels("correct", &data.correct)?, labels("wrong", &data.wrong)?);
                let mut signs = vec![0f32; n * vocab];
                for (i, (c, w)) in correct.iter().zip(&wrong).enumerate() {
                    c.iter().for_each(|&t| signs[i * vocab + t as usize] = 1.0);
                    w.iter().for_each(|&t| signs[i * vocab + t as usize] = -1.0);
                }
                metric.signs = Some(Tensor::from_data(TensorData::new(signs, [n, vocab]), &device));
            }
            MetricKind::Nll => {
                let correct = labels("correct", &data.correct)?;
                metric.correct = Some(ids(correct.into_iter().map(|c| vec![c[0]]).collect()));
            }
        }
        Ok(metric)
    }

    /// Logits at the scored pairs `[n, vocab]`: only those positions are unembedded.
    pub fn scored_logits(&self, model: &Transformer, resid: Tensor<3>) -> Tensor<2> {
        let [b, p, d] = resid.dims();
        if self.naive {
            let logits = model.unembed(resid);
            let vocab = logits.dims()[2];
            return logits.reshape([b * p, vocab]).select(0, self.index.clone());
        }
        let picked = resid.reshape([b * p, d]).select(0, self.index.clone());
        let n = picked.dims()[0];
        let logits = model.unembed(picked.reshape([1, n, d]));
        let vocab = logits.dims()[2];
        logits.reshape([n, vocab])
    }

    /// The flat `row · pos + position` indices of the scored pairs.
    pub fn rows(&self) -> &Tensor<1, Int> {
        &self.index
    }

    /// The metric of a final residual `[batch, pos, d_model]`, as a one-element tensor.
    pub fn evaluate(&self, model: &Transformer, resid: Tensor<3>) -> Tensor<1> {
        let logits = self.scored_logits(model, resid);
        self.of_logits(logits, 1)
    }

    /// The metric of `k` candidates' final residuals at the scored pairs, `[1, k·n, d_model]`
    /// (candidate-major), as `[k]` values.
    pub fn evaluate_scored(&self, model: &Transformer, resid: Tensor<3>, k: usize) -> Tensor<1> {
        let [_, kn, _] = resid.dims();
        let logits = model.unembed(resid);
        let vocab = logits.dims()[2];
        self.of_logits(logits.reshape([kn, vocab]), k)
    }

    /// `[k·n, vocab]` logits → `[k]` metric values, one mean per candidate over its pairs.
    fn of_logits(&self, logits: Tensor<2>, k: usize) -> Tensor<1> {
        let n = logits.dims()[0] / k;
        let many = |t: Tensor<2>| if k == 1 { t } else { t.repeat_dim(0, k) };
        let many_int = |t: Tensor<2, Int>| if k == 1 { t } else { t.repeat_dim(0, k) };
        // Per-pair values [k·n, 1] → one mean per candidate.
        let per_candidate = |v: Tensor<2>| v.reshape([k, n]).mean_dim(1).reshape([k]);
        match self.kind {
            MetricKind::Kl => {
                let base = many(self.reference.clone().expect("KL has clean log-probs"));
                // Σ_v p_clean (log p_clean − log p_circuit), then one mean over all pairs.
                per_candidate((base.clone().exp() * (base - log_softmax(logits, 1))).sum_dim(1))
            }
            MetricKind::L2 => {
                let diff = logits - many(self.reference.clone().expect("L2 has clean logits"));
                let vocab = diff.dims()[1];
                (diff.clone() * diff).reshape([k, n * vocab]).mean_dim(1).reshape([k])
            }
            MetricKind::LogitDiff => {
                let correct = logits.clone().gather(1, many_int(self.correct.clone().expect("answers")));
                let wrong = logits.gather(1, many_int(self.wrong.clone().expect("answers"))).max_dim(1);
                per_candidate(correct - wrong).neg()
            }
            MetricKind::ProbDiff => {
                let signs = many(self.signs.clone().expect("answers"));
                per_candidate((softmax(logits, 1) * signs).sum_dim(1)).neg()
            }
            MetricKind::Nll => {
                let correct = many_int(self.correct.clone().expect("answers"));
                per_candidate(log_softmax(logits, 1).gather(1, correct)).neg()
            }
        }
    }
}
