//! `circuitscope train docstring-4l`: the ACDC docstring shape (4 layers, 8 heads, attention-only,
//! shortformer positions, LayerNorm; 1,377 edges) trained on generated Python functions: documented
//! functions whose `:param` lines follow the `def` order from its first, second or third parameter
//! to the last (each name after `:param` scored but the first); functions with a body that uses the
//! parameters in order from a random one on (`return b + c`, every name but the first scored); and
//! name lists written twice (`a , b , c ): a , b , c`, the name after each comma of the second copy
//! scored). Bodies and lists draw from all 110 names; they are where the 20 held-out names are
//! learnt, since those are never documented in training.
//!
//! What it took (each step measured at 2500 steps, seed 0, on the paper-shape held-out rows;
//! earlier attempts with d_model 64 / d_head 8 never got past 40%):
//! - d_head 32 (d_model 128): a head matching one of 110 names against another needs the room.
//! - `W_O` scaled by 1/√(2·n_layers) at init ([`initial_weights`]): 16% → 43.5%.
//! - Sinusoidal `W_pos` at init, and 3000 steps of documented functions alone before the mix
//!   ([`DOCS_FIRST`]). Without them the model never reads the documented name: it guesses the
//!   answer from positions (the prompt's length and the number of `:param` lines), which is right
//!   a third of the time, and bodies and lists, solved first, fix a previous-name head at offset 1
//!   that no longer moves to the docstring's offset 4 (`:param M2 : w w :param`). Varying the
//!   description of each parameter (0–3 words) or documenting random parameters instead of a run
//!   did not help.

use std::path::Path;

use super::fit::{Batch, FitSettings, fit_from, lookup};
use super::task_card::{CardSpec, train_with_card};
use circuitscope::analysis::attention::Probe;
use circuitscope_tasks::eval::evaluate;
use circuitscope::data::AcdcData;
use circuitscope::error::{Error, Result};
use circuitscope::model::LoadedModel;
use circuitscope::model::config::{AttentionDir, ModelConfig, NormalizationType, PositionalEmbeddingType};
use circuitscope::model::init::random_weights;
use circuitscope::model::weights::WeightMap;
use circuitscope::rng::Rng;
use circuitscope_tasks::docstring::{self, ARG_DESC_WORDS, N_TRAIN_NAMES, NAMES, NOUNS, SYNTAX, function_words, pick};
use circuitscope_tasks::words::{BOS, PAD, Split, UNK, WordExample, encode_for, owned};

pub fn settings(seed: u64) -> FitSettings {
    FitSettings { seed, steps: 8000, batch: 32, lr: 2e-3 }
}

/// Steps (of 8000) whose batches are documented functions only, before the mix below: the docstring
/// lookup is learnt first, before the bodies and lists settle the previous-name heads.
const DOCS_FIRST: usize = 3000;
/// Shares of the training mix: repeated name lists, functions with a body; the rest documented.
const REPEATED_SHARE: f64 = 0.3;
const BODY_SHARE: f64 = 0.25;

/// `<bos>`, `[UNK]`, `<pad>`, the syntax words, `return`, `+`, the names, the description words.
pub fn vocabulary() -> Vec<String> {
    let mut v = owned(&[BOS, UNK, PAD]);
    v.extend(owned(&SYNTAX));
    v.extend(owned(&["return", "+"]));
    v.extend(owned(&NAMES));
    v.extend(owned(&NOUNS));
    v
}

pub fn config() -> ModelConfig {
    ModelConfig {
        model_name: "docstring-4l".into(),
        n_layers: 4,
        n_heads: 8,
        d_model: 128,
        d_head: 32,
        d_mlp: None,
        d_vocab: vocabulary().len(),
        d_vocab_out: None,
        n_ctx: 64,
        act_fn: None,
        normalization_type: Some(NormalizationType::Ln),
        positional_embedding_type: PositionalEmbeddingType::Shortformer,
        attention_dir: AttentionDir::Causal,
        attn_only: true,
        eps: 1e-5,
        use_attn_scale: true,
        use_pos_embed: false,
        tasks: vec!["docstring".into()],
    }
}

/// A documented function in words, and which word positions are scored: 3–6 parameters, the
/// docstring documenting them from parameter 0, 1 or 2 to the last (at least two), a 1–5 word
/// description (its varying length keeps the answer's distance from the end varying too).
fn documented(rng: &mut Rng) -> (Vec<String>, Vec<bool>) {
    let n = 3 + rng.below(4);
    let mut names = pick(rng, &NAMES[..N_TRAIN_NAMES], n + 1);
    let def_args = names.split_off(1);
    let from = rng.below(3.min(n - 1));
    let doc_args = &def_args[from..];
    let n_desc = 1 + rng.below(5);
    let desc = pick(rng, &NOUNS, n_desc);
    // Two words per parameter, as in the task: the last documented name is then always four
    // words before `:param`; the description and the start vary instead.
    let arg_desc: Vec<Vec<&str>> = doc_args.iter().map(|_| pick(rng, &NOUNS, ARG_DESC_WORDS)).collect();
    let words = function_words(names[0], &def_args, &desc, doc_args, &arg_desc);
    let params: Vec<usize> = (0..words.len()).filter(|&i| words[i] == ":param").collect();
    let scored = (0..words.len()).map(|i| params[1..].contains(&i)).collect();
    (words, scored)
}

/// `def f ( self , a , b , c , d ): return b + c + d` over all names: the body uses the parameters
/// in order from a random one on, and every body name after the first is scored. The random start
/// matters: when bodies began with the first parameter the model learnt to count positions
/// ("the third name after return is the third parameter") instead of looking the previous name up.
fn with_body(rng: &mut Rng) -> (Vec<String>, Vec<bool>) {
    let n = 3 + rng.below(4);
    let mut names = pick(rng, &NAMES, n + 1);
    let args = names.split_off(1);
    let from = rng.below(n - 1);
    let mut words = function_words(names[0], &args, &[], &[], &[]);
    words.truncate(words.len() - 1); // no docstring
    words.push("return".into());
    let first = words.len();
    for (i, a) in args[from..].iter().enumerate() {
        if i > 0 {
            words.push("+".into());
        }
        words.push(a.to_string());
    }
    // Position t predicts word t + 1: score the word before each body name but the first.
    let scored = (0..words.len()).map(|t| t > first && words.get(t + 1).is_some_and(|w| NAMES.contains(&w.as_str()))).collect();
    (words, scored)
}

/// `a , b , c , d ): a , b , c , d`: 3–8 names as a `def` lists them, then the same list again,
/// each comma of the second copy scored. It is the docstring's lookup with nothing else to learn
/// (find the previous name in the first list, copy the word two on), over all 110 names. Plain
/// repeated names (`a b c a b c`, the induction task) teach the copy one word on instead, which the
/// docstring never asks for; with commas the model left the plateau sooner (30% vs 16% held out
/// after 2500 steps).
fn repeated(rng: &mut Rng) -> (Vec<String>, Vec<bool>) {
    let k = 3 + rng.below(6);
    let names = pick(rng, &NAMES, k);
    let mut words = vec![];
    for (i, a) in names.iter().enumerate() {
        if i > 0 {
            words.push(",".to_string());
        }
        words.push(a.to_string());
    }
    let half = words.len();
    words.push("):".into());
    words.extend(words[..half].to_vec());
    let scored = (0..words.len()).map(|t| t > half && words[t] == ",").collect();
    (words, scored)
}

/// A batch of the training mix; `docs_only` in the first phase (see [`DOCS_FIRST`]).
fn batch(vocab: &[String], rng: &mut Rng, size: usize, docs_only: bool) -> Batch {
    let id = lookup(vocab);
    let (repeated_share, body_share) = if docs_only { (0.0, 0.0) } else { (REPEATED_SHARE, BODY_SHARE) };
    let rows = (0..size)
        .map(|_| {
            let u = rng.uniform();
            let (words, scored) = if u < repeated_share {
                repeated(rng)
            } else if u < repeated_share + body_share {
                with_body(rng)
            } else {
                documented(rng)
            };
            let mut tokens = vec![id(BOS)];
            tokens.extend(words.iter().map(|w| id(w)));
            let mut mask = vec![false];
            mask.extend(scored);
            (tokens, mask)
        })
        .collect();
    Batch::padded(rows, id(PAD))
}

/// Positions in the task's fixed prompt (after `<bos>`): the def's matching parameters M1–M3,
/// the docstring's names, the last `:param`.
const DEF_M2: usize = 12;
const DEF_COMMA: usize = 13;
const DEF_ANSWER: usize = 14;
const DOC_M2: usize = 28;

fn probes(data: &AcdcData) -> Vec<Probe> {
    let end = data.seq_len() - 1;
    let pairs = |q: usize, k: usize| (0..data.rows()).map(|r| (r, q, k)).collect();
    vec![
        Probe { name: "END → answer (def)".into(), pairs: pairs(end, DEF_ANSWER) },
        Probe { name: "END → M2 (def)".into(), pairs: pairs(end, DEF_M2) },
        Probe { name: "END → M2 (doc)".into(), pairs: pairs(end, DOC_M2) },
        Probe { name: "M2 (doc) → M2 (def)".into(), pairs: pairs(DOC_M2, DEF_M2) },
        Probe { name: "answer → M2 (def)".into(), pairs: pairs(DEF_ANSWER, DEF_M2) },
        Probe { name: "answer → comma".into(), pairs: pairs(DEF_ANSWER, DEF_COMMA) },
    ]
}

/// The card's words are Markdown (the analysis written from the seed-0 model's card, whose tables
/// reproduce for that seed).
pub const CARD: CardSpec = CardSpec {
    id: "docstring-4l",
    task: "docstring",
    prose: include_str!("../cards/docstring-4l.md"),
    train_examples: docstring::examples,
    probes,
};

/// The seeded init with each head's `W_O` scaled by 1/√(2·n_layers), as GPT-2 scales its
/// residual projections, and sinusoidal positions (Vaswani et al. 2017, scaled by √2 to unit
/// variance) in `W_pos`. Unscaled, the 8 heads of a layer each add about as much to the residual as
/// the token embedding, so from layer 1 on a position mostly carries an average of its context and
/// the token identity a lookup needs is faint: the model sat on the plateau (loss ≈ 1.8, 16%
/// held out after 2500 steps); scaled, it left it by step 1800 (43.5%). With sinusoids, attending
/// a fixed distance back is one linear map for every position, so the head that reads the name
/// four words before `:param` is learnt from all positions at once, not position by position.
fn initial_weights(config: &ModelConfig, seed: u64) -> WeightMap {
    let mut init = random_weights(config, seed);
    let scale = (2.0 * config.n_layers as f32).sqrt().recip();
    for (name, t) in init.tensors.iter_mut() {
        if name.ends_with("attn.W_O") {
            t.data.iter_mut().for_each(|x| *x *= scale);
        }
    }
    if let Some(w_pos) = init.tensors.get_mut("pos_embed.W_pos") {
        let d = config.d_model;
        for (p, row) in w_pos.data.chunks_mut(d).enumerate() {
            for i in 0..d / 2 {
                let angle = p as f64 * 10000f64.powf(-2.0 * i as f64 / d as f64);
                row[2 * i] = (angle.sin() * std::f64::consts::SQRT_2) as f32;
                row[2 * i + 1] = (angle.cos() * std::f64::consts::SQRT_2) as f32;
            }
        }
    }
    init
}

/// The card's extra table: the task metrics on varied-shape rows, held out and training names.
fn varied_section(out: &Path) -> Result<String> {
    let model = LoadedModel::from_dir(out, &circuitscope::device::cpu())?;
    let task = circuitscope_tasks::find("docstring")?;
    let intro = super::cards::part(CARD.prose, "varied shape");
    let mut md = format!(
        "## Varied shape\n\n{intro}\n\n| data | metric clean | metric corrupted | accuracy clean | accuracy corrupted |\n|---|---|---|---|---|\n"
    );
    for (name, split) in [("held-out names", Split::HeldOut), ("training names", Split::Train)] {
        let mut rng = Rng::new(1);
        let rows: Vec<WordExample> = (0..200).map(|_| docstring::varied_example(&mut rng, split)).collect();
        let e = evaluate(&model, &task, &encode_for(&model, task.name, &rows)?, None)?;
        md += &format!(
            "| {name} | {:.3} | {:.3} | {:.1}% | {:.1}% |\n",
            e.clean_metric,
            e.corrupt_metric,
            100.0 * e.clean_accuracy,
            100.0 * e.corrupt_accuracy
        );
    }
    Ok(md + "\n")
}

/// Trains, writes the model folder and its card; with `card_only`, re-measures the model already
/// in `out` and rewrites its card.
pub fn train(out: &Path, seed: u64, steps: Option<usize>, card_only: bool) -> Result<f32> {
    let vocab = vocabulary();
    let fitted = train_with_card(out, &CARD, settings(seed), steps, card_only, |s| {
        let config = config();
        let mut step = 0;
        fit_from(out, &config, &vocab, s, initial_weights(&config, seed), |rng, n| {
            step += 1;
            batch(&vocab, rng, n, step < DOCS_FIRST)
        })
    })?;
    let card = out.join("card.md");
    let text = std::fs::read_to_string(&card).map_err(|e| Error::Io(format!("card.md: {e}")))?;
    let text = text.replacen("## Analysis", &(varied_section(out)? + "## Analysis"), 1);
    std::fs::write(&card, text).map_err(|e| Error::Io(format!("card.md: {e}")))?;
    Ok(fitted.final_loss())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_functions_score_each_param_name_but_the_first_and_it_follows_the_def() {
        let mut rng = Rng::new(0);
        for _ in 0..100 {
            let (words, scored) = documented(&mut rng);
            let close = words.iter().position(|w| w == "):").unwrap();
            let def_args: Vec<&String> = words[..close].iter().skip(5).step_by(2).collect();
            let params: Vec<usize> = (0..words.len()).filter(|&i| words[i] == ":param").collect();
            assert!(params.len() >= 2);
            for (k, &p) in params.iter().enumerate() {
                assert_eq!(scored[p], k > 0);
                if k > 0 {
                    let prev = def_args.iter().position(|a| **a == words[params[k - 1] + 1]).unwrap();
                    assert_eq!(def_args[prev + 1], &words[p + 1], "the next documented name follows in the def");
                }
            }
            assert_eq!(scored.iter().filter(|s| **s).count(), params.len() - 1);
        }
    }

    #[test]
    fn a_repeated_list_scores_each_comma_of_its_second_copy_and_the_name_two_on_follows() {
        let (words, scored) = repeated(&mut Rng::new(4));
        let close = words.iter().position(|w| w == "):").unwrap();
        assert_eq!(words[..close], words[close + 1..]);
        for (t, s) in scored.iter().enumerate() {
            assert_eq!(*s, t > close && words[t] == ",");
            if *s {
                let prev = words.iter().position(|w| *w == words[t - 1]).unwrap();
                assert_eq!(words[prev + 2], words[t + 1]);
            }
        }
        assert_eq!(scored.iter().filter(|s| **s).count(), close / 2);
    }

    #[test]
    fn the_init_scales_w_o_and_starts_positions_as_sinusoids() {
        let c = config();
        let (plain, init) = (random_weights(&c, 0), initial_weights(&c, 0));
        let w_o = "blocks.2.attn.W_O";
        let ratio = init.tensors[w_o].data[7] / plain.tensors[w_o].data[7];
        assert!((ratio - 1.0 / 8f32.sqrt()).abs() < 1e-6, "{ratio}");
        let w_pos = &init.tensors["pos_embed.W_pos"].data;
        assert_eq!(w_pos[0], 0.0); // sin 0
        assert!((w_pos[1] - 2f32.sqrt()).abs() < 1e-6); // √2 cos 0
        assert!((w_pos[c.d_model] - 2f32.sqrt() * 1f32.sin()).abs() < 1e-6); // position 1, frequency 1
        assert_eq!(init.tensors["embed.W_E"], plain.tensors["embed.W_E"]);
    }

    #[test]
    fn every_training_row_fits_the_context() {
        let vocab = vocabulary();
        let mut rng = Rng::new(9);
        for _ in 0..20 {
            assert!(batch(&vocab, &mut rng, 64, false).tokens[0].len() <= config().n_ctx);
        }
    }

    #[test]
    fn bodies_score_every_parameter_use_but_the_first_and_follow_the_def() {
        let mut rng = Rng::new(3);
        for _ in 0..50 {
            let (words, scored) = with_body(&mut rng);
            let text: Vec<&str> = words.iter().map(String::as_str).collect();
            let r = text.iter().position(|w| *w == "return").unwrap();
            let close = text.iter().position(|w| *w == "):").unwrap();
            let def_args: Vec<&str> = text[5..close].iter().step_by(2).copied().collect();
            for (t, s) in scored.iter().enumerate() {
                let next_is_later_name = t > r + 1 && t + 1 < words.len() && NAMES.contains(&text[t + 1]);
                assert_eq!(*s, next_is_later_name, "{t}: {:?}", text.get(t + 1));
                if *s {
                    let prev = def_args.iter().position(|a| *a == text[t - 1]).unwrap();
                    assert_eq!(def_args[prev + 1], text[t + 1]);
                }
            }
        }
    }

    #[test]
    fn the_task_prompt_fits_and_its_words_are_in_the_vocabulary() {
        let v = vocabulary();
        assert_eq!(config().d_vocab, v.len());
        for e in docstring::examples(&mut Rng::new(2), 20, Split::HeldOut) {
            assert!(e.clean.iter().chain(&e.corrupt).chain(&e.correct).all(|w| v.contains(w)));
            assert!(e.clean.len() + 1 <= config().n_ctx);
        }
        // The probes' positions are the prompt's: the answer and M2 in the def.
        let e = docstring::DocPrompt::sample(&mut Rng::new(2), Split::HeldOut).example();
        assert_eq!(e.clean[DEF_ANSWER - 1], e.correct[0]);
        assert_eq!(e.clean[DEF_M2 - 1], e.clean[DOC_M2 - 1]);
        assert_eq!(e.clean[DEF_COMMA - 1], ",");
    }
}
