//! The gradient of a metric with respect to the logits at the scored pairs: where the backward
//! pass of the attribution methods starts. Each is the derivative of the batch metric (one mean
//! over the `n` scored pairs), so it carries the 1/n.

use burn::prelude::*;
use burn::tensor::IndexingUpdateOp;
use burn::tensor::activation::softmax;

use super::{Metric, Target};

impl Metric {
    /// `∂M/∂logits` `[n, vocab]` at logits `[n, vocab]` (one candidate).
    pub fn grad(&self, logits: Tensor<2>) -> Tensor<2> {
        let [n, vocab] = logits.dims();
        let device = logits.device();
        let inv_n = 1.0 / n as f64;
        let one_hot = |ids: Tensor<2, Int>| {
            let ones = Tensor::<2>::ones(ids.dims(), &device);
            Tensor::<2>::zeros([n, vocab], &device).scatter(1, ids, ones, IndexingUpdateOp::Add)
        };
        match &self.target {
            // KL(p_clean ‖ p): ∂/∂logits = p − p_clean per pair (Σ_v p_clean = 1).
            Target::Kl { clean_probs, .. } => (softmax(logits, 1) - clean_probs.clone()) * inv_n,
            Target::L2 { clean_logits } => (logits - clean_logits.clone()) * (2.0 / (n * vocab) as f64),
            // −(logit[correct] − max logit[wrong]): the largest wrong answer takes +1.
            Target::LogitDiff { correct, wrong } => {
                let best = logits.gather(1, wrong.clone()).argmax(1);
                let best_id = wrong.clone().gather(1, best);
                (one_hot(best_id) - one_hot(correct.clone())) * inv_n
            }
            // −Σ_v s_v p_v: ∂/∂logit_j = −p_j (s_j − Σ_v s_v p_v).
            Target::ProbDiff { signs } => {
                let p = softmax(logits, 1);
                let expected = (p.clone() * signs.clone()).sum_dim(1);
                (p * (signs.clone() - expected)).neg() * inv_n
            }
            // −log p[correct]: p − one_hot(correct).
            Target::Nll { correct } => (softmax(logits, 1) - one_hot(correct.clone())) * inv_n,
        }
    }
}
