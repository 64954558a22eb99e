//! Does ACDC find the circuit we built? One ACDC run per τ (zero ablation, L2 metric, separate
//! embedding nodes, as the paper ran its tracr tasks), each scored against the ground truth as
//! a point of the ROC curve: TPR = kept ∩ truth / truth, FPR = kept − truth / (edges − truth).

use std::collections::BTreeSet;

use serde::Serialize;

use circuitscope::discover::Circuit;
use circuitscope::discover::circuit::EdgeName;
#[cfg(not(target_arch = "wasm32"))]
pub use native::{roc, run_acdc};

/// The paper's tracr grid: 10^linspace(−5, −1, 21).
pub fn paper_taus() -> Vec<f64> {
    (0..21).map(|i| 10f64.powf(-5.0 + 4.0 * i as f64 / 20.0)).collect()
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RocPoint {
    pub tau: f64,
    pub kept: usize,
    pub true_positives: usize,
    pub false_positives: usize,
    pub tpr: f64,
    pub fpr: f64,
    /// Kept = truth.
    pub exact: bool,
    pub missing: Vec<EdgeName>,
    pub extra: Vec<EdgeName>,
    pub final_metric: f64,
}

/// A circuit scored against the ground truth (the page can score its own runs with this).
pub fn score(circuit: &Circuit, truth: &[EdgeName]) -> RocPoint {
    let key = |e: &EdgeName| (e.sender.clone(), e.sender_head, e.receiver.clone(), e.receiver_head);
    let truth_set: BTreeSet<_> = truth.iter().map(key).collect();
    let kept: BTreeSet<_> = circuit.kept.iter().map(key).collect();
    let negatives = circuit.graph.edges.saturating_sub(truth_set.len());
    let tp = kept.intersection(&truth_set).count();
    let fp = kept.len() - tp;
    let names = |set: Vec<&(String, Option<usize>, String, Option<usize>)>| {
        set.into_iter()
            .map(|(s, sh, r, rh)| EdgeName {
                sender: s.clone(),
                sender_head: *sh,
                receiver: r.clone(),
                receiver_head: *rh,
            })
            .collect()
    };
    RocPoint {
        tau: circuit.settings.tau,
        kept: kept.len(),
        true_positives: tp,
        false_positives: fp,
        tpr: tp as f64 / truth_set.len().max(1) as f64,
        fpr: fp as f64 / negatives.max(1) as f64,
        exact: kept == truth_set,
        missing: names(truth_set.difference(&kept).collect()),
        extra: names(kept.difference(&truth_set).collect()),
        final_metric: circuit.final_metric,
    }
}

/// Running ACDC blocks and times itself: native only (the page runs ACDC in its worker).
#[cfg(not(target_arch = "wasm32"))]
mod native {
    use super::{RocPoint, score};
    use circuitscope::data::AcdcData;
    use circuitscope::device::block_on;
    use circuitscope::discover::circuit::EdgeName;
    use circuitscope::discover::{Acdc, AcdcEvent, AcdcSettings, Circuit};
    use circuitscope::error::Result;
    use circuitscope::metric::MetricKind;
    use circuitscope::model::LoadedModel;
    use circuitscope::patch::Ablation;

    /// ACDC to the end at `tau`, with the tracr settings (natively: it blocks and times itself).
    pub fn run_acdc(model: &LoadedModel, data: &AcdcData, tau: f64) -> Result<Circuit> {
        let settings = AcdcSettings {
            tau,
            metric: MetricKind::L2,
            ablation: Ablation::Zero,
            use_pos_embed: true,
            ..AcdcSettings::default()
        };
        let started = std::time::Instant::now();
        let mut run = block_on(Acdc::new(model, data, settings))?;
        while !matches!(block_on(run.step())?, AcdcEvent::Done { .. }) {}
        Ok(Circuit::of(&run, started.elapsed().as_secs_f64()))
    }

    /// One ROC point per τ.
    pub fn roc(model: &LoadedModel, data: &AcdcData, truth: &[EdgeName], taus: &[f64]) -> Result<Vec<RocPoint>> {
        taus.iter().map(|&tau| Ok(score(&run_acdc(model, data, tau)?, truth))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_paper_grid_runs_from_1e_minus_5_to_1e_minus_1() {
        let t = paper_taus();
        assert_eq!(t.len(), 21);
        assert!((t[0] - 1e-5).abs() < 1e-18 && (t[20] - 0.1).abs() < 1e-12 && (t[10] - 1e-3).abs() < 1e-15);
    }
}
