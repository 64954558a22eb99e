//! `circuitscope train ioi`: a 4-layer transformer with MLPs trained on IOI sentences (training
//! names and templates, the indirect object scored) mixed with one-name sentences over all 300
//! names, the repeated mention scored: short stories ("Zoe went to the park . Later , a friend said
//! goodbye to Zoe .") and training templates whose other party is "a friend" ("When Zoe and a
//! friend went to the store , the friend gave a drink to Zoe"). They are how a word-level model
//! learns to read and write the held-out names at all; they never contain two names, so the choice
//! IOI asks for is learnt only from training names.

use std::path::Path;

use super::fit::{Batch, FitSettings, fit, lookup};
use super::task_card::{CardSpec, train_with_card};
use circuitscope::analysis::attention::Probe;
use circuitscope::data::AcdcData;
use circuitscope::error::Result;
use circuitscope::model::config::{ActFn, AttentionDir, ModelConfig, NormalizationType, PositionalEmbeddingType};
use circuitscope::rng::Rng;
use circuitscope_tasks::ioi::{self, BODIES, INTROS, IoiPrompt, NAMES, OBJECTS, PLACES, fill};
use circuitscope_tasks::words::{BOS, PAD, Split, UNK};

pub fn settings(seed: u64) -> FitSettings {
    FitSettings { seed, steps: 3000, batch: 64, lr: 2e-3 }
}

/// The other sentences of the mix: one name, mentioned again. Most end like an IOI body ("… gave a
/// drink to Zoe"), so that every name, held out or not, is trained as the word after "to" copied
/// from the context; with one name there is nothing to choose, so no IOI is taught.
pub const STORIES: [&str; 5] = [
    "{X} went to the {P} . Later , {X} bought a {O} .",
    "{X} had a lot of fun at the {P} . Then , a friend gave a {O} to {X} .",
    "While {X} was working at the {P} , a friend handed the {O} to {X} .",
    "When {X} got a {O} at the {P} , a friend decided to give a {O} to {X} .",
    "Then , {X} went to the {P} . Later , a friend said goodbye to {X} .",
];
/// Share of training rows that are stories.
const STORY_SHARE: f64 = 0.4;

/// `<bos>`, `[UNK]`, `<pad>`, the template and story words, names, places, objects.
pub fn vocabulary() -> Vec<String> {
    let mut v: Vec<String> = [BOS, UNK, PAD].iter().map(|w| w.to_string()).collect();
    let extra = STORIES.iter().chain(&[PAIR, "a friend , the friend"]).flat_map(|s| s.split_whitespace()).map(String::from);
    for w in ioi::template_words().into_iter().chain(extra) {
        if !w.starts_with('{') && !v.contains(&w) {
            v.push(w);
        }
    }
    v.extend(NAMES.iter().chain(&PLACES).chain(&OBJECTS).map(|w| w.to_string()));
    v
}

pub fn config() -> ModelConfig {
    ModelConfig {
        model_name: "ioi".into(),
        n_layers: 4,
        n_heads: 4,
        d_model: 128,
        d_head: 32,
        d_mlp: Some(256),
        d_vocab: vocabulary().len(),
        d_vocab_out: None,
        n_ctx: 24,
        act_fn: Some(ActFn::Gelu),
        normalization_type: Some(NormalizationType::Ln),
        positional_embedding_type: PositionalEmbeddingType::Standard,
        attention_dir: AttentionDir::Causal,
        attn_only: false,
        eps: 1e-5,
        use_attn_scale: true,
        use_pos_embed: false,
        tasks: vec!["ioi".into()],
    }
}

/// Two names said twice in the same order ("Zoe and Leo went to the park . Later , Zoe and Leo
/// bought a ring ."); only the second "Leo" is scored, which takes telling the two names apart but
/// no IOI choice (after "Zoe and" comes whoever came after Zoe before).
pub const PAIR: &str = "{X} and {Y} went to the {P} . Later , {X} and {Y} bought a {O} .";

/// A name for a row without an IOI choice: a held-out one a quarter of the time, so that each
/// held-out name is trained about as often as a training name, which also occurs in IOI rows.
/// (Drawn uniformly from all 300, held-out names were seen a third as often, and held-out accuracy
/// stayed at 94–96%.)
fn name(rng: &mut Rng) -> &'static str {
    if rng.below(4) == 0 {
        let held = Split::HeldOut.of(&NAMES, ioi::N_TRAIN_NAMES);
        held[rng.below(held.len())]
    } else {
        NAMES[rng.below(NAMES.len())]
    }
}

/// A row without an IOI choice, in words, and the name to score where it is repeated (for a pair,
/// its second occurrence only): a third each of plain stories, training templates in which the
/// other party is "a friend" ("When Zoe and a friend went to the store , the friend gave a drink
/// to" → Zoe), and pairs.
fn other_sentence(rng: &mut Rng) -> (Vec<String>, &'static str) {
    let x = name(rng);
    let (p, o) = (PLACES[rng.below(PLACES.len())], OBJECTS[rng.below(OBJECTS.len())]);
    match rng.below(3) {
        0 => (fill(STORIES[rng.below(STORIES.len())], x, x, x, p, o), x),
        1 => {
            let templates = ioi::templates(Split::Train);
            let (intro, body) = templates[rng.below(templates.len())];
            let (a, b) = if rng.below(2) == 0 { (x, "a friend") } else { ("a friend", x) };
            let mut words = fill(INTROS[intro], a, b, "the friend", p, o);
            words.extend(fill(BODIES[body], a, b, "the friend", p, o));
            words.push(x.to_string());
            (words, x)
        }
        _ => {
            let y = loop {
                let y = name(rng);
                if y != x {
                    break y;
                }
            };
            (fill(PAIR, x, y, x, p, o), y)
        }
    }
}

/// A training batch: IOI prompts with their answer (only it scored), and one-name rows (the
/// repeated name scored).
fn batch(vocab: &[String], rng: &mut Rng, size: usize) -> Batch {
    let id = lookup(vocab);
    let rows = (0..size)
        .map(|_| {
            let mut tokens = vec![id(BOS)];
            if rng.uniform() < STORY_SHARE {
                let (words, x) = other_sentence(rng);
                tokens.extend(words.iter().map(|w| id(w)));
                // Only the repeated mention is scored (a copy): scoring every word would drown the
                // IOI answers, one per sentence, in story words.
                let name = id(x);
                let mask = (0..tokens.len()).map(|t| tokens.get(t + 1) == Some(&name) && tokens[..=t].contains(&name)).collect();
                (tokens, mask)
            } else {
                let p = IoiPrompt::sample(rng, Split::Train);
                tokens.extend(p.words().iter().map(|w| id(w)));
                let last = tokens.len() - 1;
                tokens.push(id(p.io));
                (tokens.clone(), (0..tokens.len()).map(|t| t == last).collect())
            }
        })
        .collect();
    Batch::padded(rows, id(PAD))
}

/// The classic IOI attention patterns: from the end to IO and S, from S2 to IO, back to S1
/// (duplicate token heads) and to the token after S1 (induction heads).
fn probes(data: &AcdcData) -> Vec<Probe> {
    let mut p: Vec<Probe> = ["END → IO", "END → S1", "END → S2", "S2 → IO", "S2 → S1", "S2 → S1+1"]
        .iter()
        .map(|n| Probe { name: n.to_string(), pairs: vec![] })
        .collect();
    let (Some(pos), Some(correct), Some(wrong)) = (&data.positions, &data.correct, &data.wrong) else { return p };
    for (r, row) in data.clean.iter().enumerate() {
        let end = pos[r][0];
        let (io, s) = (correct[r].ids()[0], wrong[r].ids()[0]);
        let at = |id: u32, nth: usize| row[..=end].iter().enumerate().filter(|(_, t)| **t == id).nth(nth).map(|(i, _)| i);
        let (Some(i), Some(s1), Some(s2)) = (at(io, 0), at(s, 0), at(s, 1)) else { continue };
        for (probe, q, k) in [(0, end, i), (1, end, s1), (2, end, s2), (3, s2, i), (4, s2, s1), (5, s2, s1 + 1)] {
            p[probe].pairs.push((r, q, k));
        }
    }
    p
}

/// The card's words are Markdown (the analysis written from the seed-0 model's card, whose tables
/// reproduce for that seed).
pub const CARD: CardSpec = CardSpec {
    id: "ioi",
    task: "ioi",
    prose: include_str!("../cards/ioi.md"),
    train_examples: ioi::examples,
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
    fn ioi_rows_score_the_name_said_once_and_other_rows_score_a_repeat_without_a_choice() {
        let vocab = vocabulary();
        let b = batch(&vocab, &mut Rng::new(0), 128);
        let is_name = |t: &u32| NAMES.contains(&vocab[*t as usize].as_str());
        let mut kinds = [0; 3];
        for (row, mask) in b.tokens.iter().zip(&b.mask) {
            let names: Vec<u32> = row.iter().copied().filter(|t| is_name(t)).collect();
            assert_eq!(mask.iter().filter(|m| **m).count(), 1);
            let t = mask.iter().position(|m| *m).unwrap();
            let answer = row[t + 1];
            assert_eq!(answer, *names.last().unwrap(), "the scored word is the last name");
            if names.windows(2).all(|w| w[0] == w[1]) {
                kinds[0] += 1; // one name: a story or "a friend"
            } else if names.len() == 4 && names[0] == names[2] && names[1] == names[3] {
                kinds[1] += 1; // a pair said twice: the second name follows the first again
            } else {
                kinds[2] += 1;
                assert_eq!(names.len(), 4, "IO, S, S, then the answer");
                assert_eq!(row[..=t].iter().filter(|x| **x == answer).count(), 1, "the answer is the name said once");
            }
        }
        assert!(kinds.iter().all(|&k| k > 0), "{kinds:?}");
    }

    #[test]
    fn every_task_word_is_in_the_vocabulary_once() {
        let v = vocabulary();
        let mut sorted = v.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), v.len());
        assert_eq!(config().d_vocab, v.len());
        for e in ioi::examples(&mut Rng::new(1), 50, Split::HeldOut) {
            assert!(e.clean.iter().chain(&e.corrupt).all(|w| v.contains(w)));
        }
    }
}
