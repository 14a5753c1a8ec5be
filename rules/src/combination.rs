//! Rule 2 without a list: which combination of a customer's open invoices sums
//! exactly to the payment? A bounded depth-first subset-sum that stops at the second
//! solution (two fits mean no automatic application) or when its step budget runs
//! out (an incomplete search cannot claim a unique fit).

use crate::index::InvoicePos;

/// What the search found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Combinations {
    None,
    /// Exactly one combination fits; positions ascending.
    Unique(Vec<InvoicePos>),
    /// At least two fit; the first two found, positions ascending.
    Several(Vec<InvoicePos>, Vec<InvoicePos>),
    /// The step budget ran out before the search was complete.
    Exhausted,
}

/// Search bounds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    pub(crate) size_min: usize,
    pub(crate) size_max: usize,
    pub(crate) steps_max: u32,
}

struct Search<'a> {
    items: &'a [(InvoicePos, i64)],
    /// `suffix[i]`: sum of the amounts of `items[i..]`.
    suffix: Vec<i64>,
    bounds: Bounds,
    steps: u32,
    chosen: Vec<InvoicePos>,
    found: Vec<Vec<InvoicePos>>,
    exhausted: bool,
}

impl Search<'_> {
    fn walk(&mut self, start: usize, remaining: i64) {
        if self.found.len() >= 2 || self.exhausted {
            return;
        }
        if remaining == 0 {
            if self.chosen.len() >= self.bounds.size_min {
                let mut combination = self.chosen.clone();
                combination.sort_unstable();
                self.found.push(combination);
            }
            return;
        }
        if self.chosen.len() >= self.bounds.size_max {
            return;
        }
        for i in start..self.items.len() {
            if self.suffix[i] < remaining {
                // Even everything left would not reach the amount.
                return;
            }
            self.steps += 1;
            if self.steps > self.bounds.steps_max {
                self.exhausted = true;
                return;
            }
            let (pos, amount) = self.items[i];
            if amount > remaining {
                continue;
            }
            self.chosen.push(pos);
            self.walk(i + 1, remaining - amount);
            self.chosen.pop();
            if self.found.len() >= 2 || self.exhausted {
                return;
            }
        }
    }
}

/// Combinations of `items` (position, positive amount in minor units) summing to
/// `target`. Deterministic: items are searched largest amount first, then by
/// position.
pub(crate) fn find(items: &[(InvoicePos, i64)], target: i64, bounds: Bounds) -> Combinations {
    let mut sorted: Vec<(InvoicePos, i64)> = items
        .iter()
        .copied()
        .filter(|(_, amount)| *amount > 0 && *amount <= target)
        .collect();
    sorted.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut suffix = vec![0i64; sorted.len() + 1];
    for i in (0..sorted.len()).rev() {
        suffix[i] = suffix[i + 1].saturating_add(sorted[i].1);
    }
    let mut search = Search {
        items: &sorted,
        suffix,
        bounds,
        steps: 0,
        chosen: Vec::new(),
        found: Vec::new(),
        exhausted: false,
    };
    if target > 0 {
        search.walk(0, target);
    }
    let mut found = search.found;
    match found.len() {
        0 if search.exhausted => Combinations::Exhausted,
        0 => Combinations::None,
        1 if search.exhausted => Combinations::Exhausted,
        1 => Combinations::Unique(found.remove(0)),
        _ => {
            let second = found.remove(1);
            Combinations::Several(found.remove(0), second)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOUNDS: Bounds = Bounds {
        size_min: 2,
        size_max: 5,
        steps_max: 10_000,
    };

    #[test]
    fn unique_combination() {
        let items = [(0, 100), (1, 250), (2, 400), (3, 75)];
        assert_eq!(find(&items, 325, BOUNDS), Combinations::Unique(vec![1, 3]));
        assert_eq!(find(&items, 5, BOUNDS), Combinations::None);
        // A single invoice is not a combination.
        assert_eq!(find(&items, 400, BOUNDS), Combinations::None);
    }

    #[test]
    fn two_fits_are_reported() {
        let items = [(0, 100), (1, 100), (2, 50)];
        assert!(matches!(
            find(&items, 150, BOUNDS),
            Combinations::Several(_, _)
        ));
    }

    #[test]
    fn budget_exhaustion_is_not_uniqueness() {
        let items: Vec<(InvoicePos, i64)> = (0..30).map(|i| (i, 1000 + i64::from(i))).collect();
        let tight = Bounds {
            steps_max: 10,
            ..BOUNDS
        };
        assert_eq!(find(&items, 1, tight), Combinations::None);
        assert_eq!(find(&items, 5_500, tight), Combinations::Exhausted);
    }
}
