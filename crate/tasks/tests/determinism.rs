//! A trained model with a task's seeded data, through the CLI's path, gives byte-identical
//! circuit.json twice.

use circuitscope::device::{block_on, cpu};
use circuitscope::discover::{Acdc, AcdcSettings, Circuit};
use circuitscope::model::LoadedModel;

#[test]
fn a_task_run_on_a_shipped_model_gives_byte_identical_circuit_json() {
    let model = LoadedModel::from_dir(&circuitscope::manifest_dir!().join("../../models/induction-2l"), &cpu()).unwrap();
    let data = circuitscope_tasks::find("induction").unwrap().generate(&model, Some(12), 3).unwrap();
    let once = || {
        let mut acdc = block_on(Acdc::new(&model, &data, AcdcSettings { tau: 0.05, ..Default::default() })).unwrap();
        block_on(acdc.run()).unwrap();
        serde_json::to_string(&Circuit::of(&acdc, 0.0)).unwrap()
    };
    assert_eq!(once(), once());
}
