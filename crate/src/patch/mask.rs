//! Which edges are removed, in the engine's dense layout: for every receiver group a matrix
//! `removed[receiver, sender slot]` (1 = removed), and per head a flag for each
//! DIRECT_COMPUTATION edge. Sender slots: the input node(s), then per layer its heads and MLP.

use crate::graph::{EdgeType, Graph, Hook, Node};

/// Sender slot numbering and receiver widths for one graph shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub n_embed: usize,
    pub n_layers: usize,
    pub n_heads: usize,
    pub has_mlp: bool,
}

/// Where an edge lives in a [`PatchMask`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coord {
    /// `removed` entry of the q/k/v input of head `head` at `layer` (`letter` 0, 1, 2 = q, k, v).
    Qkv { layer: usize, letter: usize, head: usize, slot: usize },
    MlpIn { layer: usize, slot: usize },
    Post { slot: usize },
    Dc { layer: usize, letter: usize, head: usize },
    /// PLACEHOLDER edges change nothing.
    None,
}

impl Layout {
    pub fn of(graph: &Graph) -> Self {
        Self {
            n_embed: if graph.use_pos_embed { 2 } else { 1 },
            n_layers: graph.n_layers,
            n_heads: graph.n_heads,
            has_mlp: graph.has_mlp,
        }
    }

    /// Senders per layer: its heads, then its MLP.
    pub fn per_layer(&self) -> usize {
        self.n_heads + usize::from(self.has_mlp)
    }

    /// Number of sender slots before layer `l` (what its q/k/v inputs read).
    pub fn slots_before(&self, l: usize) -> usize {
        self.n_embed + l * self.per_layer()
    }

    /// Width of `mlp_in(l)`: everything before the layer plus the layer's heads.
    pub fn mlp_width(&self, l: usize) -> usize {
        self.slots_before(l) + self.n_heads
    }

    pub fn total_slots(&self) -> usize {
        self.slots_before(self.n_layers)
    }

    pub fn slot(&self, node: &Node) -> usize {
        match node.hook {
            Hook::ResidPre | Hook::Embed => 0,
            Hook::PosEmbed => 1,
            Hook::Result => self.slots_before(node.layer) + node.head.expect("head"),
            Hook::MlpOut => self.slots_before(node.layer) + self.n_heads,
            other => panic!("{other:?} is not a sender of an ADDITION edge"),
        }
    }

    /// Where edge `e` of `graph` lives.
    pub fn coord(&self, graph: &Graph, e: usize) -> Coord {
        let edge = graph.edges[e];
        let (s, r) = (graph.nodes[edge.sender], graph.nodes[edge.receiver]);
        let letter = |h: Hook| match h {
            Hook::QInput | Hook::Q => 0,
            Hook::KInput | Hook::K => 1,
            _ => 2,
        };
        match edge.ty {
            EdgeType::Placeholder => Coord::None,
            EdgeType::DirectComputation => {
                Coord::Dc { layer: r.layer, letter: letter(r.hook), head: r.head.expect("head") }
            }
            EdgeType::Addition => {
                let slot = self.slot(&s);
                match r.hook {
                    Hook::QInput | Hook::KInput | Hook::VInput => {
                        Coord::Qkv { layer: r.layer, letter: letter(r.hook), head: r.head.expect("head"), slot }
                    }
                    Hook::MlpIn => Coord::MlpIn { layer: r.layer, slot },
                    Hook::ResidPost => Coord::Post { slot },
                    other => panic!("{other:?} is not an ADDITION receiver"),
                }
            }
        }
    }
}

/// The removed edges, dense. 1.0 marks a removed ADDITION edge.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchMask {
    pub layout: Layout,
    /// Per layer and letter: `[n_heads × slots_before(layer)]`, row-major by head.
    pub qkv: Vec<[Vec<f32>; 3]>,
    /// Per layer: `[mlp_width(layer)]`.
    pub mlp_in: Vec<Vec<f32>>,
    /// `[total_slots]`.
    pub post: Vec<f32>,
    /// Per layer and letter: whether head h's DIRECT_COMPUTATION edge is removed.
    pub dc: Vec<[Vec<bool>; 3]>,
}

impl PatchMask {
    /// Nothing removed: the full model.
    pub fn full(layout: Layout) -> Self {
        let h = layout.n_heads;
        let per_letter = |l: usize| vec![0.0; h * layout.slots_before(l)];
        Self {
            layout,
            qkv: (0..layout.n_layers).map(|l| [per_letter(l), per_letter(l), per_letter(l)]).collect(),
            mlp_in: (0..layout.n_layers).map(|l| vec![0.0; if layout.has_mlp { layout.mlp_width(l) } else { 0 }]).collect(),
            post: vec![0.0; layout.total_slots()],
            dc: (0..layout.n_layers).map(|_| [vec![false; h], vec![false; h], vec![false; h]]).collect(),
        }
    }

    /// The mask for a set of removed graph edges.
    pub fn from_removed(graph: &Graph, removed: &[bool]) -> Self {
        let layout = Layout::of(graph);
        let mut mask = Self::full(layout);
        for (e, &gone) in removed.iter().enumerate() {
            mask.set(layout.coord(graph, e), gone);
        }
        mask
    }

    /// Whether the edge at `coord` is removed (PLACEHOLDER edges: never).
    pub fn is_removed(&self, coord: Coord) -> bool {
        match coord {
            Coord::Qkv { layer, letter, head, slot } => {
                self.qkv[layer][letter][head * self.layout.slots_before(layer) + slot] != 0.0
            }
            Coord::MlpIn { layer, slot } => self.mlp_in[layer][slot] != 0.0,
            Coord::Post { slot } => self.post[slot] != 0.0,
            Coord::Dc { layer, letter, head } => self.dc[layer][letter][head],
            Coord::None => false,
        }
    }

    /// Marks one edge removed (or present again).
    pub fn set(&mut self, coord: Coord, removed: bool) {
        let v = if removed { 1.0 } else { 0.0 };
        match coord {
            Coord::Qkv { layer, letter, head, slot } => {
                let width = self.layout.slots_before(layer);
                self.qkv[layer][letter][head * width + slot] = v;
            }
            Coord::MlpIn { layer, slot } => self.mlp_in[layer][slot] = v,
            Coord::Post { slot } => self.post[slot] = v,
            Coord::Dc { layer, letter, head } => self.dc[layer][letter][head] = removed,
            Coord::None => {}
        }
    }
}

/// Where a pass must begin for a mask: everything before it is the clean run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Start {
    /// At a layer's attention.
    Layer(usize),
    /// At a layer's MLP (its attention is clean).
    Mlp(usize),
    /// At the final residual (every layer is clean).
    Final,
}

/// The earliest point any removed edge touches.
pub fn earliest_start(mask: &PatchMask) -> Start {
    for l in 0..mask.layout.n_layers {
        let qkv = mask.qkv[l].iter().flatten().any(|&x| x != 0.0) || mask.dc[l].iter().flatten().any(|&r| r);
        if qkv {
            return Start::Layer(l);
        }
        if mask.mlp_in[l].iter().any(|&x| x != 0.0) {
            return Start::Mlp(l);
        }
    }
    Start::Final
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_edge_gets_a_distinct_place_in_the_mask() {
        let g = Graph::with_shape(3, 2, true, true);
        let layout = Layout::of(&g);
        let mut seen = std::collections::HashSet::new();
        for e in 0..g.edges.len() {
            let c = layout.coord(&g, e);
            if c != Coord::None {
                assert!(seen.insert(format!("{c:?}")), "two edges share {c:?}");
            }
        }
        assert_eq!(seen.len(), g.counts().edges);
        // Setting every edge fills exactly the mask's cells.
        let all = PatchMask::from_removed(&g, &vec![true; g.edges.len()]);
        let ones: usize = all.qkv.iter().flatten().flatten().filter(|&&x| x == 1.0).count()
            + all.mlp_in.iter().flatten().filter(|&&x| x == 1.0).count()
            + all.post.iter().filter(|&&x| x == 1.0).count()
            + all.dc.iter().flatten().flatten().filter(|&&x| x).count();
        assert_eq!(ones, g.counts().edges);
    }
}
