//! The RASP editor's calls: compile the page's text into a Session, or say where it fails (a
//! failure is a value, not a thrown `Error`, because the editor points at its line and column);
//! and run a program and its compiled model on one input, side by side.

use std::rc::Rc;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{backend, js_error, to_js, Session};
use circuitscope_rasp::compare::{compare, parse_input};
use circuitscope_rasp::ground_truth::GroundTruth;
use circuitscope_rasp::layout::residual_layout;
use circuitscope_rasp::report::{compile_for_page, CompileFailure, CompileReport};

/// `{ok: true, report}` or `{ok: false, error}`.
#[derive(Serialize)]
struct Outcome<'a> {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a CompileFailure>,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<&'a CompileReport>,
}

#[wasm_bindgen]
impl Session {
    /// Compiles `source`: `{ok: true, report}` (then the result's `session()` holds the model)
    /// or `{ok: false, error: {message, line, column}}`. Throws only when a compiled model fails
    /// to load, which would be a compiler bug.
    #[wasm_bindgen(js_name = compileRasp)]
    pub fn compile_rasp(source: &str) -> Result<Compile, JsError> {
        match compile_for_page(source) {
            Err(error) => Ok(Compile { outcome: to_js(&Outcome { ok: false, error: Some(&error), report: None })?, session: None }),
            Ok((compiled, report)) => {
                let model = compiled.load(&backend::current().0).map_err(js_error)?;
                Ok(Compile {
                    outcome: to_js(&Outcome { ok: true, error: None, report: Some(&report) })?,
                    session: Some(Session { model: Rc::new(model) }),
                })
            }
        }
    }
}

/// What `Session.compileRasp` returns: the outcome as JSON, and the Session when it compiled.
#[wasm_bindgen]
pub struct Compile {
    outcome: JsValue,
    session: Option<Session>,
}

#[wasm_bindgen]
impl Compile {
    #[wasm_bindgen(getter)]
    pub fn outcome(&self) -> JsValue {
        self.outcome.clone()
    }

    /// The compiled model's Session (once; undefined after a failure).
    pub fn session(&mut self) -> Option<Session> {
        self.session.take()
    }
}

/// The program `source` and its compiled model on `input` (words of its vocabulary, `1 2 3`):
/// resolves to `{input, output, program, model, agree}` (`rasp::compare::InputRun`). It compiles
/// `source` again rather than trust that the loaded model is its (milliseconds for the shipped
/// programs), and reads the logits back asynchronously, as WebGPU requires.
#[wasm_bindgen(js_name = raspRun)]
pub fn rasp_run(source: String, input: String) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        let fail = |e: circuitscope::Error| JsValue::from(js_error(e));
        let compiled = circuitscope_rasp::compile_source(&source, "rasp").map_err(|e| fail(e.into()))?;
        let (values, ids) = parse_input(&compiled, &input).map_err(fail)?;
        let model = compiled.load(&backend::current().0).map_err(fail)?;
        let logits = model.transformer.forward(model.tokens(&[ids]).map_err(fail)?);
        let data = logits.to_data_async().await.map_err(|e| fail(circuitscope::Error::Device(format!("{e:?}"))))?;
        let logits = data.try_to_vec::<f32>().map_err(|e| fail(circuitscope::Error::Device(format!("{e:?}"))))?;
        to_js(&compare(&compiled, &values, &logits).map_err(fail)?).map_err(JsValue::from)
    })
}

/// The residual layout of a shipped compiled model, read off its `ground_truth.json` (the text),
/// as `compileRasp` reports it for a program compiled in the page.
#[wasm_bindgen(js_name = raspLayout)]
pub fn rasp_layout(ground_truth: &str) -> Result<JsValue, JsError> {
    let truth: GroundTruth = serde_json::from_str(ground_truth)
        .map_err(|e| js_error(circuitscope::Error::Invalid(format!("ground_truth.json: {e}"))))?;
    to_js(&residual_layout(&truth))
}
