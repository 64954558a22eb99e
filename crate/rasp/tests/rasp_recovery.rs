//! ACDC with zero ablation and the L2 metric finds exactly the circuits the compiler built
//! (the paper reports perfect recovery on both tracr tasks), over a range of τ.

#![cfg(not(target_arch = "wasm32"))]

use circuitscope::device::cpu;
use circuitscope_rasp::{self as rasp, data, programs, recovery};

fn assert_exact(
    id: &str,
    source: &str,
    data_of: impl Fn(&circuitscope::model::LoadedModel, &rasp::ir::Program) -> circuitscope::data::AcdcData,
    taus: &[f64],
) {
    let compiled = rasp::compile_source(source, id).unwrap();
    let model = compiled.load(&cpu()).unwrap();
    let data = data_of(&model, &compiled.program);
    for point in recovery::roc(&model, &data, &compiled.ground_truth.edges, taus).unwrap() {
        assert!(point.exact, "{id} at τ = {}: missing {:?}, extra {:?}", point.tau, point.missing, point.extra);
        assert_eq!((point.tpr, point.fpr), (1.0, 0.0));
        assert!(point.final_metric.abs() < 1e-9, "{id} at τ = {}: the circuit alone is the model", point.tau);
    }
}

#[test]
fn acdc_recovers_the_reverse_circuit_exactly_at_every_tau_of_the_papers_grid() {
    let taus = recovery::paper_taus();
    assert_exact(
        "tracr-reverse",
        programs::REVERSE,
        |m, _| data::paper_data(data::REVERSE, m, None, 0).unwrap(),
        &taus,
    );
}

#[test]
fn acdc_recovers_the_proportion_circuit_exactly_from_1e_minus_5_to_1e_minus_2() {
    let taus = [1e-5, 1e-4, 1e-3, 1e-2];
    for seed in [0, 1] {
        assert_exact(
            "tracr-proportion",
            programs::FRAC_PREVS,
            |m, _| data::paper_data(data::PROPORTION, m, None, seed).unwrap(),
            &taus,
        );
    }
}

#[test]
fn acdc_recovers_the_extra_programs_circuits_exactly() {
    for (id, source) in
        [("tracr-hist", programs::HIST), ("tracr-sort", programs::SORT), ("tracr-x-majority", programs::X_MAJORITY)]
    {
        assert_exact(id, source, |_, p| data::program_data(p, 50, 0), &[1e-4, 1e-2]);
    }
}

#[test]
fn above_its_smallest_edge_effect_acdc_drops_proportion_edges_but_never_adds_one() {
    let compiled = rasp::compile_source(programs::FRAC_PREVS, "tracr-proportion").unwrap();
    let model = compiled.load(&cpu()).unwrap();
    let data = data::paper_data(data::PROPORTION, &model, None, 0).unwrap();
    let points = recovery::roc(&model, &data, &compiled.ground_truth.edges, &[0.1]).unwrap();
    assert!(points[0].tpr < 1.0, "the q and k edges change the L2 metric by less than 0.1");
    assert_eq!(points[0].false_positives, 0);
}

#[test]
fn acdc_keeps_the_bos_default_exactly_when_a_selection_can_be_empty() {
    // The first position selects nothing in both programs, so BOS's default is read there: the
    // query's `one` and the key's `tokens:BOS` (both from hook_embed) are part of the circuit.
    let programs = [
        (
            "frac-before",
            "vocab = {w, x}\nmax_seq_len = 5\nis_x = numerical(tokens == \"x\")\nf = numerical(Aggregate(Select(indices, indices, LT), is_x))",
        ),
        (
            "same-as-prev",
            "vocab = {a, b, c}\nmax_seq_len = 4\nprev_idx = indices - 1\nprev = Aggregate(Select(indices, prev_idx, EQ), tokens)\nsame = SequenceMap((x, y) -> x == y, prev, tokens)",
        ),
    ];
    for (id, source) in programs {
        let compiled = rasp::compile_source(source, id).unwrap();
        assert_eq!(compiled.ground_truth.empty_selections.len(), 1, "{id}");
        let has = |s: &str, r: &str| compiled.ground_truth.edges.iter().any(|e| e.sender == s && e.receiver == r);
        assert!(has("hook_embed", "blocks.1.hook_q_input") && has("hook_embed", "blocks.1.hook_k_input"), "{id}");
        assert_exact(id, source, |_, p| data::program_data(p, 50, 0), &[1e-5, 1e-3, 1e-2]);
    }
}
