//! What every command that runs a model on data reads: a model folder, and a task's data or a
//! data.json file (docs/formats.md).

use std::path::{Path, PathBuf};

use clap::Args;

use circuitscope::data::AcdcData;
use circuitscope::device;
use circuitscope::error::{Error, Result};
use circuitscope::metric::MetricKind;
use circuitscope::model::LoadedModel;
use circuitscope::patch::Ablation;
use circuitscope_tasks::Task;

#[derive(Debug, Args)]
pub struct Input {
    /// A model folder: config.json, model.safetensors, tokenizer.json (optional).
    #[arg(long)]
    pub model: PathBuf,
    /// A task name (see `circuitscope tasks`).
    #[arg(long, conflicts_with = "data")]
    pub task: Option<String>,
    /// A dataset: {"clean": [[ids]], "corrupt": [[ids]], "positions"?, "correct"?, "wrong"?}.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Rows of task data (default: the task's).
    #[arg(long)]
    pub n: Option<usize>,
    /// The task data's seed (and ACDC's, for random orders).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

/// A model, its data, and the task the data came from (none for a data file).
pub struct Loaded {
    pub model: LoadedModel,
    pub data: AcdcData,
    pub task: Option<Task>,
}

impl Loaded {
    /// The metric to use: the one asked for, else the task's, else KL.
    pub fn metric(&self, asked: Option<MetricKind>) -> MetricKind {
        asked.or(self.task.as_ref().map(|t| t.default_metric)).unwrap_or(MetricKind::Kl)
    }

    /// The ablation to use: the one asked for, else the task's (zero for compiled models).
    pub fn ablation(&self, asked: Option<Ablation>) -> Ablation {
        asked.or(self.task.as_ref().map(|t| circuitscope_tasks::tracr::default_ablation(t.name))).unwrap_or_default()
    }

    /// Whether the graph has separate token and position embedding nodes.
    pub fn use_pos_embed(&self, asked: bool) -> bool {
        asked || self.model.config.use_pos_embed
    }
}

pub fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))
}

pub fn write_text(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| Error::Io(format!("{}: {e}", path.display())))
}

impl Input {
    pub fn load(&self) -> Result<Loaded> {
        let model = LoadedModel::from_dir(&self.model, &device::cpu())?;
        let (data, task) = match (&self.task, &self.data) {
            (_, Some(path)) => (AcdcData::from_json(&read_text(path)?)?, None),
            (Some(task), None) => {
                let task = circuitscope_tasks::find(task)?;
                (task.generate(&model, self.n, self.seed)?, Some(task))
            }
            (None, None) => return Err(Error::Invalid("give --task NAME or --data data.json".into())),
        };
        Ok(Loaded { model, data, task })
    }
}
