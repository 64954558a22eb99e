//! The ACDC paper's data for its two tracr tasks, over a compiled model's vocabulary: the
//! rows ACDC and the recovery checks run on (`tasks::tracr` presents them as tasks).

use crate::data::AcdcData;
use crate::error::{Error, Result};
use crate::model::LoadedModel;
use crate::rng::Rng;

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
    let mut rng = Rng::new(seed);
    let clean: Vec<Vec<u32>> = (0..rows.max(2))
        .map(|_| {
            std::iter::once(0)
                .chain((0..program.max_seq_len).map(|_| 1 + rng.below(program.vocab.len()) as u32))
                .collect()
        })
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
}
