//! ACDC beside the attribution methods, for a model card: on ACDC's own data, metric and ablation,
//! the faithfulness curves of EAP-IG (m = 5) and of exact patching at MIB's sizes with CPR and CMD,
//! ACDC's circuit as one point, and EAP-IG's circuit cut at ACDC's size (its point, what it
//! touches, and the edges it shares with ACDC's).

use std::fmt::Write as _;

use super::circuit::{component, order_key};
use crate::attribute::{AttributeSettings, Attribution, Method};
use crate::data::AcdcData;
use crate::device::block_on;
use crate::error::Result;
use crate::evaluate::select::ranking;
use crate::evaluate::{CurvePoint, Faithfulness, Judge};
use crate::graph::EdgeType;
use crate::metric::MetricKind;
use crate::model::LoadedModel;
use crate::patch::Ablation;

/// EAP-IG's interpolation steps on the cards (the page's and the CLI's default).
pub const CARD_STEPS: usize = 5;

pub struct MethodsComparison {
    pub eap_ig: Faithfulness,
    pub exact: Faithfulness,
    /// ACDC's circuit, at its own size.
    pub acdc: CurvePoint,
    /// EAP-IG's top edges, as many ADDITION edges as ACDC keeps, pruned.
    pub eap_ig_at_acdc: CurvePoint,
    /// Heads and MLPs EAP-IG's circuit at ACDC's size touches, in graph order.
    pub eap_ig_components: Vec<String>,
    /// ADDITION edges in both circuits, and in either.
    pub shared: usize,
    pub union: usize,
    /// Every graph edge's score (NaN where none), for a ROC against a known circuit.
    pub eap_ig_scores: Vec<f64>,
    pub exact_scores: Vec<f64>,
}

fn scores(model: &LoadedModel, data: &AcdcData, method: Method, metric: MetricKind, ablation: Ablation, use_pos_embed: bool) -> Result<Vec<f64>> {
    let settings = AttributeSettings { method, steps: CARD_STEPS, metric, ablation, use_pos_embed };
    let mut run = block_on(Attribution::new(model, data, settings))?;
    while !run.is_done() {
        block_on(run.step())?;
    }
    Ok(run.scores.clone())
}

/// Runs EAP-IG and exact patching on `data` and judges them beside ACDC's circuit `acdc_kept`
/// (one flag per graph edge).
pub fn compare(model: &LoadedModel, data: &AcdcData, metric: MetricKind, ablation: Ablation, use_pos_embed: bool, acdc_kept: &[bool]) -> Result<MethodsComparison> {
    let eap_ig_scores = scores(model, data, Method::EapIg, metric, ablation, use_pos_embed)?;
    let exact_scores = scores(model, data, Method::Exact, metric, ablation, use_pos_embed)?;
    let mut judge = block_on(Judge::new(model, data, metric, ablation, use_pos_embed))?;
    let eap_ig = block_on(judge.curve(&eap_ig_scores))?;
    let exact = block_on(judge.curve(&exact_scores))?;
    let acdc = block_on(judge.point_of(acdc_kept))?;
    let fraction = (acdc.edges as f64 + 0.5) / judge.addition_edges() as f64;
    let (eap_ig_at_acdc, kept) = block_on(judge.point_at(&ranking(&judge.graph, &eap_ig_scores), fraction))?;
    let g = &judge.graph;
    let addition = |flags: &[bool], e: usize| flags[e] && g.edges[e].ty == EdgeType::Addition;
    let shared = (0..g.edges.len()).filter(|&e| addition(&kept, e) && addition(acdc_kept, e)).count();
    let union = (0..g.edges.len()).filter(|&e| addition(&kept, e) || addition(acdc_kept, e)).count();
    let mut eap_ig_components: Vec<String> = vec![];
    for e in (0..g.edges.len()).filter(|&e| kept[e]) {
        let edge = g.edges[e];
        for c in [component(&g.nodes[edge.sender]), component(&g.nodes[edge.receiver])].into_iter().flatten() {
            if !eap_ig_components.contains(&c) {
                eap_ig_components.push(c);
            }
        }
    }
    eap_ig_components.sort_by_key(|c| order_key(c));
    Ok(MethodsComparison { eap_ig, exact, acdc, eap_ig_at_acdc, eap_ig_components, shared, union, eap_ig_scores, exact_scores })
}

/// Markdown for a model card: the two curves side by side, their areas, and the circuits at ACDC's size.
pub fn markdown(c: &MethodsComparison) -> String {
    let mut md = String::from("| edges kept | EAP-IG (m = 5): f | exact: f |\n|---|---|---|\n");
    for (a, b) in c.eap_ig.points.iter().zip(&c.exact.points) {
        let _ = writeln!(md, "| {} % ({}) | {} | {} |", percent(a.fraction), a.n, three(a.f), three(b.f));
    }
    let _ = writeln!(md, "| CPR (higher is better) | {} | {} |", three(c.eap_ig.cpr), three(c.exact.cpr));
    let _ = writeln!(md, "| CMD (lower is better) | {} | {} |\n", three(c.eap_ig.cmd), three(c.exact.cmd));
    let jaccard = if c.union == 0 { 1.0 } else { c.shared as f64 / c.union as f64 };
    let _ = writeln!(
        md,
        "ACDC's circuit ({} additions) has f = {}. EAP-IG's top {} additions, pruned to {}, have f = {}; \
         {} of them are ACDC's too (Jaccard {:.2}). EAP-IG's circuit touches {}.",
        c.acdc.edges,
        three(c.acdc.f),
        c.eap_ig_at_acdc.n,
        c.eap_ig_at_acdc.edges,
        three(c.eap_ig_at_acdc.f),
        c.shared,
        jaccard,
        if c.eap_ig_components.is_empty() { "nothing".to_string() } else { c.eap_ig_components.join(", ") }
    );
    md
}

/// Three decimals, and no minus sign on a value that rounds to zero (f is exactly 0 where a circuit
/// is empty, and −0 where M(N) < M(∅)).
fn three(x: f64) -> String {
    let s = format!("{x:.3}");
    if s == "-0.000" { "0.000".into() } else { s }
}

/// MIB's fractions as percentages without trailing zeros (0.1, 0.2, 0.5, 1, …, 100).
fn percent(fraction: f64) -> String {
    let p = fraction * 100.0;
    let s = format!("{p:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mib_fractions_read_as_percentages() {
        let got: Vec<String> = crate::evaluate::FRACTIONS.iter().map(|&f| percent(f)).collect();
        assert_eq!(got, ["0.1", "0.2", "0.5", "1", "2", "5", "10", "20", "50", "100"]);
    }

    #[test]
    fn a_value_that_rounds_to_zero_has_no_minus_sign() {
        assert_eq!((three(-0.0), three(-0.0001), three(-0.25)), ("0.000".into(), "0.000".into(), "-0.250".into()));
    }
}
