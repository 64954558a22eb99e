//! The wasm-bindgen API the Web Worker calls (wasm32 only). Only this module knows about
//! JavaScript; everything it calls is tested natively. Errors become real JS `Error`s whose
//! message is the crate's own text; no path here panics on bad input.

#![cfg(target_arch = "wasm32")]

mod acdc;
mod attribute;
mod backend;
mod ctors;
mod inspect;
mod judge;
mod rasp;

use std::rc::Rc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

use circuitscope::analysis::pattern::attention_pattern;
use circuitscope::evaluate::roc::TruthOverlay;
use circuitscope::graph::Graph;
use circuitscope::graph::info::GraphInfo;
use circuitscope::metric::MetricKind;
use circuitscope::model::LoadedModel;
use circuitscope::predict::predict_async;
use circuitscope::settings::RunSettings;
use circuitscope_rasp::ground_truth::GroundTruth;
use circuitscope_tasks::custom::CustomTask;
use circuitscope_tasks::info::{TaskData, infos};
use circuitscope_tasks::resolve::resolve;

pub use acdc::AcdcRun;
pub use attribute::AttributionRun;
pub use backend::{current, init_backend};
pub use judge::JudgeRun;
pub use rasp::{rasp_run, Compile};
/// The threaded build's `initThreadPool(n)`: rayon's pool on `n` Web Workers sharing the memory.
#[cfg(target_feature = "atomics")]
pub use wasm_bindgen_rayon::init_thread_pool;

#[wasm_bindgen(start)]
pub fn start() {
    ctors::run_once();
    console_error_panic_hook::set_once();
}

pub(crate) fn js_error(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// Plain JS objects (not `Map`s) for JSON-like values.
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(js_error)
}

/// A wire type from JS (undefined → `None` for an `Option`), or an error naming `what`.
pub(crate) fn from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> circuitscope::Result<T> {
    serde_wasm_bindgen::from_value(value).map_err(|e| circuitscope::Error::Invalid(format!("{what}: {e}")))
}

/// A future of the crate's results as a JS promise that rejects with a real `Error`.
pub(crate) fn promise(
    future: impl std::future::Future<Output = circuitscope::Result<JsValue>> + 'static,
) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move { future.await.map_err(|e| JsValue::from(js_error(e))) })
}

/// The tasks the crate knows, with defaults and explanations (`TaskInfo[]`).
#[wasm_bindgen(js_name = listTasks)]
pub fn list_tasks() -> Result<JsValue, JsError> {
    to_js(&infos())
}

/// A loaded model on the backend chosen by `initBackend`.
#[wasm_bindgen]
pub struct Session {
    model: Rc<LoadedModel>,
}

#[wasm_bindgen]
impl Session {
    /// Loads `config.json` text, safetensors bytes and optional `tokenizer.json` text.
    pub fn load(config_json: &str, weights: &[u8], tokenizer_json: Option<String>) -> Result<Session, JsError> {
        let (device, _) = backend::current();
        let model = LoadedModel::from_bytes(config_json, weights, tokenizer_json.as_deref(), &device).map_err(js_error)?;
        Ok(Session { model: Rc::new(model) })
    }

    /// `ModelInfo`.
    pub fn info(&self) -> Result<JsValue, JsError> {
        to_js(&self.model.info(backend::current().1))
    }

    /// Tokenizes `prompt` and resolves to a `Prediction`.
    pub fn predict(&self, prompt: String, k: usize) -> js_sys::Promise {
        let model = self.model.clone();
        promise(async move {
            let ids = model.encode(&prompt)?;
            to_js_result(&predict_async(&model, &ids, k).await?)
        })
    }

    /// Resolves to a `Prediction` for token ids.
    #[wasm_bindgen(js_name = predictTokens)]
    pub fn predict_tokens(&self, ids: Vec<u32>, k: usize) -> js_sys::Promise {
        let model = self.model.clone();
        promise(async move { to_js_result(&predict_async(&model, &ids, k).await?) })
    }

    /// The model's ACDC graph with its layout (`GraphInfo`; separate embedding nodes when
    /// config.json says `use_pos_embed`).
    pub fn graph(&self) -> Result<JsValue, JsError> {
        let config = &self.model.config;
        to_js(&GraphInfo::of(&Graph::new(config, config.use_pos_embed)))
    }

    /// The data a run with `settings` (`RunSettings`) reads, with its rows as text (`TaskData`).
    #[wasm_bindgen(js_name = taskData)]
    pub fn task_data(&self, settings: JsValue) -> Result<JsValue, JsError> {
        let settings: RunSettings = from_js(settings, "settings").map_err(js_error)?;
        let resolved = resolve(&self.model, &settings, None).map_err(js_error)?;
        to_js(&TaskData::of(&self.model, &resolved.data))
    }

    /// A person's own task (`CustomTask`) as data for `metric`: `{data, view}` (`AcdcData`, the
    /// data.json the CLI reads, and `TaskData`). A mistake names its row.
    #[wasm_bindgen(js_name = customData)]
    pub fn custom_data(&self, task: JsValue, metric: &str) -> Result<JsValue, JsError> {
        let task: CustomTask = from_js(task, "task").map_err(js_error)?;
        let metric: MetricKind = metric.parse().map_err(js_error)?;
        let answers = !matches!(metric, MetricKind::Kl | MetricKind::L2);
        let data = task.data(&self.model, answers).map_err(js_error)?;
        #[derive(Serialize)]
        struct Out<'a> {
            data: &'a circuitscope::data::AcdcData,
            view: TaskData,
        }
        to_js(&Out { view: TaskData::of(&self.model, &data), data: &data })
    }

    /// One head's attention pattern on a row of token ids (`AttentionPattern`).
    pub fn attention(&self, ids: Vec<u32>, layer: usize, head: usize) -> js_sys::Promise {
        let model = self.model.clone();
        promise(async move { to_js_result(&attention_pattern(&model, &ids, layer, head).await?) })
    }

    /// A finished circuit (`kept`: 1 per kept graph edge) against a ground_truth.json's text
    /// (`TruthOverlay`).
    #[wasm_bindgen(js_name = truthOverlay)]
    pub fn truth_overlay(&self, kept: Vec<u8>, ground_truth: &str) -> Result<JsValue, JsError> {
        let config = &self.model.config;
        let graph = Graph::new(config, config.use_pos_embed);
        let truth = GroundTruth::from_json(ground_truth).and_then(|t| t.edge_flags(&graph)).map_err(js_error)?;
        let kept: Vec<bool> = kept.into_iter().map(|k| k != 0).collect();
        if kept.len() != graph.edges.len() {
            return Err(JsError::new(&format!("{} flags for {} edges", kept.len(), graph.edges.len())));
        }
        to_js(&TruthOverlay::of(&graph, &kept, &truth))
    }
}

fn to_js_result<T: Serialize>(value: &T) -> circuitscope::Result<JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| circuitscope::Error::Invalid(e.to_string()))
}
