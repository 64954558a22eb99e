//! The command-line interface over the library (native only).

mod acdc;
mod bench;
mod eval;
mod graph;
mod info;
mod rasp;
mod run;
mod tasks;
mod train;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::error::Result;

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
        .map(|s| s.trim().parse::<u32>().map_err(|_| crate::Error::Input(format!("{s:?} is not a token id"))))
        .collect()
}
