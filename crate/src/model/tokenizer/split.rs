//! GPT-2's pre-tokenizer: the text cut into words before byte-pair merging, by the pattern
//! `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`, written out as a
//! scanner (no regex engine in the page's wasm).

use unicode_general_category::{GeneralCategory, get_general_category};

fn is_letter(c: char) -> bool {
    use GeneralCategory::*;
    matches!(get_general_category(c), UppercaseLetter | LowercaseLetter | TitlecaseLetter | ModifierLetter | OtherLetter)
}

fn is_number(c: char) -> bool {
    c.is_numeric()
}

/// The pieces of `text`, in order; they concatenate back to `text`.
pub fn split(text: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let n = chars.len();
    let at = |i: usize| if i < n { chars[i].0 } else { text.len() };
    let mut pieces = vec![];
    let mut i = 0;
    while i < n {
        let start = i;
        let c = chars[i].1;
        // Contractions.
        if c == '\'' {
            let rest = &text[at(i)..];
            if let Some(len) = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"].iter().find(|p| rest.starts_with(**p)).map(|p| p.chars().count()) {
                i += len;
                pieces.push(&text[at(start)..at(i)]);
                continue;
            }
        }
        // ` ?` then a run of one class.
        let body = if c == ' ' && i + 1 < n && !chars[i + 1].1.is_whitespace() { i + 1 } else { i };
        if body < n && !chars[body].1.is_whitespace() {
            let first = chars[body].1;
            let class = |ch: char| -> u8 {
                if is_letter(ch) {
                    0
                } else if is_number(ch) {
                    1
                } else {
                    2
                }
            };
            let k = class(first);
            let mut j = body + 1;
            while j < n && !chars[j].1.is_whitespace() && class(chars[j].1) == k {
                j += 1;
            }
            i = j;
            pieces.push(&text[at(start)..at(i)]);
            continue;
        }
        // Whitespace: `\s+(?!\S)` leaves the last space of a run before a word for the word.
        let mut j = i;
        while j < n && chars[j].1.is_whitespace() {
            j += 1;
        }
        if j < n && j - i > 1 {
            j -= 1;
        }
        i = j.max(i + 1);
        pieces.push(&text[at(start)..at(i)]);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn the_pattern_splits_as_gpt2_does() {
        assert_eq!(split("Hello world"), ["Hello", " world"]);
        assert_eq!(split("I'm here's 123 abc!!"), ["I", "'m", " here", "'s", " 123", " abc", "!!"]);
        assert_eq!(split("a  b"), ["a", " ", " b"]);
        assert_eq!(split("a\n\nb  "), ["a", "\n", "\n", "b", "  "]);
        assert_eq!(split(" ."), [" ."]);
        assert_eq!(split("année 2024"), ["année", " 2024"]);
    }
}
