//! `circuitscope faithfulness --model DIR (--task T | --data data.json) [--metric M] [--ablation A]
//! (--scores scores.json | --circuit circuit.json)`: the faithfulness curve at MIB's sizes, CPR
//! and CMD (or one circuit's point), and ROC against the model's ground_truth.json when it has
//! one. JSON on stdout.

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use circuitscope::attribute::scores::ScoresFile;
use circuitscope::device::block_on;
use circuitscope::discover::Circuit;
use circuitscope::error::{Error, Result};
use circuitscope::evaluate::roc::{self, Roc};
use circuitscope::evaluate::{Faithfulness, Judge};
use circuitscope::graph::Graph;

use crate::input::{Input, read_text};

#[derive(Debug, Args)]
pub struct FaithfulnessArgs {
    #[command(flatten)]
    pub input: Input,
    /// Scores to cut into circuits at MIB's sizes (`circuitscope attribute`).
    #[arg(long, conflicts_with = "circuit")]
    pub scores: Option<PathBuf>,
    /// One circuit (`circuitscope acdc`).
    #[arg(long)]
    pub circuit: Option<PathBuf>,
}

#[derive(Serialize)]
struct Report {
    #[serde(flatten)]
    faithfulness: Faithfulness,
    #[serde(skip_serializing_if = "Option::is_none")]
    roc: Option<Roc>,
}

/// The model folder's ground truth, as a flag per edge of `graph`, when it has one.
fn ground_truth(args: &FaithfulnessArgs, graph: &Graph) -> Result<Option<Vec<bool>>> {
    let path = args.input.model.join("ground_truth.json");
    if !path.exists() {
        return Ok(None);
    }
    let truth = circuitscope_rasp::ground_truth::GroundTruth::from_json(&read_text(&path)?)?;
    Ok(Some(truth.edge_flags(graph)?))
}

pub fn faithfulness(args: &FaithfulnessArgs) -> Result<()> {
    let loaded = args.input.load()?;
    let (scores, circuit) = match (&args.scores, &args.circuit) {
        (Some(path), None) => (Some(ScoresFile::from_json(&read_text(path)?)?), None),
        (None, Some(path)) => (None, Some(Circuit::from_json(&read_text(path)?)?)),
        _ => return Err(Error::Invalid("give --scores scores.json or --circuit circuit.json".into())),
    };
    let (file_metric, file_ablation, file_pos) = match (&scores, &circuit) {
        (Some(s), _) => (s.settings.metric, s.settings.ablation, s.settings.use_pos_embed),
        (_, Some(c)) => (c.settings.metric, c.settings.ablation, c.settings.use_pos_embed),
        _ => unreachable!("one of the two"),
    };
    // The metric and ablation asked for, else those the scores or circuit were found with.
    let metric = loaded.settings.metric.unwrap_or(file_metric);
    let ablation = loaded.settings.ablation.unwrap_or(file_ablation);
    let mut judge = block_on(Judge::new(&loaded.model, &loaded.run.data, metric, ablation, loaded.use_pos_embed || file_pos))?;
    let truth = ground_truth(args, &judge.graph)?;
    let report = match (scores, circuit) {
        (Some(s), _) => {
            let per_edge = s.per_edge(&judge.graph)?;
            let faithfulness = block_on(judge.curve(&per_edge))?;
            let roc = truth.map(|t| roc::of_scores(&judge.graph, &per_edge, &t));
            Report { faithfulness, roc }
        }
        (_, Some(c)) => {
            let kept = c.kept_flags(&judge.graph)?;
            let point = block_on(judge.point_of(&kept))?;
            let faithfulness = Faithfulness::of(vec![point], judge.full_metric, judge.empty_metric);
            let roc = truth.map(|t| roc::of_circuit(&judge.graph, &kept, &t));
            Report { faithfulness, roc }
        }
        _ => unreachable!("one of the two"),
    };
    println!("{}", serde_json::to_string_pretty(&report).expect("plain report"));
    Ok(())
}
