//! Faithfulness (MIB, 2025): `f(C) = (M(C) − M(∅)) / (M(N) − M(∅))`, N the full model, ∅ every
//! edge ablated; 1 means the circuit does what the model does, 0 what nothing does. A curve over
//! MIB's sizes of the circuits from scores, and its areas: CPR (under f) and CMD (under |1 − f|).

use serde::{Deserialize, Serialize};

use super::select::{ranking, top_n};
use super::{FRACTIONS, area, budget};
use crate::data::AcdcData;
use crate::error::{Error, Result};
use crate::graph::{EdgeType, Graph};
use crate::metric::{Metric, MetricKind};
use crate::model::LoadedModel;
use crate::patch::Ablation;
use crate::patch::engine::Engine;
use crate::patch::mask::PatchMask;

/// One circuit on the curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CurvePoint {
    /// The budget, as a fraction of the ADDITION edges.
    pub fraction: f64,
    /// ADDITION edges asked for, and kept after pruning.
    pub n: usize,
    pub edges: usize,
    /// M(C) and f(C).
    pub metric: f64,
    pub f: f64,
}

/// A curve and its areas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Faithfulness {
    pub points: Vec<CurvePoint>,
    /// Area under f over the fractions (higher is better).
    pub cpr: f64,
    /// Area under |1 − f| (lower is better).
    pub cmd: f64,
    /// M(N) and M(∅).
    pub full_metric: f64,
    pub empty_metric: f64,
}

impl Faithfulness {
    /// The areas of `points` (which need not be all of MIB's sizes yet).
    pub fn of(points: Vec<CurvePoint>, full_metric: f64, empty_metric: f64) -> Self {
        let xs: Vec<f64> = points.iter().map(|p| p.fraction).collect();
        let f: Vec<f64> = points.iter().map(|p| p.f).collect();
        let gap: Vec<f64> = f.iter().map(|f| (1.0 - f).abs()).collect();
        Self { cpr: area(&xs, &f), cmd: area(&xs, &gap), points, full_metric, empty_metric }
    }
}

/// A dataset's clean and corrupted runs, ready to measure any circuit on it.
pub struct Judge {
    pub graph: Graph,
    engine: Engine,
    metric: Metric,
    pub full_metric: f64,
    pub empty_metric: f64,
}

impl Judge {
    pub async fn new(model: &LoadedModel, data: &AcdcData, kind: MetricKind, ablation: Ablation, use_pos_embed: bool) -> Result<Self> {
        data.validate()?;
        crate::memory::check(&model.config, data.rows(), data.seq_len(), crate::memory::Work::Patching)?;
        let graph = Graph::new(&model.config, use_pos_embed);
        let (clean, corrupt) = (model.tokens(&data.clean)?, model.tokens(&data.corrupt)?);
        let perm = data.pos_embed_perm.as_deref().filter(|_| use_pos_embed);
        let scored = Metric::index(kind, data, &model.device)?;
        let engine = Engine::new(&model.transformer, &graph, clean, corrupt, ablation, perm, scored);
        let metric = Metric::new(kind, &model.transformer, engine.clean.final_input.clone(), data)?;
        let n = graph.edges.len();
        let mut judge = Self { graph, engine, metric, full_metric: 0.0, empty_metric: 0.0 };
        judge.full_metric = judge.metric_of(&vec![true; n]).await?;
        judge.empty_metric = judge.metric_of(&vec![false; n]).await?;
        Ok(judge)
    }

    /// M(C) for the circuit whose ADDITION and DIRECT_COMPUTATION edges are those `kept` marks.
    pub async fn metric_of(&mut self, kept: &[bool]) -> Result<f64> {
        let removed: Vec<bool> = kept.iter().map(|k| !k).collect();
        let mask = PatchMask::from_removed(&self.graph, &removed);
        let rows = self.engine.final_under(&mask, false).select(0, self.engine.scored_rows().clone());
        let value = self.metric.of_rows(&self.engine.model, rows, 1);
        let data = value.into_data_async().await.map_err(|e| Error::Device(format!("reading the metric failed: {e:?}")))?;
        let v: Vec<f32> = data.try_to_vec().map_err(|e| Error::Device(format!("{e:?}")))?;
        Ok(f64::from(v[0]))
    }

    /// f of a metric value.
    pub fn f(&self, metric: f64) -> f64 {
        (metric - self.empty_metric) / (self.full_metric - self.empty_metric)
    }

    /// The ADDITION edges of the graph.
    pub fn addition_edges(&self) -> usize {
        self.graph.edges.iter().filter(|e| e.ty == EdgeType::Addition).count()
    }

    /// The point of a given circuit (ACDC's, or one from a file), at its own size.
    pub async fn point_of(&mut self, kept: &[bool]) -> Result<CurvePoint> {
        let edges = (0..self.graph.edges.len()).filter(|&e| kept[e] && self.graph.edges[e].ty == EdgeType::Addition).count();
        let metric = self.metric_of(kept).await?;
        let total = self.addition_edges();
        Ok(CurvePoint { fraction: edges as f64 / total as f64, n: edges, edges, metric, f: self.f(metric) })
    }

    /// The circuit from `scores` (per graph edge) at one of MIB's fractions, and its point.
    pub async fn point_at(&mut self, ranked: &[usize], fraction: f64) -> Result<(CurvePoint, Vec<bool>)> {
        let n = budget(fraction, self.addition_edges());
        let kept = top_n(&self.graph, ranked, n);
        let mut point = self.point_of(&kept).await?;
        (point.fraction, point.n) = (fraction, n);
        Ok((point, kept))
    }

    /// The whole curve of the circuits from `scores`.
    pub async fn curve(&mut self, scores: &[f64]) -> Result<Faithfulness> {
        let ranked = ranking(&self.graph, scores);
        let mut points = vec![];
        for fraction in FRACTIONS {
            points.push(self.point_at(&ranked, fraction).await?.0);
        }
        Ok(Faithfulness::of(points, self.full_metric, self.empty_metric))
    }
}
