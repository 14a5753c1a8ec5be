//! The one source of randomness: a seeded generator with the few helpers the scenario
//! needs. Everything generated goes through it, so a seed gives byte-identical output.

/// A seeded, portable pseudo-random generator (wyrand via `fastrand`).
#[derive(Debug, Clone)]
pub struct Rand(fastrand::Rng);

impl Rand {
    pub fn new(seed: u64) -> Rand {
        Rand(fastrand::Rng::with_seed(seed))
    }

    /// An independent stream for one part of the scenario, so that changing how many
    /// numbers one part draws does not shift every other part.
    pub fn fork(&mut self, salt: u64) -> Rand {
        Rand::new(self.0.u64(..) ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    /// A number in `0..n`; `n` must be positive.
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "below(0)");
        self.0.usize(..n)
    }

    /// A number in `low..=high`.
    pub fn range(&mut self, low: i64, high: i64) -> i64 {
        self.0.i64(low..=high)
    }

    /// True with probability `per_mille` / 1000.
    pub fn chance(&mut self, per_mille: u32) -> bool {
        self.0.u32(..1000) < per_mille
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index drawn with the given integer weights (at least one positive).
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        assert!(total > 0, "weighted() needs a positive weight");
        let mut target = self.0.u64(..total);
        for (index, &weight) in weights.iter().enumerate() {
            let weight = u64::from(weight);
            if target < weight {
                return index;
            }
            target -= weight;
        }
        weights.len() - 1
    }

    /// `count` decimal digits.
    pub fn digits(&mut self, count: usize) -> String {
        (0..count)
            .map(|_| char::from(b'0' + self.0.u8(..10)))
            .collect()
    }

    /// `count` upper-case letters.
    pub fn letters(&mut self, count: usize) -> String {
        (0..count)
            .map(|_| char::from(b'A' + self.0.u8(..26)))
            .collect()
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        self.0.shuffle(items);
    }
}
