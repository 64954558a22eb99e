//! ACDC (Conmy et al. 2023; docs/acdc.md): visit receivers in reverse topological order; for
//! each, tentatively remove each incoming edge in sender order and keep it removed if the metric
//! rises by less than τ. A receiver none of whose outgoing edges is still present is skipped and
//! loses all its incoming edges untested. How a removal is evaluated (incrementally, batched) is
//! the [`Tester`]'s business.

use std::collections::VecDeque;

use crate::data::AcdcData;
use crate::error::{Error, Result};
use crate::graph::{EdgeType, Graph};
use crate::metric::Metric;
use crate::model::LoadedModel;
use crate::patch::engine::Engine;
use crate::rng::Rng;

pub use super::events::{AcdcEvent, AcdcStatus, PassPath};
pub use super::settings::{AcdcSettings, Mode};
use super::tester::Tester;

/// The resumable run.
pub struct Acdc {
    pub graph: Graph,
    pub settings: AcdcSettings,
    tester: Tester,
    /// Per edge: removed from the circuit.
    pub removed: Vec<bool>,
    /// Per edge: tested (kept = tested and not removed).
    pub tested: Vec<bool>,
    pub events: Vec<AcdcEvent>,
    pub initial_metric: f64,
    pub current_metric: f64,
    /// Index into `graph.visit_order` of the next receiver.
    visit: usize,
    /// Edges of the current receiver still to test, in order.
    queue: VecDeque<usize>,
    rng: Rng,
    done: bool,
}

impl Acdc {
    /// Runs the clean and corrupted inputs and measures the full model.
    pub async fn new(model: &LoadedModel, data: &AcdcData, settings: AcdcSettings) -> Result<Self> {
        data.validate()?;
        crate::memory::check(&model.config, data.rows(), data.seq_len(), crate::memory::Work::Patching)?;
        let graph = Graph::new(&model.config, settings.use_pos_embed);
        let (clean, corrupt) = (model.tokens(&data.clean)?, model.tokens(&data.corrupt)?);
        let perm = data.pos_embed_perm.as_deref().filter(|_| settings.use_pos_embed);
        let scored = Metric::index(settings.metric, data, &model.device)?;
        let engine = Engine::new(&model.transformer, &graph, clean, corrupt, settings.ablation, perm, scored);
        let metric = Metric::new(settings.metric, &model.transformer, engine.clean.final_input.clone(), data)?;
        let n = graph.edges.len();
        let mut run = Self {
            tester: Tester::new(engine, metric),
            removed: vec![false; n],
            tested: vec![false; n],
            events: vec![],
            initial_metric: 0.0,
            current_metric: 0.0,
            visit: 0,
            queue: VecDeque::new(),
            rng: Rng::new(settings.seed),
            done: false,
            graph,
            settings,
        };
        run.initial_metric = run.tester.measure().await?;
        run.current_metric = run.initial_metric;
        Ok(run)
    }

    /// Advances by one event: one tested edge, one skipped receiver, or the end.
    pub async fn step(&mut self) -> Result<AcdcEvent> {
        loop {
            if self.done {
                return Ok(AcdcEvent::Done { metric: self.current_metric });
            }
            if let Some(edge) = self.queue.pop_front() {
                return self.test(edge).await;
            }
            let Some(&receiver) = self.graph.visit_order.get(self.visit) else {
                self.done = true;
                return Ok(self.record(AcdcEvent::Done { metric: self.current_metric }));
            };
            self.visit += 1;
            // The output node is never checked; the embedding nodes are exempt by name.
            if self.visit > 1 && !self.graph.nodes[receiver].hook.is_input() && !self.connected(receiver) {
                return self.skip(receiver).await;
            }
            self.queue = self.edges_to_test(receiver).into();
        }
    }

    /// Removes `edge` tentatively: for good if the metric rises by less than τ.
    async fn test(&mut self, edge: usize) -> Result<AcdcEvent> {
        let next: Vec<usize> = self.queue.iter().copied().collect();
        let after = self.tester.without(&self.graph, edge, &next).await?;
        let before = self.current_metric;
        let delta = if self.settings.abs_value_threshold { (after - before).abs() } else { after - before };
        let removed = delta < self.settings.tau;
        self.tester.decide(&self.graph, edge, removed);
        self.tested[edge] = true;
        if removed {
            self.removed[edge] = true;
            self.current_metric = after;
        }
        Ok(self.record(AcdcEvent::Tested { edge, metric_before: before, metric_after: after, removed }))
    }

    /// A receiver nobody reads loses its incoming edges untested; the metric must not move (the
    /// reference allows float noise up to 3e-3).
    async fn skip(&mut self, receiver: usize) -> Result<AcdcEvent> {
        let edges: Vec<usize> = self.graph.incoming[receiver].iter().copied().filter(|&e| !self.removed[e]).collect();
        edges.iter().for_each(|&e| self.removed[e] = true);
        let after = if edges.iter().any(|&e| self.graph.edges[e].ty != EdgeType::Placeholder) {
            self.tester.remove_unread(&self.graph, &edges).await?
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
        Ok(self.record(AcdcEvent::Skipped { receiver, edges_removed: edges, metric_after: after }))
    }

    fn record(&mut self, event: AcdcEvent) -> AcdcEvent {
        self.events.push(event.clone());
        event
    }

    /// Whether a node still sends anything (an edge out of it is present).
    fn connected(&self, node: usize) -> bool {
        self.graph.outgoing[node].iter().any(|&e| !self.removed[e])
    }

    /// The receiver's edges to test, in the reference's order under the modes.
    fn edges_to_test(&mut self, receiver: usize) -> Vec<usize> {
        let mut groups = self.graph.sender_groups(receiver);
        self.settings.names_mode.apply(&mut groups, &mut self.rng);
        for group in &mut groups {
            self.settings.indices_mode.apply(group, &mut self.rng);
        }
        groups.into_iter().flatten().filter(|&e| self.graph.edges[e].ty != EdgeType::Placeholder).collect()
    }

    /// Runs to the end.
    pub async fn run(&mut self) -> Result<()> {
        while !matches!(self.step().await?, AcdcEvent::Done { .. }) {}
        Ok(())
    }

    /// Chooses how removals are evaluated (benchmarks compare them; all give the same circuit).
    pub fn set_path(&mut self, path: PassPath) {
        self.tester.set_path(path);
    }

    /// Candidate edges per evaluation (1 = one per tested edge; WebGPU batches several).
    pub fn set_batch(&mut self, batch: usize) {
        self.tester.set_batch(batch);
    }

    /// Forward computations run so far.
    pub fn passes(&self) -> usize {
        self.tester.engine.passes
    }

    /// FLOPs of the minimal recomputations run so far (see `Engine::flops`).
    pub fn flops(&self) -> f64 {
        self.tester.engine.flops()
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The metric with each of `edges` removed from the current circuit on its own, the circuit
    /// left as it was (what ACDC computes per tested edge; the benchmark's unit of work).
    pub async fn probe(&mut self, edges: &[usize]) -> Result<Vec<f64>> {
        let mut values = vec![];
        for &e in edges {
            values.push(self.tester.without(&self.graph, e, &[]).await?);
            self.tester.decide(&self.graph, e, false);
        }
        Ok(values)
    }

    /// Counts for progress displays.
    pub fn status(&self) -> AcdcStatus {
        AcdcStatus::of(&self.graph, &self.tested, &self.removed, self.current_metric, self.initial_metric, self.passes(), self.done)
    }

    /// Edges kept in the circuit: tested and not removed.
    pub fn kept(&self) -> Vec<usize> {
        (0..self.graph.edges.len()).filter(|&e| self.tested[e] && !self.removed[e]).collect()
    }
}
