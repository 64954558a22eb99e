//! How ACDC's questions are answered: "what is the metric with this edge removed?", "keep it" or
//! "remove it". Behind this sit the pass paths (the incremental engine, or the benchmark's
//! whole-pass baselines) and speculative batching: the next edges of a receiver are evaluated
//! together, each under the assumption that the edges before it repeat the last decision; an
//! answer whose assumption failed is thrown away. Exact: batching changes speed, never a circuit.

use std::collections::VecDeque;

use burn::prelude::*;

use super::events::PassPath;
use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::metric::Metric;
use crate::patch::engine::Engine;
use crate::patch::mask::PatchMask;
use crate::patch::naive::final_resid_naive;

/// One evaluated edge of the batch in flight: its candidate index and its metric.
struct Ahead {
    edge: usize,
    candidate: usize,
    metric: f64,
}

pub struct Tester {
    pub engine: Engine,
    pub metric: Metric,
    path: PassPath,
    /// Candidates per evaluation (1: one per tested edge).
    batch: usize,
    ahead: VecDeque<Ahead>,
    /// The assumption of the batch in flight (the decision before it).
    assume_removed: bool,
    last_removed: bool,
    /// The metric of the engine's current circuit, once measured or committed (its final rows
    /// change only when a candidate is committed).
    current: Option<f64>,
}

/// Reads a `[k]` metric tensor back (awaiting the device: required on WebGPU).
async fn read(values: Tensor<1>) -> Result<Vec<f64>> {
    let data = values.into_data_async().await.map_err(|e| Error::Device(format!("reading the metric failed: {e:?}")))?;
    let v: Vec<f32> = data.try_to_vec().map_err(|e| Error::Device(format!("{e:?}")))?;
    Ok(v.into_iter().map(f64::from).collect())
}

impl Tester {
    pub fn new(engine: Engine, metric: Metric) -> Self {
        Self { engine, metric, path: PassPath::Optimised, batch: 1, ahead: VecDeque::new(), assume_removed: true, last_removed: true, current: None }
    }

    pub fn set_path(&mut self, path: PassPath) {
        self.path = path;
        self.ahead.clear();
        self.current = None;
    }

    pub fn set_batch(&mut self, batch: usize) {
        self.batch = batch.max(1);
    }

    /// The metric of the current circuit.
    pub async fn measure(&mut self) -> Result<f64> {
        let values = self.metric.of_rows(&self.engine.model, self.engine.current_rows(), 1);
        let value = read(values).await?[0];
        self.current = Some(value);
        Ok(value)
    }

    /// The metric with `edge` removed from the current circuit; `next` are the edges ACDC will
    /// test after it at the same receiver, which a batch evaluates along with it.
    pub async fn without(&mut self, graph: &Graph, edge: usize, next: &[usize]) -> Result<f64> {
        if let Some(a) = self.ahead.front().filter(|a| a.edge == edge) {
            return Ok(a.metric);
        }
        self.ahead.clear();
        if self.path != PassPath::Optimised {
            let mut mask = self.engine.mask().clone();
            mask.set(self.engine.layout.coord(graph, edge), true);
            let value = self.whole_pass(graph, &mask);
            let metric = read(value).await?[0];
            self.ahead.push_back(Ahead { edge, candidate: 0, metric });
            return Ok(metric);
        }
        // A DIRECT_COMPUTATION edge is its receiver's only edge: never batched.
        let mut edges = vec![edge];
        if graph.edges[edge].ty == crate::graph::EdgeType::Addition {
            edges.extend(next.iter().take(self.batch - 1).copied());
        }
        self.assume_removed = self.last_removed;
        let candidates: Vec<Vec<usize>> = (0..edges.len())
            .map(|j| if self.assume_removed { edges[..=j].to_vec() } else { vec![edges[j]] })
            .collect();
        let rows = self.engine.evaluate(graph, &candidates);
        let values = read(self.metric.of_rows(&self.engine.model, rows, candidates.len())).await?;
        self.ahead = edges.iter().zip(values).enumerate().map(|(candidate, (&edge, metric))| Ahead { edge, candidate, metric }).collect();
        Ok(self.ahead[0].metric)
    }

    /// ACDC's decision on the edge `without` last answered for.
    pub fn decide(&mut self, graph: &Graph, edge: usize, removed: bool) {
        let a = self.ahead.pop_front().filter(|a| a.edge == edge).expect("decide follows without");
        if removed {
            if self.path == PassPath::Optimised {
                self.engine.commit(graph, a.candidate);
                self.current = Some(a.metric);
            } else {
                self.engine.remove_unread(graph, &[edge]);
            }
        }
        self.last_removed = removed;
        if removed != self.assume_removed {
            // Later candidates assumed otherwise: their values do not describe this circuit.
            self.ahead.clear();
            self.engine.discard();
        }
    }

    /// Removes edges whose receiver nobody reads (a skipped receiver's), then measures the
    /// circuit as the reference does (the metric must not move). On the incremental path nothing
    /// that reaches the metric changed, so its value is the current circuit's, known without a
    /// pass (a whole pass per skip, then an unembedding per skip, were most of the run on a
    /// wide-vocabulary model).
    pub async fn remove_unread(&mut self, graph: &Graph, edges: &[usize]) -> Result<f64> {
        self.ahead.clear();
        self.engine.remove_unread(graph, edges);
        match self.path {
            PassPath::Optimised => match self.current {
                Some(value) => Ok(value),
                None => self.measure().await,
            },
            _ => {
                let mask = self.engine.mask().clone();
                let value = self.whole_pass(graph, &mask);
                Ok(read(value).await?[0])
            }
        }
    }

    /// The benchmark's baselines: a whole pass from layer 0 (dense masks, or every receiver
    /// assembled sender by sender), full logits.
    fn whole_pass(&mut self, graph: &Graph, mask: &PatchMask) -> Tensor<1> {
        self.engine.passes += 1;
        let resid = match self.path {
            PassPath::Assembled => {
                let removed: Vec<bool> =
                    (0..graph.edges.len()).map(|e| mask.is_removed(self.engine.layout.coord(graph, e))).collect();
                final_resid_naive(&self.engine, graph, &removed)
            }
            _ => self.engine.final_under(mask, true),
        };
        self.metric.of_final(&self.engine.model, resid, true)
    }
}
