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
use crate::money::{parse_plain_decimal, Currency, Money};
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
pub fn looks_like_x12(text: &[u8]) -> bool {
    let text = lexer::trim_start(text);
    let id_len = text
        .iter()
        .take_while(|byte| byte.is_ascii_alphanumeric())
        .count();
    let Some(&separator) = text.get(id_len) else {
        return false;
    };
    FRAGMENT_STARTS.contains(&&text[..id_len])
        && !separator.is_ascii_whitespace()
        && separator.is_ascii_punctuation()
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
    let body = text.strip_prefix(b"RMR*")?;
    let end = body
        .iter()
        .position(|&byte| byte == b'\\' || byte == b'~')?;
    if !body[end + 1..].iter().all(|&byte| byte == b' ') {
        return None;
    }
    let body = &body[..end];
    // Only characters that cannot be delimiters of any kind, nor need decoding.
    let plain = |byte: &u8| {
        byte.is_ascii_alphanumeric() || matches!(byte, b'*' | b' ' | b'-' | b'.' | b'/' | b'#')
    };
    if !body.iter().all(plain) {
        return None;
    }
    let text = std::str::from_utf8(body).ok()?;
    // The elements between `*`s, split as bytes: every byte is plain ASCII.
    let mut rest = Some(text);
    let mut elements = std::iter::from_fn(|| {
        let current = rest?;
        match current.bytes().position(|byte| byte == b'*') {
            Some(star) => {
                rest = current.get(star + 1..);
                current.get(..star)
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    });
    let qualifier = elements.next()?.trim_ascii();
    let reference = elements.next()?.trim_ascii();
    let _reference_qualifier = elements.next();
    let mut amount = || -> Option<Option<Decimal>> {
        match elements.next().map(str::trim_ascii) {
            None | Some("") => Some(None),
            Some(value) if value.len() <= 18 => parse_plain_decimal(value).map(Some),
            Some(_) => None,
        }
    };
    let (paid, total, discount) = (amount()?, amount()?, amount()?);
    if reference.is_empty() || elements.next().is_some() {
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
