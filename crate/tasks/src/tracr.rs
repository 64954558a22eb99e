//! The ACDC paper's tracr tasks (docs/tasks.md#tracr-tasks), on the models `circuitscope rasp compile`
//! writes from `reverse.rasp` and `frac_prevs.rasp`, and one task each for the other shipped
//! programs and for any program compiled in the page (random inputs over the model's own
//! vocabulary). The metric is L2 against the clean model's logits at every non-BOS position;
//! the paper runs ACDC with zero ablation, where the corruption does not matter; the data's
//! corruptions serve resample ablation.

use circuitscope::data::AcdcData;
use circuitscope::error::Result;
use circuitscope::metric::MetricKind;
use circuitscope::model::LoadedModel;
use circuitscope::patch::Ablation;
pub use circuitscope_rasp::data::{PROPORTION, REVERSE};
use crate::{Accuracy, Task};

pub const HIST: &str = "tracr-hist";
pub const SORT: &str = "tracr-sort";
pub const X_MAJORITY: &str = "tracr-x-majority";
/// Any compiled program: the page's RASP editor gives its models this task.
pub const PROGRAM: &str = circuitscope_rasp::programs::PROGRAM_TASK;

/// Rows of random inputs for the tasks without a paper dataset.
const RANDOM_ROWS: usize = 50;

/// Whether `name` is one of the compiled-model tasks.
pub fn is_tracr(name: &str) -> bool {
    [REVERSE, PROPORTION, HIST, SORT, X_MAJORITY, PROGRAM].contains(&name)
}

/// The ablation a task is run with unless the user says otherwise: zero for the compiled
/// models, as the paper ran them (their circuits are defined by zero ablation); resample else.
pub fn default_ablation(name: &str) -> Ablation {
    if is_tracr(name) { Ablation::Zero } else { Ablation::Resample }
}

/// A task over random inputs of a compiled model (every one but the paper's two).
fn random_task(name: &'static str, explanation: &'static str) -> Task {
    Task {
        name,
        default_metric: MetricKind::L2,
        default_tau: 1e-3,
        default_rows: RANDOM_ROWS,
        // Debt: as for tracr-reverse, "argmax equals the program's output" is the right measure.
        accuracy: Accuracy::Top1,
        explanation,
    }
}

/// The compiled-model tasks' descriptions, for the task list.
pub fn tasks() -> Vec<Task> {
    vec![
        Task {
            name: REVERSE,
            default_metric: MetricKind::L2,
            default_tau: 1e-3,
            default_rows: 6,
            // Debt: the right measure is "argmax equals the program's output at every non-BOS
            // position"; no Accuracy variant says that yet.
            accuracy: Accuracy::Top1,
            explanation: "A transformer compiled from a RASP program, not trained: its weights reverse the input. \
                Layer 0 counts the tokens (a head that attends to BOS and every token alike, so its share of BOS is \
                1/(length + 1), and an MLP that decodes the length); the MLPs of layers 1 and 2 compute, at each \
                position, the index of the token it must copy (length − index − 1); the head of layer 3 attends \
                to that index and copies the token. The circuit is known by construction: 15 of the graph's 106 \
                edges. Rows are the six orderings of 1 2 3 after BOS; the metric is the squared difference from \
                the model's own logits, and the paper removes edges by zero ablation.",
        },
        Task {
            name: PROPORTION,
            default_metric: MetricKind::L2,
            default_tau: 1e-3,
            default_rows: 50,
            accuracy: Accuracy::Top1,
            explanation: "A transformer compiled from a RASP program, not trained: at each position it outputs the \
                fraction of the tokens so far that are x. The MLP of layer 0 turns each token into 1 (x) or 0 \
                (anything else); the head of layer 1 attends equally to every position up to its own and averages \
                those numbers. The circuit is known by construction: 8 of the graph's 38 edges (the paper counts \
                10, because its rows put BOS inside the input, where the empty-selection default matters). Rows \
                are random strings over w x y z after BOS; the metric is the squared difference from the model's \
                own output, and the paper removes edges by zero ablation.",
        },
        random_task(
            HIST,
            "A transformer compiled from a RASP program, not trained: at each position it outputs how many \
                times that position's token occurs in the whole input. The head of layer 0 attends from each \
                token to the tokens equal to it (and BOS), so its share of BOS is 1/(count + 1); the MLP of \
                layer 0 decodes the count. Rows are random strings over the program's vocabulary; the metric is \
                the squared difference from the model's own logits, with zero ablation as in the paper.",
        ),
        random_task(
            SORT,
            "A transformer compiled from a RASP program, not trained: it outputs its input sorted, repeats kept. \
                An MLP makes every key distinct (token + index / 5), a head counts the smaller keys to find each \
                token's place, and a last head copies the token whose place is this position. Rows are random \
                strings over the program's vocabulary; the metric is the squared difference from the model's own \
                logits, with zero ablation as in the paper.",
        ),
        random_task(
            X_MAJORITY,
            "A transformer compiled from a RASP program, not trained: at each position, whether more than half \
                of the tokens so far are x. An MLP marks the x tokens, a head averages the marks over the prefix, \
                and a numerical MLP (a sum of ReLU steps) compares the average with one half. Rows are random \
                strings over the program's vocabulary; the metric is the squared difference from the model's own \
                output, with zero ablation as in the paper.",
        ),
        random_task(
            PROGRAM,
            "Any program compiled in the RASP editor. Its circuit is known by construction: every edge the \
                program's dataflow uses (ground_truth.json). Rows are random strings of the program's maximum \
                length over its vocabulary; the metric is the squared difference from the model's own output, \
                with zero ablation as in the paper, so ACDC should keep exactly the ground-truth edges.",
        ),
    ]
}

/// The dataset of a tracr task for `model`: the paper's ([`circuitscope_rasp::data::paper_data`], which
/// the compiler's recovery tests and `circuitscope rasp roc` use too) for its two tasks, random
/// inputs over the model's vocabulary ([`circuitscope_rasp::data::model_data`]) for the others.
pub fn tracr_data(name: &str, model: &LoadedModel, rows: Option<usize>, seed: u64) -> Result<AcdcData> {
    match name {
        REVERSE | PROPORTION => circuitscope_rasp::data::paper_data(name, model, rows, seed),
        _ => circuitscope_rasp::data::model_data(name, model, rows.unwrap_or(RANDOM_ROWS), seed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use circuitscope_rasp::{compile_source, programs};

    #[test]
    fn every_compiled_model_task_is_listed_with_l2_and_zero_ablation() {
        let names: Vec<&str> = tasks().iter().map(|t| t.name).collect();
        assert_eq!(names, [REVERSE, PROPORTION, HIST, SORT, X_MAJORITY, PROGRAM]);
        assert!(tasks().iter().all(|t| t.default_metric == MetricKind::L2 && default_ablation(t.name) == Ablation::Zero));
        assert_eq!(default_ablation("ioi"), Ablation::Resample);
    }

    #[test]
    fn the_program_task_makes_random_rows_of_the_models_length_over_its_vocabulary() {
        let model = compile_source(programs::SORT, "tracr-sort").unwrap().load(&circuitscope::device::cpu()).unwrap();
        let data = crate::find(PROGRAM).unwrap().generate(&model, None, 0).unwrap();
        assert_eq!(data.clean.len(), RANDOM_ROWS);
        // BOS, then max_seq_len = 5 tokens among the ids 1..=4 of vocab {1, 2, 3, 4}.
        assert!(data.clean.iter().all(|r| r.len() == 6 && r[0] == 0 && r[1..].iter().all(|&t| (1..=4).contains(&t))));
    }

    #[test]
    fn a_model_without_a_rasp_tokenizer_is_refused_with_the_tasks_name() {
        let files = compile_source(programs::HIST, "tracr-hist").unwrap().files().unwrap();
        let untokenized =
            LoadedModel::from_bytes(&files.config_json, &files.safetensors, None, &circuitscope::device::cpu()).unwrap();
        let error = crate::find(HIST).unwrap().generate(&untokenized, None, 0).unwrap_err().to_string();
        assert!(error.starts_with("task tracr-hist needs a model compiled from a RASP program"), "{error}");
    }
}
