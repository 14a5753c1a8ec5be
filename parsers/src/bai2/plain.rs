//! The transaction detail (16) as nearly every bank writes it, read in one pass: a
//! credit or debit type code, a non-negative amount, a funds type without availability
//! amounts (0, 1, 2, Z, empty, or V with a valid value date), both references, and the
//! text starting in the record itself. The general reader in [`super::reader`] checks
//! every field of every record and reports what is wrong; it takes over whenever this
//! path declines, so this path only has to be right about the records it accepts, and
//! it accepts a record only when the general reader would read it the same way without
//! a diagnostic.

use chrono::NaiveDate;

use super::fields::{parse_date, parse_type_code, AMOUNT_DIGITS_MAX};
use super::records::{trim_blanks_range, Segment};
use crate::digits::{find_byte, parse_u64_in};

/// The fields of a plain detail, borrowed from the record's validated text.
pub(super) struct Plain<'a> {
    pub type_code: u16,
    /// The type code as written: three ASCII digits.
    pub type_text: &'a str,
    /// In minor units, never negative.
    pub amount: i64,
    pub value_date: Option<NaiveDate>,
    /// Trimmed; empty when the record has none.
    pub bank_ref: &'a str,
    /// Trimmed; empty when the record has none.
    pub customer_ref: &'a str,
    /// Offset in the record's buffer where the text starts, in the first segment.
    pub text_start: usize,
}

/// Reads `whole`, a 16 record's buffer known to be UTF-8, split in `segments`; `None`
/// when the record is not plain (the general reader then reads it).
#[inline]
pub(super) fn plain<'a>(whole: &'a str, segments: &[Segment]) -> Option<Plain<'a>> {
    let first = segments.first()?;
    let bytes = whole.as_bytes().get(..first.end)?;
    let mut at = first.start;
    // The next field of the first segment, which must end with a comma.
    let mut next = || -> Option<(usize, usize)> {
        let start = at;
        let comma = find_byte(bytes.get(start..)?, b',')?;
        at = start + comma + 1;
        Some((start, start + comma))
    };
    let (from, to) = next()?;
    let type_code = parse_type_code(&bytes[from..to])?;
    let type_text = whole.get(from..to)?;
    let (from, to) = next()?;
    // Digits with an optional `+`, no more than an amount may have: the general reader
    // reports the rest (a negative amount is a warning, too many digits an error).
    let digits_from = if bytes[from..to].first() == Some(&b'+') {
        from + 1
    } else {
        from
    };
    if to - digits_from > AMOUNT_DIGITS_MAX as usize {
        return None;
    }
    let amount = i64::try_from(parse_u64_in(bytes, digits_from, to)?).ok()?;
    let (from, to) = next()?;
    // One byte or none: matched on the byte, not on the slice, to spare branches.
    let funds = match to - from {
        0 => b'Z',
        1 => bytes[from],
        _ => return None,
    };
    let value_date = match funds {
        b'0' | b'1' | b'2' | b'Z' => None,
        b'V' => {
            let (from, to) = next()?;
            let date = parse_date(&bytes[from..to])?;
            next()?; // The value time: neither used nor checked.
            Some(date)
        }
        _ => return None,
    };
    let (from, to) = next()?;
    let bank_ref = trimmed_str(whole, from, to)?;
    let (from, to) = next()?;
    let customer_ref = trimmed_str(whole, from, to)?;
    Some(Plain {
        type_code,
        type_text,
        amount,
        value_date,
        bank_ref,
        customer_ref,
        text_start: at,
    })
}

/// `whole[from..to]` without surrounding blanks.
#[inline]
pub(super) fn trimmed_str(whole: &str, from: usize, to: usize) -> Option<&str> {
    let (start, end) = trim_blanks_range(whole.as_bytes().get(from..to)?);
    whole.get(from + start..from + end)
}
