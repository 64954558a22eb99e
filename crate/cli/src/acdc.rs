//! `circuitscope acdc --model DIR (--task NAME | --data data.json) --tau τ … --out circuit.json`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use circuitscope::data::AcdcData;
use circuitscope::device::{self, block_on};
use circuitscope::discover::{Acdc, AcdcEvent, AcdcSettings, Circuit, Mode};
use circuitscope::error::{Error, Result};
use circuitscope::metric::MetricKind;
use circuitscope::model::LoadedModel;
use circuitscope::patch::Ablation;

#[derive(Debug, Args)]
pub struct AcdcArgs {
    #[arg(long)]
    pub model: PathBuf,
    /// A task name (see `circuitscope tasks`).
    #[arg(long, conflicts_with = "data")]
    pub task: Option<String>,
    /// A dataset: {"clean": [[ids]], "corrupt": [[ids]], "positions"?, "correct"?, "wrong"?}.
    #[arg(long)]
    pub data: Option<PathBuf>,
    #[arg(long)]
    pub tau: f64,
    /// kl, logit_diff, prob_diff, l2 or nll (default: kl, or the task's).
    #[arg(long)]
    pub metric: Option<MetricKind>,
    #[arg(long, default_value = "resample")]
    pub ablation: Ablation,
    #[arg(long, default_value = "normal")]
    pub indices_mode: Mode,
    #[arg(long, default_value = "normal")]
    pub names_mode: Mode,
    #[arg(long)]
    pub abs_value_threshold: bool,
    /// Separate token and position embedding input nodes (also on when config.json says so).
    #[arg(long)]
    pub use_pos_embed: bool,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Rows of task data.
    #[arg(long)]
    pub n: Option<usize>,
    #[arg(long)]
    pub out: PathBuf,
}

pub fn acdc(args: &AcdcArgs) -> Result<()> {
    let model = LoadedModel::from_dir(&args.model, &device::cpu())?;
    let (data, task_metric) = match (&args.task, &args.data) {
        (_, Some(path)) => {
            let text = std::fs::read_to_string(path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
            (AcdcData::from_json(&text)?, None)
        }
        (Some(task), None) => {
            let task = circuitscope_tasks::find(task)?;
            (task.generate(&model, args.n, args.seed)?, Some(task.default_metric))
        }
        (None, None) => return Err(Error::Invalid("give --task NAME or --data data.json".into())),
    };
    let settings = AcdcSettings {
        tau: args.tau,
        metric: args.metric.or(task_metric).unwrap_or(MetricKind::Kl),
        ablation: args.ablation,
        indices_mode: args.indices_mode,
        names_mode: args.names_mode,
        abs_value_threshold: args.abs_value_threshold,
        use_pos_embed: args.use_pos_embed || model.config.use_pos_embed,
        seed: args.seed,
    };
    let started = std::time::Instant::now();
    let mut run = block_on(Acdc::new(&model, &data, settings))?;
    let total = run.graph.counts().edges;
    let mut steps = 0usize;
    loop {
        let event = block_on(run.step())?;
        match event {
            AcdcEvent::Done { .. } => break,
            AcdcEvent::Tested { .. } | AcdcEvent::Skipped { .. } => steps += 1,
        }
        // Edges decided so far (tested, or removed with a skipped receiver).
        let seen = total - run.status().remaining;
        if steps % 25 == 0 || seen >= total {
            let kept = run.kept().len();
            eprint!("\r  {seen:>6}/{total} edges, {kept} kept, metric {:.5}   ", run.current_metric);
            let _ = std::io::stderr().flush();
        }
    }
    eprintln!();
    let circuit = Circuit::of(&run, started.elapsed().as_secs_f64());
    let text = serde_json::to_string_pretty(&circuit).expect("plain circuit");
    std::fs::write(&args.out, text).map_err(|e| Error::Io(format!("{}: {e}", args.out.display())))?;
    eprintln!(
        "kept {} of {} edges; metric {:.6}; {} forward passes in {:.2} s → {}",
        circuit.kept.len(),
        total,
        circuit.final_metric,
        circuit.forward_passes,
        circuit.wall_time,
        args.out.display()
    );
    Ok(())
}
