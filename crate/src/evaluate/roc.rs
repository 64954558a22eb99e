//! ROC against a circuit known by construction (a compiled RASP program's): how many of its edges
//! a method finds (TPR) for how many it wrongly adds (FPR). For scores, over the ADDITION edges
//! they rank; for one circuit (ACDC's), over ADDITION and DIRECT_COMPUTATION edges as the ground
//! truth lists them.

use serde::{Deserialize, Serialize};

use super::select::{ranking, top_n};
use super::{FRACTIONS, budget};
use crate::graph::{EdgeType, Graph};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RocPoint {
    pub fraction: f64,
    pub tpr: f64,
    pub fpr: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Roc {
    /// The pruned circuits at MIB's sizes.
    pub points: Vec<RocPoint>,
    /// Area under the ROC curve of the ranking by |score| (every cut; ties count half): the chance
    /// that a true edge outranks a false one.
    pub auc: f64,
}

/// TPR and FPR of `kept` against `truth` over the edges `counted` selects.
pub fn rates(graph: &Graph, kept: &[bool], truth: &[bool], counted: impl Fn(EdgeType) -> bool) -> (f64, f64) {
    let (mut tp, mut fp, mut t, mut f) = (0usize, 0usize, 0usize, 0usize);
    for e in (0..graph.edges.len()).filter(|&e| counted(graph.edges[e].ty)) {
        if truth[e] {
            t += 1;
            tp += usize::from(kept[e]);
        } else {
            f += 1;
            fp += usize::from(kept[e]);
        }
    }
    (tp as f64 / t.max(1) as f64, fp as f64 / f.max(1) as f64)
}

/// The ROC of scores (per graph edge) against `truth` (per graph edge).
pub fn of_scores(graph: &Graph, scores: &[f64], truth: &[bool]) -> Roc {
    let ranked = ranking(graph, scores);
    let addition = |ty| ty == EdgeType::Addition;
    let points = FRACTIONS
        .iter()
        .map(|&fraction| {
            let kept = top_n(graph, &ranked, budget(fraction, ranked.len()));
            let (tpr, fpr) = rates(graph, &kept, truth, addition);
            RocPoint { fraction, tpr, fpr }
        })
        .collect();
    Roc { points, auc: auc(&ranked, scores, truth) }
}

/// Mann–Whitney: over every (true, false) pair of ranked edges, 1 if the true one has the larger
/// |score|, ½ on a tie.
fn auc(ranked: &[usize], scores: &[f64], truth: &[bool]) -> f64 {
    let key = |e: usize| if scores[e].is_nan() { f64::NEG_INFINITY } else { scores[e].abs() };
    let (pos, neg): (Vec<f64>, Vec<f64>) = {
        let (p, n): (Vec<usize>, Vec<usize>) = ranked.iter().partition(|&&e| truth[e]);
        (p.into_iter().map(key).collect(), n.into_iter().map(key).collect())
    };
    if pos.is_empty() || neg.is_empty() {
        return f64::NAN;
    }
    let wins: f64 = pos
        .iter()
        .map(|&p| neg.iter().map(|&n| if p > n { 1.0 } else if p == n { 0.5 } else { 0.0 }).sum::<f64>())
        .sum();
    wins / (pos.len() * neg.len()) as f64
}

/// One circuit's point and the area under (0,0) → (FPR, TPR) → (1,1).
pub fn of_circuit(graph: &Graph, kept: &[bool], truth: &[bool]) -> Roc {
    let (tpr, fpr) = rates(graph, kept, truth, |ty| ty != EdgeType::Placeholder);
    let auc = fpr * tpr / 2.0 + (1.0 - fpr) * (tpr + 1.0) / 2.0;
    let added = (0..graph.edges.len()).filter(|&e| kept[e] && graph.edges[e].ty == EdgeType::Addition).count();
    let total = graph.edges.iter().filter(|e| e.ty == EdgeType::Addition).count();
    Roc { points: vec![RocPoint { fraction: added as f64 / total as f64, tpr, fpr }], auc }
}

/// A finished circuit against a known one, edge by edge, as the page overlays it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TruthOverlay {
    pub true_positives: usize,
    pub misses: usize,
    pub extras: usize,
    /// kept ∩ truth / truth, over ADDITION and DIRECT_COMPUTATION edges.
    pub tpr: f64,
    /// kept − truth / (edges − truth).
    pub fpr: f64,
    /// Per graph edge: 0 none, 1 true positive, 2 miss, 3 extra.
    pub verdict: Vec<u8>,
}

impl TruthOverlay {
    pub fn of(graph: &Graph, kept: &[bool], truth: &[bool]) -> Self {
        let (mut tp, mut misses, mut extras) = (0, 0, 0);
        let verdict = (0..graph.edges.len())
            .map(|e| match (graph.edges[e].ty != EdgeType::Placeholder, truth[e], kept[e]) {
                (false, _, _) => 0,
                (true, true, true) => {
                    tp += 1;
                    1
                }
                (true, true, false) => {
                    misses += 1;
                    2
                }
                (true, false, true) => {
                    extras += 1;
                    3
                }
                (true, false, false) => 0,
            })
            .collect();
        let (tpr, fpr) = rates(graph, kept, truth, |ty| ty != EdgeType::Placeholder);
        Self { true_positives: tp, misses, extras, tpr, fpr, verdict }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ranking_that_puts_every_true_edge_first_has_auc_one() {
        let g = Graph::with_shape(1, 2, false, false);
        let addition: Vec<usize> = (0..g.edges.len()).filter(|&e| g.edges[e].ty == EdgeType::Addition).collect();
        let mut truth = vec![false; g.edges.len()];
        let mut scores = vec![0.1; g.edges.len()];
        for &e in &addition[..2] {
            truth[e] = true;
            scores[e] = -5.0;
        }
        assert_eq!(of_scores(&g, &scores, &truth).auc, 1.0);
        scores[addition[0]] = 0.1; // a tie with every false edge: half a win each
        let auc = of_scores(&g, &scores, &truth).auc;
        let falses = (addition.len() - 2) as f64;
        assert!((auc - (1.0 * falses + 0.5 * falses) / (2.0 * falses)).abs() < 1e-12);
    }
}
