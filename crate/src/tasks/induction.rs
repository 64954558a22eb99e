//! Induction: a random segment repeated until the row is full ("A B C D A B C D A B …"). Once a
//! token has been seen, the next token is predictable only by finding its previous occurrence and
//! copying what followed (previous-token head → induction head; Olsson et al. 2022).

use crate::rng::Rng;

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

/// A batch of rows and, per row, the positions whose next token repeats an earlier pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct InductionBatch {
    /// `[batch][seq_len]` token ids, each row `<bos>` then the repeated segment.
    pub tokens: Vec<Vec<u32>>,
    /// Period of each row's segment.
    pub periods: Vec<usize>,
    /// `[batch][seq_len]`: whether the position's next token is predictable by induction.
    pub repeated: Vec<Vec<bool>>,
}

/// `batch` rows of `seq_len` tokens; each row repeats a segment of distinct words whose length is
/// uniform in `min_period..=max_period`.
pub fn sequences(rng: &mut Rng, batch: usize, seq_len: usize, min_period: usize, max_period: usize, d_vocab: usize) -> InductionBatch {
    let n_words = d_vocab - FIRST_WORD as usize;
    let mut out = InductionBatch { tokens: vec![], periods: vec![], repeated: vec![] };
    for _ in 0..batch {
        let k = min_period + rng.below(max_period - min_period + 1);
        let segment: Vec<u32> = rng.sample_distinct(n_words, k).into_iter().map(|w| w as u32 + FIRST_WORD).collect();
        let mut row = vec![BOS];
        row.extend((0..seq_len - 1).map(|i| segment[i % k]));
        // Position t (token row[t] = segment[(t-1) % k]) has seen its token before iff t > k.
        out.repeated.push((0..seq_len).map(|t| t > k).collect());
        out.tokens.push(row);
        out.periods.push(k);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_repeat_their_segment_and_mark_only_predictable_positions() {
        let b = sequences(&mut Rng::new(0), 8, 20, 3, 7, 64);
        for ((row, &k), rep) in b.tokens.iter().zip(&b.periods).zip(&b.repeated) {
            assert_eq!(row[0], BOS);
            for t in 1..row.len() {
                if t > k {
                    assert_eq!(row[t], row[t - k]);
                    assert!(rep[t]);
                    // The token was seen at t - k; what followed it then is what follows now.
                    if t + 1 < row.len() {
                        assert_eq!(row[t + 1], row[t - k + 1]);
                    }
                } else {
                    assert!(!rep[t]);
                }
            }
        }
    }
}
