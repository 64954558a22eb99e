//! The RASP interpreter: what a program means, position by position, without BOS. The compiled
//! model is checked against it on every input (tests, `circuitscope rasp check`), and the
//! ground truth asks it which selections can come out empty.

use super::ir::{Encoding, Op, Program, Select, SopId};
use super::lexer::RaspError;
use super::value::Value;

/// Every s-op's value at every position: `[n_sops][len]`; `None` where a categorical Aggregate
/// selected nothing (or a function was undefined).
pub type Trace = Vec<Vec<Option<Value>>>;

/// Runs `program` on `input` (tokens without BOS).
pub fn evaluate(program: &Program, input: &[Value]) -> Result<Trace, RaspError> {
    let n = input.len();
    let mut trace: Trace = Vec::with_capacity(program.sops.len());
    for sop in &program.sops {
        let numeric = |v: Option<Value>| match sop.encoding {
            Encoding::Numerical => v.and_then(|v| v.as_f64()).map(Value::Float),
            Encoding::Categorical => v,
        };
        let column: Vec<Option<Value>> = match &sop.op {
            Op::Tokens => input.iter().cloned().map(Some).collect(),
            Op::Indices => (0..n).map(|i| Some(Value::Int(i as i64))).collect(),
            Op::Map { f, input } => trace[*input]
                .iter()
                .map(|x| numeric(x.as_ref().and_then(|x| f.call(std::slice::from_ref(x)))))
                .collect(),
            Op::SequenceMap { f, fst, snd } => (0..n)
                .map(|i| match (&trace[*fst][i], &trace[*snd][i]) {
                    (Some(a), Some(b)) => numeric(f.call(&[a.clone(), b.clone()])),
                    _ => None,
                })
                .collect(),
            Op::SelectorWidth { select } => {
                let m = selection(program, &trace, select)?;
                m.iter().map(|row| Some(Value::Int(row.iter().filter(|s| **s).count() as i64))).collect()
            }
            Op::Aggregate { select, value } => {
                let m = selection(program, &trace, select)?;
                let mut out = vec![];
                for (q, row) in m.iter().enumerate() {
                    let picked: Vec<&Value> = (0..n)
                        .filter(|&k| row[k])
                        .map(|k| {
                            trace[*value][k].as_ref().ok_or_else(|| {
                                RaspError::new(
                                    sop.span,
                                    format!("`{}` has no value at position {k}", program.sops[*value].name),
                                )
                            })
                        })
                        .collect::<Result<_, _>>()?;
                    out.push(match sop.encoding {
                        Encoding::Numerical if picked.is_empty() => Some(Value::Float(0.0)),
                        Encoding::Numerical => {
                            let sum: f64 = picked.iter().map(|v| v.as_f64().unwrap_or(0.0)).sum();
                            Some(Value::Float(sum / picked.len() as f64))
                        }
                        Encoding::Categorical => match picked.split_first() {
                            None => None,
                            Some((first, rest)) => {
                                if let Some(other) = rest.iter().find(|v| **v != *first) {
                                    return Err(RaspError::new(
                                        sop.span,
                                        format!(
                                            "`{}` at position {q} selects different values ({first} and {other}); a categorical \
                                             Aggregate must select one value (its attention would average them)",
                                            sop.name
                                        ),
                                    ));
                                }
                                Some((*first).clone())
                            }
                        },
                    });
                }
                out
            }
        };
        trace.push(column);
    }
    Ok(trace)
}

/// `[query][key]`: whether each query selects each key.
pub fn selection(program: &Program, trace: &Trace, select: &Select) -> Result<Vec<Vec<bool>>, RaspError> {
    let value = |id: SopId, i: usize| {
        trace[id][i].as_ref().ok_or_else(|| {
            RaspError::new(
                select.span,
                format!("`{}` has no value at position {i}, and Select needs one", program.sops[id].name),
            )
        })
    };
    let n = trace[select.keys].len();
    (0..n)
        .map(|q| {
            (0..n).map(|k| Ok(select.predicate.holds(value(select.keys, k)?, value(select.queries, q)?))).collect()
        })
        .collect()
}

/// Every input of length 1..=`max_len` over `vocab`, shortest first, in lexicographic order.
pub fn all_inputs(vocab: &[Value], max_len: usize) -> Vec<Vec<Value>> {
    let mut out = vec![];
    let mut layer: Vec<Vec<Value>> = vec![vec![]];
    for _ in 0..max_len {
        layer =
            layer.iter().flat_map(|row| vocab.iter().map(move |v| [row.clone(), vec![v.clone()]].concat())).collect();
        out.extend(layer.iter().cloned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_program;

    fn run(source: &str, input: &[i64]) -> Vec<Option<Value>> {
        let p = parse_program(source, "t").unwrap();
        let input: Vec<Value> = input.iter().map(|&i| Value::Int(i)).collect();
        evaluate(&p, &input).unwrap()[p.output].clone()
    }

    #[test]
    fn reverse_reverses() {
        let src = "vocab = {1, 2, 3}\nmax_seq_len = 5\nlength = SelectorWidth(Select(tokens, tokens, TRUE))\n\
                   opp = length - indices - 1\nreverse = Aggregate(Select(indices, opp, EQ), tokens)";
        let out = run(src, &[1, 1, 3, 2]);
        assert_eq!(out, [2, 3, 1, 1].map(|i| Some(Value::Int(i))).to_vec());
    }

    #[test]
    fn frac_prevs_is_the_running_fraction() {
        let src = "vocab = {1, 2}\nmax_seq_len = 4\nis1 = numerical(tokens == 1)\n\
                   frac = numerical(Aggregate(Select(indices, indices, LEQ), is1))";
        let out: Vec<f64> = run(src, &[1, 2, 2, 1]).into_iter().map(|v| v.unwrap().as_f64().unwrap()).collect();
        assert_eq!(out, vec![1.0, 0.5, 1.0 / 3.0, 0.5]);
    }

    #[test]
    fn an_empty_categorical_selection_has_no_value() {
        let src = "vocab = {1, 2}\nmax_seq_len = 3\nx = Aggregate(Select(tokens, tokens, GT), tokens)";
        assert_eq!(run(src, &[2, 1]), vec![None, Some(Value::Int(2))]);
    }

    #[test]
    fn a_categorical_aggregate_of_different_values_is_an_error() {
        let p =
            parse_program("vocab = {1, 2}\nmax_seq_len = 3\nx = Aggregate(Select(tokens, tokens, TRUE), tokens)", "t")
                .unwrap();
        let err = evaluate(&p, &[Value::Int(1), Value::Int(2)]).unwrap_err();
        assert!(err.message.contains("selects different values"), "{err}");
        assert_eq!(err.span.line, 3);
    }

    #[test]
    fn all_inputs_counts_every_length() {
        let v = [Value::Int(1), Value::Int(2), Value::Int(3)];
        assert_eq!(all_inputs(&v, 5).len(), 3 + 9 + 27 + 81 + 243);
    }
}
