//! Fields of one logical BAI2 record, read in place without allocating, and the
//! byte-level parsers for amounts, counts, type codes and dates.
//!
//! A field never spans two physical records: the end of the record and the start of
//! each 88 continuation are field boundaries, as the specification requires.

use chrono::NaiveDate;

use super::records::Segment;
use crate::position::Position;

/// One field and where it starts in the file.
#[derive(Debug, Clone, Copy)]
pub(super) struct Field<'a> {
    pub bytes: &'a [u8],
    /// Offset of the field in the record's buffer.
    pub start: usize,
    pub position: Position,
}

impl Field<'_> {
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// Reads the comma-separated fields of a logical record, segment after segment.
pub(super) struct Fields<'a> {
    buffer: &'a [u8],
    segments: &'a [Segment],
    segment: usize,
    /// Offset in `buffer` of the next field; `end + 1` once the segment is used up.
    at: usize,
}

impl<'a> Fields<'a> {
    #[inline]
    pub fn new(buffer: &'a [u8], segments: &'a [Segment]) -> Fields<'a> {
        Fields {
            buffer,
            segments,
            segment: 0,
            at: segments.first().map_or(0, |segment| segment.start),
        }
    }

    #[inline]
    fn position_in(segment: &Segment, at: usize) -> Position {
        let offset = at.saturating_sub(segment.start) as u64;
        Position::new(
            segment.position.byte + offset,
            segment.position.line,
            segment.position.record,
        )
    }

    /// Where the next field would start, or the end of the record: for diagnostics
    /// about a field that is missing.
    #[inline]
    pub fn here(&self) -> Position {
        match self.segments.get(self.segment) {
            Some(segment) => Self::position_in(segment, self.at.min(segment.end)),
            None => match self.segments.last() {
                Some(segment) => Self::position_in(segment, segment.end),
                None => Position::default(),
            },
        }
    }

    /// The next field, `None` when the record has no more.
    #[inline]
    pub fn next_field(&mut self) -> Option<Field<'a>> {
        while let Some(segment) = self.segments.get(self.segment) {
            if self.at <= segment.end {
                let start = self.at;
                let rest = self.buffer.get(start..segment.end).unwrap_or_default();
                // Fields are short: a plain scan beats a vectorized search's set-up.
                let length = match rest.iter().position(|&byte| byte == b',') {
                    Some(comma) => {
                        self.at = start + comma + 1;
                        comma
                    }
                    None => {
                        self.at = segment.end + 1;
                        rest.len()
                    }
                };
                return Some(Field {
                    bytes: &rest[..length],
                    start,
                    position: Self::position_in(segment, start),
                });
            }
            self.advance_segment();
        }
        None
    }

    #[inline]
    fn advance_segment(&mut self) {
        self.segment += 1;
        if let Some(next) = self.segments.get(self.segment) {
            self.at = next.start;
        }
    }

    /// The text that ends a 16 record: the rest of the current segment, commas and
    /// slashes included, then every later segment whole. One call of `each` per
    /// segment, so that each physical record gives one line of text.
    pub fn rest(&mut self, mut each: impl FnMut(Field<'a>)) {
        while let Some(segment) = self.segments.get(self.segment) {
            if self.at <= segment.end {
                let bytes = self.buffer.get(self.at..segment.end).unwrap_or_default();
                each(Field {
                    bytes,
                    start: self.at,
                    position: Self::position_in(segment, self.at),
                });
            }
            self.advance_segment();
        }
    }
}

/// Why a number field could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NumberError {
    Empty,
    NotANumber,
    TooManyDigits,
}

/// Significant digits of a detail or summary amount: 18 always fits in an `i64`.
pub(super) const AMOUNT_DIGITS_MAX: u32 = 18;
/// Significant digits of a trailer control total, a sum of many amounts. Sums of up to
/// 10^8 such totals still fit in an `i128`.
pub(super) const TOTAL_DIGITS_MAX: u32 = 30;

/// Parses `[+-]digits` (an amount in minor units, no decimal point) from bytes.
#[inline]
pub(super) fn parse_amount(bytes: &[u8], digits_max: u32) -> Result<i128, NumberError> {
    let (negative, digits) = match bytes.first() {
        None => return Err(NumberError::Empty),
        Some(b'-') => (true, &bytes[1..]),
        Some(b'+') => (false, &bytes[1..]),
        Some(_) => (false, bytes),
    };
    let value = parse_digits(digits, digits_max)?;
    Ok(if negative { -value } else { value })
}

/// Parses an unsigned count from bytes.
#[inline]
pub(super) fn parse_count(bytes: &[u8]) -> Result<u64, NumberError> {
    if bytes.is_empty() {
        return Err(NumberError::Empty);
    }
    let value = parse_digits(bytes, AMOUNT_DIGITS_MAX)?;
    u64::try_from(value).map_err(|_| NumberError::TooManyDigits)
}

#[inline]
fn parse_digits(digits: &[u8], digits_max: u32) -> Result<i128, NumberError> {
    if digits.is_empty() {
        return Err(NumberError::NotANumber);
    }
    // No more digits than allowed, leading zeros included: no need to count the
    // significant ones.
    if digits.len() <= digits_max.min(19) as usize {
        return crate::digits::parse_u64(digits)
            .map(i128::from)
            .ok_or(NumberError::NotANumber);
    }
    // Up to 19 digits always fit in a u64, whose arithmetic is cheaper than i128's.
    if digits.len() <= 19 {
        let mut value: u64 = 0;
        let mut significant = 0u32;
        for &byte in digits {
            if !byte.is_ascii_digit() {
                return Err(NumberError::NotANumber);
            }
            if value != 0 || byte != b'0' {
                significant += 1;
            }
            value = value * 10 + u64::from(byte - b'0');
        }
        if significant > digits_max {
            return Err(NumberError::TooManyDigits);
        }
        return Ok(i128::from(value));
    }
    let mut value: i128 = 0;
    let mut significant = 0u32;
    for &byte in digits {
        if !byte.is_ascii_digit() {
            return Err(NumberError::NotANumber);
        }
        if value != 0 || byte != b'0' {
            significant += 1;
            if significant > digits_max {
                return Err(NumberError::TooManyDigits);
            }
        }
        value = value * 10 + i128::from(byte - b'0');
    }
    Ok(value)
}

/// A three-digit type code.
#[inline]
pub(super) fn parse_type_code(bytes: &[u8]) -> Option<u16> {
    match bytes {
        [a, b, c] if a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit() => {
            Some(u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0'))
        }
        _ => None,
    }
}

/// A `YYMMDD` date. Two-digit years follow POSIX `%y`: 00-68 are 20YY, 69-99 19YY.
#[inline]
pub(super) fn parse_date(bytes: &[u8]) -> Option<NaiveDate> {
    if bytes.len() != 6 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let pair = |at: usize| u32::from(bytes[at] - b'0') * 10 + u32::from(bytes[at + 1] - b'0');
    let yy = pair(0) as i32;
    let year = if yy <= 68 { 2000 + yy } else { 1900 + yy };
    NaiveDate::from_ymd_opt(year, pair(2), pair(4))
}

/// A short, printable rendering of what a field holds, for diagnostics.
pub(super) fn shown(bytes: &[u8]) -> String {
    const SHOWN_MAX: usize = 60;
    let cut = &bytes[..bytes.len().min(SHOWN_MAX)];
    let mut text = String::from_utf8_lossy(cut).into_owned();
    if bytes.len() > SHOWN_MAX {
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(parts: &[&str]) -> (Vec<u8>, Vec<Segment>) {
        let mut buffer = Vec::new();
        let mut list = Vec::new();
        for (index, part) in parts.iter().enumerate() {
            let start = buffer.len();
            buffer.extend_from_slice(part.as_bytes());
            list.push(Segment {
                start,
                end: buffer.len(),
                position: Position::new(100 * index as u64, index as u64 + 1, index as u64),
            });
        }
        (buffer, list)
    }

    fn all(buffer: &[u8], list: &[Segment]) -> Vec<String> {
        let mut fields = Fields::new(buffer, list);
        let mut out = Vec::new();
        while let Some(field) = fields.next_field() {
            out.push(String::from_utf8_lossy(field.bytes).into_owned());
        }
        out
    }

    #[test]
    fn segments_are_field_boundaries() {
        let (buffer, list) = segments(&["a,b,", "", "c,,d"]);
        assert_eq!(all(&buffer, &list), ["a", "b", "", "", "c", "", "d"]);
    }

    #[test]
    fn rest_keeps_commas_and_gives_one_line_per_segment() {
        let (buffer, list) = segments(&["115,ref,text, with comma", "more/text"]);
        let mut fields = Fields::new(&buffer, &list);
        assert_eq!(fields.next_field().unwrap().bytes, b"115");
        let field = fields.next_field().unwrap();
        assert_eq!(field.bytes, b"ref");
        assert_eq!(field.position.byte, 4);
        let mut lines = Vec::new();
        fields.rest(|field| lines.push((field.bytes.to_vec(), field.position.line)));
        assert_eq!(
            lines,
            vec![
                (b"text, with comma".to_vec(), 1),
                (b"more/text".to_vec(), 2)
            ]
        );
        assert!(fields.next_field().is_none());
    }

    #[test]
    fn amounts_are_signed_minor_units() {
        assert_eq!(parse_amount(b"+00000000001280000", 18), Ok(1_280_000));
        assert_eq!(parse_amount(b"-1500000", 18), Ok(-1_500_000));
        assert_eq!(parse_amount(b"", 18), Err(NumberError::Empty));
        assert_eq!(parse_amount(b"-", 18), Err(NumberError::NotANumber));
        assert_eq!(parse_amount(b"12.50", 18), Err(NumberError::NotANumber));
        assert_eq!(parse_amount(b" 1", 18), Err(NumberError::NotANumber));
        assert_eq!(
            parse_amount(b"1234567890123456789", 18),
            Err(NumberError::TooManyDigits)
        );
        assert_eq!(parse_amount(b"0000000000000000000001", 18), Ok(1));
    }

    #[test]
    fn dates_and_type_codes() {
        assert_eq!(parse_date(b"060321"), NaiveDate::from_ymd_opt(2006, 3, 21));
        assert_eq!(parse_date(b"991231"), NaiveDate::from_ymd_opt(1999, 12, 31));
        assert_eq!(parse_date(b"230231"), None);
        assert_eq!(parse_date(b"2306"), None);
        assert_eq!(parse_type_code(b"010"), Some(10));
        assert_eq!(parse_type_code(b"10"), None);
        assert_eq!(parse_type_code(b"1a0"), None);
    }
}
