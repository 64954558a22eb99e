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

/// Written from the card of the seed-0 model (the tables above it reproduce for that seed).
const ANALYSIS: &str = "**Reading the start year.** Head A0.3 is the year reader: from the last token it puts 0.99 of its \
attention on the start year's two digits, and 0.95 from \"to\", the token right after them; A0.0 reads them from \"to\" \
too (0.93) and A0.1 partly from the end (0.41), while A0.0 and A0.2 look from the end at the two \"year\" tokens. The \
largest effects ACDC measures are A0.3's value and key inputs from the embedding: when it tested them, removing either \
would have cost about 0.4 of the full model's 0.93 probability difference. The value carries which digits; the key \
finds them (the corrupted \"01\" is another token, so both change).\n\n\
**Comparing.** No head compares two numbers: MLPs do, on the digits the heads moved, and two routes reach the logits. \
A0.3 → MLP 0 at the end, then MLP 0 and MLP 1 → logits; and A1.2 (A1.3 less so), which attends from the end to \"to\" \
(0.79), where layer 0 and MLP 0 have already processed the year, and writes to the logits directly (removing A1.2 → \
logits would have cost 0.35). This is the shape of GPT-2's greater-than circuit (Hanna et al. 2023): attention brings \
the YY token to the end, MLPs turn it into a boundary over the 100 two-digit tokens.\n\n\
**How ACDC's circuit matches.** Everything the attention table points at is in the circuit: A0.3, A1.2, both MLPs. \
It also keeps all four layer-0 heads and A1.3, each of whose edges moves the metric by 0.01–0.2, and it drops A1.0 \
and A1.1, whose attention goes nowhere in particular. The circuit is small at the top (A0.3 and A1.2 carry most of \
the effect) but distributed below it: a model this small spreads the year over several heads, and ACDC keeps every \
one that carries more than τ = 0.01. The circuit keeps a probability difference of 0.82 of the full model's 0.93.";

pub const CARD: CardSpec = CardSpec {
    id: "greater-than",
    task: "greater-than",
    summary: "A 2-layer transformer with MLPs (4 heads per layer, d_model 64, d_mlp 256, LayerNorm, learned positions), \
        trained here on the greater-than sentences of Hanna et al. (2023): \"The war lasted from the year 17 32 to the \
        year 17\" → a later two-digit year. Years are split as GPT-2 splits them, a century token and a two-digit token; \
        the vocabulary is word level: the template words, 24 event nouns and the 100 two-digit tokens \"00\" … \"99\".",
    data_notes: &[
        "Training sentences: centuries 11–17, start years 00–98 (the task's data uses 02–98; \"01\" is its corruption), the end year drawn uniformly from the later two-digit \
         years, so the loss-minimising output spreads its probability evenly over years after the start. Only the end \
         year's digits are scored.",
        "Held out: the last 6 of the 24 event nouns (occupation, exile, flood, rebellion, crusade, marriage) never occur \
         in training; their embeddings keep their initial random values. The task's data (and so ACDC and \
         `circuitscope eval`) uses only these.",
    ],
    train_examples: greater_than::examples,
    probes,
    analysis: ANALYSIS,
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
