//! The residual stream's layout as the page shows it: every basis direction, grouped by what
//! writes it — the token embedding (`tokens:*` and the constant `one`), the position embedding
//! (`indices:*`), then each head and MLP in forward order with the s-op it computes. Read off
//! `ground_truth.json` alone, so a shipped model and one compiled in the page read the same way.

use serde::Serialize;

use super::ground_truth::GroundTruth;

/// One writer of the residual stream and the directions it writes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LayoutGroup {
    /// The graph node that writes: `hook_embed`, `hook_pos_embed`,
    /// `blocks.L.attn.hook_result` (with `head`) or `blocks.L.hook_mlp_out`.
    pub writer: String,
    pub head: Option<usize>,
    /// `embed`, `pos_embed`, `attn` or `mlp`.
    pub kind: String,
    /// The s-op it computes and how (`SelectorWidth(Select(tokens, tokens, TRUE))`); none for
    /// the embeddings.
    pub sop: Option<String>,
    pub op: Option<String>,
    pub dirs: Vec<LayoutDir>,
}

/// A basis direction: its index in `d_model` and its label (`tokens:1`, `one`, `length:3`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LayoutDir {
    pub index: usize,
    pub label: String,
}

/// The groups, embeddings first, then components in forward order. A direction two components
/// write (a SelectorWidth's helper, which its MLP cleans up) is listed under both.
pub fn residual_layout(truth: &GroundTruth) -> Vec<LayoutGroup> {
    let dir = |label: &str| LayoutDir {
        index: truth.residual.iter().position(|l| l == label).unwrap_or(usize::MAX),
        label: label.to_string(),
    };
    let embedding = |writer: &str, kind: &str, keep: &dyn Fn(&str) -> bool| LayoutGroup {
        writer: writer.into(),
        head: None,
        kind: kind.into(),
        sop: None,
        op: None,
        dirs: truth.residual.iter().filter(|l| keep(l)).map(|l| dir(l)).collect(),
    };
    let mut groups = vec![
        embedding("hook_embed", "embed", &|l| l == "one" || l.starts_with("tokens:")),
        embedding("hook_pos_embed", "pos_embed", &|l| l.starts_with("indices:")),
    ];
    groups.extend(truth.components.iter().map(|c| LayoutGroup {
        writer: match c.kind.as_str() {
            "attn" => format!("blocks.{}.attn.hook_result", c.layer),
            _ => format!("blocks.{}.hook_mlp_out", c.layer),
        },
        head: c.head,
        kind: c.kind.clone(),
        sop: Some(c.sop.clone()),
        op: Some(c.op.clone()),
        dirs: c.writes.iter().map(|l| dir(l)).collect(),
    }));
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{compile_source, programs};

    #[test]
    fn every_direction_of_the_reverse_model_has_a_writer_and_the_embeddings_come_first() {
        let truth = compile_source(programs::REVERSE, "tracr-reverse").unwrap().ground_truth;
        let groups = residual_layout(&truth);
        let labels = |g: &LayoutGroup| g.dirs.iter().map(|d| d.label.clone()).collect::<Vec<_>>();
        assert_eq!(labels(&groups[0]), ["one", "tokens:1", "tokens:2", "tokens:3", "tokens:BOS"]);
        assert_eq!(labels(&groups[1]), ["indices:0", "indices:1", "indices:2", "indices:3", "indices:4"]);
        let writers: Vec<(&str, Option<&str>)> =
            groups[2..].iter().map(|g| (g.writer.as_str(), g.sop.as_deref())).collect();
        assert_eq!(
            writers,
            [
                ("blocks.0.attn.hook_result", Some("length")),
                ("blocks.0.hook_mlp_out", Some("length")),
                ("blocks.1.hook_mlp_out", Some("opp_idx_1")),
                ("blocks.2.hook_mlp_out", Some("opp_idx")),
                ("blocks.3.attn.hook_result", Some("reverse")),
            ]
        );
        let mut covered: Vec<usize> = groups.iter().flat_map(|g| g.dirs.iter().map(|d| d.index)).collect();
        covered.sort_unstable();
        covered.dedup();
        assert_eq!(covered, (0..truth.residual.len()).collect::<Vec<_>>(), "each of d_model = 40 once at least");
    }

    #[test]
    fn a_direction_is_found_by_its_label_in_the_residual_basis() {
        let truth = compile_source(programs::HIST, "tracr-hist").unwrap().ground_truth;
        for g in residual_layout(&truth) {
            for d in g.dirs {
                assert_eq!(truth.residual[d.index], d.label);
            }
        }
    }
}
