//! `circuitscope rasp …`: compile a RASP program into a model folder, check a compiled model
//! against its program on every input, and measure how well ACDC recovers its circuit.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use circuitscope::data::AcdcData;
use circuitscope::device::cpu;
use circuitscope::error::{Error, Result};
use circuitscope::analysis::circuit::discover;
use circuitscope::analysis::methods::{compare, markdown as methods_markdown};
use circuitscope::discover::AcdcSettings;
use circuitscope::evaluate::roc;
use circuitscope::graph::{EdgeType, Graph};
use circuitscope::patch::Ablation;
use circuitscope::model::LoadedModel;
use circuitscope_rasp::ground_truth::GroundTruth;
use circuitscope_rasp::{self as rasp, recovery};

#[derive(Debug, Args)]
pub struct RaspArgs {
    #[command(subcommand)]
    pub command: RaspCommand,
}

#[derive(Debug, Subcommand)]
pub enum RaspCommand {
    /// Compile a program into a model folder: config.json, model.safetensors, tokenizer.json,
    /// ground_truth.json, program.rasp.
    Compile {
        /// The program (`.rasp`).
        program: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// The model's name (default: the output folder's name).
        #[arg(long)]
        name: Option<String>,
        /// Tasks the model is for, recorded in config.json (repeatable).
        #[arg(long)]
        task: Vec<String>,
    },
    /// Compile every shipped program into `DIR/<id>` (models/tracr-*).
    Ship {
        #[arg(long, default_value = "models")]
        dir: PathBuf,
    },
    /// Run a compiled model on every input up to its maximum length and compare with its
    /// program (DIR/program.rasp).
    Check {
        #[arg(long)]
        model: PathBuf,
    },
    /// Run ACDC (zero ablation, L2) at each τ and score the kept edges against
    /// DIR/ground_truth.json: one ROC point (TPR, FPR) per τ, as JSON lines.
    Roc {
        #[arg(long)]
        model: PathBuf,
        /// A tracr task: the paper's data for tracr-reverse and tracr-proportion, random inputs of
        /// the program's maximum length for the others (default: the model's first task, else
        /// random inputs).
        #[arg(long, conflicts_with = "data")]
        task: Option<String>,
        /// A dataset instead of a task.
        #[arg(long)]
        data: Option<PathBuf>,
        /// Thresholds, comma-separated (default: the paper's 10^linspace(−5, −1, 21)).
        #[arg(long, value_delimiter = ',')]
        tau: Vec<f64>,
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
}

pub fn rasp(args: &RaspArgs) -> Result<()> {
    match &args.command {
        RaspCommand::Compile { program, out, name, task } => {
            let source = read(program)?;
            let name = name.clone().unwrap_or_else(|| folder_name(out));
            compile(&source, &name, task, out)
        }
        RaspCommand::Ship { dir } => {
            for (id, source, tasks) in rasp::programs::ALL {
                let tasks: Vec<String> = tasks.iter().map(|t| t.to_string()).collect();
                compile(source, id, &tasks, &dir.join(id))?;
                append_methods(&dir.join(id), &tasks)?;
            }
            Ok(())
        }
        RaspCommand::Check { model } => {
            let program = rasp::parse_program(&read(&model.join("program.rasp"))?, &folder_name(model))?;
            let loaded = LoadedModel::from_dir(model, &cpu())?;
            let report = rasp::check::check(&program, &loaded)?;
            println!("{}", serde_json::to_string_pretty(&report).expect("plain report"));
            if report.passed() {
                Ok(())
            } else {
                Err(Error::Invalid(format!("{} does not compute its program", model.display())))
            }
        }
        RaspCommand::Roc { model, task, data, tau, seed } => {
            let loaded = LoadedModel::from_dir(model, &cpu())?;
            let truth: GroundTruth = serde_json::from_str(&read(&model.join("ground_truth.json"))?)
                .map_err(|e| Error::Invalid(format!("ground_truth.json: {e}")))?;
            let data = match (data, task.as_ref().or(loaded.config.tasks.first())) {
                (Some(path), _) => AcdcData::from_json(&read(path)?)?,
                (None, Some(task)) => circuitscope_tasks::tracr::tracr_data(task, &loaded, None, *seed)?,
                (None, None) => {
                    let program = rasp::parse_program(&read(&model.join("program.rasp"))?, &folder_name(model))?;
                    rasp::data::program_data(&program, 50, *seed)
                }
            };
            let taus = if tau.is_empty() { recovery::paper_taus() } else { tau.clone() };
            for point in recovery::roc(&loaded, &data, &truth.edges, &taus)? {
                println!("{}", serde_json::to_string(&point).expect("plain point"));
            }
            Ok(())
        }
    }
}

fn compile(source: &str, name: &str, tasks: &[String], out: &Path) -> Result<()> {
    let compiled = rasp::compile_source(source, name)?.with_tasks(tasks);
    compiled.write(out)?;
    let c = &compiled.config;
    let summary = serde_json::json!({
        "model": out.display().to_string(),
        "n_layers": c.n_layers,
        "n_heads": c.n_heads,
        "d_model": c.d_model,
        "d_head": c.d_head,
        "d_mlp": c.d_mlp,
        "d_vocab_out": c.d_vocab_out(),
        "graph_edges": Graph::new(c, true).counts().edges,
        "ground_truth_edges": compiled.ground_truth.edges.len(),
    });
    println!("{summary}");
    Ok(())
}

/// Appends to a compiled model's card ACDC beside EAP-IG and exact patching on its first task (zero
/// ablation, the task's metric and τ), with how well each ranks the known circuit (AUC).
fn append_methods(out: &Path, tasks: &[String]) -> Result<()> {
    let Some(name) = tasks.first() else { return Ok(()) };
    let loaded = LoadedModel::from_dir(out, &cpu())?;
    let task = circuitscope_tasks::find(name)?;
    let data = circuitscope_tasks::tracr::tracr_data(name, &loaded, None, 0)?;
    let use_pos_embed = loaded.config.use_pos_embed;
    let settings = AcdcSettings { tau: task.default_tau, metric: task.default_metric, ablation: Ablation::Zero, use_pos_embed, ..Default::default() };
    let circuit = discover(&loaded, &data, settings.clone())?;
    let c = compare(&loaded, &data, settings.metric, settings.ablation, use_pos_embed, &circuit.kept_flags)?;
    let truth: GroundTruth = serde_json::from_str(&read(&out.join("ground_truth.json"))?)
        .map_err(|e| Error::Invalid(format!("ground_truth.json: {e}")))?;
    let graph = Graph::new(&loaded.config, use_pos_embed);
    let flags = truth.edge_flags(&graph)?;
    let auc = |scores: &[f64]| roc::of_scores(&graph, scores, &flags).auc;
    let (tpr, fpr) = roc::rates(&graph, &circuit.kept_flags, &flags, |t| t != EdgeType::Placeholder);
    let card = out.join("card.md");
    let mut md = read(&card)?;
    md.push_str(&format!(
        "\n## ACDC beside EAP-IG and exact patching\n\nOn the task's data ({name}: {} rows), {:?} and zero ablation: ACDC at τ = {} keeps \
         {} of {} edges (TPR {tpr:.2}, FPR {fpr:.3} against the known circuit); EAP-IG (m = 5) and exact patching score every \
         edge, cut at MIB's sizes. How well each ranking finds the known circuit: AUC {:.3} for EAP-IG, {:.3} for exact \
         patching.\n\n{}",
        data.rows(),
        task.default_metric,
        task.default_tau,
        circuit.kept(),
        circuit.total_edges,
        auc(&c.eap_ig_scores),
        auc(&c.exact_scores),
        methods_markdown(&c)
    ));
    std::fs::write(&card, md).map_err(|e| Error::Io(format!("{}: {e}", card.display())))
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))
}

fn folder_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "rasp".into())
}
