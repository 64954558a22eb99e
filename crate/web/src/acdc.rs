//! ACDC for the worker: a run that steps a few events at a time so the page can animate, pause
//! and cancel between batches, and the data and graph the page draws.

use std::cell::RefCell;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use super::{js_error, to_js, Session};
use circuitscope::discover::{Acdc, AcdcSettings, Circuit, Mode};
use circuitscope::graph::info::GraphInfo;
use circuitscope::graph::Graph;
use circuitscope::model::LoadedModel;
use circuitscope::patch::Ablation;

/// What the page sends to start a run (camelCase; the CLI's flags by other names).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunSettings {
    task: String,
    tau: f64,
    metric: Option<String>,
    #[serde(default)]
    ablation: Option<Ablation>,
    #[serde(default)]
    indices_mode: Option<Mode>,
    #[serde(default)]
    names_mode: Option<Mode>,
    #[serde(default)]
    abs_value_threshold: bool,
    #[serde(default)]
    seed: u64,
    rows: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TaskData {
    clean: Vec<Vec<u32>>,
    corrupt: Vec<Vec<u32>>,
    positions: Option<Vec<Vec<usize>>>,
    clean_text: Vec<String>,
    corrupt_text: Vec<String>,
}

fn text(model: &LoadedModel, row: &[u32]) -> String {
    row.iter().map(|&id| model.token_text(id)).collect::<Vec<_>>().join(" ")
}

/// The tasks the crate knows, with defaults and explanations.
#[wasm_bindgen(js_name = listTasks)]
pub fn list_tasks() -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct TaskInfo {
        name: &'static str,
        default_metric: circuitscope::metric::MetricKind,
        default_tau: f64,
        default_ablation: Ablation,
        default_rows: usize,
        explanation: &'static str,
    }
    let tasks: Vec<TaskInfo> = circuitscope_tasks::all()
        .into_iter()
        .map(|t| TaskInfo {
            name: t.name,
            default_metric: t.default_metric,
            default_tau: t.default_tau,
            default_ablation: circuitscope_tasks::tracr::default_ablation(t.name),
            default_rows: t.default_rows,
            explanation: t.explanation,
        })
        .collect();
    to_js(&tasks)
}

#[wasm_bindgen]
impl Session {
    /// The model's ACDC graph (separate embedding nodes when config.json says `use_pos_embed`).
    pub fn graph(&self) -> Result<JsValue, JsError> {
        let config = &self.model.config;
        to_js(&GraphInfo::of(&Graph::new(config, config.use_pos_embed)))
    }

    /// A task's dataset for this model, with the rows as text.
    #[wasm_bindgen(js_name = taskData)]
    pub fn task_data(&self, task: &str, rows: Option<usize>, seed: u32) -> Result<JsValue, JsError> {
        let model = &self.model;
        let data = circuitscope_tasks::find(task).and_then(|t| t.generate(model, rows, u64::from(seed))).map_err(js_error)?;
        to_js(&TaskData {
            clean_text: data.clean.iter().map(|r| text(model, r)).collect(),
            corrupt_text: data.corrupt.iter().map(|r| text(model, r)).collect(),
            clean: data.clean,
            corrupt: data.corrupt,
            positions: data.positions,
        })
    }

    /// One head's attention pattern `[query][key]` on one row of token ids.
    pub fn attention(&self, ids: Vec<u32>, layer: usize, head: usize) -> js_sys::Promise {
        let model = self.model.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let fail = |e: circuitscope::Error| JsValue::from(js_error(e));
            if layer >= model.config.n_layers || head >= model.config.n_heads {
                return Err(fail(circuitscope::Error::Invalid(format!("no head {layer}.{head} in this model"))));
            }
            let tokens = model.tokens(&[ids.clone()]).map_err(fail)?;
            let (_, cache) = model.transformer.run_with_cache(tokens);
            let pattern = cache
                .get(&format!("blocks.{layer}.attn.hook_pattern"))
                .ok_or_else(|| fail(circuitscope::Error::Invalid("no attention pattern recorded".into())))?
                .to_vec_async()
                .await
                .map_err(fail)?;
            let p = ids.len();
            let rows: Vec<Vec<f32>> = (0..p).map(|q| pattern[(head * p + q) * p..(head * p + q + 1) * p].to_vec()).collect();
            #[derive(Serialize)]
            struct Out {
                tokens: Vec<String>,
                pattern: Vec<Vec<f32>>,
            }
            to_js(&Out { tokens: ids.iter().map(|&i| model.token_text(i)).collect(), pattern: rows }).map_err(JsValue::from)
        })
    }
}

/// A running ACDC discovery.
#[wasm_bindgen]
pub struct AcdcRun {
    run: Rc<RefCell<Acdc>>,
}

fn busy() -> JsValue {
    JsValue::from(JsError::new("the run is busy with a previous step"))
}

#[wasm_bindgen]
impl AcdcRun {
    /// Builds the clean and corrupted caches and measures the full model; resolves to a run.
    pub fn start(session: &Session, settings: JsValue) -> js_sys::Promise {
        let model = session.model.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let fail = |e: circuitscope::Error| JsValue::from(js_error(e));
            let s: RunSettings = serde_wasm_bindgen::from_value(settings)
                .map_err(|e| fail(circuitscope::Error::Invalid(format!("settings: {e}"))))?;
            let task = circuitscope_tasks::find(&s.task).map_err(fail)?;
            let data = task.generate(&model, s.rows, s.seed).map_err(fail)?;
            let metric = match &s.metric {
                Some(m) => m.parse().map_err(fail)?,
                None => task.default_metric,
            };
            let settings = AcdcSettings {
                tau: s.tau,
                metric,
                ablation: s.ablation.unwrap_or_default(),
                indices_mode: s.indices_mode.unwrap_or_default(),
                names_mode: s.names_mode.unwrap_or_default(),
                abs_value_threshold: s.abs_value_threshold,
                use_pos_embed: model.config.use_pos_embed,
                seed: s.seed,
            };
            let mut run = Acdc::new(&model, &data, settings).await.map_err(fail)?;
            if super::backend::current().1 == "webgpu" {
                // Every WebGPU pass pays a fixed latency: evaluate several candidate edges per pass.
                run.set_batch(8);
            }
            Ok(AcdcRun { run: Rc::new(RefCell::new(run)) }.into())
        })
    }

    /// Runs up to `n` events and resolves to them; the last is `{type: "done"}` once finished.
    pub fn step(&self, n: usize) -> js_sys::Promise {
        let run = self.run.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let mut run = run.try_borrow_mut().map_err(|_| busy())?;
            let mut events = vec![];
            for _ in 0..n.max(1) {
                let event = run.step().await.map_err(|e| JsValue::from(js_error(e)))?;
                let done = matches!(event, circuitscope::discover::AcdcEvent::Done { .. });
                events.push(event);
                if done {
                    break;
                }
            }
            to_js(&events).map_err(JsValue::from)
        })
    }

    pub fn status(&self) -> Result<JsValue, JsError> {
        let run = self.run.try_borrow().map_err(|_| JsError::new("the run is busy with a step"))?;
        to_js(&run.status())
    }

    /// `circuit.json`, as the CLI writes it.
    pub fn circuit(&self, wall_time: f64) -> Result<JsValue, JsError> {
        let run = self.run.try_borrow().map_err(|_| JsError::new("the run is busy with a step"))?;
        to_js(&Circuit::of(&run, wall_time))
    }
}
