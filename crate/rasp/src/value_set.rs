//! Value-set inference (tracr's `basis_inference.py`): every value each s-op can take on inputs
//! of length up to `max_seq_len`, computed from its inputs' value sets. A categorical s-op gets
//! one residual direction per value; a numerical MLP gets one step per gap between values.

use std::collections::{BTreeMap, BTreeSet};

use super::ir::{Encoding, Op, Program};
use super::lexer::RaspError;
use super::value::Value;

/// The most values one s-op may take (its MLPs and residual directions grow with it).
pub const MAX_VALUES: usize = 2000;

pub type ValueSet = BTreeSet<Value>;

/// Per s-op, its possible values (numerical ones as floats).
pub fn infer(program: &Program) -> Result<Vec<ValueSet>, RaspError> {
    let mut sets: Vec<ValueSet> = vec![];
    let n = program.max_seq_len;
    for sop in &program.sops {
        let numeric = |v: Value| -> Result<Value, RaspError> {
            match sop.encoding {
                Encoding::Categorical => Ok(v),
                Encoding::Numerical => v.as_f64().map(|x| Value::Float(round12(x))).ok_or_else(|| {
                    RaspError::new(sop.span, format!("numerical `{}` must produce numbers, not {v}", sop.name))
                }),
            }
        };
        let set: ValueSet = match &sop.op {
            Op::Tokens => program.vocab.iter().cloned().collect(),
            Op::Indices => (0..n as i64).map(Value::Int).collect(),
            Op::Map { f, input } => sets[*input]
                .iter()
                .filter_map(|x| f.call(std::slice::from_ref(x)))
                .map(numeric)
                .collect::<Result<_, _>>()?,
            Op::SequenceMap { f, fst, snd } => {
                let mut out = ValueSet::new();
                for a in &sets[*fst] {
                    for b in &sets[*snd] {
                        if let Some(v) = f.call(&[a.clone(), b.clone()]) {
                            out.insert(numeric(v)?);
                        }
                    }
                }
                out
            }
            Op::SelectorWidth { .. } => (0..=n as i64).map(Value::Int).collect(),
            Op::Aggregate { value, .. } => match sop.encoding {
                Encoding::Categorical => sets[*value].clone(),
                Encoding::Numerical => means(&sets[*value], n).map_err(|m| RaspError::new(sop.span, m))?,
            },
        };
        if set.len() > MAX_VALUES {
            return Err(RaspError::new(
                sop.span,
                format!(
                    "`{}` can take {} values (at most {MAX_VALUES}): the model would be too wide",
                    sop.name,
                    set.len()
                ),
            ));
        }
        if set.is_empty() {
            return Err(RaspError::new(
                sop.span,
                format!("`{}` has no value on any input (is its function always undefined?)", sop.name),
            ));
        }
        sets.push(set);
    }
    Ok(sets)
}

/// Every mean of 1..=`max_len` values drawn from `values` with repetition, and 0 (the empty
/// selection's default). Exact for the 0/1 variables tracr averages, and for any small set.
fn means(values: &ValueSet, max_len: usize) -> Result<ValueSet, String> {
    let xs: Vec<f64> = values.iter().filter_map(Value::as_f64).collect();
    let mut out: BTreeMap<i64, f64> = BTreeMap::new();
    out.insert(0, 0.0);
    let mut sums: BTreeMap<i64, f64> = BTreeMap::from([(0, 0.0)]);
    for len in 1..=max_len {
        let mut next = BTreeMap::new();
        for &s in sums.values() {
            for &x in &xs {
                let t = round12(s + x);
                next.insert(key(t), t);
            }
        }
        if next.len() > MAX_VALUES * 10 {
            return Err(format!("the numerical Aggregate's means take too many values (over {})", MAX_VALUES * 10));
        }
        for &s in next.values() {
            let m = round12(s / len as f64);
            out.insert(key(m), m);
        }
        sums = next;
    }
    Ok(out.into_values().map(Value::Float).collect())
}

/// Rounds away float noise, so 0.1 + 0.2 and 0.3 are one value.
fn round12(x: f64) -> f64 {
    (x * 1e12).round() / 1e12
}

fn key(x: f64) -> i64 {
    (x * 1e12).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_program;

    fn sets(source: &str) -> Vec<Vec<String>> {
        let p = parse_program(source, "t").unwrap();
        infer(&p).unwrap().into_iter().map(|s| s.iter().map(|v| v.to_string()).collect()).collect()
    }

    #[test]
    fn reverse_has_the_value_sets_tracr_gives_it() {
        let s = sets(
            "vocab = {1, 2, 3}\nmax_seq_len = 5\nlength = SelectorWidth(Select(tokens, tokens, TRUE))\n\
             opp = length - indices - 1\nreverse = Aggregate(Select(indices, opp, EQ), tokens)",
        );
        assert_eq!(s[2], ["0", "1", "2", "3", "4", "5"]);
        assert_eq!(s[3].len(), 10); // length − indices ∈ −4..=5
        assert_eq!(s[4], ["-5", "-4", "-3", "-2", "-1", "0", "1", "2", "3", "4"]);
        assert_eq!(s[5], ["1", "2", "3"]);
    }

    #[test]
    fn a_numerical_mean_of_a_boolean_takes_every_fraction() {
        let s = sets(
            "vocab = {a, b}\nmax_seq_len = 3\nis_a = numerical(tokens == \"a\")\nf = numerical(Aggregate(Select(indices, indices, LEQ), is_a))",
        );
        assert_eq!(s[2], ["0", "1"]);
        let fractions: Vec<f64> = s[3].iter().map(|v| v.parse().unwrap()).collect();
        assert_eq!(fractions.len(), 5); // 0, 1/3, 1/2, 2/3, 1: 2/2 and 3/3 are 1 again
        assert!((fractions[1] - 1.0 / 3.0).abs() < 1e-9 && (fractions[3] - 2.0 / 3.0).abs() < 1e-9);
    }
}
