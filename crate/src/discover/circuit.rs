//! `circuit.json`: the settings, the full graph's counts, every tested edge in visit order with its
//! effect, the kept edges, the final metric, forward passes and wall time. Edges are named by hook
//! names with heads (`null` when the node is not a head), as the reference harness names them.

use serde::{Deserialize, Serialize};

use super::acdc::{Acdc, AcdcEvent, AcdcSettings};
pub use crate::graph::names::EdgeName;
use crate::graph::{Counts, Graph};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TestedEdge {
    #[serde(flatten)]
    pub edge: EdgeName,
    pub metric_before: f64,
    pub metric_after: f64,
    pub delta: f64,
    pub removed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SkippedNode {
    pub receiver: String,
    pub receiver_head: Option<usize>,
    pub edges_removed: usize,
    pub metric_after: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Circuit {
    pub settings: AcdcSettings,
    pub graph: Counts,
    pub initial_metric: f64,
    pub tested: Vec<TestedEdge>,
    pub skipped: Vec<SkippedNode>,
    pub kept: Vec<EdgeName>,
    pub final_metric: f64,
    pub forward_passes: usize,
    /// Seconds; the only field that differs between two identical runs.
    pub wall_time: f64,
}

impl Circuit {
    pub fn of(run: &Acdc, wall_time: f64) -> Self {
        let g = &run.graph;
        let mut tested = vec![];
        let mut skipped = vec![];
        for event in &run.events {
            match event {
                AcdcEvent::Tested { edge, metric_before, metric_after, removed } => tested.push(TestedEdge {
                    edge: EdgeName::of(g, *edge),
                    metric_before: *metric_before,
                    metric_after: *metric_after,
                    delta: metric_after - metric_before,
                    removed: *removed,
                }),
                AcdcEvent::Skipped { receiver, edges_removed, metric_after } => {
                    let node = g.nodes[*receiver];
                    skipped.push(SkippedNode {
                        receiver: node.hook_name(),
                        receiver_head: node.head,
                        edges_removed: edges_removed.len(),
                        metric_after: *metric_after,
                    });
                }
                AcdcEvent::Done { .. } => {}
            }
        }
        Self {
            settings: run.settings.clone(),
            graph: g.counts(),
            initial_metric: run.initial_metric,
            tested,
            skipped,
            kept: run.kept().into_iter().map(|e| EdgeName::of(g, e)).collect(),
            final_metric: run.current_metric,
            forward_passes: run.passes(),
            wall_time,
        }
    }
}

impl Circuit {
    pub fn from_json(text: &str) -> crate::Result<Self> {
        serde_json::from_str(text).map_err(|e| crate::Error::Invalid(format!("circuit: {e}")))
    }

    /// A flag per edge of `graph`: whether the circuit keeps it.
    pub fn kept_flags(&self, graph: &Graph) -> crate::Result<Vec<bool>> {
        graph.flags(&self.kept, "circuit")
    }
}
