//! ACDC for the worker: a run that steps a few events at a time so the page can animate, pause
//! and cancel between batches.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::{Session, from_js, js_error, promise, to_js};
use circuitscope::data::AcdcData;
use circuitscope::discover::{Acdc, AcdcEvent, Circuit};
use circuitscope::settings::RunSettings;
use circuitscope_tasks::resolve::resolve;

/// A running ACDC discovery.
#[wasm_bindgen]
pub struct AcdcRun {
    run: Rc<RefCell<Acdc>>,
}

pub(crate) fn busy() -> JsValue {
    JsValue::from(JsError::new("the run is busy with a previous step"))
}

#[wasm_bindgen]
impl AcdcRun {
    /// Builds the clean and corrupted caches and measures the full model; resolves to a run.
    /// `settings` is a `RunSettings`; `data` a person's own rows (`AcdcData`), or undefined for
    /// the task's.
    pub fn start(session: &Session, settings: JsValue, data: JsValue) -> js_sys::Promise {
        let model = session.model.clone();
        promise(async move {
            let settings: RunSettings = from_js(settings, "settings")?;
            let data: Option<AcdcData> = from_js(data, "data")?;
            let resolved = resolve(&model, &settings, data)?;
            let acdc = settings.acdc(resolved.defaults, model.config.use_pos_embed);
            let mut run = Acdc::new(&model, &resolved.data, acdc).await?;
            if super::backend::current().1 == "webgpu" {
                // Every WebGPU pass pays a fixed latency: evaluate several candidate edges at once.
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
                let done = matches!(event, AcdcEvent::Done { .. });
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
