//! From placed components to a model in our format: the config (no LayerNorm, ReLU,
//! bidirectional, no attention scale, separate token and position embeddings) and the
//! TransformerLens-named weights, zero wherever a block has no head or MLP there.

use std::collections::BTreeMap;

use super::attention::HeadWeights;
use super::ir::{Encoding, Program};
use super::mlp::MlpWeights;
use super::residual::{BOS, Dir, Residual, UNK};
use super::value::Value;
use circuitscope::model::config::{ActFn, AttentionDir, ModelConfig, PositionalEmbeddingType};
use circuitscope::model::weights::{RawTensor, Unembed, WeightMap, expected_shapes};

/// A component at its place: a head at (`layer`, head `slot`), or an MLP at `layer` whose hidden
/// units start at `slot`.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed<T> {
    pub layer: usize,
    pub slot: usize,
    pub weights: T,
}

/// The tokenizer's words in id order: `BOS` (0), the vocabulary sorted, `[UNK]` (last).
pub fn token_words(program: &Program) -> Vec<String> {
    let mut words = vec![BOS.to_string()];
    words.extend(program.vocab.iter().map(Value::to_string));
    words.push(UNK.into());
    words
}

pub fn config(
    program: &Program,
    n_layers: usize,
    residual: &Residual,
    heads: &[Placed<HeadWeights>],
    mlps: &[Placed<MlpWeights>],
    d_vocab_out: usize,
) -> ModelConfig {
    let n_heads = heads.iter().map(|h| h.slot + 1).max().unwrap_or(1);
    let d_head = heads.iter().map(|h| h.weights.width).max().unwrap_or(1).max(1);
    let d_mlp = mlps.iter().map(|m| m.slot + m.weights.hidden).max().unwrap_or(1).max(1);
    ModelConfig {
        model_name: program.name.clone(),
        n_layers,
        n_heads,
        d_model: residual.d_model(),
        d_head,
        d_mlp: Some(d_mlp),
        d_vocab: program.vocab.len() + 2,
        d_vocab_out: Some(d_vocab_out),
        n_ctx: program.max_seq_len + 1,
        act_fn: Some(ActFn::Relu),
        normalization_type: None,
        positional_embedding_type: PositionalEmbeddingType::Standard,
        attention_dir: AttentionDir::Bidirectional,
        attn_only: false,
        eps: 1e-5,
        // The coldness is the score itself; tracr divides by √d_head at run time instead.
        use_attn_scale: false,
        use_pos_embed: true,
        tasks: vec![],
    }
}

/// Zeroed tensors of every expected shape, and a setter by multi-index.
struct Tensors(BTreeMap<String, RawTensor>);

impl Tensors {
    fn zeros(config: &ModelConfig) -> Self {
        Self(
            expected_shapes(config)
                .into_iter()
                .map(|(name, shape)| {
                    let n = shape.iter().product();
                    (name, RawTensor::new(shape, vec![0.0; n]))
                })
                .collect(),
        )
    }

    fn add(&mut self, name: &str, index: &[usize], value: f32) {
        let t = self.0.get_mut(name).unwrap_or_else(|| panic!("compiler bug: no tensor {name}"));
        let flat = index.iter().zip(&t.shape).fold(0, |acc, (i, s)| {
            assert!(i < s, "compiler bug: index {index:?} outside {name} {:?}", t.shape);
            acc * s + i
        });
        t.data[flat] += value;
    }
}

/// The model's weights. `output_dirs` are the output s-op's directions in unembedding order.
pub fn weights(
    program: &Program,
    config: &ModelConfig,
    residual: &Residual,
    heads: &[Placed<HeadWeights>],
    mlps: &[Placed<MlpWeights>],
    output_dirs: &[Dir],
) -> WeightMap {
    let mut t = Tensors::zeros(config);
    let r = |d: &Dir| residual.index(d);
    // Token embedding: its `tokens:` direction and `one`; [UNK] embeds to zero.
    let mut token_values: Vec<Value> = vec![Value::Str(BOS.into())];
    token_values.extend(program.vocab.iter().cloned());
    for (id, value) in token_values.into_iter().enumerate() {
        t.add("embed.W_E", &[id, r(&Dir::new("tokens", value))], 1.0);
        t.add("embed.W_E", &[id, r(&Dir::one())], 1.0);
    }
    // Position p > 0 is index p − 1; BOS (position 0) has no index.
    for p in 1..=program.max_seq_len {
        t.add("pos_embed.W_pos", &[p, r(&Dir::new("indices", Value::Int(p as i64 - 1)))], 1.0);
    }
    for h in heads {
        let (p, s, w) = (format!("blocks.{}.attn", h.layer), h.slot, &h.weights);
        for (matrix, entries) in [("W_Q", &w.q), ("W_K", &w.k), ("W_V", &w.v)] {
            for (d, j, x) in entries {
                t.add(&format!("{p}.{matrix}"), &[s, r(d), *j], *x);
            }
        }
        for (j, d, x) in &w.o {
            t.add(&format!("{p}.W_O"), &[s, *j, r(d)], *x);
        }
    }
    for m in mlps {
        let (p, off) = (format!("blocks.{}.mlp", m.layer), m.slot);
        for (d, i, x) in &m.weights.w_in {
            t.add(&format!("{p}.W_in"), &[r(d), off + i], *x);
        }
        for (i, d, x) in &m.weights.w_out {
            t.add(&format!("{p}.W_out"), &[off + i, r(d)], *x);
        }
    }
    for (k, d) in output_dirs.iter().enumerate() {
        t.add("unembed.W_U", &[r(d), k], 1.0);
    }
    WeightMap { tensors: t.0, unembed: Unembed::WU }
}

/// The unembedding's columns: the output s-op's directions (one, if numerical).
pub fn output_dirs(program: &Program, sets: &[super::value_set::ValueSet]) -> Vec<Dir> {
    let out = &program.sops[program.output];
    match out.encoding {
        Encoding::Categorical => sets[program.output].iter().map(|v| Dir::new(&out.name, v.clone())).collect(),
        Encoding::Numerical => vec![Dir::scalar(&out.name)],
    }
}
