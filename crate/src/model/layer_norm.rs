//! TransformerLens's LayerNorm: centre, divide by √(mean square + eps), then scale and shift
//! (`LN`), or only centre and divide (`LNPre`), or nothing at all (`normalization_type: null`).

use burn::module::Param;
use burn::prelude::*;

use super::config::NormalizationType;
use super::weights::WeightMap;
use super::tensor_from_raw;
use crate::error::Result;

/// A LayerNorm over the last dimension of any rank (the residual `[batch, pos, d_model]`, or the
/// per-head inputs `[batch, pos, n_heads, d_model]` that ACDC patches).
#[derive(Module, Debug)]
pub struct LayerNorm {
    /// Scale `[d_model]` (LN only).
    pub w: Option<Param<Tensor<1>>>,
    /// Shift `[d_model]` (LN only).
    pub b: Option<Param<Tensor<1>>>,
    /// Whether to normalise at all (false: identity).
    pub normalize: bool,
    pub eps: f64,
}

impl LayerNorm {
    /// Loads `{prefix}.w` and `{prefix}.b` when the config has learned LayerNorms.
    pub fn load(
        map: &mut WeightMap,
        prefix: &str,
        kind: Option<NormalizationType>,
        d_model: usize,
        eps: f64,
        device: &Device,
    ) -> Result<Self> {
        let (w, b) = if kind == Some(NormalizationType::Ln) {
            let w = tensor_from_raw(map.take(&format!("{prefix}.w"), &[d_model])?, device);
            let b = tensor_from_raw(map.take(&format!("{prefix}.b"), &[d_model])?, device);
            (Some(Param::from_tensor(w)), Some(Param::from_tensor(b)))
        } else {
            (None, None)
        };
        Ok(Self { w, b, normalize: kind.is_some(), eps })
    }

    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        if !self.normalize {
            return x;
        }
        let x = x.clone() - x.mean_dim(D - 1);
        let scale = (x.clone() * x.clone()).mean_dim(D - 1).add_scalar(self.eps).sqrt();
        let x = x / scale;
        match (&self.w, &self.b) {
            (Some(w), Some(b)) => x * w.val().unsqueeze::<D>() + b.val().unsqueeze::<D>(),
            _ => x,
        }
    }
}

impl LayerNorm {
    /// The gradient with respect to the input `x` `[…, d]` of `forward(x)`, given the gradient
    /// `g` of its output (`x` may broadcast against `g`'s leading dimensions).
    pub fn backward<const D: usize>(&self, x: Tensor<D>, g: Tensor<D>) -> Tensor<D> {
        if !self.normalize {
            return g;
        }
        let centred = x.clone() - x.mean_dim(D - 1);
        let sigma = (centred.clone() * centred.clone()).mean_dim(D - 1).add_scalar(self.eps).sqrt();
        let normed = centred / sigma.clone();
        let g_normed = match &self.w {
            Some(w) => g * w.val().unsqueeze::<D>(),
            None => g,
        };
        let mean_g = g_normed.clone().mean_dim(D - 1);
        let mean_gx = (g_normed.clone() * normed.clone()).mean_dim(D - 1);
        (g_normed - mean_g - normed * mean_gx) / sigma
    }
}
