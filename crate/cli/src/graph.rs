//! `circuitscope graph --config config.json`: the ACDC graph's counts.

use std::path::Path;

use circuitscope::error::{Error, Result};
use circuitscope::graph::Graph;
use circuitscope::model::ModelConfig;

pub fn graph(config: &Path, use_pos_embed: bool) -> Result<()> {
    let text = std::fs::read_to_string(config).map_err(|e| Error::Io(format!("{}: {e}", config.display())))?;
    let config = ModelConfig::from_json(&text)?;
    let counts = Graph::new(&config, use_pos_embed || config.use_pos_embed).counts();
    println!("{}", serde_json::to_string(&counts).expect("plain counts"));
    Ok(())
}
