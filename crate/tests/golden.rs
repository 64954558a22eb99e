//! Our forward pass against TransformerLens and Hugging Face, tensor by tensor, on the CPU.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use circuitscope::model::LoadedModel;
use circuitscope::device::block_on;
use common::{check, expected, fixtures, max_abs_diff};

#[test]
fn every_golden_fixture_matches_its_reference_within_1e_4() {
    let device = circuitscope::device::cpu();
    for fixture in fixtures() {
        let report = block_on(check(&fixture, &device, 1e-4)).unwrap_or_else(|e| panic!("{e}"));
        assert!(!report.is_empty(), "{}: nothing compared", fixture.name);
        for line in report {
            println!("{line}");
        }
    }
}

/// resid_mid = resid_pre + attn_out; resid_post = resid_mid + mlp_out; Σ_h result + b_O = attn_out.
#[test]
fn the_residual_stream_identities_hold_in_every_fixture() {
    let device = circuitscope::device::cpu();
    for fixture in fixtures() {
        let model = LoadedModel::from_bytes(fixture.config, fixture.weights, None, &device).unwrap();
        let tokens = model.tokens(&expected(fixture.expected).tokens).unwrap();
        let (_, cache) = model.transformer.run_with_cache(tokens);
        let get = |name: String| cache.get(&name).map(|a| a.to_vec());
        for (l, block) in model.transformer.blocks.iter().enumerate() {
            let p = format!("blocks.{l}");
            let pre = get(format!("{p}.hook_resid_pre")).unwrap();
            let attn_out = get(format!("{p}.hook_attn_out")).unwrap();
            let post = get(format!("{p}.hook_resid_post")).unwrap();
            let mid = get(format!("{p}.hook_resid_mid")).unwrap_or_else(|| post.clone());
            let sum: Vec<f32> = pre.iter().zip(&attn_out).map(|(a, b)| a + b).collect();
            assert!(max_abs_diff(&sum, &mid) < 1e-5, "{} {p}: resid_mid", fixture.name);
            if let Some(mlp_out) = get(format!("{p}.hook_mlp_out")) {
                let sum: Vec<f32> = mid.iter().zip(&mlp_out).map(|(a, b)| a + b).collect();
                assert!(max_abs_diff(&sum, &post) < 1e-5, "{} {p}: resid_post", fixture.name);
            }
            let Some(circuitscope::model::Activation::Rank4(result)) = cache.get(&format!("{p}.attn.hook_result")) else {
                panic!("no hook_result");
            };
            let heads = result.clone().sum_dim(2).squeeze_dim::<3>(2) + block.attn.b_o.val().unsqueeze::<3>();
            let heads: Vec<f32> = heads.into_data().try_to_vec::<f32>().unwrap();
            assert!(max_abs_diff(&heads, &attn_out) < 1e-5, "{} {p}: heads + b_O", fixture.name);
        }
    }
}

#[test]
fn a_prompt_longer_than_n_ctx_is_refused_with_a_message() {
    let fixture = &fixtures()[0];
    let model = LoadedModel::from_bytes(fixture.config, fixture.weights, None, &circuitscope::device::cpu()).unwrap();
    let long = vec![vec![1u32; model.config.n_ctx + 1]];
    let err = model.tokens(&long).unwrap_err().to_string();
    assert!(err.contains("reads at most n_ctx"), "{err}");
    let err = model.tokens(&[vec![model.config.d_vocab as u32]]).unwrap_err().to_string();
    assert!(err.contains("outside the vocabulary"), "{err}");
}

#[test]
fn weights_that_do_not_match_the_config_name_the_tensor() {
    let fixture = &fixtures()[0];
    let mut value: serde_json::Value = serde_json::from_str(fixture.config).unwrap();
    value["d_vocab"] = serde_json::json!(value["d_vocab"].as_u64().unwrap() + 1);
    let err = LoadedModel::from_bytes(&value.to_string(), fixture.weights, None, &circuitscope::device::cpu()).unwrap_err();
    assert!(err.to_string().starts_with("weights: tensor embed.W_E: expected shape"), "{err}");
}

/// The Hugging Face GPT-2 fixture (tied, no `lm_head.weight`) with `lm_head` added as its own tensor.
fn hf_gpt2_with_lm_head(lm_head: impl FnOnce(&[usize], &[f32]) -> (Vec<usize>, Vec<f32>)) -> Vec<u8> {
    use safetensors::{serialize, tensor::TensorView, Dtype, SafeTensors};
    let fixture = fixtures().into_iter().find(|f| f.name == "hf_gpt2").unwrap();
    let file = SafeTensors::deserialize(fixture.weights).unwrap();
    let wte = file.tensor("transformer.wte.weight").unwrap();
    let floats: Vec<f32> = wte.data().chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap())).collect();
    let (shape, data) = lm_head(wte.shape(), &floats);
    let bytes: Vec<u8> = data.iter().flat_map(|x| x.to_le_bytes()).collect();
    let mut views: Vec<(String, TensorView)> = file.tensors();
    views.push(("lm_head.weight".into(), TensorView::new(Dtype::F32, shape, &bytes).unwrap()));
    serialize(views, None).unwrap()
}

/// A GPT-2 checkpoint's own `lm_head.weight` (`[d_vocab, d_model]`, kept in that layout) is the
/// unembedding: twice the embedding gives twice the tied model's logits (b_U is zero), and one of
/// the wrong shape is refused by name.
#[test]
fn a_gpt2_lm_head_of_its_own_is_the_unembedding() {
    let fixture = fixtures().into_iter().find(|f| f.name == "hf_gpt2").unwrap();
    let device = circuitscope::device::cpu();
    let logits = |weights: &[u8]| {
        let model = LoadedModel::from_bytes(fixture.config, weights, None, &device).unwrap();
        let tokens = model.tokens(&expected(fixture.expected).tokens).unwrap();
        model.transformer.run_with_cache(tokens).0.into_data().try_to_vec::<f32>().unwrap()
    };
    let tied = logits(fixture.weights);
    let doubled = logits(&hf_gpt2_with_lm_head(|shape, wte| (shape.to_vec(), wte.iter().map(|x| 2.0 * x).collect())));
    let twice: Vec<f32> = tied.iter().map(|x| 2.0 * x).collect();
    assert!(max_abs_diff(&doubled, &twice) < 1e-4, "{}", max_abs_diff(&doubled, &twice));

    let wrong = hf_gpt2_with_lm_head(|shape, wte| (vec![shape[0] - 1, shape[1]], wte[..wte.len() - shape[1]].to_vec()));
    let err = LoadedModel::from_bytes(fixture.config, &wrong, None, &device).unwrap_err().to_string();
    assert!(err.contains("tensor lm_head.weight: expected shape"), "{err}");
}
