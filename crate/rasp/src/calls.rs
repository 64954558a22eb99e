//! The calls a program can make — `Map`, `SequenceMap`, `Select`, `Aggregate`,
//! `SelectorWidth`, `numerical`, `categorical` — and the lambda bodies of Maps, lowered into
//! s-ops for [`super::lower`].

use super::expr::{Expr, Func, ScalarFn};
use super::ir::{Comparison, Encoding, Op, Select, SopId};
use super::lexer::{RaspError, Span};
use super::lower::{Lower, Val};
use super::parser::{Arg, Ast, Node};

impl Lower {
    fn sop_arg(&mut self, arg: &Arg, what: &str, call: &str) -> Result<SopId, RaspError> {
        match arg {
            Arg::Expr(ast) => match self.expr(ast)? {
                Val::Sop(id) => Ok(id),
                _ => Err(RaspError::new(ast.span, format!("{call}'s {what} must be an s-op"))),
            },
            Arg::Lambda { span, .. } => {
                Err(RaspError::new(*span, format!("{call}'s {what} must be an s-op, not a function")))
            }
        }
    }

    fn lambda_arg(&self, arg: &Arg, arity: usize, call: &str) -> Result<ScalarFn, RaspError> {
        match arg {
            Arg::Lambda { params, body, span } => {
                if params.len() != arity {
                    let want = if arity == 1 {
                        "one parameter, as in x -> x + 1"
                    } else {
                        "two parameters, as in (x, y) -> x + y"
                    };
                    return Err(RaspError::new(*span, format!("{call} needs a function of {want}")));
                }
                Ok(ScalarFn { params: params.clone(), body: self.scalar(body, params)? })
            }
            Arg::Expr(ast) => {
                Err(RaspError::new(ast.span, format!("{call}'s first argument must be a function, as in x -> x + 1")))
            }
        }
    }

    /// A lambda body: only its parameters, constants and the scalar functions.
    fn scalar(&self, ast: &Ast, params: &[String]) -> Result<Expr, RaspError> {
        let span = ast.span;
        Ok(match &ast.node {
            Node::Lit(v) => Expr::Const(v.clone()),
            Node::Name(n) => match params.iter().position(|p| p == n) {
                Some(i) => Expr::Param(i),
                None => match self.names.get(n) {
                    Some((Val::Scalar(v), _)) => Expr::Const(v.clone()),
                    Some(_) => {
                        return Err(RaspError::new(
                            span,
                            format!(
                                "`{n}` is an s-op: a function body sees only its parameters ({})",
                                params.join(", ")
                            ),
                        ));
                    }
                    None => {
                        return Err(RaspError::new(span, format!("`{n}` is not a parameter ({})", params.join(", "))));
                    }
                },
            },
            Node::Unary(op, e) => Expr::Unary(*op, Box::new(self.scalar(e, params)?)),
            Node::Binary(op, a, b) => {
                Expr::Binary(*op, Box::new(self.scalar(a, params)?), Box::new(self.scalar(b, params)?))
            }
            Node::Call(name, args) => {
                let (func, arity) = Func::by_name(name).ok_or_else(|| {
                    RaspError::new(span, format!("`{name}` is not a scalar function (min, max, abs, round)"))
                })?;
                if args.len() != arity {
                    return Err(RaspError::new(span, format!("{name} takes {arity} argument(s)")));
                }
                let es = args
                    .iter()
                    .map(|a| match a {
                        Arg::Expr(e) => self.scalar(e, params),
                        Arg::Lambda { span, .. } => Err(RaspError::new(*span, "functions cannot be nested")),
                    })
                    .collect::<Result<_, _>>()?;
                Expr::Call(func, es)
            }
        })
    }

    pub(super) fn call(&mut self, name: &str, args: &[Arg], span: Span) -> Result<Val, RaspError> {
        let arity = |n: usize, usage: &str| -> Result<(), RaspError> {
            if args.len() == n {
                Ok(())
            } else {
                Err(RaspError::new(span, format!("{name} takes {n} argument(s): {usage}")))
            }
        };
        match name {
            "Map" => {
                arity(2, "Map(x -> …, s)")?;
                let f = self.lambda_arg(&args[0], 1, name)?;
                let input = self.sop_arg(&args[1], "input", name)?;
                Ok(self.add(Op::Map { f, input }, Encoding::Categorical, span))
            }
            "SequenceMap" => {
                arity(3, "SequenceMap((x, y) -> …, a, b)")?;
                let f = self.lambda_arg(&args[0], 2, name)?;
                let (fst, snd) =
                    (self.sop_arg(&args[1], "first input", name)?, self.sop_arg(&args[2], "second input", name)?);
                if fst == snd {
                    // Both inputs the same s-op: a Map of f(x, x), as tracr compiles it.
                    let body = substitute(&f.body);
                    let f = ScalarFn { params: vec![f.params[0].clone()], body };
                    return Ok(self.add(Op::Map { f, input: fst }, Encoding::Categorical, span));
                }
                Ok(self.add(Op::SequenceMap { f, fst, snd }, Encoding::Categorical, span))
            }
            "Select" => {
                arity(3, "Select(keys, queries, EQ)")?;
                let keys = self.sop_arg(&args[0], "keys", name)?;
                let queries = self.sop_arg(&args[1], "queries", name)?;
                let predicate = match &args[2] {
                    Arg::Expr(Ast { node: Node::Name(p), span }) => Comparison::by_name(p).ok_or_else(|| {
                        RaspError::new(
                            *span,
                            format!("`{p}` is not a predicate: use EQ, LT, LEQ, GT, GEQ, NEQ, TRUE or FALSE"),
                        )
                    })?,
                    Arg::Expr(a) => {
                        return Err(RaspError::new(
                            a.span,
                            "Select's predicate is one of EQ, LT, LEQ, GT, GEQ, NEQ, TRUE, FALSE",
                        ));
                    }
                    Arg::Lambda { span, .. } => {
                        return Err(RaspError::new(
                            *span,
                            "Select's predicate is one of EQ, LT, LEQ, GT, GEQ, NEQ, TRUE, FALSE",
                        ));
                    }
                };
                Ok(Val::Selector(Select { keys, queries, predicate, span }))
            }
            "Aggregate" | "SelectorWidth" => {
                let n = if name == "Aggregate" { 2 } else { 1 };
                arity(n, if n == 2 { "Aggregate(Select(…), s)" } else { "SelectorWidth(Select(…))" })?;
                let select = match &args[0] {
                    Arg::Expr(ast) => match self.expr(ast)? {
                        Val::Selector(s) => s,
                        _ => {
                            return Err(RaspError::new(
                                ast.span,
                                format!("{name}'s first argument must be a Select(…)"),
                            ));
                        }
                    },
                    Arg::Lambda { span, .. } => {
                        return Err(RaspError::new(*span, format!("{name}'s first argument must be a Select(…)")));
                    }
                };
                if n == 1 {
                    return Ok(self.add(Op::SelectorWidth { select }, Encoding::Categorical, span));
                }
                let value = self.sop_arg(&args[1], "value", name)?;
                let encoding = self.sops[value].encoding;
                Ok(self.add(Op::Aggregate { select, value }, encoding, span))
            }
            "numerical" | "categorical" => {
                arity(1, &format!("{name}(<expression that makes an s-op>)"))?;
                let first_new = self.sops.len();
                let id = self.sop_arg(&args[0], "argument", name)?;
                if id < first_new {
                    return Err(RaspError::new(
                        span,
                        format!(
                            "{name}(…) annotates the s-op it makes: write {name}(<expression>) where `{}` is defined",
                            self.sops[id].name
                        ),
                    ));
                }
                self.sops[id].encoding = if name == "numerical" { Encoding::Numerical } else { Encoding::Categorical };
                Ok(Val::Sop(id))
            }
            _ if Func::by_name(name).is_some() => Err(RaspError::new(
                span,
                format!("{name}(…) is a scalar function: use it inside a lambda, as in Map(x -> {name}(x, 1), s)"),
            )),
            _ => Err(RaspError::new(
                span,
                format!(
                    "unknown function `{name}`: use Map, SequenceMap, Select, Aggregate, SelectorWidth, numerical or categorical"
                ),
            )),
        }
    }
}

/// `f(x, y)` → `f(x, x)`.
fn substitute(e: &Expr) -> Expr {
    match e {
        Expr::Param(_) => Expr::Param(0),
        Expr::Const(v) => Expr::Const(v.clone()),
        Expr::Unary(op, a) => Expr::Unary(*op, Box::new(substitute(a))),
        Expr::Binary(op, a, b) => Expr::Binary(*op, Box::new(substitute(a)), Box::new(substitute(b))),
        Expr::Call(f, es) => Expr::Call(*f, es.iter().map(substitute).collect()),
    }
}
