//! The compiled tracr models compute their programs exactly, have the paper's graph sizes, and
//! the folders shipped under `models/` are what the compiler writes today.

#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use circuitscope::device::cpu;
use circuitscope::graph::Graph;
use circuitscope_rasp::{self as rasp, check, programs};

fn models_dir() -> PathBuf {
    circuitscope::manifest_dir!().join("../../models")
}

#[test]
fn every_shipped_program_computes_its_output_on_every_input_up_to_its_maximum_length() {
    for (id, source, _) in programs::ALL {
        let compiled = rasp::compile_source(source, id).unwrap();
        let model = compiled.load(&cpu()).unwrap();
        let report = check::check(&compiled.program, &model).unwrap();
        assert!(report.passed(), "{id}: {:?}", report.mismatches);
        assert_eq!(report.undefined, 0, "{id}");
        let all: usize = (1..=compiled.program.max_seq_len).map(|n| compiled.program.vocab.len().pow(n as u32)).sum();
        assert_eq!(report.inputs, all, "{id}");
        match compiled.ground_truth.output.values.is_empty() {
            // Numerical: within the tolerance with room to spare.
            true => assert!(report.worst < 1e-5, "{id}: worst error {}", report.worst),
            // Categorical: the right logit wins by the full one-hot margin.
            false => assert!(report.worst > 0.99, "{id}: worst margin {}", report.worst),
        }
    }
}

#[test]
fn the_paper_models_have_the_papers_graph_sizes_and_layouts() {
    for (id, source, edges, truth, layers) in
        [("tracr-reverse", programs::REVERSE, 106, 15, 4), ("tracr-proportion", programs::FRAC_PREVS, 38, 8, 2)]
    {
        let c = rasp::compile_source(source, id).unwrap();
        assert_eq!((c.config.n_layers, c.config.n_heads), (layers, 1), "{id}");
        assert!(!c.config.attn_only && c.config.normalization_type.is_none() && c.config.use_pos_embed, "{id}");
        assert_eq!(Graph::new(&c.config, true).counts().edges, edges, "{id}");
        assert_eq!(c.ground_truth.edges.len(), truth, "{id}");
    }
}

#[test]
fn the_reverse_ground_truth_is_the_papers_fifteen_edges() {
    // acdc/tracr_task/utils.py::get_tracr_reverse_edges (receiver, sender), placeholders dropped.
    let paper = [
        ("blocks.3.hook_resid_post", "blocks.3.attn.hook_result"),
        ("blocks.3.attn.hook_q", "blocks.3.hook_q_input"),
        ("blocks.3.attn.hook_k", "blocks.3.hook_k_input"),
        ("blocks.3.attn.hook_v", "blocks.3.hook_v_input"),
        ("blocks.3.hook_q_input", "blocks.2.hook_mlp_out"),
        ("blocks.3.hook_k_input", "hook_pos_embed"),
        ("blocks.3.hook_v_input", "hook_embed"),
        ("blocks.2.hook_mlp_in", "blocks.1.hook_mlp_out"),
        ("blocks.1.hook_mlp_in", "blocks.0.hook_mlp_out"),
        ("blocks.1.hook_mlp_in", "hook_embed"),
        ("blocks.1.hook_mlp_in", "hook_pos_embed"),
        ("blocks.0.hook_mlp_in", "blocks.0.attn.hook_result"),
        ("blocks.0.hook_mlp_in", "hook_embed"),
        ("blocks.0.attn.hook_v", "blocks.0.hook_v_input"),
        ("blocks.0.hook_v_input", "hook_embed"),
    ];
    let c = rasp::compile_source(programs::REVERSE, "tracr-reverse").unwrap();
    let mut ours: Vec<(String, String)> =
        c.ground_truth.edges.iter().map(|e| (e.receiver.clone(), e.sender.clone())).collect();
    let mut theirs: Vec<(String, String)> = paper.iter().map(|(r, s)| (r.to_string(), s.to_string())).collect();
    ours.sort();
    theirs.sort();
    assert_eq!(ours, theirs);
}

#[test]
fn the_shipped_model_folders_are_what_the_compiler_writes() {
    for (id, source, tasks) in programs::ALL {
        let tasks: Vec<String> = tasks.iter().map(|t| t.to_string()).collect();
        let files = rasp::compile_source(source, id).unwrap().with_tasks(&tasks).files().unwrap();
        let dir = models_dir().join(id);
        let read = |name: &str| std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{id}/{name}: {e}"));
        let stale = "is stale: run `circuitscope rasp ship`";
        for (name, want) in [
            ("config.json", files.config_json.as_bytes()),
            ("tokenizer.json", files.tokenizer_json.as_bytes()),
            ("ground_truth.json", files.ground_truth_json.as_bytes()),
            ("program.rasp", files.program_rasp.as_bytes()),
            ("model.safetensors", &files.safetensors),
        ] {
            assert!(read(name) == want, "{id}/{name} {stale}");
        }
        // The compiler's card, then what `rasp ship` measures on the model (ACDC beside EAP-IG
        // and exact patching).
        let card = String::from_utf8(read("card.md")).unwrap();
        let measured = card.strip_prefix(files.card_md.as_str()).unwrap_or_else(|| panic!("{id}/card.md {stale}"));
        assert!(measured.starts_with("\n## ACDC beside EAP-IG and exact patching\n"), "{id}/card.md {stale}");
    }
}

#[test]
fn a_shipped_model_loads_from_its_folder_and_reverses_a_prompt() {
    let model = circuitscope::model::LoadedModel::from_dir(&models_dir().join("tracr-reverse"), &cpu()).unwrap();
    let ids = model.encode("3 1 2 2").unwrap();
    let logits = model.transformer.forward(model.tokens(&[ids]).unwrap());
    let values = logits.into_data().convert::<f32>().try_to_vec::<f32>().unwrap();
    let argmax: Vec<usize> =
        values.chunks(3).skip(1).map(|l| (0..3).max_by(|&a, &b| l[a].total_cmp(&l[b])).unwrap()).collect();
    // Logit k stands for token k + 1: "2 2 1 3".
    assert_eq!(argmax, vec![1, 1, 0, 2]);
}
