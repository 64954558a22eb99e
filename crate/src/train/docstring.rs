//! `circuitscope train docstring-4l`: the ACDC docstring shape (4 layers, 8 heads, attention-only,
//! shortformer positions, LayerNorm; 1,377 edges) trained on generated Python functions. Most are
//! documented functions whose `:param` lines follow the `def` order from some parameter on (each
//! name after `:param` scored but the first); the rest have a body that uses the parameters in
//! order from a random one on (`return b + c`, every name but the first scored) over all 110
//! names; and induction rows over the names (a random run of names, repeated). Bodies and induction
//! rows are where the held-out names are learnt: they are never documented in training.
//!
//! Status: not shipped. In 6000 steps (about 7 minutes) no variant tried here gets past the
//! plateau before a 4-layer attention-only model learns to look names up: the best reached 40% on
//! the paper's prompt shape by counting positions, and with position shortcuts removed even the
//! induction rows alone stay at a loss near 1.8 after 2000 steps (1.0 with 2 layers or lr 5e-3),
//! where `induction-2l` is at 0.2. Finding a recipe that learns within the time budget is the
//! open debt here.

use std::path::Path;

use super::fit::{Batch, FitSettings, Fitted, fit, lookup};
use super::task_card::{CardSpec, write_card};
use crate::analysis::attention::Probe;
use crate::data::AcdcData;
use crate::error::Result;
use crate::model::config::{AttentionDir, ModelConfig, NormalizationType, PositionalEmbeddingType};
use crate::rng::Rng;
use crate::tasks::docstring::{self, ARG_DESC_WORDS, N_TRAIN_NAMES, NAMES, NOUNS, SYNTAX, function_words, pick};
use crate::tasks::words::{BOS, PAD, UNK, owned};

pub fn settings(seed: u64) -> FitSettings {
    FitSettings { seed, steps: 6000, batch: 32, lr: 5e-3 }
}

const BODY_SHARE: f64 = 0.25;
const REPEATED_SHARE: f64 = 0.3;

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
        d_model: 64,
        d_head: 8,
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
/// docstring documenting a run of at least two of them from parameter 0, 1 or 2, a 1–5 word
/// description (its varying length keeps the answer's distance from the end varying too).
fn documented(rng: &mut Rng) -> (Vec<String>, Vec<bool>) {
    let n = 3 + rng.below(4);
    let mut names = pick(rng, &NAMES[..N_TRAIN_NAMES], n + 1);
    let def_args = names.split_off(1);
    let from = rng.below(3.min(n - 1));
    let to = from + 2 + rng.below(n - from - 1);
    let doc_args = &def_args[from..to];
    let n_desc = 1 + rng.below(5);
    let desc = pick(rng, &NOUNS, n_desc);
    // Two words per parameter, as in the task: the last documented name is then always four
    // words before `:param`, which a small model finds quickly; the description varies instead.
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

/// Names in a random order, then the same names again, the second copy scored: the induction task
/// over parameter names, dense practice at finding a name earlier in the row and copying what
/// followed it, which both the docstring and the bodies need.
fn repeated(rng: &mut Rng) -> (Vec<String>, Vec<bool>) {
    let k = 4 + rng.below(9);
    let mut words = owned(&pick(rng, &NAMES, k));
    words.extend(words.clone());
    let scored = (0..2 * k).map(|i| i >= k && i + 1 < 2 * k).collect();
    (words, scored)
}

fn batch(vocab: &[String], rng: &mut Rng, size: usize) -> Batch {
    let id = lookup(vocab);
    let rows = (0..size)
        .map(|_| {
            let u = rng.uniform();
            let (words, scored) = if u < REPEATED_SHARE {
                repeated(rng)
            } else if u < REPEATED_SHARE + BODY_SHARE {
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

const ANALYSIS: &str = "(to be written after the first training run)";

pub const CARD: CardSpec = CardSpec {
    id: "docstring-4l",
    task: "docstring",
    summary: "A 4-layer, 8-head, attention-only transformer (d_model 64, d_head 8, shortformer positions, LayerNorm) — \
        the shape of the ACDC paper's docstring model, 1,377 edges — trained here on generated Python functions with \
        word-level tokens (`def`, `(`, `self`, `,`, `):`, `\"\"\"`, `:param`, `:`, 110 parameter names from the paper's \
        list, 32 description nouns).",
    data_notes: &[
        "45% of the rows are documented functions: 3–6 parameters, a 1–5 word description, then at \
         least two `:param name : word word` lines for consecutive parameters from the first, second or third on; every \
         name after `:param` is scored except the first (which the def does not determine). (With 1–2 words per \
         parameter and d_model 128 the model reached only 40% after 4000 steps: a fixed line length lets it find \
         the last documented name by position.)",
        "25% are functions with a body that uses the parameters in order from a random one on (`def f ( self , a , \
         b , c ): return b + c`), every body name after the first scored, over all 110 names. (Bodies that started \
         at the first parameter let the model count positions instead of looking names up; it stalled at 25%.)",
        "30% are 4–12 names in a random order, then the same names again, the second copy scored (the induction \
         task over parameter names), so that looking a name up and copying what followed it is learnt early.",
        "Held out: the last 20 of the 110 names are never documented in training (they occur only in bodies). The \
         task's data (and so ACDC and `circuitscope eval`) documents only these, in the paper's shape: two \
         undocumented parameters, three matching ones, one more; three description words; two words per parameter.",
    ],
    train_examples: docstring::examples,
    probes,
    analysis: ANALYSIS,
};

/// Trains, writes the model folder and its card; with `card_only`, re-measures the model already
/// in `out` and rewrites its card.
pub fn train(out: &Path, seed: u64, steps: Option<usize>, card_only: bool) -> Result<f32> {
    let mut s = settings(seed);
    let fitted = if card_only {
        Fitted::read(out)?
    } else {
        let vocab = vocabulary();
        s.steps = steps.unwrap_or(s.steps);
        fit(out, &config(), &vocab, &s, |rng, n| batch(&vocab, rng, n))?
    };
    s.steps = fitted.steps();
    write_card(out, &CARD, &s, &fitted)?;
    Ok(fitted.final_loss())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::words::Split;

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
    fn a_repeated_row_scores_its_second_copy_but_the_first_word() {
        let (words, scored) = repeated(&mut Rng::new(4));
        let k = words.len() / 2;
        assert_eq!(words[..k], words[k..]);
        assert_eq!(scored.iter().filter(|s| **s).count(), k - 1);
        assert!(!scored[k - 1] && scored[k] && !scored[2 * k - 1]);
    }

    #[test]
    fn every_training_row_fits_the_context() {
        let vocab = vocabulary();
        let mut rng = Rng::new(9);
        for _ in 0..20 {
            assert!(batch(&vocab, &mut rng, 64).tokens[0].len() <= config().n_ctx);
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
