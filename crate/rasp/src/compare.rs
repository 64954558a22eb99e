//! One input, two readings: what the program computes (the interpreter) and what its compiled
//! model outputs, position by position, so the page's editor can show a student that the
//! weights compute the program. `circuitscope rasp check` does the same on every input.

use serde::Serialize;

use super::Compiled;
use super::eval::evaluate;
use super::ir::Encoding;
use super::value::Value;
use circuitscope::error::{Error, Result};

/// How far a numerical output may be from the program's value (here and in `rasp check`).
pub const NUMERIC_TOLERANCE: f64 = 1e-3;

/// The program and the model on one input (positions after BOS).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InputRun {
    pub input: Vec<String>,
    /// The output s-op's name.
    pub output: String,
    /// The interpreter's output per position; none where the program has no value (an empty
    /// selection).
    pub program: Vec<Option<String>>,
    /// The model's: the winning value (categorical) or the output logit (numerical).
    pub model: Vec<String>,
    /// Per position, whether they agree (true where the program has no value).
    pub agree: Vec<bool>,
}

/// The input as values of the program's vocabulary, and as token ids after BOS (id 0; value
/// `i` of the sorted vocabulary is id `i + 1`, as the compiler numbers them).
pub fn parse_input(compiled: &Compiled, text: &str) -> Result<(Vec<Value>, Vec<u32>)> {
    let program = &compiled.program;
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() || words.len() > program.max_seq_len {
        return Err(Error::Invalid(format!(
            "an input is 1 to {} tokens separated by spaces",
            program.max_seq_len
        )));
    }
    let mut values = vec![];
    let mut ids = vec![0];
    for word in words {
        let Some(i) = program.vocab.iter().position(|v| v.to_string() == word) else {
            let vocab: Vec<String> = program.vocab.iter().map(Value::to_string).collect();
            return Err(Error::Invalid(format!("`{word}` is not in the vocabulary {{{}}}", vocab.join(", "))));
        };
        values.push(program.vocab[i].clone());
        ids.push(i as u32 + 1);
    }
    Ok((values, ids))
}

/// Compares the interpreter with the model's `logits` (`[positions][d_vocab_out]` flattened,
/// BOS first) on `input`.
pub fn compare(compiled: &Compiled, input: &[Value], logits: &[f32]) -> Result<InputRun> {
    let program = &compiled.program;
    let out = &program.sops[program.output];
    let trace = evaluate(program, input).map_err(|e| Error::Invalid(format!("the program is undefined here: {e}")))?;
    let values = &compiled.ground_truth.output.values;
    let k = compiled.config.d_vocab_out();
    let mut run = InputRun {
        input: input.iter().map(Value::to_string).collect(),
        output: out.name.clone(),
        program: vec![],
        model: vec![],
        agree: vec![],
    };
    for (i, expected) in trace[program.output].iter().enumerate() {
        let at = logits.get((i + 1) * k..(i + 2) * k).ok_or_else(|| Error::Invalid("too few logits".into()))?;
        let (got, agree) = match out.encoding {
            Encoding::Numerical => {
                let want = expected.as_ref().and_then(Value::as_f64);
                (format!("{:.3}", at[0]), want.is_none_or(|w| (at[0] as f64 - w).abs() <= NUMERIC_TOLERANCE))
            }
            Encoding::Categorical => {
                let best = (0..k).max_by(|&a, &b| at[a].total_cmp(&at[b])).unwrap_or(0);
                let got = values.get(best).cloned().unwrap_or_default();
                let agree = expected.as_ref().is_none_or(|w| w.to_string() == got);
                (got, agree)
            }
        };
        run.program.push(expected.as_ref().map(|v| match out.encoding {
            Encoding::Numerical => format!("{:.3}", v.as_f64().unwrap_or(f64::NAN)),
            Encoding::Categorical => v.to_string(),
        }));
        run.model.push(got);
        run.agree.push(agree);
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{compile_source, programs};

    fn run(source: &str, text: &str) -> InputRun {
        let compiled = compile_source(source, "t").unwrap();
        let model = compiled.load(&circuitscope::device::cpu()).unwrap();
        let (values, ids) = parse_input(&compiled, text).unwrap();
        let logits = model.transformer.forward(model.tokens(&[ids]).unwrap());
        let logits = logits.into_data().convert::<f32>().try_to_vec::<f32>().unwrap();
        compare(&compiled, &values, &logits).unwrap()
    }

    #[test]
    fn the_reverse_model_reverses_as_its_program_does() {
        let r = run(programs::REVERSE, "3 1 2 2");
        assert_eq!(r.model, ["2", "2", "1", "3"]);
        assert_eq!(r.program, [Some("2"), Some("2"), Some("1"), Some("3")].map(|s| s.map(String::from)));
        assert!(r.agree.iter().all(|&a| a));
    }

    #[test]
    fn a_numerical_output_is_compared_within_the_tolerance() {
        let r = run(programs::FRAC_PREVS, "x w x");
        assert_eq!(r.program, [Some("1.000"), Some("0.500"), Some("0.667")].map(|s| s.map(String::from)));
        assert_eq!(r.model, ["1.000", "0.500", "0.667"]);
        assert!(r.agree.iter().all(|&a| a));
    }

    #[test]
    fn words_outside_the_vocabulary_and_long_inputs_are_refused() {
        let compiled = compile_source(programs::REVERSE, "t").unwrap();
        let e = parse_input(&compiled, "1 4").unwrap_err().to_string();
        assert_eq!(e, "`4` is not in the vocabulary {1, 2, 3}");
        assert!(parse_input(&compiled, "1 1 1 1 1 1").is_err());
        assert!(parse_input(&compiled, "  ").is_err());
    }
}
