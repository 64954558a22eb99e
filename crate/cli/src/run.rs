//! `circuitscope run --model DIR --prompt "…"`: the next-token distribution.

use std::path::PathBuf;

use clap::Args;

use circuitscope::device;
use circuitscope::error::{Error, Result};
use circuitscope::model::LoadedModel;
use circuitscope::predict::predict;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// A model folder.
    #[arg(long)]
    pub model: PathBuf,
    /// Text to tokenize with the model's tokenizer.
    #[arg(long, conflicts_with = "prompt_tokens")]
    pub prompt: Option<String>,
    /// Token ids, comma separated: 1,2,3.
    #[arg(long)]
    pub prompt_tokens: Option<String>,
    /// How many next tokens to list.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Print the prediction as JSON (the page's format).
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &RunArgs) -> Result<()> {
    let model = LoadedModel::from_dir(&args.model, &device::cpu())?;
    let ids = match (&args.prompt, &args.prompt_tokens) {
        (Some(text), _) => model.encode(text)?,
        (None, Some(ids)) => super::parse_ids(ids)?,
        (None, None) => return Err(Error::Input("give --prompt TEXT or --prompt-tokens 1,2,3".into())),
    };
    let prediction = predict(&model, &ids, args.top)?;
    if args.json {
        println!("{}", serde_json::to_string(&prediction).expect("JSON of plain values"));
        return Ok(());
    }
    let shown: Vec<String> = prediction.tokens.iter().map(|t| format!("{:?}", t.text)).collect();
    println!("prompt tokens: {}", shown.join(" "));
    for t in &prediction.top {
        println!("{:>8.4}  {:>6}  {:?}", t.prob, t.id, t.token);
    }
    Ok(())
}
