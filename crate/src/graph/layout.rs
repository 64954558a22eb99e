//! Where the page draws the graph: a fixed layered layout, computed once per model. x is depth: the
//! embedding on the left, then per layer a column of heads and (with MLPs) a column for the MLP,
//! the logits on the right. A head is one box holding all its nodes (q/k/v inputs, q/k/v,
//! result); its q/k/v input ports are marks on its left side. ADDITION edges run from a sender's
//! right side to the receiving port or box; a DIRECT_COMPUTATION edge (q_input → q) is its port's
//! short mark. PLACEHOLDER edges are not drawn. Pruning changes how edges are drawn, never where.
//! Rows grow when there are few of them, so a wide, shallow model (4 heads, many layers) fills a
//! screen instead of a strip.

use serde::{Deserialize, Serialize};

use super::{EdgeType, Graph, Hook, Node};

/// Layout units; the page scales them to its panel.
const COL_WIDTH: f64 = 150.0;
const MIN_ROW: f64 = 36.0;
const MAX_ROW: f64 = 90.0;
const MARGIN: f64 = 24.0;
const HEADER: f64 = 22.0;
const HEAD_W: f64 = 56.0;
const HEAD_H: f64 = 28.0;
const WIDE_W: f64 = 64.0;
const WIDE_H: f64 = 44.0;
/// Vertical offset of the q (−) and v (+) ports from a head's middle, and a port mark's length.
const PORT_GAP: f64 = 9.0;
const PORT_LEN: f64 = 9.0;
/// The shape the layout aims at (width / height), a laptop screen's.
const ASPECT: f64 = 1.6;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum BoxKind {
    Input,
    Head,
    Mlp,
    Output,
}

/// A drawn node: a head, an MLP, an embedding or the logits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DrawnBox {
    /// Stable key: `head:L:H`, `mlp:L`, `resid_pre`, `embed`, `pos_embed`, `logits`.
    pub key: String,
    pub kind: BoxKind,
    pub layer: usize,
    pub head: Option<usize>,
    /// `A1.3`, `MLP 0`, `embed`, `pos`, `logits`.
    pub label: String,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    /// The graph nodes it stands for.
    pub nodes: Vec<usize>,
}

/// A drawn edge: a cubic from `from` to `to` (ADDITION) or a port mark (DIRECT_COMPUTATION).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DrawnEdge {
    pub id: usize,
    #[serde(rename = "type")]
    pub ty: EdgeType,
    pub from: Point,
    pub to: Point,
    pub sender: usize,
    pub receiver: usize,
    /// The boxes the edge leaves and enters (the same box for a port mark).
    pub sender_box: usize,
    pub receiver_box: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Column {
    pub x: f64,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GraphLayout {
    pub width: f64,
    pub height: f64,
    pub boxes: Vec<DrawnBox>,
    /// Graph node id → index in `boxes`.
    pub box_of: Vec<usize>,
    /// Only ADDITION and DIRECT_COMPUTATION edges, in graph order.
    pub edges: Vec<DrawnEdge>,
    /// Graph edge id → index in `edges` (−1 for placeholders).
    pub edge_index: Vec<i64>,
    pub columns: Vec<Column>,
}

/// Which box a node belongs to: its key, kind, layer, head and label.
fn box_spec(node: &Node, n_layers: usize) -> (String, BoxKind, usize, Option<usize>, String) {
    let (l, h) = (node.layer, node.head.unwrap_or(0));
    match node.hook {
        Hook::ResidPre => ("resid_pre".into(), BoxKind::Input, 0, None, "embed".into()),
        Hook::Embed => ("embed".into(), BoxKind::Input, 0, None, "embed".into()),
        Hook::PosEmbed => ("pos_embed".into(), BoxKind::Input, 0, None, "pos".into()),
        Hook::ResidPost => ("logits".into(), BoxKind::Output, n_layers - 1, None, "logits".into()),
        Hook::MlpIn | Hook::MlpOut => (format!("mlp:{l}"), BoxKind::Mlp, l, None, format!("MLP {l}")),
        _ => (format!("head:{l}:{h}"), BoxKind::Head, l, Some(h), format!("A{l}.{h}")),
    }
}

/// −1, 0, +1 for the q, k, v ports.
fn port_offset(hook: Hook) -> f64 {
    match hook {
        Hook::QInput | Hook::Q => -1.0,
        Hook::KInput | Hook::K => 0.0,
        _ => 1.0,
    }
}

impl DrawnBox {
    fn out_point(&self) -> Point {
        Point { x: self.x + self.w, y: self.y + self.h / 2.0 }
    }

    /// The outer end of a q/k/v input port: a mark sticking out of the head's left side.
    fn port_point(&self, hook: Hook) -> Point {
        Point { x: self.x - PORT_LEN, y: self.y + self.h / 2.0 + port_offset(hook) * PORT_GAP }
    }

    /// Where an edge into `hook` ends: its port, the head's side, or the left middle.
    fn in_point(&self, hook: Hook) -> Point {
        match hook {
            Hook::QInput | Hook::KInput | Hook::VInput => self.port_point(hook),
            Hook::Q | Hook::K | Hook::V => Point { x: self.x, y: self.port_point(hook).y },
            _ => Point { x: self.x, y: self.y + self.h / 2.0 },
        }
    }
}

impl GraphLayout {
    pub fn of(graph: &Graph) -> Self {
        let rows = graph.n_heads.max(2);
        let mut columns = vec![Column { x: 0.0, label: "embed".into() }];
        let (mut attn_col, mut mlp_col) = (vec![], vec![]);
        for l in 0..graph.n_layers {
            attn_col.push(columns.len());
            columns.push(Column { x: 0.0, label: format!("attn {l}") });
            if graph.has_mlp {
                mlp_col.push(columns.len());
                columns.push(Column { x: 0.0, label: format!("MLP {l}") });
            }
        }
        let out_col = columns.len();
        columns.push(Column { x: 0.0, label: "logits".into() });
        for (i, c) in columns.iter_mut().enumerate() {
            c.x = MARGIN + WIDE_W / 2.0 + i as f64 * COL_WIDTH;
        }
        let width = columns[out_col].x + WIDE_W / 2.0 + MARGIN;
        let row_height = (width / ASPECT / rows as f64).clamp(MIN_ROW, MAX_ROW);
        let top = MARGIN + HEADER;
        let height = top + rows as f64 * row_height + MARGIN;
        let middle = top + rows as f64 * row_height / 2.0;

        let mut boxes: Vec<DrawnBox> = vec![];
        let mut box_of = vec![];
        for (id, node) in graph.nodes.iter().enumerate() {
            let (key, kind, layer, head, label) = box_spec(node, graph.n_layers);
            let b = match boxes.iter().position(|b| b.key == key) {
                Some(b) => b,
                None => {
                    let col = match kind {
                        BoxKind::Input => 0,
                        BoxKind::Output => out_col,
                        BoxKind::Mlp => mlp_col[layer],
                        BoxKind::Head => attn_col[layer],
                    };
                    let (w, h) = if kind == BoxKind::Head { (HEAD_W, HEAD_H) } else { (WIDE_W, WIDE_H) };
                    let cy = match (kind, key.as_str()) {
                        (BoxKind::Head, _) => top + (head.unwrap_or(0) as f64 + 0.5) * row_height,
                        (_, "embed") if graph.use_pos_embed => middle - WIDE_H * 0.7,
                        (_, "pos_embed") => middle + WIDE_H * 0.7,
                        _ => middle,
                    };
                    let x = columns[col].x - w / 2.0;
                    boxes.push(DrawnBox { key, kind, layer, head, label, x, y: cy - h / 2.0, w, h, nodes: vec![] });
                    boxes.len() - 1
                }
            };
            boxes[b].nodes.push(id);
            box_of.push(b);
        }

        let (mut edges, mut edge_index) = (vec![], vec![]);
        for (id, edge) in graph.edges.iter().enumerate() {
            if edge.ty == EdgeType::Placeholder {
                edge_index.push(-1);
                continue;
            }
            let (s, r) = (&graph.nodes[edge.sender], &graph.nodes[edge.receiver]);
            let (sender_box, receiver_box) = (box_of[edge.sender], box_of[edge.receiver]);
            let from = match edge.ty {
                EdgeType::DirectComputation => boxes[sender_box].port_point(s.hook),
                _ => boxes[sender_box].out_point(),
            };
            edge_index.push(edges.len() as i64);
            edges.push(DrawnEdge {
                id,
                ty: edge.ty,
                from,
                to: boxes[receiver_box].in_point(r.hook),
                sender: edge.sender,
                receiver: edge.receiver,
                sender_box,
                receiver_box,
            });
        }
        Self { width, height, boxes, box_of, edges, edge_index, columns }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_node_has_a_box_and_every_counted_edge_a_drawing() {
        let g = Graph::with_shape(2, 8, false, false);
        let layout = GraphLayout::of(&g);
        assert_eq!(layout.box_of.len(), g.nodes.len());
        assert_eq!(layout.edges.len(), g.counts().edges);
        assert_eq!(layout.boxes.iter().filter(|b| b.kind == BoxKind::Head).count(), 16);
        // A head's q/k/v input ports are on its left, q above v.
        let head = layout.boxes.iter().find(|b| b.key == "head:1:3").unwrap();
        let port = |hook| head.port_point(hook);
        assert!(port(Hook::QInput).y < port(Hook::VInput).y && port(Hook::QInput).x < head.x);
    }

    #[test]
    fn a_shallow_wide_model_gets_taller_rows() {
        let wide = GraphLayout::of(&Graph::with_shape(4, 4, true, false));
        let square = GraphLayout::of(&Graph::with_shape(2, 8, false, false));
        assert!(wide.width / wide.height < 3.5, "ioi's shape is no strip: {} × {}", wide.width, wide.height);
        assert!(square.height > 300.0);
    }
}
