//! An edge by name: its sender's and receiver's hook names and heads, as circuit.json,
//! scores.json, ground_truth.json and the reference harness name edges. The one way an edge is
//! named outside the graph; parsing a name back gives the graph's edge id.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::Graph;

/// An edge by name (`null` heads for nodes that are not heads).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EdgeName {
    pub sender: String,
    pub sender_head: Option<usize>,
    pub receiver: String,
    pub receiver_head: Option<usize>,
}

impl EdgeName {
    pub fn of(graph: &Graph, e: usize) -> Self {
        let edge = graph.edges[e];
        let (s, r) = (graph.nodes[edge.sender], graph.nodes[edge.receiver]);
        Self { sender: s.hook_name(), sender_head: s.head, receiver: r.hook_name(), receiver_head: r.head }
    }
}

impl fmt::Display for EdgeName {
    /// `blocks.0.attn.hook_result[3]->blocks.1.hook_q_input[0]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let head = |h: Option<usize>| h.map(|h| format!("[{h}]")).unwrap_or_default();
        write!(f, "{}{}->{}{}", self.sender, head(self.sender_head), self.receiver, head(self.receiver_head))
    }
}

impl Graph {
    /// Every edge's name → its id.
    pub fn edge_index(&self) -> HashMap<EdgeName, usize> {
        (0..self.edges.len()).map(|e| (EdgeName::of(self, e), e)).collect()
    }

    /// A flag per edge: whether `names` lists it. Every name must be an edge of this graph.
    pub fn flags(&self, names: &[EdgeName], what: &str) -> crate::Result<Vec<bool>> {
        let index = self.edge_index();
        let mut flags = vec![false; self.edges.len()];
        for name in names {
            let e = index
                .get(name)
                .ok_or_else(|| crate::Error::Invalid(format!("{what}: no edge {name} in this model's graph")))?;
            flags[*e] = true;
        }
        Ok(flags)
    }
}
