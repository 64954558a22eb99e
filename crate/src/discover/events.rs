//! What a run reports: one event per step for the UI to animate, counts for progress, and how
//! passes run (the benchmark compares them).

use serde::Serialize;

/// One step of the algorithm, for the UI to animate.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum AcdcEvent {
    /// An edge was tested: removed if `metric_after − metric_before < τ`.
    Tested { edge: usize, metric_before: f64, metric_after: f64, removed: bool },
    /// A receiver with no outgoing edge left lost all its incoming edges untested.
    Skipped { receiver: usize, edges_removed: Vec<usize>, metric_after: f64 },
    /// Every receiver was visited.
    Done { metric: f64 },
}

/// Where a run stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AcdcStatus {
    pub tested: usize,
    pub removed: usize,
    pub kept: usize,
    /// ADD and DC edges neither tested nor removed yet.
    pub remaining: usize,
    pub current_metric: f64,
    pub initial_metric: f64,
    pub passes: usize,
    pub done: bool,
}

impl AcdcStatus {
    /// Counts over ADDITION and DIRECT_COMPUTATION edges.
    pub fn of(
        graph: &crate::graph::Graph,
        tested: &[bool],
        removed: &[bool],
        current_metric: f64,
        initial_metric: f64,
        passes: usize,
        done: bool,
    ) -> Self {
        let (mut t, mut r, mut kept, mut remaining) = (0, 0, 0, 0);
        for e in (0..graph.edges.len()).filter(|&e| graph.edges[e].ty != crate::graph::EdgeType::Placeholder) {
            t += usize::from(tested[e]);
            r += usize::from(removed[e]);
            kept += usize::from(tested[e] && !removed[e]);
            remaining += usize::from(!tested[e] && !removed[e]);
        }
        Self { tested: t, removed: r, kept, remaining, current_metric, initial_metric, passes, done }
    }
}

/// How each pass runs: the optimised engine, or one of the benchmark's baselines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassPath {
    /// The incremental engine: only what the tested edge reaches, scored rows only at the end.
    Optimised,
    /// A full pass from layer 0 with dense masks and full logits.
    Dense,
    /// A full pass assembling every receiver sender by sender (hook semantics), full logits.
    Assembled,
}
