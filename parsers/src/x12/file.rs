//! Reads a standalone X12 820 file from a stream: finds the separators in the first
//! bytes, splits segments as they arrive, and emits one statement and one transaction
//! per ST..SE transaction set.
//!
//! A standalone 820 is the payer's advice, not the bank's booking: its transaction is
//! `Pending` when the set orders or accompanies a payment (BPR01 C, D, U or X) and
//! `Info` when it is remittance only (BPR01 I), a prenote (P), a non-payment (BPR04
//! NON) or zero. The cash itself is booked when the bank's own file shows the entry
//! whose trace number is this set's TRN02.

use std::borrow::Cow;

use std::io::{BufRead, Cursor, Read};

use super::codes;
use super::engine::{sum_problem, Engine, Problem, TransactionSet};
use super::lexer::{self, Segment};
use crate::diagnostic::{codes as common, Diagnostic, Diagnostics, Severity};
use crate::model::{Account, EntryStatus, Statement, Transaction};
use crate::money::{Currency, Money};
use crate::nacha::split::{Piece, Splitter};
use crate::options::Options;
use crate::position::Position;
use crate::sink::Sink;

/// How many bytes are read before the separators must be known.
const PREFIX_BYTES: usize = 4096;

pub(super) fn parse<R: BufRead>(
    mut input: R,
    options: &Options,
    sink: &mut dyn Sink,
    diagnostics: &mut Diagnostics,
) -> Option<String> {
    let mut prefix = Vec::with_capacity(PREFIX_BYTES);
    if let Err(error) = (&mut input)
        .take(PREFIX_BYTES as u64)
        .read_to_end(&mut prefix)
    {
        diagnostics.push(Diagnostic::error(
            common::READ_FAILED,
            Position::default(),
            format!("could not read the file: {error}"),
        ));
        return None;
    }
    // A UTF-8 byte order mark some Windows tools write is not content; blanking it
    // keeps byte offsets true to the file.
    if prefix.starts_with(b"\xEF\xBB\xBF") {
        prefix[..3].copy_from_slice(b"   ");
    }
    if lexer::trim_start(&prefix).is_empty() {
        diagnostics.push(Diagnostic::error(
            common::EMPTY_FILE,
            Position::new(0, 1, 0),
            "the file is empty",
        ));
        return None;
    }
    let delimiters = match lexer::detect(&prefix) {
        Ok(delimiters) => delimiters,
        Err(error) => {
            diagnostics.push(
                Diagnostic::error(error.code, Position::new(0, 1, 0), error.message)
                    .record("ISA")
                    .expected("an ISA interchange header or an ST*820 transaction set")
                    .found(error.found),
            );
            return None;
        }
    };
    let mut reader = Reader {
        options,
        diagnostics,
        engine: Engine::new(false),
        problems: Vec::new(),
        segment_index: 0,
        default_currency: Currency::USD,
    };
    let terminator = delimiters.segment.unwrap_or(b'~');
    let stream = Cursor::new(prefix).chain(input);
    let mut splitter = Splitter::new(stream, terminator, options.limits.line_length_bytes_max);
    let mut line: u64 = 1;
    loop {
        match splitter.next() {
            Piece::Record { bytes, start, .. } => {
                let leading = bytes.len() - lexer::trim_start(bytes).len();
                let segment_line = line + newlines(&bytes[..leading]);
                line += newlines(bytes) + u64::from(terminator == b'\n');
                let Some(segment) = Segment::parse(bytes, start as usize, delimiters.element)
                else {
                    continue;
                };
                reader.engine.line = segment_line;
                let finished = reader.engine.feed(&segment, &mut reader.problems);
                reader.flush_problems();
                if let Some(set) = finished {
                    reader.emit(set, sink);
                }
                reader.segment_index += 1;
                if reader.segment_index > options.limits.records_max {
                    reader.diagnostics.push(Diagnostic::error(
                        common::TOO_MANY_RECORDS,
                        Position::new(start, segment_line, reader.segment_index),
                        format!(
                            "more than {} segments: the rest of the file is not read",
                            options.limits.records_max
                        ),
                    ));
                    break;
                }
            }
            Piece::TooLong { start, len } => {
                reader.diagnostics.push(
                    Diagnostic::error(
                        common::LINE_TOO_LONG,
                        Position::new(start, line, reader.segment_index),
                        "segment is longer than the limit: it was skipped",
                    )
                    .expected(format!(
                        "at most {} bytes",
                        options.limits.line_length_bytes_max
                    ))
                    .found(format!("{len} bytes")),
                );
                reader.segment_index += 1;
            }
            Piece::Failed(error) => {
                reader.diagnostics.push(Diagnostic::error(
                    common::READ_FAILED,
                    Position::new(splitter.offset(), line, reader.segment_index),
                    format!("could not read the file: {error}"),
                ));
                break;
            }
            Piece::End => break,
        }
        if splitter.offset() > options.limits.file_size_bytes_max {
            reader.diagnostics.push(Diagnostic::error(
                common::FILE_TOO_LARGE,
                Position::new(splitter.offset(), line, reader.segment_index),
                format!(
                    "the file is larger than {} bytes: the rest is not read",
                    options.limits.file_size_bytes_max
                ),
            ));
            break;
        }
    }
    let finished = reader.engine.finish(&mut reader.problems);
    reader.flush_problems();
    if let Some(set) = finished {
        reader.emit(set, sink);
    }
    if reader.engine.sets_completed == 0 {
        reader.diagnostics.push(Diagnostic::error(
            common::EMPTY_FILE,
            Position::new(splitter.offset(), line, reader.segment_index),
            "the file holds no ST transaction set",
        ));
    }
    reader
        .engine
        .version
        .take()
        .map(|version| format!("X12 {version}"))
}

fn newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

struct Reader<'a> {
    options: &'a Options,
    diagnostics: &'a mut Diagnostics,
    engine: Engine,
    problems: Vec<Problem>,
    segment_index: u64,
    default_currency: Currency,
}

impl Reader<'_> {
    fn flush_problems(&mut self) {
        for problem in self.problems.drain(..) {
            let diagnostic = problem_diagnostic(
                &problem,
                self.segment_index,
                self.options.relaxed.control_totals,
            );
            self.diagnostics.push(diagnostic);
        }
    }

    fn emit(&mut self, set: TransactionSet, sink: &mut dyn Sink) {
        let position = Position::new(set.offset, set.line, self.segment_index);
        if !set.has_bpr {
            self.diagnostics.push(
                Diagnostic::error(
                    codes::MISSING_BPR,
                    position,
                    "the transaction set has no BPR segment, so it states no payment",
                )
                .record("ST")
                .expected("BPR after ST"),
            );
            return;
        }
        if let Some(problem) = sum_problem(&set) {
            self.diagnostics.push(problem_diagnostic(
                &problem,
                self.segment_index,
                self.options.relaxed.control_totals,
            ));
        }
        let (Some(amount), Some(direction)) = (set.amount, set.direction) else {
            // Already reported as an error on BPR.
            return;
        };
        if amount.is_sign_negative() {
            self.diagnostics.push(
                Diagnostic::error(
                    common::INVALID_AMOUNT,
                    position,
                    "BPR02 payment amount must not be negative; BPR03 gives the direction",
                )
                .record("BPR")
                .field("BPR02")
                .expected("a positive amount")
                .found(amount.to_string()),
            );
            return;
        }
        let currency = set.currency.unwrap_or(self.default_currency);
        let status = status(&set, amount.is_zero());
        let id = match (&set.interchange_control, &set.control_number) {
            (Some(interchange), Some(control)) => format!("{interchange}-{control}"),
            (None, Some(control)) => control.clone(),
            (_, None) => String::new(),
        };
        sink.statement(Statement {
            id,
            account: Account {
                number: set.payee_account.clone().unwrap_or_default(),
                servicer: set.payee_dfi.clone(),
                currency: Some(currency),
                name: set.payee_name.clone(),
            },
            opening_balance: None,
            closing_balance: None,
            from_date: set.date,
            to_date: set.date,
            position,
        });
        let remittance = set.remittance(currency);
        fn text(value: &Option<String>) -> Option<Cow<'_, str>> {
            value.as_deref().map(Cow::Borrowed)
        }
        sink.transaction(&Transaction {
            direction,
            amount: Money::new(amount, currency),
            status,
            reversal: false,
            booking_date: set.date,
            value_date: set.date,
            bank_ref: Cow::Borrowed(set.trace.as_deref().unwrap_or_default()),
            end_to_end_id: None,
            customer_ref: None,
            trace_number: text(&set.trace),
            payer_name: text(&set.payer_name),
            payer_account: text(&set.payer_account),
            bank_tx_code: Some(format!("820/{}", set.method.as_deref().unwrap_or("-")).into()),
            remittance,
            return_info: None,
            position,
        });
    }
}

/// See the module documentation: an 820 orders or announces a payment, it never
/// proves one was booked.
fn status(set: &TransactionSet, zero: bool) -> EntryStatus {
    let remittance_only = matches!(set.handling.as_deref(), Some("I" | "P" | "Z"));
    if remittance_only || zero || set.method.as_deref() == Some("NON") {
        EntryStatus::Info
    } else {
        EntryStatus::Pending
    }
}

fn problem_diagnostic(problem: &Problem, segment_index: u64, relaxed: bool) -> Diagnostic {
    let severity = if problem.control && relaxed {
        Severity::Warning
    } else {
        problem.severity
    };
    let mut diagnostic = Diagnostic::error(
        problem.code,
        Position::new(problem.offset, problem.line, segment_index),
        problem.message.clone(),
    )
    .record(format!(
        "X12 segment {} {}",
        problem.segment_number, problem.segment_id
    ));
    diagnostic.severity = severity;
    if let Some(element) = problem.element {
        diagnostic = diagnostic.field(format!("{}{:02}", problem.segment_id, element));
    }
    if let Some(expected) = &problem.expected {
        diagnostic = diagnostic.expected(expected.clone());
    }
    if let Some(found) = &problem.found {
        diagnostic = diagnostic.found(found.clone());
    }
    diagnostic
}
