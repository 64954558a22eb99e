//! The ACDC computational graph (docs/graph.md#nodes; the reference's `TLACDCCorrespondence.setup_from_model`,
//! see tests/reference/NOTES.md §1): nodes named by hook, ADDITION / DIRECT_COMPUTATION /
//! PLACEHOLDER edges, each receiver's senders in the reference's order, and the reverse
//! topological order in which ACDC visits receivers.

pub mod info;
pub mod layout;
pub mod names;
pub mod node;

use serde::{Deserialize, Serialize};

pub use names::EdgeName;
pub use node::{Hook, Node};

use crate::model::ModelConfig;

/// How an edge's receiver depends on its sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum EdgeType {
    /// The receiver is a sum of senders (`resid_post`, `mlp_in`, `{q,k,v}_input`).
    Addition,
    /// `hook_{q,k,v}_input[h] → attn.hook_{q,k,v}[h]`.
    DirectComputation,
    /// Structure only (`hook_q → hook_result`, `mlp_in → mlp_out`): never tested, never counted.
    Placeholder,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    pub sender: usize,
    pub receiver: usize,
    pub ty: EdgeType,
}

/// Edge counts as `circuitscope graph` prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Counts {
    /// ADDITION + DIRECT_COMPUTATION.
    pub edges: usize,
    pub addition: usize,
    pub direct_computation: usize,
    pub placeholder: usize,
    pub nodes: usize,
}

/// The whole graph of one model shape.
#[derive(Debug, Clone)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// Per node: its incoming edge ids, in the reference's sender order.
    pub incoming: Vec<Vec<usize>>,
    /// Per node: its outgoing edge ids.
    pub outgoing: Vec<Vec<usize>>,
    /// Node ids in ACDC's visit order (reverse topological, output first).
    pub visit_order: Vec<usize>,
    pub n_layers: usize,
    pub n_heads: usize,
    pub has_mlp: bool,
    pub use_pos_embed: bool,
}

impl Graph {
    /// Builds the graph for a model, with separate `hook_embed` / `hook_pos_embed` input nodes
    /// when `use_pos_embed` (the tracr tasks).
    pub fn new(config: &ModelConfig, use_pos_embed: bool) -> Self {
        Self::with_shape(config.n_layers, config.n_heads, !config.attn_only, use_pos_embed)
    }

    pub fn with_shape(n_layers: usize, n_heads: usize, has_mlp: bool, use_pos_embed: bool) -> Self {
        let mut g = Graph {
            nodes: vec![],
            edges: vec![],
            incoming: vec![],
            outgoing: vec![],
            visit_order: vec![],
            n_layers,
            n_heads,
            has_mlp,
            use_pos_embed,
        };
        let last = n_layers - 1;
        // Construction as the reference does it: layers from the top, a list of the residual
        // receivers downstream; every sender feeds every receiver in the list at its time.
        let mut downstream = vec![g.add_node(Node::new(Hook::ResidPost, last, None))];
        for l in (0..n_layers).rev() {
            if has_mlp {
                let out = g.add_node(Node::new(Hook::MlpOut, l, None));
                for &r in &downstream {
                    g.add_edge(out, r, EdgeType::Addition);
                }
                let mlp_in = g.add_node(Node::new(Hook::MlpIn, l, None));
                g.add_edge(mlp_in, out, EdgeType::Placeholder);
                downstream.push(mlp_in);
            }
            let mut inputs = vec![];
            for h in (0..n_heads).rev() {
                let result = g.add_node(Node::new(Hook::Result, l, Some(h)));
                for &r in &downstream {
                    g.add_edge(result, r, EdgeType::Addition);
                }
                for (letter, input) in Hook::QKV.into_iter().zip(Hook::INPUTS) {
                    let x = g.add_node(Node::new(letter, l, Some(h)));
                    g.add_edge(x, result, EdgeType::Placeholder);
                    let x_in = g.add_node(Node::new(input, l, Some(h)));
                    g.add_edge(x_in, x, EdgeType::DirectComputation);
                    inputs.push(x_in);
                }
            }
            downstream.extend(inputs);
        }
        let embeds = if use_pos_embed { vec![Hook::Embed, Hook::PosEmbed] } else { vec![Hook::ResidPre] };
        for hook in embeds {
            let e = g.add_node(Node::new(hook, 0, None));
            for &r in &downstream {
                g.add_edge(e, r, EdgeType::Addition);
            }
        }
        g.visit_order = g.reverse_topological_order();
        g
    }

    fn add_node(&mut self, node: Node) -> usize {
        self.nodes.push(node);
        self.incoming.push(vec![]);
        self.outgoing.push(vec![]);
        self.nodes.len() - 1
    }

    fn add_edge(&mut self, sender: usize, receiver: usize, ty: EdgeType) {
        let id = self.edges.len();
        self.edges.push(Edge { sender, receiver, ty });
        self.incoming[receiver].push(id);
        self.outgoing[sender].push(id);
    }

    pub fn node_id(&self, node: &Node) -> Option<usize> {
        self.nodes.iter().position(|n| n == node)
    }

    /// The reverse of the order in which TransformerLens fires these hooks, heads `H-1 … 0`
    /// within a hook (docs/graph.md#visit-order; the reference's `reverse_topologically_sort_corr`).
    fn reverse_topological_order(&self) -> Vec<usize> {
        let mut order = vec![];
        let mut push = |hook: Hook, layer: usize| {
            let mut ids: Vec<usize> =
                (0..self.nodes.len()).filter(|&i| self.nodes[i].hook == hook && self.nodes[i].layer == layer).collect();
            ids.sort_by_key(|&i| std::cmp::Reverse(self.nodes[i].head));
            order.extend(ids);
        };
        push(Hook::ResidPost, self.n_layers - 1);
        for l in (0..self.n_layers).rev() {
            for hook in [
                Hook::MlpOut, Hook::MlpIn, Hook::Result, Hook::V, Hook::K, Hook::Q, Hook::VInput, Hook::KInput, Hook::QInput,
            ] {
                push(hook, l);
            }
        }
        for hook in [Hook::ResidPre, Hook::PosEmbed, Hook::Embed] {
            push(hook, 0);
        }
        order
    }

    pub fn counts(&self) -> Counts {
        let count = |ty| self.edges.iter().filter(|e| e.ty == ty).count();
        let (addition, direct_computation) = (count(EdgeType::Addition), count(EdgeType::DirectComputation));
        Counts {
            edges: addition + direct_computation,
            addition,
            direct_computation,
            placeholder: count(EdgeType::Placeholder),
            nodes: self.nodes.len(),
        }
    }

    /// A receiver's incoming edges grouped by sender hook name (the reference's sender groups),
    /// in the reference's order.
    pub fn sender_groups(&self, receiver: usize) -> Vec<Vec<usize>> {
        let mut groups: Vec<Vec<usize>> = vec![];
        let mut last: Option<(Hook, usize)> = None;
        for &e in &self.incoming[receiver] {
            let s = self.nodes[self.edges[e].sender];
            if last != Some((s.hook, s.layer)) {
                groups.push(vec![]);
                last = Some((s.hook, s.layer));
            }
            groups.last_mut().expect("a group was just pushed").push(e);
        }
        groups
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(n_layers: usize, n_heads: usize, mlp: bool, pos: bool) -> (usize, usize) {
        let c = Graph::with_shape(n_layers, n_heads, mlp, pos).counts();
        (c.edges, c.addition)
    }

    #[test]
    fn edge_counts_match_the_acdc_paper_for_all_five_shapes() {
        assert_eq!(counts(12, 12, true, false), (32_923, 32_491), "GPT-2 small");
        assert_eq!(counts(2, 8, false, false), (305, 257), "2L8H attention-only");
        assert_eq!(counts(4, 8, false, false), (1_377, 1_281), "4L8H attention-only");
        assert_eq!(counts(4, 1, true, true), (106, 94), "tracr-reverse");
        assert_eq!(counts(2, 1, true, true), (38, 32), "tracr-proportion");
    }

    #[test]
    fn receivers_are_visited_output_first_with_heads_descending() {
        let g = Graph::with_shape(2, 2, true, false);
        let names: Vec<String> = g.visit_order.iter().map(|&i| g.nodes[i].to_string()).collect();
        assert_eq!(names[0], "blocks.1.hook_resid_post");
        assert_eq!(names[1], "blocks.1.hook_mlp_out");
        assert_eq!(names[2], "blocks.1.hook_mlp_in");
        assert_eq!(names[3], "blocks.1.attn.hook_result[1]");
        assert_eq!(names[5], "blocks.1.attn.hook_v[1]");
        assert_eq!(names[11], "blocks.1.hook_v_input[1]");
        assert_eq!(names.last().unwrap(), "blocks.0.hook_resid_pre");
        assert_eq!(names.len(), g.nodes.len());
    }

    #[test]
    fn senders_come_latest_layer_first_mlp_before_heads_and_the_embedding_last() {
        let g = Graph::with_shape(2, 2, true, false);
        let post = g.visit_order[0];
        let senders: Vec<String> =
            g.incoming[post].iter().map(|&e| g.nodes[g.edges[e].sender].to_string()).collect();
        assert_eq!(
            senders,
            [
                "blocks.1.hook_mlp_out", "blocks.1.attn.hook_result[1]", "blocks.1.attn.hook_result[0]",
                "blocks.0.hook_mlp_out", "blocks.0.attn.hook_result[1]", "blocks.0.attn.hook_result[0]",
                "blocks.0.hook_resid_pre",
            ]
        );
        assert_eq!(g.sender_groups(post).len(), 5);
        // Heads of a layer feed that layer's MLP; the MLP does not feed its own layer's heads.
        let mlp_in = g.node_id(&Node::new(Hook::MlpIn, 1, None)).unwrap();
        assert_eq!(g.nodes[g.edges[g.incoming[mlp_in][0]].sender].to_string(), "blocks.1.attn.hook_result[1]");
        let q_in = g.node_id(&Node::new(Hook::QInput, 1, Some(0))).unwrap();
        assert_eq!(g.nodes[g.edges[g.incoming[q_in][0]].sender].to_string(), "blocks.0.hook_mlp_out");
    }
}
