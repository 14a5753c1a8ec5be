//! Helpers shared by the unit tests of the readers.

/// A xorshift64 generator from `seed`: cheap, reproducible random inputs for tests
/// that compare a fast reader with a plain one.
pub(crate) fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}
