//! Nodes of the ACDC computational graph, named by TransformerLens hook names. A node is
//! (hook name, head index); display labels ("A1.3 q", "MLP 0") are derived, never parsed back.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The hook a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Hook {
    /// `blocks.0.hook_resid_pre`: the embedding (token + positional) as one input node.
    ResidPre,
    /// `hook_embed` (with `use_pos_embed`).
    Embed,
    /// `hook_pos_embed` (with `use_pos_embed`).
    PosEmbed,
    QInput,
    KInput,
    VInput,
    Q,
    K,
    V,
    /// `attn.hook_result`: one head's write to the residual stream (no `b_O`).
    Result,
    MlpIn,
    MlpOut,
    /// `blocks.{n_layers-1}.hook_resid_post`: what the unembedding reads.
    ResidPost,
}

impl Hook {
    /// Whether nodes of this hook have a head index.
    pub fn per_head(self) -> bool {
        matches!(self, Self::QInput | Self::KInput | Self::VInput | Self::Q | Self::K | Self::V | Self::Result)
    }

    /// Whether the node is one of the graph's input (embedding) nodes.
    pub fn is_input(self) -> bool {
        matches!(self, Self::ResidPre | Self::Embed | Self::PosEmbed)
    }

    /// The three q/k/v letters' input hooks, in q, k, v order.
    pub const INPUTS: [Hook; 3] = [Hook::QInput, Hook::KInput, Hook::VInput];
    /// The three q/k/v hooks, in q, k, v order.
    pub const QKV: [Hook; 3] = [Hook::Q, Hook::K, Hook::V];
}

/// One node: a hook at a layer, with a head for per-head hooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Node {
    pub hook: Hook,
    pub layer: usize,
    pub head: Option<usize>,
}

impl Node {
    pub fn new(hook: Hook, layer: usize, head: Option<usize>) -> Self {
        Self { hook, layer, head }
    }

    /// The TransformerLens hook name: `blocks.1.attn.hook_result`, `blocks.0.hook_q_input`, ….
    pub fn hook_name(&self) -> String {
        let l = self.layer;
        match self.hook {
            Hook::ResidPre => "blocks.0.hook_resid_pre".into(),
            Hook::Embed => "hook_embed".into(),
            Hook::PosEmbed => "hook_pos_embed".into(),
            Hook::QInput => format!("blocks.{l}.hook_q_input"),
            Hook::KInput => format!("blocks.{l}.hook_k_input"),
            Hook::VInput => format!("blocks.{l}.hook_v_input"),
            Hook::Q => format!("blocks.{l}.attn.hook_q"),
            Hook::K => format!("blocks.{l}.attn.hook_k"),
            Hook::V => format!("blocks.{l}.attn.hook_v"),
            Hook::Result => format!("blocks.{l}.attn.hook_result"),
            Hook::MlpIn => format!("blocks.{l}.hook_mlp_in"),
            Hook::MlpOut => format!("blocks.{l}.hook_mlp_out"),
            Hook::ResidPost => format!("blocks.{l}.hook_resid_post"),
        }
    }

    /// Parses a hook name and head back into a node (the CLI's and the JSON's names).
    pub fn parse(name: &str, head: Option<usize>) -> Result<Self> {
        let bad = || Error::Invalid(format!("unknown node {name:?}"));
        let (hook, layer) = match name {
            "blocks.0.hook_resid_pre" => (Hook::ResidPre, 0),
            "hook_embed" => (Hook::Embed, 0),
            "hook_pos_embed" => (Hook::PosEmbed, 0),
            _ => {
                let rest = name.strip_prefix("blocks.").ok_or_else(bad)?;
                let (layer, hook) = rest.split_once('.').ok_or_else(bad)?;
                let layer: usize = layer.parse().map_err(|_| bad())?;
                let hook = match hook {
                    "hook_q_input" => Hook::QInput,
                    "hook_k_input" => Hook::KInput,
                    "hook_v_input" => Hook::VInput,
                    "attn.hook_q" => Hook::Q,
                    "attn.hook_k" => Hook::K,
                    "attn.hook_v" => Hook::V,
                    "attn.hook_result" => Hook::Result,
                    "hook_mlp_in" => Hook::MlpIn,
                    "hook_mlp_out" => Hook::MlpOut,
                    "hook_resid_post" => Hook::ResidPost,
                    _ => return Err(bad()),
                };
                (hook, layer)
            }
        };
        if hook.per_head() != head.is_some() {
            return Err(Error::Invalid(format!("node {name:?} {} a head index", if hook.per_head() { "needs" } else { "takes no" })));
        }
        Ok(Self { hook, layer, head })
    }

    /// A short label for display: `embed`, `A1.3`, `A1.3 q`, `MLP 0`, `logits`.
    pub fn label(&self) -> String {
        let h = self.head.unwrap_or(0);
        let l = self.layer;
        match self.hook {
            Hook::ResidPre => "embed".into(),
            Hook::Embed => "tok".into(),
            Hook::PosEmbed => "pos".into(),
            Hook::QInput => format!("A{l}.{h} q_in"),
            Hook::KInput => format!("A{l}.{h} k_in"),
            Hook::VInput => format!("A{l}.{h} v_in"),
            Hook::Q => format!("A{l}.{h} q"),
            Hook::K => format!("A{l}.{h} k"),
            Hook::V => format!("A{l}.{h} v"),
            Hook::Result => format!("A{l}.{h}"),
            Hook::MlpIn => format!("MLP {l} in"),
            Hook::MlpOut => format!("MLP {l}"),
            Hook::ResidPost => "logits".into(),
        }
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.head {
            Some(h) => write!(f, "{}[{h}]", self.hook_name()),
            None => write!(f, "{}", self.hook_name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hook_names_round_trip_for_every_kind() {
        let kinds = [
            Hook::ResidPre, Hook::Embed, Hook::PosEmbed, Hook::QInput, Hook::KInput, Hook::VInput, Hook::Q,
            Hook::K, Hook::V, Hook::Result, Hook::MlpIn, Hook::MlpOut, Hook::ResidPost,
        ];
        for hook in kinds {
            let layer = if hook.is_input() { 0 } else { 3 };
            let node = Node::new(hook, layer, hook.per_head().then_some(5));
            assert_eq!(Node::parse(&node.hook_name(), node.head).unwrap(), node);
        }
    }

    #[test]
    fn a_head_index_on_a_non_head_node_is_refused() {
        assert!(Node::parse("blocks.1.hook_mlp_in", Some(2)).is_err());
        assert!(Node::parse("blocks.1.attn.hook_result", None).is_err());
        assert!(Node::parse("blocks.x.hook_mlp_in", None).is_err());
    }
}
