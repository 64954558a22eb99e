//! ACDC (ACDC.md §3; the reference's `TLACDCExperiment.step`, NOTES.md §4): visit receivers in
//! reverse topological order; for each, tentatively remove each incoming edge in sender order and
//! keep it removed if the metric rises by less than τ. A receiver none of whose outgoing edges is
//! still present is skipped and loses all its incoming edges untested.

use serde::{Deserialize, Serialize};

use crate::data::AcdcData;
use crate::error::{Error, Result};
use crate::graph::{EdgeType, Graph};
use crate::metric::{Metric, MetricKind};
use crate::model::LoadedModel;
use crate::patch::forward::PatchEngine;
use crate::patch::mask::{Layout, PatchMask};
use crate::patch::Ablation;
use crate::rng::Rng;

/// Order of sender groups (`names_mode`) or of heads within a group (`indices_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    #[default]
    Normal,
    Reverse,
    /// Shuffled with the run's seed (the reference shuffles unseeded).
    Random,
}

impl std::str::FromStr for Mode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "normal" => Ok(Self::Normal),
            "reverse" => Ok(Self::Reverse),
            "random" => Ok(Self::Random),
            _ => Err(Error::Invalid(format!("unknown mode {s:?}: use normal, reverse or random"))),
        }
    }
}

/// Everything that decides a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcdcSettings {
    pub tau: f64,
    pub metric: MetricKind,
    pub ablation: Ablation,
    pub indices_mode: Mode,
    pub names_mode: Mode,
    /// Compare |Δ| with τ instead of Δ.
    pub abs_value_threshold: bool,
    pub use_pos_embed: bool,
    pub seed: u64,
}

impl Default for AcdcSettings {
    fn default() -> Self {
        Self {
            tau: 0.05,
            metric: MetricKind::Kl,
            ablation: Ablation::Resample,
            indices_mode: Mode::Normal,
            names_mode: Mode::Normal,
            abs_value_threshold: false,
            use_pos_embed: false,
            seed: 0,
        }
    }
}

/// One step of the algorithm, for the UI to animate.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AcdcEvent {
    /// An edge was tested: removed if `metric_after − metric_before < τ`.
    Tested { edge: usize, metric_before: f64, metric_after: f64, removed: bool },
    /// A receiver with no outgoing edge left lost all its incoming edges untested.
    Skipped { receiver: usize, edges_removed: Vec<usize>, metric_after: f64 },
    /// Every receiver was visited.
    Done { metric: f64 },
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
            rng: Rng::new(settings.seed),
            done: false,
            graph,
            settings,
            engine,
            metric,
        };
        run.initial_metric = run.measure().await?;
        run.current_metric = run.initial_metric;
        Ok(run)
    }

    /// Forward passes run so far.
    pub fn passes(&self) -> usize {
        self.engine.passes
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The metric under the current mask (one patched forward pass).
    async fn measure(&mut self) -> Result<f64> {
        let resid = self.engine.final_resid(&self.mask);
        let value = self.metric.evaluate(&self.engine.model, resid);
        let data = value.into_data_async().await.map_err(|e| Error::Device(format!("reading the metric failed: {e:?}")))?;
        let v: Vec<f32> = data.try_to_vec().map_err(|e| Error::Device(format!("{e:?}")))?;
        Ok(v[0] as f64)
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
            if self.done {
                return Ok(AcdcEvent::Done { metric: self.current_metric });
            }
            if let Some(e) = self.queue.pop_front() {
                return self.test(e).await;
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

    async fn test(&mut self, e: usize) -> Result<AcdcEvent> {
        let before = self.current_metric;
        self.set_removed(e, true);
        let after = self.measure().await?;
        let delta = if self.settings.abs_value_threshold { (after - before).abs() } else { after - before };
        let removed = delta < self.settings.tau;
        self.tested[e] = true;
        if removed {
            self.current_metric = after;
        } else {
            self.set_removed(e, false);
        }
        let event = AcdcEvent::Tested { edge: e, metric_before: before, metric_after: after, removed };
        self.events.push(event.clone());
        Ok(event)
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

    /// Edges kept in the circuit: tested and not removed.
    pub fn kept(&self) -> Vec<usize> {
        (0..self.graph.edges.len()).filter(|&e| self.tested[e] && !self.removed[e]).collect()
    }
}
