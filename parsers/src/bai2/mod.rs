//! BAI2 (Cash Management Balance Reporting Specification, version 2) reader.
//!
//! A BAI2 file is a file header (01), groups (02 … 98) of one as-of date, accounts
//! (03 … 49) with summary amounts and transaction details (16), and a file trailer
//! (99); any record may be continued by 88 records. Each account becomes one
//! [`Statement`](crate::Statement) (opening ledger 010 and closing ledger 015 as its
//! balances) and each detail with a credit or debit type code one
//! [`Transaction`](crate::Transaction). Every control total and record count of the
//! 49, 98 and 99 trailers is checked (errors, or warnings under
//! `options.relaxed.control_totals`), as is opening + credits − debits = closing when
//! an account states both ledgers and itemizes at least one movement
//! (`options.relaxed.balances`).
//!
//! Strict where the specification is clear: record order, unknown record types,
//! amounts (digits with an optional sign, no decimal point), type codes, funds types,
//! dates, every total and count. Tolerant where banks bend an ambiguous rule; these
//! tolerances are applied:
//! - a record may end without its `/`, at the end of the physical line
//!   (newline-delimited files);
//! - several records may share a physical line, each ended by `/` and separated by
//!   blanks;
//! - a physical line that does not start with a record code continues the previous
//!   record when that one did not end with `/` (a record wrapped at a line length), with
//!   a `bai2_unmarked_continuation` warning; after a record that did end with `/` the
//!   same line is an unknown record (error);
//! - in a 16 and the 88s continuing it, `/` is data (bank references like `AB/GS/12`,
//!   text like `08/18/23`) unless blanks and the end of the line, or blanks and another
//!   record code, follow it; a `/` closing the text is taken as the record's end, not as
//!   text. In every other record the first `/` ends the record;
//! - the end of a record and of each 88 is a field boundary; fields missing at the end
//!   of a record are empty (a last summary without item count or funds type, a 16
//!   without references);
//! - an empty funds type is read as Z (availability unknown);
//! - an account without currency in its 03 or its 02 is in USD;
//! - blank lines, blanks around records, a UTF-8 byte order mark, CRLF and NUL/SUB
//!   padding are ignored; text that is not UTF-8 is read as Windows-1252 (one warning);
//! - the physical record length and block size of the 01 are not enforced, only
//!   `limits.line_length_bytes_max`; times (01, 02, V) are neither used nor checked;
//! - a version other than 2 is a warning; a test-only group (status 4) is a warning;
//! - two-digit years 00-68 are 20YY, 69-99 19YY.
//!
//! What is not passed on as a transaction (with a warning): status type codes
//! (001-099, 900-919) and codes without a direction (700-899) in 16 records, unless
//! `options.bai2_type_directions` maps them. A negative 16 amount is read as the
//! opposite direction, with a warning. Every amount still counts in the control totals.
//!
//! The reader streams: physical lines go through one reused buffer, a record and its
//! continuations through another, and fields are split and numbers parsed in place.

pub mod codes;
mod fields;
mod lines;
mod plain;
mod reader;
mod records;
mod types;

#[cfg(test)]
mod tests;

use std::io::BufRead;

use crate::diagnostic::{codes as common, Diagnostic, Diagnostics};
use crate::options::Options;
use crate::position::Position;
use crate::sink::Sink;

use lines::LineReader;
use reader::Reader;
use records::{find_end_from, record_start, skip_blanks, trim_end_blanks, Assembler, Code};

/// How many physical lines' worth of bytes one record and its continuations may hold.
const RECORD_LINES_MAX: usize = 16;

/// What a BAI2 file held, counted while reading it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Group headers (02).
    pub groups: u64,
    /// Account identifiers (03).
    pub accounts: u64,
    /// Transaction details (16).
    pub details: u64,
    /// Continuations (88).
    pub continuations: u64,
    /// Physical records of every type, 88s included.
    pub records: u64,
    /// Transactions passed to the sink.
    pub transactions: u64,
    /// The file control total the 99 states.
    pub file_control_total: Option<i128>,
}

/// Parses a BAI2 file into `sink`. Returns the version (`BAI2`) from the file header.
pub fn parse<R: BufRead>(
    input: R,
    options: &Options,
    sink: &mut dyn Sink,
    diagnostics: &mut Diagnostics,
) -> Option<String> {
    parse_with_summary(input, options, sink, diagnostics).0
}

/// Like [`parse`], and also returns the counts of what the file held.
pub fn parse_with_summary<R: BufRead>(
    input: R,
    options: &Options,
    sink: &mut dyn Sink,
    diagnostics: &mut Diagnostics,
) -> (Option<String>, Summary) {
    read(input, options, sink, diagnostics, Path::PlainFirst)
}

/// Which reader a transaction detail goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Path {
    /// Plain lines and details (see [`plain`]) read in one pass, the rest by the
    /// general reader.
    PlainFirst,
    /// The general reader only: what tests hold the plain paths against.
    #[cfg_attr(not(test), allow(dead_code))]
    GeneralOnly,
}

fn read<R: BufRead>(
    input: R,
    options: &Options,
    sink: &mut dyn Sink,
    diagnostics: &mut Diagnostics,
    path: Path,
) -> (Option<String>, Summary) {
    let limits = &options.limits;
    let mut lines = LineReader::new(input, limits.line_length_bytes_max);
    let mut assembler = Assembler::new(
        limits
            .line_length_bytes_max
            .saturating_mul(RECORD_LINES_MAX),
    );
    let mut reader = Reader::new(options, sink, diagnostics, path == Path::PlainFirst);
    let mut records: u64 = 0;
    let mut continuations: u64 = 0;
    let mut last_line: u64 = 0;
    'lines: loop {
        if reader.should_stop() {
            break;
        }
        let line = match lines.next_line() {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(error) => {
                reader.push(Diagnostic::error(
                    common::READ_FAILED,
                    Position::new(0, last_line + 1, records),
                    format!("could not read the file: {error}"),
                ));
                break;
            }
        };
        last_line = line.number;
        if line.byte + line.length > limits.file_size_bytes_max {
            reader.push(
                Diagnostic::error(
                    common::FILE_TOO_LARGE,
                    Position::new(line.byte, line.number, records),
                    "the file is larger than the size limit",
                )
                .expected(format!("at most {} bytes", limits.file_size_bytes_max)),
            );
            break;
        }
        if line.is_cut() {
            reader.push(
                Diagnostic::error(
                    common::LINE_TOO_LONG,
                    Position::new(line.byte, line.number, records),
                    "physical line longer than the limit; only its beginning is read",
                )
                .expected(format!("at most {} bytes", limits.line_length_bytes_max))
                .found(format!("{} bytes", line.length)),
            );
        }
        // The lines that make up nearly every file: a detail or a continuation, no `/`
        // (so the record runs to the end of the line), no blank before it. What the
        // general loop below would do with them, without its searches.
        let plain_code = match line.bytes.get(..3) {
            Some(b"16,") => Some(Code::Detail),
            Some(b"88,") => Some(Code::Continuation),
            _ => None,
        };
        let plain_line = line.slash.is_none() && line.number > 1 && path == Path::PlainFirst;
        if let Some(code) = plain_code.filter(|_| plain_line) {
            records += 1;
            // Positions are built where they are used: kept across branches, they went
            // through the stack as three words and were read back as one 16-byte load,
            // which stalled on the store forwarding.
            let position = || Position::new(line.byte, line.number, records - 1);
            if records > limits.records_max {
                reader.push(too_many_records(position(), limits.records_max));
                break 'lines;
            }
            let kept = trim_end_blanks(&line.bytes[3..]);
            let content_position = || Position::new(line.byte + 3, line.number, records - 1);
            if code == Code::Continuation {
                continuations += 1;
                if assembler.is_open() {
                    assembler.push(kept, content_position(), false, true);
                    continue;
                }
            }
            if let Some(done) = assembler.take() {
                reader.dispatch(&done);
            }
            assembler.start(code, b"", position(), kept, content_position(), false);
            continue;
        }
        let (bytes, base, skipped) = match line.bytes.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) if line.number == 1 => (rest, line.byte + 3, 3),
            _ => (line.bytes, line.byte, 0),
        };
        // The first `/` of the line, as the line reader found it: where a record
        // ends is then known without searching again when the line has none.
        let line_slash = line.slash.and_then(|slash| slash.checked_sub(skipped));
        let first_slash = |from: usize| match line_slash {
            None => None,
            Some(slash) if slash >= from => Some(slash - from),
            Some(_) => memchr::memchr(b'/', bytes.get(from..).unwrap_or_default()),
        };
        let mut at = skip_blanks(bytes, 0);
        if at == bytes.len() {
            continue;
        }
        let place = |at: usize, record: u64| Position::new(base + at as u64, line.number, record);
        if assembler.is_open_unterminated() && record_start(&bytes[at..]).is_none() {
            let end = find_end_from(&bytes[at..], assembler.carries_text(), first_slash(at));
            let position = place(at, records.saturating_sub(1));
            if assembler.code() != Code::Unknown {
                reader.unmarked_continuation(position, assembler.code());
            }
            assembler.push(
                &bytes[at..at + end.content],
                position,
                end.terminated,
                false,
            );
            match end.next {
                Some(next) => at += next,
                None => continue,
            }
        }
        loop {
            let rest = &bytes[at..];
            let position = place(at, records);
            records += 1;
            if records > limits.records_max {
                reader.push(too_many_records(position, limits.records_max));
                break 'lines;
            }
            let Some(code) = record_start(rest) else {
                // Not a record this reader knows: it takes the rest of the line.
                if let Some(done) = assembler.take() {
                    reader.dispatch(&done);
                }
                let raw_end = rest
                    .iter()
                    .position(|&byte| byte == b',' || byte == b'/')
                    .unwrap_or(rest.len());
                assembler.start(
                    Code::Unknown,
                    &rest[..raw_end],
                    position,
                    rest,
                    position,
                    // Marked as ended, so that a following line without a record code
                    // is one more unknown record rather than taken in silently.
                    true,
                );
                break;
            };
            let content_at = if rest.get(2) == Some(&b',') { 3 } else { 2 };
            let content = rest.get(content_at..).unwrap_or_default();
            let content_position = place(at + content_at, records - 1);
            let continues = code == Code::Continuation && assembler.is_open();
            let carries_text = code == Code::Detail || (continues && assembler.carries_text());
            let end = find_end_from(content, carries_text, first_slash(at + content_at));
            let kept = &content[..end.content];
            if continues {
                continuations += 1;
                assembler.push(kept, content_position, end.terminated, true);
            } else {
                if code == Code::Continuation {
                    continuations += 1;
                }
                if let Some(done) = assembler.take() {
                    reader.dispatch(&done);
                }
                assembler.start(code, b"", position, kept, content_position, end.terminated);
            }
            match end.next {
                Some(next) => at += content_at + next,
                None => break,
            }
        }
    }
    if let Some(done) = assembler.take() {
        reader.dispatch(&done);
    }
    reader.finish(Position::new(lines.bytes_read(), last_line.max(1), records));
    reader.summary.records = records;
    reader.summary.continuations = continuations;
    let summary = reader.summary.clone();
    (reader.version.clone(), summary)
}

/// The error that stops reading at the record limit.
fn too_many_records(position: Position, records_max: u64) -> Diagnostic {
    Diagnostic::error(
        common::TOO_MANY_RECORDS,
        position,
        "more records than the limit",
    )
    .expected(format!("at most {records_max} records"))
}
