//! How much memory a run will need, estimated before anything is allocated, so that a run too
//! large for the browser (wasm32 has a 4 GB heap at most) is refused with a message that says what
//! to change, instead of a trap that kills the worker halfway.

use crate::error::{Error, Result};
use crate::model::ModelConfig;

/// What the estimate is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// ACDC, or exact patching (the incremental engine keeps a pass per circuit).
    Patching,
    /// EAP or EAP-IG: a forward pass kept for its backward pass, every sender's delta, a layer's
    /// receiver gradients.
    Gradients,
    /// One forward pass (a prediction, an attention pattern).
    Forward,
}

/// Bytes of f32 the model's weights and a run over `rows` rows of `pos` tokens need, roughly (it
/// counts the tensors a pass keeps; transient buffers add a fraction).
pub fn estimate(config: &ModelConfig, rows: usize, pos: usize, work: Work) -> f64 {
    let (l, h, d, dh, m) = (config.n_layers as f64, config.n_heads as f64, config.d_model as f64, config.d_head as f64, config.d_mlp() as f64);
    let (n, p) = ((rows * pos) as f64, pos as f64);
    let weights = config.parameter_count() as f64;
    // One pass's state per layer: inputs, q/k/v, scores and pattern, z, results, residuals, MLP.
    let layer = n * d + 3.0 * n * h * dh + 2.0 * h * rows as f64 * p * p + n * h * dh + h * n * d + 3.0 * n * d + n * (2.0 * d + 2.0 * m);
    let pass = l * layer + n * d * 2.0;
    // What removed edges carry: every sender's output and every head's q/k/v.
    let corrupt = l * (h * n * d + n * d + 3.0 * n * h * dh) + 2.0 * n * d;
    let floats = weights
        + match work {
            Work::Forward => pass,
            // Clean pass, current circuit's pass with per-head inputs, the corrupted values.
            Work::Patching => 2.0 * pass + l * 3.0 * h * n * d + corrupt,
            // A chunk: its clean pass and an interpolation step's pass, the corrupted values,
            // every sender's delta, and one layer's receiver gradients.
            Work::Gradients => 2.0 * pass + corrupt + (1.0 + l * (h + 1.0)) * n * d + 3.0 * h * n * d,
        };
    floats * 4.0 * 1.25
}

/// The most a run may take: 3.2 GB in the browser (of wasm32's 4 GB), no limit natively.
pub fn limit() -> f64 {
    if cfg!(target_arch = "wasm32") { 3.2e9 } else { f64::INFINITY }
}

/// What one chunk of a chunked computation may take: 1.5 GB in the browser, 12 GB natively.
pub fn chunk_budget() -> f64 {
    if cfg!(target_arch = "wasm32") { 1.5e9 } else { 12e9 }
}

/// The most rows (of `rows`) one chunk of `work` may hold within `budget` bytes.
pub fn rows_within(config: &ModelConfig, rows: usize, pos: usize, work: Work, budget: f64) -> Result<usize> {
    if estimate(config, 1, pos, work) > budget {
        return Err(Error::Invalid(format!(
            "even one row of {pos} tokens needs about {:.1} GB and there is {:.1} GB: the model is too large here; use the command line",
            estimate(config, 1, pos, work) / 1e9,
            budget / 1e9
        )));
    }
    let (mut lo, mut hi) = (1, rows.max(1));
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if estimate(config, mid, pos, work) <= budget { lo = mid } else { hi = mid - 1 }
    }
    Ok(lo)
}

/// [`rows_within`] this machine's chunk budget.
pub fn chunk_rows(config: &ModelConfig, rows: usize, pos: usize, work: Work) -> Result<usize> {
    rows_within(config, rows, pos, work, chunk_budget())
}

/// Refuses a run that would not fit, naming the size and what to change.
pub fn check(config: &ModelConfig, rows: usize, pos: usize, work: Work) -> Result<()> {
    check_within(config, rows, pos, work, limit())
}

/// [`check`] against `limit` bytes.
fn check_within(config: &ModelConfig, rows: usize, pos: usize, work: Work, limit: f64) -> Result<()> {
    let need = estimate(config, rows, pos, work);
    if need <= limit {
        return Ok(());
    }
    let fits = rows_within(config, rows, pos, work, limit).unwrap_or(0);
    // Says where fewer rows are set (GPT-2 small's tasks do not fit the page with their own:
    // 5.9 GB for induction's); a person's own task has as many rows as they typed.
    let advice = if fits > 0 {
        format!("use at most {fits} rows (the settings' Rows, or your own task's; on the command line --rows {fits})")
    } else {
        "the model itself is too large for the browser's memory; use the command line".to_string()
    };
    Err(Error::Invalid(format!(
        "this run needs about {:.1} GB and the page can use {:.1} GB: {advice}",
        need / 1e9,
        limit / 1e9
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpt2_smalls_hundred_ioi_rows_go_in_chunks_in_the_browser_and_whole_natively() {
        let gpt2 = ModelConfig::gpt2_small();
        let in_page = rows_within(&gpt2, 100, 15, Work::Gradients, 1.5e9).unwrap();
        assert!((1..100).contains(&in_page), "{in_page} rows per chunk");
        assert!(estimate(&gpt2, in_page, 15, Work::Gradients) <= 1.5e9);
        assert!(estimate(&gpt2, in_page + 1, 15, Work::Gradients) > 1.5e9);
        assert_eq!(rows_within(&gpt2, 100, 15, Work::Gradients, 12e9).unwrap(), 100);
        assert!(rows_within(&gpt2, 100, 15, Work::Gradients, 1e8).is_err(), "the weights alone are larger");
        // The page's limit: GPT-2 small's hundred rows are refused with where fewer can be had.
        let message = check_within(&gpt2, 100, 15, Work::Patching, 3.2e9).unwrap_err().to_string();
        let fits = rows_within(&gpt2, 100, 15, Work::Patching, 3.2e9).unwrap();
        assert!((1..100).contains(&fits), "{fits} rows fit");
        assert!(message.contains(&format!("use at most {fits} rows")), "{message}");
        assert!(message.contains("Rows") && message.contains(&format!("--rows {fits}")), "{message}");
        assert!(check(&gpt2, 100, 15, Work::Patching).is_ok(), "natively there is no limit");
        let small = crate::model::ModelConfig::attn_only_2l();
        assert!(estimate(&small, 40, 40, Work::Patching) < estimate(&small, 80, 40, Work::Patching));
    }
}
