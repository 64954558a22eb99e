//! Patching (ACDC.md §2): clean and corrupted caches of every sender's output, and forward passes
//! in which each receiver's input is assembled from present senders' current outputs and removed
//! senders' corrupted outputs, before LayerNorm.
//!
//! `forward` is the optimised engine (dense masks, one matmul per receiver group, passes that start
//! at the receiver's layer); `naive` assembles every receiver sender by sender from the graph, and
//! exists to check the engine.

pub mod cache;
pub mod forward;
pub mod mask;
pub mod naive;

use serde::{Deserialize, Serialize};

/// What a removed edge carries instead of the sender's current output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Ablation {
    /// The sender's output on the corrupted input.
    #[default]
    Resample,
    /// Zero: the corrupted run is the clean input with every `hook_result`, `mlp_out` and the
    /// embedding zeroed (attention output biases survive; NOTES.md §3).
    Zero,
}

impl std::str::FromStr for Ablation {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        match s {
            "resample" => Ok(Self::Resample),
            "zero" => Ok(Self::Zero),
            _ => Err(crate::Error::Invalid(format!("unknown ablation {s:?}: use resample or zero"))),
        }
    }
}
