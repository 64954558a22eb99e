//! The residual stream's layout: one named basis direction per categorical value
//! (`tokens:x`, `indices:3`, `length:2`), one per numerical s-op (`frac_prevs`), the constant
//! `one`, and the selector-width helpers, sorted by (name, value) as tracr sorts them. Every
//! component reads and writes directions by name; only the writer turns names into indices.

use std::collections::BTreeMap;

use super::ir::{Encoding, Program, SopId};
use super::value::Value;
use super::value_set::ValueSet;

/// The compiler's beginning-of-sequence token (a value of `tokens`, so its direction is
/// `tokens:BOS`).
pub const BOS: &str = "BOS";
/// The unknown-word token the tokenizer needs; its embedding is zero.
pub const UNK: &str = "[UNK]";

/// One basis direction of the residual stream.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dir {
    pub name: String,
    pub value: Option<Value>,
}

impl Dir {
    pub fn new(name: &str, value: Value) -> Self {
        Self { name: name.into(), value: Some(value) }
    }

    pub fn scalar(name: &str) -> Self {
        Self { name: name.into(), value: None }
    }

    /// Always 1 at every position (from the token embedding): MLPs read their constants here.
    pub fn one() -> Self {
        Self::scalar("one")
    }

    pub fn bos() -> Self {
        Self::new("tokens", Value::Str(BOS.into()))
    }

    /// Where a SelectorWidth's head writes 1/(width + 1) for its MLP to decode.
    pub fn selector_width_attn(sop_name: &str) -> Self {
        Self::scalar(&format!("{sop_name}_selector_width_attn_output"))
    }

    /// `name:value`, or `name` for a scalar direction.
    pub fn label(&self) -> String {
        match &self.value {
            Some(v) => format!("{}:{v}", self.name),
            None => self.name.clone(),
        }
    }
}

/// Sparse weights between named directions and a component's own coordinates (a head's
/// query/key/value coordinates, an MLP's hidden units): `(direction, coordinate, weight)`.
pub type Entries = Vec<(Dir, usize, f32)>;

/// The directions an s-op occupies: one per value (categorical) or one (numerical).
pub fn sop_dirs(program: &Program, sets: &[ValueSet], id: SopId) -> Vec<Dir> {
    let sop = &program.sops[id];
    match sop.encoding {
        Encoding::Categorical => sets[id].iter().map(|v| Dir::new(&sop.name, v.clone())).collect(),
        Encoding::Numerical => vec![Dir::scalar(&sop.name)],
    }
}

/// The sorted basis of the residual stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Residual {
    pub dirs: Vec<Dir>,
    index: BTreeMap<Dir, usize>,
}

impl Residual {
    pub fn new(dirs: impl IntoIterator<Item = Dir>) -> Self {
        let mut dirs: Vec<Dir> = dirs.into_iter().collect();
        dirs.sort();
        dirs.dedup();
        let index = dirs.iter().enumerate().map(|(i, d)| (d.clone(), i)).collect();
        Self { dirs, index }
    }

    /// The index of a direction. Every direction a component names is in the residual by
    /// construction, so a miss is a compiler bug.
    pub fn index(&self, dir: &Dir) -> usize {
        *self.index.get(dir).unwrap_or_else(|| panic!("compiler bug: {} is not in the residual stream", dir.label()))
    }

    pub fn d_model(&self) -> usize {
        self.dirs.len()
    }

    pub fn labels(&self) -> Vec<String> {
        self.dirs.iter().map(Dir::label).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions_sort_by_name_then_value_with_numbers_before_strings() {
        let r = Residual::new([
            Dir::bos(),
            Dir::new("tokens", Value::Int(2)),
            Dir::one(),
            Dir::new("indices", Value::Int(10)),
            Dir::new("indices", Value::Int(9)),
            Dir::new("tokens", Value::Int(2)),
        ]);
        assert_eq!(r.labels(), ["indices:9", "indices:10", "one", "tokens:2", "tokens:BOS"]);
        assert_eq!(r.index(&Dir::one()), 2);
    }
}
