//! RASP source as a person types it in the page's editor, mutated at random from the shipped
//! programs (character edits, deleted and repeated lines, huge numbers, deep nesting): the compiler
//! returns a model or a located error, never panics, and stays quick. `FUZZ_CASES` sets the count
//! (default 400 here, a few seconds; 50 000 by hand, docs/robustness.md).

#![cfg(not(target_arch = "wasm32"))]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use circuitscope::rng::Rng;
use circuitscope_rasp::{compile_source, programs};

fn mutate(rng: &mut Rng, seed: &str) -> String {
    let mut lines: Vec<String> = seed.lines().map(str::to_string).collect();
    for _ in 0..1 + rng.below(3) {
        if lines.is_empty() {
            lines.push(String::new());
        }
        let i = rng.below(lines.len());
        match rng.below(6) {
            0 => {
                lines.remove(i);
            }
            1 => {
                let copy = lines[i].clone();
                lines.insert(i, copy);
            }
            2 => {
                let mut chars: Vec<char> = lines[i].chars().collect();
                if !chars.is_empty() {
                    let j = rng.below(chars.len());
                    chars[j] = "()=,{}+-*<>!x0123456789 \"'\\".chars().nth(rng.below(27)).unwrap();
                }
                lines[i] = chars.into_iter().collect();
            }
            3 => lines[i] = lines[i].replace(|c: char| c.is_ascii_digit(), ["9", "99999999999", "0", "-1"][rng.below(4)]),
            4 => lines.insert(i, format!("deep = {}tokens{}", "Map(lambda x: x + 1, ".repeat(1 + rng.below(60)), ")".repeat(rng.below(61)))),
            _ => {
                let cut = rng.below(lines[i].len() + 1);
                let at = lines[i].floor_char_boundary(cut);
                lines[i].truncate(at);
            }
        }
    }
    lines.join("\n")
}

#[test]
fn rasp_source_never_panics() {
    let cases: usize = std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(400);
    let seeds: Vec<&str> = programs::ALL.iter().map(|(_, source, _)| *source).collect();
    let mut rng = Rng::new(7);
    for case in 0..cases {
        let source = mutate(&mut rng, seeds[case % seeds.len()]);
        let began = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| compile_source(&source, "fuzz").map(|_| ())));
        assert!(outcome.is_ok(), "case {case} panicked on:\n{source}");
        assert!(began.elapsed() < Duration::from_secs(60), "case {case} took {:?}:\n{source}", began.elapsed());
    }
}
