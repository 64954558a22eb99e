//! A Hugging Face `tokenizer.json`, read by our own code natively and in wasm: word-level
//! vocabularies split on whitespace (our models, with a BOS the template adds) and GPT-2's
//! byte-level BPE. Anything else is refused with a message that says what is supported. (The
//! `tokenizers` crate read them before; doing without it takes ~0.9 MB off the page's wasm.)

mod bpe;
mod split;

use std::collections::HashMap;

use serde_json::Value;

use crate::error::{Error, Result};
use bpe::Bpe;

/// How text becomes ids.
enum Model {
    /// Whitespace-separated words, each a vocabulary entry; `unk` marks an unknown word.
    WordLevel { unk: Option<u32> },
    /// GPT-2's byte-level BPE.
    Bpe(Bpe),
}

pub struct Tokenizer {
    model: Model,
    /// Every token by id (vocabulary and added tokens).
    vocab: HashMap<String, u32>,
    texts: Vec<String>,
    /// Added special tokens, cut out of the text before the model sees it (`<|endoftext|>`).
    special: Vec<(String, u32)>,
    /// Ids the post-processor puts before every encoding (`<bos>`).
    prefix: Vec<u32>,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokenizer({} tokens)", self.vocab_size())
    }
}

fn unsupported(what: &str) -> Error {
    Error::Tokenizer(format!(
        "this tokenizer.json uses {what}, which Circuitscope does not read: it reads word-level vocabularies split on \
         whitespace and GPT-2's byte-level BPE"
    ))
}

fn kind(v: &Value) -> Option<&str> {
    v.get("type").and_then(Value::as_str)
}

impl Tokenizer {
    pub fn from_json(text: &str) -> Result<Self> {
        let json: Value = serde_json::from_str(text).map_err(|e| Error::Tokenizer(format!("cannot read tokenizer.json: {e}")))?;
        let model = json.get("model").ok_or_else(|| Error::Tokenizer("cannot read tokenizer.json: no \"model\"".into()))?;
        let mut vocab: HashMap<String, u32> = match model.get("vocab") {
            Some(Value::Object(map)) => map
                .iter()
                .map(|(k, v)| v.as_u64().filter(|&id| id < u32::MAX as u64).map(|id| (k.clone(), id as u32)))
                .collect::<Option<_>>()
                .ok_or_else(|| Error::Tokenizer("cannot read tokenizer.json: a vocabulary id is not a number".into()))?,
            _ => return Err(Error::Tokenizer("cannot read tokenizer.json: no vocabulary".into())),
        };
        let mut special = vec![];
        for added in json.get("added_tokens").and_then(Value::as_array).into_iter().flatten() {
            let (Some(content), Some(id)) = (added.get("content").and_then(Value::as_str), added.get("id").and_then(Value::as_u64)) else {
                return Err(Error::Tokenizer("cannot read tokenizer.json: an added token lacks content or id".into()));
            };
            let id = u32::try_from(id).map_err(|_| Error::Tokenizer("cannot read tokenizer.json: an id is too large".into()))?;
            vocab.insert(content.to_string(), id);
            if added.get("special").and_then(Value::as_bool).unwrap_or(false) {
                special.push((content.to_string(), id));
            }
        }
        let pre = json.get("pre_tokenizer").filter(|v| !v.is_null());
        let model = match kind(model) {
            Some("WordLevel") => {
                if let Some(p) = pre.filter(|p| kind(p) != Some("WhitespaceSplit")) {
                    return Err(unsupported(&format!("the pre-tokenizer {}", kind(p).unwrap_or("?"))));
                }
                let unk = model.get("unk_token").and_then(Value::as_str).and_then(|u| vocab.get(u).copied());
                Model::WordLevel { unk }
            }
            Some("BPE") => {
                match pre {
                    Some(p) if kind(p) == Some("ByteLevel") && p.get("add_prefix_space").and_then(Value::as_bool) != Some(true) => {}
                    Some(p) => return Err(unsupported(&format!("BPE with the pre-tokenizer {}", kind(p).unwrap_or("?")))),
                    None => return Err(unsupported("BPE without a byte-level pre-tokenizer")),
                }
                let merges = model.get("merges").and_then(Value::as_array).ok_or_else(|| Error::Tokenizer("cannot read tokenizer.json: BPE without merges".into()))?;
                Model::Bpe(Bpe::new(merges, &vocab)?)
            }
            other => return Err(unsupported(&format!("the model type {}", other.unwrap_or("?")))),
        };
        if json.get("normalizer").is_some_and(|n| !n.is_null()) {
            return Err(unsupported("a normalizer"));
        }
        let prefix = match json.get("post_processor").filter(|v| !v.is_null()) {
            None => vec![],
            Some(p) if kind(p) == Some("ByteLevel") => vec![],
            Some(p) if kind(p) == Some("TemplateProcessing") => template_prefix(p, &vocab)?,
            Some(p) => return Err(unsupported(&format!("the post-processor {}", kind(p).unwrap_or("?")))),
        };
        let size = vocab.values().map(|&id| id as usize + 1).max().unwrap_or(0);
        let mut texts = vec![String::new(); size];
        for (token, &id) in &vocab {
            texts[id as usize] = token.clone();
        }
        special.sort_by(|a, b| b.0.len().cmp(&a.0.len()));
        Ok(Self { model, vocab, texts, special, prefix })
    }

    pub fn vocab_size(&self) -> usize {
        self.texts.len()
    }

    /// Token ids of `text`, with the special tokens the tokenizer adds (our models: `<bos>` first).
    /// An unknown word is an error that names it.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        let mut ids = self.prefix.clone();
        let mut rest = text;
        while !rest.is_empty() {
            // The next special token in the text, if any, and the plain text before it.
            let next = self.special.iter().filter_map(|(t, id)| rest.find(t.as_str()).map(|i| (i, t.len(), *id))).min_by_key(|&(i, _, _)| i);
            let (plain, after) = match next {
                Some((i, len, id)) => {
                    let plain = &rest[..i];
                    self.encode_plain(plain, &mut ids)?;
                    ids.push(id);
                    (None, &rest[i + len..])
                }
                None => (Some(rest), ""),
            };
            if let Some(plain) = plain {
                self.encode_plain(plain, &mut ids)?;
            }
            rest = after;
        }
        Ok(ids)
    }

    fn encode_plain(&self, text: &str, ids: &mut Vec<u32>) -> Result<()> {
        match &self.model {
            Model::WordLevel { unk } => {
                for word in text.split_whitespace() {
                    match self.vocab.get(word) {
                        Some(&id) if Some(id) != *unk => ids.push(id),
                        _ => return Err(Error::Tokenizer(format!("unknown word {word:?}: it is not in this model's vocabulary"))),
                    }
                }
            }
            Model::Bpe(bpe) => {
                for piece in split::split(text) {
                    bpe.encode(piece, &self.vocab, ids)?;
                }
            }
        }
        Ok(())
    }

    /// The id of a vocabulary entry spelled exactly `token` (a word, for word-level vocabularies).
    pub fn token_id(&self, token: &str) -> Option<u32> {
        self.vocab.get(token).copied()
    }

    /// The text of one token as it would print (GPT-2's `Ġ` shown as a space).
    pub fn token_text(&self, id: u32) -> String {
        match self.texts.get(id as usize).filter(|t| !t.is_empty()) {
            None => format!("<{id}>"),
            Some(t) if self.special.iter().any(|(s, _)| s == t) => t.clone(),
            Some(t) => match &self.model {
                Model::Bpe(_) => bpe::decode(t),
                Model::WordLevel { .. } => t.clone(),
            },
        }
    }
}

/// The special tokens a `TemplateProcessing` puts before the sequence in its `single` template.
fn template_prefix(p: &Value, vocab: &HashMap<String, u32>) -> Result<Vec<u32>> {
    let single = p.get("single").and_then(Value::as_array).ok_or_else(|| unsupported("a template without `single`"))?;
    let mut prefix = vec![];
    for (i, piece) in single.iter().enumerate() {
        if let Some(special) = piece.get("SpecialToken") {
            let name = special.get("id").and_then(Value::as_str).unwrap_or("");
            let id = vocab.get(name).ok_or_else(|| Error::Tokenizer(format!("the template names {name:?}, which the vocabulary lacks")))?;
            prefix.push(*id);
        } else if piece.get("Sequence").is_some() && i + 1 == single.len() {
            return Ok(prefix);
        } else {
            return Err(unsupported("a template with tokens after the sequence"));
        }
    }
    Err(unsupported("a template without the sequence"))
}

/// A word-level `tokenizer.json` (split on whitespace) whose encoding starts with `bos`; `tokens`
/// are in id order and must include `bos` and `unk`.
pub fn word_level_json(tokens: &[&str], bos: &str, unk: &str) -> String {
    let vocab: serde_json::Map<String, serde_json::Value> =
        tokens.iter().enumerate().map(|(i, t)| (t.to_string(), serde_json::json!(i))).collect();
    let special = |t: &str| {
        let id = tokens.iter().position(|x| *x == t).expect("special token in vocabulary");
        serde_json::json!({"id": id, "content": t, "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true})
    };
    let bos_id = tokens.iter().position(|x| *x == bos).expect("bos in vocabulary");
    let value = serde_json::json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": [special(bos), special(unk)],
        "normalizer": null,
        "pre_tokenizer": {"type": "WhitespaceSplit"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {bos: {"id": bos, "ids": [bos_id], "tokens": [bos]}}
        },
        "decoder": null,
        "model": {"type": "WordLevel", "vocab": vocab, "unk_token": unk}
    });
    serde_json::to_string_pretty(&value).expect("JSON of plain values")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_level_tokenizer_adds_bos_and_names_unknown_words() {
        let t = Tokenizer::from_json(&word_level_json(&["<bos>", "[UNK]", "cat", "dog"], "<bos>", "[UNK]")).unwrap();
        assert_eq!(t.encode("cat dog cat").unwrap(), vec![0, 2, 3, 2]);
        assert_eq!(t.token_text(3), "dog");
        let err = t.encode("cat zebra").unwrap_err().to_string();
        assert_eq!(err, "tokenizer: unknown word \"zebra\": it is not in this model's vocabulary");
    }

    #[test]
    fn an_unsupported_tokenizer_says_what_is_supported() {
        let json = word_level_json(&["<bos>", "[UNK]", "cat"], "<bos>", "[UNK]").replace("WordLevel", "Unigram");
        let err = Tokenizer::from_json(&json).unwrap_err().to_string();
        assert!(err.contains("Unigram") && err.contains("byte-level BPE"), "{err}");
        assert!(Tokenizer::from_json("{").unwrap_err().to_string().contains("cannot read tokenizer.json"));
    }
}
