//! Edge attribution beside ACDC (docs/methods.md): a score for every ADDITION edge of the same
//! graph, from the same passes. A positive score means removing the edge raises the metric
//! (hurts).
//!
//! - `exact`: activation patching one edge at a time from the full model, `M(N − e) − M(N)` (the
//!   incremental engine makes each a small recomputation).
//! - `eap` (Syed, Rager, Conmy 2023): `(1/B) Σ_{rows, pos, d} (corrupt(s) − clean(s)) ·
//!   ∂M/∂input(r)`, the gradient on the clean input: one forward and one backward pass.
//! - `eap-ig`, inputs variant (Hanna, Pezzelle, Belinkov 2024): the same product with the gradient
//!   averaged over `m` passes whose input node is `corrupt + (k/m)(clean − corrupt)`, k = 0…m−1.
//!
//! An attribution is a resumable run like ACDC's: `step` does one unit of work (one edge, or one
//! forward and backward pass) so the page can show progress and stay responsive.

pub mod backward;
pub mod gradient;
pub mod scores;

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::AcdcData;
use crate::error::{Error, Result};
use crate::graph::{EdgeType, Graph};
use crate::metric::{Metric, MetricKind};
use crate::memory::{self, Work};
use crate::model::LoadedModel;
use crate::patch::Ablation;
use crate::patch::engine::Engine;
use crate::patch::mask::{Coord, Layout};
use gradient::{Dense, Gradients};

/// How edges are scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Activation patching, one edge at a time (the truth the estimates approximate).
    Exact,
    /// Edge attribution patching: one gradient on the clean input.
    Eap,
    /// EAP with integrated gradients over `steps` interpolations of the input node.
    #[default]
    EapIg,
}

impl Method {
    pub const ALL: [Method; 3] = [Method::Exact, Method::Eap, Method::EapIg];

    pub fn name(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Eap => "eap",
            Self::EapIg => "eap-ig",
        }
    }
}

impl std::str::FromStr for Method {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| Error::Invalid(format!("unknown method {s:?}: use exact, eap or eap-ig")))
    }
}

/// Everything that decides an attribution (what scores.json records as its settings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct AttributeSettings {
    pub method: Method,
    /// EAP-IG's interpolation steps m (5 is near its plateau; the reference code uses 30).
    pub steps: usize,
    pub metric: MetricKind,
    pub ablation: Ablation,
    pub use_pos_embed: bool,
}

impl Default for AttributeSettings {
    fn default() -> Self {
        Self { method: Method::EapIg, steps: 5, metric: MetricKind::LogitDiff, ablation: Ablation::Resample, use_pos_embed: false }
    }
}

/// Why EAP with KL (or L2) scores nothing: a metric that compares the circuit with the clean model
/// has its minimum, and so a zero gradient, at the clean model — where EAP takes it.
pub const KL_EAP_WARNING: &str = "EAP with this metric scores every edge ≈ 0: KL and L2 compare the circuit with the clean \
    model, so their gradient is zero at the clean model, which is where EAP takes it. Use a task metric (logit_diff, \
    prob_diff) or EAP-IG, whose gradients come from inputs between corrupted and clean.";

/// Whether EAP's scores are all ≈ 0 for this metric (see [`KL_EAP_WARNING`]).
pub fn eap_is_degenerate(method: Method, metric: MetricKind) -> bool {
    method == Method::Eap && matches!(metric, MetricKind::Kl | MetricKind::L2)
}

/// How the run scores: one edge at a time, or by gradients.
enum Runner {
    Exact { engine: Engine, metric: Metric, base_metric: f64, queue: std::collections::VecDeque<usize> },
    Gradients(Gradients),
}

/// A running attribution.
pub struct Attribution {
    pub graph: Graph,
    pub settings: AttributeSettings,
    model: LoadedModelRef,
    runner: Runner,
    /// What a step did so far, and how many steps there are.
    pub done_steps: usize,
    pub total_steps: usize,
    /// Per graph edge: its score (ADDITION edges only; NaN until scored).
    pub scores: Vec<f64>,
}

/// The model a run reads (an `Rc` in the page, a clone natively: modules are shared handles).
type LoadedModelRef = std::rc::Rc<LoadedModel>;

impl Attribution {
    /// Runs the clean and corrupted inputs (exact), or sizes the chunks of rows (gradients);
    /// nothing is scored yet.
    pub async fn new(model: &LoadedModel, data: &AcdcData, settings: AttributeSettings) -> Result<Self> {
        Self::with_chunks(model, data, settings, None).await
    }

    /// [`Self::new`] with the gradient methods' rows per chunk fixed (default: as many as memory
    /// allows); the scores do not depend on it.
    pub async fn with_chunks(model: &LoadedModel, data: &AcdcData, settings: AttributeSettings, chunk_rows: Option<usize>) -> Result<Self> {
        data.validate()?;
        let graph = Graph::new(&model.config, settings.use_pos_embed);
        let model = std::rc::Rc::new(LoadedModel {
            config: model.config.clone(),
            transformer: model.transformer.clone(),
            tokenizer: None,
            device: model.device.clone(),
        });
        let (runner, total_steps) = match settings.method {
            Method::Exact => {
                memory::check(&model.config, data.rows(), data.seq_len(), Work::Patching)?;
                let (clean, corrupt) = (model.tokens(&data.clean)?, model.tokens(&data.corrupt)?);
                let perm = data.pos_embed_perm.as_deref().filter(|_| settings.use_pos_embed);
                let scored = Metric::index(settings.metric, data, &model.device)?;
                let engine = Engine::new(&model.transformer, &graph, clean, corrupt, settings.ablation, perm, scored);
                let metric = Metric::new(settings.metric, &model.transformer, engine.clean.final_input.clone(), data)?;
                let base_metric = read(metric.of_rows(&model.transformer, engine.current_rows(), 1)).await?[0];
                let queue: std::collections::VecDeque<usize> =
                    (0..graph.edges.len()).filter(|&e| graph.edges[e].ty == EdgeType::Addition).collect();
                let total = queue.len();
                (Runner::Exact { engine, metric, base_metric, queue }, total)
            }
            Method::Eap | Method::EapIg => {
                let gradients = Gradients::new(&model, data, &settings, &graph, chunk_rows)?;
                let total = gradients.total_steps();
                (Runner::Gradients(gradients), total)
            }
        };
        Ok(Self { scores: vec![f64::NAN; graph.edges.len()], model, runner, done_steps: 0, total_steps, graph, settings })
    }

    pub fn is_done(&self) -> bool {
        self.done_steps >= self.total_steps
    }

    pub fn forward_passes(&self) -> usize {
        match &self.runner {
            Runner::Exact { engine, .. } => engine.passes,
            Runner::Gradients(g) => g.passes,
        }
    }

    pub fn backward_passes(&self) -> usize {
        match &self.runner {
            Runner::Exact { .. } => 0,
            Runner::Gradients(g) => g.backward_passes,
        }
    }

    /// One unit of work: one edge patched (exact), or one forward and backward pass.
    pub async fn step(&mut self) -> Result<()> {
        if self.is_done() {
            return Ok(());
        }
        match &mut self.runner {
            Runner::Exact { engine, metric, base_metric, queue } => {
                let e = queue.pop_front().expect("an edge per step");
                let rows = engine.evaluate(&self.graph, &[vec![e]]);
                engine.discard();
                let after = read(metric.of_rows(&engine.model, rows, 1)).await?[0];
                self.scores[e] = after - *base_metric;
            }
            Runner::Gradients(g) => g.step(&self.model, self.done_steps)?,
        }
        self.done_steps += 1;
        if self.is_done() {
            if let Runner::Gradients(g) = &mut self.runner {
                let dense = g.dense.take().expect("dense sums");
                self.collect(dense).await?;
            }
        }
        Ok(())
    }

    /// Runs to the end.
    pub async fn run(&mut self) -> Result<()> {
        while !self.is_done() {
            self.step().await?;
        }
        Ok(())
    }

    /// Reads the dense sums back and gives every ADDITION edge its score.
    async fn collect(&mut self, dense: Dense) -> Result<()> {
        let post = read_vec(dense.post).await?;
        let mut qkv = vec![];
        for per_letter in dense.qkv {
            let mut letters = vec![];
            for t in per_letter {
                letters.push(read_vec(t).await?);
            }
            qkv.push(letters);
        }
        let mut mlp = vec![];
        for t in dense.mlp_in {
            mlp.push(match t {
                Some(t) => read_vec(t).await?,
                None => vec![],
            });
        }
        let layout = Layout::of(&self.graph);
        for e in 0..self.graph.edges.len() {
            self.scores[e] = match layout.coord(&self.graph, e) {
                Coord::Post { slot } => post[slot],
                Coord::Qkv { layer, letter, head, slot } => qkv[layer][letter][head * layout.slots_before(layer) + slot],
                Coord::MlpIn { layer, slot } => mlp[layer][slot],
                Coord::Dc { .. } | Coord::None => f64::NAN,
            };
        }
        Ok(())
    }
}

/// Reads a `[1]` tensor back (awaiting the device: required on WebGPU).
async fn read(t: Tensor<1>) -> Result<Vec<f64>> {
    read_vec(t.unsqueeze::<2>()).await
}

async fn read_vec(t: Tensor<2>) -> Result<Vec<f64>> {
    let data = t.into_data_async().await.map_err(|e| Error::Device(format!("reading scores failed: {e:?}")))?;
    let v: Vec<f32> = data.try_to_vec().map_err(|e| Error::Device(format!("{e:?}")))?;
    Ok(v.into_iter().map(f64::from).collect())
}
