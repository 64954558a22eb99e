//! `circuitscope tasks` and `circuitscope data`: the task list, and a task's dataset as the JSON
//! `acdc --data` reads (to run another implementation on identical inputs).

use std::path::PathBuf;

use clap::Args;

use circuitscope::device::cpu;
use circuitscope::error::{Error, Result};
use circuitscope::model::LoadedModel;

pub fn list() -> Result<()> {
    println!("{}", serde_json::to_string_pretty(&circuitscope_tasks::all()).expect("plain tasks"));
    Ok(())
}

#[derive(Debug, Args)]
pub struct DataArgs {
    #[arg(long)]
    pub model: PathBuf,
    #[arg(long)]
    pub task: String,
    /// Rows (default: the task's).
    #[arg(long)]
    pub n: Option<usize>,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long)]
    pub out: PathBuf,
}

pub fn data(args: &DataArgs) -> Result<()> {
    let model = LoadedModel::from_dir(&args.model, &cpu())?;
    let data = circuitscope_tasks::find(&args.task)?.generate(&model, args.n, args.seed)?;
    let text = serde_json::to_string(&data).expect("plain data");
    std::fs::write(&args.out, text).map_err(|e| Error::Io(format!("{}: {e}", args.out.display())))
}
