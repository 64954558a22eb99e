//! Fresh random weights for a config (training starts here), and the way back from a module to
//! TransformerLens-named tensors (training ends here, in `model.safetensors`).

use burn::prelude::*;

use super::config::ModelConfig;
use super::transformer::Transformer;
use super::weights::{RawTensor, Unembed, WeightMap, expected_shapes};
use crate::error::{Error, Result};
use crate::rng::Rng;

/// Seeded random weights: matrices ~ N(0, 1/fan_in), embeddings ~ N(0, 1), biases 0, LN w 1.
pub fn random_weights(config: &ModelConfig, seed: u64) -> WeightMap {
    let mut rng = Rng::new(seed);
    let tensors = expected_shapes(config)
        .into_iter()
        .map(|(name, shape)| {
            let n: usize = shape.iter().product();
            let last = name.rsplit('.').next().unwrap_or("");
            let data = if last == "w" {
                vec![1.0; n]
            } else if last.starts_with("b_") || last == "b" {
                vec![0.0; n]
            } else {
                let fan_in = if name.ends_with("W_E") || name.ends_with("W_pos") { 1 } else { shape[shape.len() - 2] };
                let std = (1.0 / fan_in as f64).sqrt();
                (0..n).map(|_| (rng.normal() * std) as f32).collect()
            };
            (name, RawTensor::new(shape, data))
        })
        .collect();
    WeightMap { tensors, unembed: Unembed::WU }
}

fn raw<const D: usize>(t: Tensor<D>) -> Result<RawTensor> {
    let shape = t.dims().to_vec();
    let data = t.into_data().convert::<f32>().try_to_vec::<f32>().map_err(|e| Error::Device(format!("{e:?}")))?;
    Ok(RawTensor::new(shape, data))
}

impl Transformer {
    /// The module's weights under TransformerLens names (blocking read-back).
    pub fn weight_map(&self) -> Result<WeightMap> {
        let mut w = WeightMap::default();
        let mut put = |name: String, t: RawTensor| {
            w.tensors.insert(name, t);
        };
        put("embed.W_E".into(), raw(self.w_e.val())?);
        if let Some(p) = &self.w_pos {
            put("pos_embed.W_pos".into(), raw(p.val())?);
        }
        let norm = |put: &mut dyn FnMut(String, RawTensor), prefix: &str, ln: &super::layer_norm::LayerNorm| -> Result<()> {
            if let (Some(wt), Some(b)) = (&ln.w, &ln.b) {
                put(format!("{prefix}.w"), raw(wt.val())?);
                put(format!("{prefix}.b"), raw(b.val())?);
            }
            Ok(())
        };
        for (l, block) in self.blocks.iter().enumerate() {
            let p = format!("blocks.{l}");
            norm(&mut put, &format!("{p}.ln1"), &block.ln1)?;
            let a = &block.attn;
            for (x, wt, b) in [("Q", &a.w_q, &a.b_q), ("K", &a.w_k, &a.b_k), ("V", &a.w_v, &a.b_v)] {
                put(format!("{p}.attn.W_{x}"), raw(wt.val())?);
                put(format!("{p}.attn.b_{x}"), raw(b.val())?);
            }
            put(format!("{p}.attn.W_O"), raw(a.w_o.val())?);
            put(format!("{p}.attn.b_O"), raw(a.b_o.val())?);
            if let (Some(ln2), Some(mlp)) = (&block.ln2, &block.mlp) {
                norm(&mut put, &format!("{p}.ln2"), ln2)?;
                put(format!("{p}.mlp.W_in"), raw(mlp.w_in.val())?);
                put(format!("{p}.mlp.b_in"), raw(mlp.b_in.val())?);
                put(format!("{p}.mlp.W_out"), raw(mlp.w_out.val())?);
                put(format!("{p}.mlp.b_out"), raw(mlp.b_out.val())?);
            }
        }
        norm(&mut put, "ln_final", &self.ln_final)?;
        put("unembed.W_U".into(), raw(self.w_u_t.val().transpose())?);
        put("unembed.b_U".into(), raw(self.b_u.val())?);
        Ok(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_weights_load_and_export_back_unchanged() {
        let mut config = ModelConfig::attn_only_2l();
        (config.d_model, config.d_head, config.d_vocab, config.n_ctx) = (16, 2, 10, 8);
        let map = random_weights(&config, 3);
        let model = Transformer::load(map.clone(), &config, &crate::device::cpu()).unwrap();
        assert_eq!(model.weight_map().unwrap().tensors, map.tensors);
    }
}
