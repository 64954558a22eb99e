//! Tasks: named, seeded generators of clean and corrupted token batches, the positions their
//! metric reads, their default metric and τ, and an explanation for the page (ACDC.md §4).

pub mod induction;

use serde::Serialize;

use crate::data::AcdcData;
use crate::error::{Error, Result};
use crate::metric::MetricKind;
use crate::model::ModelConfig;
use crate::rng::Rng;

#[derive(Debug, Clone, Serialize)]
pub struct Task {
    pub name: &'static str,
    pub default_metric: MetricKind,
    pub default_tau: f64,
    /// Rows generated when the caller does not say.
    pub default_rows: usize,
    pub explanation: &'static str,
}

pub fn all() -> Vec<Task> {
    vec![Task {
        name: "induction",
        default_metric: MetricKind::Kl,
        default_tau: 0.05,
        default_rows: 40,
        explanation: "Each row is a random run of words followed by the same run again. In the second copy the \
            next word can be predicted only by finding where the current word occurred before and copying what \
            came after it: a previous-token head in layer 0 marks every position with the word before it, and \
            induction heads in layer 1 look for the position whose previous word is the current word. The \
            corrupted input is the batch with its rows shuffled; the metric is the KL divergence from the full \
            model at the repeated positions.",
    }]
}

pub fn find(name: &str) -> Result<Task> {
    all().into_iter().find(|t| t.name == name).ok_or_else(|| {
        let names: Vec<&str> = all().iter().map(|t| t.name).collect();
        Error::Invalid(format!("unknown task {name:?}: known are {}", names.join(", ")))
    })
}

impl Task {
    /// The task's dataset for a model, `rows` rows (default: the task's), from `seed`.
    pub fn generate(&self, config: &ModelConfig, rows: Option<usize>, seed: u64) -> Result<AcdcData> {
        let rows = rows.unwrap_or(self.default_rows).max(2);
        match self.name {
            "induction" => {
                let seq_len = config.n_ctx.min(24);
                if seq_len < 9 || config.d_vocab < seq_len + induction::FIRST_WORD as usize {
                    return Err(Error::Invalid("induction needs n_ctx ≥ 9 and a vocabulary larger than a row".into()));
                }
                let mut rng = Rng::new(seed);
                let batch = induction::sequences(&mut rng, rows, seq_len, 4, (seq_len - 2) / 2, config.d_vocab);
                let mut order: Vec<usize> = (0..rows).collect();
                rng.shuffle(&mut order);
                let corrupt = order.iter().map(|&i| batch.tokens[i].clone()).collect();
                let positions = batch
                    .repeated
                    .iter()
                    .map(|r| r.iter().enumerate().filter(|(_, x)| **x).map(|(t, _)| t).collect())
                    .collect();
                Ok(AcdcData {
                    clean: batch.tokens,
                    corrupt,
                    positions: Some(positions),
                    correct: None,
                    wrong: None,
                    pos_embed_perm: None,
                })
            }
            other => Err(Error::Invalid(format!("task {other} has no generator"))),
        }
    }
}
