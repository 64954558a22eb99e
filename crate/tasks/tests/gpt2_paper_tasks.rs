//! The paper's GPT-2 datasets (models/gpt2/data, `tasks::paper_gpt2`) read through
//! models/gpt2/tokenizer.json as the reference's own prompts, with the answers those prompts
//! imply; and the `ioi` / `greater-than` tasks hand them, with the paper's metrics, to any model
//! carrying GPT-2's tokenizer (here a random 1-layer one: GPT-2 small's weights are not in the
//! repository).

#![cfg(not(target_arch = "wasm32"))]

use circuitscope::data::AcdcData;
use circuitscope::device::{block_on, cpu};
use circuitscope::discover::{Acdc, AcdcSettings};
use circuitscope::metric::MetricKind;
use circuitscope::model::init::random_weights;
use circuitscope::model::tokenizer::Tokenizer;
use circuitscope::model::{LoadedModel, ModelConfig, Transformer};
use circuitscope_tasks::{self as tasks, paper_gpt2};

fn tokenizer() -> Tokenizer {
    let path = circuitscope::manifest_dir!().join("../../models/gpt2/tokenizer.json");
    Tokenizer::from_json(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

fn text(t: &Tokenizer, ids: &[u32]) -> String {
    ids.iter().map(|&id| t.token_text(id)).collect()
}

#[test]
fn ioi_rows_spell_the_reference_s_abba_prompts_and_their_abc_corruptions() {
    let (t, d) = (tokenizer(), paper_gpt2::ioi().unwrap());
    assert_eq!(d.clean_text[0], "Then, Mary and Jeffrey went to the restaurant. Jeffrey gave a bone to");
    assert_eq!(d.corrupt_text[0], "Then, Melissa and Nicole went to the restaurant. Anthony gave a bone to");
    assert_eq!((t.token_text(d.io[0]), t.token_text(d.s[0])), (" Mary".into(), " Jeffrey".into()));
    for i in 0..d.clean.len() {
        for (ids, prompt) in [(&d.clean[i], &d.clean_text[i]), (&d.corrupt[i], &d.corrupt_text[i])] {
            assert_eq!(&text(&t, ids), prompt, "row {i}");
            assert_eq!(&t.encode(prompt).unwrap(), ids, "row {i}");
        }
        // "Then, IO and S went to the PLACE. S gave a OBJECT to": both names single tokens, IO
        // once, S twice; ABC replaces exactly those three with names from neither.
        let (io, s) = (d.io[i], d.s[i]);
        assert_ne!(io, s);
        assert!(t.token_text(io).starts_with(' ') && t.encode(&t.token_text(io)).unwrap() == [io]);
        assert_eq!((d.clean[i][2], d.clean[i][4], d.clean[i][10]), (io, s, s), "row {i}");
        let differ: Vec<usize> = (0..15).filter(|&p| d.clean[i][p] != d.corrupt[i][p]).collect();
        assert_eq!(differ, [2, 4, 10], "row {i}");
        assert!(!d.corrupt[i].contains(&io) && !d.corrupt[i].contains(&s), "row {i}");
    }
}

#[test]
fn greater_than_rows_spell_the_reference_s_year_prompts_and_corrupt_only_yy() {
    let (t, d) = (tokenizer(), paper_gpt2::greater_than().unwrap());
    assert_eq!(d.clean_text[0], "The demonstrations lasted from the year 1289 to 12");
    for (yy, &id) in d.year_tokens.iter().enumerate() {
        assert_eq!(t.token_text(id), format!("{yy:02}"));
    }
    for i in 0..d.clean.len() {
        let (clean, corrupt) = (&d.clean[i], &d.corrupt[i]);
        assert_eq!(text(&t, clean), d.clean_text[i], "row {i}");
        assert_eq!(t.encode(&d.clean_text[i]).unwrap(), *clean, "row {i}");
        // "The NOUN lasted from the year XX YY to XX": the end year's century is the start's.
        let yy = d.yy(i).unwrap();
        let century = t.token_text(clean[6]);
        assert_eq!(t.token_text(clean[9]), century, "row {i}");
        assert!(d.clean_text[i].contains(&format!("the year{century}{yy:02} to{century}")), "row {i}");
        assert!((2..=98).contains(&yy), "row {i}: the reference's years run XX02–XX98");
        let differ: Vec<usize> = (0..clean.len()).filter(|&p| clean[p] != corrupt[p]).collect();
        assert_eq!((differ, t.token_text(corrupt[d.yy_position])), (vec![d.yy_position], "01".to_string()));
    }
}

/// A random 1-layer model with GPT-2's vocabulary and tokenizer: enough for the Task API's path.
fn tiny_gpt2_vocab_model() -> LoadedModel {
    // GPT-2 small's config (vocabulary 50257, LN, learned positions), shrunk to one small layer.
    let config = ModelConfig {
        model_name: "tiny-gpt2-vocab".into(),
        n_layers: 1,
        n_heads: 2,
        d_model: 8,
        d_head: 4,
        d_mlp: None,
        attn_only: true,
        n_ctx: 16,
        ..ModelConfig::gpt2_small()
    };
    let device = cpu();
    let transformer = Transformer::load(random_weights(&config, 7), &config, &device).unwrap();
    LoadedModel { config, transformer, tokenizer: Some(tokenizer()), device }
}

/// Last-position logits `[rows][vocab]` of the clean rows.
fn last_logits(model: &LoadedModel, data: &AcdcData) -> Vec<Vec<f32>> {
    let logits = model.transformer.forward(model.tokens(&data.clean).unwrap());
    let [b, p, v] = logits.dims();
    let flat: Vec<f32> = logits.into_data().try_to_vec().unwrap();
    (0..b).map(|i| flat[((i * p) + p - 1) * v..(i * p + p) * v].to_vec()).collect()
}

fn initial_metric(model: &LoadedModel, data: &AcdcData, metric: MetricKind) -> f64 {
    let settings = AcdcSettings { metric, ..Default::default() };
    block_on(Acdc::new(model, data, settings)).unwrap().status().initial_metric
}

#[test]
fn the_tasks_give_gpt2_models_the_paper_s_rows_and_metrics() {
    let model = tiny_gpt2_vocab_model();
    let (ioi, gt) = (tasks::find("ioi").unwrap(), tasks::find("greater-than").unwrap());
    // All 100 rows by default, a prefix on request, the same for every seed.
    let all = ioi.generate(&model, None, 0).unwrap();
    assert_eq!((all.rows(), all.seq_len()), (100, 15));
    assert_eq!(all.clean, paper_gpt2::ioi().unwrap().clean);
    let four = ioi.generate(&model, Some(4), 99).unwrap();
    assert_eq!(four.clean, all.clean[..4]);
    assert!(ioi.generate(&model, Some(101), 0).unwrap_err().to_string().contains("has 100 rows"));

    // ioi: −(logit IO − logit S) at the last position, averaged (the reference's logit_diff_metric).
    let d = paper_gpt2::ioi().unwrap();
    let by_hand: f64 = last_logits(&model, &four)
        .iter()
        .enumerate()
        .map(|(i, l)| -f64::from(l[d.io[i] as usize] - l[d.s[i] as usize]))
        .sum::<f64>()
        / 4.0;
    let ours = initial_metric(&model, &four, MetricKind::LogitDiff);
    assert!((ours - by_hand).abs() < 1e-4, "logit diff {ours} vs {by_hand}");

    // greater-than: −(P(YY' > YY) − P(YY' ≤ YY)) over the 100 two-digit tokens (greaterthan_metric).
    let data = gt.generate(&model, Some(4), 0).unwrap();
    assert_eq!((data.rows(), data.seq_len()), (4, 10));
    let d = paper_gpt2::greater_than().unwrap();
    let by_hand: f64 = last_logits(&model, &data)
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let max = l.iter().cloned().fold(f32::MIN, f32::max);
            let z: f64 = l.iter().map(|&x| f64::from(x - max).exp()).sum();
            let p = |yy: usize| f64::from(l[d.year_tokens[yy] as usize] - max).exp() / z;
            let yy = d.yy(i).unwrap();
            -((yy + 1..100).map(p).sum::<f64>() - (0..=yy).map(p).sum::<f64>())
        })
        .sum::<f64>()
        / 4.0;
    let ours = initial_metric(&model, &data, MetricKind::ProbDiff);
    assert!((ours - by_hand).abs() < 1e-5, "prob diff {ours} vs {by_hand}");
    assert!(initial_metric(&model, &data, MetricKind::Kl).abs() < 1e-5, "KL of the full model is 0");
}

#[test]
fn a_word_level_model_still_gets_word_level_rows() {
    let dir = circuitscope::manifest_dir!().join("../../models/ioi");
    let model = LoadedModel::from_dir(&dir, &cpu()).unwrap();
    let data = tasks::find("ioi").unwrap().generate(&model, Some(4), 0).unwrap();
    assert_eq!(model.token_text(data.clean[0][0]), "<bos>");
}
