//! A Hugging Face `tokenizer.json` (word-level vocabularies for our models, byte-level BPE for
//! GPT-2), read by the `tokenizers` crate natively and in wasm.

use crate::error::{Error, Result};

pub struct Tokenizer {
    inner: tokenizers::Tokenizer,
    /// The id of the unknown token, if the vocabulary has one: encoding to it is an error.
    unk: Option<u32>,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokenizer({} tokens)", self.vocab_size())
    }
}

impl Tokenizer {
    pub fn from_json(text: &str) -> Result<Self> {
        let inner = tokenizers::Tokenizer::from_bytes(text.as_bytes())
            .map_err(|e| Error::Tokenizer(format!("cannot read tokenizer.json: {e}")))?;
        let unk = ["[UNK]", "<unk>", "<UNK>"].iter().find_map(|t| inner.token_to_id(t));
        Ok(Self { inner, unk })
    }

    pub fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }

    /// Token ids of `text`, with the special tokens the tokenizer adds (our models: `<bos>` first).
    /// An unknown word is an error that names it.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        let encoding = self
            .inner
            .encode(text, true)
            .map_err(|e| Error::Tokenizer(format!("cannot tokenize the prompt: {e}")))?;
        if let Some(unk) = self.unk {
            if let Some(i) = encoding.get_ids().iter().position(|&id| id == unk) {
                let (start, end) = encoding.get_offsets()[i];
                let word = text.get(start..end).unwrap_or("?");
                return Err(Error::Tokenizer(format!("unknown word {word:?}: it is not in this model's vocabulary")));
            }
        }
        Ok(encoding.get_ids().to_vec())
    }

    /// The id of a vocabulary entry spelled exactly `token` (a word, for word-level vocabularies).
    pub fn token_id(&self, token: &str) -> Option<u32> {
        self.inner.token_to_id(token)
    }

    /// The text of one token as it would print (GPT-2's `Ġ` shown as a space).
    pub fn token_text(&self, id: u32) -> String {
        self.inner
            .decode(&[id], false)
            .ok()
            .filter(|s| !s.is_empty())
            .or_else(|| self.inner.id_to_token(id))
            .unwrap_or_else(|| format!("<{id}>"))
    }
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
}
