//! Programs the compiler cannot compile are refused with the line and column of the cause.

#![cfg(not(target_arch = "wasm32"))]

use circuitscope_rasp::compile_source;

fn error(source: &str) -> String {
    compile_source(source, "t").map(|_| ()).unwrap_err().to_string()
}

const HEAD: &str = "vocab = {1, 2, 3}\nmax_seq_len = 4\n";

#[test]
fn a_numerical_selector_query_is_refused_at_its_select() {
    let e = error(&format!("{HEAD}m = numerical(tokens == 1)\nx = Aggregate(Select(indices, m, EQ), tokens)"));
    assert_eq!(e, "line 4, column 15: Select's queries must be categorical; `m` is numerical");
}

#[test]
fn a_sequence_map_of_a_numerical_s_op_is_refused() {
    let e = error(&format!("{HEAD}m = numerical(tokens == 1)\nx = m + tokens"));
    assert_eq!(e, "line 4, column 7: a SequenceMap needs categorical inputs; `m` is numerical");
}

#[test]
fn a_numerical_aggregate_of_a_categorical_value_says_how_to_fix_it() {
    let e = error(&format!("{HEAD}b = tokens == 1\nf = numerical(Aggregate(Select(indices, indices, LEQ), b))"));
    assert_eq!(e, "line 4, column 15: an Aggregate has its value's encoding: write numerical(…) where `b` is defined");
}

#[test]
fn a_numerical_map_must_produce_numbers() {
    let e = error(&format!("{HEAD}m = numerical(Map(x -> \"a\", tokens))"));
    assert_eq!(e, "line 3, column 15: numerical `m` must produce numbers, not a");
}

#[test]
fn syntax_and_name_errors_point_into_the_source() {
    assert_eq!(
        error(&format!("{HEAD}x = Map(x -> x +, tokens)")),
        "line 3, column 17: expected an expression, found `,`"
    );
    assert_eq!(error(&format!("{HEAD}x = Reverse(tokens)")).split(':').next(), Some("line 3, column 5"));
    assert_eq!(
        error(&format!("{HEAD}x = Select(tokens, tokens, LIKE)")),
        "line 3, column 28: `LIKE` is not a predicate: use EQ, LT, LEQ, GT, GEQ, NEQ, TRUE or FALSE"
    );
    assert_eq!(
        error("max_seq_len = 4\nx = tokens == 1\n"),
        "line 2, column 1: the program needs a vocabulary, as in `vocab = {1, 2, 3}`"
    );
}

#[test]
fn an_output_that_is_an_input_is_refused() {
    assert!(error(&format!("{HEAD}output = tokens")).contains("tokens and indices need no transformer"));
}
