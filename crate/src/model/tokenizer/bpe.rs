//! GPT-2's byte-level BPE: each byte of a pre-tokenized piece is a printable character
//! (`bytes_to_unicode`), then the lowest-ranked adjacent pair is merged until no merge applies.

use std::cell::RefCell;
use std::collections::HashMap;

use serde_json::Value;

use crate::error::{Error, Result};

pub struct Bpe {
    /// Merge rank of each pair of symbols.
    ranks: HashMap<(String, String), usize>,
    /// Byte → its printable character.
    byte_char: [char; 256],
    /// Pieces already encoded (a text repeats its words).
    cache: RefCell<HashMap<String, Vec<u32>>>,
}

/// GPT-2's reversible byte → character map: printable bytes stay, the rest move past 255.
fn bytes_to_unicode() -> [char; 256] {
    let mut table = ['\0'; 256];
    let mut extra = 0u32;
    for b in 0..=255u32 {
        let printable = (b'!' as u32..=b'~' as u32).contains(&b) || (0xA1..=0xAC).contains(&b) || (0xAE..=0xFF).contains(&b);
        table[b as usize] = if printable {
            char::from_u32(b).expect("a Latin-1 character")
        } else {
            extra += 1;
            char::from_u32(255 + extra).expect("a character past Latin-1")
        };
    }
    table
}

impl Bpe {
    pub fn new(merges: &[Value], vocab: &HashMap<String, u32>) -> Result<Self> {
        let mut ranks = HashMap::with_capacity(merges.len());
        for (rank, m) in merges.iter().enumerate() {
            let pair = match m {
                Value::String(s) => s.split_once(' ').map(|(a, b)| (a.to_string(), b.to_string())),
                Value::Array(a) if a.len() == 2 => a[0].as_str().zip(a[1].as_str()).map(|(x, y)| (x.to_string(), y.to_string())),
                _ => None,
            };
            let pair = pair.ok_or_else(|| Error::Tokenizer(format!("cannot read tokenizer.json: merge {rank} is not a pair")))?;
            ranks.entry(pair).or_insert(rank);
        }
        let byte_char = bytes_to_unicode();
        if let Some(missing) = byte_char.iter().find(|c| !vocab.contains_key(&c.to_string())) {
            return Err(Error::Tokenizer(format!("cannot read tokenizer.json: the byte-level vocabulary lacks {missing:?}")));
        }
        Ok(Self { ranks, byte_char, cache: RefCell::new(HashMap::new()) })
    }

    /// Appends the ids of one pre-tokenized piece.
    pub fn encode(&self, piece: &str, vocab: &HashMap<String, u32>, ids: &mut Vec<u32>) -> Result<()> {
        if let Some(known) = self.cache.borrow().get(piece) {
            ids.extend(known);
            return Ok(());
        }
        let mut symbols: Vec<String> = piece.bytes().map(|b| self.byte_char[b as usize].to_string()).collect();
        loop {
            let best = symbols
                .windows(2)
                .enumerate()
                .filter_map(|(i, w)| self.ranks.get(&(w[0].clone(), w[1].clone())).map(|&r| (r, i)))
                .min();
            let Some((_, i)) = best else { break };
            let merged = format!("{}{}", symbols[i], symbols[i + 1]);
            // Merge every occurrence of this pair, left to right.
            let (a, b) = (symbols[i].clone(), symbols[i + 1].clone());
            let mut out = Vec::with_capacity(symbols.len());
            let mut j = 0;
            while j < symbols.len() {
                if j + 1 < symbols.len() && symbols[j] == a && symbols[j + 1] == b {
                    out.push(merged.clone());
                    j += 2;
                } else {
                    out.push(symbols[j].clone());
                    j += 1;
                }
            }
            symbols = out;
        }
        let mut piece_ids = Vec::with_capacity(symbols.len());
        for s in &symbols {
            let id = vocab.get(s).ok_or_else(|| Error::Tokenizer(format!("the BPE vocabulary lacks the merged symbol {s:?}")))?;
            piece_ids.push(*id);
        }
        ids.extend(&piece_ids);
        let mut cache = self.cache.borrow_mut();
        if cache.len() < 100_000 {
            cache.insert(piece.to_string(), piece_ids);
        }
        Ok(())
    }
}

/// A byte-level token's text (invalid UTF-8, half a character, shown as U+FFFD).
pub fn decode(token: &str) -> String {
    thread_local! {
        static MAP: HashMap<char, u8> = bytes_to_unicode().iter().enumerate().map(|(b, &c)| (c, b as u8)).collect();
    }
    MAP.with(|map| {
        let bytes: Vec<u8> = token.chars().filter_map(|c| map.get(&c).copied()).collect();
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_map_is_a_bijection_onto_printable_characters() {
        let table = bytes_to_unicode();
        let unique: std::collections::HashSet<char> = table.iter().copied().collect();
        assert_eq!(unique.len(), 256);
        assert_eq!(table[b' ' as usize], 'Ġ');
        assert_eq!(table[b'A' as usize], 'A');
        assert_eq!(decode("ĠMary"), " Mary");
    }
}
