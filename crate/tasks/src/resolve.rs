//! A run's data and defaults from its settings: a task's generated rows (the task named, else the
//! model's first), or a person's own rows, which default to KL, τ 0.05 and resample ablation.

use circuitscope::data::AcdcData;
use circuitscope::error::{Error, Result};
use circuitscope::metric::MetricKind;
use circuitscope::model::LoadedModel;
use circuitscope::patch::Ablation;
use circuitscope::settings::{RunSettings, TaskDefaults};

use crate::Task;

/// What a run reads.
pub struct Resolved {
    pub data: AcdcData,
    pub defaults: TaskDefaults,
    /// The task, when the data is a task's.
    pub task: Option<Task>,
}

/// The defaults of data that is no task's.
pub const OWN_DATA: TaskDefaults = TaskDefaults { metric: MetricKind::Kl, tau: 0.05, ablation: Ablation::Resample, rows: 0 };

/// The task `settings` names, else `model`'s first.
pub fn task_of(model: &LoadedModel, settings: &RunSettings) -> Result<Task> {
    let name = if settings.task.is_empty() {
        model.config.tasks.first().cloned().ok_or_else(|| Error::Invalid("name a task: this model lists none".into()))?
    } else {
        settings.task.clone()
    };
    crate::find(&name)
}

/// `data` when given (a person's rows, or a data.json), else the task's rows for `settings`.
pub fn resolve(model: &LoadedModel, settings: &RunSettings, data: Option<AcdcData>) -> Result<Resolved> {
    match data {
        Some(data) => {
            data.validate()?;
            Ok(Resolved { defaults: TaskDefaults { rows: data.rows(), ..OWN_DATA }, data, task: None })
        }
        None => {
            let task = task_of(model, settings)?;
            let data = task.generate(model, settings.rows, settings.seed)?;
            Ok(Resolved { data, defaults: task.defaults(), task: Some(task) })
        }
    }
}
