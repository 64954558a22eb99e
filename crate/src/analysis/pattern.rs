//! One head's attention pattern on one row, as the page shows it (a real forward pass).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::LoadedModel;
use crate::model::pass::Plain;

/// `pattern[query][key]`, with the row's tokens as text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AttentionPattern {
    pub tokens: Vec<String>,
    pub pattern: Vec<Vec<f32>>,
}

/// Head `layer.head`'s pattern on `ids` (read back asynchronously, as WebGPU requires).
pub async fn attention_pattern(model: &LoadedModel, ids: &[u32], layer: usize, head: usize) -> Result<AttentionPattern> {
    if layer >= model.config.n_layers || head >= model.config.n_heads {
        return Err(Error::Invalid(format!("no head {layer}.{head} in this model")));
    }
    let t = &model.transformer;
    let state = t.pass(t.embeds(model.tokens(&[ids.to_vec()])?, false, None), &mut Plain);
    let p = ids.len();
    let pattern = state.layers[layer].attended.pattern.clone().slice([head..head + 1, 0..1, 0..p, 0..p]).reshape([p * p]);
    let data = pattern.into_data_async().await.map_err(|e| Error::Device(format!("{e:?}")))?;
    let values: Vec<f32> = data.try_to_vec().map_err(|e| Error::Device(format!("{e:?}")))?;
    Ok(AttentionPattern {
        tokens: ids.iter().map(|&i| model.token_text(i)).collect(),
        pattern: values.chunks(p).map(<[f32]>::to_vec).collect(),
    })
}
