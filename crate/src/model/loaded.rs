//! A model ready to run: config, module on its device, and tokenizer. The same loader reads bytes
//! (the browser) and files (the CLI).

use burn::prelude::*;

use super::config::ModelConfig;
use super::hf_gpt2;
use super::tokenizer::Tokenizer;
use super::transformer::{Transformer, tokens_tensor};
use super::weights::WeightMap;
use crate::error::{Error, Result};

/// What the page shows of a loaded model.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ModelInfo {
    pub config: ModelConfig,
    pub parameter_count: usize,
    /// The tokenizer's vocabulary (none without a tokenizer).
    pub vocab_size: Option<usize>,
    /// `webgpu` or `cpu`.
    pub backend: String,
}

#[derive(Debug)]
pub struct LoadedModel {
    pub config: ModelConfig,
    pub transformer: Transformer,
    pub tokenizer: Option<Tokenizer>,
    pub device: Device,
}

impl LoadedModel {
    /// Parses `config.json`, the safetensors weights (TransformerLens or Hugging Face GPT-2 names)
    /// and an optional `tokenizer.json`, checking every key and shape.
    pub fn from_bytes(config_json: &str, weights: &[u8], tokenizer_json: Option<&str>, device: &Device) -> Result<Self> {
        let config = ModelConfig::from_json(config_json)?;
        let mut map = WeightMap::from_safetensors(weights)?;
        if hf_gpt2::is_hf_gpt2(&map) {
            map = hf_gpt2::convert(map, &config)?;
        }
        let tokenizer = tokenizer_json.map(Tokenizer::from_json).transpose()?;
        if let Some(t) = &tokenizer {
            if t.vocab_size() > config.d_vocab {
                return Err(Error::Tokenizer(format!(
                    "the tokenizer has {} tokens but the model's d_vocab is {}",
                    t.vocab_size(),
                    config.d_vocab
                )));
            }
        }
        let transformer = Transformer::load(map, &config, device)?;
        Ok(Self { config, transformer, tokenizer, device: device.clone() })
    }

    /// Reads `dir/config.json`, `dir/model.safetensors` and, if present, `dir/tokenizer.json`.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_dir(dir: &std::path::Path, device: &Device) -> Result<Self> {
        let read = |name: &str| std::fs::read(dir.join(name)).map_err(|e| Error::Io(format!("{}: {e}", dir.join(name).display())));
        let config = String::from_utf8(read("config.json")?).map_err(|e| Error::Config(e.to_string()))?;
        let weights = read("model.safetensors")?;
        let tokenizer = match std::fs::read_to_string(dir.join("tokenizer.json")) {
            Ok(t) => Some(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::Io(format!("tokenizer.json: {e}"))),
        };
        Self::from_bytes(&config, &weights, tokenizer.as_deref(), device)
    }

    pub fn info(&self, backend: &str) -> ModelInfo {
        ModelInfo {
            config: self.config.clone(),
            parameter_count: self.config.parameter_count(),
            vocab_size: self.tokenizer.as_ref().map(|t| t.vocab_size()),
            backend: backend.into(),
        }
    }

    /// Token ids for a text prompt (requires a tokenizer). A prompt far longer than the model can
    /// read is refused before it is tokenized (a token is rarely longer than 64 characters).
    pub fn encode(&self, prompt: &str) -> Result<Vec<u32>> {
        let limit = self.config.n_ctx.saturating_mul(64).max(4096);
        if prompt.len() > limit {
            return Err(Error::Input(format!(
                "the prompt is {} characters; this model reads at most n_ctx = {} tokens, so at most {limit} characters are looked at",
                prompt.len(),
                self.config.n_ctx
            )));
        }
        let tokenizer = self
            .tokenizer
            .as_ref()
            .ok_or_else(|| Error::Tokenizer("this model has no tokenizer.json: give token ids instead".into()))?;
        tokenizer.encode(prompt)
    }

    pub fn token_text(&self, id: u32) -> String {
        match &self.tokenizer {
            Some(t) => t.token_text(id),
            None => format!("<{id}>"),
        }
    }

    /// `[batch, pos]` tensor of token ids, checked against the model.
    pub fn tokens(&self, rows: &[Vec<u32>]) -> Result<Tensor<2, Int>> {
        tokens_tensor(rows, &self.config, &self.device)
    }
}
