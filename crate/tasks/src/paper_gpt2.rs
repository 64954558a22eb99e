//! The ACDC paper's own IOI and greater-than datasets for GPT-2 small (docs/tasks.md#gpt-2-small-the-papers-datasets), token for
//! token as the reference implementation builds them. On a model that reads GPT-2's BPE, the
//! `ioi` and `greater-than` tasks give these rows instead of the word-level ones our small models
//! read, so a run on GPT-2 small is the paper's run.
//!
//! The rows live in models/gpt2/data/*.json, written by tests/reference/make_gpt2_task_data.py
//! from the reference's `get_all_ioi_things` / `get_all_greaterthan_things` (num_examples = 100,
//! their seeds; models/gpt2/SOURCE.md), and are compiled in so that the page has them too. They
//! are the validation half, the rows the paper's ACDC runs on. Neither task puts a BOS token
//! first: the reference feeds GPT-2 the bare prompts.

use serde::Deserialize;

use circuitscope::data::{AcdcData, Labels};
use circuitscope::error::{Error, Result};
use circuitscope::model::tokenizer::Tokenizer;

const IOI_JSON: &str = include_str!("../../../models/gpt2/data/ioi.json");
const GREATER_THAN_JSON: &str = include_str!("../../../models/gpt2/data/greater-than.json");

/// models/gpt2/data/ioi.json: ABBA prompts of one template ("Then, A and B went to the PLACE. B
/// gave a OBJECT to") and their ABC corruptions, `[rows, 15]` token ids each.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaperIoi {
    /// The reference commit, function and seeds.
    pub source: String,
    pub clean: Vec<Vec<u32>>,
    pub corrupt: Vec<Vec<u32>>,
    /// Per row, the indirect object's token (" Mary"): the answer.
    pub io: Vec<u32>,
    /// Per row, the subject's token: the wrong answer of the logit difference.
    pub s: Vec<u32>,
    /// The reference's sentences, without the final " IO".
    pub clean_text: Vec<String>,
    pub corrupt_text: Vec<String>,
}

/// models/gpt2/data/greater-than.json: "The {noun} lasted from the year XXYY to XX", `[rows, 10]`
/// token ids, corrupted by setting the YY token to "01".
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaperGreaterThan {
    pub source: String,
    /// Where the start year's two-digit token sits (the reference's `tokens[:, 7]`).
    pub yy_position: usize,
    /// The tokens "00" … "99" (no leading space), the 100 answers the metric sums over.
    pub year_tokens: Vec<u32>,
    pub clean: Vec<Vec<u32>>,
    pub corrupt: Vec<Vec<u32>>,
    /// The reference's prompts (`get_year_data`).
    pub clean_text: Vec<String>,
}

fn parse<'a, T: Deserialize<'a>>(name: &str, json: &'a str) -> Result<T> {
    serde_json::from_str(json).map_err(|e| Error::Invalid(format!("models/gpt2/data/{name}.json: {e}")))
}

pub fn ioi() -> Result<PaperIoi> {
    parse("ioi", IOI_JSON)
}

pub fn greater_than() -> Result<PaperGreaterThan> {
    parse("greater-than", GREATER_THAN_JSON)
}

impl PaperIoi {
    /// Metric reads the last position: logit of IO minus logit of S (the reference's
    /// `logit_diff_metric`), or KL there.
    pub fn acdc_data(self) -> AcdcData {
        let n = self.clean.len();
        let last = self.clean[0].len() - 1;
        AcdcData {
            positions: Some(vec![vec![last]; n]),
            correct: Some(self.io.into_iter().map(Labels::One).collect()),
            wrong: Some(self.s.into_iter().map(Labels::One).collect()),
            clean: self.clean,
            corrupt: self.corrupt,
            pos_embed_perm: None,
        }
    }
}

impl PaperGreaterThan {
    /// The start year's two digits of row `i` (32 for "…the year 1732 to 17").
    pub fn yy(&self, i: usize) -> Option<usize> {
        self.year_tokens.iter().position(|&t| t == self.clean[i][self.yy_position])
    }

    /// Metric reads the last position: P(years after YY) − P(years up to YY) over the 100
    /// two-digit tokens (the reference's `greaterthan_metric`: its `positive − 2·negative`), or KL.
    pub fn acdc_data(self) -> Result<AcdcData> {
        let n = self.clean.len();
        let (mut correct, mut wrong) = (vec![], vec![]);
        for i in 0..n {
            let yy = self.yy(i).ok_or_else(|| Error::Invalid(format!("greater-than row {i}: no two-digit year")))?;
            correct.push(Labels::Many(self.year_tokens[yy + 1..].to_vec()));
            wrong.push(Labels::Many(self.year_tokens[..=yy].to_vec()));
        }
        let last = self.clean[0].len() - 1;
        Ok(AcdcData {
            positions: Some(vec![vec![last]; n]),
            correct: Some(correct),
            wrong: Some(wrong),
            clean: self.clean,
            corrupt: self.corrupt,
            pos_embed_perm: None,
        })
    }
}

/// Whether `tokenizer` is GPT-2's BPE, judged on what matters here: it spells the paper's first
/// prompt with the paper's token ids (a word-level vocabulary fails to encode it at all).
fn reads(tokenizer: &Tokenizer, text: &str, ids: &[u32]) -> bool {
    tokenizer.encode(text).is_ok_and(|t| t == ids)
}

/// The paper's first `rows` rows of `task` (default: all 100) when the model's tokenizer is
/// GPT-2's; `None` when the task has no paper dataset or the model reads another vocabulary.
/// There is no seed: the paper runs ACDC on this one fixed dataset, so a seed would only pick a
/// different dataset than the paper's.
pub fn data(task: &str, tokenizer: Option<&Tokenizer>, rows: Option<usize>) -> Result<Option<AcdcData>> {
    let Some(tokenizer) = tokenizer else { return Ok(None) };
    let mut data = match task {
        "ioi" => {
            let d = ioi()?;
            if !reads(tokenizer, &d.clean_text[0], &d.clean[0]) {
                return Ok(None);
            }
            d.acdc_data()
        }
        "greater-than" => {
            let d = greater_than()?;
            if !reads(tokenizer, &d.clean_text[0], &d.clean[0]) {
                return Ok(None);
            }
            d.acdc_data()?
        }
        _ => return Ok(None),
    };
    let available = data.rows();
    let rows = rows.unwrap_or(available);
    if rows == 0 || rows > available {
        return Err(Error::Invalid(format!(
            "the paper's {task} dataset for GPT-2 has {available} rows; ask for 1 to {available}, not {rows}"
        )));
    }
    data.clean.truncate(rows);
    data.corrupt.truncate(rows);
    for list in [&mut data.correct, &mut data.wrong].into_iter().flatten() {
        list.truncate(rows);
    }
    if let Some(p) = &mut data.positions {
        p.truncate(rows);
    }
    data.validate()?;
    Ok(Some(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_files_parse_into_100_rows_of_one_length() {
        let (ioi, gt) = (ioi().unwrap(), greater_than().unwrap());
        assert_eq!((ioi.clean.len(), ioi.io.len(), ioi.s.len(), ioi.corrupt_text.len()), (100, 100, 100, 100));
        assert_eq!((gt.clean.len(), gt.clean_text.len(), gt.year_tokens.len()), (100, 100, 100));
        for (rows, len) in [(&ioi.clean, 15), (&ioi.corrupt, 15), (&gt.clean, 10), (&gt.corrupt, 10)] {
            assert!(rows.iter().all(|r| r.len() == len));
        }
        ioi.acdc_data().validate().unwrap();
        gt.acdc_data().unwrap().validate().unwrap();
    }

    #[test]
    fn greater_than_answers_split_the_100_years_at_the_start_year() {
        let gt = greater_than().unwrap();
        let yy: Vec<usize> = (0..100).map(|i| gt.yy(i).unwrap()).collect();
        let data = gt.acdc_data().unwrap();
        for (i, (c, w)) in data.correct.unwrap().iter().zip(data.wrong.unwrap()).enumerate() {
            assert_eq!((w.ids().len(), c.ids().len()), (yy[i] + 1, 99 - yy[i]));
        }
    }

    #[test]
    fn a_model_without_a_tokenizer_or_another_task_gets_no_paper_data() {
        assert!(data("ioi", None, None).unwrap().is_none());
        let words = circuitscope::model::tokenizer::word_level_json(&["<bos>", "[UNK]", "Then"], "<bos>", "[UNK]");
        let t = Tokenizer::from_json(&words).unwrap();
        assert!(data("ioi", Some(&t), None).unwrap().is_none());
        assert!(data("greater-than", Some(&t), None).unwrap().is_none());
    }
}
