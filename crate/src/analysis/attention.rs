//! Where each head looks: mean attention from chosen query positions to chosen key positions,
//! for named probes ("END → IO", "END → start year"). The model cards use these to say what a
//! head does before ACDC says whether it matters.

use serde::Serialize;

use crate::error::Result;
use crate::model::{Activation, LoadedModel};

/// A named set of (row, query position, key position) triples.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub name: String,
    pub pairs: Vec<(usize, usize, usize)>,
}

/// One head's mean attention for each probe, in the probes' order.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HeadAttention {
    pub layer: usize,
    pub head: usize,
    pub scores: Vec<f64>,
}

impl HeadAttention {
    pub fn label(&self) -> String {
        format!("A{}.{}", self.layer, self.head)
    }
}

/// Every head's mean attention on `rows` for each probe (one forward pass with the cache).
pub fn attention_probes(model: &LoadedModel, rows: &[Vec<u32>], probes: &[Probe]) -> Result<Vec<HeadAttention>> {
    let (_, cache) = model.transformer.run_with_cache(model.tokens(rows)?);
    let mut out = vec![];
    for layer in 0..model.config.n_layers {
        let Some(Activation::Rank4(pattern)) = cache.get(&format!("blocks.{layer}.attn.hook_pattern")) else {
            continue;
        };
        let [_, heads, pos, _] = pattern.dims();
        let p = Activation::Rank4(pattern.clone()).to_vec();
        for head in 0..heads {
            let scores = probes
                .iter()
                .map(|probe| {
                    let sum: f64 = probe.pairs.iter().map(|&(r, q, k)| p[((r * heads + head) * pos + q) * pos + k] as f64).sum();
                    sum / probe.pairs.len().max(1) as f64
                })
                .collect();
            out.push(HeadAttention { layer, head, scores });
        }
    }
    Ok(out)
}

/// A Markdown table of the scores, bolding each probe's strongest head and every score ≥ `mark`.
pub fn markdown(heads: &[HeadAttention], probes: &[Probe], mark: f64) -> String {
    let mut md = format!("| head | {} |\n|---|{}\n", probes.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(" | "), "---|".repeat(probes.len()));
    let best: Vec<f64> = (0..probes.len()).map(|i| heads.iter().map(|h| h.scores[i]).fold(0.0, f64::max)).collect();
    for h in heads {
        let cells: Vec<String> = h
            .scores
            .iter()
            .zip(&best)
            .map(|(&s, &b)| if s >= mark || s == b { format!("**{s:.2}**") } else { format!("{s:.2}") })
            .collect();
        md.push_str(&format!("| {} | {} |\n", h.label(), cells.join(" | ")));
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_bolds_the_strongest_head_of_each_probe() {
        let heads = vec![
            HeadAttention { layer: 0, head: 0, scores: vec![0.1, 0.3] },
            HeadAttention { layer: 0, head: 1, scores: vec![0.2, 0.05] },
        ];
        let probes = vec![Probe { name: "a".into(), pairs: vec![] }, Probe { name: "b".into(), pairs: vec![] }];
        let md = markdown(&heads, &probes, 0.9);
        assert!(md.contains("| A0.0 | 0.10 | **0.30** |"), "{md}");
        assert!(md.contains("| A0.1 | **0.20** | 0.05 |"), "{md}");
    }
}
