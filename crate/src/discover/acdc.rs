//! ACDC (ACDC.md §3; the reference's `TLACDCExperiment.step`, NOTES.md §4): visit receivers in
//! reverse topological order; for each, tentatively remove each incoming edge in sender order and
//! keep it removed if the metric rises by less than τ. A receiver none of whose outgoing edges is
//! still present is skipped and loses all its incoming edges untested.

use crate::data::AcdcData;
use crate::error::{Error, Result};
use crate::graph::{EdgeType, Graph};
use crate::metric::Metric;
use crate::model::LoadedModel;
use crate::patch::forward::PatchEngine;
use crate::patch::mask::{Layout, PatchMask};
use crate::rng::Rng;

pub use super::events::{AcdcEvent, AcdcStatus, PassPath};
pub use super::settings::{AcdcSettings, Mode};

/// Candidates per batched pass. On the CPU the arithmetic dominates, so speculation only adds
/// work (measured by `circuitscope bench`): one candidate per pass. WebGPU, where every pass pays a
/// fixed latency, sets more with [`Acdc::set_batch`].
fn default_batch(_data: &AcdcData) -> usize {
    1
}

/// The resumable run.
pub struct Acdc {
    pub graph: Graph,
    pub settings: AcdcSettings,
    engine: PatchEngine,
    metric: Metric,
    layout: Layout,
    mask: PatchMask,
    /// Per edge: removed from the circuit.
    pub removed: Vec<bool>,
    /// Per edge: tested (kept = tested and not removed).
    pub tested: Vec<bool>,
    pub events: Vec<AcdcEvent>,
    pub initial_metric: f64,
    pub current_metric: f64,
    /// Index into `graph.visit_order` of the receiver being processed.
    visit: usize,
    /// Edges of the current receiver still to test, in order.
    queue: std::collections::VecDeque<usize>,
    /// Events decided ahead by a batched pass, not yet handed out.
    pending: std::collections::VecDeque<AcdcEvent>,
    /// Candidate masks per pass: the next edges of a receiver are evaluated together, each under
    /// the assumption that the edges before it repeat the last decision; results whose
    /// assumption failed are discarded. Exact; it changes speed, never the circuit.
    batch: usize,
    /// The last decision (the speculation's assumption).
    last_removed: bool,
    path: PassPath,
    rng: Rng,
    done: bool,
}

impl Acdc {
    /// Runs the clean and corrupted inputs and measures the full model.
    pub async fn new(model: &LoadedModel, data: &AcdcData, settings: AcdcSettings) -> Result<Self> {
        data.validate()?;
        let graph = Graph::new(&model.config, settings.use_pos_embed);
        let clean = model.tokens(&data.clean)?;
        let corrupt = model.tokens(&data.corrupt)?;
        let perm = data.pos_embed_perm.as_deref().filter(|_| settings.use_pos_embed);
        let engine = PatchEngine::new(&model.transformer, &graph, clean, corrupt, settings.ablation, perm);
        let metric = Metric::new(settings.metric, &model.transformer, engine.clean.resid_final.clone(), data)?;
        let layout = Layout::of(&graph);
        let n = graph.edges.len();
        let mut run = Self {
            mask: PatchMask::full(layout),
            layout,
            removed: vec![false; n],
            tested: vec![false; n],
            events: vec![],
            initial_metric: 0.0,
            current_metric: 0.0,
            visit: 0,
            queue: Default::default(),
            pending: Default::default(),
            batch: 1,
            last_removed: true,
            path: PassPath::Optimised,
            rng: Rng::new(settings.seed),
            done: false,
            graph,
            settings,
            engine,
            metric,
        };
        run.batch = default_batch(&data);
        run.initial_metric = run.measure().await?;
        run.current_metric = run.initial_metric;
        Ok(run)
    }

    /// Chooses how passes run (benchmarks compare them; all give the same circuit).
    pub fn set_path(&mut self, path: PassPath) {
        self.path = path;
        let naive = path != PassPath::Optimised;
        self.engine.naive = naive;
        self.metric.naive = naive;
    }

    /// The metric with each of `edges` removed from the current circuit on its own, the circuit
    /// left as it was (what ACDC computes per tested edge; the benchmark's unit of work).
    pub async fn probe(&mut self, edges: &[usize]) -> Result<Vec<f64>> {
        let masks: Vec<PatchMask> = edges
            .iter()
            .map(|&e| {
                let mut m = self.mask.clone();
                m.set(self.layout.coord(&self.graph, e), true);
                m
            })
            .collect();
        let refs: Vec<&PatchMask> = masks.iter().collect();
        self.measure_masks(&refs).await
    }

    /// Forward passes run so far.
    pub fn passes(&self) -> usize {
        self.engine.passes
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Candidate masks per batched pass (1 = one pass per tested edge).
    pub fn set_batch(&mut self, batch: usize) {
        self.batch = batch.max(1);
    }

    /// The metric under the current mask (one patched forward pass).
    async fn measure(&mut self) -> Result<f64> {
        let mask = self.mask.clone();
        Ok(self.measure_masks(&[&mask]).await?[0])
    }

    /// The metric under each mask, in one pass.
    async fn measure_masks(&mut self, masks: &[&PatchMask]) -> Result<Vec<f64>> {
        let value = if self.path == PassPath::Assembled {
            let mut values = vec![];
            for mask in masks {
                let removed: Vec<bool> =
                    (0..self.graph.edges.len()).map(|e| mask.is_removed(self.layout.coord(&self.graph, e))).collect();
                let resid = crate::patch::naive::final_resid_naive(&self.engine, &self.graph, &removed);
                self.engine.passes += 1;
                values.push(self.metric.evaluate(&self.engine.model, resid));
            }
            burn::tensor::Tensor::cat(values, 0)
        } else if self.engine.naive {
            // The baseline: one full pass per mask, full logits.
            let mut values = vec![];
            for mask in masks {
                let resid = self.engine.final_resid(mask);
                values.push(self.metric.evaluate(&self.engine.model, resid));
            }
            burn::tensor::Tensor::cat(values, 0)
        } else {
            let resid = self.engine.scored_resid(masks, self.metric.rows());
            self.metric.evaluate_scored(&self.engine.model, resid, masks.len())
        };
        let data = value.into_data_async().await.map_err(|e| Error::Device(format!("reading the metric failed: {e:?}")))?;
        let v: Vec<f32> = data.try_to_vec().map_err(|e| Error::Device(format!("{e:?}")))?;
        Ok(v.into_iter().map(f64::from).collect())
    }

    fn set_removed(&mut self, e: usize, removed: bool) {
        self.removed[e] = removed;
        self.mask.set(self.layout.coord(&self.graph, e), removed);
    }

    /// Whether a node still sends anything (an edge out of it is present).
    fn connected(&self, node: usize) -> bool {
        self.graph.outgoing[node].iter().any(|&e| !self.removed[e])
    }

    /// The current receiver's edges to test, in the reference's order under the modes.
    fn edges_to_test(&mut self, receiver: usize) -> Vec<usize> {
        let mut groups = self.graph.sender_groups(receiver);
        match self.settings.names_mode {
            Mode::Normal => {}
            Mode::Reverse => groups.reverse(),
            Mode::Random => self.rng.shuffle(&mut groups),
        }
        for g in &mut groups {
            match self.settings.indices_mode {
                Mode::Normal => {}
                Mode::Reverse => g.reverse(),
                Mode::Random => self.rng.shuffle(g),
            }
        }
        groups.into_iter().flatten().filter(|&e| self.graph.edges[e].ty != EdgeType::Placeholder).collect()
    }

    /// Advances by one event: one tested edge, one skipped receiver, or the end.
    pub async fn step(&mut self) -> Result<AcdcEvent> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Ok(event);
            }
            if self.done {
                return Ok(AcdcEvent::Done { metric: self.current_metric });
            }
            if !self.queue.is_empty() {
                self.test_batch().await?;
                continue;
            }
            if self.visit >= self.graph.visit_order.len() {
                self.done = true;
                let event = AcdcEvent::Done { metric: self.current_metric };
                self.events.push(event.clone());
                return Ok(event);
            }
            let receiver = self.graph.visit_order[self.visit];
            self.visit += 1;
            let node = self.graph.nodes[receiver];
            // The output node is never checked; the embedding nodes are exempt by name.
            if self.visit > 1 && !node.hook.is_input() && !self.connected(receiver) {
                return self.skip(receiver).await;
            }
            let edges = self.edges_to_test(receiver);
            self.queue.extend(edges);
        }
    }

    /// Tests the next edges of the current receiver in one batched pass (see `batch`).
    async fn test_batch(&mut self) -> Result<()> {
        let k = self.batch.min(self.queue.len());
        let edges: Vec<usize> = self.queue.iter().take(k).copied().collect();
        let assume_removed = self.last_removed;
        // Candidate j: edges[..j] as assumed, edges[j] removed.
        let mut masks = Vec::with_capacity(k);
        let mut m = self.mask.clone();
        for &e in &edges {
            let coord = self.layout.coord(&self.graph, e);
            let mut candidate = m.clone();
            candidate.set(coord, true);
            masks.push(candidate);
            if assume_removed {
                m.set(coord, true);
            }
        }
        let refs: Vec<&PatchMask> = masks.iter().collect();
        let values = self.measure_masks(&refs).await?;
        for (&e, &after) in edges.iter().zip(&values) {
            self.queue.pop_front();
            let before = self.current_metric;
            let delta = if self.settings.abs_value_threshold { (after - before).abs() } else { after - before };
            let removed = delta < self.settings.tau;
            self.tested[e] = true;
            if removed {
                self.set_removed(e, true);
                self.current_metric = after;
            }
            self.last_removed = removed;
            let event = AcdcEvent::Tested { edge: e, metric_before: before, metric_after: after, removed };
            self.events.push(event.clone());
            self.pending.push_back(event);
            if removed != assume_removed {
                // Later candidates assumed otherwise: their values do not describe this circuit.
                break;
            }
        }
        Ok(())
    }

    async fn skip(&mut self, receiver: usize) -> Result<AcdcEvent> {
        let edges: Vec<usize> = self.graph.incoming[receiver].iter().copied().filter(|&e| !self.removed[e]).collect();
        for &e in &edges {
            self.set_removed(e, true);
        }
        // Nothing downstream reads this node, so the metric must not move (the reference allows
        // float noise up to 3e-3); measure it as the reference does.
        let after = if edges.iter().any(|&e| self.graph.edges[e].ty != EdgeType::Placeholder) {
            self.measure().await?
        } else {
            self.current_metric
        };
        if (after - self.current_metric).abs() >= 3e-3 {
            return Err(Error::Invalid(format!(
                "skipping {} moved the metric from {} to {after}: the patching is inconsistent",
                self.graph.nodes[receiver], self.current_metric
            )));
        }
        self.current_metric = after;
        let event = AcdcEvent::Skipped { receiver, edges_removed: edges, metric_after: after };
        self.events.push(event.clone());
        Ok(event)
    }

    /// Runs to the end.
    pub async fn run(&mut self) -> Result<()> {
        while !matches!(self.step().await?, AcdcEvent::Done { .. }) {}
        Ok(())
    }

    /// Counts for progress displays.
    pub fn status(&self) -> AcdcStatus {
        let counted = |e: &usize| self.graph.edges[*e].ty != EdgeType::Placeholder;
        let all = (0..self.graph.edges.len()).filter(counted);
        let (mut tested, mut removed, mut kept, mut remaining) = (0, 0, 0, 0);
        for e in all {
            tested += usize::from(self.tested[e]);
            removed += usize::from(self.removed[e]);
            kept += usize::from(self.tested[e] && !self.removed[e]);
            remaining += usize::from(!self.tested[e] && !self.removed[e]);
        }
        AcdcStatus {
            tested,
            removed,
            kept,
            remaining,
            current_metric: self.current_metric,
            initial_metric: self.initial_metric,
            passes: self.passes(),
            done: self.done,
        }
    }

    /// Edges kept in the circuit: tested and not removed.
    pub fn kept(&self) -> Vec<usize> {
        (0..self.graph.edges.len()).filter(|&e| self.tested[e] && !self.removed[e]).collect()
    }
}
