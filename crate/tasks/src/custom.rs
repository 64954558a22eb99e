//! A person's own task: clean and corrupted prompts written as text, one pair per row, read by the
//! model's tokenizer, with the positions the metric reads and (for task metrics) each row's right
//! and wrong answer. It becomes the `data.json` the CLI reads. Every mistake names its row.

use serde::{Deserialize, Serialize};

use circuitscope::data::{AcdcData, Labels};
use circuitscope::error::{Error, Result};
use circuitscope::model::LoadedModel;

/// One row: a clean prompt, its corrupted twin, and optionally the answers a task metric compares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CustomRow {
    pub clean: String,
    pub corrupt: String,
    /// The right next token (one token of the vocabulary), for logit_diff, prob_diff and nll.
    pub correct: String,
    /// The wrong next token(s), space-separated, for logit_diff and prob_diff.
    pub wrong: String,
}

/// Which positions the metric reads, the same in every row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", tag = "kind", content = "at")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Scored {
    /// The last position (where the next token is predicted).
    #[default]
    Last,
    /// Every position.
    All,
    /// These positions (0 is the first token, BOS included when the tokenizer adds one).
    Positions(Vec<usize>),
}

/// The task as the page's editor holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CustomTask {
    pub rows: Vec<CustomRow>,
    pub scored: Scored,
}

/// The longest prompt and the most rows a custom task may have (each row is a forward pass's row).
pub const MAX_ROWS: usize = 500;

impl CustomTask {
    /// The dataset, tokenized by `model`'s tokenizer. `answers`: whether the metric needs each row's
    /// correct and wrong tokens.
    pub fn data(&self, model: &LoadedModel, answers: bool) -> Result<AcdcData> {
        if self.rows.is_empty() {
            return Err(Error::Invalid("the task has no rows: write one clean and one corrupted prompt per row".into()));
        }
        if self.rows.len() > MAX_ROWS {
            return Err(Error::Invalid(format!("the task has {} rows; at most {MAX_ROWS}", self.rows.len())));
        }
        let at = |row: usize, what: &str, e: Error| Error::Invalid(format!("row {}, {what}: {}", row + 1, e.to_string().trim_start_matches("tokenizer: ")));
        let (mut clean, mut corrupt, mut correct, mut wrong) = (vec![], vec![], vec![], vec![]);
        for (i, row) in self.rows.iter().enumerate() {
            let c = model.encode(&row.clean).map_err(|e| at(i, "clean prompt", e))?;
            let k = model.encode(&row.corrupt).map_err(|e| at(i, "corrupted prompt", e))?;
            if c.len() != k.len() {
                return Err(Error::Invalid(format!(
                    "row {}: the clean prompt is {} tokens and the corrupted one {}; they must be the same length",
                    i + 1,
                    c.len(),
                    k.len()
                )));
            }
            if c.len() > model.config.n_ctx {
                return Err(Error::Invalid(format!("row {}: {} tokens; this model reads at most {}", i + 1, c.len(), model.config.n_ctx)));
            }
            if let Some(first) = clean.first().map(Vec::len).filter(|&n: &usize| n != c.len()) {
                return Err(Error::Invalid(format!(
                    "row {}: {} tokens, but row 1 has {first}; every row must be the same length",
                    i + 1,
                    c.len()
                )));
            }
            clean.push(c);
            corrupt.push(k);
            if answers {
                correct.push(Labels::One(single(model, &row.correct).map_err(|e| at(i, "correct answer", e))?));
                let ws: Vec<u32> =
                    row.wrong.split_whitespace().map(|w| single(model, w)).collect::<Result<_>>().map_err(|e| at(i, "wrong answers", e))?;
                if ws.is_empty() {
                    return Err(Error::Invalid(format!("row {}: give at least one wrong answer", i + 1)));
                }
                wrong.push(Labels::Many(ws));
            }
        }
        let len = clean[0].len();
        let positions = match &self.scored {
            Scored::Last => None,
            Scored::All => Some(vec![(0..len).collect::<Vec<_>>(); clean.len()]),
            Scored::Positions(ps) => {
                if let Some(&bad) = ps.iter().find(|&&p| p >= len) {
                    return Err(Error::Invalid(format!("position {bad} is past the prompts' {len} tokens")));
                }
                Some(vec![ps.clone(); clean.len()])
            }
        };
        let data = AcdcData {
            clean,
            corrupt,
            positions,
            correct: answers.then_some(correct),
            wrong: answers.then_some(wrong),
            pos_embed_perm: None,
        };
        data.validate()?;
        Ok(data)
    }
}

/// The one token `word` is (a word of a word-level vocabulary, or a single BPE token; a leading
/// space is tried too, as GPT-2 spells words after the first).
fn single(model: &LoadedModel, word: &str) -> Result<u32> {
    let word = word.trim();
    if word.is_empty() {
        return Err(Error::Invalid("empty".into()));
    }
    let tokenizer = model.tokenizer.as_ref().ok_or_else(|| Error::Tokenizer("this model has no tokenizer".into()))?;
    for spelling in [word.to_string(), format!("Ġ{word}"), format!(" {word}")] {
        if let Some(id) = tokenizer.token_id(&spelling) {
            return Ok(id);
        }
    }
    Err(Error::Invalid(format!("{word:?} is not one token of this model's vocabulary")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use circuitscope::device::cpu;

    fn model() -> LoadedModel {
        let dir = circuitscope::manifest_dir!().join("../../models/ioi");
        LoadedModel::from_dir(&dir, &cpu()).unwrap()
    }

    #[test]
    fn rows_become_data_and_mistakes_name_their_row() {
        let model = model();
        let row = |clean: &str, corrupt: &str, correct: &str| CustomRow {
            clean: clean.into(),
            corrupt: corrupt.into(),
            correct: correct.into(),
            wrong: "John".into(),
        };
        let good = row("Mary and John went to the store , John gave a drink to", "Anna and Paul went to the store , Bill gave a drink to", "Mary");
        let task = CustomTask { rows: vec![good.clone(), good.clone()], scored: Scored::Last };
        let data = task.data(&model, true).unwrap();
        assert_eq!((data.clean.len(), data.clean[0].len()), (2, 14), "BOS, 12 words and a comma");
        assert_eq!(data.correct.as_ref().unwrap()[0], Labels::One(model.tokenizer.as_ref().unwrap().token_id("Mary").unwrap()));
        let unknown = CustomTask { rows: vec![good.clone(), row("Mary and John went to the moon , John gave a drink to", "Anna and Paul went to the store , Bill gave a drink to", "Mary")], scored: Scored::Last };
        let err = unknown.data(&model, true).unwrap_err().to_string();
        assert!(err.starts_with("row 2, clean prompt") && err.contains("moon"), "{err}");
        let uneven = CustomTask { rows: vec![row("Mary and John", "Anna and", "Mary")], scored: Scored::Last };
        let err = uneven.data(&model, false).unwrap_err().to_string();
        assert!(err.starts_with("row 1: the clean prompt is 4 tokens and the corrupted one 3"), "{err}");
        let answer = CustomTask { rows: vec![row("Mary and John", "Anna and Paul", "Mars")], scored: Scored::Last };
        let err = answer.data(&model, true).unwrap_err().to_string();
        assert!(err.starts_with("row 1, correct answer") && err.contains("Mars"), "{err}");
        let past = CustomTask { rows: vec![good], scored: Scored::Positions(vec![40]) };
        assert!(past.data(&model, false).unwrap_err().to_string().contains("position 40"));
        assert!(CustomTask::default().data(&model, false).unwrap_err().to_string().contains("no rows"));
    }
}
