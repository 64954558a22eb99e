//! Circuit discovery. ACDC (Conmy et al. 2023) as a resumable state machine that yields one event
//! per tested edge, and the `circuit.json` it produces.

pub mod acdc;
pub mod circuit;
pub mod events;
pub mod settings;
pub mod tester;

pub use acdc::{Acdc, AcdcEvent, AcdcSettings, AcdcStatus, Mode, PassPath};
pub use circuit::Circuit;
