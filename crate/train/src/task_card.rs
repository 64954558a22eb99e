//! The card of a task model (ioi, greater-than, docstring-4l), written by its `train` command from
//! measurements on the model just written: metrics on held-out and training-split data, clean
//! against corrupted; where the heads look; the circuit ACDC finds at the task's default τ; and
//! the hand analysis committed with the trainer, which those numbers reproduce for the same seed.

use std::fmt::Write as _;

use circuitscope::analysis::attention::{Probe, attention_probes, markdown as heads_markdown};
use circuitscope::analysis::circuit::{discover, markdown as circuit_markdown};
use circuitscope_tasks::eval::{Evaluation, evaluate};
use circuitscope::data::AcdcData;
use circuitscope::discover::AcdcSettings;
use circuitscope::error::Result;
use circuitscope::model::LoadedModel;
use circuitscope::rng::Rng;
use circuitscope_tasks::words::{Split, WordExample, encode_for};
use circuitscope_tasks::{self as tasks, Task};

use super::fit::{FitSettings, Fitted};

/// What a trainer tells the card beyond what it measures.
pub struct CardSpec {
    pub id: &'static str,
    pub task: &'static str,
    /// A paragraph: the model's shape and what it was trained on.
    pub summary: &'static str,
    /// Training-data bullets (what is held out, the mix).
    pub data_notes: &'static [&'static str],
    /// The task's examples drawn from the training split.
    pub train_examples: fn(&mut Rng, usize, Split) -> Vec<WordExample>,
    /// Named attention probes on the held-out clean rows.
    pub probes: fn(&AcdcData) -> Vec<Probe>,
    /// What the heads table and the circuit mean, written by hand after reading them.
    pub analysis: &'static str,
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
    let circuit = discover(model, &acdc_data, settings)?;

    let mut md = String::new();
    let _ = writeln!(md, "# {}\n\n{}\n", spec.id, spec.summary);
    let _ = writeln!(md, "## Training\n");
    let _ = writeln!(
        md,
        "- Command: `circuitscope train {id} --out models/{id} --seed {seed}` (dev build; `cargo run -p circuitscope --release -- train …` is the same).\n\
         - Seed {seed}, {steps} Adam steps, batch {batch}, learning rate {lr} with warm-up and linear warm-down; {secs:.0} s on two shared CPU cores.\n\
         - Final training loss {loss:.4}. Curve: [loss.svg](loss.svg) (values in `loss.csv`).",
        id = spec.id,
        seed = s.seed,
        steps = s.steps,
        batch = s.batch,
        lr = s.lr,
        secs = fitted.seconds,
        loss = fitted.final_loss()
    );
    for note in spec.data_notes {
        let _ = writeln!(md, "- {note}");
    }
    let _ = writeln!(md, "\n## Metrics, clean vs corrupted\n");
    let _ = writeln!(
        md,
        "`circuitscope eval --model models/{} --task {} --n {EVAL_ROWS} --seed {EVAL_SEED}` gives the held-out row. Metric: \
         {:?} (negated, lower is better); accuracy: {:?}.\n",
        spec.id, task.name, task.default_metric, task.accuracy
    );
    let _ = writeln!(md, "{}", eval_table(&[("held out (the task's data)", &e_held), ("training split", &e_train)]));
    let _ = writeln!(md, "## Where the heads look\n");
    let _ = writeln!(md, "Mean attention on the {EVAL_ROWS} held-out clean rows (bold: the strongest head per column and every value ≥ 0.5).\n");
    let _ = writeln!(md, "{}", heads_markdown(&heads, &probes, 0.5));
    let _ = writeln!(md, "## The circuit ACDC finds\n");
    let _ = writeln!(
        md,
        "`circuitscope acdc --model models/{} --task {} --tau {} --n {ACDC_ROWS} --out circuit.json` (metric {:?}, resample ablation, seed 0).\n",
        spec.id, task.name, task.default_tau, task.default_metric
    );
    let _ = writeln!(md, "{}", circuit_markdown(&circuit));
    let _ = writeln!(md, "## Analysis\n\n{}", spec.analysis);
    Ok(md)
}
