//! Docstring (Heimersheim & Janiak 2023; docs/tasks.md#docstring): a Python function whose docstring lists its
//! parameters in order; after `:param` the next parameter name is the one that follows, in the
//! `def` line, the parameter documented last.
//!
//! ```text
//! def load ( self , data , name , file , value , test , line ): """ price cost control
//!     :param file : age force :param value : lot street :param        → test
//! ```
//!
//! The shape is the paper's (`docstring_induction_prompt_generator`): two undocumented parameters
//! first, three matching ones, one after; a three-word description; two words per parameter.
//! Corrupted (the paper's `random_random`): the three matching `def` parameters and the two
//! documented ones replaced by five other names, so the docstring no longer points into the `def`.

use super::words::{Split, WordExample, owned};
use circuitscope::rng::Rng;

/// Parameter (and function) names, from the paper's `variable_names`; the first `N_TRAIN_NAMES`
/// are documented in training, the rest occur in training only in function bodies (`train::docstring`).
/// More training names than d_model, so that what the model learns cannot be specific to them.
pub const NAMES: [&str; 110] = [
    "data", "name", "file", "value", "test", "new", "result", "line", "user", "key", "default", "request", "path",
    "output", "node", "item", "url", "model", "response", "text", "version", "function", "log", "string", "field",
    "start", "number", "values", "sub", "index", "error", "current", "context", "image", "message", "check", "json",
    "create", "size", "event", "state", "row", "obj", "parser", "end", "files", "form", "query", "fields",
    "instance", "label", "run", "action", "target", "array", "code", "num", "table", "source", "msg", "config",
    "first", "required", "options", "ret", "update", "module", "status", "group", "content", "client", "filename",
    "results", "last", "read", "command", "val", "base", "format", "color", "settings", "found", "count", "match",
    "tag", "title", "parent", "call", "session", "token", "server", "host", "date", "description", "mode",
    "expected", "project", "info", "valid", "page", "header", "option", "task", "shape", "load", "names", "port",
    "old", "resource", "root",
];
pub const N_TRAIN_NAMES: usize = 90;
/// Description words (the paper's `common_single_token_nouns`).
pub const NOUNS: [&str; 32] = [
    "price", "control", "research", "cost", "issue", "process", "position", "course", "minute", "type", "subject",
    "girl", "age", "father", "force", "order", "act", "matter", "health", "lot", "street", "patient", "class",
    "mind", "church", "condition", "paper", "bank", "century", "section", "activity", "building",
];
/// The syntax words, in vocabulary order.
pub const SYNTAX: [&str; 8] = ["def", "(", "self", ",", "):", "\"\"\"", ":param", ":"];
/// The paper's shape: undocumented parameters before, matching ones, undocumented after.
pub const PREFIX_ARGS: usize = 2;
pub const MATCHING_ARGS: usize = 3;
pub const SUFFIX_ARGS: usize = 1;
pub const DESC_WORDS: usize = 3;
pub const ARG_DESC_WORDS: usize = 2;

/// `def {name} ( self , {args} ): """ {desc}` then `:param {arg} : {words}` per documented
/// parameter (the prompt of the task adds a last `:param`).
pub fn function_words(name: &str, def_args: &[&str], desc: &[&str], doc_args: &[&str], arg_desc: &[Vec<&str>]) -> Vec<String> {
    let mut w = owned(&["def", name, "(", "self"]);
    for a in def_args {
        w.extend(owned(&[",", a]));
    }
    w.extend(owned(&["):", "\"\"\""]));
    w.extend(owned(desc));
    for (a, d) in doc_args.iter().zip(arg_desc) {
        w.extend(owned(&[":param", a, ":"]));
        w.extend(owned(d));
    }
    w
}

/// `k` distinct entries of `list`.
pub fn pick<'a>(rng: &mut Rng, list: &[&'a str], k: usize) -> Vec<&'a str> {
    rng.sample_distinct(list.len(), k).into_iter().map(|i| list[i]).collect()
}

/// One prompt of the paper's shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocPrompt {
    pub name: &'static str,
    /// Prefix, matching and suffix parameters in `def` order.
    pub def_args: Vec<&'static str>,
    pub desc: Vec<&'static str>,
    pub arg_desc: Vec<Vec<&'static str>>,
    /// The corruption's three `def` and two docstring names.
    pub random_def: Vec<&'static str>,
    pub random_doc: Vec<&'static str>,
}

impl DocPrompt {
    pub fn sample(rng: &mut Rng, split: Split) -> Self {
        let names = split.of(&NAMES, N_TRAIN_NAMES);
        let n_def = PREFIX_ARGS + MATCHING_ARGS + SUFFIX_ARGS;
        let mut all = pick(rng, names, 1 + n_def + 2 * MATCHING_ARGS - 1);
        let random_doc = all.split_off(1 + n_def + MATCHING_ARGS);
        let random_def = all.split_off(1 + n_def);
        let def_args = all.split_off(1);
        let arg_desc = (0..MATCHING_ARGS - 1).map(|_| pick(rng, &NOUNS, ARG_DESC_WORDS)).collect();
        Self { name: all[0], def_args, desc: pick(rng, &NOUNS, DESC_WORDS), arg_desc, random_def, random_doc }
    }

    /// The answer's index in `def_args`.
    pub fn answer_index(&self) -> usize {
        PREFIX_ARGS + MATCHING_ARGS - 1
    }

    fn prompt(&self, def_args: &[&str], doc_args: &[&str]) -> Vec<String> {
        let mut w = function_words(self.name, def_args, &self.desc, doc_args, &self.arg_desc);
        w.push(":param".into());
        w
    }

    pub fn example(&self) -> WordExample {
        let matching = PREFIX_ARGS..PREFIX_ARGS + MATCHING_ARGS;
        let answer = self.answer_index();
        let mut random_def_args = self.def_args.clone();
        random_def_args.splice(matching.clone(), self.random_def.iter().copied());
        WordExample {
            clean: self.prompt(&self.def_args, &self.def_args[PREFIX_ARGS..answer]),
            corrupt: self.prompt(&random_def_args, &self.random_doc),
            correct: vec![self.def_args[answer].to_string()],
            wrong: self.def_args.iter().enumerate().filter(|&(i, _)| i != answer).map(|(_, a)| a.to_string()).collect(),
        }
    }
}

/// `rows` seeded examples from `split`.
pub fn examples(rng: &mut Rng, rows: usize, split: Split) -> Vec<WordExample> {
    (0..rows).map(|_| DocPrompt::sample(rng, split).example()).collect()
}

/// A prompt of the varied shape the docstring model trains on (`train::docstring`): 3–6 parameters,
/// documented from the first, second or third on, a 1–5 word description, all names from `split`,
/// cut after the `:param` that asks for the next one. Corrupted: the `def` parameters replaced by
/// other names. The trainer's card reports accuracy on these beside the paper's fixed shape.
pub fn varied_example(rng: &mut Rng, split: Split) -> WordExample {
    let n = 3 + rng.below(4);
    let mut names = pick(rng, split.of(&NAMES, N_TRAIN_NAMES), 2 * n + 1);
    let others = names.split_off(n + 1);
    let def_args = names.split_off(1);
    let from = rng.below(3.min(n - 1));
    let answer = from + 1 + rng.below(n - from - 1);
    let n_desc = 1 + rng.below(5);
    let desc = pick(rng, &NOUNS, n_desc);
    let arg_desc: Vec<Vec<&str>> = (from..answer).map(|_| pick(rng, &NOUNS, ARG_DESC_WORDS)).collect();
    let prompt = |def: &[&str]| {
        let mut w = function_words(names[0], def, &desc, &def_args[from..answer], &arg_desc);
        w.push(":param".into());
        w
    };
    WordExample {
        clean: prompt(&def_args),
        corrupt: prompt(&others),
        correct: vec![def_args[answer].to_string()],
        wrong: def_args.iter().enumerate().filter(|&(i, _)| i != answer).map(|(_, a)| a.to_string()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prompt_documents_the_first_two_matching_parameters_and_asks_for_the_third() {
        let p = DocPrompt::sample(&mut Rng::new(5), Split::HeldOut);
        let e = p.example();
        let text = e.clean.join(" ");
        let a = &p.def_args;
        let def = format!("def {} ( self , {} , {} , {} , {} , {} , {} ): \"\"\"", p.name, a[0], a[1], a[2], a[3], a[4], a[5]);
        assert!(text.starts_with(&def), "{text}");
        assert!(text.contains(&format!(":param {} : ", a[2])) && text.contains(&format!(":param {} : ", a[3])));
        assert!(text.ends_with(":param"));
        assert_eq!(e.correct, vec![a[4].to_string()]);
        assert_eq!(e.wrong, owned(&[a[0], a[1], a[2], a[3], a[5]]));
        assert_eq!(e.clean.len(), 32);
    }

    #[test]
    fn random_random_changes_exactly_the_matching_and_documented_names() {
        for e in examples(&mut Rng::new(6), 50, Split::HeldOut) {
            assert_eq!(e.clean.len(), e.corrupt.len());
            let changed: Vec<usize> = (0..e.clean.len()).filter(|&i| e.clean[i] != e.corrupt[i]).collect();
            // def: ( self , P1 , P2 , M1 , M2 , M3 → M1..M3 at 9, 11, 13; the docstring names at 22, 27.
            assert_eq!(changed, vec![9, 11, 13, 22, 27]);
            assert!(!e.corrupt.contains(&e.correct[0]), "the answer is gone from the corrupted prompt");
        }
    }

    #[test]
    fn a_split_draws_every_name_from_its_own_list() {
        for (split, list) in [(Split::Train, &NAMES[..N_TRAIN_NAMES]), (Split::HeldOut, &NAMES[N_TRAIN_NAMES..])] {
            for e in examples(&mut Rng::new(7), 30, split) {
                for w in e.clean.iter().chain(&e.corrupt) {
                    assert!(list.contains(&w.as_str()) || !NAMES.contains(&w.as_str()), "{w}");
                }
            }
        }
    }

    #[test]
    fn a_varied_row_asks_for_the_parameter_after_the_last_documented_one_and_its_corruption_removes_it() {
        let mut rng = Rng::new(8);
        for _ in 0..100 {
            let e = varied_example(&mut rng, Split::HeldOut);
            let close = e.clean.iter().position(|w| w == "):").unwrap();
            let def_args: Vec<&String> = e.clean[..close].iter().skip(5).step_by(2).collect();
            let last = e.clean.len() - 1;
            assert_eq!(e.clean[last], ":param");
            let prev = def_args.iter().position(|a| **a == e.clean[last - 4]).unwrap();
            assert_eq!(def_args[prev + 1], &e.correct[0]);
            assert_eq!(e.clean.len(), e.corrupt.len());
            assert!(!e.corrupt.contains(&e.correct[0]));
            assert!(e.clean.iter().all(|w| !NAMES[..N_TRAIN_NAMES].contains(&w.as_str())));
        }
    }
}
