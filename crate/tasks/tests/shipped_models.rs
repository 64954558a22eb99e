//! Every shipped task model still loads and still does its task on fresh seeded data (a seed the
//! cards did not use), by the thresholds its card promises. Training never runs here.

#![cfg(not(target_arch = "wasm32"))]

use circuitscope_tasks::eval::{Evaluation, evaluate};
use circuitscope::device::cpu;
use circuitscope::model::LoadedModel;
use circuitscope_tasks as tasks;

fn eval(id: &str, task: &str, rows: usize) -> Evaluation {
    let dir = circuitscope::manifest_dir!().join("../../models").join(id);
    let model = LoadedModel::from_dir(&dir, &cpu()).unwrap_or_else(|e| panic!("models/{id}: {e}"));
    assert!(model.config.tasks.iter().any(|t| t == task), "models/{id} names its task");
    let task = tasks::find(task).unwrap();
    let data = task.generate(&model, Some(rows), 2024).unwrap();
    let e = evaluate(&model, &task, &data, None).unwrap();
    eprintln!("{id}: {e:?}");
    e
}

#[test]
fn induction_2l_completes_repeated_segments() {
    let e = eval("induction-2l", "induction", 40);
    assert!(e.clean_accuracy >= 0.95, "{e:?}");
    assert!(e.corrupt_accuracy <= 0.2, "{e:?}");
}

#[test]
fn greater_than_prefers_later_years_by_at_least_0_8_on_held_out_nouns() {
    let e = eval("greater-than", "greater-than", 100);
    // prob_diff is negated: −(P(later) − P(not later)).
    assert!(e.clean_metric <= -0.8, "{e:?}");
    assert!(e.corrupt_metric.abs() <= 0.3, "the 01 corruption leaves nothing to compare with: {e:?}");
}

#[test]
fn ioi_names_the_indirect_object_on_held_out_names_and_templates() {
    let e = eval("ioi", "ioi", 200);
    assert!(e.clean_accuracy >= 0.95, "{e:?}");
    assert!(e.clean_metric < -3.0, "a clear logit difference: {e:?}");
    assert!(e.corrupt_metric.abs() < 0.25 * e.clean_metric.abs(), "ABC brings it near zero: {e:?}");
}

#[test]
fn docstring_4l_names_the_next_parameter_on_held_out_names() {
    let e = eval("docstring-4l", "docstring", 200);
    assert!(e.clean_accuracy >= 0.9, "{e:?}");
    assert!(e.clean_metric < -5.0, "a clear logit difference: {e:?}");
    assert!(e.corrupt_accuracy <= 0.1, "random_random removes the answer from the prompt: {e:?}");
}

#[test]
fn a_task_the_model_has_no_words_for_is_refused_by_name() {
    let dir = circuitscope::manifest_dir!().join("../../models/greater-than");
    let model = LoadedModel::from_dir(&dir, &cpu()).unwrap();
    let err = tasks::find("ioi").unwrap().generate(&model, Some(4), 0).unwrap_err().to_string();
    assert!(err.starts_with("task ioi does not fit this model: its vocabulary lacks "), "{err}");
    assert!(err.contains("\"and\""), "{err}");
}
