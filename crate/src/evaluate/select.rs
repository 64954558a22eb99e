//! A circuit from scores (MIB, 2025): the top `n` ADDITION edges by |score|, ties broken by graph
//! order, then pruned of every edge that no longer connects the input to the logits.
//! DIRECT_COMPUTATION edges are not scored and stay: a head's q/k/v follow its inputs.

use crate::graph::{EdgeType, Graph, Hook, Node};

/// The component a node belongs to: the input, a head (all its hooks), an MLP (both hooks), or
/// the logits. Pruning works on components, as MIB's graph has one node per head and MLP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Component {
    Input,
    Head(usize, usize),
    Mlp(usize),
    Logits,
}

fn component(node: &Node) -> Component {
    match node.hook {
        Hook::ResidPre | Hook::Embed | Hook::PosEmbed => Component::Input,
        Hook::ResidPost => Component::Logits,
        Hook::MlpIn | Hook::MlpOut => Component::Mlp(node.layer),
        _ => Component::Head(node.layer, node.head.unwrap_or(0)),
    }
}

/// ADDITION edges ranked by |score|, largest first; ties (and NaN) keep graph order.
pub fn ranking(graph: &Graph, scores: &[f64]) -> Vec<usize> {
    let mut ranked: Vec<usize> = (0..graph.edges.len()).filter(|&e| graph.edges[e].ty == EdgeType::Addition).collect();
    let key = |e: usize| if scores[e].is_nan() { f64::NEG_INFINITY } else { scores[e].abs() };
    ranked.sort_by(|&a, &b| key(b).total_cmp(&key(a)).then(a.cmp(&b)));
    ranked
}

/// Per graph edge: whether it is in the circuit of the top `n` ADDITION edges of `ranked`,
/// pruned. DIRECT_COMPUTATION edges are in; PLACEHOLDER edges are structure only (false).
pub fn top_n(graph: &Graph, ranked: &[usize], n: usize) -> Vec<bool> {
    let mut kept: Vec<bool> = graph.edges.iter().map(|e| e.ty == EdgeType::DirectComputation).collect();
    for &e in ranked.iter().take(n) {
        kept[e] = true;
    }
    prune(graph, &mut kept);
    kept
}

/// Removes, to a fixed point, every ADDITION edge whose sender's component has no kept incoming
/// edge (the input always has) or whose receiver's component has no kept outgoing edge to a live
/// component (the logits always are live).
pub fn prune(graph: &Graph, kept: &mut [bool]) {
    let comps: Vec<Component> = graph.nodes.iter().map(component).collect();
    let addition: Vec<usize> = (0..graph.edges.len()).filter(|&e| graph.edges[e].ty == EdgeType::Addition).collect();
    loop {
        let mut has_in = std::collections::HashSet::from([Component::Input]);
        let mut has_out = std::collections::HashSet::from([Component::Logits]);
        for &e in addition.iter().filter(|&&e| kept[e]) {
            let edge = graph.edges[e];
            has_out.insert(comps[edge.sender]);
            has_in.insert(comps[edge.receiver]);
        }
        let alive = |c: Component| has_in.contains(&c) && has_out.contains(&c);
        let mut changed = false;
        for &e in &addition {
            let edge = graph.edges[e];
            if kept[e] && !(alive(comps[edge.sender]) && alive(comps[edge.receiver])) {
                kept[e] = false;
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edge_into_a_head_that_sends_nothing_is_pruned() {
        let g = Graph::with_shape(2, 1, false, false);
        let id = |n: Node| g.node_id(&n).unwrap();
        let edge = |s: Node, r: Node| g.incoming[id(r)].iter().copied().find(|&e| g.edges[e].sender == id(s)).unwrap();
        let (embed, h0, h1) = (Node::new(Hook::ResidPre, 0, None), Node::new(Hook::Result, 0, Some(0)), Node::new(Hook::Result, 1, Some(0)));
        let (post, q1) = (Node::new(Hook::ResidPost, 1, None), Node::new(Hook::QInput, 1, Some(0)));
        // Scores: embed→post highest, then embed→h1.q, then h0→h1.q; h1 sends nothing.
        let mut scores = vec![0.0; g.edges.len()];
        scores[edge(embed, post)] = 3.0;
        scores[edge(embed, q1)] = -2.0;
        scores[edge(h0, q1)] = 1.0;
        let ranked = ranking(&g, &scores);
        assert_eq!(ranked[..3], [edge(embed, post), edge(embed, q1), edge(h0, q1)]);
        let kept = top_n(&g, &ranked, 3);
        assert!(kept[edge(embed, post)]);
        assert!(!kept[edge(embed, q1)] && !kept[edge(h0, q1)], "h1 reaches nothing, h0 has no input");
        // h1 → logits joins: h1 lives, and so its input from the embedding; h0 still has none.
        scores[edge(h1, post)] = 2.5;
        let kept = top_n(&g, &ranking(&g, &scores), 4);
        assert!(kept[edge(h1, post)] && kept[edge(embed, q1)] && !kept[edge(h0, q1)]);
    }
}
