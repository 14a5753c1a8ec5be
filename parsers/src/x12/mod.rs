//! ANSI X12 820 (payment order / remittance advice): standalone files, and the
//! remittance that NACHA CTX and CCD+ entries carry in their addenda.
//!
//! The ISA header, when present, declares the separators (element separator after
//! `ISA`, component separator ISA16, segment terminator after it); a bare transaction
//! set or fragment has them detected: elements split on the byte after the first
//! segment id (`*`), segments end with `~` or `\` (line breaks between segments are
//! ignored). The reader checks the envelope (SE01 segment count, SE02/GE02/IEA02
//! control numbers, GE01/IEA01 counts) and reads BPR (amount, credit/debit flag,
//! method, date, payer and payee accounts), TRN, CUR (USD otherwise), N1*PR/N1*PE,
//! RMR (items: invoice, purchase order, credit note...), ADX, REF and NTE (text).
//!
//! Severities, decided here:
//! - In a standalone file, structure, amount, date, code and count problems are
//!   errors (counts become warnings under `Relaxed::control_totals`); RMR04 paid
//!   amounts that do not add up to BPR02 (with or without ADX adjustments) are a
//!   warning, since the payer's breakdown does not change what moves.
//! - Inside NACHA addenda every X12 problem is a warning: the ACH entry is the money
//!   and is checked by NACHA's own controls; a payer's malformed remittance must not
//!   reject the bank's file. The NACHA reader chains the location (entry, addenda).
//!
//! One statement and one transaction per ST..SE set (an 820 set has exactly one BPR):
//! see [`file`] for the mapping and the status an advice gets.

pub mod codes;
pub mod engine;
mod file;
pub mod lexer;

use std::borrow::Cow;
use std::io::BufRead;

use rust_decimal::Decimal;

pub use engine::{Problem, TransactionSet};

use crate::diagnostic::{Diagnostics, Severity};
use crate::model::{ReferenceKind, Remittance, RemittanceItem};
use crate::money::{Currency, Money};
use crate::options::Options;
use crate::sink::Sink;

/// Parses a standalone X12 820 file. Returns the version the sender declares
/// (`X12 005010X218`).
pub fn parse_820_file<R: BufRead>(
    input: R,
    options: &Options,
    sink: &mut dyn Sink,
    diagnostics: &mut Diagnostics,
) -> Option<String> {
    file::parse(input, options, sink, diagnostics)
}

/// The result of parsing 820 text held in memory (a NACHA entry's addenda).
#[derive(Debug, Clone, Default)]
pub struct Parsed820 {
    /// Transaction sets, or one implicit set for a bare fragment (`RMR*IV*...\`).
    pub sets: Vec<TransactionSet>,
    /// Problems, located by segment and byte offset within the text.
    pub problems: Vec<Problem>,
    pub version: Option<String>,
}

impl Parsed820 {
    /// All sets' remittance merged, amounts in each set's CUR currency or `currency`.
    pub fn remittance(&self, currency: Currency) -> Remittance<'_> {
        let mut merged = Remittance::default();
        self.append_remittance(currency, &mut merged);
        merged
    }

    /// Appends what [`Parsed820::remittance`] gives to `remittance`, its texts
    /// borrowed from the parsed sets.
    pub fn append_remittance<'p>(&'p self, currency: Currency, remittance: &mut Remittance<'p>) {
        for set in &self.sets {
            set.append_remittance(set.currency.unwrap_or(currency), remittance);
        }
    }

    /// Appends the remittance items only.
    pub fn append_items<'p>(&'p self, currency: Currency, items: &mut Vec<RemittanceItem<'p>>) {
        for set in &self.sets {
            set.append_items(set.currency.unwrap_or(currency), items);
        }
    }

    /// The first N1*PR payer name.
    pub fn payer_name(&self) -> Option<&str> {
        self.sets.iter().find_map(|set| set.payer_name.as_deref())
    }
}

/// Segment ids that may start an 820 or an 820 fragment in a NACHA addendum.
const FRAGMENT_STARTS: &[&[u8]] = &[
    b"ISA", b"GS", b"ST", b"BPR", b"TRN", b"CUR", b"REF", b"DTM", b"N1", b"ENT", b"NM1", b"RMR",
    b"ADX", b"NTE", b"RMT", b"IT1", b"PER",
];

/// Whether text (a NACHA addendum's payment information) looks like X12: it starts
/// with a known 820 segment id followed by an element separator. Free text such as
/// `Debit First Account` or NACHA's own `22*...\` ENR layout does not.
#[inline]
pub fn looks_like_x12(text: &[u8]) -> bool {
    // Most free text starts with a word of four letters or digits or more, which no
    // segment id is: refused inline, without a call.
    match text.first_chunk::<4>() {
        Some(head) if head.iter().all(u8::is_ascii_alphanumeric) => false,
        _ => looks_like_segments(text),
    }
}

/// [`looks_like_x12`] of text that does not start with a long word.
fn looks_like_segments(text: &[u8]) -> bool {
    let text = lexer::trim_start(text);
    // Ids are two or three characters: a longer alphanumeric run (most free text) is
    // refused after four bytes instead of being counted to its end.
    let id_len = text
        .iter()
        .take(4)
        .take_while(|byte| byte.is_ascii_alphanumeric())
        .count();
    let Some(&separator) = text.get(id_len) else {
        return false;
    };
    // Punctuation is neither alphanumeric nor whitespace.
    (2..=3).contains(&id_len)
        && separator.is_ascii_punctuation()
        && FRAGMENT_STARTS.contains(&&text[..id_len])
}

/// One bare `RMR` segment, as NACHA CCD+/PPD+ addenda carry it: what [`parse_820`]
/// would make of it, read without building a transaction set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleRmr<'a> {
    pub kind: ReferenceKind,
    pub reference: &'a str,
    pub paid: Option<Decimal>,
    pub total: Option<Decimal>,
    pub discount: Option<Decimal>,
}

impl<'a> SimpleRmr<'a> {
    /// The remittance item [`Parsed820::append_items`] would give, amounts in `currency`.
    pub fn item(&self, currency: Currency) -> RemittanceItem<'a> {
        let money = |amount: Option<Decimal>| amount.map(|amount| Money::new(amount, currency));
        RemittanceItem {
            kind: self.kind,
            reference: Cow::Borrowed(self.reference),
            paid: money(self.paid),
            document_total: money(self.total),
            discount: money(self.discount),
        }
    }
}

/// Reads `text` as one plain `RMR*qualifier*reference*qualifier*paid[*total[*discount]]`
/// segment ended by `\` or `~` and blanks, where every element is plain printable
/// ASCII and every amount reads; `None` for anything else, which [`parse_820`] then
/// reads (and reports) in full. This is the common CCD+ addendum, and the full parser
/// allocates a transaction set, its items and their strings for it.
pub fn simple_rmr(text: &[u8]) -> Option<SimpleRmr<'_>> {
    // Text that is not UTF-8 holds a byte that is neither plain nor a blank.
    simple_rmr_str(std::str::from_utf8(text).ok()?)
}

/// Bytes an element of a plain RMR segment may hold: none can be a delimiter of any
/// kind, nor needs decoding.
const PLAIN: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] =
            b.is_ascii_alphanumeric() || matches!(b, b'*' | b' ' | b'-' | b'.' | b'/' | b'#');
        byte += 1;
    }
    table
};

/// [`simple_rmr`] of text already known to be UTF-8 (a NACHA addendum's line). Most
/// lines are not RMR segments: that is decided inline, without a call.
#[inline]
pub fn simple_rmr_str(text: &str) -> Option<SimpleRmr<'_>> {
    simple_rmr_body(text.strip_prefix("RMR*")?)
}

/// [`simple_rmr_str`] of what follows `RMR*`.
fn simple_rmr_body(body: &str) -> Option<SimpleRmr<'_>> {
    let bytes = body.as_bytes();
    // The terminator is the last byte before the trailing blanks: an earlier one
    // would be followed by more than blanks (the terminator itself is not plain, so
    // the pass below refuses it anywhere else).
    let mut length = bytes.len();
    while length > 0 && bytes[length - 1] == b' ' {
        length -= 1;
    }
    let (&last, elements_text) = bytes[..length].split_last()?;
    if last != b'\\' && last != b'~' {
        return None;
    }
    let end = length - 1;
    // One pass without a data-dependent branch: every byte plain, and where the (at
    // most six) elements end. Each byte writes the slot of the element it is in, so
    // that a separator's index is the last written to its element's slot.
    let mut ends = [0usize; 8];
    let mut separators = 0usize;
    let mut plain = true;
    for (index, &byte) in elements_text.iter().enumerate() {
        plain &= PLAIN[usize::from(byte)];
        ends[separators.min(7)] = index;
        separators += usize::from(byte == b'*');
    }
    if !plain || separators > 5 {
        return None;
    }
    ends[separators] = end;
    let elements = separators + 1;
    // Element `n`, trimmed; the body is ASCII, so every index is a char boundary.
    let element = |n: usize| -> Option<&str> {
        if n >= elements {
            return None;
        }
        let from = if n == 0 { 0 } else { ends[n - 1] + 1 };
        Some(body.get(from..ends[n])?.trim_ascii())
    };
    if elements < 2 {
        return None;
    }
    let (qualifier, reference) = (element(0)?, element(1)?);
    let amount = |n: usize| -> Option<Option<Decimal>> {
        match element(n) {
            None | Some("") => Some(None),
            Some(value) if value.len() <= 18 => short_decimal(value.as_bytes()).map(Some),
            Some(_) => None,
        }
    };
    let (paid, total, discount) = (amount(3)?, amount(4)?, amount(5)?);
    if reference.is_empty() {
        return None;
    }
    Some(SimpleRmr {
        kind: engine::reference_kind(qualifier.as_bytes()),
        reference,
        paid,
        total,
        discount,
    })
}

/// [`parse_plain_decimal`] of at most 18 bytes, whose digits always fit an `i64`:
/// the same value and scale, without the 128-bit arithmetic the general one needs.
fn short_decimal(text: &[u8]) -> Option<Decimal> {
    debug_assert!(text.len() <= 18);
    let (negative, digits) = match text.first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let mut mantissa: i64 = 0;
    let mut scale: u32 = 0;
    let mut seen_point = false;
    let mut seen_digit = false;
    for &byte in digits {
        match byte {
            b'0'..=b'9' => {
                seen_digit = true;
                mantissa = mantissa * 10 + i64::from(byte - b'0');
                scale += u32::from(seen_point);
            }
            b'.' if !seen_point => seen_point = true,
            _ => return None,
        }
    }
    if !seen_digit {
        return None;
    }
    // As `Decimal::new` builds it, inlined (`from_parts` clears the sign of zero as
    // `new` does, an `i64` having no negative zero).
    let magnitude = mantissa.unsigned_abs();
    Some(Decimal::from_parts(
        magnitude as u32,
        (magnitude >> 32) as u32,
        0,
        negative,
        scale,
    ))
}

/// Parses 820 text held in memory: a whole interchange, a bare ST..SE set, or a
/// fragment of segments (`RMR*IV*1001*PI*125.00\`). Never fails: what cannot be read
/// is described in `problems`.
pub fn parse_820(text: &[u8]) -> Parsed820 {
    let mut parsed = Parsed820::default();
    let delimiters = match lexer::detect(text) {
        Ok(delimiters) => delimiters,
        Err(error) => {
            parsed.problems.push(Problem {
                severity: Severity::Error,
                code: error.code,
                control: false,
                offset: 0,
                line: 0,
                segment_number: 1,
                segment_id: String::from_utf8_lossy(&text[..text.len().min(3)]).into_owned(),
                element: None,
                message: error.message,
                expected: Some("X12 segments".to_owned()),
                found: Some(error.found),
            });
            return parsed;
        }
    };
    let mut engine = engine::Engine::new(true);
    for segment in lexer::segments(text, delimiters) {
        if let Some(set) = engine.feed(&segment, &mut parsed.problems) {
            parsed.sets.push(set);
        }
    }
    if let Some(set) = engine.finish(&mut parsed.problems) {
        parsed.sets.push(set);
    }
    for set in &parsed.sets {
        if let Some(problem) = engine::sum_problem(set) {
            parsed.problems.push(problem);
        }
    }
    parsed.version = engine.version;
    parsed
}

#[cfg(test)]
mod tests;
