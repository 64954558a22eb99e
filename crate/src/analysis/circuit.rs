//! What an ACDC circuit contains, in the words of a model card: how many edges it keeps, which heads
//! and MLPs they touch, and the edges themselves by display label ("A0.1 → A1.2 v_in").

use crate::data::AcdcData;
use crate::device::block_on;
use crate::discover::{Acdc, AcdcSettings};
use crate::error::Result;
use crate::graph::{EdgeType, Hook, Node};
use crate::model::LoadedModel;

#[derive(Debug, Clone, PartialEq)]
pub struct CircuitSummary {
    pub settings: AcdcSettings,
    pub total_edges: usize,
    pub initial_metric: f64,
    pub final_metric: f64,
    /// Kept ADDITION edges as "sender → receiver" labels, in graph order.
    pub addition: Vec<String>,
    /// Kept DIRECT_COMPUTATION edges (a head's q/k/v input → its q/k/v).
    pub direct: Vec<String>,
    /// Heads and MLPs that kept edges touch, as `A1.3` / `MLP 0`, in graph order.
    pub components: Vec<String>,
    /// Whether each graph edge is in the circuit.
    pub kept_flags: Vec<bool>,
    pub seconds: f64,
}

impl CircuitSummary {
    pub fn kept(&self) -> usize {
        self.addition.len() + self.direct.len()
    }
}

/// The head or MLP a node belongs to (`A1.3` for any of head 1.3's hooks), or `None` for the
/// embedding and the logits.
pub fn component(node: &Node) -> Option<String> {
    match node.hook {
        Hook::ResidPre | Hook::Embed | Hook::PosEmbed | Hook::ResidPost => None,
        Hook::MlpIn | Hook::MlpOut => Some(format!("MLP {}", node.layer)),
        _ => Some(format!("A{}.{}", node.layer, node.head.unwrap_or(0))),
    }
}

/// Runs ACDC to the end on `data` and summarises the circuit.
pub fn discover(model: &LoadedModel, data: &AcdcData, settings: AcdcSettings) -> Result<CircuitSummary> {
    let started = std::time::Instant::now();
    let mut run = block_on(Acdc::new(model, data, settings.clone()))?;
    block_on(run.run())?;
    let g = &run.graph;
    let (mut addition, mut direct, mut components) = (vec![], vec![], vec![]);
    for e in run.kept() {
        let edge = g.edges[e];
        let (s, r) = (g.nodes[edge.sender], g.nodes[edge.receiver]);
        let label = format!("{} → {}", s.label(), r.label());
        match edge.ty {
            EdgeType::DirectComputation => direct.push(label),
            _ => addition.push(label),
        }
        for c in [component(&s), component(&r)].into_iter().flatten() {
            if !components.contains(&c) {
                components.push(c);
            }
        }
    }
    components.sort_by_key(|c| order_key(c));
    let mut kept_flags = vec![false; g.edges.len()];
    for e in run.kept() {
        kept_flags[e] = true;
    }
    Ok(CircuitSummary {
        settings,
        total_edges: g.counts().edges,
        initial_metric: run.initial_metric,
        final_metric: run.current_metric,
        addition,
        direct,
        components,
        kept_flags,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Layer first, heads before the MLP of the same layer.
pub(crate) fn order_key(c: &str) -> (usize, usize) {
    if let Some(l) = c.strip_prefix("MLP ") {
        return (l.parse().unwrap_or(0), usize::MAX);
    }
    let (l, h) = c.trim_start_matches('A').split_once('.').unwrap_or(("0", "0"));
    (l.parse().unwrap_or(0), h.parse().unwrap_or(0))
}

/// Markdown for a model card.
pub fn markdown(s: &CircuitSummary) -> String {
    let mut md = format!(
        "ACDC kept **{} of {} edges** ({} additions, {} q/k/v computations); metric {:.4} for the full model, \
         {:.4} for the circuit; {:.0} s on the CPU.\n\n",
        s.kept(),
        s.total_edges,
        s.addition.len(),
        s.direct.len(),
        s.initial_metric,
        s.final_metric,
        s.seconds
    );
    md.push_str(&format!("Components the circuit touches: {}.\n\n", if s.components.is_empty() { "none".into() } else { s.components.join(", ") }));
    if s.addition.len() <= 80 {
        md.push_str("Edges kept (additions):\n\n");
        for e in &s.addition {
            md.push_str(&format!("- {e}\n"));
        }
        md.push('\n');
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_s_hooks_all_belong_to_the_head_and_inputs_to_nothing() {
        assert_eq!(component(&Node::new(Hook::QInput, 1, Some(3))), Some("A1.3".into()));
        assert_eq!(component(&Node::new(Hook::MlpIn, 2, None)), Some("MLP 2".into()));
        assert_eq!(component(&Node::new(Hook::ResidPre, 0, None)), None);
    }

    #[test]
    fn components_sort_by_layer_with_the_mlp_after_the_heads() {
        let mut c = vec!["MLP 0".to_string(), "A1.0".into(), "A0.3".into(), "A0.10".into()];
        c.sort_by_key(|c| order_key(c));
        assert_eq!(c, vec!["A0.3", "A0.10", "MLP 0", "A1.0"]);
    }
}
