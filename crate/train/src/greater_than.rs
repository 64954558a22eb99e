//! `circuitscope train greater-than`: a 2-layer transformer with MLPs trained on "The war lasted
//! from the year 17 32 to the year 17 ZZ" with ZZ drawn uniformly from the later two-digit years,
//! so the best prediction puts all probability on years after the start, evenly.

use std::path::Path;

use super::fit::{Batch, FitSettings, fit, lookup};
use super::task_card::{CardSpec, train_with_card};
use circuitscope::analysis::attention::Probe;
use circuitscope::data::AcdcData;
use circuitscope::error::Result;
use circuitscope::model::config::{ActFn, AttentionDir, ModelConfig, NormalizationType, PositionalEmbeddingType};
use circuitscope::rng::Rng;
use circuitscope_tasks::greater_than::{self, YY_INDEX, YearPrompt, two_digits};
use circuitscope_tasks::words::{BOS, Split, UNK};

pub fn settings(seed: u64) -> FitSettings {
    FitSettings { seed, steps: 3000, batch: 64, lr: 2e-3 }
}

/// `<bos>`, `[UNK]`, then the task's words.
pub fn vocabulary() -> Vec<String> {
    let mut v = vec![BOS.to_string(), UNK.to_string()];
    v.extend(greater_than::vocabulary());
    v
}

pub fn config() -> ModelConfig {
    ModelConfig {
        model_name: "greater-than".into(),
        n_layers: 2,
        n_heads: 4,
        d_model: 64,
        d_head: 16,
        d_mlp: Some(256),
        d_vocab: vocabulary().len(),
        d_vocab_out: None,
        n_ctx: 16,
        act_fn: Some(ActFn::Gelu),
        normalization_type: Some(NormalizationType::Ln),
        positional_embedding_type: PositionalEmbeddingType::Standard,
        attention_dir: AttentionDir::Causal,
        attn_only: false,
        eps: 1e-5,
        use_attn_scale: true,
        use_pos_embed: false,
        tasks: vec!["greater-than".into()],
    }
}

/// A training batch: full sentences, the end year's digits scored.
fn batch(vocab: &[String], rng: &mut Rng, size: usize) -> Batch {
    let id = lookup(vocab);
    let rows = (0..size)
        .map(|_| {
            let mut p = YearPrompt::sample(rng, Split::Train);
            // Start years 00–98, wider than the task's 02–98: "01", the corruption, must mean a
            // small year to the model as it does to GPT-2, not an embedding never trained.
            p.yy = rng.below(99);
            let end = p.yy + 1 + rng.below(99 - p.yy);
            let mut tokens = vec![id(BOS)];
            tokens.extend(p.words(&two_digits(p.yy)).iter().map(|w| id(w)));
            let last = tokens.len() - 1;
            tokens.push(id(&two_digits(end)));
            let mask = (0..tokens.len()).map(|t| t == last).collect();
            (tokens, mask)
        })
        .collect();
    Batch::padded(rows, 0)
}

/// From the last position to each word of the template that might matter, and from "to" back
/// to the start year (a second route: read the year where it ends, move it later).
fn probes(data: &AcdcData) -> Vec<Probe> {
    let end = data.seq_len() - 1;
    let pairs = |k: usize| (0..data.rows()).map(|r| (r, end, k)).collect();
    vec![
        Probe { name: "END → start YY".into(), pairs: pairs(YY_INDEX + 1) },
        Probe { name: "END → start century".into(), pairs: pairs(YY_INDEX) },
        Probe { name: "END → noun".into(), pairs: pairs(2) },
        Probe { name: "END → first \"year\"".into(), pairs: pairs(YY_INDEX - 1) },
        Probe { name: "END → \"to\"".into(), pairs: pairs(YY_INDEX + 2) },
        Probe { name: "END → last \"year\"".into(), pairs: pairs(end - 1) },
        Probe { name: "END → END".into(), pairs: pairs(end) },
        Probe { name: "END → `<bos>`".into(), pairs: pairs(0) },
        Probe { name: "\"to\" → start YY".into(), pairs: (0..data.rows()).map(|r| (r, YY_INDEX + 2, YY_INDEX + 1)).collect() },
    ]
}

/// The card's words are Markdown (the analysis written from the seed-0 model's card, whose tables
/// reproduce for that seed).
pub const CARD: CardSpec = CardSpec {
    id: "greater-than",
    task: "greater-than",
    prose: include_str!("../cards/greater-than.md"),
    train_examples: greater_than::examples,
    probes,
};

/// Trains, writes the model folder and its card; with `card_only`, re-measures the model already
/// in `out` and rewrites its card.
pub fn train(out: &Path, seed: u64, steps: Option<usize>, card_only: bool) -> Result<f32> {
    let vocab = vocabulary();
    let fitted = train_with_card(out, &CARD, settings(seed), steps, card_only, |s| {
        fit(out, &config(), &vocab, s, |rng, n| batch(&vocab, rng, n))
    })?;
    Ok(fitted.final_loss())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_training_row_scores_only_the_end_year_which_is_later_than_the_start() {
        let vocab = vocabulary();
        let b = batch(&vocab, &mut Rng::new(0), 20);
        for (row, mask) in b.tokens.iter().zip(&b.mask) {
            assert_eq!(row.len(), 14);
            assert_eq!(mask.iter().filter(|m| **m).count(), 1);
            assert!(mask[12]);
            let start: usize = vocab[row[YY_INDEX + 1] as usize].parse().unwrap();
            let end: usize = vocab[row[13] as usize].parse().unwrap();
            assert!(end > start, "{start} → {end}");
        }
    }

    #[test]
    fn the_config_matches_the_vocabulary() {
        assert_eq!(config().d_vocab, 2 + 6 + 24 + 100);
        config().validate().unwrap();
    }
}
