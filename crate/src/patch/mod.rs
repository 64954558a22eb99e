//! Patching (docs/patching.md): what a removed edge carries instead of its sender's current
//! output, and the passes that inject it.
//!
//! `corrupt` holds the values removed edges carry (resample, zero or mean ablation); `mask` says
//! which edges are removed, densely; `masked` is a whole forward pass under a mask (through the
//! model's one pass); `engine` keeps the current circuit's pass and recomputes only what a tested
//! edge reaches; `naive` assembles every receiver sender by sender, and exists to check the others.

pub mod corrupt;
pub mod engine;
pub mod live;
pub mod mask;
pub mod masked;
pub mod naive;

use serde::{Deserialize, Serialize};

/// What a removed edge carries instead of the sender's current output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Ablation {
    /// The sender's output on the corrupted input.
    #[default]
    Resample,
    /// Zero: the corrupted run is the clean input with every `hook_result`, `mlp_out` and the
    /// embedding zeroed (attention output biases survive; docs/patching.md).
    Zero,
    /// The sender's output on the corrupted input, averaged over the corrupted rows per position
    /// (and likewise each head's q/k/v for removed DIRECT_COMPUTATION edges).
    Mean,
}

impl Ablation {
    pub const ALL: [Ablation; 3] = [Ablation::Resample, Ablation::Zero, Ablation::Mean];

    pub fn name(self) -> &'static str {
        match self {
            Self::Resample => "resample",
            Self::Zero => "zero",
            Self::Mean => "mean",
        }
    }
}

impl std::str::FromStr for Ablation {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or_else(|| crate::Error::Invalid(format!("unknown ablation {s:?}: use resample, zero or mean")))
    }
}
