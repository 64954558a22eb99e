//! The wasm-bindgen API the Web Worker calls (wasm32 only). Only this module knows about
//! JavaScript; everything it calls is tested natively. Errors become real JS `Error`s whose
//! message is the crate's own text; no path here panics on bad input.

#![cfg(target_arch = "wasm32")]

mod acdc;
mod backend;
mod rasp;

use std::rc::Rc;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use circuitscope::model::LoadedModel;
use circuitscope::predict::predict_async;

pub use acdc::{list_tasks, AcdcRun};
pub use backend::{current, init_backend};
pub use rasp::{rasp_run, Compile};

#[wasm_bindgen(start)]
pub fn start() {
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

/// A loaded model on the backend chosen by `initBackend`.
#[wasm_bindgen]
pub struct Session {
    model: Rc<LoadedModel>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Info<'a> {
    config: &'a circuitscope::model::ModelConfig,
    parameter_count: usize,
    vocab_size: Option<usize>,
    backend: &'static str,
}

#[wasm_bindgen]
impl Session {
    /// Loads `config.json` text, safetensors bytes and optional `tokenizer.json` text.
    pub fn load(config_json: &str, weights: &[u8], tokenizer_json: Option<String>) -> Result<Session, JsError> {
        let (device, _) = backend::current();
        let model = LoadedModel::from_bytes(config_json, weights, tokenizer_json.as_deref(), &device).map_err(js_error)?;
        Ok(Session { model: Rc::new(model) })
    }

    pub fn info(&self) -> Result<JsValue, JsError> {
        let config = &self.model.config;
        to_js(&Info {
            config,
            parameter_count: config.parameter_count(),
            vocab_size: self.model.tokenizer.as_ref().map(|t| t.vocab_size()),
            backend: backend::current().1,
        })
    }

    /// Tokenizes `prompt` and resolves to `{tokens, top}`.
    pub fn predict(&self, prompt: String, k: usize) -> js_sys::Promise {
        let model = self.model.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let ids = model.encode(&prompt).map_err(|e| JsValue::from(js_error(e)))?;
            predict_ids(&model, &ids, k).await
        })
    }

    /// Resolves to `{tokens, top}` for token ids.
    #[wasm_bindgen(js_name = predictTokens)]
    pub fn predict_tokens(&self, ids: Vec<u32>, k: usize) -> js_sys::Promise {
        let model = self.model.clone();
        wasm_bindgen_futures::future_to_promise(async move { predict_ids(&model, &ids, k).await })
    }
}

async fn predict_ids(model: &LoadedModel, ids: &[u32], k: usize) -> Result<JsValue, JsValue> {
    let prediction = predict_async(model, ids, k).await.map_err(|e| JsValue::from(js_error(e)))?;
    to_js(&prediction).map_err(JsValue::from)
}
