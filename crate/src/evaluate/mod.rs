//! Judging a circuit, however it was found (docs/methods.md): its faithfulness — how much of the
//! full model's behaviour it keeps — at MIB's sizes, CPR and CMD, and ROC against a circuit known
//! by construction. It knows nothing of how the circuit was found: scores, ACDC, or a file.

pub mod faithfulness;
pub mod roc;
pub mod select;

pub use faithfulness::{CurvePoint, Faithfulness, Judge};

/// MIB's edge budgets, as fractions of the ADDITION edges.
pub const FRACTIONS: [f64; 10] = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0];

/// How many edges a fraction of `total` is (MIB: `int(fraction · total)`).
pub fn budget(fraction: f64, total: usize) -> usize {
    (fraction * total as f64).floor() as usize
}

/// Trapezoids of `ys` over `xs`: `Σ (x₂ − x₁)(y₁ + y₂)/2`.
pub fn area(xs: &[f64], ys: &[f64]) -> f64 {
    xs.windows(2).zip(ys.windows(2)).map(|(x, y)| (x[1] - x[0]) * (y[0] + y[1]) / 2.0).sum()
}
