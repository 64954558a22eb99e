//! What decides an ACDC run (everything `circuit.json` records as its settings).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::metric::MetricKind;
use crate::patch::Ablation;

/// Order of sender groups (`names_mode`) or of heads within a group (`indices_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    #[default]
    Normal,
    Reverse,
    /// Shuffled with the run's seed (the reference shuffles unseeded).
    Random,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Normal, Mode::Reverse, Mode::Random];

    pub fn name(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Reverse => "reverse",
            Self::Random => "random",
        }
    }

    /// Orders `items` in place: as they are, reversed, or shuffled with `rng`.
    pub fn apply<T>(self, items: &mut [T], rng: &mut crate::rng::Rng) {
        match self {
            Self::Normal => {}
            Self::Reverse => items.reverse(),
            Self::Random => rng.shuffle(items),
        }
    }
}

impl std::str::FromStr for Mode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| Error::Invalid(format!("unknown mode {s:?}: use normal, reverse or random")))
    }
}

/// Everything that decides a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct AcdcSettings {
    pub tau: f64,
    pub metric: MetricKind,
    pub ablation: Ablation,
    pub indices_mode: Mode,
    pub names_mode: Mode,
    /// Compare |Δ| with τ instead of Δ.
    pub abs_value_threshold: bool,
    pub use_pos_embed: bool,
    pub seed: u64,
}

impl Default for AcdcSettings {
    fn default() -> Self {
        Self {
            tau: 0.05,
            metric: MetricKind::Kl,
            ablation: Ablation::Resample,
            indices_mode: Mode::Normal,
            names_mode: Mode::Normal,
            abs_value_threshold: false,
            use_pos_embed: false,
            seed: 0,
        }
    }
}
