//! The training loop the task models share: seeded init, Adam with a short warm-up and a linear
//! warm-down, next-token loss on the positions each batch marks, and the model folder written at
//! the end (config, weights, word-level tokenizer, loss curve). Each model supplies only its config,
//! vocabulary and a batch sampler.

use std::path::Path;
use std::time::Instant;

use burn::optim::{AdamConfig, GradientsParams};

use super::next_token_loss;
use circuitscope::error::{Error, Result};
use circuitscope::model::init::random_weights;
use circuitscope::model::tokenizer::word_level_json;
use circuitscope::model::weights::to_safetensors;
use circuitscope::model::{ModelConfig, Transformer};
use circuitscope::rng::Rng;

/// Rows of token ids (one length) and, per position, whether its next-token prediction counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub tokens: Vec<Vec<u32>>,
    pub mask: Vec<Vec<bool>>,
}

impl Batch {
    /// Right-pads every row with `pad` (unscored) to the longest row's length.
    pub fn padded(mut rows: Vec<(Vec<u32>, Vec<bool>)>, pad: u32) -> Self {
        let len = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
        for (tokens, mask) in &mut rows {
            tokens.resize(len, pad);
            mask.resize(len, false);
        }
        let (tokens, mask) = rows.into_iter().unzip();
        Self { tokens, mask }
    }
}

/// Optimiser settings; each model has its own defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct FitSettings {
    pub seed: u64,
    pub steps: usize,
    pub batch: usize,
    pub lr: f64,
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct Fitted {
    /// (step, loss) every 50 steps and at the end.
    pub curve: Vec<(usize, f32)>,
    pub seconds: f64,
}

impl Fitted {
    pub fn final_loss(&self) -> f32 {
        self.curve.last().map(|c| c.1).unwrap_or(f32::NAN)
    }

    /// Steps the run took (the curve ends at the last step).
    pub fn steps(&self) -> usize {
        self.curve.last().map(|c| c.0 + 1).unwrap_or(0)
    }

    /// A finished run read back from its folder, to re-measure a model without retraining it:
    /// the curve from `loss.csv`, the wall time from the card it wrote (NaN if there is none).
    pub fn read(out: &Path) -> Result<Self> {
        let csv = std::fs::read_to_string(out.join("loss.csv")).map_err(|e| Error::Io(format!("loss.csv: {e}")))?;
        let curve = csv
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(','))
            .map(|(s, l)| Ok((s.parse().map_err(|_| Error::Io(format!("loss.csv: {s}")))?, l.parse().unwrap_or(f32::NAN))))
            .collect::<Result<Vec<_>>>()?;
        let card = std::fs::read_to_string(out.join("card.md")).unwrap_or_default();
        Ok(Self { curve, seconds: seconds_in_card(&card).unwrap_or(f64::NAN) })
    }
}

/// The wall time a card records: "…; 412 s on two shared CPU cores".
fn seconds_in_card(card: &str) -> Option<f64> {
    let end = card.find(" s on two shared CPU cores")?;
    card[..end].rsplit(' ').next()?.parse().ok()
}

/// Trains a model of `config` from seed `s.seed` on batches from `sample(rng, batch_size)` and
/// writes `out/{config.json, model.safetensors, tokenizer.json, loss.csv, loss.svg}`.
/// `vocabulary` is the tokenizer's words in id order (`<bos>` and `[UNK]` among them).
pub fn fit(
    out: &Path,
    config: &ModelConfig,
    vocabulary: &[String],
    s: &FitSettings,
    sample: impl FnMut(&mut Rng, usize) -> Batch,
) -> Result<Fitted> {
    fit_from(out, config, vocabulary, s, random_weights(config, s.seed), sample)
}

/// [`fit`] from given initial weights (a model that rescales its seeded init).
pub fn fit_from(
    out: &Path,
    config: &ModelConfig,
    vocabulary: &[String],
    s: &FitSettings,
    init: circuitscope::model::weights::WeightMap,
    mut sample: impl FnMut(&mut Rng, usize) -> Batch,
) -> Result<Fitted> {
    if vocabulary.len() != config.d_vocab {
        return Err(Error::Config(format!("{} words for d_vocab = {}", vocabulary.len(), config.d_vocab)));
    }
    let started = Instant::now();
    let device = circuitscope::device::cpu().autodiff();
    let mut model = Transformer::load(init, config, &device)?;
    let mut optim = AdamConfig::new().init();
    let mut rng = Rng::new(s.seed.wrapping_add(1));
    let mut curve = Vec::new();
    let warmup = (s.steps / 20).max(1);
    for step in 0..s.steps {
        let batch = sample(&mut rng, s.batch);
        let tokens = circuitscope::model::transformer::tokens_tensor(&batch.tokens, config, &device)?;
        let loss = next_token_loss(model.forward(tokens), &batch.tokens, &batch.mask);
        if step % 50 == 0 || step + 1 == s.steps {
            let value: f32 = loss.clone().into_scalar();
            eprintln!("step {step:>5}  loss {value:.4}  ({:.0} s)", started.elapsed().as_secs_f64());
            curve.push((step, value));
        }
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        let warm = ((step + 1) as f64 / warmup as f64).min(1.0);
        let lr = s.lr * warm * (1.0 - step as f64 / s.steps as f64).max(0.05);
        model = optim.step(lr, model, grads);
    }
    std::fs::create_dir_all(out).map_err(|e| Error::Io(e.to_string()))?;
    let write = |name: &str, bytes: &[u8]| std::fs::write(out.join(name), bytes).map_err(|e| Error::Io(format!("{name}: {e}")));
    write("config.json", serde_json::to_string_pretty(config).expect("plain config").as_bytes())?;
    write("model.safetensors", &to_safetensors(&model.weight_map()?.tensors)?)?;
    let words: Vec<&str> = vocabulary.iter().map(String::as_str).collect();
    write("tokenizer.json", word_level_json(&words, "<bos>", "[UNK]").as_bytes())?;
    let csv: String = std::iter::once("step,loss\n".to_string())
        .chain(curve.iter().map(|(s, l)| format!("{s},{l}\n")))
        .collect();
    write("loss.csv", csv.as_bytes())?;
    write("loss.svg", super::card::loss_svg(&curve).as_bytes())?;
    Ok(Fitted { curve, seconds: started.elapsed().as_secs_f64() })
}

/// Ids of `words` in `vocabulary` (training builds rows from the same word generators the tasks
/// use); panics on a word the model's own vocabulary lacks, which is a bug in the trainer.
pub fn lookup(vocabulary: &[String]) -> impl Fn(&str) -> u32 + '_ {
    let index: std::collections::HashMap<&str, u32> =
        vocabulary.iter().enumerate().map(|(i, w)| (w.as_str(), i as u32)).collect();
    move |w| *index.get(w).unwrap_or_else(|| panic!("{w:?} is not in the trainer's vocabulary"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_s_training_time_is_read_back() {
        assert_eq!(seconds_in_card("- Seed 0, 3000 Adam steps; 412 s on two shared CPU cores.\n"), Some(412.0));
        assert_eq!(seconds_in_card("no card"), None);
    }

    #[test]
    fn padding_extends_rows_and_never_scores_the_padding() {
        let b = Batch::padded(vec![(vec![0, 5], vec![true, false]), (vec![0, 6, 7], vec![false, true, false])], 2);
        assert_eq!(b.tokens, vec![vec![0, 5, 2], vec![0, 6, 7]]);
        assert_eq!(b.mask, vec![vec![true, false, false], vec![false, true, false]]);
    }
}
