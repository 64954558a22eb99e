//! Exact patching, EAP and EAP-IG scores, and the faithfulness of the circuits cut from them, held
//! to an independent implementation (tests/reference/attribution: TransformerLens hooks and torch
//! autograd in float64) on four models, three ablations and three metrics.

#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use circuitscope::attribute::{AttributeSettings, Attribution, Method};
use circuitscope::data::AcdcData;
use circuitscope::device::{block_on, cpu};
use circuitscope::discover::{Acdc, AcdcEvent, AcdcSettings};
use circuitscope::evaluate::Judge;
use circuitscope::evaluate::select::ranking;
use circuitscope::graph::EdgeName;
use circuitscope::metric::MetricKind;
use circuitscope::model::LoadedModel;
use circuitscope::patch::Ablation;
use serde::Deserialize;

fn root() -> PathBuf {
    circuitscope::manifest_dir!().parent().unwrap().to_path_buf()
}

#[derive(Deserialize)]
struct Fixture {
    model: String,
    data: String,
    method: String,
    steps: Option<usize>,
    metric: String,
    ablation: String,
    clean_metric: f64,
    ablated_metric: f64,
    edges: Vec<Scored>,
    faithfulness: Curve,
}

#[derive(Deserialize)]
struct Scored {
    #[serde(flatten)]
    edge: EdgeName,
    score: f64,
}

#[derive(Deserialize)]
struct Curve {
    points: Vec<Point>,
    cpr: f64,
    cmd: f64,
}

#[derive(Deserialize)]
struct Point {
    fraction: f64,
    n: usize,
    cut_margin: Option<f64>,
    kept: Vec<EdgeName>,
    metric: f64,
    f: f64,
}

fn fixtures() -> Vec<(PathBuf, Fixture)> {
    let dir = root().join("tests/reference/attribution");
    let mut out = vec![];
    for model in std::fs::read_dir(&dir).unwrap().flatten().filter(|e| e.path().is_dir()) {
        for file in std::fs::read_dir(model.path()).unwrap().flatten() {
            let path = file.path();
            if path.extension().is_some_and(|x| x == "json") {
                let fixture: Fixture = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                out.push((path, fixture));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 70, "the reference's fixtures are there ({})", out.len());
    out
}

fn close(a: f64, b: f64, abs: f64, rel: f64) -> bool {
    (a - b).abs() <= abs + rel * a.abs().max(b.abs())
}

#[test]
fn every_method_matches_the_reference_scores_and_faithfulness() {
    let device = cpu();
    let mut models: std::collections::HashMap<String, LoadedModel> = Default::default();
    let (mut points, mut compared) = (0, 0);
    for (path, fx) in fixtures() {
        let name = path.strip_prefix(root()).unwrap().display().to_string();
        let model = models.entry(fx.model.clone()).or_insert_with(|| LoadedModel::from_dir(&root().join(&fx.model), &device).unwrap());
        let data = AcdcData::from_json(&std::fs::read_to_string(root().join(&fx.data)).unwrap()).unwrap();
        let settings = AttributeSettings {
            method: fx.method.parse().unwrap(),
            steps: fx.steps.unwrap_or(5),
            metric: fx.metric.parse().unwrap(),
            ablation: fx.ablation.parse().unwrap(),
            use_pos_embed: model.config.use_pos_embed,
        };
        let mut run = block_on(Attribution::new(model, &data, settings.clone())).unwrap();
        block_on(run.run()).unwrap();
        let index = run.graph.edge_index();
        let max = fx.edges.iter().fold(0f64, |m, e| m.max(e.score.abs()));
        let tol = 1e-5 + 1e-3 * max;
        let mut scores = vec![f64::NAN; run.graph.edges.len()];
        for s in &fx.edges {
            let e = index[&s.edge];
            assert!((run.scores[e] - s.score).abs() <= tol, "{name}: {} scores {} here, {} in the reference", s.edge, run.scores[e], s.score);
            scores[e] = run.scores[e];
        }
        assert_eq!(fx.edges.len(), run.scores.iter().filter(|s| !s.is_nan()).count(), "{name}: every ADDITION edge, once");

        // Faithfulness: the same circuits, and their metrics, wherever the cut is not a near tie.
        let mut judge = block_on(Judge::new(model, &data, settings.metric, settings.ablation, settings.use_pos_embed)).unwrap();
        assert!(close(judge.full_metric, fx.clean_metric, 1e-5, 1e-4), "{name}: M(N) {} vs {}", judge.full_metric, fx.clean_metric);
        assert!(close(judge.empty_metric, fx.ablated_metric, 1e-5, 1e-4), "{name}: M(∅) {} vs {}", judge.empty_metric, fx.ablated_metric);
        let ranked = ranking(&judge.graph, &scores);
        let mut all_compared = true;
        for p in &fx.faithfulness.points {
            points += 1;
            if p.cut_margin.is_some_and(|m| m <= 2.0 * tol) {
                all_compared = false;
                continue;
            }
            let (point, kept) = block_on(judge.point_at(&ranked, p.fraction)).unwrap();
            assert_eq!(point.n, p.n, "{name} at {}: n", p.fraction);
            let mut ours: Vec<EdgeName> =
                (0..kept.len()).filter(|&e| kept[e] && judge.graph.edges[e].ty == circuitscope::graph::EdgeType::Addition).map(|e| EdgeName::of(&judge.graph, e)).collect();
            let mut theirs = p.kept.clone();
            ours.sort();
            theirs.sort();
            assert_eq!(ours, theirs, "{name} at {}: the pruned circuit", p.fraction);
            assert!(close(point.metric, p.metric, 1e-5, 1e-4), "{name} at {}: M(C) {} vs {}", p.fraction, point.metric, p.metric);
            assert!(close(point.f, p.f, 1e-4, 1e-4), "{name} at {}: f {} vs {}", p.fraction, point.f, p.f);
            compared += 1;
        }
        if all_compared {
            let curve = block_on(judge.curve(&scores)).unwrap();
            assert!(close(curve.cpr, fx.faithfulness.cpr, 1e-4, 1e-4), "{name}: CPR {} vs {}", curve.cpr, fx.faithfulness.cpr);
            assert!(close(curve.cmd, fx.faithfulness.cmd, 1e-4, 1e-4), "{name}: CMD {} vs {}", curve.cmd, fx.faithfulness.cmd);
        }
    }
    // Near ties (KL's all-zero EAP scores above all) cannot be compared; everything else is.
    eprintln!("faithfulness points compared: {compared} of {points}");
    assert!(compared * 4 >= points * 3, "only {compared} of {points} faithfulness points were comparable");
}

/// Exact patching's score of the first edge ACDC tests is ACDC's first Δ.
#[test]
fn exact_scores_the_first_edge_as_acdc_measures_it() {
    let dir = root().join("tests/reference/tiny");
    let model = LoadedModel::from_dir(&dir.join("model"), &cpu()).unwrap();
    let data = AcdcData::from_json(&std::fs::read_to_string(dir.join("data.json")).unwrap()).unwrap();
    for ablation in Ablation::ALL {
        let mut acdc = block_on(Acdc::new(&model, &data, AcdcSettings { tau: 0.01, ablation, ..Default::default() })).unwrap();
        let AcdcEvent::Tested { edge, metric_before, metric_after, .. } = block_on(acdc.step()).unwrap() else { panic!("an edge first") };
        let settings = AttributeSettings { method: Method::Exact, metric: MetricKind::Kl, ablation, ..Default::default() };
        let mut exact = block_on(Attribution::new(&model, &data, settings)).unwrap();
        block_on(exact.run()).unwrap();
        let delta = metric_after - metric_before;
        assert!((exact.scores[edge] - delta).abs() < 1e-6, "{ablation:?}: exact {} vs ACDC's Δ {delta}", exact.scores[edge]);
    }
}

/// Scores are sums over rows: taking the rows in chunks (as the page does when memory is short)
/// changes nothing, mean ablation's means included.
#[test]
fn gradient_scores_do_not_depend_on_the_chunks_of_rows() {
    let dir = root().join("tests/reference/tiny_mlp");
    let model = LoadedModel::from_dir(&dir.join("model"), &cpu()).unwrap();
    let data = AcdcData::from_json(&std::fs::read_to_string(dir.join("data.json")).unwrap()).unwrap();
    for (method, metric) in [(Method::Eap, MetricKind::LogitDiff), (Method::EapIg, MetricKind::Kl), (Method::EapIg, MetricKind::LogitDiff)] {
        for ablation in Ablation::ALL {
            let settings = AttributeSettings { method, steps: 3, metric, ablation, use_pos_embed: false };
            let mut whole = block_on(Attribution::with_chunks(&model, &data, settings.clone(), Some(data.rows()))).unwrap();
            block_on(whole.run()).unwrap();
            let mut chunked = block_on(Attribution::with_chunks(&model, &data, settings, Some(2))).unwrap();
            assert_eq!(chunked.total_steps, whole.total_steps * 3, "three chunks of two rows");
            block_on(chunked.run()).unwrap();
            let max = whole.scores.iter().filter(|s| !s.is_nan()).fold(0f64, |m, s| m.max(s.abs()));
            for (e, (a, b)) in whole.scores.iter().zip(&chunked.scores).enumerate() {
                assert!(a.is_nan() == b.is_nan() && (a.is_nan() || (a - b).abs() <= 1e-6 + 1e-4 * max), "{method:?} {ablation:?} edge {e}: {a} vs {b}");
            }
        }
    }
}
