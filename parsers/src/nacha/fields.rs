//! Fixed-width field access on one 94-character NACHA record: numbers, text, dates,
//! routing check digits, each failing into a located diagnostic that names the record
//! and the field.

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};

use super::codes;
use crate::diagnostic::{codes as common, Diagnostic, Diagnostics};
use crate::digits::eight_digits;
use crate::position::Position;

pub(super) const RECORD_LENGTH: usize = 94;

/// One record, exactly 94 bytes, with where it is and what it is called in messages.
#[derive(Clone, Copy)]
pub(super) struct Record<'a> {
    pub bytes: &'a [u8],
    /// The record as text, when it was validated as a whole ([`Record::from_text`]);
    /// otherwise each field is validated when it is read, so that records whose text
    /// is not read (most addenda, controls) are not validated at all.
    text: Option<&'a str>,
    pub position: Position,
    pub name: &'static str,
}

impl<'a> Record<'a> {
    #[inline]
    pub fn new(bytes: &'a [u8], position: Position, name: &'static str) -> Record<'a> {
        Record {
            bytes,
            text: None,
            position,
            name,
        }
    }

    /// A record already known to be UTF-8, not validated again.
    #[inline]
    pub fn from_text(text: &'a str, position: Position, name: &'static str) -> Record<'a> {
        Record {
            bytes: text.as_bytes(),
            text: Some(text),
            position,
            name,
        }
    }

    /// The whole record as text, when it is UTF-8.
    #[inline]
    pub fn as_text(&self) -> Option<&'a str> {
        self.text.or_else(|| std::str::from_utf8(self.bytes).ok())
    }

    /// Bytes of positions `start..=end`, 1-based as the NACHA layouts number them.
    #[inline]
    pub fn raw(&self, start: usize, end: usize) -> &'a [u8] {
        self.bytes.get(start - 1..end).unwrap_or(b"")
    }

    /// Text of positions `start..=end` without surrounding spaces.
    pub fn text(&self, start: usize, end: usize) -> String {
        self.str(start, end).into_owned()
    }

    /// Positions `start..=end` as they are (spaces kept), borrowed when UTF-8.
    #[inline]
    pub fn raw_str(&self, start: usize, end: usize) -> Cow<'a, str> {
        match self.text.and_then(|text| text.get(start - 1..end)) {
            Some(text) => Cow::Borrowed(text),
            None => lossy_str(self.raw(start, end)),
        }
    }

    /// Like [`Record::text`], borrowed from the record when it is UTF-8.
    #[inline(always)]
    pub fn str(&self, start: usize, end: usize) -> Cow<'a, str> {
        let (from, to) = trimmed_in(self.bytes, start - 1, end);
        match self.text.and_then(|text| text.get(from..to)) {
            Some(text) => Cow::Borrowed(text),
            None => lossy_str(self.bytes.get(from..to).unwrap_or(b"")),
        }
    }

    /// Digits of positions `start..=end` as a number, or an error diagnostic.
    #[inline]
    pub fn number(
        &self,
        start: usize,
        end: usize,
        field: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<u128> {
        let parsed = digits_in(self.bytes, start - 1, end);
        if parsed.is_none() {
            diagnostics.push(self.invalid(field, start, end, "must be digits"));
        }
        parsed
    }

    /// An amount in minor units; a non-digit amount gets the shared `invalid_amount`.
    #[inline]
    pub fn amount(&self, start: usize, end: usize, diagnostics: &mut Diagnostics) -> Option<u128> {
        let parsed = digits_in(self.bytes, start - 1, end);
        if parsed.is_none() {
            let raw = self.raw(start, end);
            diagnostics.push(
                Diagnostic::error(
                    common::INVALID_AMOUNT,
                    self.position,
                    format!("amount in cents must be digits (positions {start}-{end})"),
                )
                .record(self.name)
                .field("amount")
                .expected(format!("{} digits", end + 1 - start))
                .found(lossy(raw)),
            );
        }
        parsed
    }

    /// A YYMMDD date. Blank gives `None` silently; `000000` (which return and NOC
    /// batches carry) gives `None` with a warning; anything else invalid is an error.
    pub fn date(
        &self,
        start: usize,
        end: usize,
        field: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<NaiveDate> {
        let raw = self.raw(start, end);
        if trim(raw).is_empty() {
            return None;
        }
        if raw.iter().all(|&b| b == b'0') {
            diagnostics.push(
                Diagnostic::warning(
                    common::INVALID_DATE,
                    self.position,
                    format!("{field} is zero: the entries have no date (positions {start}-{end})"),
                )
                .record(self.name)
                .field(field)
                .expected("date YYMMDD")
                .found(lossy(raw)),
            );
            return None;
        }
        let parsed = yymmdd(raw);
        if parsed.is_none() {
            diagnostics.push(
                Diagnostic::error(
                    common::INVALID_DATE,
                    self.position,
                    format!("{field} is not a valid date (positions {start}-{end})"),
                )
                .record(self.name)
                .field(field)
                .expected("date YYMMDD")
                .found(lossy(raw)),
            );
        }
        parsed
    }

    /// An `invalid_field` error for positions `start..=end`.
    pub fn invalid(&self, field: &str, start: usize, end: usize, rule: &str) -> Diagnostic {
        let width = end + 1 - start;
        Diagnostic::error(
            codes::INVALID_FIELD,
            self.position,
            format!("{field} {rule} (positions {start}-{end})"),
        )
        .record(self.name)
        .field(field)
        .expected(if rule == "must be digits" {
            format!("{width} digits")
        } else {
            rule.trim_start_matches("must be ").to_owned()
        })
        .found(lossy(self.raw(start, end)))
    }
}

/// All-digit bytes as a number; `None` when empty or any byte is not a digit.
#[inline]
pub(super) fn digits(raw: &[u8]) -> Option<u128> {
    if raw.is_empty() || raw.len() > 38 {
        return None;
    }
    // Up to 19 digits fit in u64, whose arithmetic is cheaper; only ADV's 20-digit
    // totals need the wide path. Eight digits at a time, then one at a time.
    if raw.len() <= 19 {
        let mut value: u64 = 0;
        let mut chunks = raw.chunks_exact(8);
        for chunk in &mut chunks {
            let mut eight = [0u8; 8];
            eight.copy_from_slice(chunk);
            value = value * 100_000_000 + eight_digits(u64::from_le_bytes(eight))?;
        }
        for &byte in chunks.remainder() {
            let digit = byte.wrapping_sub(b'0');
            if digit > 9 {
                return None;
            }
            value = value * 10 + u64::from(digit);
        }
        return Some(u128::from(value));
    }
    let mut value: u128 = 0;
    for &byte in raw {
        if !byte.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u128::from(byte - b'0');
    }
    Some(value)
}

/// `bytes[from..to]` as [`digits`] reads it (`None` as well when out of range). Up
/// to 16 digits are read a word at a time with no loop over the digits left over:
/// a field's bytes are loaded with their neighbours in the record, which are then
/// replaced by leading '0's.
#[inline(always)]
pub(super) fn digits_in(bytes: &[u8], from: usize, to: usize) -> Option<u128> {
    let raw = bytes.get(from..to)?;
    // The first digits need eight bytes of `bytes` starting or ending with them.
    let head = raw.len().wrapping_sub(1) % 8 + 1;
    if from + 8 > bytes.len() && from + head < 8 {
        return digits(raw);
    }
    let value = match raw.len() {
        1..=8 => up_to_eight_in(bytes, from, raw.len())?,
        9..=16 => {
            let high = raw.len() - 8;
            let low = eight_digits(u64::from_le_bytes(*raw[high..].as_array::<8>()?))?;
            up_to_eight_in(bytes, from, high)? * 100_000_000 + low
        }
        _ => return digits(raw),
    };
    Some(u128::from(value))
}

/// The `width` (1 to 8) digits at `bytes[from..]` as a number, from one load of
/// eight bytes of `bytes` around them; they must be in range.
#[inline(always)]
fn up_to_eight_in(bytes: &[u8], from: usize, width: usize) -> Option<u64> {
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    // The digits in the top `width` bytes of the word, the first the lowest of them.
    let shift = 8 * (8 - width);
    let word = match bytes.get(from..from + 8) {
        Some(word) => u64::from_le_bytes(*word.as_array::<8>()?) << shift,
        None => {
            let to = from + width;
            let word = bytes.get(to.checked_sub(8)?..to)?;
            u64::from_le_bytes(*word.as_array::<8>()?) & (u64::MAX << shift)
        }
    };
    eight_digits(word | (ZEROS & !(u64::MAX << shift)))
}

#[inline]
pub(super) fn trim(raw: &[u8]) -> &[u8] {
    let (from, to) = trimmed(raw);
    &raw[from..to]
}

/// The range of `raw` without leading and trailing spaces. Fixed-width text fields
/// are padded on the right, often for most of their width: the padding is skipped
/// eight bytes at a time.
#[inline]
pub(super) fn trimmed(raw: &[u8]) -> (usize, usize) {
    let mut end = raw.len();
    while end >= 8 && raw[end - 8..end] == *b"        " {
        end -= 8;
    }
    while end > 0 && raw[end - 1] == b' ' {
        end -= 1;
    }
    let start = raw[..end].iter().position(|&b| b != b' ').unwrap_or(end);
    (start, end)
}

/// [`trimmed`] of `bytes[from..to]`, as offsets in `bytes`. Fields of up to 16 bytes
/// within a record are read as a bit mask of their non-space bytes, from two loads,
/// without a loop over the padding.
#[inline(always)]
pub(super) fn trimmed_in(bytes: &[u8], from: usize, to: usize) -> (usize, usize) {
    let Some(raw) = bytes.get(from..to) else {
        // Out of range: read as empty at `from`, as `Record::raw` gives it.
        return (from, from);
    };
    let width = raw.len();
    let window = match bytes.get(from..from + 16) {
        Some(window) if width <= 16 => window,
        _ => {
            let (start, end) = trimmed(raw);
            return (from + start, from + end);
        }
    };
    let words = window.as_chunks::<8>().0;
    let mask = u32::from(non_spaces(u64::from_le_bytes(words[0])))
        | u32::from(non_spaces(u64::from_le_bytes(words[1]))) << 8;
    // Only the field's own bytes.
    let mask = mask & !(u32::MAX << width);
    let end = 32 - mask.leading_zeros() as usize;
    let start = (mask.trailing_zeros() as usize).min(end);
    (from + start, from + end)
}

/// [`trimmed`] of an 80-byte payment information field, without a data-dependent
/// branch: its padding varies from one addendum to the next, and a loop that stops at
/// the last space mispredicts its exit on nearly every one. The field is read as a
/// bit mask of its non-space bytes (the first 64 in `low`, the last 16 in `high`),
/// whose lowest and highest bits bound the text.
#[inline]
pub(super) fn trimmed_80(raw: &[u8; 80]) -> (usize, usize) {
    let words = raw.as_chunks::<8>().0;
    let mask = |index: usize| u64::from(non_spaces(u64::from_le_bytes(words[index])));
    let mut low = 0;
    for index in 0..8 {
        low |= mask(index) << (8 * index);
    }
    let high = mask(8) | mask(9) << 8;
    let end = if high != 0 {
        128 - high.leading_zeros() as usize
    } else {
        64 - low.leading_zeros() as usize
    };
    let start = if low != 0 {
        low.trailing_zeros() as usize
    } else {
        64 + high.trailing_zeros() as usize
    };
    (start.min(end), end)
}

/// One bit per byte of `word` (the first byte in the lowest bit) that is not a space.
#[inline]
fn non_spaces(word: u64) -> u8 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let x = word ^ 0x2020_2020_2020_2020;
    // The high bit of each byte that is not zero: adding 0x7F to its low seven bits
    // carries into the high bit unless they are all zero, and never beyond the byte.
    let high = (((x & LOW7) + LOW7) | x) & !LOW7;
    // Gathers the eight high bits into the top byte, the first byte's the lowest.
    ((high >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u8
}

/// Text of a field; bytes that are not UTF-8 (NACHA is ASCII) become U+FFFD.
pub(super) fn lossy(raw: &[u8]) -> String {
    lossy_str(raw).into_owned()
}

/// Like [`lossy`], borrowed when the bytes are UTF-8.
#[inline]
pub(super) fn lossy_str(raw: &[u8]) -> Cow<'_, str> {
    // `from_utf8` first: its ASCII fast path beats the lossy decoder's on short fields.
    match std::str::from_utf8(raw) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(raw),
    }
}

/// YYMMDD with the century pivot at 70 (files carry dates of recent years; 70-99 are
/// read as 1970-1999).
pub(super) fn yymmdd(raw: &[u8]) -> Option<NaiveDate> {
    if raw.len() != 6 {
        return None;
    }
    let value = digits(raw)?;
    let year = (value / 10_000) as i32;
    let month = (value / 100 % 100) as u32;
    let day = (value % 100) as u32;
    let year = if year < 70 { 2000 + year } else { 1900 + year };
    NaiveDate::from_ymd_opt(year, month, day)
}

/// The settlement date: a Julian day of the year (001-366) in the year of the effective
/// date, or of the next year when the day lies far before it (a December batch settled
/// in January).
pub(super) fn julian(raw: &[u8], effective: Option<NaiveDate>) -> Option<NaiveDate> {
    let day = u32::try_from(digits(raw)?).ok()?;
    let effective = effective?;
    if !(1..=366).contains(&day) {
        return None;
    }
    let year = if day + 300 < effective.ordinal() {
        effective.year() + 1
    } else {
        effective.year()
    };
    NaiveDate::from_yo_opt(year, day)
}

/// The ABA check digit of an 8-digit routing number: weights 3, 7, 1 repeated.
#[inline]
pub(super) fn aba_check_digit(routing: &[u8]) -> Option<u8> {
    const HIGH: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    const EVEN: u64 = 0x00FF_00FF_00FF_00FF;
    let word = u64::from_le_bytes(*routing.as_array::<8>()?);
    if word & HIGH != ZEROS || (word + 0x0606_0606_0606_0606) & HIGH != ZEROS {
        return None;
    }
    let digits = word - ZEROS;
    // Digits 1, 3, 5, 7 (weights 3, 1, 7, 3) and 2, 4, 6, 8 (weights 7, 3, 1, 7) in
    // 16-bit lanes; a multiplication by the weights in reverse order sums the
    // weighted lanes into the top lane (no lane exceeds 4 * 9 * 7).
    let odd = (digits & EVEN).wrapping_mul(3 << 48 | 1 << 32 | 7 << 16 | 3) >> 48;
    let even = ((digits >> 8) & EVEN).wrapping_mul(7 << 48 | 3 << 32 | 1 << 16 | 7) >> 48;
    Some(((10 - (odd + even) % 10) % 10) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimming_and_fields_as_text() {
        for (raw, trimmed) in [
            (&b""[..], &b""[..]),
            (b"   ", b""),
            (b"  a b  ", b"a b"),
            (b"abc                 ", b"abc"),
            (b"                  x", b"x"),
        ] {
            assert_eq!(trim(raw), trimmed);
        }
        // The branch-free trim of payment fields, with spaces and other bytes anywhere.
        let mut next = crate::testing::xorshift(0x2545_F491_4F6C_DD1D);
        for _ in 0..100_000 {
            let spaces = next() % 9;
            let mut raw = [b' '; 80];
            let (from, to) = ((next() % 81) as usize, (next() % 81) as usize);
            for byte in &mut raw[from.min(to)..from.max(to)] {
                if next() % 8 >= spaces {
                    *byte = b"a\xA0\x00\x20\xFF\x10!~"[(next() % 8) as usize];
                }
            }
            assert_eq!(trimmed_80(&raw), trimmed(&raw), "{raw:?}");
        }
        let record = Record::new(b"6ab  \xC3\xA9 ", Position::default(), "entry");
        assert_eq!(record.str(2, 5), "ab");
        assert_eq!(record.str(6, 8), "\u{e9}");
        let broken = Record::new(b"6ab \xFF ", Position::default(), "entry");
        assert_eq!(broken.str(2, 3), "ab");
        assert_eq!(broken.str(4, 6), "\u{fffd}");
    }

    #[test]
    fn digits_read_eight_at_a_time_as_one_at_a_time() {
        fn slow(raw: &[u8]) -> Option<u128> {
            if raw.is_empty() || raw.len() > 38 {
                return None;
            }
            let mut value: u128 = 0;
            for &byte in raw {
                if !byte.is_ascii_digit() {
                    return None;
                }
                value = value * 10 + u128::from(byte - b'0');
            }
            Some(value)
        }
        let mut next = crate::testing::xorshift(0x9E37_79B9_7F4A_7C15);
        let alphabet = b"0123456789/:  0999\x00\xff\xc3";
        for _ in 0..200_000 {
            let len = (next() % 24) as usize;
            let raw: Vec<u8> = (0..len)
                .map(|_| match next() % 10 {
                    0 => alphabet[(next() % alphabet.len() as u64) as usize],
                    _ => b'0' + (next() % 10) as u8,
                })
                .collect();
            assert_eq!(digits(&raw), slow(&raw), "{raw:?}");
        }
        assert_eq!(
            digits(b"1234567890123456789"),
            Some(1_234_567_890_123_456_789)
        );
        assert_eq!(digits(b"99999999"), Some(99_999_999));
        assert_eq!(digits(b"0000000000"), Some(0));
        assert_eq!(digits(b"12345678:"), None);
        assert_eq!(digits(b"1234/678"), None);
    }

    /// The word-at-a-time readers of a field inside a record agree with the plain
    /// ones on every range, near the record's ends too.
    #[test]
    fn fields_in_a_record_read_as_alone() {
        let mut next = crate::testing::xorshift(0x2545_F491_4F6C_DD1D);
        let alphabet = b"0123456789 /:a\x00\xff";
        for _ in 0..2_000 {
            let len = (next() % 40) as usize;
            let record: Vec<u8> = (0..len)
                .map(|_| match next() % 3 {
                    0 => alphabet[(next() % alphabet.len() as u64) as usize],
                    _ => b'0' + (next() % 10) as u8,
                })
                .collect();
            for from in 0..=len + 1 {
                for to in from..=len + 2 {
                    let raw = record.get(from..to).unwrap_or(b"");
                    assert_eq!(
                        digits_in(&record, from, to),
                        digits(raw),
                        "{record:?} {from}..{to}"
                    );
                    let (start, end) = trimmed(raw);
                    let expected = match record.get(from..to) {
                        Some(_) => (from + start, from + end),
                        None => (from, from),
                    };
                    assert_eq!(
                        trimmed_in(&record, from, to),
                        expected,
                        "{record:?} {from}..{to}"
                    );
                }
            }
            // Check digits of any eight bytes, as the weights give them one by one.
            let routing: Vec<u8> = record.iter().copied().take(8).collect();
            let slow = (routing.len() == 8 && routing.iter().all(u8::is_ascii_digit)).then(|| {
                let sum: u32 = routing
                    .iter()
                    .zip([3, 7, 1, 3, 7, 1, 3, 7])
                    .map(|(&digit, weight)| u32::from(digit - b'0') * weight)
                    .sum();
                ((10 - sum % 10) % 10) as u8
            });
            assert_eq!(aba_check_digit(&routing), slow, "{routing:?}");
        }
    }

    #[test]
    fn check_digits_follow_the_aba_weights() {
        assert_eq!(aba_check_digit(b"23138010"), Some(4));
        assert_eq!(aba_check_digit(b"12104288"), Some(2));
        assert_eq!(aba_check_digit(b"09100001"), Some(9));
        assert_eq!(aba_check_digit(b"0910000"), None);
    }

    #[test]
    fn dates_and_julian_days() {
        assert_eq!(yymmdd(b"190816"), NaiveDate::from_ymd_opt(2019, 8, 16));
        assert_eq!(yymmdd(b"991231"), NaiveDate::from_ymd_opt(1999, 12, 31));
        assert_eq!(yymmdd(b"190230"), None);
        let effective = NaiveDate::from_ymd_opt(2019, 12, 31);
        assert_eq!(
            julian(b"002", effective),
            NaiveDate::from_ymd_opt(2020, 1, 2)
        );
        assert_eq!(
            julian(b"365", effective),
            NaiveDate::from_ymd_opt(2019, 12, 31)
        );
        assert_eq!(julian(b"   ", effective), None);
    }
}
