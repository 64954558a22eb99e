//! The ACDC paper's tracr tasks (ACDC.md §4, §6), on the models `circuitscope rasp compile`
//! writes from `reverse.rasp` and `frac_prevs.rasp`. The metric is L2 against the clean model's
//! logits at every non-BOS position; the paper runs ACDC with zero ablation, where the
//! corruption does not matter; the data's corruptions serve resample ablation.

use crate::data::AcdcData;
use crate::error::Result;
use crate::metric::MetricKind;
use crate::model::LoadedModel;
pub use crate::rasp::data::{PROPORTION, REVERSE};
use crate::tasks::{Accuracy, Task};

/// The two tasks' descriptions, for the task list.
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
    ]
}

/// The dataset of a tracr task for `model` ([`crate::rasp::data::paper_data`], which the
/// compiler's recovery tests and `circuitscope rasp roc` use too).
pub fn tracr_data(name: &str, model: &LoadedModel, rows: Option<usize>, seed: u64) -> Result<AcdcData> {
    crate::rasp::data::paper_data(name, model, rows, seed)
}
