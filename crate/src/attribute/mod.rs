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
pub mod scores;

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::AcdcData;
use crate::error::{Error, Result};
use crate::graph::{EdgeType, Graph};
use crate::metric::{Metric, MetricKind};
use crate::model::LoadedModel;
use crate::model::pass::{Embeds, Plain};
use crate::patch::Ablation;
use crate::patch::engine::Engine;
use crate::patch::mask::{Coord, Layout};
use backward::{Grads, receiver_grads};

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

/// Dense per-receiver score accumulators, on the device: `post[slot]`, and per layer
/// `qkv[letter][head, slot]` and `mlp_in[slot]`.
struct Dense {
    post: Tensor<2>,
    qkv: Vec<[Tensor<2>; 3]>,
    mlp_in: Vec<Option<Tensor<2>>>,
}

/// A running attribution.
pub struct Attribution {
    pub graph: Graph,
    pub settings: AttributeSettings,
    engine: Engine,
    metric: Metric,
    /// `(corrupt − clean)ᵀ` of every sender slot, `[rows·d_model, slots]`.
    deltas_t: Tensor<2>,
    rows: usize,
    /// What a step did so far, and how many steps there are.
    pub done_steps: usize,
    pub total_steps: usize,
    /// Exact: the full model's metric and the edges still to patch.
    base_metric: f64,
    queue: std::collections::VecDeque<usize>,
    /// Gradient methods: the scores summed over steps so far.
    dense: Option<Dense>,
    /// Per graph edge: its score (ADDITION edges only; NaN until scored).
    pub scores: Vec<f64>,
    pub backward_passes: usize,
}

impl Attribution {
    /// Runs the clean and corrupted inputs; nothing is scored yet.
    pub async fn new(model: &LoadedModel, data: &AcdcData, settings: AttributeSettings) -> Result<Self> {
        data.validate()?;
        let graph = Graph::new(&model.config, settings.use_pos_embed);
        let (clean, corrupt) = (model.tokens(&data.clean)?, model.tokens(&data.corrupt)?);
        let perm = data.pos_embed_perm.as_deref().filter(|_| settings.use_pos_embed);
        let scored = Metric::index(settings.metric, data, &model.device)?;
        let engine = Engine::new(&model.transformer, &graph, clean, corrupt, settings.ablation, perm, scored);
        let metric = Metric::new(settings.metric, &model.transformer, engine.clean.final_input.clone(), data)?;
        let deltas_t = sender_deltas(&engine).transpose();
        let addition: Vec<usize> = (0..graph.edges.len()).filter(|&e| graph.edges[e].ty == EdgeType::Addition).collect();
        let total_steps = match settings.method {
            Method::Exact => addition.len(),
            Method::Eap => 1,
            Method::EapIg => settings.steps.max(1),
        };
        let mut run = Self {
            scores: vec![f64::NAN; graph.edges.len()],
            queue: addition.into(),
            rows: data.rows(),
            deltas_t,
            engine,
            metric,
            base_metric: 0.0,
            dense: None,
            done_steps: 0,
            total_steps,
            backward_passes: 0,
            graph,
            settings,
        };
        if run.settings.method == Method::Exact {
            let value = run.metric.of_rows(&run.engine.model, run.engine.current_rows(), 1);
            run.base_metric = read(value).await?[0];
        }
        Ok(run)
    }

    pub fn is_done(&self) -> bool {
        self.done_steps >= self.total_steps
    }

    pub fn forward_passes(&self) -> usize {
        self.engine.passes
    }

    /// One unit of work: one edge patched (exact), or one forward and backward pass.
    pub async fn step(&mut self) -> Result<()> {
        if self.is_done() {
            return Ok(());
        }
        match self.settings.method {
            Method::Exact => {
                let e = self.queue.pop_front().expect("an edge per step");
                let rows = self.engine.evaluate(&self.graph, &[vec![e]]);
                self.engine.discard();
                let after = read(self.metric.of_rows(&self.engine.model, rows, 1)).await?[0];
                self.scores[e] = after - self.base_metric;
            }
            Method::Eap => self.gradient_step(None),
            Method::EapIg => self.gradient_step(Some((self.done_steps, self.total_steps))),
        }
        self.done_steps += 1;
        if self.is_done() && self.dense.is_some() {
            self.collect().await?;
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

    /// One forward pass (clean, or with the input node at step k of m) and its backward pass;
    /// the scores it implies are added to the dense sums, scaled by 1/B (and 1/m).
    fn gradient_step(&mut self, interpolation: Option<(usize, usize)>) {
        let e = &self.engine;
        let clean = &e.clean.embeds;
        let (embeds, weight) = match interpolation {
            None => (clean.clone(), 1.0 / self.rows as f64),
            Some((k, m)) => {
                let alpha = k as f64 / m as f64;
                let nodes = e.corrupt.embeds.clone() + (clean.nodes.clone() - e.corrupt.embeds.clone()) * alpha;
                (Embeds { nodes, ..clean.clone() }, 1.0 / (self.rows * m) as f64)
            }
        };
        let state = match interpolation {
            None => e.clean.clone(),
            Some(_) => {
                self.engine.passes += 1;
                self.engine.model.pass(embeds, &mut Plain)
            }
        };
        let layout = self.engine.layout;
        let deltas_t = &self.deltas_t;
        let mut post = None;
        let mut qkv: Vec<Option<[Tensor<2>; 3]>> = vec![None; layout.n_layers];
        let mut mlp_in: Vec<Option<Tensor<2>>> = vec![None; layout.n_layers];
        let n = deltas_t.dims()[0];
        let before = |width: usize| deltas_t.clone().slice([0..n, 0..width]);
        receiver_grads(&self.engine.model, &state, &self.metric, self.engine.scored_rows(), |grads| match grads {
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
        self.backward_passes += 1;
        let step = Dense {
            post: post.expect("the final gradient"),
            qkv: qkv.into_iter().map(|q| q.expect("every layer")).collect(),
            mlp_in,
        };
        self.dense = Some(match self.dense.take() {
            None => step,
            Some(acc) => Dense {
                post: acc.post + step.post,
                qkv: acc.qkv.into_iter().zip(step.qkv).map(|(a, b)| [0, 1, 2].map(|x| a[x].clone() + b[x].clone())).collect(),
                mlp_in: acc.mlp_in.into_iter().zip(step.mlp_in).map(|(a, b)| a.zip(b).map(|(a, b)| a + b)).collect(),
            },
        });
    }

    /// Reads the dense sums back and gives every ADDITION edge its score.
    async fn collect(&mut self) -> Result<()> {
        let dense = self.dense.take().expect("dense sums");
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
        let layout: Layout = self.engine.layout;
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

/// `corrupt − clean` of every sender slot, `[slots, rows·d_model]` (the layout's slot order: the
/// input node(s), then per layer its heads and its MLP).
fn sender_deltas(engine: &Engine) -> Tensor<2> {
    let (clean, corrupt) = (&engine.clean, &engine.corrupt);
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

/// Reads a `[1]` tensor back (awaiting the device: required on WebGPU).
async fn read(t: Tensor<1>) -> Result<Vec<f64>> {
    read_vec(t.unsqueeze::<2>()).await
}

async fn read_vec(t: Tensor<2>) -> Result<Vec<f64>> {
    let data = t.into_data_async().await.map_err(|e| Error::Device(format!("reading scores failed: {e:?}")))?;
    let v: Vec<f32> = data.try_to_vec().map_err(|e| Error::Device(format!("{e:?}")))?;
    Ok(v.into_iter().map(f64::from).collect())
}
