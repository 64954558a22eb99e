//! Indirect object identification (Wang et al. 2022; docs/tasks.md#ioi): "When Mary and John went to the
//! store , John gave a drink to" → Mary. Two names are introduced, one of them (the subject S) is
//! repeated, and the answer is the other one (the indirect object IO). Both orders are generated:
//! ABBA ("Mary and John … John") and BABA ("John and Mary … John"). Corrupted (ABC): the same
//! template with three other names, so nothing in the prompt points at IO rather than S.
//!
//! Templates are an intro × a body; the held-out templates are intro–body pairs never trained on,
//! while every intro and every body also occurs in training (a word-level model cannot read words it
//! never saw).

use super::words::{Split, WordExample};
use circuitscope::rng::Rng;

/// First names; the first `N_TRAIN_NAMES` occur in training prompts, the rest only in the training
/// mix's one-name sentences (see `train::ioi`) and in the held-out prompts. More training names than
/// d_model: with fewer, a small model fits its weights to the span of the names it saw and fails
/// on two new names (d_model 64: 30 training names gave 60–75% held-out accuracy, 120 gave 90%).
pub const NAMES: [&str; 300] = [
    "Mary", "John", "Alice", "Bob", "Tom", "Sarah", "James", "Emma", "Anna", "Paul", "Lisa", "Mark", "Kate", "David",
    "Laura", "Peter", "Jane", "Mike", "Rose", "Sam", "Lucy", "Jack", "Amy", "Ben", "Clara", "Dan", "Eva", "Fred",
    "Grace", "Henry", "Adam", "Alex", "Andrew", "Anne", "Arthur", "Beth", "Bill", "Carl", "Carol", "Chris", "Claire",
    "Daisy", "Diana", "Edward", "Ella", "Ellen", "Emily", "Eric", "Frank", "George", "Hannah", "Harry", "Helen",
    "Holly", "Ivan", "Jacob", "Jake", "Jason", "Jenny", "Jessica", "Jim", "Joe", "Josh", "Julia", "Karen", "Kevin",
    "Kim", "Kyle", "Leah", "Liam", "Linda", "Lily", "Luke", "Maria", "Martin", "Max", "Megan", "Nancy", "Nathan",
    "Neil", "Noah", "Olivia", "Oliver", "Pam", "Patrick", "Paula", "Phil", "Rachel", "Ray", "Rebecca", "Rick",
    "Robert", "Roger", "Ryan", "Sally", "Sean", "Simon", "Sophie", "Susan", "Ted", "Tim", "Tony", "Vera", "Will",
    "Amber", "Brian", "Craig", "Dean", "Derek", "Gary", "Greg", "Ian", "Joan", "Judy", "Keith", "Lara", "Mia", "Ned",
    "Owen", "Ross", "Aaron", "Abby", "Abel", "Adrian", "Agnes", "Alan", "Albert", "Alfred", "Alma", "Amos", "Andy",
    "Angela", "Angus", "Anita", "Ann", "Annie", "Anton", "Archie", "Arnold", "Audrey", "Austin", "Barbara", "Barry",
    "Basil", "Becky", "Bella", "Benny", "Bernard", "Bert", "Betty", "Bianca", "Blake", "Bonnie", "Boris", "Brad",
    "Brenda", "Bruce", "Bruno", "Bryan", "Caleb", "Calvin", "Carla", "Carmen", "Caroline", "Cathy", "Cecil", "Celia",
    "Chad", "Charles", "Charlie", "Chester", "Chloe", "Cindy", "Clark", "Claude", "Cliff", "Clyde", "Colin",
    "Connor", "Cora", "Curtis", "Cynthia", "Dale", "Dana", "Daniel", "Darren", "Dave", "Debbie", "Dennis", "Dora",
    "Doris", "Doug", "Duncan", "Dylan", "Earl", "Eddie", "Edgar", "Edith", "Edna", "Elaine", "Eli", "Eliza",
    "Elliot", "Elsie", "Emil", "Enid", "Erin", "Ernest", "Esther", "Ethan", "Eve", "Evan", "Fanny", "Fiona", "Flora",
    "Floyd", "Frances", "Gavin", "Gemma", "Gene", "Gina", "Glen", "Gloria", "Gordon", "Grant", "Gwen", "Hal", "Hank",
    "Harold", "Hazel", "Heidi", "Herbert", "Hilda", "Howard", "Hugh", "Ida", "Irene", "Isaac", "Jade", "Jamie",
    "Janet", "Jasper", "Jean", "Jeff", "Jerry", "Jill", "Joel", "Jordan", "Joyce", "June", "Justin", "Kara", "Kathy",
    "Kay", "Kelly", "Ken", "Kirk", "Kurt", "Lance", "Larry", "Lena", "Leon", "Leslie", "Lewis", "Lila", "Lloyd",
    "Lois", "Lola", "Louis", "Lucas", "Lydia", "Lynn", "Mabel", "Mandy", "Marcus", "Marge", "Marion", "Marvin",
    "Mavis", "Maya", "Iris", "Leo", "Nina", "Oscar", "Ruth", "Steve", "Tina", "Victor", "Wendy", "Zoe", "Hugo",
    "Ada", "Felix", "Mona", "Otto", "Rita", "Seth", "Uma", "Walt", "Yara",
];
pub const N_TRAIN_NAMES: usize = 280;
pub const PLACES: [&str; 8] = ["store", "park", "school", "office", "garden", "beach", "market", "station"];
pub const OBJECTS: [&str; 8] = ["drink", "book", "ring", "bottle", "letter", "ball", "gift", "flower"];

/// Intros: `{X}` and `{Y}` are the two names in order, `{P}` a place, `{O}` an object.
pub const INTROS: [&str; 7] = [
    "When {X} and {Y} went to the {P} ,",
    "After {X} and {Y} went to the {P} ,",
    "Then , {X} and {Y} went to the {P} .",
    "While {X} and {Y} were working at the {P} ,",
    "After {X} and {Y} had a lot of fun at the {P} ,",
    "Then , {X} and {Y} had a long argument .",
    "When {X} and {Y} got a {O} at the {P} ,",
];
/// Bodies: `{S}` is the repeated name; each ends before the answer.
pub const BODIES: [&str; 5] = [
    "{S} gave a {O} to",
    "{S} decided to give a {O} to",
    "{S} handed the {O} to",
    "{S} said goodbye to",
    "{S} wanted to give a {O} to",
];
/// (intro, body) pairs held out of training: one per intro, every body at least once.
pub const HELD_OUT_TEMPLATES: [(usize, usize); 7] = [(0, 4), (1, 3), (2, 2), (3, 1), (4, 0), (5, 4), (6, 3)];

/// The templates of a split as (intro, body) pairs.
pub fn templates(split: Split) -> Vec<(usize, usize)> {
    let all = (0..INTROS.len()).flat_map(|i| (0..BODIES.len()).map(move |b| (i, b)));
    all.filter(|t| HELD_OUT_TEMPLATES.contains(t) == (split == Split::HeldOut)).collect()
}

/// Every word the templates use, in a fixed order (names, places and objects not included).
pub fn template_words() -> Vec<String> {
    let mut words: Vec<String> = vec![];
    for w in INTROS.iter().chain(&BODIES).flat_map(|t| t.split_whitespace()) {
        if !w.starts_with('{') && !words.iter().any(|x| x == w) {
            words.push(w.to_string());
        }
    }
    words
}

/// One IOI sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IoiPrompt {
    pub intro: usize,
    pub body: usize,
    pub io: &'static str,
    pub s: &'static str,
    /// ABBA (IO named first) or BABA (S named first).
    pub abba: bool,
    pub place: &'static str,
    pub object: &'static str,
    /// The ABC corruption's three names: the intro's two, then the body's subject.
    pub abc: [&'static str; 3],
}

/// Fills a template's placeholders, word by word.
pub fn fill(template: &str, x: &str, y: &str, s: &str, place: &str, object: &str) -> Vec<String> {
    let word = |w| match w {
        "{X}" => x,
        "{Y}" => y,
        "{S}" => s,
        "{P}" => place,
        "{O}" => object,
        w => w,
    };
    // A filler may be several words ("a friend").
    template.split_whitespace().flat_map(|w| word(w).split_whitespace()).map(String::from).collect()
}

impl IoiPrompt {
    /// A prompt from `split`'s names and templates; the ABC names differ from IO, S and each other.
    pub fn sample(rng: &mut Rng, split: Split) -> Self {
        let names = split.of(&NAMES, N_TRAIN_NAMES);
        let templates = templates(split);
        let (intro, body) = templates[rng.below(templates.len())];
        let picked = rng.sample_distinct(names.len(), 5);
        Self {
            intro,
            body,
            io: names[picked[0]],
            s: names[picked[1]],
            abba: rng.below(2) == 0,
            place: PLACES[rng.below(PLACES.len())],
            object: OBJECTS[rng.below(OBJECTS.len())],
            abc: [names[picked[2]], names[picked[3]], names[picked[4]]],
        }
    }

    /// The prompt with intro names `x`, `y` and subject `s`.
    fn words_with(&self, x: &str, y: &str, s: &str) -> Vec<String> {
        let mut w = fill(INTROS[self.intro], x, y, s, self.place, self.object);
        w.extend(fill(BODIES[self.body], x, y, s, self.place, self.object));
        w
    }

    /// The clean prompt: ABBA or BABA.
    pub fn words(&self) -> Vec<String> {
        if self.abba { self.words_with(self.io, self.s, self.s) } else { self.words_with(self.s, self.io, self.s) }
    }

    pub fn example(&self) -> WordExample {
        let [a, b, c] = self.abc;
        WordExample {
            clean: self.words(),
            corrupt: self.words_with(a, b, c),
            correct: vec![self.io.to_string()],
            wrong: vec![self.s.to_string()],
        }
    }
}

/// `rows` seeded examples from `split`.
pub fn examples(rng: &mut Rng, rows: usize, split: Split) -> Vec<WordExample> {
    (0..rows).map(|_| IoiPrompt::sample(rng, split).example()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_template_reads_as_the_paper_s_example() {
        let p = IoiPrompt { intro: 0, body: 0, io: "Mary", s: "John", abba: true, place: "store", object: "drink", abc: ["Tom", "Ben", "Sam"] };
        assert_eq!(p.words().join(" "), "When Mary and John went to the store , John gave a drink to");
        assert_eq!(p.example().corrupt.join(" "), "When Tom and Ben went to the store , Sam gave a drink to");
    }

    #[test]
    fn clean_prompts_name_io_once_and_s_twice_and_corruption_changes_only_the_names() {
        for split in [Split::Train, Split::HeldOut] {
            for e in examples(&mut Rng::new(4), 100, split) {
                let (io, s) = (&e.correct[0], &e.wrong[0]);
                assert_eq!(e.clean.iter().filter(|w| *w == io).count(), 1);
                assert_eq!(e.clean.iter().filter(|w| *w == s).count(), 2);
                assert_eq!(e.clean.len(), e.corrupt.len());
                let names = split.of(&NAMES, N_TRAIN_NAMES);
                for (c, k) in e.clean.iter().zip(&e.corrupt) {
                    assert_eq!(c == k, !names.contains(&c.as_str()), "{c} vs {k}");
                }
                assert!(!e.corrupt.contains(io) && !e.corrupt.contains(s), "ABC uses three other names");
            }
        }
    }

    #[test]
    fn held_out_templates_never_occur_in_training_yet_share_its_intros_and_bodies() {
        let (train, held) = (templates(Split::Train), templates(Split::HeldOut));
        assert_eq!(train.len() + held.len(), INTROS.len() * BODIES.len());
        assert!(held.iter().all(|t| !train.contains(t)));
        assert!((0..INTROS.len()).all(|i| train.iter().any(|t| t.0 == i)));
        assert!((0..BODIES.len()).all(|b| train.iter().any(|t| t.1 == b)));
    }

    #[test]
    fn both_name_orders_occur() {
        let prompts: Vec<IoiPrompt> = (0..50).map(|i| IoiPrompt::sample(&mut Rng::new(i), Split::Train)).collect();
        assert!(prompts.iter().any(|p| p.abba) && prompts.iter().any(|p| !p.abba));
    }
}
