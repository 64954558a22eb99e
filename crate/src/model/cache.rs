//! Activations keyed by TransformerLens hook names (`blocks.0.attn.hook_result`, …): what
//! `run_with_cache` returns and what golden tests compare.

use std::collections::BTreeMap;

use burn::prelude::*;

/// One recorded activation. Ranks differ by hook: the residual stream is `[batch, pos, d_model]`,
/// per-head hooks add a head axis.
#[derive(Debug, Clone)]
pub enum Activation {
    Rank3(Tensor<3>),
    Rank4(Tensor<4>),
}

impl Activation {
    pub fn dims(&self) -> Vec<usize> {
        match self {
            Self::Rank3(t) => t.dims().to_vec(),
            Self::Rank4(t) => t.dims().to_vec(),
        }
    }

    /// Reads the values back to the host (blocking: native and wasm CPU only).
    pub fn to_vec(&self) -> Vec<f32> {
        match self {
            Self::Rank3(t) => t.to_data().try_to_vec::<f32>().expect("f32 activations"),
            Self::Rank4(t) => t.to_data().try_to_vec::<f32>().expect("f32 activations"),
        }
    }

    /// Reads the values back to the host, awaiting the device (required on WebGPU).
    pub async fn to_vec_async(&self) -> crate::error::Result<Vec<f32>> {
        let data = match self {
            Self::Rank3(t) => t.to_data_async().await,
            Self::Rank4(t) => t.to_data_async().await,
        }
        .map_err(|e| crate::error::Error::Device(format!("{e:?}")))?;
        data.try_to_vec::<f32>().map_err(|e| crate::error::Error::Device(format!("{e:?}")))
    }
}

/// Every hooked activation of one forward pass.
#[derive(Debug, Clone, Default)]
pub struct ActivationCache {
    pub entries: BTreeMap<String, Activation>,
}

impl ActivationCache {
    pub fn insert3(&mut self, name: impl Into<String>, t: &Tensor<3>) {
        self.entries.insert(name.into(), Activation::Rank3(t.clone()));
    }

    pub fn insert4(&mut self, name: impl Into<String>, t: &Tensor<4>) {
        self.entries.insert(name.into(), Activation::Rank4(t.clone()));
    }

    pub fn get(&self, name: &str) -> Option<&Activation> {
        self.entries.get(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }
}
