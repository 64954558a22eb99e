//! The RASP program as the compiler sees it: s-ops in dependency order, each with a unique
//! name, an encoding and the place in the source that made it (Weiss et al. 2021; tracr's
//! `rasp.py` primitives: tokens, indices, Map, SequenceMap, Select, Aggregate, SelectorWidth).

use serde::{Deserialize, Serialize};

use super::expr::ScalarFn;
use super::lexer::Span;
use super::value::Value;

/// Index of an s-op in [`Program::sops`].
pub type SopId = usize;

/// How an s-op lives in the residual stream: one direction per value, or one scalar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    Categorical,
    Numerical,
}

/// A Select predicate, applied as `predicate(key, query)` (tracr's `Comparison`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Comparison {
    #[serde(rename = "EQ")]
    Eq,
    #[serde(rename = "LT")]
    Lt,
    #[serde(rename = "LEQ")]
    Leq,
    #[serde(rename = "GT")]
    Gt,
    #[serde(rename = "GEQ")]
    Geq,
    #[serde(rename = "NEQ")]
    Neq,
    #[serde(rename = "TRUE")]
    True,
    #[serde(rename = "FALSE")]
    False,
}

impl Comparison {
    pub const ALL: [(&'static str, Comparison); 8] = [
        ("EQ", Self::Eq),
        ("LT", Self::Lt),
        ("LEQ", Self::Leq),
        ("GT", Self::Gt),
        ("GEQ", Self::Geq),
        ("NEQ", Self::Neq),
        ("TRUE", Self::True),
        ("FALSE", Self::False),
    ];

    pub fn by_name(name: &str) -> Option<Self> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
    }

    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(_, c)| *c == self).map(|(n, _)| *n).unwrap_or("?")
    }

    /// Whether a query selects a key: `LT` means `key < query`.
    pub fn holds(self, key: &Value, query: &Value) -> bool {
        match self {
            Self::Eq => key == query,
            Self::Lt => key < query,
            Self::Leq => key <= query,
            Self::Gt => key > query,
            Self::Geq => key >= query,
            Self::Neq => key != query,
            Self::True => true,
            Self::False => false,
        }
    }
}

/// `Select(keys, queries, predicate)`: which keys each query attends to.
#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    pub keys: SopId,
    pub queries: SopId,
    pub predicate: Comparison,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// The input tokens (the BOS position excluded).
    Tokens,
    /// 0, 1, 2, … (the first token after BOS has index 0).
    Indices,
    Map {
        f: ScalarFn,
        input: SopId,
    },
    SequenceMap {
        f: ScalarFn,
        fst: SopId,
        snd: SopId,
    },
    /// Mean of `value` over the selected keys (categorical: the one selected value; none
    /// selected: no value for categorical, 0 for numerical).
    Aggregate {
        select: Select,
        value: SopId,
    },
    /// How many keys each query selects.
    SelectorWidth {
        select: Select,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct SOp {
    /// Unique; names the residual directions `name:value` (categorical) or `name` (numerical).
    pub name: String,
    pub op: Op,
    pub encoding: Encoding,
    pub span: Span,
}

/// A whole program. `sops[0]` is `tokens`, `sops[1]` is `indices`, and every s-op's inputs come
/// before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    pub name: String,
    /// Sorted, distinct.
    pub vocab: Vec<Value>,
    pub max_seq_len: usize,
    pub sops: Vec<SOp>,
    pub output: SopId,
    pub source: String,
}

pub const TOKENS: SopId = 0;
pub const INDICES: SopId = 1;

impl SOp {
    /// The s-ops this one reads directly (a selector's keys and queries included).
    pub fn inputs(&self) -> Vec<SopId> {
        match &self.op {
            Op::Tokens | Op::Indices => vec![],
            Op::Map { input, .. } => vec![*input],
            Op::SequenceMap { fst, snd, .. } => vec![*fst, *snd],
            Op::Aggregate { select, value } => vec![select.keys, select.queries, *value],
            Op::SelectorWidth { select } => vec![select.keys, select.queries],
        }
    }

    pub fn is_categorical(&self) -> bool {
        self.encoding == Encoding::Categorical
    }

    /// The selector of an attention s-op.
    pub fn select(&self) -> Option<&Select> {
        match &self.op {
            Op::Aggregate { select, .. } | Op::SelectorWidth { select } => Some(select),
            _ => None,
        }
    }

    /// A one-line description: `Aggregate(Select(indices, opp_idx, EQ), tokens)`.
    pub fn describe(&self, program: &Program) -> String {
        let name = |id: SopId| program.sops[id].name.clone();
        let select = |s: &Select| format!("Select({}, {}, {})", name(s.keys), name(s.queries), s.predicate.name());
        let body = match &self.op {
            Op::Tokens => "tokens".into(),
            Op::Indices => "indices".into(),
            Op::Map { f, input } => format!("Map({f}, {})", name(*input)),
            Op::SequenceMap { f, fst, snd } => format!("SequenceMap({f}, {}, {})", name(*fst), name(*snd)),
            Op::Aggregate { select: s, value } => format!("Aggregate({}, {})", select(s), name(*value)),
            Op::SelectorWidth { select: s } => format!("SelectorWidth({})", select(s)),
        };
        match self.encoding {
            Encoding::Numerical => format!("numerical {body}"),
            Encoding::Categorical => body,
        }
    }
}

impl Program {
    /// Per s-op, whether the output depends on it.
    pub fn reachable(&self) -> Vec<bool> {
        let mut seen = vec![false; self.sops.len()];
        let mut stack = vec![self.output];
        while let Some(id) = stack.pop() {
            if !std::mem::replace(&mut seen[id], true) {
                stack.extend(self.sops[id].inputs());
            }
        }
        seen
    }

    /// The same program without the s-ops the output does not depend on (tokens and indices
    /// always stay, at 0 and 1).
    pub fn pruned(mut self) -> Self {
        let keep = self.reachable();
        let mut new_id = vec![usize::MAX; self.sops.len()];
        let mut sops = vec![];
        for (id, sop) in self.sops.drain(..).enumerate() {
            if keep[id] || id == TOKENS || id == INDICES {
                new_id[id] = sops.len();
                sops.push(sop);
            }
        }
        let remap = |s: &mut Select, m: &[usize]| {
            s.keys = m[s.keys];
            s.queries = m[s.queries];
        };
        for sop in &mut sops {
            match &mut sop.op {
                Op::Tokens | Op::Indices => {}
                Op::Map { input, .. } => *input = new_id[*input],
                Op::SequenceMap { fst, snd, .. } => (*fst, *snd) = (new_id[*fst], new_id[*snd]),
                Op::Aggregate { select, value } => {
                    remap(select, &new_id);
                    *value = new_id[*value];
                }
                Op::SelectorWidth { select } => remap(select, &new_id),
            }
        }
        self.output = new_id[self.output];
        self.sops = sops;
        self
    }

    pub fn by_name(&self, name: &str) -> Option<SopId> {
        self.sops.iter().position(|s| s.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_put_the_key_first() {
        let (k, q) = (Value::Int(1), Value::Int(2));
        assert!(Comparison::Lt.holds(&k, &q));
        assert!(!Comparison::Gt.holds(&k, &q));
        assert!(Comparison::Leq.holds(&q, &q));
        assert_eq!(Comparison::by_name("GEQ"), Some(Comparison::Geq));
    }
}
