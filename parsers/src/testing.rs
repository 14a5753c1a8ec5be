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

/// Makes `edits` random edits to `bytes`, each deleting a run of 1 to 4 bytes,
/// inserting a byte of `alphabet` or replacing one with it: damaged inputs for the
/// readers' property tests. `pick(n)` is a random number below `n`.
pub(crate) fn damage(
    bytes: &mut Vec<u8>,
    edits: u32,
    alphabet: &[u8],
    pick: &mut impl FnMut(usize) -> usize,
) {
    for _ in 0..edits {
        if bytes.is_empty() {
            return;
        }
        let at = pick(bytes.len());
        match pick(3) {
            0 => {
                let end = (at + 1 + pick(4)).min(bytes.len());
                bytes.drain(at..end);
            }
            1 => bytes.insert(at, alphabet[pick(alphabet.len())]),
            _ => bytes[at] = alphabet[pick(alphabet.len())],
        }
    }
}
