//! A compile as the page's RASP editor sees it: either the model with what to show beside it
//! (its name, tasks, residual layout and ground truth), or the error with its line and column
//! for the editor to point at. Nothing here knows about JavaScript (`web::rasp` passes it on).

use serde::Serialize;

use super::ground_truth::GroundTruth;
use super::layout::{LayoutGroup, residual_layout};
use super::{Compiled, compile_source, programs};
use circuitscope::graph::Graph;

/// The name of a model compiled from an edited program (an unedited example keeps its id).
pub const EDITED_NAME: &str = "rasp-program";

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CompileReport {
    /// The model's id: a shipped program's (`tracr-reverse`) or [`EDITED_NAME`].
    pub name: String,
    /// The tasks the model is for, the one to open first ([`programs::tasks_for`]).
    pub tasks: Vec<String>,
    pub n_layers: usize,
    pub n_heads: usize,
    pub d_model: usize,
    /// ADDITION + DIRECT_COMPUTATION edges of its ACDC graph (separate embedding nodes).
    pub graph_edges: usize,
    pub layout: Vec<LayoutGroup>,
    /// `ground_truth.json` as `circuitscope rasp compile` writes it (snake_case inside, as the file).
    pub ground_truth: GroundTruth,
}

/// Where and why a program does not compile (1-based line and column).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CompileFailure {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

/// Compiles the editor's text; the model's config names its tasks.
pub fn compile_for_page(source: &str) -> Result<(Compiled, CompileReport), CompileFailure> {
    let name = programs::id_of(source).unwrap_or(EDITED_NAME);
    let tasks = programs::tasks_for(source);
    let compiled = compile_source(source, name)
        .map_err(|e| CompileFailure { message: e.message, line: e.span.line, column: e.span.column })?
        .with_tasks(&tasks);
    let c = &compiled.config;
    let report = CompileReport {
        name: name.to_string(),
        tasks,
        n_layers: c.n_layers,
        n_heads: c.n_heads,
        d_model: c.d_model,
        graph_edges: Graph::new(c, true).counts().edges,
        layout: residual_layout(&compiled.ground_truth),
        ground_truth: compiled.ground_truth.clone(),
    };
    Ok((compiled, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reverse_example_compiles_to_the_papers_model_under_its_own_name() {
        let (compiled, report) = compile_for_page(programs::REVERSE).unwrap();
        assert_eq!(report.name, "tracr-reverse");
        assert_eq!(compiled.config.tasks, ["tracr-reverse", "tracr-program"]);
        assert_eq!((report.n_layers, report.n_heads, report.d_model, report.graph_edges), (4, 1, 40, 106));
        assert_eq!(report.ground_truth.edges.len(), 15);
        assert_eq!(report.layout.len(), 7, "two embeddings and five components");
    }

    #[test]
    fn an_error_comes_back_with_its_line_and_column() {
        let failure = compile_for_page("vocab = {1, 2}\nmax_seq_len = 3\nx = Map(x -> x +, tokens)").unwrap_err();
        assert_eq!((failure.line, failure.column), (3, 17));
        assert_eq!(failure.message, "expected an expression, found `,`");
    }

    #[test]
    fn an_edited_program_is_named_as_such() {
        let (_, report) = compile_for_page("vocab = {a, b}\nmax_seq_len = 3\nn = SelectorWidth(Select(tokens, tokens, EQ))").unwrap();
        assert_eq!((report.name.as_str(), report.tasks.as_slice()), (EDITED_NAME, ["tracr-program".to_string()].as_slice()));
    }
}
