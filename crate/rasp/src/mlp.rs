//! MLPs (tracr's `categorical_mlp.py`, `numerical_mlp.py`, `selector_width.py`), all ReLU and
//! bias-free: constants come from the `one` direction, so a constant is a visible dependency on
//! the embedding, as in tracr.
//!
//! - categorical input: a lookup table, one hidden unit per input value (per pair for a
//!   SequenceMap: `ReLU(x_a + y_b − 1)` is 1 exactly when x = a and y = b);
//! - numerical input: a sum of ReLU steps at the midpoints between the input's possible values,
//!   `ReLU(L(x − t) + 1) − ReLU(L(x − t))` being 1 above t and 0 below t − 1/L;
//! - SelectorWidth: the same steps decode 1/(width + 1) into the width.
//!
//! Every unit with a constant input is switched off at BOS (`−M · tokens:BOS`), so every s-op is
//! zero at the BOS position: keys there stay `tokens:BOS` alone, and BOS stays a clean default.

use super::expr::ScalarFn;
use super::ir::{Encoding, Op, Program, SopId};
use super::lexer::RaspError;
use super::residual::{Dir, Entries, sop_dirs};
use super::value::Value;
use super::value_set::ValueSet;

/// One MLP, in named directions; MLPs of one block are concatenated by the writer.
#[derive(Debug, Clone, PartialEq)]
pub struct MlpWeights {
    pub sop: SopId,
    pub hidden: usize,
    /// `W_in`: residual direction → hidden unit.
    pub w_in: Entries,
    /// `W_out`: hidden unit → residual direction.
    pub w_out: Vec<(usize, Dir, f32)>,
    /// The directions its output depends on (ground truth).
    pub needs: Vec<Dir>,
}

/// What one input value maps to: weights on output directions.
type OutVec = Vec<(Dir, f32)>;

fn out_vec(program: &Program, id: SopId, value: &Value) -> Result<OutVec, RaspError> {
    let sop = &program.sops[id];
    match sop.encoding {
        Encoding::Categorical => Ok(vec![(Dir::new(&sop.name, value.clone()), 1.0)]),
        Encoding::Numerical => {
            let x = value.as_f64().ok_or_else(|| {
                RaspError::new(sop.span, format!("numerical `{}` must produce numbers, not {value}", sop.name))
            })?;
            Ok(if x == 0.0 { vec![] } else { vec![(Dir::scalar(&sop.name), x as f32)] })
        }
    }
}

/// The MLP of a Map or SequenceMap.
pub fn map_mlp(program: &Program, sets: &[ValueSet], id: SopId) -> Result<MlpWeights, RaspError> {
    let sop = &program.sops[id];
    let mut m = MlpWeights { sop: id, hidden: 0, w_in: vec![], w_out: vec![], needs: vec![] };
    match &sop.op {
        Op::Map { f, input } if program.sops[*input].is_categorical() => {
            for (dir, value) in sop_dirs(program, sets, *input).into_iter().zip(&sets[*input]) {
                let Some(y) = f.call(std::slice::from_ref(value)) else { continue };
                let out = out_vec(program, id, &y)?;
                if out.is_empty() {
                    continue;
                }
                m.w_in.push((dir.clone(), m.hidden, 1.0));
                m.w_out.extend(out.into_iter().map(|(d, w)| (m.hidden, d, w)));
                m.needs.push(dir);
                m.hidden += 1;
            }
        }
        Op::Map { f, input } => {
            let xs: Vec<Value> = sets[*input].iter().cloned().collect();
            discretise(&mut m, program, id, Dir::scalar(&program.sops[*input].name), &xs, |x| {
                f.call(std::slice::from_ref(x))
            })?;
        }
        Op::SequenceMap { f, fst, snd } => sequence_map(&mut m, program, sets, id, f, *fst, *snd)?,
        _ => unreachable!("map_mlp of an attention s-op"),
    }
    Ok(m)
}

fn sequence_map(
    m: &mut MlpWeights,
    program: &Program,
    sets: &[ValueSet],
    id: SopId,
    f: &ScalarFn,
    fst: SopId,
    snd: SopId,
) -> Result<(), RaspError> {
    if let Some(s) = [fst, snd].into_iter().map(|i| &program.sops[i]).find(|s| !s.is_categorical()) {
        return Err(RaspError::new(
            program.sops[id].span,
            format!("a SequenceMap needs categorical inputs; `{}` is numerical", s.name),
        ));
    }
    let (xd, yd) = (sop_dirs(program, sets, fst), sop_dirs(program, sets, snd));
    let (mut x_used, mut y_used) = (vec![false; xd.len()], vec![false; yd.len()]);
    for (i, (a, x)) in xd.iter().zip(&sets[fst]).enumerate() {
        for (j, (b, y)) in yd.iter().zip(&sets[snd]).enumerate() {
            let Some(z) = f.call(&[x.clone(), y.clone()]) else { continue };
            let out = out_vec(program, id, &z)?;
            if out.is_empty() {
                continue;
            }
            let h = m.hidden;
            m.w_in.extend([(a.clone(), h, 1.0), (b.clone(), h, 1.0), (Dir::one(), h, -1.0)]);
            m.w_out.extend(out.into_iter().map(|(d, w)| (h, d, w)));
            (x_used[i], y_used[j]) = (true, true);
            m.hidden += 1;
        }
    }
    m.needs =
        xd.into_iter().zip(x_used).chain(yd.into_iter().zip(y_used)).filter(|(_, u)| *u).map(|(d, _)| d).collect();
    m.needs.push(Dir::one());
    Ok(())
}

/// A step function of the numerical direction `input`: `f(xs[i])` on each input value's region.
/// Values where `f` is undefined are left out (tracr's `_get_discretising_layer`).
fn discretise(
    m: &mut MlpWeights,
    program: &Program,
    id: SopId,
    input: Dir,
    xs: &[Value],
    f: impl Fn(&Value) -> Option<Value>,
) -> Result<(), RaspError> {
    let mut points: Vec<(f64, OutVec)> = vec![];
    for x in xs {
        if let (Some(xf), Some(y)) = (x.as_f64(), f(x)) {
            points.push((xf, out_vec(program, id, &y)?));
        }
    }
    if points.is_empty() {
        return Err(RaspError::new(
            program.sops[id].span,
            format!("`{}` is undefined on every input value", program.sops[id].name),
        ));
    }
    steps(m, input, &points);
    Ok(())
}

/// Adds the hidden units of a step function over sorted, distinct `points` to `m`.
fn steps(m: &mut MlpWeights, input: Dir, points: &[(f64, OutVec)]) {
    let min_gap = points.windows(2).map(|w| w[1].0 - w[0].0).fold(f64::INFINITY, f64::min);
    // Steep enough that each value lies beyond the ramp 1/L below its threshold, with margin 2.
    let l = if min_gap.is_finite() { (4.0 / min_gap).max(100.0) } else { 100.0 };
    let thresholds: Vec<f64> = points.windows(2).map(|w| (w[0].0 + w[1].0) / 2.0).collect();
    let reach = points.iter().map(|p| p.0.abs()).chain(thresholds.iter().map(|t| t.abs())).fold(0.0, f64::max);
    let gate = (2.0 + 2.0 * l * reach) as f32;
    let start = m.hidden;
    m.w_in.extend([(Dir::one(), start, 1.0), (Dir::bos(), start, -gate)]);
    m.w_out.extend(points[0].1.iter().map(|(d, w)| (start, d.clone(), *w)));
    m.hidden += 1;
    for (k, t) in thresholds.iter().enumerate() {
        let (a, b) = (m.hidden, m.hidden + 1);
        m.w_in.extend([
            (input.clone(), a, l as f32),
            (Dir::one(), a, (1.0 - l * t) as f32),
            (Dir::bos(), a, -gate),
            (input.clone(), b, l as f32),
            (Dir::one(), b, (-l * t) as f32),
            (Dir::bos(), b, -gate),
        ]);
        // The jump from value k to value k + 1.
        let mut jump: Vec<(Dir, f32)> = points[k + 1].1.clone();
        jump.extend(points[k].1.iter().map(|(d, w)| (d.clone(), -w)));
        for (d, w) in jump {
            m.w_out.extend([(a, d.clone(), w), (b, d, -w)]);
        }
        m.hidden += 2;
    }
    m.needs.extend([input, Dir::one(), Dir::bos()]);
}

/// The MLP of `SelectorWidth`: decodes the head's 1/(w + 1) into w, and clears the head's
/// helper direction at BOS (where the head attends to BOS alone and writes 1).
pub fn selector_width_mlp(program: &Program, sets: &[ValueSet], id: SopId) -> Result<MlpWeights, RaspError> {
    let sop = &program.sops[id];
    let mut m = MlpWeights { sop: id, hidden: 0, w_in: vec![], w_out: vec![], needs: vec![] };
    let mut points: Vec<(f64, OutVec)> = vec![];
    for w in sets[id].iter().rev() {
        let width = w.as_f64().expect("widths are integers");
        points.push((1.0 / (width + 1.0), out_vec(program, id, w)?));
    }
    let attn = Dir::selector_width_attn(&sop.name);
    steps(&mut m, attn.clone(), &points);
    let clean = m.hidden;
    m.w_in.push((Dir::bos(), clean, 1.0));
    m.w_out.push((clean, attn, -1.0));
    m.hidden += 1;
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse_program, value_set};

    /// Runs an MLP on a residual given as (direction, value) pairs; returns the output's nonzero
    /// (label, value) pairs.
    fn apply(m: &MlpWeights, input: &[(Dir, f32)]) -> Vec<(String, f32)> {
        let mut h = vec![0f32; m.hidden];
        for (d, i, w) in &m.w_in {
            h[*i] += w * input.iter().filter(|(x, _)| x == d).map(|(_, v)| v).sum::<f32>();
        }
        let h: Vec<f32> = h.into_iter().map(|x| x.max(0.0)).collect();
        let mut out: std::collections::BTreeMap<String, f32> = Default::default();
        for (i, d, w) in &m.w_out {
            *out.entry(d.label()).or_default() += w * h[*i];
        }
        out.into_iter().filter(|(_, v)| v.abs() > 1e-4).collect()
    }

    fn mlp(source: &str) -> MlpWeights {
        let p = parse_program(source, "t").unwrap();
        let sets = value_set::infer(&p).unwrap();
        match p.sops[p.output].op {
            Op::SelectorWidth { .. } => selector_width_mlp(&p, &sets, p.output).unwrap(),
            _ => map_mlp(&p, &sets, p.output).unwrap(),
        }
    }

    #[test]
    fn a_sequence_map_fires_exactly_one_unit_per_input_pair() {
        let m = mlp("vocab = {1}\nmax_seq_len = 3\nd = Map(x -> -x, indices)\nout = d + indices");
        // `d` ∈ {0, −1, −2}, indices ∈ {0, 1, 2}: 9 pairs, 5 sums.
        assert_eq!(m.hidden, 9);
        let x = [(Dir::new("d", Value::Int(-2)), 1.0), (Dir::new("indices", Value::Int(1)), 1.0), (Dir::one(), 1.0)];
        assert_eq!(apply(&m, &x), vec![("out:-1".to_string(), 1.0)]);
    }

    #[test]
    fn selector_width_decodes_each_width_and_is_silent_at_bos() {
        let m = mlp("vocab = {1}\nmax_seq_len = 5\nw = SelectorWidth(Select(tokens, tokens, EQ))");
        let attn = Dir::selector_width_attn("w");
        for width in 0..=5 {
            let x = [(attn.clone(), 1.0 / (width as f32 + 1.0)), (Dir::one(), 1.0)];
            assert_eq!(apply(&m, &x), vec![(format!("w:{width}"), 1.0)], "width {width}");
        }
        // At BOS the head writes 1; the MLP writes no width and cancels that 1.
        let at_bos = [(attn.clone(), 1.0), (Dir::one(), 1.0), (Dir::bos(), 1.0)];
        assert_eq!(apply(&m, &at_bos), vec![(attn.label(), -1.0)]);
    }

    #[test]
    fn a_numerical_map_is_exact_on_every_input_value() {
        let m = mlp("vocab = {a, b}\nmax_seq_len = 4\nis_a = numerical(tokens == \"a\")\n\
             f = numerical(Aggregate(Select(indices, indices, LEQ), is_a))\nhalf = f > 0.5");
        for (x, want) in [(0.0, "half:false"), (0.5, "half:false"), (2.0 / 3.0, "half:true"), (1.0, "half:true")] {
            let input = [(Dir::scalar("f"), x), (Dir::one(), 1.0)];
            assert_eq!(apply(&m, &input), vec![(want.to_string(), 1.0)], "x = {x}");
        }
    }
}
