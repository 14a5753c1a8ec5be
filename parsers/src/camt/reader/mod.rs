//! The pull loop: tokens from [`crate::xml`] in, scopes opened and closed,
//! statements and transactions out to the sink (leaf values are typed in
//! [`leaves`]).
//!
//! The reader keeps a stack of [`Tag`]s (one byte each) and the few open scopes
//! (statement, balance, entry, transaction details, structured remittance). Text is
//! copied only for leaves that [`Tag::captures_text`], into one reused buffer, and a
//! value is typed only when `camt::fields` says the path names one.

mod leaves;

use std::io::BufRead;

use rust_decimal::Decimal;

use super::codes;
use super::entry::{self, Booking, EntryState, FreeDetails, TxState};
use super::remittance::StrdState;
use super::statement::{add, BalanceState, Kind, StatementState};
use super::tags::Tag;
use crate::diagnostic::{codes as common, Diagnostic, DiagnosticCode, Diagnostics, Severity};
use crate::model::{Direction, EntryStatus, Transaction};
use crate::money::{Currency, Money};
use crate::options::Options;
use crate::position::Position;
use crate::scratch::{self, Spare};
use crate::sink::Sink;
use crate::xml::{self, Token, Tokenizer};

/// What the file held, counted the way the corpus manifest counts it: entries are
/// `Ntry` elements, whatever number of transactions they became.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
#[cfg_attr(not(test), allow(dead_code))]
pub(super) struct FileTotals {
    pub statements: u64,
    pub reports: u64,
    pub notifications: u64,
    pub entries: u64,
    pub entries_credit: u64,
    pub entries_debit: u64,
    pub sum_credit: Decimal,
    pub sum_debit: Decimal,
    pub details: u64,
    /// Statements whose closing balance was checked against opening + entries.
    pub balance_checks: u64,
}

/// What [`run`] returns besides what went to the sink and the diagnostics.
pub(super) struct Outcome {
    pub version: Option<String>,
    /// Read by the corpus tests; the public API has no use for it.
    #[cfg_attr(not(test), allow(dead_code))]
    pub totals: FileTotals,
}

/// Reads a whole file. Never panics; every problem becomes a diagnostic.
pub(super) fn run<R: BufRead>(
    input: R,
    options: &Options,
    sink: &mut dyn Sink,
    diagnostics: &mut Diagnostics,
) -> Outcome {
    let limits = &options.limits;
    let mut xml = Tokenizer::new(
        input,
        limits.xml_token_bytes_max,
        limits.file_size_bytes_max,
    );
    let mut parser = Parser::new(options, sink, diagnostics);
    loop {
        let token = xml.next_token();
        parser.here = Position::new(xml.token_start(), xml.token_line(), parser.elements);
        match token {
            Ok(Token::Start {
                name,
                attributes,
                empty,
            }) => {
                parser.start(xml.bytes(name), xml.bytes(attributes));
                if empty && !parser.stopped {
                    parser.end();
                }
                xml.want_text(parser.capture_depth != 0);
            }
            Ok(Token::End) => parser.end(),
            Ok(Token::Text { span, references }) => parser.text(xml.bytes(span), references),
            Ok(Token::CData(span)) => parser.text(xml.bytes(span), false),
            Ok(Token::DocType) => parser.doctype(),
            Ok(Token::Eof) => {
                let end = Position {
                    byte: xml.consumed(),
                    line: xml.line_at(xml.consumed()),
                    ..parser.here
                };
                parser.eof(end);
                break;
            }
            Err(error) => {
                let at = Position {
                    byte: error.byte,
                    line: xml.line_at(error.byte),
                    ..parser.here
                };
                parser.xml_error(error.kind, at);
                break;
            }
        }
        if parser.stopped || parser.diagnostics.is_full() {
            break;
        }
    }
    parser.finish()
}

fn message_kind(tag: Tag) -> bool {
    matches!(
        tag,
        Tag::BkToCstmrStmt | Tag::BkToCstmrAcctRpt | Tag::BkToCstmrDbtCdtNtfctn
    )
}

/// The version number of `camt.05X.001.NN`, or `None` when the name has another form.
///
/// ```text
/// camt.053.001.08 -> Some(8)
/// ```
fn version_number(name: &str) -> Option<u8> {
    // Bytes, not str slices: the name may hold multi-byte characters, and slicing a
    // str inside one would panic.
    match name.as_bytes() {
        [b'c', b'a', b'm', b't', b'.', b'0', b'5', kind, b'.', b'0', b'0', b'1', b'.', tens, units]
            if kind.is_ascii_digit() && tens.is_ascii_digit() && units.is_ascii_digit() =>
        {
            Some((tens - b'0') * 10 + (units - b'0'))
        }
        _ => None,
    }
}

fn signed(money: Money, direction: Direction) -> Decimal {
    match direction {
        Direction::Credit => money.amount,
        Direction::Debit => -money.amount,
    }
}

struct Parser<'a> {
    options: &'a Options,
    sink: &'a mut dyn Sink,
    diagnostics: &'a mut Diagnostics,
    /// Where the current token starts.
    here: Position,
    /// Start tags seen so far (the `record` of positions).
    elements: u64,
    /// `Ntry` and `TxDtls` elements seen, against `Limits::records_max`.
    records: u64,
    stack: Vec<Tag>,
    /// Depth of the message element (`BkToCstmrStmt`…), 0 until found.
    message_depth: usize,
    message_done: bool,
    version: Option<String>,
    statement: Option<StatementState>,
    balance: Option<BalanceState>,
    entry: Option<EntryState>,
    detail: Option<Box<TxState>>,
    structured: Option<StrdState>,
    /// Depth of the element whose text is being captured, 0 for none.
    capture_depth: usize,
    text: String,
    leaf_position: Position,
    currency_code: String,
    has_currency: bool,
    /// The last currency looked up, as most files use one or two.
    last_currency: Option<Currency>,
    totals: FileTotals,
    stopped: bool,
    /// The record lent to the sink for every transaction, the storage its texts reuse,
    /// and details kept for reuse.
    tx: Transaction<'static>,
    spare: Spare,
    free_details: FreeDetails,
}

impl<'a> Parser<'a> {
    fn new(options: &'a Options, sink: &'a mut dyn Sink, diagnostics: &'a mut Diagnostics) -> Self {
        Parser {
            options,
            sink,
            diagnostics,
            here: Position::new(0, 1, 0),
            elements: 0,
            records: 0,
            stack: Vec::with_capacity(32),
            message_depth: 0,
            message_done: false,
            version: None,
            statement: None,
            balance: None,
            entry: None,
            detail: None,
            structured: None,
            capture_depth: 0,
            text: String::with_capacity(256),
            leaf_position: Position::default(),
            currency_code: String::with_capacity(8),
            has_currency: false,
            last_currency: None,
            totals: FileTotals::default(),
            stopped: false,
            tx: scratch::blank(),
            spare: Spare::default(),
            free_details: FreeDetails::default(),
        }
    }

    // ---- events ----

    fn start(&mut self, name: &[u8], attributes: &[u8]) {
        let tag = Tag::from_qualified(name);
        self.elements += 1;
        if self.stack.len() >= self.options.limits.xml_depth_max {
            let position = self.here;
            let message = format!(
                "elements nest deeper than {} levels",
                self.options.limits.xml_depth_max
            );
            self.fatal(codes::XML_TOO_DEEP, position, message);
            return;
        }
        self.stack.push(tag);
        let depth = self.stack.len();
        self.capture_depth = 0;
        if self.message_depth == 0 {
            if self.version.is_none() {
                let position = self.here;
                self.read_version(attributes, position);
            }
            if message_kind(tag) {
                self.message_depth = depth;
            }
            return;
        }
        if self.message_done {
            return;
        }
        if matches!(
            tag,
            Tag::Stmt | Tag::Rpt | Tag::Ntfctn | Tag::Bal | Tag::Ntry | Tag::TxDtls | Tag::Strd
        ) {
            let position = self.here;
            self.open_scope(tag, depth, position);
        }
        if tag.captures_text() && self.statement.is_some() && !self.stopped {
            self.capture_depth = depth;
            self.text.clear();
            self.leaf_position = self.here;
            if tag.has_currency() {
                self.read_currency(attributes);
            }
        }
    }

    fn end(&mut self) {
        let depth = self.stack.len();
        if depth == 0 {
            return;
        }
        if self.capture_depth == depth {
            self.capture_depth = 0;
            let text = std::mem::take(&mut self.text);
            self.leaf(text.trim());
            self.text = text;
        }
        self.close_scope(depth);
        self.stack.pop();
        if depth == self.message_depth {
            self.message_done = true;
        }
    }

    /// Text of the leaf being captured; `references` when it holds any to
    /// replace (never for CDATA).
    fn text(&mut self, raw: &[u8], references: bool) {
        if self.capture_depth == 0 || self.capture_depth != self.stack.len() {
            return;
        }
        if self.text.len().saturating_add(raw.len()) > self.options.limits.xml_token_bytes_max {
            return;
        }
        match std::str::from_utf8(raw) {
            // The tokenizer has checked every reference.
            Ok(text) if references => {
                xml::unescape_into(text, &mut self.text);
            }
            Ok(text) => self.text.push_str(text),
            Err(_) => {
                let here = self.here;
                self.push(Diagnostic::error(
                    common::INVALID_ENCODING,
                    here,
                    "text is not valid UTF-8, the encoding ISO 20022 requires",
                ));
                self.text.push_str(&String::from_utf8_lossy(raw));
            }
        }
    }

    fn doctype(&mut self) {
        let here = self.here;
        self.fatal(
            codes::DOCTYPE_FORBIDDEN,
            here,
            "a DOCTYPE (document type definition) is not allowed in a CAMT file; nothing after it is read",
        );
    }

    fn eof(&mut self, end: Position) {
        if self.stack.is_empty() {
            return;
        }
        let innermost = self
            .stack
            .iter()
            .rev()
            .find(|tag| **tag != Tag::Other)
            .map_or("element", |tag| tag.name());
        let message = format!(
            "the file ends inside <{innermost}> with {} elements still open; it looks truncated",
            self.stack.len()
        );
        self.fatal(codes::MALFORMED_XML, end, message);
    }

    fn xml_error(&mut self, error: xml::ErrorKind, at: Position) {
        let limits = &self.options.limits;
        let (code, message) = match error {
            xml::ErrorKind::FileTooLarge => (
                common::FILE_TOO_LARGE,
                format!(
                    "the file is larger than {} bytes",
                    limits.file_size_bytes_max
                ),
            ),
            xml::ErrorKind::TokenTooLong => (
                codes::XML_TOKEN_TOO_LONG,
                format!(
                    "an XML tag or text is longer than {} bytes",
                    limits.xml_token_bytes_max
                ),
            ),
            xml::ErrorKind::Read(io) => (
                common::READ_FAILED,
                format!("could not read the file: {io}"),
            ),
            xml::ErrorKind::Malformed(message) => (
                codes::MALFORMED_XML,
                format!("not well-formed XML: {message}"),
            ),
        };
        self.fatal(code, at, message);
    }

    fn finish(mut self) -> Outcome {
        if !self.stopped {
            if self.message_depth == 0 {
                self.push(Diagnostic::error(
                    codes::NOT_CAMT,
                    Position::new(0, 1, 0),
                    "no BkToCstmrStmt, BkToCstmrAcctRpt or BkToCstmrDbtCdtNtfctn element: this is not a CAMT.052, 053 or 054 message",
                ));
            } else if self.totals.statements + self.totals.reports + self.totals.notifications == 0
            {
                self.push(Diagnostic::error(
                    common::EMPTY_FILE,
                    Position::new(0, 1, 0),
                    "the message holds no Stmt, Rpt or Ntfctn",
                ));
            }
        }
        Outcome {
            version: self.version,
            totals: self.totals,
        }
    }

    // ---- helpers ----

    fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn fatal(&mut self, code: DiagnosticCode, position: Position, message: impl Into<String>) {
        self.push(Diagnostic::error(code, position, message));
        self.stopped = true;
    }

    fn control_severity(&self) -> Severity {
        if self.options.relaxed.control_totals {
            Severity::Warning
        } else {
            Severity::Error
        }
    }

    fn read_version(&mut self, attributes: &[u8], position: Position) {
        for (key, value) in xml::attributes(attributes) {
            if key != b"xmlns" && !key.starts_with(b"xmlns:") {
                continue;
            }
            let Some(at) = memchr::memmem::find(value, b"camt.05") else {
                continue;
            };
            let Some(name) = value.get(at..at + 15) else {
                continue;
            };
            let Ok(name) = std::str::from_utf8(name) else {
                continue;
            };
            let number = version_number(name);
            match number {
                Some(1..=13) => {}
                _ => self.push(
                    Diagnostic::warning(
                        codes::UNKNOWN_VERSION,
                        position,
                        "this CAMT version is not one the reader was written for; it is read by element names",
                    )
                    .found(name)
                    .expected("camt.052, 053 or 054 version 001.01 to 001.13"),
                ),
            }
            self.version = Some(name.to_owned());
            return;
        }
    }

    fn read_currency(&mut self, attributes: &[u8]) {
        self.has_currency = false;
        self.currency_code.clear();
        for (key, value) in xml::attributes(attributes) {
            if xml::local_name(key) == b"Ccy" {
                let value = String::from_utf8_lossy(value);
                xml::unescape_into(value.trim(), &mut self.currency_code);
                self.has_currency = true;
            }
        }
    }

    fn count_record(&mut self, position: Position) {
        self.records += 1;
        if self.records > self.options.limits.records_max {
            let message = format!(
                "more than {} entries and transaction details",
                self.options.limits.records_max
            );
            self.fatal(common::TOO_MANY_RECORDS, position, message);
        }
    }

    fn statement_record(&self) -> &'static str {
        self.statement
            .as_ref()
            .map_or("Stmt", |statement| statement.kind.element())
    }

    // ---- scopes ----

    fn is_statement_child(&self, depth: usize) -> bool {
        self.statement
            .as_ref()
            .is_some_and(|statement| statement.depth + 1 == depth)
    }

    fn open_scope(&mut self, tag: Tag, depth: usize, position: Position) {
        let parent = depth
            .checked_sub(2)
            .and_then(|index| self.stack.get(index))
            .copied()
            .unwrap_or(Tag::Other);
        match tag {
            Tag::Stmt | Tag::Rpt | Tag::Ntfctn
                if depth == self.message_depth + 1 && self.statement.is_none() =>
            {
                let kind = match tag {
                    Tag::Stmt => Kind::Statement,
                    Tag::Rpt => Kind::Report,
                    _ => Kind::Notification,
                };
                self.statement = Some(StatementState::new(depth, kind, position));
            }
            Tag::Bal if self.is_statement_child(depth) => {
                self.balance = Some(BalanceState {
                    depth,
                    position,
                    ..BalanceState::default()
                });
            }
            Tag::Ntry if self.is_statement_child(depth) && self.entry.is_none() => {
                self.count_record(position);
                self.emit_header();
                self.entry = Some(EntryState::new(depth, position));
            }
            Tag::TxDtls if parent == Tag::NtryDtls && self.detail.is_none() => {
                let Some(entry) = self.entry.as_mut() else {
                    return;
                };
                if entry.depth + 2 != depth {
                    return;
                }
                entry.details += 1;
                let mut held = if entry.details == 2 {
                    entry.held.take()
                } else {
                    None
                };
                if held
                    .as_ref()
                    .is_some_and(|first| first.own_amount(None).is_none())
                {
                    entry.merged = held.take();
                }
                self.count_record(position);
                if let Some(first) = held {
                    self.emit_batched(first, 1);
                }
                self.detail = Some(TxState::take(&mut self.free_details, depth, position));
            }
            Tag::Strd
                if parent == Tag::RmtInf
                    && self.structured.is_none()
                    && self
                        .detail
                        .as_ref()
                        .is_some_and(|detail| detail.depth + 2 == depth) =>
            {
                self.structured = Some(StrdState::new(depth));
            }
            _ => {}
        }
    }

    fn close_scope(&mut self, depth: usize) {
        if let Some(structured) = self.structured.as_mut() {
            if structured.depth == depth {
                if let (Some(structured), Some(detail)) =
                    (self.structured.take(), self.detail.as_mut())
                {
                    structured.finish(&mut detail.remittance);
                }
            } else if structured.depth + 1 == depth
                && self.stack.get(depth - 1) == Some(&Tag::RfrdDocInf)
            {
                structured.end_document();
            }
            return;
        }
        if self
            .detail
            .as_ref()
            .is_some_and(|detail| detail.depth == depth)
        {
            self.end_detail();
        } else if self
            .entry
            .as_ref()
            .is_some_and(|entry| entry.depth == depth)
        {
            self.end_entry();
        } else if self
            .balance
            .as_ref()
            .is_some_and(|balance| balance.depth == depth)
        {
            if let (Some(balance), Some(statement)) = (self.balance.take(), self.statement.as_mut())
            {
                statement.add_balance(&balance);
            }
        } else if self
            .statement
            .as_ref()
            .is_some_and(|statement| statement.depth == depth)
        {
            self.end_statement();
        }
    }

    fn emit_header(&mut self) {
        let Some(statement) = self.statement.as_mut() else {
            return;
        };
        if statement.emitted {
            return;
        }
        let record = statement.kind.element();
        if statement.id.is_none() {
            self.diagnostics.push(
                Diagnostic::error(
                    common::MISSING_FIELD,
                    statement.position,
                    "the statement has no identification",
                )
                .record(record)
                .field("Id"),
            );
        }
        if statement.iban.is_none() && statement.other_id.is_none() {
            self.diagnostics.push(
                Diagnostic::error(
                    common::MISSING_FIELD,
                    statement.position,
                    "the statement names no account (IBAN or other id)",
                )
                .record(record)
                .field("Acct/Id"),
            );
        }
        let header = statement.header();
        self.sink.statement(header);
    }

    fn end_statement(&mut self) {
        self.emit_header();
        let Some(statement) = self.statement.take() else {
            return;
        };
        if statement.check_balances(self.options, self.diagnostics) {
            self.totals.balance_checks += 1;
        }
        statement.check_summary(self.options, self.diagnostics);
        match statement.kind {
            Kind::Statement => self.totals.statements += 1,
            Kind::Report => self.totals.reports += 1,
            Kind::Notification => self.totals.notifications += 1,
        }
    }

    fn end_detail(&mut self) {
        let Some(detail) = self.detail.take() else {
            return;
        };
        let Some(entry) = self.entry.as_mut() else {
            return;
        };
        if let Some(merged) = entry.merged.as_mut() {
            let mut detail = detail;
            merged.absorb(&mut detail);
            TxState::free(detail, &mut self.spare, &mut self.free_details);
        } else if entry.details == 1 {
            entry.held = Some(detail);
        } else {
            let index = entry.details;
            self.emit_batched(detail, index);
        }
    }

    /// Emits one detail of a batched entry with its own amount and direction.
    fn emit_batched(&mut self, mut detail: Box<TxState>, index: u32) {
        // Fields are borrowed one by one (entry, sink, diagnostics) rather than
        // through `&mut self` helpers, so that the entry is not moved out and back.
        let Some(entry) = self.entry.as_mut() else {
            TxState::free(detail, &mut self.spare, &mut self.free_details);
            return;
        };
        let entry_currency = entry.currency();
        let direction = detail.direction.or(entry.direction);
        match (detail.own_amount(entry_currency), direction) {
            (Some(amount), Some(direction)) => {
                if Some(amount.currency) == entry_currency {
                    add(&mut entry.batch_sum, signed(amount, direction));
                } else {
                    entry.batch_foreign = true;
                }
                let own_ref = detail.bank_ref.take();
                let booking = Booking {
                    entry,
                    amount,
                    direction,
                };
                let tx = &mut self.tx;
                entry::fill(tx, &mut self.spare, booking, Some(&mut detail));
                match (&own_ref, &entry.bank_ref) {
                    (Some(own), _) => tx.bank_ref.to_mut().push_str(own),
                    (None, Some(entry_ref)) => {
                        use std::fmt::Write;
                        let _ = write!(tx.bank_ref.to_mut(), "{entry_ref}/{index}");
                    }
                    (None, None) => {}
                }
                self.sink.transaction(tx);
                detail.bank_ref = own_ref;
            }
            (None, _) => {
                entry.batch_foreign = true;
                self.diagnostics.push(
                    Diagnostic::error(
                        common::MISSING_FIELD,
                        detail.position,
                        "a detail of a batched entry has no amount of its own",
                    )
                    .record("TxDtls")
                    .field("Amt"),
                );
            }
            // The entry's missing indicator is reported when the entry ends.
            (Some(_), None) => {}
        }
        TxState::free(detail, &mut self.spare, &mut self.free_details);
    }

    fn end_entry(&mut self) {
        let Some(mut entry) = self.entry.take() else {
            return;
        };
        self.close_entry(&mut entry);
        entry.recycle(&mut self.spare, &mut self.free_details);
    }

    fn close_entry(&mut self, entry: &mut EntryState) {
        for (seen, field) in entry.seen.iter().zip(["Amt", "CdtDbtInd", "Sts"]) {
            if !seen {
                self.push(
                    Diagnostic::error(
                        common::MISSING_FIELD,
                        entry.position,
                        format!("the entry has no {field}"),
                    )
                    .record("Ntry")
                    .field(field),
                );
            }
        }
        let (Some(amount), Some(direction)) = (entry.amount, entry.direction) else {
            return;
        };
        if entry.details >= 2 && entry.merged.is_none() {
            self.check_batch(entry, amount, direction);
        } else {
            if entry.merged.is_some() {
                let message = format!(
                    "the entry batches {} transaction details without amounts; they are kept as one transaction of the entry amount",
                    entry.details
                );
                self.push(
                    Diagnostic::warning(codes::BATCH_WITHOUT_AMOUNTS, entry.position, message)
                        .record("Ntry")
                        .field("NtryDtls/TxDtls"),
                );
            }
            let mut held = entry.held.take().or_else(|| entry.merged.take());
            let booking = Booking {
                entry,
                amount,
                direction,
            };
            let tx = &mut self.tx;
            entry::fill(tx, &mut self.spare, booking, held.as_deref_mut());
            let bank_ref = entry
                .bank_ref
                .as_deref()
                .or_else(|| held.as_ref().and_then(|detail| detail.bank_ref.as_deref()));
            if let Some(bank_ref) = bank_ref {
                tx.bank_ref.to_mut().push_str(bank_ref);
            }
            self.sink.transaction(tx);
            if let Some(detail) = held {
                TxState::free(detail, &mut self.spare, &mut self.free_details);
            }
        }
        let status = entry.status.unwrap_or(EntryStatus::Info);
        if let Some(statement) = self.statement.as_mut() {
            statement.add_entry(amount, direction, status);
        }
        let totals = &mut self.totals;
        totals.entries += 1;
        totals.details += u64::from(entry.details);
        match direction {
            Direction::Credit => {
                totals.entries_credit += 1;
                add(&mut totals.sum_credit, amount.amount);
            }
            Direction::Debit => {
                totals.entries_debit += 1;
                add(&mut totals.sum_debit, amount.amount);
            }
        }
    }

    fn check_batch(&mut self, entry: &EntryState, amount: Money, direction: Direction) {
        let expected = signed(amount, direction);
        if !entry.batch_foreign && entry.batch_sum == expected {
            return;
        }
        let found = if entry.batch_foreign {
            "details in another currency or without an amount".to_owned()
        } else {
            Money::new(entry.batch_sum, amount.currency).to_string()
        };
        let message = format!(
            "the {} transaction details of this entry do not add up to the entry amount (credits positive)",
            entry.details
        );
        let severity = self.control_severity();
        self.push(Diagnostic {
            severity,
            ..Diagnostic::error(codes::BATCH_AMOUNT_MISMATCH, entry.position, message)
                .record("Ntry")
                .field("NtryDtls/TxDtls/Amt")
                .expected(Money::new(expected, amount.currency).to_string())
                .found(found)
        });
    }
}
