//! Which senders still matter: a head or MLP is live when one of its outgoing edges is present and
//! reaches a live receiver (the logits always are). A change to anything else cannot move the
//! metric — its present edges lead only to nodes nobody reads — so the incremental engine never
//! recomputes it. Computed top-down from the dense mask.

use super::mask::PatchMask;

/// Per layer: whether each head (`heads[l][h]`) and the MLP (`mlp[l]`) is live.
#[derive(Debug, Clone, PartialEq)]
pub struct Live {
    pub heads: Vec<Vec<bool>>,
    pub mlp: Vec<bool>,
}

impl Live {
    pub fn of(mask: &PatchMask) -> Self {
        let layout = mask.layout;
        let (n_layers, h) = (layout.n_layers, layout.n_heads);
        let mut heads = vec![vec![false; h]; n_layers];
        let mut mlp = vec![false; n_layers];
        // Whether sender `slot` has a present edge into a live receiver at a layer above `l`, or
        // into the logits.
        let reaches = |slot: usize, above: usize, heads: &[Vec<bool>], mlp: &[bool]| -> bool {
            if mask.post[slot] == 0.0 {
                return true;
            }
            (above..n_layers).any(|l2| {
                let width = layout.slots_before(l2);
                let into_heads = (0..h).any(|hd| {
                    heads[l2][hd] && (0..3).any(|x| mask.qkv[l2][x][hd * width + slot] == 0.0 && !mask.dc[l2][x][hd])
                });
                into_heads || (layout.has_mlp && mlp[l2] && mask.mlp_in[l2][slot] == 0.0)
            })
        };
        for l in (0..n_layers).rev() {
            if layout.has_mlp {
                mlp[l] = reaches(layout.slots_before(l) + h, l + 1, &heads, &mlp);
            }
            for hd in 0..h {
                let slot = layout.slots_before(l) + hd;
                let into_own_mlp = layout.has_mlp && mlp[l] && mask.mlp_in[l][slot] == 0.0;
                heads[l][hd] = into_own_mlp || reaches(slot, l + 1, &heads, &mlp);
            }
        }
        Self { heads, mlp }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{Graph, Hook, Node};
    use crate::patch::mask::Layout;

    #[test]
    fn a_head_whose_only_reader_is_cut_off_is_dead() {
        let g = Graph::with_shape(2, 2, false, false);
        let layout = Layout::of(&g);
        let mut removed = vec![false; g.edges.len()];
        assert_eq!(Live::of(&PatchMask::from_removed(&g, &removed)).heads, vec![vec![true; 2]; 2]);
        // Head 1.0 loses its edge to the logits: it is dead, and so is 0.1 once its every edge
        // into layer 1 goes to 1.0 only… which is not the case here, so 0.1 stays live.
        let post = g.node_id(&Node::new(Hook::ResidPost, 1, None)).unwrap();
        let h10 = g.node_id(&Node::new(Hook::Result, 1, Some(0))).unwrap();
        for &e in &g.incoming[post] {
            if g.edges[e].sender == h10 {
                removed[e] = true;
            }
        }
        let live = Live::of(&PatchMask::from_removed(&g, &removed));
        assert_eq!(live.heads[1], vec![false, true]);
        assert_eq!(live.heads[0], vec![true, true]);
        // Every edge out of head 0.1 except into the dead 1.0: dead too.
        let h01 = g.node_id(&Node::new(Hook::Result, 0, Some(1))).unwrap();
        for &e in &g.outgoing[h01] {
            let r = g.nodes[g.edges[e].receiver];
            if !(r.layer == 1 && r.head == Some(0)) {
                removed[e] = true;
            }
        }
        let live = Live::of(&PatchMask::from_removed(&g, &removed));
        assert_eq!(live.heads[0], vec![true, false]);
        let _ = layout;
    }
}
