//! Induction: `<bos>`, a random segment of distinct words, the same segment again, then filler
//! words seen nowhere else ("<bos> cat dog sun cat dog sun owl …"). In the second copy the next
//! token is predictable only by finding the current token's previous occurrence and copying what
//! followed it (previous-token head → induction head; Olsson et al. 2022).

use circuitscope::rng::Rng;

/// The readable word vocabulary of the shipped induction model, after `<bos>` (0) and `[UNK]` (1).
pub const WORDS: [&str; 62] = [
    "apple", "bird", "boat", "book", "bread", "cake", "car", "cat", "chair", "cloud", "coat", "cow",
    "cup", "desk", "dog", "door", "duck", "egg", "fish", "flag", "frog", "girl", "goat", "hat",
    "hill", "horse", "house", "key", "king", "kite", "lamp", "leaf", "lion", "milk", "moon", "mouse",
    "nest", "owl", "pen", "pig", "queen", "rain", "ring", "river", "road", "rock", "rose", "seed",
    "sheep", "ship", "shoe", "snow", "sock", "star", "sun", "table", "tiger", "train", "tree", "whale",
    "wolf", "zebra",
];
pub const BOS: u32 = 0;
pub const UNK: u32 = 1;
pub const FIRST_WORD: u32 = 2;

/// A batch of rows and, per row, the segment length and the positions that repeat.
#[derive(Debug, Clone, PartialEq)]
pub struct InductionBatch {
    /// `[batch][seq_len]` token ids.
    pub tokens: Vec<Vec<u32>>,
    /// Length m of each row's segment: the copy of position t (for t in the second copy) is at
    /// t − m, and the token that followed it at t − m + 1.
    pub periods: Vec<usize>,
    /// `[batch][seq_len]`: the token at this position occurred earlier (the second copy).
    pub repeated: Vec<Vec<bool>>,
    /// `[batch][seq_len]`: the next token is predictable by induction (the second copy but its end).
    pub predictable: Vec<Vec<bool>>,
}

/// `batch` rows of `seq_len` tokens, segments of length uniform in `min_len..=max_len`
/// (`2·max_len + 1 ≤ seq_len`).
pub fn sequences(rng: &mut Rng, batch: usize, seq_len: usize, min_len: usize, max_len: usize, d_vocab: usize) -> InductionBatch {
    assert!(2 * max_len < seq_len, "two copies must fit in a row");
    let n_words = d_vocab - FIRST_WORD as usize;
    let mut out = InductionBatch { tokens: vec![], periods: vec![], repeated: vec![], predictable: vec![] };
    for _ in 0..batch {
        let m = min_len + rng.below(max_len - min_len + 1);
        let filler = seq_len - 1 - 2 * m;
        // Segment and filler are distinct words, so each segment word occurs exactly twice.
        let words: Vec<u32> = rng.sample_distinct(n_words, m + filler).into_iter().map(|w| w as u32 + FIRST_WORD).collect();
        let (segment, rest) = words.split_at(m);
        let mut row = vec![BOS];
        row.extend(segment);
        row.extend(segment);
        row.extend(rest);
        out.repeated.push((0..seq_len).map(|t| t > m && t <= 2 * m).collect());
        out.predictable.push((0..seq_len).map(|t| t > m && t < 2 * m).collect());
        out.tokens.push(row);
        out.periods.push(m);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_second_copy_repeats_the_first_and_only_it_is_marked() {
        let b = sequences(&mut Rng::new(0), 16, 24, 4, 11, 64);
        for (((row, &m), rep), pred) in b.tokens.iter().zip(&b.periods).zip(&b.repeated).zip(&b.predictable) {
            assert_eq!(row.len(), 24);
            assert_eq!(row[0], BOS);
            for t in 1..row.len() {
                let seen_before = row[..t].contains(&row[t]);
                assert_eq!(rep[t], seen_before, "t = {t}");
                if pred[t] {
                    assert_eq!(row[t], row[t - m]);
                    assert_eq!(row[t + 1], row[t - m + 1]);
                }
            }
        }
    }
}
