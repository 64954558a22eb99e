//! `circuitscope eval --model DIR --task NAME [--n 200 --seed 0 | --data data.json]`: the task
//! metric on clean and corrupted data, accuracy, and KL(clean ‖ corrupted), as JSON.

use std::path::PathBuf;

use clap::Args;

use circuitscope_tasks::eval::evaluate;
use circuitscope::device::cpu;
use circuitscope::data::AcdcData;
use circuitscope::error::{Error, Result};
use circuitscope::metric::MetricKind;
use circuitscope::model::LoadedModel;

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[arg(long)]
    pub model: PathBuf,
    #[arg(long)]
    pub task: String,
    /// Rows of task data (default 200; on a fixed dataset, such as GPT-2's paper data, all of it).
    #[arg(long)]
    pub n: Option<usize>,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// A dataset to use instead of the task's own (the JSON `circuitscope data` writes); the task
    /// still decides the metric and the accuracy rule.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// kl, logit_diff, prob_diff, l2 or nll (default: the task's).
    #[arg(long)]
    pub metric: Option<MetricKind>,
}

const DEFAULT_ROWS: usize = 200;

/// Rows to ask `task` for when `--n` is not given: all of a fixed dataset (the paper's GPT-2 data
/// has 100 rows; asking for more is an error), else `DEFAULT_ROWS`.
fn default_rows(model: &LoadedModel, task: &str) -> Result<Option<usize>> {
    let fixed = circuitscope_tasks::paper_gpt2::data(task, model.tokenizer.as_ref(), None)?.is_some();
    Ok((!fixed).then_some(DEFAULT_ROWS))
}

pub fn eval(args: &EvalArgs) -> Result<()> {
    let model = LoadedModel::from_dir(&args.model, &cpu())?;
    let task = circuitscope_tasks::find(&args.task)?;
    let data = match &args.data {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
            AcdcData::from_json(&text)?
        }
        None => {
            let rows = match args.n {
                Some(n) => Some(n),
                None => default_rows(&model, &args.task)?,
            };
            task.generate(&model, rows, args.seed)?
        }
    };
    let result = evaluate(&model, &task, &data, args.metric)?;
    println!("{}", serde_json::to_string_pretty(&result).expect("plain numbers"));
    Ok(())
}
