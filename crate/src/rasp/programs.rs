//! The shipped programs (`programs/*.rasp`): the ACDC paper's two tracr tasks and three more.

pub const REVERSE: &str = include_str!("programs/reverse.rasp");
pub const FRAC_PREVS: &str = include_str!("programs/frac_prevs.rasp");
pub const HIST: &str = include_str!("programs/hist.rasp");
pub const SORT: &str = include_str!("programs/sort.rasp");
pub const X_MAJORITY: &str = include_str!("programs/x_majority.rasp");

/// Each shipped program: its model id (the folder under `models/`), its source, and the tasks
/// the model is for.
pub const ALL: [(&str, &str, &[&str]); 5] = [
    ("tracr-reverse", REVERSE, &["tracr-reverse"]),
    ("tracr-proportion", FRAC_PREVS, &["tracr-proportion"]),
    ("tracr-hist", HIST, &[]),
    ("tracr-sort", SORT, &[]),
    ("tracr-x-majority", X_MAJORITY, &[]),
];

/// A shipped program's source by model id.
pub fn by_id(id: &str) -> Option<&'static str> {
    ALL.iter().find(|(name, _, _)| *name == id).map(|(_, source, _)| *source)
}
