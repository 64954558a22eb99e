//! `circuitscope info --model DIR`.

use std::path::Path;

use serde_json::json;

use circuitscope::device;
use circuitscope::error::Result;
use circuitscope::model::LoadedModel;

pub fn info(dir: &Path) -> Result<()> {
    let model = LoadedModel::from_dir(dir, &device::cpu())?;
    let out = json!({
        "config": model.config,
        "parameterCount": model.config.parameter_count(),
        "tokenizerSize": model.tokenizer.as_ref().map(|t| t.vocab_size()),
    });
    println!("{}", serde_json::to_string_pretty(&out).expect("JSON of plain values"));
    Ok(())
}
