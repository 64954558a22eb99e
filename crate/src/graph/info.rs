//! The graph as the page draws it: nodes with names and labels, edges with types, the visit
//! order, the counts (the worker's `graphInfo` message).

use serde::Serialize;

use super::layout::GraphLayout;
use super::{Counts, EdgeType, Graph, Hook};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NodeInfo {
    pub id: usize,
    pub name: String,
    pub head: Option<usize>,
    pub layer: usize,
    pub label: String,
    pub hook: Hook,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EdgeInfo {
    pub id: usize,
    pub sender: usize,
    pub receiver: usize,
    #[serde(rename = "type")]
    pub ty: EdgeType,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GraphInfo {
    pub nodes: Vec<NodeInfo>,
    pub edges: Vec<EdgeInfo>,
    pub visit_order: Vec<usize>,
    pub counts: Counts,
    pub n_layers: usize,
    pub n_heads: usize,
    pub has_mlp: bool,
    pub use_pos_embed: bool,
    /// Where the page draws every node and edge.
    pub layout: GraphLayout,
}

impl GraphInfo {
    pub fn of(g: &Graph) -> Self {
        Self {
            nodes: g
                .nodes
                .iter()
                .enumerate()
                .map(|(id, n)| NodeInfo { id, name: n.hook_name(), head: n.head, layer: n.layer, label: n.label(), hook: n.hook })
                .collect(),
            edges: g
                .edges
                .iter()
                .enumerate()
                .map(|(id, e)| EdgeInfo { id, sender: e.sender, receiver: e.receiver, ty: e.ty })
                .collect(),
            visit_order: g.visit_order.clone(),
            counts: g.counts(),
            n_layers: g.n_layers,
            n_heads: g.n_heads,
            has_mlp: g.has_mlp,
            use_pos_embed: g.use_pos_embed,
            layout: GraphLayout::of(g),
        }
    }
}
