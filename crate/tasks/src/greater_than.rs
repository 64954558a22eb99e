//! Greater-than (Hanna, Liu & Variengien 2023; docs/tasks.md#greater-than): "The war lasted from the year 17 32 to
//! the year 17" → a two-digit year after 32. Years are split as GPT-2 splits them, a century token
//! and a two-digit token, written here as two words ("17 32"), so the answer is one of the 100
//! two-digit tokens "00" … "99" and the question is which of them are larger than the start's.
//! Corrupted: the start year's two digits become "01", which leaves nothing to compare with.

use super::words::{Split, WordExample, owned};
use circuitscope::rng::Rng;

/// The event nouns; the first `N_TRAIN_NOUNS` are trained on, the rest held out.
pub const NOUNS: [&str; 24] = [
    "war", "expedition", "project", "reign", "voyage", "contract", "siege", "trial", "tournament", "strike",
    "drought", "dynasty", "festival", "famine", "journey", "treaty", "campaign", "pilgrimage", "occupation",
    "exile", "flood", "rebellion", "crusade", "marriage",
];
pub const N_TRAIN_NOUNS: usize = 18;
/// Centuries as in the paper: 1100 to 1799.
pub const CENTURIES: std::ops::RangeInclusive<usize> = 11..=17;
/// Start years' last two digits as in the paper: "02" to "98", so that both "later" and "not later"
/// are possible and the corrupted "01" differs from every start.
pub const START_YY: std::ops::RangeInclusive<usize> = 2..=98;
pub const CORRUPT_YY: usize = 1;
/// Template words in vocabulary order.
pub const TEMPLATE: [&str; 6] = ["The", "lasted", "from", "the", "year", "to"];
/// Where the start year's two digits sit in the prompt (after `<bos>` this is position 8).
pub const YY_INDEX: usize = 7;

/// A two-digit token: "07", "32".
pub fn two_digits(n: usize) -> String {
    format!("{n:02}")
}

/// The task's words in vocabulary order (after `<bos>` and `[UNK]`): template, nouns, "00" … "99".
pub fn vocabulary() -> Vec<String> {
    let mut v = owned(&TEMPLATE);
    v.extend(owned(&NOUNS));
    v.extend((0..100).map(two_digits));
    v
}

/// One sentence: the event, the century, and the start year's last two digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearPrompt {
    pub noun: &'static str,
    pub century: usize,
    pub yy: usize,
}

impl YearPrompt {
    pub fn sample(rng: &mut Rng, split: Split) -> Self {
        let nouns = split.of(&NOUNS, N_TRAIN_NOUNS);
        let century = CENTURIES.start() + rng.below(CENTURIES.count());
        let yy = START_YY.start() + rng.below(START_YY.count());
        Self { noun: nouns[rng.below(nouns.len())], century, yy }
    }

    /// "The {noun} lasted from the year {XX} {yy} to the year {XX}", with the start's two digits
    /// spelled `yy`.
    pub fn words(&self, yy: &str) -> Vec<String> {
        let xx = two_digits(self.century);
        let w = ["The", self.noun, "lasted", "from", "the", "year", &xx, yy, "to", "the", "year", &xx];
        owned(&w)
    }

    /// Clean and corrupted prompt; correct = the two-digit tokens after the start, wrong = the rest.
    pub fn example(&self) -> WordExample {
        WordExample {
            clean: self.words(&two_digits(self.yy)),
            corrupt: self.words(&two_digits(CORRUPT_YY)),
            correct: (self.yy + 1..100).map(two_digits).collect(),
            wrong: (0..=self.yy).map(two_digits).collect(),
        }
    }
}

/// `rows` seeded examples from `split`.
pub fn examples(rng: &mut Rng, rows: usize, split: Split) -> Vec<WordExample> {
    (0..rows).map(|_| YearPrompt::sample(rng, split).example()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_and_corrupted_differ_only_in_the_start_years_two_digits() {
        for e in examples(&mut Rng::new(1), 50, Split::HeldOut) {
            assert_eq!(e.clean.len(), 12);
            let diff: Vec<usize> = (0..12).filter(|&i| e.clean[i] != e.corrupt[i]).collect();
            assert_eq!(diff, vec![YY_INDEX]);
            assert_eq!(e.corrupt[YY_INDEX], "01");
            assert_eq!(e.clean[6], e.clean[11], "the end year is in the start's century");
        }
    }

    #[test]
    fn the_correct_answers_are_exactly_the_later_two_digit_years() {
        for e in examples(&mut Rng::new(2), 50, Split::Train) {
            let yy: usize = e.clean[YY_INDEX].parse().unwrap();
            assert!(e.correct.iter().all(|c| c.parse::<usize>().unwrap() > yy));
            assert!(e.wrong.iter().all(|w| w.parse::<usize>().unwrap() <= yy));
            assert_eq!(e.correct.len() + e.wrong.len(), 100);
        }
    }

    #[test]
    fn held_out_rows_use_only_held_out_nouns() {
        for e in examples(&mut Rng::new(3), 50, Split::HeldOut) {
            assert!(NOUNS[N_TRAIN_NOUNS..].contains(&e.clean[1].as_str()));
        }
        for e in examples(&mut Rng::new(3), 50, Split::Train) {
            assert!(NOUNS[..N_TRAIN_NOUNS].contains(&e.clean[1].as_str()));
        }
    }
}
