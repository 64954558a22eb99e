//! `circuitscope train MODEL --out DIR`.

use std::path::PathBuf;

use clap::Args;

use circuitscope::error::{Error, Result};
use circuitscope_train::{docstring, greater_than, induction, ioi};

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Which model: induction-2l, greater-than, ioi or docstring-4l.
    pub model: String,
    /// Output folder (e.g. models/induction-2l).
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Optimiser steps (default: the shipped model's).
    #[arg(long)]
    pub steps: Option<usize>,
    /// Re-measure the model already in --out and rewrite its card.md, without training (task
    /// models only).
    #[arg(long)]
    pub card_only: bool,
}

pub fn train(args: &TrainArgs) -> Result<()> {
    match args.model.as_str() {
        "induction-2l" if args.card_only => {
            // Re-measure the model in --out: its steps and final loss from its loss.csv.
            let fitted = circuitscope_train::fit::Fitted::read(&args.out)?;
            let model = circuitscope::model::LoadedModel::from_dir(&args.out, &circuitscope::device::cpu())?;
            let card = circuitscope_train::card::induction_card(&model, args.seed, fitted.steps(), fitted.final_loss())?;
            std::fs::write(args.out.join("card.md"), card).map_err(|e| Error::Io(format!("card.md: {e}")))?;
            done(args, fitted.final_loss())
        }
        "induction-2l" => {
            let mut settings = induction::Settings { seed: args.seed, ..Default::default() };
            if let Some(steps) = args.steps {
                settings.steps = steps;
            }
            let curve = induction::train(&args.out, &settings)?;
            let last = curve.last().map(|c| c.1).unwrap_or(f32::NAN);
            eprintln!("wrote {} (final loss {last:.4})", args.out.display());
            Ok(())
        }
        "greater-than" => done(args, greater_than::train(&args.out, args.seed, args.steps, args.card_only)?),
        "ioi" => done(args, ioi::train(&args.out, args.seed, args.steps, args.card_only)?),
        "docstring-4l" => done(args, docstring::train(&args.out, args.seed, args.steps, args.card_only)?),
        other => Err(Error::Invalid(format!(
            "unknown model {other:?}: known are induction-2l, greater-than, ioi, docstring-4l"
        ))),
    }
}

fn done(args: &TrainArgs, final_loss: f32) -> Result<()> {
    eprintln!("wrote {} (final loss {final_loss:.4})", args.out.display());
    Ok(())
}
