//! Eight bytes at a time, for the short fields of the line formats: ASCII digit runs
//! read as numbers (one digit check and three multiplications per eight digits instead
//! of a test, a branch and a multiplication per digit), and a byte searched for.

/// Eight ASCII digits, the first in the lowest byte, as a number; `None` when any byte
/// is not a digit. Each byte's high nibble must be 3 and its low nibble at most 9
/// (adding 6 carries a low nibble above 9 into the high one; a byte never overflows).
#[inline]
pub fn eight_digits(chunk: u64) -> Option<u64> {
    const HIGH: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    if chunk & HIGH != ZEROS || (chunk + 0x0606_0606_0606_0606) & HIGH != ZEROS {
        return None;
    }
    let chunk = chunk - ZEROS;
    // Pairs, then quadruples, then the eight digits: each step joins neighbours, the
    // earlier (lower) byte being the more significant digit.
    let chunk = (chunk & 0x000F_000F_000F_000F) * 10 + ((chunk >> 8) & 0x000F_000F_000F_000F);
    let chunk = (chunk & 0x0000_00FF_0000_00FF) * 100 + ((chunk >> 16) & 0x0000_00FF_0000_00FF);
    Some((chunk & 0x0000_0000_0000_FFFF) * 10_000 + ((chunk >> 32) & 0x0000_0000_0000_FFFF))
}

/// Up to eight ASCII digits as a number, the missing leading digits read as zeros.
#[inline]
fn up_to_eight(raw: &[u8]) -> Option<u64> {
    debug_assert!(raw.len() <= 8);
    // Shifting the bytes in behind a word of '0's puts the last digit in the lowest
    // byte; swapping the bytes gives the order `eight_digits` reads.
    let mut word: u64 = 0x3030_3030_3030_3030;
    for &byte in raw {
        word = (word << 8) | u64::from(byte);
    }
    eight_digits(word.swap_bytes())
}

/// 1 to 19 ASCII digits as a number (19 digits always fit in a `u64`); `None` when
/// empty, longer, or any byte is not a digit.
#[inline]
pub fn parse_u64(raw: &[u8]) -> Option<u64> {
    match raw.len() {
        0 => None,
        1..=8 => up_to_eight(raw),
        9..=16 => {
            let (high, low) = raw.split_at(raw.len() - 8);
            let low = eight_digits(u64::from_le_bytes(low.try_into().ok()?))?;
            Some(up_to_eight(high)? * 100_000_000 + low)
        }
        17..=19 => {
            let (high, low) = raw.split_at(raw.len() - 16);
            let (middle, low) = low.split_at(8);
            let middle = eight_digits(u64::from_le_bytes(middle.try_into().ok()?))?;
            let low = eight_digits(u64::from_le_bytes(low.try_into().ok()?))?;
            (up_to_eight(high)? * 100_000_000 + middle)
                .checked_mul(100_000_000)?
                .checked_add(low)
        }
        _ => None,
    }
}

/// `buffer[from..to]`, 1 to 19 ASCII digits, as a number, like [`parse_u64`]. Up to
/// eight digits with at least eight bytes of `buffer` before their end are read with one
/// load and no loop: the bytes before `from` are replaced by '0's.
#[inline]
pub fn parse_u64_in(buffer: &[u8], from: usize, to: usize) -> Option<u64> {
    let length = to.checked_sub(from)?;
    if (1..=8).contains(&length) && to >= 8 {
        let word = u64::from_le_bytes(buffer.get(to - 8..to)?.try_into().ok()?);
        // The first bytes, the lowest in the word, are not part of the number.
        let kept = u64::MAX << ((8 - length) * 8);
        return eight_digits((word & kept) | (0x3030_3030_3030_3030 & !kept));
    }
    parse_u64(buffer.get(from..to)?)
}

/// The index of the first `needle` in `haystack`, eight bytes at a time: for the short
/// fields of a record, where a vectorized search spends more on setting up than on
/// searching.
#[inline]
pub fn find_byte(haystack: &[u8], needle: u8) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let pattern = ONES * u64::from(needle);
    let mut chunks = haystack.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().ok()?) ^ pattern;
        // A zero byte of `word` is a byte equal to `needle`. The lowest flag is exact:
        // a borrow only ever flags bytes above a zero byte.
        let zeros = word.wrapping_sub(ONES) & !word & HIGHS;
        if zeros != 0 {
            return Some(offset + (zeros.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&byte| byte == needle)
        .map(|found| offset + found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slow(raw: &[u8]) -> Option<u64> {
        if raw.is_empty() || raw.len() > 19 {
            return None;
        }
        raw.iter().try_fold(0u64, |value, &byte| {
            byte.is_ascii_digit()
                .then(|| value * 10 + u64::from(byte - b'0'))
        })
    }

    #[test]
    fn digits_in_a_buffer_read_as_alone() {
        let buffer = b"16,195,1057585,Z,000000012,99999999,+7,1a3,12345678901234567890";
        for from in 0..buffer.len() {
            for to in from..=buffer.len() {
                assert_eq!(
                    parse_u64_in(buffer, from, to),
                    parse_u64(&buffer[from..to]),
                    "{from}..{to}"
                );
            }
        }
        assert_eq!(parse_u64_in(buffer, 5, 3), None);
    }

    #[test]
    fn find_byte_finds_the_first() {
        let haystack = b"195,1057585,Z,26306001000001,,ACH CREDIT";
        for from in 0..haystack.len() {
            for to in from..=haystack.len() {
                let part = &haystack[from..to];
                for needle in [b',', b'C', b'Z', b'\0', 0x80] {
                    assert_eq!(
                        find_byte(part, needle),
                        part.iter().position(|&byte| byte == needle),
                        "{from}..{to} {needle}"
                    );
                }
            }
        }
        assert_eq!(
            find_byte(&[0x2b, 0x2c, 0x2c, 0, 0, 0, 0, 0, 0x2c], b','),
            Some(1)
        );
        assert_eq!(find_byte(&[0xff; 20], 0xff), Some(0));
    }

    #[test]
    fn eight_at_a_time_reads_as_one_at_a_time() {
        let mut next = crate::testing::xorshift(0x9E37_79B9_7F4A_7C15);
        let alphabet = b"0123456789 +-/:9";
        for _ in 0..200_000 {
            let length = (next() % 22) as usize;
            let mostly_digits = !next().is_multiple_of(4);
            let raw: Vec<u8> = (0..length)
                .map(|_| {
                    let pick = next();
                    if mostly_digits || !pick.is_multiple_of(7) {
                        b'0' + (pick % 10) as u8
                    } else {
                        alphabet[(pick % alphabet.len() as u64) as usize]
                    }
                })
                .collect();
            assert_eq!(
                parse_u64(&raw),
                slow(&raw),
                "{:?}",
                String::from_utf8_lossy(&raw)
            );
        }
        for raw in [
            &b"9999999999999999999"[..],
            b"1",
            b"00000000",
            b"99999999",
            b"123456789",
            b"1234567890123456",
            b"12345678901234567",
            b"/",
            b":",
        ] {
            assert_eq!(parse_u64(raw), slow(raw), "{raw:?}");
        }
    }
}
