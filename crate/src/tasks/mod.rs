//! Tasks: named, seeded generators of clean and corrupted token batches and the positions their
//! metric reads (ACDC.md §4).

pub mod induction;
