//! The architecture of a model, with TransformerLens's `HookedTransformerConfig` field names so
//! that a TL `cfg.to_dict()` dump is (almost) a valid `config.json`. Unknown fields are ignored.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// MLP activation (TL `act_fn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ActFn {
    /// GPT-2's tanh approximation: `0.5 x (1 + tanh(√(2/π)(x + 0.044715 x³)))`.
    GeluNew,
    /// The exact erf GELU.
    Gelu,
    Relu,
}

/// Normalisation before attention, MLP and unembedding (TL `normalization_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum NormalizationType {
    /// LayerNorm with learned weight and bias.
    #[serde(rename = "LN")]
    Ln,
    /// LayerNorm without weight and bias (as after TL's `fold_ln`).
    #[serde(rename = "LNPre")]
    LnPre,
}

/// How positions enter the model (TL `positional_embedding_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum PositionalEmbeddingType {
    /// `resid_pre = W_E[tok] + W_pos[pos]`.
    #[default]
    Standard,
    /// The position embedding is added to the queries' and keys' inputs only, never to the
    /// residual stream (the Redwood / ACDC induction model).
    Shortformer,
    /// No positional information at all.
    None,
}

/// Which keys a query may attend to (TL `attention_dir`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AttentionDir {
    #[default]
    Causal,
    Bidirectional,
}

fn default_eps() -> f64 {
    1e-5
}
fn default_true() -> bool {
    true
}

/// The most parameters a config may describe (4·10⁹: 16 GB of f32, beyond a browser's 4 GB).
pub const MAX_PARAMETERS: usize = 4_000_000_000;

/// A model's architecture. The same JSON sits beside the weights in `models/<id>/config.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ModelConfig {
    /// Shown in the page and the CLI; free text.
    #[serde(default)]
    pub model_name: String,
    pub n_layers: usize,
    pub n_heads: usize,
    pub d_model: usize,
    pub d_head: usize,
    /// Hidden width of each MLP; `None` (or ignored) when `attn_only`.
    #[serde(default)]
    pub d_mlp: Option<usize>,
    pub d_vocab: usize,
    /// Size of the unembedding's output; defaults to `d_vocab` (tracr models differ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d_vocab_out: Option<usize>,
    /// Longest sequence the positional embedding covers.
    pub n_ctx: usize,
    /// Required when the model has MLPs.
    #[serde(default)]
    pub act_fn: Option<ActFn>,
    /// `None` means no normalisation at all (tracr).
    #[serde(default)]
    pub normalization_type: Option<NormalizationType>,
    #[serde(default)]
    pub positional_embedding_type: PositionalEmbeddingType,
    #[serde(default)]
    pub attention_dir: AttentionDir,
    #[serde(default)]
    pub attn_only: bool,
    /// LayerNorm epsilon, default 1e-5.
    #[serde(default = "default_eps")]
    pub eps: f64,
    /// Divide attention scores by √d_head (default true).
    #[serde(default = "default_true")]
    pub use_attn_scale: bool,
    /// ACDC graph variant: separate `hook_embed` and `hook_pos_embed` input nodes instead of one
    /// `blocks.0.hook_resid_pre` (the tracr tasks). Not part of the forward pass.
    #[serde(default)]
    pub use_pos_embed: bool,
    /// Task ids this model is trained for (see `tasks/`); the first is the default.
    #[serde(default)]
    pub tasks: Vec<String>,
}

impl ModelConfig {
    /// Parses and validates `config.json`. Understands our format (TL names) and Hugging Face GPT-2
    /// configs (`"model_type": "gpt2"`).
    pub fn from_json(text: &str) -> Result<Self> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| Error::Config(format!("not valid JSON: {e}")))?;
        let config = if value.get("model_type").and_then(|v| v.as_str()) == Some("gpt2") {
            super::hf_gpt2::config_from_hf(&value)?
        } else {
            serde_json::from_value(value).map_err(|e| Error::Config(e.to_string()))?
        };
        config.validate()?;
        Ok(config)
    }

    /// Checks that the numbers describe a model that can exist.
    pub fn validate(&self) -> Result<()> {
        let positive = [
            ("n_layers", self.n_layers),
            ("n_heads", self.n_heads),
            ("d_model", self.d_model),
            ("d_head", self.d_head),
            ("d_vocab", self.d_vocab),
            ("n_ctx", self.n_ctx),
        ];
        for (name, value) in positive {
            if value == 0 {
                return Err(Error::Config(format!("{name} must be positive")));
            }
        }
        if !self.attn_only {
            match self.d_mlp {
                Some(0) | None => {
                    return Err(Error::Config("d_mlp must be positive unless attn_only".into()));
                }
                _ => {}
            }
            if self.act_fn.is_none() {
                return Err(Error::Config("act_fn is required unless attn_only".into()));
            }
        }
        if self.d_vocab_out == Some(0) {
            return Err(Error::Config("d_vocab_out must be positive".into()));
        }
        if !(self.eps > 0.0) {
            return Err(Error::Config("eps must be positive".into()));
        }
        // Bounds far above any model a browser (or this CLI) can hold, so that an absurd config is
        // refused here rather than by an allocation that never returns.
        let limits = [
            ("n_layers", self.n_layers, 512),
            ("n_heads", self.n_heads, 1024),
            ("d_model", self.d_model, 1 << 16),
            ("d_head", self.d_head, 1 << 14),
            ("d_mlp", self.d_mlp(), 1 << 18),
            ("d_vocab", self.d_vocab, 1 << 22),
            ("d_vocab_out", self.d_vocab_out(), 1 << 22),
            ("n_ctx", self.n_ctx, 1 << 20),
        ];
        for (name, value, max) in limits {
            if value > max {
                return Err(Error::Config(format!("{name} = {value} is larger than any model this tool can run (at most {max})")));
            }
        }
        match self.checked_parameter_count() {
            Some(n) if n <= MAX_PARAMETERS => Ok(()),
            _ => Err(Error::Config(format!("this config describes more than {MAX_PARAMETERS} parameters: too large to run"))),
        }
    }

    /// [`Self::parameter_count`] without overflow.
    fn checked_parameter_count(&self) -> Option<usize> {
        let (d, h, dh, m) = (self.d_model, self.n_heads, self.d_head, self.d_mlp());
        let mul = |a: usize, b: usize| a.checked_mul(b);
        let attn = mul(4, mul(h, mul(d, dh)?)?)?.checked_add(3 * h * dh + d)?;
        let mlp = mul(2, mul(d, m)?)?.checked_add(m + d)?;
        let per_layer = attn.checked_add(mlp)?.checked_add(4 * d)?;
        mul(self.n_layers, per_layer)?
            .checked_add(mul(self.d_vocab, d)?)?
            .checked_add(mul(self.n_ctx, d)?)?
            .checked_add(mul(d, self.d_vocab_out())?)?
            .checked_add(self.d_vocab_out() + 2 * d)
    }

    /// Output vocabulary size.
    pub fn d_vocab_out(&self) -> usize {
        self.d_vocab_out.unwrap_or(self.d_vocab)
    }

    /// MLP width, 0 when attention-only.
    pub fn d_mlp(&self) -> usize {
        if self.attn_only { 0 } else { self.d_mlp.unwrap_or(0) }
    }

    /// Whether the model has learned position embeddings (`pos_embed.W_pos`).
    pub fn has_pos_embed(&self) -> bool {
        self.positional_embedding_type != PositionalEmbeddingType::None
    }

    /// Number of scalar parameters the weights file holds.
    pub fn parameter_count(&self) -> usize {
        let (d, h, dh, m) = (self.d_model, self.n_heads, self.d_head, self.d_mlp());
        let ln = match self.normalization_type {
            Some(NormalizationType::Ln) => 2 * d,
            _ => 0,
        };
        let attn = 3 * (h * d * dh + h * dh) + h * dh * d + d;
        let mlp = if self.attn_only { 0 } else { d * m + m + m * d + d };
        let per_layer = attn + mlp + ln * if self.attn_only { 1 } else { 2 };
        let pos = if self.has_pos_embed() { self.n_ctx * d } else { 0 };
        self.d_vocab * d + pos + self.n_layers * per_layer + ln + d * self.d_vocab_out() + self.d_vocab_out()
    }

    /// The ACDC induction model's shape: 2 layers, 8 heads, attention-only, shortformer, LN.
    pub fn attn_only_2l() -> Self {
        Self::attn_only(2, "attn-only-2l")
    }

    /// The ACDC docstring model's shape: 4 layers, 8 heads, attention-only.
    pub fn attn_only_4l() -> Self {
        Self::attn_only(4, "attn-only-4l")
    }

    fn attn_only(n_layers: usize, name: &str) -> Self {
        Self {
            model_name: name.into(),
            n_layers,
            n_heads: 8,
            d_model: 512,
            d_head: 64,
            d_mlp: None,
            d_vocab: 48262,
            d_vocab_out: None,
            n_ctx: 2048,
            act_fn: None,
            normalization_type: Some(NormalizationType::Ln),
            positional_embedding_type: PositionalEmbeddingType::Shortformer,
            attention_dir: AttentionDir::Causal,
            attn_only: true,
            eps: 1e-5,
            use_attn_scale: true,
            use_pos_embed: false,
            tasks: vec![],
        }
    }

    /// GPT-2 small: 12 layers, 12 heads, d_model 768, gelu_new MLPs.
    pub fn gpt2_small() -> Self {
        Self {
            model_name: "gpt2".into(),
            n_layers: 12,
            n_heads: 12,
            d_model: 768,
            d_head: 64,
            d_mlp: Some(3072),
            d_vocab: 50257,
            d_vocab_out: None,
            n_ctx: 1024,
            act_fn: Some(ActFn::GeluNew),
            normalization_type: Some(NormalizationType::Ln),
            positional_embedding_type: PositionalEmbeddingType::Standard,
            attention_dir: AttentionDir::Causal,
            attn_only: false,
            eps: 1e-5,
            use_attn_scale: true,
            use_pos_embed: false,
            tasks: vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transformer_lens_style_config_parses_and_ignores_unknown_fields() {
        let text = r#"{"n_layers":2,"n_heads":8,"d_model":64,"d_head":8,"d_vocab":50,"n_ctx":32,
            "attn_only":true,"normalization_type":"LN","positional_embedding_type":"shortformer",
            "d_mlp":null,"act_fn":null,"seed":0,"original_architecture":"x"}"#;
        let config = ModelConfig::from_json(text).unwrap();
        assert_eq!(config.positional_embedding_type, PositionalEmbeddingType::Shortformer);
        assert_eq!(config.d_vocab_out(), 50);
        assert_eq!(config.eps, 1e-5);
    }

    #[test]
    fn a_model_with_mlps_but_no_width_is_rejected_with_a_clear_message() {
        let text = r#"{"n_layers":1,"n_heads":1,"d_model":4,"d_head":4,"d_vocab":5,"n_ctx":4,"act_fn":"relu"}"#;
        let err = ModelConfig::from_json(text).unwrap_err();
        assert_eq!(err.to_string(), "config: d_mlp must be positive unless attn_only");
    }

    #[test]
    fn absurd_sizes_are_refused_before_anything_is_allocated() {
        let text = |n_ctx: &str| format!(r#"{{"n_layers":2,"n_heads":8,"d_model":64,"d_head":8,"d_vocab":50,"n_ctx":{n_ctx},"attn_only":true}}"#);
        let err = ModelConfig::from_json(&text("1000000000")).unwrap_err().to_string();
        assert!(err.contains("n_ctx = 1000000000"), "{err}");
        let err = ModelConfig::from_json(r#"{"n_layers":500,"n_heads":1000,"d_model":65536,"d_head":16384,"d_vocab":50,"n_ctx":8,"attn_only":true}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("parameters"), "{err}");
        assert!(ModelConfig::from_json(&text("2048")).is_ok());
        assert!(ModelConfig::gpt2_small().validate().is_ok());
    }

    #[test]
    fn gpt2_small_has_its_known_parameter_count() {
        // 124,439,808 with the tied unembedding counted once; we store W_U separately (+ b_U).
        let c = ModelConfig::gpt2_small();
        assert_eq!(c.parameter_count(), 124_439_808 + 768 * 50257 + 50257);
    }
}
