//! `circuitscope`: the reproducible, scriptable face of everything the page does.

mod acdc;
mod attribute;
mod bench;
mod eval;
mod faithfulness;
mod graph;
mod info;
mod input;
mod rasp;
mod run;
mod tasks;
mod train;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use circuitscope::error::Result;

#[derive(Debug, Parser)]
#[command(name = "circuitscope", version, about = "Transformer circuits, found by ACDC, on your CPU")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a model's config, parameter count and tokenizer size as JSON.
    Info {
        /// A model folder: config.json, model.safetensors, tokenizer.json (optional).
        #[arg(long)]
        model: PathBuf,
    },
    /// Print the most likely next tokens after a prompt.
    Run(run::RunArgs),
    /// Print the ACDC graph's edge counts for a config as JSON.
    Graph {
        #[arg(long)]
        config: PathBuf,
        /// Separate token and position embedding input nodes.
        #[arg(long)]
        use_pos_embed: bool,
    },
    /// Run ACDC and write circuit.json.
    Acdc(acdc::AcdcArgs),
    /// Score every ADDITION edge by exact patching, EAP or EAP-IG and write scores.json.
    Attribute(attribute::AttributeArgs),
    /// Judge a circuit or scores: faithfulness at MIB's sizes, CPR, CMD, and ROC when the model
    /// has a ground truth (JSON on stdout).
    Faithfulness(faithfulness::FaithfulnessArgs),
    /// List the tasks as JSON.
    Tasks,
    /// Write a task's dataset as data.json (the format `acdc --data` reads).
    Data(tasks::DataArgs),
    /// Print a model's task metric and accuracy on clean and corrupted data as JSON.
    Eval(eval::EvalArgs),
    /// Measure ACDC's speed: optimised against naive, in one run.
    Bench(bench::BenchArgs),
    /// Compile RASP programs into models whose circuits are known, and check them.
    Rasp(rasp::RaspArgs),
    /// Train a shipped model from scratch (minutes on a CPU; never part of CI).
    Train(train::TrainArgs),
}

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Info { model } => info::info(&model),
        Command::Run(args) => run::run(&args),
        Command::Train(args) => train::train(&args),
        Command::Graph { config, use_pos_embed } => graph::graph(&config, use_pos_embed),
        Command::Acdc(args) => acdc::acdc(&args),
        Command::Attribute(args) => attribute::attribute(&args),
        Command::Faithfulness(args) => faithfulness::faithfulness(&args),
        Command::Bench(args) => bench::bench(&args),
        Command::Eval(args) => eval::eval(&args),
        Command::Rasp(args) => rasp::rasp(&args),
        Command::Tasks => tasks::list(),
        Command::Data(args) => tasks::data(&args),
    }
}

/// Parses "1,2,3" into token ids.
pub fn parse_ids(text: &str) -> Result<Vec<u32>> {
    text.split(',')
        .map(|s| s.trim().parse::<u32>().map_err(|_| circuitscope::Error::Input(format!("{s:?} is not a token id"))))
        .collect()
}


fn main() -> ExitCode {
    keep_large_allocations();
    quiet_on_closed_pipe();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Patched passes allocate and free the same large activation buffers thousands of times; glibc
/// returns them to the kernel each time (mmap/munmap), and the page faults cost more than the
/// arithmetic on small models. Keep them in the heap instead.
fn keep_large_allocations() {
    // SAFETY: mallopt only sets allocator tunables; called once before any threads start.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 30);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
    }
}

/// `circuitscope … | head` closes stdout early. Rust ignores SIGPIPE, so the next `println!` would
/// panic ("failed printing to stdout"); like other Unix tools, end quietly instead.
fn quiet_on_closed_pipe() {
    // SAFETY: restores the default disposition of one signal, once, before any threads start.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
