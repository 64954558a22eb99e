//! The ACDC paper's data for its two tracr tasks, over a compiled model's vocabulary: the
//! rows ACDC and the recovery checks run on (`tasks::tracr` presents them as tasks).

use circuitscope::data::AcdcData;
use circuitscope::error::{Error, Result};
use circuitscope::model::LoadedModel;
use circuitscope::rng::Rng;

use super::ir::Program;

/// The ACDC paper's tracr task names.
pub const REVERSE: &str = "tracr-reverse";
pub const PROPORTION: &str = "tracr-proportion";

/// The paper's data for a tracr task on `model` (its tokenizer gives the ids).
/// `tracr-reverse` always has the 6 permutations of `1 2 3`, corrupted by a fixed-point-free
/// permutation of the rows; `tracr-proportion` has `rows` (default 50) random rows of
/// `n_ctx − 1` tokens over `w x y z`, corrupted by permuting the rows. Positions and answers
/// are left to the L2 metric's defaults (every non-BOS position).
pub fn paper_data(name: &str, model: &LoadedModel, rows: Option<usize>, seed: u64) -> Result<AcdcData> {
    let mut rng = Rng::new(seed);
    let clean: Vec<Vec<u32>> = match name {
        REVERSE => {
            if rows.is_some_and(|r| r != 6) {
                return Err(Error::Invalid("tracr-reverse has exactly 6 rows: the orderings of 1 2 3".into()));
            }
            permutations(&["1", "2", "3"]).iter().map(|p| model.encode(&p.join(" "))).collect::<Result<_>>()?
        }
        PROPORTION => {
            let len = model.config.n_ctx.saturating_sub(1);
            if len == 0 {
                return Err(Error::Invalid("tracr-proportion needs n_ctx ≥ 2".into()));
            }
            let alphabet = ["w", "x", "y", "z"];
            (0..rows.unwrap_or(50).max(2))
                .map(|_| {
                    let words: Vec<&str> = (0..len).map(|_| alphabet[rng.below(4)]).collect();
                    model.encode(&words.join(" "))
                })
                .collect::<Result<_>>()?
        }
        other => return Err(Error::Invalid(format!("{other} is not a tracr task ({REVERSE}, {PROPORTION})"))),
    };
    let mut order: Vec<usize> = (0..clean.len()).collect();
    loop {
        rng.shuffle(&mut order);
        if name != REVERSE || order.iter().enumerate().all(|(i, &j)| i != j) {
            break;
        }
    }
    let corrupt = order.iter().map(|&i| clean[i].clone()).collect();
    let data = AcdcData { clean, corrupt, positions: None, correct: None, wrong: None, pos_embed_perm: None };
    data.validate()?;
    Ok(data)
}

/// Data for any compiled program: `rows` random inputs of `max_seq_len` tokens over the
/// program's vocabulary after BOS, corrupted by permuting the rows.
pub fn program_data(program: &Program, rows: usize, seed: u64) -> AcdcData {
    random_rows(program.vocab.len(), program.max_seq_len, rows, seed)
}

/// [`program_data`] for a compiled model whose program is not at hand (a shipped tracr model, or
/// one compiled in the page): the vocabulary and length come from its tokenizer (`BOS`, the
/// vocabulary, `[UNK]`) and `n_ctx`, so the rows are the same as its program's. Another model is
/// refused with an error that names `task`.
pub fn model_data(task: &str, model: &LoadedModel, rows: usize, seed: u64) -> Result<AcdcData> {
    let d_vocab = model.config.d_vocab as u32;
    let compiled = d_vocab >= 3
        && model.config.n_ctx >= 2
        && model.token_text(0) == super::residual::BOS
        && model.token_text(d_vocab - 1) == super::residual::UNK;
    if !compiled {
        return Err(Error::Invalid(format!(
            "task {task} needs a model compiled from a RASP program (its tokenizer is BOS, the vocabulary, [UNK])"
        )));
    }
    Ok(random_rows(d_vocab as usize - 2, model.config.n_ctx - 1, rows, seed))
}

fn random_rows(vocab: usize, len: usize, rows: usize, seed: u64) -> AcdcData {
    let mut rng = Rng::new(seed);
    let clean: Vec<Vec<u32>> = (0..rows.max(2))
        .map(|_| std::iter::once(0).chain((0..len).map(|_| 1 + rng.below(vocab) as u32)).collect())
        .collect();
    let mut order: Vec<usize> = (0..clean.len()).collect();
    rng.shuffle(&mut order);
    let corrupt = order.iter().map(|&i| clean[i].clone()).collect();
    AcdcData { clean, corrupt, positions: None, correct: None, wrong: None, pos_embed_perm: None }
}

/// Every ordering of `items`, in lexicographic order of positions.
fn permutations<T: Clone>(items: &[T]) -> Vec<Vec<T>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    (0..items.len())
        .flat_map(|i| {
            let mut rest = items.to_vec();
            let first = rest.remove(i);
            permutations(&rest).into_iter().map(move |mut p| {
                p.insert(0, first.clone());
                p
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_items_have_six_distinct_orderings() {
        let p = permutations(&[1, 2, 3]);
        assert_eq!(p.len(), 6);
        assert_eq!(p[0], vec![1, 2, 3]);
        assert_eq!(p[5], vec![3, 2, 1]);
    }

    #[test]
    fn a_compiled_model_gets_the_same_rows_as_its_program() {
        let compiled = crate::compile_source(crate::programs::HIST, "tracr-hist").unwrap();
        let model = compiled.load(&circuitscope::device::cpu()).unwrap();
        let from_model = model_data("tracr-hist", &model, 50, 3).unwrap();
        let from_program = program_data(&compiled.program, 50, 3);
        assert_eq!((from_model.clean, from_model.corrupt), (from_program.clean, from_program.corrupt));
    }
}
