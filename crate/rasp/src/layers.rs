//! Layer allocation (tracr's `craft_graph_to_model._allocate_modules_to_layers`): each s-op's
//! depth is the longest path from the inputs counting s-ops; depth d runs in block d − 1, in its
//! attention (Aggregate) or its MLP (Map, SequenceMap); a SelectorWidth takes both. When one
//! depth holds only attention and the next only MLPs, the two share a block. This reproduces
//! the paper's layouts: reverse in 4 blocks, frac_prevs in 2.

use std::collections::BTreeMap;

use super::ir::{Op, Program, SopId};

/// Which half of a block an s-op needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Attn,
    Mlp,
    /// SelectorWidth: a head, then an MLP in the same block.
    Both,
}

pub fn kind(op: &Op) -> Option<Kind> {
    match op {
        Op::Tokens | Op::Indices => None,
        Op::Map { .. } | Op::SequenceMap { .. } => Some(Kind::Mlp),
        Op::Aggregate { .. } => Some(Kind::Attn),
        Op::SelectorWidth { .. } => Some(Kind::Both),
    }
}

/// Where each s-op runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    /// Per s-op, its block (`None` for tokens and indices).
    pub layer: Vec<Option<usize>>,
    pub n_layers: usize,
}

pub fn allocate(program: &Program) -> Allocation {
    let n = program.sops.len();
    let mut depth = vec![0usize; n];
    for (id, sop) in program.sops.iter().enumerate() {
        if kind(&sop.op).is_some() {
            depth[id] = 1 + sop.inputs().iter().map(|&i| depth[i]).max().unwrap_or(0);
        }
    }
    let components: Vec<SopId> = (0..n).filter(|&id| kind(&program.sops[id].op).is_some()).collect();
    let mut by_depth: BTreeMap<usize, Vec<SopId>> = BTreeMap::new();
    for &id in &components {
        by_depth.entry(depth[id]).or_default().push(id);
    }
    let only = |ids: Option<&Vec<SopId>>, k: Kind| {
        ids.is_none_or(|ids| ids.iter().all(|&i| kind(&program.sops[i].op) == Some(k)))
    };
    // Condense: attention-only at d followed by MLP-only at d + 1 share one depth.
    let (mut d, mut max_depth) = (1, by_depth.keys().max().copied().unwrap_or(0));
    while d < max_depth {
        if only(by_depth.get(&d), Kind::Attn) && only(by_depth.get(&(d + 1)), Kind::Mlp) {
            for upper in d + 1..=max_depth {
                let moved = by_depth.remove(&upper).unwrap_or_default();
                by_depth.entry(upper - 1).or_default().extend(moved);
            }
            max_depth -= 1;
        }
        d += 1;
    }
    let mut layer = vec![None; n];
    for (d, ids) in &by_depth {
        for &id in ids {
            layer[id] = Some(d - 1);
        }
    }
    let n_layers = layer.iter().flatten().max().map_or(0, |l| l + 1);
    Allocation { layer, n_layers }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_program;

    fn layers(source: &str) -> (Vec<Option<usize>>, usize) {
        let a = allocate(&parse_program(source, "t").unwrap());
        (a.layer, a.n_layers)
    }

    #[test]
    fn reverse_takes_four_blocks_as_in_the_paper() {
        let (layer, n) = layers(
            "vocab = {1, 2, 3}\nmax_seq_len = 5\nlength = SelectorWidth(Select(tokens, tokens, TRUE))\n\
             opp = length - indices - 1\nreverse = Aggregate(Select(indices, opp, EQ), tokens)",
        );
        assert_eq!(layer, vec![None, None, Some(0), Some(1), Some(2), Some(3)]);
        assert_eq!(n, 4);
    }

    #[test]
    fn frac_prevs_takes_two_blocks_as_in_the_paper() {
        let (layer, n) = layers(
            "vocab = {w, x}\nmax_seq_len = 5\nis_x = numerical(tokens == \"x\")\n\
             frac_prevs = numerical(Aggregate(Select(indices, indices, LEQ), is_x))",
        );
        assert_eq!(layer, vec![None, None, Some(0), Some(1)]);
        assert_eq!(n, 2);
    }

    #[test]
    fn an_mlp_reading_an_aggregate_shares_its_block() {
        let (layer, n) =
            layers("vocab = {1, 2}\nmax_seq_len = 3\na = Aggregate(Select(indices, indices, EQ), tokens)\nb = a + 1");
        assert_eq!(layer, vec![None, None, Some(0), Some(0)]);
        assert_eq!(n, 1);
    }
}
