//! RASP values: what a token, an index or an s-op holds at one position. One total order over
//! all of them (booleans, then numbers by value, then strings), because value sets are sorted
//! sets and residual basis directions are sorted by (name, value), as in tracr.

use std::cmp::Ordering;
use std::fmt;

/// One value. Integers and floats that are numerically equal are equal (`1 == 1.0`), as in
/// Python, so value sets do not hold both.
#[derive(Debug, Clone)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

impl Value {
    /// The number this value stands for (booleans are 0 and 1), if any.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
            Self::Int(i) => Some(*i as f64),
            Self::Float(x) => Some(*x),
            Self::Str(_) => None,
        }
    }

    /// Truthiness for `and`, `or`, `not` (Python's, for the types we have).
    pub fn truthy(&self) -> bool {
        match self {
            Self::Bool(b) => *b,
            Self::Int(i) => *i != 0,
            Self::Float(x) => *x != 0.0,
            Self::Str(s) => !s.is_empty(),
        }
    }

    /// A float that is an integer becomes an `Int`, so `2.0` and `2` print and sort alike.
    pub fn normalized(self) -> Self {
        match self {
            Self::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => Self::Int(x as i64),
            other => other,
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Self::Bool(_) => 0,
            Self::Int(_) | Self::Float(_) => 1,
            Self::Str(_) => 2,
        }
    }
}

impl Ord for Value {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::Bool(a), Self::Bool(b)) => a.cmp(b),
            (Self::Int(a), Self::Int(b)) => a.cmp(b),
            (Self::Str(a), Self::Str(b)) => a.cmp(b),
            (a, b) if a.rank() == 1 && b.rank() == 1 => {
                let (x, y) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
                x.total_cmp(&y)
            }
            (a, b) => a.rank().cmp(&b.rank()),
        }
    }
}

impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Value {}

impl fmt::Display for Value {
    /// How a value appears in basis labels and vocabularies: `3`, `0.5`, `x`, `true`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bool(b) => write!(f, "{b}"),
            Self::Int(i) => write!(f, "{i}"),
            Self::Float(x) => write!(f, "{x}"),
            Self::Str(s) => write!(f, "{s}"),
        }
    }
}

impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Self::Bool(b) => s.serialize_bool(*b),
            Self::Int(i) => s.serialize_i64(*i),
            Self::Float(x) => s.serialize_f64(*x),
            Self::Str(t) => s.serialize_str(t),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_by_value_across_int_and_float() {
        assert_eq!(Value::Int(1), Value::Float(1.0));
        assert!(Value::Int(1) < Value::Float(1.5));
        assert!(Value::Float(-0.5) < Value::Int(0));
    }

    #[test]
    fn kinds_sort_booleans_then_numbers_then_strings() {
        let mut v = vec![Value::Str("a".into()), Value::Int(3), Value::Bool(true), Value::Float(0.5)];
        v.sort();
        assert_eq!(v, vec![Value::Bool(true), Value::Float(0.5), Value::Int(3), Value::Str("a".into())]);
    }

    #[test]
    fn integral_floats_normalize_to_integers_and_print_without_a_point() {
        assert_eq!(Value::Float(2.0).normalized().to_string(), "2");
        assert_eq!(Value::Float(0.25).normalized().to_string(), "0.25");
    }
}
