//! Scalar functions: the bodies of `Map(x -> …)` and `SequenceMap((x, y) -> …)`, and of the
//! infix sugar (`length - indices` is `SequenceMap((x, y) -> x - y, length, indices)`). The
//! compiler only ever evaluates them on the finite value sets of their inputs, so any pure
//! function will do; an arithmetic error (division by zero, a string minus a number) gives no
//! value, and the compiler leaves that input out, as tracr does.

use std::fmt;

use super::value::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Add => "+",
            Self::Sub => "-",
            Self::Mul => "*",
            Self::Div => "/",
            Self::Rem => "%",
            Self::Eq => "==",
            Self::Ne => "!=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::And => "and",
            Self::Or => "or",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

/// Built-in scalar functions callable inside a lambda.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Min,
    Max,
    Abs,
    /// Python's `round`: halves go to the even neighbour.
    Round,
}

impl Func {
    pub fn by_name(name: &str) -> Option<(Self, usize)> {
        Some(match name {
            "min" => (Self::Min, 2),
            "max" => (Self::Max, 2),
            "abs" => (Self::Abs, 1),
            "round" => (Self::Round, 1),
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::Min => "min",
            Self::Max => "max",
            Self::Abs => "abs",
            Self::Round => "round",
        }
    }
}

/// A scalar expression over a function's parameters (`Param(0)` is `x`, `Param(1)` is `y`).
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Param(usize),
    Const(Value),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
}

/// A named-parameter function, as written: `(x, y) -> x - y`.
#[derive(Debug, Clone, PartialEq)]
pub struct ScalarFn {
    pub params: Vec<String>,
    pub body: Expr,
}

impl ScalarFn {
    /// The function's value, or `None` where it is undefined.
    pub fn call(&self, args: &[Value]) -> Option<Value> {
        self.body.eval(args).map(Value::normalized)
    }
}

impl fmt::Display for ScalarFn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let params =
            if self.params.len() == 1 { self.params[0].clone() } else { format!("({})", self.params.join(", ")) };
        write!(f, "{params} -> ")?;
        self.body.write(f, &self.params)
    }
}

impl Expr {
    pub fn eval(&self, args: &[Value]) -> Option<Value> {
        match self {
            Self::Param(i) => args.get(*i).cloned(),
            Self::Const(v) => Some(v.clone()),
            Self::Unary(UnOp::Not, e) => Some(Value::Bool(!e.eval(args)?.truthy())),
            Self::Unary(UnOp::Neg, e) => match e.eval(args)? {
                Value::Int(i) => i.checked_neg().map(Value::Int),
                Value::Bool(b) => Some(Value::Int(-(b as i64))),
                Value::Float(x) => Some(Value::Float(-x)),
                Value::Str(_) => None,
            },
            Self::Binary(BinOp::And, a, b) => {
                let a = a.eval(args)?;
                if a.truthy() { b.eval(args) } else { Some(a) }
            }
            Self::Binary(BinOp::Or, a, b) => {
                let a = a.eval(args)?;
                if a.truthy() { Some(a) } else { b.eval(args) }
            }
            Self::Binary(op, a, b) => binary(*op, a.eval(args)?, b.eval(args)?),
            Self::Call(func, es) => {
                let vs: Vec<Value> = es.iter().map(|e| e.eval(args)).collect::<Option<_>>()?;
                let num = |v: &Value| v.as_f64();
                match func {
                    Func::Min => Some(if vs[1] < vs[0] { vs[1].clone() } else { vs[0].clone() }),
                    Func::Max => Some(if vs[1] > vs[0] { vs[1].clone() } else { vs[0].clone() }),
                    Func::Abs => Some(Value::Float(num(&vs[0])?.abs())),
                    Func::Round => Some(Value::Float(num(&vs[0])?.round_ties_even())),
                }
            }
        }
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, params: &[String]) -> fmt::Result {
        match self {
            Self::Param(i) => write!(f, "{}", params.get(*i).map(String::as_str).unwrap_or("?")),
            Self::Const(Value::Str(s)) => write!(f, "\"{s}\""),
            Self::Const(v) => write!(f, "{v}"),
            Self::Unary(UnOp::Neg, e) => {
                write!(f, "-")?;
                e.write_operand(f, params)
            }
            Self::Unary(UnOp::Not, e) => {
                write!(f, "not ")?;
                e.write_operand(f, params)
            }
            Self::Binary(op, a, b) => {
                a.write_operand(f, params)?;
                write!(f, " {} ", op.symbol())?;
                b.write_operand(f, params)
            }
            Self::Call(func, es) => {
                write!(f, "{}(", func.name())?;
                for (i, e) in es.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    e.write(f, params)?;
                }
                write!(f, ")")
            }
        }
    }

    fn write_operand(&self, f: &mut fmt::Formatter<'_>, params: &[String]) -> fmt::Result {
        if matches!(self, Self::Binary(..)) {
            write!(f, "(")?;
            self.write(f, params)?;
            write!(f, ")")
        } else {
            self.write(f, params)
        }
    }
}

fn binary(op: BinOp, a: Value, b: Value) -> Option<Value> {
    use BinOp::*;
    match op {
        Eq => return Some(Value::Bool(a == b)),
        Ne => return Some(Value::Bool(a != b)),
        Lt | Le | Gt | Ge => {
            // Like Python: strings compare with strings, numbers with numbers, nothing across.
            if matches!(a, Value::Str(_)) != matches!(b, Value::Str(_)) {
                return None;
            }
            let o = a.cmp(&b);
            return Some(Value::Bool(match op {
                Lt => o.is_lt(),
                Le => o.is_le(),
                Gt => o.is_gt(),
                _ => o.is_ge(),
            }));
        }
        _ => {}
    }
    let int = |v: &Value| match v {
        Value::Int(i) => Some(*i),
        Value::Bool(b) => Some(*b as i64),
        _ => None,
    };
    if let (Some(x), Some(y)) = (int(&a), int(&b)) {
        return match op {
            Add => x.checked_add(y).map(Value::Int),
            Sub => x.checked_sub(y).map(Value::Int),
            Mul => x.checked_mul(y).map(Value::Int),
            Div => (y != 0).then(|| Value::Float(x as f64 / y as f64)),
            Rem => (y != 0).then(|| Value::Int(x.rem_euclid(y))),
            _ => None,
        };
    }
    let (x, y) = (a.as_f64()?, b.as_f64()?);
    let r = match op {
        Add => x + y,
        Sub => x - y,
        Mul => x * y,
        Div if y != 0.0 => x / y,
        Rem if y != 0.0 => x.rem_euclid(y),
        _ => return None,
    };
    r.is_finite().then_some(Value::Float(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(body: Expr) -> ScalarFn {
        ScalarFn { params: vec!["x".into(), "y".into()], body }
    }

    fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
        Expr::Binary(op, Box::new(a), Box::new(b))
    }

    #[test]
    fn integer_arithmetic_stays_integral_and_division_normalizes() {
        let sub = f(bin(BinOp::Sub, Expr::Param(0), Expr::Param(1)));
        assert_eq!(sub.call(&[Value::Int(5), Value::Int(7)]), Some(Value::Int(-2)));
        let div = f(bin(BinOp::Div, Expr::Param(0), Expr::Param(1)));
        assert_eq!(div.call(&[Value::Int(4), Value::Int(2)]), Some(Value::Int(2)));
        assert_eq!(div.call(&[Value::Int(1), Value::Int(4)]), Some(Value::Float(0.25)));
    }

    #[test]
    fn undefined_results_are_none_not_panics() {
        let div = f(bin(BinOp::Div, Expr::Param(0), Expr::Param(1)));
        assert_eq!(div.call(&[Value::Int(1), Value::Int(0)]), None);
        let lt = f(bin(BinOp::Lt, Expr::Param(0), Expr::Param(1)));
        assert_eq!(lt.call(&[Value::Str("a".into()), Value::Int(0)]), None);
    }

    #[test]
    fn round_sends_halves_to_the_even_neighbour_like_python() {
        let r = f(Expr::Call(Func::Round, vec![Expr::Param(0)]));
        assert_eq!(r.call(&[Value::Float(2.5)]), Some(Value::Int(2)));
        assert_eq!(r.call(&[Value::Float(3.5)]), Some(Value::Int(4)));
    }

    #[test]
    fn a_function_prints_as_written() {
        let e = f(bin(BinOp::Sub, bin(BinOp::Sub, Expr::Param(0), Expr::Param(1)), Expr::Const(Value::Int(1))));
        assert_eq!(e.to_string(), "(x, y) -> (x - y) - 1");
    }
}
