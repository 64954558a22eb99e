//! Tasks: named, seeded generators of clean and corrupted token batches, the positions their
//! metric reads, their default metric and τ, and an explanation for the page (docs/tasks.md#task-list).

pub mod custom;
pub mod docstring;
pub mod eval;
pub mod greater_than;
pub mod heads;
pub mod info;
pub mod induction;
pub mod ioi;
pub mod paper_gpt2;
pub mod resolve;
pub mod tracr;
pub mod words;

use serde::Serialize;

use circuitscope::data::AcdcData;
use circuitscope::error::{Error, Result};
use circuitscope::metric::MetricKind;
use circuitscope::model::LoadedModel;
use circuitscope::rng::Rng;
use words::Split;

/// How a task counts a row as answered right (`circuitscope eval`, the model cards).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Accuracy {
    /// The most likely next token is one of the row's correct answers.
    Top1,
    /// The correct answer's logit beats every wrong answer's (IOI: logit difference > 0).
    BeatsWrong,
    /// No answers: the most likely next token is the row's actual next token, at scored positions
    /// whose next token already occurred earlier in the row (induction).
    NextToken,
}

#[derive(Debug, Clone, Serialize)]
pub struct Task {
    pub name: &'static str,
    pub default_metric: MetricKind,
    pub default_tau: f64,
    /// Rows generated when the caller does not say.
    pub default_rows: usize,
    pub accuracy: Accuracy,
    pub explanation: &'static str,
}

pub fn all() -> Vec<Task> {
    let mut tasks = vec![
        Task {
            name: "induction",
            default_metric: MetricKind::Kl,
            default_tau: 0.05,
            default_rows: 40,
            accuracy: Accuracy::NextToken,
            explanation: "Each row is a random run of words followed by the same run again. In the second copy the \
                next word can be predicted only by finding where the current word occurred before and copying what \
                came after it: a previous-token head in layer 0 marks every position with the word before it, and \
                induction heads in layer 1 look for the position whose previous word is the current word. The \
                corrupted input is the batch with its rows shuffled; the metric is the KL divergence from the full \
                model at the repeated positions.",
        },
        Task {
            name: "ioi",
            default_metric: MetricKind::LogitDiff,
            default_tau: 0.1,
            default_rows: 50,
            accuracy: Accuracy::BeatsWrong,
            explanation: "Indirect object identification: \"When Mary and John went to the store, John gave a drink \
                to\" ends with Mary. Two names are introduced, one of them (the subject) is named again, and the \
                answer is the other one (the indirect object). To get it right the model must notice which name is \
                repeated and copy the one that is not. In GPT-2 small this takes 26 heads in 7 classes: heads that \
                spot the duplicate name, S-inhibition heads that pass that on, and name-mover heads that copy the \
                indirect object to the output. The corrupted input uses three other names (ABC), which removes the \
                clue; the metric is the logit of the indirect object minus that of the subject (negated, so lower \
                is better). Rows use names and templates the shipped model never saw in this task. On GPT-2 small \
                the rows are the paper's own: 100 prompts \"Then, A and B went to the PLACE. B gave a OBJECT to\".",
        },
        Task {
            name: "greater-than",
            default_metric: MetricKind::ProbDiff,
            default_tau: 0.01,
            default_rows: 50,
            accuracy: Accuracy::Top1,
            explanation: "\"The war lasted from the year 17 32 to the year 17\": the next two digits must make a \
                later year, so anything above 32. Years are split as GPT-2 splits them, a century token and a \
                two-digit token. The model must read the start year's two digits and turn them into a preference \
                for larger numbers: in GPT-2 small attention heads bring the start year to the last position and \
                MLPs do the comparison. The corrupted input replaces the start year's digits with 01, which leaves \
                nothing to compare with; the metric is the probability of the later years minus that of the \
                others (negated). Rows use event nouns the shipped model never saw. On GPT-2 small the rows are the \
                paper's own 100, \"The {noun} lasted from the year 1732 to 17\".",
        },
        Task {
            name: "docstring",
            default_metric: MetricKind::LogitDiff,
            default_tau: 0.1,
            default_rows: 50,
            accuracy: Accuracy::Top1,
            explanation: "A Python function's docstring lists its parameters in order: after \
                \"def load(self, data, name, file, value, test, line):\" and a docstring documenting file and \
                value, the next \":param\" must name test. The model has to find the last documented parameter \
                in the def line and copy the one after it, an induction-like lookup across the function. The \
                corrupted input replaces the def's middle parameters and the documented ones with other names, so \
                the docstring no longer points into the def; the metric is the correct name's logit minus the \
                largest logit of the other parameters (negated). In the paper's 4-layer attention-only model the \
                circuit is 37 edges. Rows use parameter names the shipped model never documented in training.",
        },
    ];
    // The compiled-model tasks (RASP programs, docs/tasks.md#tracr-tasks).
    tasks.extend(tracr::tasks());
    tasks
}

pub fn find(name: &str) -> Result<Task> {
    all().into_iter().find(|t| t.name == name).ok_or_else(|| {
        let names: Vec<&str> = all().iter().map(|t| t.name).collect();
        Error::Invalid(format!("unknown task {name:?}: known are {}", names.join(", ")))
    })
}

impl Task {
    /// The task's dataset for `model` (its config, and its tokenizer for the word tasks), `rows`
    /// rows (default: the task's), from `seed`. The word tasks draw held-out names, nouns and
    /// templates; a model whose vocabulary lacks a word gets an `Error::Invalid` naming it. On a
    /// model with GPT-2's tokenizer, ioi and greater-than are the paper's fixed rows instead
    /// (`paper_gpt2`: the first `rows` of 100, `seed` unused).
    pub fn generate(&self, model: &LoadedModel, rows: Option<usize>, seed: u64) -> Result<AcdcData> {
        if let Some(data) = paper_gpt2::data(self.name, model.tokenizer.as_ref(), rows)? {
            return fits(model, self.name, data);
        }
        let rows = rows.unwrap_or(self.default_rows).max(2);
        let mut rng = Rng::new(seed);
        let examples = match self.name {
            "induction" => return induction_data(model, rows, &mut rng),
            name if tracr::is_tracr(name) => return tracr::tracr_data(name, model, Some(rows), seed),
            "ioi" => ioi::examples(&mut rng, rows, Split::HeldOut),
            "greater-than" => greater_than::examples(&mut rng, rows, Split::HeldOut),
            "docstring" => docstring::examples(&mut rng, rows, Split::HeldOut),
            other => return Err(Error::Invalid(format!("task {other} has no generator"))),
        };
        fits(model, self.name, words::encode_for(model, self.name, &examples)?)
    }
}

/// `data`, if its rows fit in the model's context.
fn fits(model: &LoadedModel, task: &str, data: AcdcData) -> Result<AcdcData> {
    if data.seq_len() > model.config.n_ctx {
        return Err(Error::Invalid(format!(
            "task {task} needs rows of {} tokens; this model reads at most n_ctx = {}",
            data.seq_len(),
            model.config.n_ctx
        )));
    }
    Ok(data)
}

/// Induction rows over the model's token ids (any vocabulary will do), corrupted by shuffling rows.
fn induction_data(model: &LoadedModel, rows: usize, rng: &mut Rng) -> Result<AcdcData> {
    let config = &model.config;
    let seq_len = config.n_ctx.min(24);
    if seq_len < 9 || config.d_vocab < seq_len + induction::FIRST_WORD as usize {
        return Err(Error::Invalid("induction needs n_ctx ≥ 9 and a vocabulary larger than a row".into()));
    }
    let batch = induction::sequences(rng, rows, seq_len, 4, (seq_len - 2) / 2, config.d_vocab);
    let mut order: Vec<usize> = (0..rows).collect();
    rng.shuffle(&mut order);
    let corrupt = order.iter().map(|&i| batch.tokens[i].clone()).collect();
    let positions = batch
        .repeated
        .iter()
        .map(|r| r.iter().enumerate().filter(|(_, x)| **x).map(|(t, _)| t).collect())
        .collect();
    Ok(AcdcData { clean: batch.tokens, corrupt, positions: Some(positions), correct: None, wrong: None, pos_embed_perm: None })
}
