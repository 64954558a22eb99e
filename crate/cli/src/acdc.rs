//! `circuitscope acdc --model DIR (--task NAME | --data data.json) [--tau τ …] --out circuit.json`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use circuitscope::device::block_on;
use circuitscope::discover::{Acdc, AcdcEvent, Circuit};
use circuitscope::error::Result;

use crate::input::{Input, write_text};

#[derive(Debug, Args)]
pub struct AcdcArgs {
    #[command(flatten)]
    pub input: Input,
    #[arg(long)]
    pub out: PathBuf,
}

pub fn acdc(args: &AcdcArgs) -> Result<()> {
    let loaded = args.input.load()?;
    let settings = loaded.settings.acdc(loaded.run.defaults, loaded.use_pos_embed);
    let (model, data) = (&loaded.model, &loaded.run.data);
    let started = std::time::Instant::now();
    let mut run = block_on(Acdc::new(model, data, settings))?;
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
    write_text(&args.out, &serde_json::to_string_pretty(&circuit).expect("plain circuit"))?;
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
