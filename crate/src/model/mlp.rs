//! The MLP: `act(x W_in + b_in) W_out + b_out`, with TransformerLens's activations.

use burn::module::Param;
use burn::prelude::*;
use burn::tensor::activation::{gelu, relu};

use super::config::{ActFn, ModelConfig};
use super::tensor_from_raw;
use super::weights::WeightMap;
use crate::error::{Error, Result};

/// What an MLP computes, named by its hooks, `[rows, …]`.
#[derive(Debug, Clone)]
pub struct MlpOutput {
    /// `mlp.hook_pre` `[rows, d_mlp]`
    pub pre: Tensor<2>,
    /// `mlp.hook_post` `[rows, d_mlp]`
    pub post: Tensor<2>,
    /// `hook_mlp_out` `[rows, d_model]`
    pub out: Tensor<2>,
}

#[derive(Module, Debug)]
pub struct Mlp {
    /// `[d_model, d_mlp]`
    pub w_in: Param<Tensor<2>>,
    pub b_in: Param<Tensor<1>>,
    /// `[d_mlp, d_model]`
    pub w_out: Param<Tensor<2>>,
    pub b_out: Param<Tensor<1>>,
    /// 0 gelu_new, 1 gelu, 2 relu (an enum cannot be a module field).
    pub act: u8,
}

impl Mlp {
    pub fn load(map: &mut WeightMap, prefix: &str, config: &ModelConfig, device: &Device) -> Result<Self> {
        let (d, m) = (config.d_model, config.d_mlp());
        let mut t2 = |name: &str, shape: [usize; 2]| -> Result<Param<Tensor<2>>> {
            Ok(Param::from_tensor(tensor_from_raw(map.take(&format!("{prefix}.{name}"), &shape)?, device)))
        };
        let (w_in, w_out) = (t2("W_in", [d, m])?, t2("W_out", [m, d])?);
        let mut t1 = |name: &str, n: usize| -> Result<Param<Tensor<1>>> {
            Ok(Param::from_tensor(tensor_from_raw(map.take(&format!("{prefix}.{name}"), &[n])?, device)))
        };
        let (b_in, b_out) = (t1("b_in", m)?, t1("b_out", d)?);
        let act = match config.act_fn.ok_or_else(|| Error::Config("act_fn is required".into()))? {
            ActFn::GeluNew => 0,
            ActFn::Gelu => 1,
            ActFn::Relu => 2,
        };
        Ok(Self { w_in, b_in, w_out, b_out, act })
    }

    /// The MLP on normalised inputs `[rows, d_model]`, with its inner activations.
    pub fn forward(&self, x: Tensor<2>) -> MlpOutput {
        let pre = x.matmul(self.w_in.val()) + self.b_in.val().unsqueeze::<2>();
        let post = match self.act {
            0 => gelu_new(pre.clone()),
            1 => gelu(pre.clone()),
            _ => relu(pre.clone()),
        };
        let out = post.clone().matmul(self.w_out.val()) + self.b_out.val().unsqueeze::<2>();
        MlpOutput { pre, post, out }
    }
}

impl Mlp {
    /// The gradient with respect to the normalised input of [`Self::forward`], given the
    /// gradient `g` `[rows, d_model]` of its output and the forward's `pre` activations.
    pub fn backward(&self, pre: Tensor<2>, g: Tensor<2>) -> Tensor<2> {
        let g_post = g.matmul(self.w_out.val().transpose());
        let slope = match self.act {
            0 => gelu_new_slope(pre),
            1 => gelu_slope(pre),
            _ => pre.greater_elem(0.0).float(),
        };
        (g_post * slope).matmul(self.w_in.val().transpose())
    }
}

/// d/dx of [`gelu_new`] (the same clamp: beyond it the tanh is flat and the term vanishes).
fn gelu_new_slope<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    let c = (2.0 / std::f64::consts::PI).sqrt();
    let x2 = x.clone() * x.clone();
    let inner = (x.clone() + x2.clone() * x.clone() * 0.044715) * c;
    let t = inner.clamp(-20.0, 20.0).tanh();
    let d_inner = (x2 * (3.0 * 0.044715) + 1.0) * c;
    (t.clone() + 1.0) * 0.5 + x * (t.clone() * t).neg().add_scalar(1.0) * d_inner * 0.5
}

/// d/dx of the erf GELU `x Φ(x)`: `Φ(x) + x φ(x)`.
fn gelu_slope<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    let phi = (x.clone() * x.clone() * -0.5).exp() / (2.0 * std::f64::consts::PI).sqrt();
    ((x.clone() / std::f64::consts::SQRT_2).erf() + 1.0) * 0.5 + x * phi
}

/// GPT-2's GELU: `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))` (on the CPU backend through
/// `cpu_math`'s vectorised exponential).
///
/// The tanh argument is clamped to ±20 first, which changes nothing in f32 (tanh is exactly ±1
/// beyond ±9.1) but keeps WGSL's `tanh` finite: on some WebGPU devices it is NaN beyond about ±89
/// (SwiftShader computes it through `exp`; cubecl guards Metal only in native macOS builds), which
/// a GPT-2 MLP input above about 12.3 reaches.
pub fn gelu_new<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    if super::cpu_math::on_cpu(&x) {
        return super::cpu_math::gelu_new(x);
    }
    let cube = x.clone() * x.clone() * x.clone();
    let inner = (x.clone() + cube * 0.044715) * (2.0 / std::f64::consts::PI).sqrt();
    x * (inner.clamp(-20.0, 20.0).tanh() + 1.0) * 0.5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gelu_new_is_the_tanh_formula_and_finite_for_large_inputs() {
        let device = crate::device::cpu();
        let xs = [-1000.0f32, -100.0, -13.0, -3.0, -0.5, 0.0, 0.5, 3.0, 13.0, 100.0, 1000.0];
        let out = gelu_new(Tensor::<1>::from_floats(xs, &device)).to_data().try_to_vec::<f32>().unwrap();
        for (x, y) in xs.iter().zip(&out) {
            let x64 = f64::from(*x);
            let inner = (2.0 / std::f64::consts::PI).sqrt() * (x64 + 0.044715 * x64.powi(3));
            let want = 0.5 * x64 * (1.0 + inner.tanh());
            assert!(y.is_finite(), "gelu_new({x}) = {y}");
            assert!((f64::from(*y) - want).abs() <= 1e-6 * want.abs().max(1.0), "gelu_new({x}) = {y}, want {want}");
        }
    }
}
