//! Diagnostics computed from real forward passes: per-head attention scores for model cards and
//! the page, and accuracy on a task's data.

pub mod heads;
