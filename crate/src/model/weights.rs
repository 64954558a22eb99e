//! Reading a safetensors file into named f32 arrays, and checking every name and shape against the
//! config before anything reaches the device, so a mismatched or truncated file fails with a
//! message that names the key, the expected and the found shape (nanoGPT's `from_pretrained`).

use std::collections::BTreeMap;

use safetensors::{Dtype, SafeTensors};

use super::config::{ModelConfig, NormalizationType};
use crate::error::{Error, Result};

/// One tensor as read from disk: row-major f32 values and their shape.
#[derive(Debug, Clone, PartialEq)]
pub struct RawTensor {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

impl RawTensor {
    pub fn new(shape: Vec<usize>, data: Vec<f32>) -> Self {
        debug_assert_eq!(shape.iter().product::<usize>(), data.len());
        Self { shape, data }
    }

    /// A `[rows, cols]` matrix as `[cols, rows]`.
    pub fn transposed(&self) -> Self {
        let (rows, cols) = (self.shape[0], self.shape[1]);
        let mut data = vec![0.0; self.data.len()];
        for (r, row) in self.data.chunks_exact(cols).enumerate() {
            for (c, &x) in row.iter().enumerate() {
                data[c * rows + r] = x;
            }
        }
        Self::new(vec![cols, rows], data)
    }
}

/// Named tensors in TransformerLens state-dict names (`embed.W_E`, `blocks.0.attn.W_Q`, …).
#[derive(Debug, Clone, Default)]
pub struct WeightMap {
    pub tensors: BTreeMap<String, RawTensor>,
    /// Which tensor is W_U, and in which layout.
    pub unembed: Unembed,
}

/// Where W_U is. The model keeps W_U transposed (`[d_vocab_out, d_model]`,
/// `Transformer::w_u_t`), which is the layout a Hugging Face checkpoint holds: taking that as it
/// is spares GPT-2 small two transpositions of 154 MB at load (to TransformerLens's
/// `[d_model, d_vocab_out]` and back), and a tied one its copy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Unembed {
    /// `unembed.W_U`, `[d_model, d_vocab_out]` (TransformerLens).
    #[default]
    WU,
    /// `lm_head.weight`, `[d_vocab_out, d_model]` (a Hugging Face checkpoint's own).
    LmHead,
    /// Tied to the embedding (GPT-2 without `lm_head`): W_U = W_Eᵀ, one tensor for both.
    TiedToEmbed,
}

/// Buffers TransformerLens and Hugging Face keep in their state dicts; not weights.
fn is_buffer(name: &str) -> bool {
    [".attn.mask", ".attn.IGNORE", ".attn.bias", ".attn.masked_bias", "rotary_sin", "rotary_cos"]
        .iter()
        .any(|suffix| name.ends_with(suffix))
}

impl WeightMap {
    /// Parses a safetensors file. Floats of any width become f32; buffers are dropped.
    pub fn from_safetensors(bytes: &[u8]) -> Result<Self> {
        let file = SafeTensors::deserialize(bytes).map_err(|e| {
            Error::Weights(format!(
                "not a valid safetensors file ({e}); it may be truncated or corrupt"
            ))
        })?;
        let mut tensors = BTreeMap::new();
        for (name, view) in file.tensors() {
            if is_buffer(&name) {
                continue;
            }
            let data = to_f32(view.dtype(), view.data())
                .ok_or_else(|| Error::Weights(format!("tensor {name}: unsupported dtype {:?}", view.dtype())))?;
            tensors.insert(name, RawTensor::new(view.shape().to_vec(), data));
        }
        Ok(Self { tensors, unembed: Unembed::WU })
    }

    /// Takes a tensor out, checking its shape.
    pub fn take(&mut self, name: &str, shape: &[usize]) -> Result<RawTensor> {
        let tensor = self
            .tensors
            .remove(name)
            .ok_or_else(|| Error::Weights(format!("missing tensor {name} (expected shape {shape:?})")))?;
        if tensor.shape != shape {
            return Err(Error::Weights(format!(
                "tensor {name}: expected shape {shape:?}, found {:?}",
                tensor.shape
            )));
        }
        Ok(tensor)
    }

    /// Checks that the file holds exactly the tensors `config` needs, with the right shapes.
    pub fn validate(&self, config: &ModelConfig) -> Result<()> {
        let mut expected = expected_shapes(config);
        if self.unembed != Unembed::WU {
            let (d, vocab_out) = (config.d_model, config.d_vocab_out());
            expected.remove("unembed.W_U");
            if self.unembed == Unembed::LmHead {
                expected.insert("lm_head.weight".into(), vec![vocab_out, d]);
            } else if config.d_vocab != vocab_out {
                return Err(Error::Weights(format!(
                    "an unembedding tied to the embedding needs d_vocab_out = d_vocab ({}), not {vocab_out}",
                    config.d_vocab
                )));
            }
        }
        for (name, shape) in &expected {
            match self.tensors.get(name) {
                None => return Err(Error::Weights(format!("missing tensor {name} (expected shape {shape:?})"))),
                Some(t) if &t.shape != shape => {
                    return Err(Error::Weights(format!(
                        "tensor {name}: expected shape {shape:?}, found {:?}",
                        t.shape
                    )));
                }
                _ => {}
            }
        }
        if let Some(extra) = self.tensors.keys().find(|k| !expected.contains_key(*k)) {
            return Err(Error::Weights(format!(
                "unexpected tensor {extra}: the config does not describe it (does config.json match these weights?)"
            )));
        }
        self.check_finite()
    }

    /// Refuses weights holding NaN or ±∞: a model with one predicts NaN for every token.
    pub fn check_finite(&self) -> Result<()> {
        for (name, tensor) in &self.tensors {
            if let Some(i) = tensor.data.iter().position(|x| !x.is_finite()) {
                let value = tensor.data[i];
                let what = if value.is_nan() { "NaN".to_string() } else { format!("{value}") };
                return Err(Error::Weights(format!(
                    "tensor {name} holds {what} (first at flat index {i} of {}): the file is damaged or the model diverged in training; it cannot run",
                    tensor.data.len()
                )));
            }
        }
        Ok(())
    }
}

/// Every tensor a model of this config has, with its TransformerLens shape.
pub fn expected_shapes(config: &ModelConfig) -> BTreeMap<String, Vec<usize>> {
    let (d, h, dh, m) = (config.d_model, config.n_heads, config.d_head, config.d_mlp());
    let mut shapes = BTreeMap::new();
    let mut add = |name: String, shape: Vec<usize>| {
        shapes.insert(name, shape);
    };
    let ln = config.normalization_type == Some(NormalizationType::Ln);
    add("embed.W_E".into(), vec![config.d_vocab, d]);
    if config.has_pos_embed() {
        add("pos_embed.W_pos".into(), vec![config.n_ctx, d]);
    }
    for l in 0..config.n_layers {
        let p = format!("blocks.{l}");
        let mut norms = vec!["ln1"];
        if !config.attn_only {
            norms.push("ln2");
        }
        if ln {
            for n in norms {
                add(format!("{p}.{n}.w"), vec![d]);
                add(format!("{p}.{n}.b"), vec![d]);
            }
        }
        for x in ["Q", "K", "V"] {
            add(format!("{p}.attn.W_{x}"), vec![h, d, dh]);
            add(format!("{p}.attn.b_{x}"), vec![h, dh]);
        }
        add(format!("{p}.attn.W_O"), vec![h, dh, d]);
        add(format!("{p}.attn.b_O"), vec![d]);
        if !config.attn_only {
            add(format!("{p}.mlp.W_in"), vec![d, m]);
            add(format!("{p}.mlp.b_in"), vec![m]);
            add(format!("{p}.mlp.W_out"), vec![m, d]);
            add(format!("{p}.mlp.b_out"), vec![d]);
        }
    }
    if ln {
        add("ln_final.w".into(), vec![d]);
        add("ln_final.b".into(), vec![d]);
    }
    add("unembed.W_U".into(), vec![d, config.d_vocab_out()]);
    add("unembed.b_U".into(), vec![config.d_vocab_out()]);
    shapes
}

fn to_f32(dtype: Dtype, bytes: &[u8]) -> Option<Vec<f32>> {
    let words = |n: usize| bytes.chunks_exact(n);
    Some(match dtype {
        Dtype::F32 => words(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect(),
        Dtype::F64 => words(8)
            .map(|b| f64::from_le_bytes(b.try_into().expect("chunk of 8")) as f32)
            .collect(),
        Dtype::BF16 => words(2).map(|b| f32::from_bits((u16::from_le_bytes([b[0], b[1]]) as u32) << 16)).collect(),
        Dtype::F16 => words(2).map(|b| f16_to_f32(u16::from_le_bytes([b[0], b[1]]))).collect(),
        _ => return None,
    })
}

/// IEEE half → single, including subnormals, infinities and NaN.
fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h >> 15) as u32) << 31;
    let exp = ((h >> 10) & 0x1f) as u32;
    let frac = (h & 0x3ff) as u32;
    let bits = match (exp, frac) {
        (0, 0) => sign,
        (0, f) => {
            // Subnormal: value = f · 2^-24.
            let v = f as f32 * (1.0 / 16_777_216.0);
            return if sign != 0 { -v } else { v };
        }
        (0x1f, f) => sign | 0x7f80_0000 | (f << 13),
        (e, f) => sign | ((e + 112) << 23) | (f << 13),
    };
    f32::from_bits(bits)
}

/// Writes named f32 tensors as a safetensors file (used by training, tests and the RASP compiler).
pub fn to_safetensors(tensors: &BTreeMap<String, RawTensor>) -> Result<Vec<u8>> {
    let bytes: Vec<(String, Vec<u8>, Vec<usize>)> = tensors
        .iter()
        .map(|(name, t)| {
            let raw = t.data.iter().flat_map(|v| v.to_le_bytes()).collect();
            (name.clone(), raw, t.shape.clone())
        })
        .collect();
    let views = bytes
        .iter()
        .map(|(name, raw, shape)| {
            safetensors::tensor::TensorView::new(Dtype::F32, shape.clone(), raw).map(|v| (name.clone(), v))
        })
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| Error::Weights(e.to_string()))?;
    safetensors::serialize(views, None).map_err(|e| Error::Weights(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> ModelConfig {
        ModelConfig::from_json(
            r#"{"n_layers":1,"n_heads":2,"d_model":4,"d_head":2,"d_vocab":5,"n_ctx":3,
                "attn_only":true,"normalization_type":"LN"}"#,
        )
        .unwrap()
    }

    fn zeros(config: &ModelConfig) -> BTreeMap<String, RawTensor> {
        expected_shapes(config)
            .into_iter()
            .map(|(k, s)| {
                let n = s.iter().product();
                (k, RawTensor::new(s, vec![0.0; n]))
            })
            .collect()
    }

    #[test]
    fn a_written_file_reads_back_and_validates() {
        let config = tiny();
        let bytes = to_safetensors(&zeros(&config)).unwrap();
        let map = WeightMap::from_safetensors(&bytes).unwrap();
        map.validate(&config).unwrap();
    }

    #[test]
    fn a_weight_that_is_nan_or_infinite_is_refused_by_name() {
        let config = crate::model::ModelConfig::attn_only_2l();
        let mut config = config;
        (config.d_model, config.d_head, config.d_vocab, config.n_ctx) = (8, 4, 10, 6);
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            let mut map = crate::model::init::random_weights(&config, 1);
            map.tensors.get_mut("blocks.1.attn.W_K").unwrap().data[5] = bad;
            let err = map.validate(&config).unwrap_err().to_string();
            assert!(err.contains("blocks.1.attn.W_K") && err.contains("index 5"), "{err}");
        }
    }

    #[test]
    fn a_truncated_file_says_so() {
        let bytes = to_safetensors(&zeros(&tiny())).unwrap();
        let err = WeightMap::from_safetensors(&bytes[..bytes.len() / 2]).unwrap_err();
        assert!(err.to_string().starts_with("weights: not a valid safetensors file"), "{err}");
    }

    #[test]
    fn a_wrong_shape_names_the_key_the_expected_and_the_found_shape() {
        let config = tiny();
        let mut tensors = zeros(&config);
        tensors.insert("blocks.0.attn.W_Q".into(), RawTensor::new(vec![2, 4, 1], vec![0.0; 8]));
        let map = WeightMap::from_safetensors(&to_safetensors(&tensors).unwrap()).unwrap();
        let err = map.validate(&config).unwrap_err();
        assert_eq!(err.to_string(), "weights: tensor blocks.0.attn.W_Q: expected shape [2, 4, 2], found [2, 4, 1]");
    }

    #[test]
    fn half_precision_converts_exactly() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert!(f16_to_f32(0x7c00).is_infinite());
    }
}
