//! Tasks written in words, turned into token ids by a model's vocabulary. The generators of the
//! text tasks (ioi, greater-than, docstring) speak words so that one generator serves every model
//! whose word-level vocabulary has them, and a model that lacks a word is told which.

use circuitscope::data::{AcdcData, Labels};
use circuitscope::error::{Error, Result};
use circuitscope::model::LoadedModel;

/// Padding after a short row: rows of one dataset must have one length, and a causal model never
/// lets a later position change an earlier one, so the scored position is unaffected.
pub const PAD: &str = "<pad>";
pub const BOS: &str = "<bos>";
pub const UNK: &str = "[UNK]";

/// Which part of a task's word lists a row draws from: models train on `Train` and are judged on
/// `HeldOut` (words or templates they never met in this task); the task datasets use `HeldOut`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Train,
    HeldOut,
}

impl Split {
    /// The first `n_train` entries of `list` for training, the rest held out.
    pub fn of<'a, T>(self, list: &'a [T], n_train: usize) -> &'a [T] {
        match self {
            Self::Train => &list[..n_train],
            Self::HeldOut => &list[n_train..],
        }
    }
}

/// One row of a task in words: a clean prompt, its corrupted twin (same length, same layout), and
/// the answers the task metric compares at the prompt's last word.
#[derive(Debug, Clone, PartialEq)]
pub struct WordExample {
    /// The prompt after `<bos>`.
    pub clean: Vec<String>,
    pub corrupt: Vec<String>,
    pub correct: Vec<String>,
    pub wrong: Vec<String>,
}

/// Owned words from string slices.
pub fn owned(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

/// Token ids for `examples`: `<bos>` first, rows right-padded with `<pad>` to one length, the
/// metric reading each row's last prompt word. `lookup` maps a word to its id; every word it does
/// not know is named in one `Error::Invalid`.
pub fn encode(task: &str, examples: &[WordExample], lookup: impl Fn(&str) -> Option<u32>) -> Result<AcdcData> {
    let mut missing: Vec<String> = vec![];
    let mut id = |w: &str| -> u32 {
        lookup(w).unwrap_or_else(|| {
            if !missing.iter().any(|m| m == w) {
                missing.push(w.to_string());
            }
            0
        })
    };
    let len = examples.iter().map(|e| e.clean.len()).max().unwrap_or(0) + 1;
    let padded = examples.iter().any(|e| e.clean.len() + 1 < len);
    let pad = if padded { id(PAD) } else { 0 };
    let bos = id(BOS);
    let mut row = |words: &[String]| -> Vec<u32> {
        let mut r = vec![bos];
        r.extend(words.iter().map(|w| id(w)));
        r.resize(len, pad);
        r
    };
    let clean: Vec<Vec<u32>> = examples.iter().map(|e| row(&e.clean)).collect();
    let corrupt: Vec<Vec<u32>> = examples.iter().map(|e| row(&e.corrupt)).collect();
    let mut labels = |words: &[String]| Labels::Many(words.iter().map(|w| id(w)).collect());
    let correct: Vec<Labels> = examples.iter().map(|e| labels(&e.correct)).collect();
    let wrong: Vec<Labels> = examples.iter().map(|e| labels(&e.wrong)).collect();
    if !missing.is_empty() {
        let shown: Vec<String> = missing.iter().take(12).map(|w| format!("{w:?}")).collect();
        let more = if missing.len() > 12 { format!(" and {} more", missing.len() - 12) } else { String::new() };
        return Err(Error::Invalid(format!(
            "task {task} does not fit this model: its vocabulary lacks {}{more}",
            shown.join(", ")
        )));
    }
    // One correct id is `Labels::One` so that logit_diff (one correct answer per row) accepts it.
    let one = |l: Labels| match l {
        Labels::Many(ids) if ids.len() == 1 => Labels::One(ids[0]),
        l => l,
    };
    let data = AcdcData {
        positions: Some(examples.iter().map(|e| vec![e.clean.len()]).collect()),
        clean,
        corrupt,
        correct: Some(correct.into_iter().map(one).collect()),
        wrong: Some(wrong),
        pos_embed_perm: None,
    };
    data.validate()?;
    Ok(data)
}

/// `encode` with the model's own tokenizer.
pub fn encode_for(model: &LoadedModel, task: &str, examples: &[WordExample]) -> Result<AcdcData> {
    let tokenizer = model.tokenizer.as_ref().ok_or_else(|| {
        Error::Invalid(format!("task {task} looks words up in the model's tokenizer.json, and this model has none"))
    })?;
    let d_vocab = model.config.d_vocab;
    encode(task, examples, |w| tokenizer.token_id(w).filter(|&id| (id as usize) < d_vocab))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(w: &str) -> Option<u32> {
        ["<bos>", "[UNK]", "<pad>", "a", "b", "c"].iter().position(|x| *x == w).map(|i| i as u32)
    }

    fn example(clean: &[&str], corrupt: &[&str]) -> WordExample {
        WordExample { clean: owned(clean), corrupt: owned(corrupt), correct: owned(&["a"]), wrong: owned(&["b", "c"]) }
    }

    #[test]
    fn short_rows_are_padded_and_scored_at_their_own_last_word() {
        let data = encode("t", &[example(&["a", "b"], &["c", "b"]), example(&["a", "b", "c"], &["c", "c", "c"])], lookup).unwrap();
        assert_eq!(data.clean, vec![vec![0, 3, 4, 2], vec![0, 3, 4, 5]]);
        assert_eq!(data.corrupt[0], vec![0, 5, 4, 2]);
        assert_eq!(data.positions, Some(vec![vec![2], vec![3]]));
        assert_eq!(data.correct.unwrap()[0], Labels::One(3));
        assert_eq!(data.wrong.unwrap()[1], Labels::Many(vec![4, 5]));
    }

    #[test]
    fn every_missing_word_is_named_once() {
        let err = encode("demo", &[example(&["a", "zebra", "zebra"], &["a", "b", "lion"])], lookup).unwrap_err();
        assert_eq!(err.to_string(), "task demo does not fit this model: its vocabulary lacks \"zebra\", \"lion\"");
    }
}
