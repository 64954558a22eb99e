//! `circuitscope attribute --model DIR (--task T | --data data.json) --method exact|eap|eap-ig
//! [--steps 5] [--metric M] [--ablation A] --out scores.json` (`--method` is `--algorithm`).

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use circuitscope::attribute::scores::ScoresFile;
use circuitscope::attribute::{Attribution, KL_EAP_WARNING, Method, eap_is_degenerate};
use circuitscope::device::block_on;
use circuitscope::error::Result;

use crate::input::{Input, write_text};

#[derive(Debug, Args)]
pub struct AttributeArgs {
    #[command(flatten)]
    pub input: Input,
    #[arg(long)]
    pub out: PathBuf,
}

pub fn attribute(args: &AttributeArgs) -> Result<()> {
    let loaded = args.input.load()?;
    let settings = loaded.settings.attribute(loaded.run.defaults, loaded.use_pos_embed)?;
    if eap_is_degenerate(settings.method, settings.metric) {
        eprintln!("warning: {KL_EAP_WARNING}");
    }
    let method = settings.method;
    let started = std::time::Instant::now();
    let mut run = block_on(Attribution::new(&loaded.model, &loaded.run.data, settings))?;
    while !run.is_done() {
        block_on(run.step())?;
        if run.done_steps % 25 == 0 || run.is_done() {
            eprint!("\r  {}/{} {}   ", run.done_steps, run.total_steps, if method == Method::Exact { "edges" } else { "passes" });
            let _ = std::io::stderr().flush();
        }
    }
    eprintln!();
    let scores = ScoresFile::of(&run, started.elapsed().as_secs_f64());
    write_text(&args.out, &serde_json::to_string_pretty(&scores).expect("plain scores"))?;
    eprintln!(
        "scored {} edges; {} forward and {} backward passes in {:.2} s → {}",
        scores.edges.len(),
        scores.forward_passes,
        scores.backward_passes,
        scores.wall_time,
        args.out.display()
    );
    Ok(())
}
