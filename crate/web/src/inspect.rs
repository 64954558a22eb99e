//! The page's "why" views, each a real forward pass: the logit lens, a head's direct effect on
//! the logits, and an edge's effect on the attention of the head it feeds.

use wasm_bindgen::prelude::*;

use super::{Session, from_js, promise, to_js_result};
use circuitscope::analysis::inspect::{edge_attention, head_logits, logit_lens};
use circuitscope::data::AcdcData;
use circuitscope::graph::Graph;
use circuitscope::settings::RunSettings;
use circuitscope_tasks::resolve::resolve;

#[wasm_bindgen]
impl Session {
    /// `LogitLens` of one row of token ids: the `k` likeliest next tokens per position and layer.
    #[wasm_bindgen(js_name = logitLens)]
    pub fn logit_lens(&self, ids: Vec<u32>, k: usize) -> js_sys::Promise {
        let model = self.model.clone();
        promise(async move { to_js_result(&logit_lens(&model, &ids, k).await?) })
    }

    /// `HeadLogits`: what head `layer.head` writes to the logits at each position of a row.
    #[wasm_bindgen(js_name = headLogits)]
    pub fn head_logits(&self, ids: Vec<u32>, layer: usize, head: usize, k: usize) -> js_sys::Promise {
        let model = self.model.clone();
        promise(async move { to_js_result(&head_logits(&model, &ids, layer, head, k).await?) })
    }

    /// `EdgeAttention`: the receiving head's attention on `row` of the settings' data (or `data`)
    /// with graph edge `edge` (into a query or key) present and removed.
    #[wasm_bindgen(js_name = edgeAttention)]
    pub fn edge_attention(&self, settings: JsValue, data: JsValue, edge: usize, row: usize) -> js_sys::Promise {
        let model = self.model.clone();
        promise(async move {
            let settings: RunSettings = from_js(settings, "settings")?;
            let data: Option<AcdcData> = from_js(data, "data")?;
            let resolved = resolve(&model, &settings, data)?;
            let ablation = settings.ablation.unwrap_or(resolved.defaults.ablation);
            let graph = Graph::new(&model.config, model.config.use_pos_embed);
            let d = &resolved.data;
            let row = row.min(d.rows() - 1);
            to_js_result(&edge_attention(&model, &graph, &d.clean, &d.corrupt, ablation, edge, row).await?)
        })
    }
}
