//! On the compiled models, whose circuit is known by construction, the circuit ranked by exact
//! patching's scores is the known one (ROC AUC 1.0, as ACDC recovers it); EAP-IG's AUC is reported
//! beside it, whatever it is, because where the gradient estimate misses part of a known circuit is
//! a finding.

use circuitscope::attribute::{AttributeSettings, Attribution, Method};
use circuitscope::device::{block_on, cpu};
use circuitscope::evaluate::roc;
use circuitscope::metric::MetricKind;
use circuitscope::model::LoadedModel;
use circuitscope::patch::Ablation;
use circuitscope_rasp::ground_truth::GroundTruth;

fn auc(id: &str, method: Method) -> f64 {
    let dir = circuitscope::manifest_dir!().join("../../models").join(id);
    let model = LoadedModel::from_dir(&dir, &cpu()).unwrap();
    let data = circuitscope_rasp::data::paper_data(id, &model, None, 0).unwrap();
    let settings =
        AttributeSettings { method, steps: 5, metric: MetricKind::L2, ablation: Ablation::Zero, use_pos_embed: model.config.use_pos_embed };
    let mut run = block_on(Attribution::new(&model, &data, settings)).unwrap();
    block_on(run.run()).unwrap();
    let truth = GroundTruth::from_json(&std::fs::read_to_string(dir.join("ground_truth.json")).unwrap()).unwrap();
    let flags = truth.edge_flags(&run.graph).unwrap();
    roc::of_scores(&run.graph, &run.scores, &flags).auc
}

#[test]
fn exact_scores_rank_the_known_circuit_first_on_the_paper_tracr_models() {
    for id in ["tracr-reverse", "tracr-proportion"] {
        let exact = auc(id, Method::Exact);
        let eap_ig = auc(id, Method::EapIg);
        eprintln!("{id}: ROC AUC exact {exact:.4}, EAP-IG (m = 5) {eap_ig:.4}");
        assert_eq!(exact, 1.0, "{id}: exact patching ranks every true edge above every other");
        assert!((0.0..=1.0).contains(&eap_ig), "{id}: EAP-IG's AUC is a probability ({eap_ig})");
    }
}
