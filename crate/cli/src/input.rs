//! What every command that runs a model on data reads: a model folder, a task's data or a
//! data.json file (docs/formats.md), and the run's settings — the same `RunSettings` the page and
//! its URL use, as flags.

use std::path::{Path, PathBuf};

use clap::Args;

use circuitscope::data::AcdcData;
use circuitscope::device;
use circuitscope::error::{Error, Result};
use circuitscope::model::LoadedModel;
use circuitscope::settings::RunSettings;
use circuitscope_tasks::resolve::{Resolved, resolve};

#[derive(Debug, Args)]
pub struct Input {
    /// A model folder: config.json, model.safetensors, tokenizer.json (optional).
    #[arg(long)]
    pub model: PathBuf,
    /// A dataset instead of a task's: {"clean": [[ids]], "corrupt": [[ids]], "positions"?,
    /// "correct"?, "wrong"?} (docs/formats.md).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Separate token and position embedding input nodes (also on when config.json says so).
    #[arg(long)]
    pub use_pos_embed: bool,
    #[command(flatten)]
    pub settings: RunSettings,
}

/// A model and what a run on it reads.
pub struct Loaded {
    pub model: LoadedModel,
    pub run: Resolved,
    pub settings: RunSettings,
    pub use_pos_embed: bool,
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
        let data = self.data.as_ref().map(|path| AcdcData::from_json(&read_text(path)?)).transpose()?;
        let run = resolve(&model, &self.settings, data)?;
        let use_pos_embed = self.use_pos_embed || model.config.use_pos_embed;
        Ok(Loaded { model, run, settings: self.settings.clone(), use_pos_embed })
    }
}
