//! What a person chooses for a run, with its defaults: one struct for the CLI's flags (clap,
//! behind the `cli` feature), the page's settings form and URL (the field names are the query
//! keys), and the wasm API. Its TypeScript is generated, never written by hand
//! (`www/src/generated/wire.ts`, from `crate/web/tests/wire.rs`).

use serde::{Deserialize, Serialize};

use crate::attribute::{AttributeSettings, Method};
use crate::discover::{AcdcSettings, Mode};
use crate::error::{Error, Result};
use crate::metric::MetricKind;
use crate::patch::Ablation;

/// How a run finds a circuit: ACDC, or one of the attribution methods (docs/methods.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Algorithm {
    /// Automatic Circuit DisCovery: remove edges one by one while the metric allows it.
    #[default]
    Acdc,
    /// Activation patching: every edge's effect, one at a time.
    Exact,
    /// Edge attribution patching: one gradient.
    Eap,
    /// EAP with integrated gradients.
    EapIg,
}

impl Algorithm {
    pub const ALL: [Algorithm; 4] = [Algorithm::Acdc, Algorithm::Exact, Algorithm::Eap, Algorithm::EapIg];

    pub fn name(self) -> &'static str {
        match self {
            Self::Acdc => "acdc",
            Self::Exact => "exact",
            Self::Eap => "eap",
            Self::EapIg => "eap-ig",
        }
    }

    /// The attribution method, or `None` for ACDC.
    pub fn method(self) -> Option<Method> {
        match self {
            Self::Acdc => None,
            Self::Exact => Some(Method::Exact),
            Self::Eap => Some(Method::Eap),
            Self::EapIg => Some(Method::EapIg),
        }
    }
}

impl std::str::FromStr for Algorithm {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or_else(|| Error::Invalid(format!("unknown algorithm {s:?}: use acdc, exact, eap or eap-ig")))
    }
}

/// A task's defaults, which the settings a person leaves out fall back to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaskDefaults {
    pub metric: MetricKind,
    pub tau: f64,
    pub ablation: Ablation,
    pub rows: usize,
}

/// Everything a person chooses for a run. What is left out (`None`) takes the task's default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct RunSettings {
    /// The task whose data the run uses (`circuitscope tasks`); empty: the model's first task.
    #[cfg_attr(feature = "cli", arg(long, default_value = ""))]
    pub task: String,
    /// acdc, exact, eap or eap-ig (`circuitscope attribute` calls it `--method`).
    #[cfg_attr(feature = "cli", arg(long, visible_alias = "method", default_value = "acdc"))]
    pub algorithm: Algorithm,
    /// ACDC's threshold τ: an edge is removed when the metric rises by less (default: the task's).
    #[cfg_attr(feature = "cli", arg(long))]
    pub tau: Option<f64>,
    /// kl, logit_diff, prob_diff, l2 or nll (default: the task's).
    #[cfg_attr(feature = "cli", arg(long))]
    pub metric: Option<MetricKind>,
    /// resample, zero or mean (default: the task's: zero for compiled models, else resample).
    #[cfg_attr(feature = "cli", arg(long))]
    pub ablation: Option<Ablation>,
    /// ACDC's order of heads within a sender group: normal, reverse or random.
    #[cfg_attr(feature = "cli", arg(long, default_value = "normal"))]
    pub indices_mode: Mode,
    /// ACDC's order of sender groups: normal, reverse or random.
    #[cfg_attr(feature = "cli", arg(long, default_value = "normal"))]
    pub names_mode: Mode,
    /// ACDC compares |Δ| with τ instead of Δ.
    #[cfg_attr(feature = "cli", arg(long))]
    pub abs_value_threshold: bool,
    /// The seed of the task's data and of ACDC's random orders.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 0))]
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seed: u64,
    /// Rows of task data (default: the task's).
    #[cfg_attr(feature = "cli", arg(long, visible_alias = "n"))]
    pub rows: Option<usize>,
    /// EAP-IG's interpolation steps m.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 5))]
    pub steps: usize,
}

impl Default for RunSettings {
    fn default() -> Self {
        Self {
            task: String::new(),
            algorithm: Algorithm::Acdc,
            tau: None,
            metric: None,
            ablation: None,
            indices_mode: Mode::Normal,
            names_mode: Mode::Normal,
            abs_value_threshold: false,
            seed: 0,
            rows: None,
            steps: 5,
        }
    }
}

impl RunSettings {
    /// ACDC's settings, the task's defaults filling what was left out.
    pub fn acdc(&self, defaults: TaskDefaults, use_pos_embed: bool) -> AcdcSettings {
        AcdcSettings {
            tau: self.tau.unwrap_or(defaults.tau),
            metric: self.metric.unwrap_or(defaults.metric),
            ablation: self.ablation.unwrap_or(defaults.ablation),
            indices_mode: self.indices_mode,
            names_mode: self.names_mode,
            abs_value_threshold: self.abs_value_threshold,
            use_pos_embed,
            seed: self.seed,
        }
    }

    /// An attribution method's settings (ACDC asked for: an error).
    pub fn attribute(&self, defaults: TaskDefaults, use_pos_embed: bool) -> Result<AttributeSettings> {
        let method = self
            .algorithm
            .method()
            .ok_or_else(|| Error::Invalid("ACDC is not an attribution method: choose --method exact, eap or eap-ig".into()))?;
        Ok(AttributeSettings {
            method,
            steps: self.steps.max(1),
            metric: self.metric.unwrap_or(defaults.metric),
            ablation: self.ablation.unwrap_or(defaults.ablation),
            use_pos_embed,
        })
    }
}
