//! Judging circuits in the page: faithfulness points one size at a time (the page draws the curve
//! as it grows), one circuit's point, and ROC against a ground truth.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::acdc::busy;
use super::{Session, from_js, js_error, promise, to_js};
use circuitscope::data::AcdcData;
use circuitscope::evaluate::select::ranking;
use circuitscope::evaluate::{Judge, roc};
use circuitscope::settings::RunSettings;
use circuitscope_rasp::ground_truth::GroundTruth;
use circuitscope_tasks::resolve::resolve;

#[wasm_bindgen]
pub struct JudgeRun {
    judge: Rc<RefCell<Judge>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PointAndCircuit {
    point: circuitscope::evaluate::CurvePoint,
    /// Per graph edge: 1 when the circuit keeps it.
    kept: Vec<u8>,
}

#[wasm_bindgen]
impl JudgeRun {
    /// The clean and corrupted runs of the settings' data, and M(N), M(∅).
    pub fn start(session: &Session, settings: JsValue, data: JsValue) -> js_sys::Promise {
        let model = session.model.clone();
        promise(async move {
            let settings: RunSettings = from_js(settings, "settings")?;
            let data: Option<AcdcData> = from_js(data, "data")?;
            let resolved = resolve(&model, &settings, data)?;
            let metric = settings.metric.unwrap_or(resolved.defaults.metric);
            let ablation = settings.ablation.unwrap_or(resolved.defaults.ablation);
            let judge = Judge::new(&model, &resolved.data, metric, ablation, model.config.use_pos_embed).await?;
            Ok(JudgeRun { judge: Rc::new(RefCell::new(judge)) }.into())
        })
    }

    #[wasm_bindgen(getter, js_name = fullMetric)]
    pub fn full_metric(&self) -> f64 {
        self.judge.borrow().full_metric
    }

    #[wasm_bindgen(getter, js_name = emptyMetric)]
    pub fn empty_metric(&self) -> f64 {
        self.judge.borrow().empty_metric
    }

    /// The circuit from `scores` (one per graph edge) at `fraction` of the ADDITION edges:
    /// resolves to `{point, kept}`.
    #[wasm_bindgen(js_name = pointAt)]
    pub fn point_at(&self, scores: Vec<f64>, fraction: f64) -> js_sys::Promise {
        let judge = self.judge.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let mut judge = judge.try_borrow_mut().map_err(|_| busy())?;
            let ranked = ranking(&judge.graph, &scores);
            let (point, kept) = judge.point_at(&ranked, fraction).await.map_err(|e| JsValue::from(js_error(e)))?;
            to_js(&PointAndCircuit { point, kept: kept.into_iter().map(u8::from).collect() }).map_err(JsValue::from)
        })
    }

    /// One circuit's point: `kept` is 1 per kept graph edge (ACDC's circuit).
    #[wasm_bindgen(js_name = pointOf)]
    pub fn point_of(&self, kept: Vec<u8>) -> js_sys::Promise {
        let judge = self.judge.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let mut judge = judge.try_borrow_mut().map_err(|_| busy())?;
            let kept: Vec<bool> = kept.into_iter().map(|k| k != 0).collect();
            let point = judge.point_of(&kept).await.map_err(|e| JsValue::from(js_error(e)))?;
            to_js(&point).map_err(JsValue::from)
        })
    }

    /// ROC of `scores` (per graph edge) against a ground_truth.json's text.
    pub fn roc(&self, scores: Vec<f64>, ground_truth: &str) -> Result<JsValue, JsError> {
        let judge = self.judge.try_borrow().map_err(|_| JsError::new("the judge is busy"))?;
        let truth = GroundTruth::from_json(ground_truth).map_err(js_error)?.edge_flags(&judge.graph).map_err(js_error)?;
        to_js(&roc::of_scores(&judge.graph, &scores, &truth))
    }
}
