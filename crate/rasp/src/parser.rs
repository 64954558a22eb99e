//! The text syntax, parsed into a syntax tree (lowered to s-ops by `lower`):
//!
//! ```text
//! # reverse.rasp
//! vocab = {1, 2, 3}
//! max_seq_len = 5
//! length = SelectorWidth(Select(tokens, tokens, TRUE))
//! opp_idx = length - indices - 1
//! reverse = Aggregate(Select(indices, opp_idx, EQ), tokens)
//! output = reverse            # optional: the last s-op defined
//! ```
//!
//! One statement per line. Expressions: literals (`3`, `0.5`, `"x"`, `true`), names, calls
//! (`Map(x -> x + 1, s)`, `SequenceMap((x, y) -> x * y, a, b)`, `Select(keys, queries, LT)`,
//! `Aggregate(sel, s)`, `SelectorWidth(sel)`, `numerical(…)`, `categorical(…)`), and the operators
//! `or and not == != < <= > >= + - * / %` (loosest first). An operator on s-ops makes a new
//! s-op, as tracr's operator overloading does.

use super::expr::{BinOp, UnOp};
use super::lexer::{RaspError, Span, Tok, Token};
use super::value::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Name(String),
    Lit(Value),
    Unary(UnOp, Box<Ast>),
    Binary(BinOp, Box<Ast>, Box<Ast>),
    Call(String, Vec<Arg>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ast {
    pub node: Node,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Expr(Ast),
    Lambda { params: Vec<String>, body: Ast, span: Span },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Stmt {
    Vocab(Vec<(Value, Span)>, Span),
    MaxSeqLen(i64, Span),
    Output(String, Span),
    Let(String, Ast, Span),
}

pub fn parse(tokens: &[Token]) -> Result<Vec<Stmt>, RaspError> {
    let mut p = Parser { tokens, at: 0 };
    let mut stmts = vec![];
    loop {
        while p.peek() == &Tok::Newline {
            p.at += 1;
        }
        if p.peek() == &Tok::Eof {
            return Ok(stmts);
        }
        stmts.push(p.statement()?);
        if p.peek() != &Tok::Newline {
            return Err(p.error(format!("expected the end of the statement, found {}", p.peek())));
        }
    }
}

struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.tokens[self.at].tok
    }

    fn peek_at(&self, n: usize) -> &Tok {
        &self.tokens[(self.at + n).min(self.tokens.len() - 1)].tok
    }

    fn span(&self) -> Span {
        self.tokens[self.at].span
    }

    fn error(&self, message: String) -> RaspError {
        RaspError::new(self.span(), message)
    }

    fn next(&mut self) -> Token {
        let t = self.tokens[self.at].clone();
        if t.tok != Tok::Eof {
            self.at += 1;
        }
        t
    }

    fn eat(&mut self, sym: &'static str) -> bool {
        if self.peek() == &Tok::Sym(sym) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, sym: &'static str, context: &str) -> Result<Span, RaspError> {
        let span = self.span();
        if self.eat(sym) {
            Ok(span)
        } else {
            Err(self.error(format!("expected `{sym}` {context}, found {}", self.peek())))
        }
    }

    fn ident(&mut self, context: &str) -> Result<(String, Span), RaspError> {
        match self.next() {
            Token { tok: Tok::Ident(name), span } => Ok((name, span)),
            t => Err(RaspError::new(t.span, format!("expected a name {context}, found {}", t.tok))),
        }
    }

    fn statement(&mut self) -> Result<Stmt, RaspError> {
        let (name, span) = self.ident("to define (statements look like `name = expression`)")?;
        self.expect("=", &format!("after `{name}`"))?;
        match name.as_str() {
            "vocab" => {
                self.expect("{", "to start the vocabulary, as in `vocab = {1, 2, 3}`")?;
                let mut values = vec![];
                loop {
                    let t = self.next();
                    let value = match t.tok {
                        Tok::Int(i) => Value::Int(i),
                        Tok::Float(x) => Value::Float(x),
                        Tok::Str(s) | Tok::Ident(s) => Value::Str(s),
                        other => return Err(RaspError::new(t.span, format!("expected a token, found {other}"))),
                    };
                    values.push((value, t.span));
                    if !self.eat(",") {
                        break;
                    }
                }
                self.expect("}", "to close the vocabulary")?;
                Ok(Stmt::Vocab(values, span))
            }
            "max_seq_len" => match self.next() {
                Token { tok: Tok::Int(n), span } => Ok(Stmt::MaxSeqLen(n, span)),
                t => Err(RaspError::new(t.span, format!("max_seq_len must be a whole number, found {}", t.tok))),
            },
            "output" => {
                let (target, span) = self.ident("of the s-op the model outputs")?;
                Ok(Stmt::Output(target, span))
            }
            _ => Ok(Stmt::Let(name, self.expr()?, span)),
        }
    }

    fn expr(&mut self) -> Result<Ast, RaspError> {
        self.binary(0)
    }

    /// Precedence climbing over the binary operators, loosest level first.
    fn binary(&mut self, level: usize) -> Result<Ast, RaspError> {
        const LEVELS: [&[(&str, BinOp)]; 5] = [
            &[("or", BinOp::Or)],
            &[("and", BinOp::And)],
            &[],
            &[
                ("==", BinOp::Eq),
                ("!=", BinOp::Ne),
                ("<=", BinOp::Le),
                (">=", BinOp::Ge),
                ("<", BinOp::Lt),
                (">", BinOp::Gt),
            ],
            &[("+", BinOp::Add), ("-", BinOp::Sub)],
        ];
        if level == 2 {
            // `not` binds looser than comparisons: `not x == 1` is `not (x == 1)`.
            if self.peek() == &Tok::Ident("not".into()) {
                let span = self.next().span;
                let inner = self.binary(2)?;
                return Ok(Ast { node: Node::Unary(UnOp::Not, Box::new(inner)), span });
            }
            return self.binary(3);
        }
        if level == LEVELS.len() {
            return self.product();
        }
        let mut left = self.binary(level + 1)?;
        loop {
            let op = LEVELS[level].iter().find(|(s, _)| match self.peek() {
                Tok::Sym(t) => t == s,
                Tok::Ident(t) => t == s,
                _ => false,
            });
            let Some(&(_, op)) = op else { return Ok(left) };
            let span = self.next().span;
            let right = self.binary(level + 1)?;
            left = Ast { node: Node::Binary(op, Box::new(left), Box::new(right)), span };
            if level == 3 && matches!(self.peek(), Tok::Sym("==" | "!=" | "<" | "<=" | ">" | ">=")) {
                return Err(self.error("comparisons do not chain: add parentheses".into()));
            }
        }
    }

    fn product(&mut self) -> Result<Ast, RaspError> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Tok::Sym("*") => BinOp::Mul,
                Tok::Sym("/") => BinOp::Div,
                Tok::Sym("%") => BinOp::Rem,
                _ => return Ok(left),
            };
            let span = self.next().span;
            let right = self.unary()?;
            left = Ast { node: Node::Binary(op, Box::new(left), Box::new(right)), span };
        }
    }

    fn unary(&mut self) -> Result<Ast, RaspError> {
        if self.peek() == &Tok::Sym("-") {
            let span = self.next().span;
            let inner = self.unary()?;
            return Ok(Ast { node: Node::Unary(UnOp::Neg, Box::new(inner)), span });
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Ast, RaspError> {
        let t = self.next();
        let span = t.span;
        let node = match t.tok {
            Tok::Int(i) => Node::Lit(Value::Int(i)),
            Tok::Float(x) => Node::Lit(Value::Float(x)),
            Tok::Str(s) => Node::Lit(Value::Str(s)),
            Tok::Ident(name) if name == "true" || name == "false" => Node::Lit(Value::Bool(name == "true")),
            Tok::Ident(name) if self.peek() == &Tok::Sym("(") => {
                self.at += 1;
                let mut args = vec![];
                if !self.eat(")") {
                    loop {
                        args.push(self.arg()?);
                        if self.eat(")") {
                            break;
                        }
                        self.expect(",", &format!("between the arguments of {name}"))?;
                    }
                }
                Node::Call(name, args)
            }
            Tok::Ident(name) => Node::Name(name),
            Tok::Sym("(") => {
                let inner = self.expr()?;
                self.expect(")", "to close the parenthesis")?;
                return Ok(inner);
            }
            other => return Err(RaspError::new(span, format!("expected an expression, found {other}"))),
        };
        Ok(Ast { node, span })
    }

    /// A call argument: an expression, or a lambda `x -> …` / `(x, y) -> …`.
    fn arg(&mut self) -> Result<Arg, RaspError> {
        let span = self.span();
        let one = matches!(self.peek(), Tok::Ident(_)) && self.peek_at(1) == &Tok::Sym("->");
        let two = self.peek() == &Tok::Sym("(")
            && matches!(self.peek_at(1), Tok::Ident(_))
            && self.peek_at(2) == &Tok::Sym(",")
            && matches!(self.peek_at(3), Tok::Ident(_))
            && self.peek_at(4) == &Tok::Sym(")")
            && self.peek_at(5) == &Tok::Sym("->");
        if one || two {
            let mut params = vec![];
            if two {
                self.at += 1;
                params.push(self.ident("")?.0);
                self.at += 1;
                params.push(self.ident("")?.0);
                self.at += 1;
            } else {
                params.push(self.ident("")?.0);
            }
            self.expect("->", "after the lambda's parameters")?;
            let body = self.expr()?;
            return Ok(Arg::Lambda { params, body, span });
        }
        Ok(Arg::Expr(self.expr()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::lex;

    fn parse_str(s: &str) -> Result<Vec<Stmt>, RaspError> {
        parse(&lex(s)?)
    }

    #[test]
    fn subtraction_associates_to_the_left() {
        let stmts = parse_str("a = length - indices - 1").unwrap();
        let Stmt::Let(_, ast, _) = &stmts[0] else { panic!() };
        let Node::Binary(BinOp::Sub, left, right) = &ast.node else { panic!() };
        assert!(matches!(left.node, Node::Binary(BinOp::Sub, _, _)));
        assert_eq!(right.node, Node::Lit(Value::Int(1)));
    }

    #[test]
    fn lambdas_of_one_and_two_parameters_parse_as_arguments() {
        let stmts = parse_str("a = Map(x -> x + 1, tokens)\nb = SequenceMap((x, y) -> x * y, a, indices)").unwrap();
        let Stmt::Let(_, ast, _) = &stmts[1] else { panic!() };
        let Node::Call(name, args) = &ast.node else { panic!() };
        assert_eq!(name, "SequenceMap");
        assert!(matches!(&args[0], Arg::Lambda { params, .. } if params == &["x", "y"]));
    }

    #[test]
    fn the_vocabulary_takes_numbers_strings_and_bare_words() {
        let stmts = parse_str("vocab = {1, \"x\", w}").unwrap();
        let Stmt::Vocab(v, _) = &stmts[0] else { panic!() };
        let values: Vec<Value> = v.iter().map(|(v, _)| v.clone()).collect();
        assert_eq!(values, vec![Value::Int(1), Value::Str("x".into()), Value::Str("w".into())]);
    }

    #[test]
    fn a_missing_parenthesis_is_reported_where_it_was_expected() {
        let err = parse_str("a = Select(tokens, tokens, EQ\nb = 1").unwrap_err();
        assert_eq!(err.span.line, 2);
        assert!(err.message.contains("between the arguments of Select"), "{err}");
    }

    #[test]
    fn chained_comparisons_are_refused() {
        let err = parse_str("a = 1 < tokens < 3").unwrap_err();
        assert!(err.message.contains("do not chain"), "{err}");
    }
}
