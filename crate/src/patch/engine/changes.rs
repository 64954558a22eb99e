//! The senders one evaluation has changed so far, and the sums of their deltas that a receiver
//! reads through its present edges. Most receivers of a dense circuit read every changed sender
//! (or all but a few), so the running total of the deltas, less the few absent ones, is cheaper
//! than adding the present ones; the cheaper way is chosen per sum. Receivers that read the same
//! senders (every head of a layer, while the circuit is dense) share one sum.

use burn::prelude::*;

use super::Delta;

#[derive(Default)]
pub(super) struct Changes {
    pub deltas: Vec<Delta>,
    /// Σ of the deltas that are not `scored` `[K, rows, d_model]`.
    total: Option<Tensor<3>>,
    /// Sums made this evaluation, by which deltas they include (`None`: a seed's, made by
    /// [`Self::plus`]).
    sums: Vec<(Option<Vec<bool>>, Tensor<3>)>,
}

impl Changes {
    pub fn push(&mut self, delta: Delta) {
        if !delta.scored {
            self.total = Some(match self.total.take() {
                Some(t) => t + delta.value.clone(),
                None => delta.value.clone(),
            });
        }
        self.deltas.push(delta);
    }

    /// Σ of the unscored deltas whose sender slot is `present`, as an index for [`Self::get`]
    /// (the same sum, the same index); `None` when there is none.
    pub fn sum(&mut self, present: impl Fn(usize) -> bool) -> Option<usize> {
        let key: Vec<bool> = self.deltas.iter().filter(|c| !c.scored).map(|c| present(c.slot)).collect();
        let (n_present, n_absent) = key.iter().fold((0, 0), |(p, a), &x| if x { (p + 1, a) } else { (p, a + 1) });
        if n_present == 0 {
            return None;
        }
        if let Some(i) = self.sums.iter().position(|(k, _)| k.as_ref() == Some(&key)) {
            return Some(i);
        }
        let unscored = || self.deltas.iter().filter(|c| !c.scored).zip(&key);
        let sum = if n_absent < n_present {
            let total = self.total.clone().expect("a present delta");
            unscored().filter(|(_, p)| !**p).fold(total, |t, (c, _)| t - c.value.clone())
        } else {
            let mut parts = unscored().filter(|(_, p)| **p).map(|(c, _)| c.value.clone());
            let first = parts.next().expect("a present delta");
            parts.fold(first, |t, v| t + v)
        };
        self.sums.push((Some(key), sum));
        Some(self.sums.len() - 1)
    }

    /// `get(i) + extra` (`extra` alone when `i` is `None`) as a sum of its own.
    pub fn plus(&mut self, i: Option<usize>, extra: Tensor<3>) -> usize {
        let sum = match i {
            Some(i) => self.get(i) + extra,
            None => extra,
        };
        self.sums.push((None, sum));
        self.sums.len() - 1
    }

    pub fn get(&self, i: usize) -> Tensor<3> {
        self.sums[i].1.clone()
    }
}
