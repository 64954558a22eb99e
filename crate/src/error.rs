//! The crate's one error type. Every message names what was wrong and where, so the CLI and the
//! page can show it to a person as it is ("weights: tensor blocks.0.attn.W_Q: expected shape …").

use thiserror::Error;

/// Everything that can go wrong between bytes on disk and a forward pass.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    /// `config.json` is not valid JSON, misses a field, or describes an impossible model.
    #[error("config: {0}")]
    Config(String),
    /// The weights file is malformed, truncated, or does not match the config.
    #[error("weights: {0}")]
    Weights(String),
    /// The tokenizer file cannot be read, or a prompt cannot be tokenized.
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    /// The input tokens do not fit the model (empty, too long, an id outside the vocabulary).
    #[error("input: {0}")]
    Input(String),
    /// The compute device failed (lost WebGPU device, failed read-back).
    #[error("device: {0}")]
    Device(String),
    /// A task, dataset or discovery setting is invalid.
    #[error("{0}")]
    Invalid(String),
    /// Reading or writing a file (CLI only).
    #[error("io: {0}")]
    Io(String),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
