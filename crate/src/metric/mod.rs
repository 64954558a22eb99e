//! The metrics ACDC minimises (docs/metrics.md), computed on the device in f32 like the
//! reference: KL(clean model ‖ circuit) with one mean over all scored (row, position) pairs,
//! negated logit difference, negated probability difference, L2 against the clean logits, NLL.

use burn::prelude::*;
use crate::model::cpu_math::{log_softmax, softmax};
use serde::{Deserialize, Serialize};

mod grad;

use crate::data::AcdcData;
use crate::error::{Error, Result};
use crate::model::Transformer;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    Kl,
    LogitDiff,
    ProbDiff,
    L2,
    Nll,
}

impl MetricKind {
    pub const ALL: [MetricKind; 5] = [MetricKind::Kl, MetricKind::LogitDiff, MetricKind::ProbDiff, MetricKind::L2, MetricKind::Nll];

    pub fn name(self) -> &'static str {
        match self {
            Self::Kl => "kl",
            Self::LogitDiff => "logit_diff",
            Self::ProbDiff => "prob_diff",
            Self::L2 => "l2",
            Self::Nll => "nll",
        }
    }
}

impl std::str::FromStr for MetricKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| Error::Invalid(format!("unknown metric {s:?}: use kl, logit_diff, prob_diff, l2 or nll")))
    }
}

/// What a metric compares the circuit's logits at the scored pairs with (`[n, …]` per pair).
#[derive(Debug, Clone)]
pub enum Target {
    /// The clean model's log-probabilities and probabilities `[n, vocab]` (kept: every
    /// evaluation weighs by them).
    Kl { clean_logprobs: Tensor<2>, clean_probs: Tensor<2> },
    /// The clean model's logits `[n, vocab]`.
    L2 { clean_logits: Tensor<2> },
    /// The correct answer `[n, 1]` and the wrong answers `[n, W]` (padded by repeating).
    LogitDiff { correct: Tensor<2, Int>, wrong: Tensor<2, Int> },
    /// +1 on correct answers, −1 on wrong ones `[n, vocab]`.
    ProbDiff { signs: Tensor<2> },
    /// The correct answer `[n, 1]`.
    Nll { correct: Tensor<2, Int> },
}

/// A metric bound to a dataset: which (row, position) pairs it reads and what it compares them
/// with.
#[derive(Debug, Clone)]
pub struct Metric {
    pub kind: MetricKind,
    /// Flat `row · pos + position` indices of the scored pairs `[n]`.
    index: Tensor<1, Int>,
    pub target: Target,
}

impl Metric {
    /// The (row, position) pairs `kind` scores on `data`: the data's `positions`, else the last
    /// position of each row (L2: every position but the first).
    pub fn pairs(kind: MetricKind, data: &AcdcData) -> Result<Vec<(usize, usize)>> {
        let (rows, p) = (data.rows(), data.seq_len());
        let pairs: Vec<(usize, usize)> = match (&data.positions, kind) {
            (Some(pos), _) => pos.iter().enumerate().flat_map(|(r, ps)| ps.iter().map(move |&t| (r, t))).collect(),
            (None, MetricKind::L2) => (0..rows).flat_map(|r| (1..p).map(move |t| (r, t))).collect(),
            (None, _) => (0..rows).map(|r| (r, p - 1)).collect(),
        };
        if pairs.is_empty() {
            return Err(Error::Invalid("the metric scores no position".into()));
        }
        Ok(pairs)
    }

    /// Flat `row · pos + position` indices of the scored pairs `[n]`.
    pub fn index(kind: MetricKind, data: &AcdcData, device: &Device) -> Result<Tensor<1, Int>> {
        let p = data.seq_len();
        let flat: Vec<i64> = Self::pairs(kind, data)?.iter().map(|&(r, t)| (r * p + t) as i64).collect();
        let n = flat.len();
        Ok(Tensor::from_data(TensorData::new(flat, [n]), device))
    }

    /// Binds `kind` to `data`, given the clean run's final residual `[rows, d_model]`.
    pub fn new(kind: MetricKind, model: &Transformer, clean_final: Tensor<2>, data: &AcdcData) -> Result<Self> {
        let device = clean_final.device();
        let pairs = Self::pairs(kind, data)?;
        let n = pairs.len();
        let index = Self::index(kind, data, &device)?;
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
        let clean_logits = || model.unembed(clean_final.clone().select(0, index.clone()));
        let target = match kind {
            MetricKind::Kl => {
                let clean_logprobs = log_softmax(clean_logits(), 1);
                Target::Kl { clean_probs: clean_logprobs.clone().exp(), clean_logprobs }
            }
            MetricKind::L2 => Target::L2 { clean_logits: clean_logits() },
            MetricKind::LogitDiff => {
                let correct = labels("correct", &data.correct)?;
                if correct.iter().any(|c| c.len() != 1) {
                    return Err(Error::Invalid("logit_diff: one correct answer per row".into()));
                }
                Target::LogitDiff { correct: ids(correct), wrong: ids(labels("wrong", &data.wrong)?) }
            }
            MetricKind::ProbDiff => {
                let (correct, wrong) = (labels("correct", &data.correct)?, labels("wrong", &data.wrong)?);
                let mut signs = vec![0f32; n * vocab];
                for (i, (c, w)) in correct.iter().zip(&wrong).enumerate() {
                    c.iter().for_each(|&t| signs[i * vocab + t as usize] = 1.0);
                    w.iter().for_each(|&t| signs[i * vocab + t as usize] = -1.0);
                }
                Target::ProbDiff { signs: Tensor::from_data(TensorData::new(signs, [n, vocab]), &device) }
            }
            MetricKind::Nll => {
                let correct = labels("correct", &data.correct)?;
                Target::Nll { correct: ids(correct.into_iter().map(|c| vec![c[0]]).collect()) }
            }
        };
        Ok(Self { kind, index, target })
    }

    /// The flat `row · pos + position` indices of the scored pairs.
    pub fn rows(&self) -> &Tensor<1, Int> {
        &self.index
    }

    /// The metric of a whole final residual `[rows, d_model]`, as a one-element tensor. `full`
    /// unembeds every position first (the benchmark's baseline, as the reference computes it).
    pub fn of_final(&self, model: &Transformer, resid: Tensor<2>, full: bool) -> Tensor<1> {
        let logits = if full {
            model.unembed(resid).select(0, self.index.clone())
        } else {
            model.unembed(resid.select(0, self.index.clone()))
        };
        self.of_logits(logits, 1)
    }

    /// The metric of `k` candidates' final residuals at the scored pairs `[k·n, d_model]`
    /// (candidate-major), as `[k]` values.
    pub fn of_rows(&self, model: &Transformer, rows: Tensor<2>, k: usize) -> Tensor<1> {
        self.of_logits(model.unembed(rows), k)
    }

    /// `[k·n, vocab]` logits → `[k]` metric values, one mean per candidate over its pairs.
    pub fn of_logits(&self, logits: Tensor<2>, k: usize) -> Tensor<1> {
        let n = logits.dims()[0] / k;
        let many = |t: &Tensor<2>| if k == 1 { t.clone() } else { t.clone().repeat_dim(0, k) };
        let many_int = |t: &Tensor<2, Int>| if k == 1 { t.clone() } else { t.clone().repeat_dim(0, k) };
        // Per-pair values [k·n, 1] → one mean per candidate.
        let per_candidate = |v: Tensor<2>| v.reshape([k, n]).mean_dim(1).reshape([k]);
        match &self.target {
            Target::Kl { clean_logprobs, clean_probs } => {
                // Σ_v p_clean (log p_clean − log p_circuit), then one mean over all pairs.
                per_candidate((many(clean_probs) * (many(clean_logprobs) - log_softmax(logits, 1))).sum_dim(1))
            }
            Target::L2 { clean_logits } => {
                let diff = logits - many(clean_logits);
                let vocab = diff.dims()[1];
                (diff.clone() * diff).reshape([k, n * vocab]).mean_dim(1).reshape([k])
            }
            Target::LogitDiff { correct, wrong } => {
                let c = logits.clone().gather(1, many_int(correct));
                let w = logits.gather(1, many_int(wrong)).max_dim(1);
                per_candidate(c - w).neg()
            }
            Target::ProbDiff { signs } => per_candidate((softmax(logits, 1) * many(signs)).sum_dim(1)).neg(),
            Target::Nll { correct } => per_candidate(log_softmax(logits, 1).gather(1, many_int(correct))).neg(),
        }
    }
}
