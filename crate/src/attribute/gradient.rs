//! EAP and EAP-IG over chunks of rows. Scores are sums over rows, so the data can be taken a chunk
//! at a time — as many rows as memory allows (GPT-2 small's 100 IOI rows in the browser's wasm
//! heap) — and the dense per-receiver sums added up. Each chunk's metric is its own mean over its
//! scored pairs; its gradient is rescaled by its share of the pairs, so the sum is the gradient of
//! the whole batch's metric. Mean ablation's means are over every corrupted row, computed first,
//! a chunk at a time.

use std::ops::Range;

use burn::prelude::*;

use super::backward::{Grads, receiver_grads};
use super::{AttributeSettings, Method};
use crate::data::AcdcData;
use crate::error::Result;
use crate::graph::Graph;
use crate::memory::{self, Work};
use crate::metric::Metric;
use crate::model::pass::{Embeds, Plain, State, ZeroSenders};
use crate::model::{LoadedModel, Transformer};
use crate::patch::Ablation;
use crate::patch::corrupt::Corrupt;
use crate::patch::mask::Layout;

/// Dense per-receiver score sums, on the device: `post[slot]`, and per layer
/// `qkv[letter][head, slot]` and `mlp_in[slot]`.
pub struct Dense {
    pub post: Tensor<2>,
    pub qkv: Vec<[Tensor<2>; 3]>,
    pub mlp_in: Vec<Option<Tensor<2>>>,
}

impl Dense {
    fn add(self, other: Dense) -> Dense {
        Dense {
            post: self.post + other.post,
            qkv: self.qkv.into_iter().zip(other.qkv).map(|(a, b)| [0, 1, 2].map(|x| a[x].clone() + b[x].clone())).collect(),
            mlp_in: self.mlp_in.into_iter().zip(other.mlp_in).map(|(a, b)| a.zip(b).map(|(a, b)| a + b)).collect(),
        }
    }
}

/// One chunk's runs, kept while its interpolation steps run.
struct Chunk {
    clean: State,
    corrupt_embeds: Tensor<3>,
    metric: Metric,
    scored: Tensor<1, Int>,
    /// `(corrupt − clean)ᵀ` of every sender slot, `[rows·d_model, slots]`.
    deltas_t: Tensor<2>,
    /// This chunk's share of the scored pairs.
    share: f64,
}

pub struct Gradients {
    model: Transformer,
    layout: Layout,
    settings: AttributeSettings,
    data: AcdcData,
    use_pos_embed: bool,
    chunks: Vec<Range<usize>>,
    /// Mean ablation: every sender's mean over all corrupted rows, one row of positions.
    means: Option<Corrupt>,
    total_pairs: usize,
    current: Option<(usize, Chunk)>,
    pub dense: Option<Dense>,
    pub passes: usize,
    pub backward_passes: usize,
}

impl Gradients {
    pub fn new(model: &LoadedModel, data: &AcdcData, settings: &AttributeSettings, graph: &Graph, chunk_rows: Option<usize>) -> Result<Self> {
        let pos = data.seq_len();
        let per_chunk = match chunk_rows {
            Some(rows) => rows.max(1),
            None => memory::chunk_rows(&model.config, data.rows(), pos, Work::Gradients)?,
        };
        let chunks = (0..data.rows()).step_by(per_chunk).map(|r| r..(r + per_chunk).min(data.rows())).collect();
        let mut run = Self {
            model: model.transformer.clone(),
            layout: Layout::of(graph),
            settings: settings.clone(),
            data: data.clone(),
            use_pos_embed: graph.use_pos_embed,
            chunks,
            means: None,
            total_pairs: Metric::pairs(settings.metric, data)?.len(),
            current: None,
            dense: None,
            passes: 0,
            backward_passes: 0,
        };
        if settings.ablation == Ablation::Mean {
            run.means = Some(run.mean_values(model)?);
        }
        Ok(run)
    }

    /// Steps in all: one forward and backward pass per chunk (EAP), or m per chunk (EAP-IG).
    pub fn total_steps(&self) -> usize {
        self.chunks.len() * self.steps_per_chunk()
    }

    fn steps_per_chunk(&self) -> usize {
        if self.settings.method == Method::EapIg { self.settings.steps.max(1) } else { 1 }
    }

    /// The input nodes of `rows`; the corrupted run's read scrambled positions when the data
    /// says so (the reference's tracr resample runs).
    fn embeds(&self, model: &LoadedModel, rows: &[Vec<u32>], corrupted: bool) -> Result<Embeds> {
        let perm = self.data.pos_embed_perm.as_deref().filter(|_| self.use_pos_embed && corrupted);
        Ok(self.model.embeds(model.tokens(rows)?, self.use_pos_embed, perm))
    }

    /// The corrupted run's values summed over every row, a chunk at a time, then averaged.
    fn mean_values(&mut self, model: &LoadedModel) -> Result<Corrupt> {
        let pos = self.data.seq_len();
        let mut sum: Option<Corrupt> = None;
        for range in self.chunks.clone() {
            let embeds = self.embeds(model, &self.data.corrupt[range.clone()], true)?;
            self.passes += 1;
            let values = Corrupt::of(&self.model.pass(embeds, &mut Plain)).sum_over_rows(range.len(), pos);
            sum = Some(match sum {
                Some(s) => s.add(values),
                None => values,
            });
        }
        Ok(sum.expect("a chunk").scale(1.0 / self.data.rows() as f64))
    }

    /// The clean and corrupted runs of chunk `i`.
    fn chunk(&mut self, model: &LoadedModel, i: usize) -> Result<Chunk> {
        let range = self.chunks[i].clone();
        let data = self.data.rows_slice(range.clone());
        let clean_embeds = self.embeds(model, &data.clean, false)?;
        let clean = self.model.pass(clean_embeds.clone(), &mut Plain);
        self.passes += 2;
        let corrupt = match (&self.means, self.settings.ablation) {
            (Some(means), _) => means.clone().broadcast(range.len(), data.seq_len()),
            (None, Ablation::Zero) => Corrupt::of(&self.model.pass(clean_embeds, &mut ZeroSenders)),
            (None, _) => Corrupt::of(&self.model.pass(self.embeds(model, &data.corrupt, true)?, &mut Plain)),
        };
        let metric = Metric::new(self.settings.metric, &self.model, clean.final_input.clone(), &data)?;
        let scored = Metric::index(self.settings.metric, &data, &model.device)?;
        let share = Metric::pairs(self.settings.metric, &data)?.len() as f64 / self.total_pairs as f64;
        let deltas_t = sender_deltas(&clean, &corrupt).transpose();
        Ok(Chunk { clean, corrupt_embeds: corrupt.embeds, metric, scored, deltas_t, share })
    }

    /// Step `step` of `total_steps()`: one forward pass (clean, or with the input node at an
    /// interpolation step) and its backward pass, added to the dense sums.
    pub fn step(&mut self, model: &LoadedModel, step: usize) -> Result<()> {
        let (i, k) = (step / self.steps_per_chunk(), step % self.steps_per_chunk());
        if self.current.as_ref().is_none_or(|(c, _)| *c != i) {
            self.current = None;
            let chunk = self.chunk(model, i)?;
            self.current = Some((i, chunk));
        }
        let (_, chunk) = self.current.as_ref().expect("the chunk");
        let m = self.steps_per_chunk();
        // 1/B over every row, this chunk's share of the metric's mean, and 1/m over the steps.
        let weight = chunk.share / (self.data.rows() * m) as f64;
        let state = if self.settings.method == Method::EapIg {
            let alpha = k as f64 / m as f64;
            let clean = &chunk.clean.embeds;
            let nodes = chunk.corrupt_embeds.clone() + (clean.nodes.clone() - chunk.corrupt_embeds.clone()) * alpha;
            self.passes += 1;
            self.model.pass(Embeds { nodes, ..clean.clone() }, &mut Plain)
        } else {
            chunk.clean.clone()
        };
        let dense = scores_of(&self.model, self.layout, &state, chunk, weight);
        self.backward_passes += 1;
        self.dense = Some(match self.dense.take() {
            None => dense,
            Some(acc) => acc.add(dense),
        });
        if k + 1 == m {
            self.current = None;
        }
        Ok(())
    }
}

/// One backward pass on `state`, its receiver gradients times the senders' deltas, `weight` each.
fn scores_of(model: &Transformer, layout: Layout, state: &State, chunk: &Chunk, weight: f64) -> Dense {
    let deltas_t = &chunk.deltas_t;
    let n = deltas_t.dims()[0];
    let before = |width: usize| deltas_t.clone().slice([0..n, 0..width]);
    let mut post = None;
    let mut qkv: Vec<Option<[Tensor<2>; 3]>> = vec![None; layout.n_layers];
    let mut mlp_in: Vec<Option<Tensor<2>>> = vec![None; layout.n_layers];
    receiver_grads(model, state, &chunk.metric, &chunk.scored, |grads| match grads {
        Grads::Final(g) => post = Some(g.reshape([1, n]).matmul(deltas_t.clone()) * weight),
        Grads::Layer(lg) => {
            let l = lg.layer;
            let width = layout.slots_before(l);
            qkv[l] = Some(lg.qkv.map(|g| {
                let h = g.dims()[0];
                g.reshape([h, n]).matmul(before(width)) * weight
            }));
            mlp_in[l] = lg.mlp_in.map(|g| g.reshape([1, n]).matmul(before(layout.mlp_width(l))) * weight);
        }
    });
    Dense {
        post: post.expect("the final gradient"),
        qkv: qkv.into_iter().map(|q| q.expect("every layer")).collect(),
        mlp_in,
    }
}

/// `corrupt − clean` of every sender slot, `[slots, rows·d_model]` (the layout's slot order: the
/// input node(s), then per layer its heads and its MLP).
fn sender_deltas(clean: &State, corrupt: &Corrupt) -> Tensor<2> {
    let flat3 = |t: Tensor<3>| {
        let [n, rows, d] = t.dims();
        t.reshape([n, rows * d])
    };
    let flat2 = |t: Tensor<2>| {
        let [rows, d] = t.dims();
        t.reshape([1, rows * d])
    };
    let mut blocks = vec![flat3(corrupt.embeds.clone() - clean.embeds.nodes.clone())];
    for (l, layer) in clean.layers.iter().enumerate() {
        blocks.push(flat3(corrupt.results[l].clone() - layer.results().clone()));
        if let (Some(c), Some(k)) = (&corrupt.mlp_out[l], layer.mlp_out()) {
            blocks.push(flat2(c.clone() - k.clone()));
        }
    }
    Tensor::cat(blocks, 0)
}
