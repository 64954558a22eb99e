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
    ("tracr-hist", HIST, &["tracr-hist"]),
    ("tracr-sort", SORT, &["tracr-sort"]),
    ("tracr-x-majority", X_MAJORITY, &["tracr-x-majority"]),
];

/// The task of any compiled program (random inputs over its own vocabulary): the page's RASP
/// editor gives its models this task. `circuitscope-tasks` serves it.
pub const PROGRAM_TASK: &str = "tracr-program";

/// A shipped program's source by model id.
pub fn by_id(id: &str) -> Option<&'static str> {
    ALL.iter().find(|(name, _, _)| *name == id).map(|(_, source, _)| *source)
}

/// The shipped program whose source `source` is, verbatim (line endings aside): the page's editor
/// names a model compiled from an unedited example after it.
pub fn id_of(source: &str) -> Option<&'static str> {
    let normal = |s: &str| s.replace("\r\n", "\n").trim().to_string();
    let source = normal(source);
    ALL.iter().find(|(_, s, _)| normal(s) == source).map(|(id, _, _)| *id)
}

/// The tasks a model compiled from `source` is for, first the one the page opens with: a
/// shipped program's own (its paper dataset where it has one), then the task for any program.
pub fn tasks_for(source: &str) -> Vec<String> {
    let own = id_of(source).and_then(|id| ALL.iter().find(|(i, _, _)| *i == id)).map(|(_, _, t)| *t).unwrap_or(&[]);
    own.iter().map(|t| t.to_string()).chain(std::iter::once(PROGRAM_TASK.to_string())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unedited_example_keeps_its_paper_task_and_an_edited_one_gets_the_program_task() {
        assert_eq!(id_of(&format!("{REVERSE}\n\n")), Some("tracr-reverse"));
        assert_eq!(tasks_for(REVERSE), ["tracr-reverse", "tracr-program"]);
        let edited = REVERSE.replace("max_seq_len = 5", "max_seq_len = 4");
        assert_eq!(id_of(&edited), None);
        assert_eq!(tasks_for(&edited), ["tracr-program"]);
    }
}
