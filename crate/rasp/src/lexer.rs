//! Tokens of the RASP text syntax, each with the line and column where it starts, so every error
//! downstream can point at the source.

use std::fmt;

/// A place in the source: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Span {
    pub line: usize,
    pub column: usize,
}

/// An error in a program, at a place in its source. The page's editor underlines `span`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RaspError {
    pub span: Span,
    pub message: String,
}

impl RaspError {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Self { span, message: message.into() }
    }
}

impl fmt::Display for RaspError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.span.line, self.span.column, self.message)
    }
}

impl From<RaspError> for circuitscope::Error {
    fn from(e: RaspError) -> Self {
        circuitscope::Error::Invalid(format!("rasp: {e}"))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Ident(String),
    Int(i64),
    Float(f64),
    Str(String),
    /// One of `( ) { } , = -> == != < <= > >= + - * / %`.
    Sym(&'static str),
    Newline,
    Eof,
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ident(s) => write!(f, "`{s}`"),
            Self::Int(i) => write!(f, "`{i}`"),
            Self::Float(x) => write!(f, "`{x}`"),
            Self::Str(s) => write!(f, "\"{s}\""),
            Self::Sym(s) => write!(f, "`{s}`"),
            Self::Newline => write!(f, "the end of the line"),
            Self::Eof => write!(f, "the end of the program"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

/// Longest symbols first, so `<=` is not read as `<` then `=`.
const SYMBOLS: [&str; 18] =
    ["->", "==", "!=", "<=", ">=", "(", ")", "{", "}", ",", "=", "<", ">", "+", "-", "*", "/", "%"];

/// Splits a program into tokens. `#` starts a comment to the end of the line; newlines end
/// statements, except inside brackets.
pub fn lex(source: &str) -> Result<Vec<Token>, RaspError> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = vec![];
    let (mut i, mut line, mut col) = (0, 1, 1);
    let mut depth = 0usize;
    while i < chars.len() {
        let c = chars[i];
        let span = Span { line, column: col };
        let advance = |n: usize, i: &mut usize, col: &mut usize| {
            *i += n;
            *col += n;
        };
        if c == '\n' {
            if depth == 0 {
                out.push(Token { tok: Tok::Newline, span });
            }
            i += 1;
            line += 1;
            col = 1;
        } else if c.is_whitespace() {
            advance(1, &mut i, &mut col);
        } else if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                advance(1, &mut i, &mut col);
            }
        } else if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                advance(1, &mut i, &mut col);
            }
            let text: String = chars[start..i].iter().collect();
            let tok = if text.contains('.') {
                Tok::Float(text.parse().map_err(|_| RaspError::new(span, format!("`{text}` is not a number")))?)
            } else {
                Tok::Int(text.parse().map_err(|_| RaspError::new(span, format!("`{text}` is too large")))?)
            };
            out.push(Token { tok, span });
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                advance(1, &mut i, &mut col);
            }
            out.push(Token { tok: Tok::Ident(chars[start..i].iter().collect()), span });
        } else if c == '"' || c == '\'' {
            let start = i + 1;
            advance(1, &mut i, &mut col);
            while i < chars.len() && chars[i] != c && chars[i] != '\n' {
                advance(1, &mut i, &mut col);
            }
            if chars.get(i) != Some(&c) {
                return Err(RaspError::new(span, "this string is not closed on its line"));
            }
            out.push(Token { tok: Tok::Str(chars[start..i].iter().collect()), span });
            advance(1, &mut i, &mut col);
        } else {
            let rest: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let sym = SYMBOLS
                .iter()
                .find(|s| rest.starts_with(**s))
                .ok_or_else(|| RaspError::new(span, format!("unexpected character `{c}`")))?;
            match *sym {
                "(" | "{" => depth += 1,
                ")" | "}" => depth = depth.saturating_sub(1),
                _ => {}
            }
            out.push(Token { tok: Tok::Sym(sym), span });
            advance(sym.len(), &mut i, &mut col);
        }
    }
    out.push(Token { tok: Tok::Newline, span: Span { line, column: col } });
    out.push(Token { tok: Tok::Eof, span: Span { line, column: col } });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<Tok> {
        lex(source).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn two_character_symbols_win_over_their_prefixes() {
        assert_eq!(
            kinds("a <= b -> c"),
            vec![
                Tok::Ident("a".into()),
                Tok::Sym("<="),
                Tok::Ident("b".into()),
                Tok::Sym("->"),
                Tok::Ident("c".into()),
                Tok::Newline,
                Tok::Eof
            ]
        );
    }

    #[test]
    fn newlines_inside_brackets_do_not_end_a_statement() {
        let toks = kinds("f(a,\n  b)  # comment\nx");
        assert_eq!(toks.iter().filter(|t| **t == Tok::Newline).count(), 2);
    }

    #[test]
    fn spans_count_lines_and_columns_from_one() {
        let toks = lex("a = 1\n  bb = 'x'").unwrap();
        let bb = toks.iter().find(|t| t.tok == Tok::Ident("bb".into())).unwrap();
        assert_eq!(bb.span, Span { line: 2, column: 3 });
        assert_eq!(toks.iter().find(|t| t.tok == Tok::Str("x".into())).unwrap().span.column, 8);
    }

    #[test]
    fn an_unclosed_string_names_its_start() {
        let err = lex("x = \"abc\ny").unwrap_err();
        assert_eq!(err.to_string(), "line 1, column 5: this string is not closed on its line");
    }
}
