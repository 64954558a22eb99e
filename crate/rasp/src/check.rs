//! The exhaustive check: a compiled model against the interpreter on every input up to the
//! program's maximum length. Categorical outputs must win the argmax at every non-BOS position;
//! numerical ones must be within `NUMERIC_TOLERANCE`.

use serde::Serialize;

use super::eval::{all_inputs, evaluate};
use super::ir::{Encoding, Program};
use super::value::Value;
use super::value_set;
use circuitscope::error::{Error, Result};
use circuitscope::model::LoadedModel;

pub use super::compare::NUMERIC_TOLERANCE;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mismatch {
    pub input: Vec<String>,
    /// Index into the input (model position − 1).
    pub index: usize,
    pub expected: String,
    pub got: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    pub inputs: usize,
    /// Positions compared (where the program has a value).
    pub positions: usize,
    /// Inputs the program is undefined on (skipped).
    pub undefined: usize,
    /// Largest |logit − value| (numerical outputs) or smallest winning margin (categorical).
    pub worst: f64,
    /// The first mismatches, at most 20.
    pub mismatches: Vec<Mismatch>,
}

impl CheckReport {
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty()
    }
}

/// Runs `model` (compiled from `program`) on every input and compares with the interpreter.
pub fn check(program: &Program, model: &LoadedModel) -> Result<CheckReport> {
    for (i, v) in program.vocab.iter().enumerate() {
        if model.encode(&v.to_string())? != [0, i as u32 + 1] {
            return Err(Error::Invalid(format!(
                "the model's tokenizer does not give `{v}` the id {}: is it this program's model?",
                i + 1
            )));
        }
    }
    let out = &program.sops[program.output];
    let out_values: Vec<Value> = value_set::infer(program)?.swap_remove(program.output).into_iter().collect();
    let mut report = CheckReport {
        inputs: 0,
        positions: 0,
        undefined: 0,
        worst: if out.encoding == Encoding::Numerical { 0.0 } else { f64::INFINITY },
        mismatches: vec![],
    };
    let inputs = all_inputs(&program.vocab, program.max_seq_len);
    for n in 1..=program.max_seq_len {
        let batch: Vec<&Vec<Value>> = inputs.iter().filter(|r| r.len() == n).collect();
        let rows: Vec<Vec<u32>> = batch
            .iter()
            .map(|r| {
                std::iter::once(0)
                    .chain(r.iter().map(|v| 1 + program.vocab.binary_search(v).expect("vocab value") as u32))
                    .collect()
            })
            .collect();
        let logits = model.transformer.forward(model.tokens(&rows)?);
        let [_, p, k] = logits.dims();
        let logits =
            logits.into_data().convert::<f32>().try_to_vec::<f32>().map_err(|e| Error::Device(format!("{e:?}")))?;
        for (b, input) in batch.iter().enumerate() {
            report.inputs += 1;
            let Ok(trace) = evaluate(program, input) else {
                report.undefined += 1;
                continue;
            };
            for (i, expected) in trace[program.output].iter().enumerate() {
                let Some(expected) = expected else { continue };
                report.positions += 1;
                let at = &logits[(b * p + i + 1) * k..(b * p + i + 2) * k];
                let got = match out.encoding {
                    Encoding::Numerical => {
                        let err = (at[0] as f64 - expected.as_f64().unwrap_or(f64::NAN)).abs();
                        report.worst = report.worst.max(err);
                        (err > NUMERIC_TOLERANCE).then(|| at[0].to_string())
                    }
                    Encoding::Categorical => {
                        let want = out_values
                            .binary_search(expected)
                            .map_err(|_| Error::Invalid(format!("{expected} is not an output value")))?;
                        let rival = (0..k).filter(|&j| j != want).map(|j| at[j]).fold(f32::NEG_INFINITY, f32::max);
                        report.worst = report.worst.min((at[want] - rival) as f64);
                        let best = (0..k).max_by(|&a, &c| at[a].total_cmp(&at[c])).unwrap_or(0);
                        (at[want] <= rival).then(|| out_values[best].to_string())
                    }
                };
                if let (Some(got), true) = (got, report.mismatches.len() < 20) {
                    report.mismatches.push(Mismatch {
                        input: input.iter().map(Value::to_string).collect(),
                        index: i,
                        expected: expected.to_string(),
                        got,
                    });
                }
            }
        }
    }
    Ok(report)
}
