//! From the syntax tree to a [`Program`]: names resolved, operators on s-ops turned into Maps and
//! SequenceMaps, encodings annotated, every s-op named (`opp_idx = length - indices - 1` names
//! the outer Map `opp_idx` and the inner SequenceMap `opp_idx_1`), unused s-ops dropped.

use std::collections::BTreeMap;

use super::expr::{Expr, Func, ScalarFn};
use super::ir::{Comparison, Encoding, INDICES, Op, Program, SOp, Select, SopId, TOKENS};
use super::lexer::{RaspError, Span};
use super::parser::{Ast, Node, Stmt};
use super::value::Value;

/// Names a statement may not define.
const RESERVED: [&str; 20] = [
    "tokens",
    "indices",
    "one",
    "vocab",
    "max_seq_len",
    "output",
    "BOS",
    "Map",
    "SequenceMap",
    "Select",
    "Aggregate",
    "SelectorWidth",
    "numerical",
    "categorical",
    "not",
    "and",
    "or",
    "true",
    "false",
    "min",
];

/// The longest sequence a program may declare (the MLPs grow with it).
pub const MAX_SEQ_LEN_LIMIT: usize = 64;

#[derive(Debug, Clone)]
pub(super) enum Val {
    Scalar(Value),
    Sop(SopId),
    Selector(Select),
}

pub(super) struct Lower {
    pub(super) sops: Vec<SOp>,
    pub(super) names: BTreeMap<String, (Val, Span)>,
}

pub fn lower(stmts: &[Stmt], name: &str, source: &str) -> Result<Program, RaspError> {
    let start = Span { line: 1, column: 1 };
    let prim = |name: &str, op| SOp { name: name.into(), op, encoding: Encoding::Categorical, span: start };
    let mut l = Lower { sops: vec![prim("tokens", Op::Tokens), prim("indices", Op::Indices)], names: BTreeMap::new() };
    l.names.insert("tokens".into(), (Val::Sop(TOKENS), start));
    l.names.insert("indices".into(), (Val::Sop(INDICES), start));
    let (mut vocab, mut max_seq_len, mut output) = (None, None, None);
    let mut last_sop = None;
    for stmt in stmts {
        match stmt {
            Stmt::Vocab(values, span) => {
                if vocab.is_some() {
                    return Err(RaspError::new(*span, "the vocabulary is given twice"));
                }
                vocab = Some(check_vocab(values)?);
            }
            Stmt::MaxSeqLen(n, span) => {
                if !(1..=MAX_SEQ_LEN_LIMIT as i64).contains(n) {
                    return Err(RaspError::new(
                        *span,
                        format!("max_seq_len must be between 1 and {MAX_SEQ_LEN_LIMIT}"),
                    ));
                }
                max_seq_len = Some(*n as usize);
            }
            Stmt::Output(target, span) => output = Some((target.clone(), *span)),
            Stmt::Let(target, ast, span) => {
                if RESERVED.contains(&target.as_str())
                    || Func::by_name(target).is_some()
                    || Comparison::by_name(target).is_some()
                {
                    return Err(RaspError::new(*span, format!("`{target}` is a reserved name")));
                }
                if let Some((_, first)) = l.names.get(target) {
                    return Err(RaspError::new(*span, format!("`{target}` is already defined on line {}", first.line)));
                }
                if let Some(other) = l.sops.iter().find(|s| &s.name == target) {
                    return Err(RaspError::new(
                        *span,
                        format!("the name `{target}` is taken by a part of line {}", other.span.line),
                    ));
                }
                let first_new = l.sops.len();
                let val = l.expr(ast)?;
                if let Val::Sop(id) = val {
                    if id < first_new {
                        let existing = &l.sops[id].name;
                        return Err(RaspError::new(
                            *span,
                            format!("`{target} = {existing}` only renames `{existing}`: use `{existing}`"),
                        ));
                    }
                    // The statement's s-op takes its name; the parts it made are numbered.
                    l.sops[id].name = target.clone();
                    let parts: Vec<SopId> = (first_new..l.sops.len()).filter(|&i| i != id).collect();
                    for (k, part) in parts.into_iter().enumerate() {
                        let part_name = format!("{target}_{}", k + 1);
                        if l.names.contains_key(&part_name) {
                            return Err(RaspError::new(
                                *span,
                                format!("`{target}` needs the name `{part_name}` for a part; rename one of them"),
                            ));
                        }
                        l.sops[part].name = part_name;
                    }
                    last_sop = Some(id);
                }
                l.names.insert(target.clone(), (val, *span));
            }
        }
    }
    let end = Span { line: source.lines().count().max(1), column: 1 };
    let vocab =
        vocab.ok_or_else(|| RaspError::new(end, "the program needs a vocabulary, as in `vocab = {1, 2, 3}`"))?;
    let max_seq_len = max_seq_len.ok_or_else(|| RaspError::new(end, "the program needs `max_seq_len = N`"))?;
    let output = match output {
        Some((target, span)) => match l.names.get(&target) {
            Some((Val::Sop(id), _)) => *id,
            Some(_) => return Err(RaspError::new(span, format!("`{target}` is not an s-op"))),
            None => return Err(RaspError::new(span, format!("`{target}` is not defined"))),
        },
        None => last_sop.ok_or_else(|| RaspError::new(end, "the program defines no s-op to output"))?,
    };
    if output == TOKENS || output == INDICES {
        return Err(RaspError::new(end, "the output must be computed: tokens and indices need no transformer"));
    }
    Ok(Program { name: name.into(), vocab, max_seq_len, sops: l.sops, output, source: source.into() }.pruned())
}

fn check_vocab(values: &[(Value, Span)]) -> Result<Vec<Value>, RaspError> {
    let mut seen: BTreeMap<String, Span> = BTreeMap::new();
    for (v, span) in values {
        let word = v.to_string();
        if word == "BOS" || word == "[UNK]" {
            return Err(RaspError::new(*span, format!("`{word}` is reserved for the compiler")));
        }
        if word.is_empty() || word.chars().any(char::is_whitespace) {
            return Err(RaspError::new(*span, "tokens must be single words (no spaces)"));
        }
        if let Some(first) = seen.insert(word.clone(), *span) {
            return Err(RaspError::new(
                *span,
                format!("`{word}` is in the vocabulary twice (first at column {})", first.column),
            ));
        }
    }
    let mut vocab: Vec<Value> = values.iter().map(|(v, _)| v.clone().normalized()).collect();
    vocab.sort();
    Ok(vocab)
}

impl Lower {
    pub(super) fn add(&mut self, op: Op, encoding: Encoding, span: Span) -> Val {
        let name = format!("_{}", self.sops.len());
        self.sops.push(SOp { name, op, encoding, span });
        Val::Sop(self.sops.len() - 1)
    }

    pub(super) fn expr(&mut self, ast: &Ast) -> Result<Val, RaspError> {
        let span = ast.span;
        match &ast.node {
            Node::Lit(v) => Ok(Val::Scalar(v.clone())),
            Node::Name(name) => self.name(name, span),
            Node::Unary(op, inner) => match self.expr(inner)? {
                Val::Scalar(v) => fold(&Expr::Unary(*op, Box::new(Expr::Const(v))), span),
                Val::Sop(id) => {
                    let f = ScalarFn { params: vec!["x".into()], body: Expr::Unary(*op, Box::new(Expr::Param(0))) };
                    Ok(self.add(Op::Map { f, input: id }, Encoding::Categorical, span))
                }
                Val::Selector(_) => {
                    Err(RaspError::new(span, "selectors cannot be negated (tracr compiles no selector logic)"))
                }
            },
            Node::Binary(op, a, b) => {
                let (a, b) = (self.expr(a)?, self.expr(b)?);
                let bin = |x: Expr, y: Expr| Expr::Binary(*op, Box::new(x), Box::new(y));
                let x = || Expr::Param(0);
                let op_node = match (a, b) {
                    (Val::Scalar(u), Val::Scalar(v)) => return fold(&bin(Expr::Const(u), Expr::Const(v)), span),
                    (Val::Sop(s), Val::Scalar(c)) => Op::Map { f: fun1(bin(x(), Expr::Const(c))), input: s },
                    (Val::Scalar(c), Val::Sop(s)) => Op::Map { f: fun1(bin(Expr::Const(c), x())), input: s },
                    (Val::Sop(s), Val::Sop(t)) if s == t => Op::Map { f: fun1(bin(x(), x())), input: s },
                    (Val::Sop(s), Val::Sop(t)) => {
                        let f = ScalarFn { params: vec!["x".into(), "y".into()], body: bin(x(), Expr::Param(1)) };
                        Op::SequenceMap { f, fst: s, snd: t }
                    }
                    _ => return Err(RaspError::new(span, format!("`{}` cannot combine selectors", op.symbol()))),
                };
                Ok(self.add(op_node, Encoding::Categorical, span))
            }
            Node::Call(name, args) => self.call(name, args, span),
        }
    }

    fn name(&self, name: &str, span: Span) -> Result<Val, RaspError> {
        if let Some((val, _)) = self.names.get(name) {
            return Ok(val.clone());
        }
        if Comparison::by_name(name).is_some() {
            return Err(RaspError::new(
                span,
                format!("`{name}` is a Select predicate: use it as Select's third argument"),
            ));
        }
        let known: Vec<&str> = self.names.keys().map(String::as_str).collect();
        Err(RaspError::new(span, format!("`{name}` is not defined; defined so far: {}", known.join(", "))))
    }
}

pub(super) fn fun1(body: Expr) -> ScalarFn {
    ScalarFn { params: vec!["x".into()], body }
}

fn fold(e: &Expr, span: Span) -> Result<Val, RaspError> {
    e.eval(&[])
        .map(|v| Val::Scalar(v.normalized()))
        .ok_or_else(|| RaspError::new(span, "this constant expression has no value"))
}

#[cfg(test)]
mod tests {
    use crate::parse_program;

    #[test]
    fn nested_operators_name_their_parts_after_the_statement() {
        let p = parse_program(
            "vocab = {1, 2}\nmax_seq_len = 3\nn = SelectorWidth(Select(tokens, tokens, TRUE))\nopp = n - indices - 1",
            "t",
        )
        .unwrap();
        let names: Vec<&str> = p.sops.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, vec!["tokens", "indices", "n", "opp_1", "opp"]);
        assert_eq!(p.sops[4].describe(&p), "Map(x -> x - 1, opp_1)");
        assert_eq!(p.sops[3].describe(&p), "SequenceMap((x, y) -> x - y, n, indices)");
    }

    #[test]
    fn unused_definitions_are_dropped_and_the_last_s_op_is_the_output() {
        let p = parse_program("vocab = {a, b}\nmax_seq_len = 2\nunused = tokens == \"a\"\nis_b = tokens == \"b\"", "t")
            .unwrap();
        assert_eq!(p.sops.len(), 3);
        assert_eq!(p.sops[p.output].name, "is_b");
    }

    #[test]
    fn errors_point_at_the_offending_name() {
        let err = parse_program("vocab = {1}\nmax_seq_len = 2\nx = Map(y -> y + 1, tokenz)", "t").unwrap_err();
        assert_eq!(err.span.line, 3);
        assert_eq!(err.span.column, 21);
        assert!(err.message.starts_with("`tokenz` is not defined"), "{err}");
    }

    #[test]
    fn a_lambda_may_not_read_an_s_op() {
        let err = parse_program("vocab = {1}\nmax_seq_len = 2\nx = Map(y -> y + indices, tokens)", "t").unwrap_err();
        assert!(err.message.contains("is an s-op"), "{err}");
    }

    #[test]
    fn numerical_annotates_only_a_fresh_s_op() {
        let ok = parse_program("vocab = {x, y}\nmax_seq_len = 2\nb = numerical(tokens == \"x\")", "t").unwrap();
        assert!(!ok.sops[ok.output].is_categorical());
        let err = parse_program("vocab = {x, y}\nmax_seq_len = 2\nb = numerical(tokens)", "t").unwrap_err();
        assert!(err.message.contains("annotates the s-op it makes"), "{err}");
    }

    #[test]
    fn the_compiler_bos_token_cannot_be_in_the_vocabulary() {
        let err = parse_program("vocab = {a, BOS}\nmax_seq_len = 2\nx = tokens == \"a\"", "t").unwrap_err();
        assert_eq!(err.to_string(), "line 1, column 13: `BOS` is reserved for the compiler");
    }
}
