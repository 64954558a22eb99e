//! The RASP editor's wasm calls inside headless Chromium: a shipped program compiles into a
//! Session that runs its task, a broken one comes back as a value with its line and column (not
//! a thrown error) and no Session, and a program and its model agree on an input.

#![cfg(target_arch = "wasm32")]

use circuitscope::settings::RunSettings;
use circuitscope_rasp::programs;
use circuitscope_web::Session;
use serde_json::Value;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn json(value: wasm_bindgen::JsValue) -> Value {
    serde_wasm_bindgen::from_value(value).unwrap()
}

#[wasm_bindgen_test]
fn the_reverse_example_compiles_into_a_session_with_its_layout_and_ground_truth() {
    let mut compiled = Session::compile_rasp(programs::REVERSE).unwrap();
    let outcome = json(compiled.outcome());
    assert_eq!(outcome["ok"], true);
    let report = &outcome["report"];
    assert_eq!(report["name"], "tracr-reverse");
    assert_eq!(report["tasks"], serde_json::json!(["tracr-reverse", "tracr-program"]));
    assert_eq!(report["groundTruth"]["edges"].as_array().unwrap().len(), 15);
    assert_eq!(report["layout"][0]["writer"], "hook_embed");
    let session = compiled.session().expect("a Session");
    assert!(compiled.session().is_none(), "handed over once");
    assert_eq!(json(session.info().unwrap())["config"]["n_layers"], 4);
    let settings = RunSettings { task: "tracr-reverse".into(), ..Default::default() };
    let data = json(session.task_data(serde_wasm_bindgen::to_value(&settings).unwrap()).unwrap());
    assert_eq!(data["clean"].as_array().unwrap().len(), 6);
}

#[wasm_bindgen_test]
fn a_broken_program_comes_back_with_its_line_and_column_and_no_session() {
    let mut compiled = Session::compile_rasp("vocab = {1, 2}\nmax_seq_len = 3\nx = Map(x -> x +, tokens)").unwrap();
    let outcome = json(compiled.outcome());
    assert_eq!(outcome["ok"], false);
    assert_eq!((outcome["error"]["line"].as_u64(), outcome["error"]["column"].as_u64()), (Some(3), Some(17)));
    assert_eq!(outcome["error"]["message"], "expected an expression, found `,`");
    assert!(compiled.session().is_none());
}

#[wasm_bindgen_test]
async fn the_reverse_program_and_its_model_agree_on_an_input() {
    let promise = circuitscope_web::rasp_run(programs::REVERSE.into(), "3 1 2 2".into());
    let run = json(wasm_bindgen_futures::JsFuture::from(promise).await.unwrap());
    assert_eq!(run["model"], serde_json::json!(["2", "2", "1", "3"]));
    assert_eq!(run["program"], run["model"]);
    assert_eq!(run["agree"], serde_json::json!([true, true, true, true]));
}
