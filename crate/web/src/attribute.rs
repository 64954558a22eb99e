//! Attribution for the worker: exact patching, EAP or EAP-IG as a run that steps (one edge, or one
//! forward and backward pass, at a time) so the page can show progress and stay responsive.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::acdc::busy;
use super::{Session, from_js, js_error, promise, to_js};
use circuitscope::attribute::Attribution;
use circuitscope::attribute::scores::ScoresFile;
use circuitscope::data::AcdcData;
use circuitscope::settings::RunSettings;
use circuitscope_tasks::resolve::resolve;

#[wasm_bindgen]
pub struct AttributionRun {
    run: Rc<RefCell<Attribution>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Progress {
    done_steps: usize,
    total_steps: usize,
    done: bool,
}

#[wasm_bindgen]
impl AttributionRun {
    /// Runs the clean and corrupted inputs; resolves to a run (nothing scored yet).
    pub fn start(session: &Session, settings: JsValue, data: JsValue) -> js_sys::Promise {
        let model = session.model.clone();
        promise(async move {
            let settings: RunSettings = from_js(settings, "settings")?;
            let data: Option<AcdcData> = from_js(data, "data")?;
            let resolved = resolve(&model, &settings, data)?;
            let attribute = settings.attribute(resolved.defaults, model.config.use_pos_embed)?;
            let run = Attribution::new(&model, &resolved.data, attribute).await?;
            Ok(AttributionRun { run: Rc::new(RefCell::new(run)) }.into())
        })
    }

    /// Runs up to `n` steps; resolves to `{doneSteps, totalSteps, done}`.
    pub fn step(&self, n: usize) -> js_sys::Promise {
        let run = self.run.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let mut run = run.try_borrow_mut().map_err(|_| busy())?;
            for _ in 0..n.max(1) {
                if run.is_done() {
                    break;
                }
                run.step().await.map_err(|e| JsValue::from(js_error(e)))?;
            }
            to_js(&Progress { done_steps: run.done_steps, total_steps: run.total_steps, done: run.is_done() }).map_err(JsValue::from)
        })
    }

    /// `scores.json`, as the CLI writes it.
    pub fn scores(&self, wall_time: f64) -> Result<JsValue, JsError> {
        let run = self.run.try_borrow().map_err(|_| JsError::new("the run is busy with a step"))?;
        to_js(&ScoresFile::of(&run, wall_time))
    }

    /// One score per graph edge (NaN for edges no method scores), for painting and cutting.
    #[wasm_bindgen(js_name = perEdge)]
    pub fn per_edge(&self) -> Result<Vec<f64>, JsError> {
        let run = self.run.try_borrow().map_err(|_| JsError::new("the run is busy with a step"))?;
        Ok(run.scores.clone())
    }
}
