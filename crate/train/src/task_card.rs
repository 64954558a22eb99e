//! The card of a task model (ioi, greater-than, docstring-4l), written by its `train` command from
//! measurements on the model just written: metrics on held-out and training-split data, clean
//! against corrupted; where the heads look; the circuit ACDC finds at the task's default τ; and
//! the hand analysis committed with the trainer, which those numbers reproduce for the same seed.

use std::fmt::Write as _;

use circuitscope::analysis::attention::{Probe, attention_probes, markdown as heads_markdown};
use circuitscope::analysis::circuit::{discover, markdown as circuit_markdown};
use circuitscope::analysis::methods::{compare, markdown as methods_markdown};
use circuitscope_tasks::eval::{Evaluation, evaluate};
use circuitscope::data::AcdcData;
use circuitscope::discover::AcdcSettings;
use circuitscope::error::Result;
use circuitscope::model::LoadedModel;
use circuitscope::rng::Rng;
use circuitscope_tasks::words::{Split, WordExample, encode_for};
use circuitscope_tasks::{self as tasks, Task};

use super::cards::{TASK_CARD, fill, part};
use super::fit::{FitSettings, Fitted};

/// What a trainer tells the card beyond what it measures.
pub struct CardSpec {
    pub id: &'static str,
    pub task: &'static str,
    /// The card's own words (`crate/train/cards/<id>.md`): parts `summary` (the model's shape and
    /// what it was trained on), `training data` (bullets: what is held out, the mix) and
    /// `analysis` (what the heads table and the circuit mean, written by hand after reading them).
    pub prose: &'static str,
    /// The task's examples drawn from the training split.
    pub train_examples: fn(&mut Rng, usize, Split) -> Vec<WordExample>,
    /// Named attention probes on the held-out clean rows.
    pub probes: fn(&AcdcData) -> Vec<Probe>,
}

/// Rows and seed of the card's evaluation data (the shipped-model tests use others).
const EVAL_ROWS: usize = 200;
const EVAL_SEED: u64 = 1;
/// ACDC runs on fewer rows: one pass per tested edge.
const ACDC_ROWS: usize = 50;

fn eval_table(rows: &[(&str, &Evaluation)]) -> String {
    let mut md = String::from(
        "| data | metric clean | metric corrupted | accuracy clean | accuracy corrupted | KL(clean ‖ corrupted) |\n|---|---|---|---|---|---|\n",
    );
    for (name, e) in rows {
        let _ = writeln!(
            md,
            "| {name} | {:.3} | {:.3} | {:.1}% | {:.1}% | {:.3} |",
            e.clean_metric,
            e.corrupt_metric,
            100.0 * e.clean_accuracy,
            100.0 * e.corrupt_accuracy,
            e.kl_clean_to_corrupt
        );
    }
    md
}

/// A task model's `circuitscope train`: fits it with `fit` (the settings' steps replaced by `steps`
/// when given) and writes its folder, or with `card_only` reads the model already in `out`; then
/// measures it and writes its card. Returns what was fitted.
pub fn train_with_card(
    out: &std::path::Path,
    spec: &CardSpec,
    mut s: FitSettings,
    steps: Option<usize>,
    card_only: bool,
    fit: impl FnOnce(&FitSettings) -> Result<Fitted>,
) -> Result<Fitted> {
    let fitted = if card_only {
        Fitted::read(out)?
    } else {
        s.steps = steps.unwrap_or(s.steps);
        fit(&s)?
    };
    s.steps = fitted.steps();
    write_card(out, spec, &s, &fitted)?;
    Ok(fitted)
}

/// Loads the model just written to `out`, measures it and writes `out/card.md`.
pub fn write_card(out: &std::path::Path, spec: &CardSpec, s: &FitSettings, fitted: &Fitted) -> Result<()> {
    let model = LoadedModel::from_dir(out, &circuitscope::device::cpu())?;
    let card = task_card(&model, spec, s, fitted)?;
    std::fs::write(out.join("card.md"), card).map_err(|e| circuitscope::Error::Io(format!("card.md: {e}")))
}

/// Measures `model` and returns its card as Markdown.
pub fn task_card(model: &LoadedModel, spec: &CardSpec, s: &FitSettings, fitted: &Fitted) -> Result<String> {
    let task: Task = tasks::find(spec.task)?;
    let held_out = task.generate(model, Some(EVAL_ROWS), EVAL_SEED)?;
    let train = encode_for(model, task.name, &(spec.train_examples)(&mut Rng::new(EVAL_SEED), EVAL_ROWS, Split::Train))?;
    let e_held = evaluate(model, &task, &held_out, None)?;
    let e_train = evaluate(model, &task, &train, None)?;
    let probes = (spec.probes)(&held_out);
    let heads = attention_probes(model, &held_out.clean, &probes)?;
    let acdc_data = task.generate(model, Some(ACDC_ROWS), 0)?;
    let settings = AcdcSettings { tau: task.default_tau, metric: task.default_metric, ..Default::default() };
    let circuit = discover(model, &acdc_data, settings.clone())?;
    let methods = compare(model, &acdc_data, settings.metric, settings.ablation, settings.use_pos_embed, &circuit.kept_flags)?;

    let values = [
        ("id", spec.id.to_string()),
        ("summary", part(spec.prose, "summary").to_string()),
        ("seed", s.seed.to_string()),
        ("steps", s.steps.to_string()),
        ("batch", s.batch.to_string()),
        ("lr", s.lr.to_string()),
        ("seconds", format!("{:.0}", fitted.seconds)),
        ("loss", format!("{:.4}", fitted.final_loss())),
        ("training data", format!("{}\n", part(spec.prose, "training data"))),
        ("task", task.name.to_string()),
        ("eval rows", EVAL_ROWS.to_string()),
        ("eval seed", EVAL_SEED.to_string()),
        ("metric", format!("{:?}", task.default_metric)),
        ("accuracy", format!("{:?}", task.accuracy)),
        ("eval table", eval_table(&[("held out (the task's data)", &e_held), ("training split", &e_train)])),
        ("heads", heads_markdown(&heads, &probes, 0.5)),
        ("tau", task.default_tau.to_string()),
        ("acdc rows", ACDC_ROWS.to_string()),
        ("circuit", circuit_markdown(&circuit)),
        ("methods", methods_markdown(&methods)),
        ("analysis", part(spec.prose, "analysis").to_string()),
    ];
    Ok(fill(TASK_CARD, &values))
}
