//! The wire types' TypeScript, generated from the Rust types (ts-rs) with their doc comments, and
//! the defaults and value lists the page needs. `www/src/generated/wire.ts` must equal what this
//! writes: the test fails when it is stale. Regenerate with
//! `UPDATE_WIRE=1 cargo test -p circuitscope-web --test wire`.

#![cfg(not(target_arch = "wasm32"))]

use ts_rs::{Config, TS};

use circuitscope::attribute::scores::{EdgeScore, ScoresFile};
use circuitscope::attribute::{AttributeSettings, KL_EAP_WARNING, Method};
use circuitscope::device::BackendChoice;
use circuitscope::discover::circuit::{Circuit, SkippedNode, TestedEdge};
use circuitscope::discover::{AcdcEvent, AcdcSettings, AcdcStatus, Mode};
use circuitscope::analysis::inspect::{EdgeAttention, HeadLogits, LensLayer, LogitLens, TokenScore};
use circuitscope::analysis::pattern::AttentionPattern;
use circuitscope::evaluate::roc::{Roc, RocPoint, TruthOverlay};
use circuitscope::graph::layout::{BoxKind, Column, DrawnBox, DrawnEdge, GraphLayout, Point};
use circuitscope::model::loaded::ModelInfo;
use circuitscope::evaluate::{CurvePoint, FRACTIONS, Faithfulness};
use circuitscope::graph::info::{EdgeInfo, GraphInfo, NodeInfo};
use circuitscope::graph::{Counts, EdgeName, EdgeType, Hook};
use circuitscope::metric::MetricKind;
use circuitscope::model::config::{ActFn, AttentionDir, ModelConfig, NormalizationType, PositionalEmbeddingType};
use circuitscope::patch::Ablation;
use circuitscope::predict::{Prediction, TokenText, TopToken};
use circuitscope::settings::{Algorithm, RunSettings};
use circuitscope_rasp::compare::InputRun;
use circuitscope_rasp::ground_truth::{ComponentInfo, GroundTruth, OutputInfo};
use circuitscope_rasp::ir::Encoding;
use circuitscope_rasp::layout::{LayoutDir, LayoutGroup};
use circuitscope_rasp::report::{CompileFailure, CompileReport};
use circuitscope_tasks::custom::{CustomRow, CustomTask, Scored};
use circuitscope_tasks::info::{TaskData, TaskInfo};

/// Every type that crosses the wasm boundary, in the order the file declares them.
fn declarations(cfg: &Config) -> Vec<String> {
    macro_rules! decls {
        ($($t:ty),* $(,)?) => { vec![$(format!("export {}", <$t as TS>::decl(cfg))),*] };
    }
    decls![
        // Settings, with the enums they take.
        Algorithm, MetricKind, Ablation, Mode, RunSettings, AcdcSettings, Method, AttributeSettings,
        // The model and its graph.
        ActFn, NormalizationType, PositionalEmbeddingType, AttentionDir, ModelConfig, BackendChoice,
        ModelInfo, Hook, EdgeType, Counts, NodeInfo, EdgeInfo, Point, BoxKind, DrawnBox, DrawnEdge, Column,
        GraphLayout, GraphInfo, EdgeName, AttentionPattern, TokenScore, LensLayer, LogitLens, HeadLogits, EdgeAttention,
        // Tasks and data.
        TaskInfo, TaskData, CustomRow, Scored, CustomTask,
        // Runs and their results.
        AcdcEvent, AcdcStatus, TestedEdge, SkippedNode, Circuit, EdgeScore, ScoresFile,
        CurvePoint, Faithfulness, RocPoint, Roc, TruthOverlay,
        // Predictions.
        TokenText, TopToken, Prediction,
        // The RASP editor.
        Encoding, OutputInfo, ComponentInfo, GroundTruth, LayoutDir, LayoutGroup, CompileReport, CompileFailure, InputRun,
    ]
}

fn generate() -> String {
    let cfg = Config::new().with_large_int("number");
    let mut out = String::from(
        "// Generated from the Rust types by crate/web/tests/wire.rs (ts-rs): do not edit.\n\
         // Regenerate with `UPDATE_WIRE=1 cargo test -p circuitscope-web --test wire`.\n\n",
    );
    for decl in declarations(&cfg) {
        out.push_str(&decl);
        out.push_str("\n\n");
    }
    let list = |names: Vec<&str>| format!("[{}] as const", names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", "));
    let json = |v: String| v;
    out.push_str(&format!(
        "/** Every algorithm, in the picker's order. */\nexport const ALGORITHMS = {};\n\n",
        list(Algorithm::ALL.iter().map(|a| a.name()).collect())
    ));
    out.push_str(&format!(
        "/** Every metric. */\nexport const METRICS = {};\n\n",
        list(MetricKind::ALL.iter().map(|m| m.name()).collect())
    ));
    out.push_str(&format!(
        "/** Every ablation. */\nexport const ABLATIONS = {};\n\n",
        list(Ablation::ALL.iter().map(|a| a.name()).collect())
    ));
    out.push_str(&format!(
        "/** ACDC's visit orders. */\nexport const VISIT_MODES = {};\n\n",
        list(Mode::ALL.iter().map(|m| m.name()).collect())
    ));
    out.push_str(&format!(
        "/** What a run's settings are when nothing is chosen (`None`s take the task's defaults). */\nexport const DEFAULT_RUN_SETTINGS: RunSettings = {};\n\n",
        json(serde_json::to_string(&RunSettings::default()).unwrap())
    ));
    out.push_str(&format!(
        "/** MIB's edge budgets, as fractions of the ADDITION edges. */\nexport const FRACTIONS = {};\n\n",
        serde_json::to_string(&FRACTIONS).unwrap()
    ));
    out.push_str(&format!(
        "/** Why EAP with KL or L2 scores every edge ≈ 0. */\nexport const KL_EAP_WARNING = {};\n",
        serde_json::to_string(KL_EAP_WARNING).unwrap()
    ));
    out
}

#[test]
fn the_generated_typescript_is_up_to_date() {
    let path = circuitscope::manifest_dir!().join("../../www/src/generated/wire.ts");
    let fresh = generate();
    if std::env::var("UPDATE_WIRE").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "www/src/generated/wire.ts is stale: run `UPDATE_WIRE=1 cargo test -p circuitscope-web --test wire` and commit it"
    );
}
