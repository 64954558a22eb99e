//! What the page shows of tasks: each task's defaults and explanation, and a dataset with its rows
//! as text.

use serde::{Deserialize, Serialize};

use circuitscope::data::AcdcData;
use circuitscope::metric::MetricKind;
use circuitscope::model::LoadedModel;
use circuitscope::patch::Ablation;
use circuitscope::settings::TaskDefaults;

use crate::{Task, tracr};

/// A task the crate can generate data for, with what a run on it defaults to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TaskInfo {
    pub name: String,
    pub default_metric: MetricKind,
    pub default_tau: f64,
    /// Zero for the compiled (tracr) models, as the paper ran them; resample otherwise.
    pub default_ablation: Ablation,
    pub default_rows: usize,
    pub explanation: String,
}

impl Task {
    pub fn info(&self) -> TaskInfo {
        TaskInfo {
            name: self.name.into(),
            default_metric: self.default_metric,
            default_tau: self.default_tau,
            default_ablation: tracr::default_ablation(self.name),
            default_rows: self.default_rows,
            explanation: self.explanation.into(),
        }
    }

    /// What the settings a person leaves out fall back to.
    pub fn defaults(&self) -> TaskDefaults {
        TaskDefaults {
            metric: self.default_metric,
            tau: self.default_tau,
            ablation: tracr::default_ablation(self.name),
            rows: self.default_rows,
        }
    }
}

/// Every task's info.
pub fn infos() -> Vec<TaskInfo> {
    crate::all().iter().map(Task::info).collect()
}

/// A dataset as the page shows it: the ids, the scored positions, and every row as text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TaskData {
    pub clean: Vec<Vec<u32>>,
    pub corrupt: Vec<Vec<u32>>,
    pub positions: Option<Vec<Vec<usize>>>,
    pub clean_text: Vec<String>,
    pub corrupt_text: Vec<String>,
}

impl TaskData {
    pub fn of(model: &LoadedModel, data: &AcdcData) -> Self {
        let text = |row: &Vec<u32>| row.iter().map(|&id| model.token_text(id)).collect::<Vec<_>>().join(" ");
        Self {
            clean_text: data.clean.iter().map(text).collect(),
            corrupt_text: data.corrupt.iter().map(text).collect(),
            clean: data.clean.clone(),
            corrupt: data.corrupt.clone(),
            positions: data.positions.clone(),
        }
    }
}

/// The metric a task's data is read with unless a person says otherwise.
pub fn default_metric(task: &str) -> Option<MetricKind> {
    crate::find(task).ok().map(|t| t.default_metric)
}
