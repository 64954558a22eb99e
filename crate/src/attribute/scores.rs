//! `scores.json` (docs/formats.md): the settings, the graph's counts, one score per ADDITION edge
//! in graph order (named as circuit.json names edges), the passes and the wall time.

use serde::{Deserialize, Serialize};

use super::{AttributeSettings, Attribution};
use crate::discover::circuit::EdgeName;
use crate::error::{Error, Result};
use crate::graph::{Counts, EdgeType, Graph};

/// One scored edge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EdgeScore {
    #[serde(flatten)]
    pub edge: EdgeName,
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ScoresFile {
    pub settings: AttributeSettings,
    pub graph: Counts,
    pub edges: Vec<EdgeScore>,
    pub forward_passes: usize,
    pub backward_passes: usize,
    /// Seconds; the only field that differs between two identical runs.
    pub wall_time: f64,
}

impl ScoresFile {
    pub fn of(run: &Attribution, wall_time: f64) -> Self {
        let g = &run.graph;
        let edges = (0..g.edges.len())
            .filter(|&e| g.edges[e].ty == EdgeType::Addition)
            .map(|e| EdgeScore { edge: EdgeName::of(g, e), score: run.scores[e] })
            .collect();
        Self {
            settings: run.settings.clone(),
            graph: g.counts(),
            edges,
            forward_passes: run.forward_passes(),
            backward_passes: run.backward_passes(),
            wall_time,
        }
    }

    pub fn from_json(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| Error::Invalid(format!("scores: {e}")))
    }

    /// Per graph edge: its score (NaN for edges the file does not score). Every edge the file
    /// names must be in `graph`.
    pub fn per_edge(&self, graph: &Graph) -> Result<Vec<f64>> {
        let index = graph.edge_index();
        let mut scores = vec![f64::NAN; graph.edges.len()];
        for s in &self.edges {
            let e = index.get(&s.edge).ok_or_else(|| Error::Invalid(format!("scores: no edge {} in this model's graph", s.edge)))?;
            scores[*e] = s.score;
        }
        Ok(scores)
    }
}
