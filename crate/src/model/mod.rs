//! The transformer, with TransformerLens semantics and names: architecture (config), weights
//! (safetensors, TL and Hugging Face names), the burn module, the activation cache and the
//! tokenizer. Parts are in forward order: embed → attention → mlp → block → transformer.

pub mod attention;
pub mod block;
pub mod cache;
pub mod config;
pub mod cpu_math;
pub mod hf_gpt2;
pub mod init;
pub mod layer_norm;
pub mod loaded;
pub mod mlp;
pub mod pass;
pub mod tokenizer;
pub mod transformer;
pub mod weights;

use burn::prelude::*;

pub use cache::{Activation, ActivationCache};
pub use config::ModelConfig;
pub use loaded::LoadedModel;
pub use transformer::Transformer;
pub use weights::{RawTensor, Unembed, WeightMap};

/// Uploads a host tensor to `device`.
pub fn tensor_from_raw<const D: usize>(raw: RawTensor, device: &Device) -> Tensor<D> {
    Tensor::from_data(TensorData::new(raw.data, raw.shape), device)
}
