//! A discovery dataset: clean and corrupted token rows, the (row, position) pairs the metric
//! reads, and the answers task metrics compare. `--data data.json` and the tasks both produce it,
//! so two implementations can be compared on identical inputs.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One row's answer(s): a token id or several.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Labels {
    One(u32),
    Many(Vec<u32>),
}

impl Labels {
    pub fn ids(&self) -> Vec<u32> {
        match self {
            Self::One(id) => vec![*id],
            Self::Many(ids) => ids.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcdcData {
    pub clean: Vec<Vec<u32>>,
    pub corrupt: Vec<Vec<u32>>,
    /// Per row, the positions the metric reads (default: the last position; L2: all but the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub positions: Option<Vec<Vec<usize>>>,
    /// Per row, the correct answer(s) (logit difference, probability difference, NLL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct: Option<Vec<Labels>>,
    /// Per row, the wrong answer(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrong: Option<Vec<Labels>>,
    /// The reference's tracr resample run scrambles the position embedding with this permutation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pos_embed_perm: Option<Vec<usize>>,
}

impl AcdcData {
    pub fn from_json(text: &str) -> Result<Self> {
        let data: Self = serde_json::from_str(text).map_err(|e| Error::Invalid(format!("data: {e}")))?;
        data.validate()?;
        Ok(data)
    }

    pub fn rows(&self) -> usize {
        self.clean.len()
    }

    pub fn seq_len(&self) -> usize {
        self.clean.first().map(Vec::len).unwrap_or(0)
    }

    /// Rows `range` of the dataset (a chunk the memory allows; the permutation is per position
    /// and stays).
    pub fn rows_slice(&self, range: std::ops::Range<usize>) -> Self {
        let pick = |v: &Option<Vec<Labels>>| v.as_ref().map(|v| v[range.clone()].to_vec());
        Self {
            clean: self.clean[range.clone()].to_vec(),
            corrupt: self.corrupt[range.clone()].to_vec(),
            positions: self.positions.as_ref().map(|p| p[range.clone()].to_vec()),
            correct: pick(&self.correct),
            wrong: pick(&self.wrong),
            pos_embed_perm: self.pos_embed_perm.clone(),
        }
    }

    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::Invalid(format!("data: {m}")));
        if self.clean.is_empty() {
            return bad("no clean rows".into());
        }
        if self.corrupt.len() != self.clean.len() {
            return bad(format!("{} clean rows but {} corrupted rows", self.clean.len(), self.corrupt.len()));
        }
        let p = self.seq_len();
        if self.clean.iter().chain(&self.corrupt).any(|r| r.len() != p) {
            return bad("every clean and corrupted row must have the same length".into());
        }
        if let Some(pos) = &self.positions {
            if pos.len() != self.rows() || pos.iter().flatten().any(|&t| t >= p) {
                return bad("positions: one list per row, each position inside the row".into());
            }
        }
        for (name, labels) in [("correct", &self.correct), ("wrong", &self.wrong)] {
            if labels.as_ref().is_some_and(|l| l.len() != self.rows()) {
                return bad(format!("{name}: one entry per row"));
            }
        }
        if let Some(perm) = &self.pos_embed_perm {
            let mut sorted = perm.clone();
            sorted.sort_unstable();
            if sorted != (0..p).collect::<Vec<_>>() {
                return bad("pos_embed_perm must be a permutation of the positions".into());
            }
        }
        Ok(())
    }
}
