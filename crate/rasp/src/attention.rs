//! Attention heads from Select predicates (tracr's `categorical_attn.py`). The query reads the
//! query s-op's one-hot and scores each key value `COLDNESS · predicate(key, query)`; the key is
//! the key s-op's one-hot. BOS is the default: the query's `one` direction scores the key's
//! `tokens:BOS` direction `COLDNESS / 2`, so BOS wins only when nothing is selected and then
//! contributes the default (nothing). A SelectorWidth head scores BOS a full `COLDNESS` instead,
//! so it always takes a share 1/(width + 1), which it copies out for the MLP to decode.

use super::ir::{Encoding, Op, Program, Select, SopId};
use super::lexer::RaspError;
use super::residual::{Dir, Entries, sop_dirs};
use super::value_set::ValueSet;

/// Softmax inverse temperature (tracr's `softmax_coldness`). Scores differ by at least
/// `COLDNESS / 2`, so an unselected position keeps a weight below e^-50.
pub const COLDNESS: f32 = 100.0;

/// One head, in named directions; the writer places it.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadWeights {
    /// The s-op it computes (an Aggregate, or a SelectorWidth's first half).
    pub sop: SopId,
    /// `W_Q`, `W_K`, `W_V` entries: residual direction → head coordinate.
    pub q: Entries,
    pub k: Entries,
    pub v: Entries,
    /// `W_O`: head coordinate → residual direction.
    pub o: Vec<(usize, Dir, f32)>,
    /// The coordinates it uses (≤ `d_head`).
    pub width: usize,
    /// What its query, key and value must read for the program's outputs, without the BOS-default
    /// directions; `None` when that input cannot change them (ground truth).
    pub needs: [Option<Vec<Dir>>; 3],
    /// Whether `one` → query and `tokens:BOS` → key are only the empty-selection default
    /// (Aggregate), needed when a selection can be empty; `false` when they are in `needs`.
    pub bos_default: bool,
}

/// Query and key weights of a selector; the BOS coordinate comes after the key values.
struct Qk {
    q: Entries,
    k: Entries,
    width: usize,
    /// Query and key directions with a nonzero score.
    q_used: Vec<Dir>,
    k_used: Vec<Dir>,
    /// Every query value selects every key value: the pattern is uniform over the keys.
    all_selected: bool,
}

fn qk(program: &Program, sets: &[ValueSet], select: &Select, bos_score: f32) -> Result<Qk, RaspError> {
    for (id, role) in [(select.keys, "keys"), (select.queries, "queries")] {
        if program.sops[id].encoding == Encoding::Numerical {
            return Err(RaspError::new(
                select.span,
                format!("Select's {role} must be categorical; `{}` is numerical", program.sops[id].name),
            ));
        }
    }
    let (key_dirs, query_dirs) = (sop_dirs(program, sets, select.keys), sop_dirs(program, sets, select.queries));
    let bos_coord = key_dirs.len();
    let mut out = Qk { q: vec![], k: vec![], width: bos_coord + 1, q_used: vec![], k_used: vec![], all_selected: true };
    let mut key_selected = vec![false; key_dirs.len()];
    for qd in &query_dirs {
        let query = qd.value.as_ref().expect("categorical direction");
        let mut any = false;
        for (j, kd) in key_dirs.iter().enumerate() {
            if select.predicate.holds(kd.value.as_ref().expect("categorical direction"), query) {
                out.q.push((qd.clone(), j, COLDNESS));
                key_selected[j] = true;
                any = true;
            } else {
                out.all_selected = false;
            }
        }
        if any {
            out.q_used.push(qd.clone());
        }
    }
    for (j, kd) in key_dirs.iter().enumerate() {
        out.k.push((kd.clone(), j, 1.0));
        if key_selected[j] {
            out.k_used.push(kd.clone());
        }
    }
    out.q.push((Dir::one(), bos_coord, bos_score));
    out.k.push((Dir::bos(), bos_coord, 1.0));
    Ok(out)
}

/// The head of `Aggregate(select, value)`: the selected positions' value, averaged.
pub fn aggregate_head(program: &Program, sets: &[ValueSet], id: SopId) -> Result<HeadWeights, RaspError> {
    let sop = &program.sops[id];
    let Op::Aggregate { select, value } = &sop.op else { unreachable!("aggregate_head of a non-Aggregate") };
    let value_sop = &program.sops[*value];
    if value_sop.encoding != sop.encoding {
        let fix = match sop.encoding {
            Encoding::Numerical => format!("write numerical(…) where `{}` is defined", value_sop.name),
            Encoding::Categorical => "drop the categorical(…)".into(),
        };
        return Err(RaspError::new(sop.span, format!("an Aggregate has its value's encoding: {fix}")));
    }
    let qk = qk(program, sets, select, COLDNESS / 2.0)?;
    let (value_dirs, out_dirs) = (sop_dirs(program, sets, *value), sop_dirs(program, sets, id));
    debug_assert_eq!(value_dirs.len(), out_dirs.len(), "a categorical Aggregate keeps its value set");
    let v = value_dirs.iter().enumerate().map(|(i, d)| (d.clone(), i, 1.0)).collect();
    let o = out_dirs.iter().enumerate().map(|(i, d)| (i, d.clone(), 1.0)).collect();
    Ok(HeadWeights {
        sop: id,
        q: qk.q,
        k: qk.k,
        v,
        o,
        width: qk.width.max(value_dirs.len()),
        needs: [Some(qk.q_used), Some(qk.k_used), Some(value_dirs)],
        bos_default: true,
    })
}

/// The head of `SelectorWidth(select)`: attends to BOS and the selected keys equally and copies
/// BOS's `tokens:BOS` = 1, so it writes 1/(width + 1) to the helper direction.
pub fn selector_width_head(program: &Program, sets: &[ValueSet], id: SopId) -> Result<HeadWeights, RaspError> {
    let sop = &program.sops[id];
    let Op::SelectorWidth { select } = &sop.op else { unreachable!("selector_width_head of a non-SelectorWidth") };
    let qk = qk(program, sets, select, COLDNESS)?;
    // When every query selects every key, the pattern is uniform with or without the query and
    // key, so removing either changes nothing (the reverse circuit has no layer-0 q or k).
    let (q_needs, k_needs) = if qk.all_selected {
        (None, None)
    } else {
        (Some([qk.q_used, vec![Dir::one()]].concat()), Some([qk.k_used, vec![Dir::bos()]].concat()))
    };
    Ok(HeadWeights {
        sop: id,
        q: qk.q,
        k: qk.k,
        v: vec![(Dir::bos(), 0, 1.0)],
        o: vec![(0, Dir::selector_width_attn(&sop.name), 1.0)],
        width: qk.width,
        needs: [q_needs, k_needs, Some(vec![Dir::bos()])],
        bos_default: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse_program, value_set};

    fn head(source: &str, name: &str) -> HeadWeights {
        let p = parse_program(source, "t").unwrap();
        let sets = value_set::infer(&p).unwrap();
        let id = p.by_name(name).unwrap();
        match p.sops[id].op {
            Op::Aggregate { .. } => aggregate_head(&p, &sets, id).unwrap(),
            _ => selector_width_head(&p, &sets, id).unwrap(),
        }
    }

    #[test]
    fn an_eq_query_scores_only_its_own_key_value_and_half_scores_bos() {
        let h = head("vocab = {1, 2}\nmax_seq_len = 3\nr = Aggregate(Select(indices, indices, EQ), tokens)", "r");
        let q: Vec<(String, usize, f32)> = h.q.iter().map(|(d, j, w)| (d.label(), *j, *w)).collect();
        assert_eq!(q[0], ("indices:0".to_string(), 0, COLDNESS));
        assert_eq!(q.last().unwrap(), &("one".to_string(), 3, COLDNESS / 2.0));
        assert_eq!(h.q.len(), 3 + 1);
        assert_eq!(h.width, 4);
    }

    #[test]
    fn an_all_true_selector_width_needs_neither_query_nor_key() {
        let h = head("vocab = {1, 2}\nmax_seq_len = 3\nn = SelectorWidth(Select(tokens, tokens, TRUE))", "n");
        assert_eq!(h.needs[0], None);
        assert_eq!(h.needs[1], None);
        assert_eq!(h.needs[2], Some(vec![Dir::bos()]));
        assert_eq!(h.o[0].1.label(), "n_selector_width_attn_output");
    }

    #[test]
    fn a_numerical_select_key_is_refused_at_the_select() {
        let p = parse_program(
            "vocab = {1, 2}\nmax_seq_len = 3\nm = numerical(tokens == 1)\nr = Aggregate(Select(m, indices, EQ), tokens)",
            "t",
        )
        .unwrap();
        let sets = value_set::infer(&p).unwrap();
        let err = aggregate_head(&p, &sets, p.output).unwrap_err();
        assert_eq!(err.to_string(), "line 4, column 15: Select's keys must be categorical; `m` is numerical");
    }
}
