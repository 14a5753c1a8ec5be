//! The structure of a BAI2 file, one logical record at a time: checks each record's
//! fields, keeps the running control totals and record counts of the open account,
//! group and file, checks them against the trailers, and hands statements and
//! transactions to the sink as soon as they are complete.
//!
//! Memory stays flat: an account keeps sums and counts, never its transactions. The
//! only thing that grows with the file is the set of statement ids, to keep them unique
//! when one account appears twice under the same as-of date.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::NaiveDate;

use super::codes;
use super::fields::{
    parse_amount, parse_count, parse_date, parse_type_code, shown, Field, Fields, NumberError,
    AMOUNT_DIGITS_MAX, TOTAL_DIGITS_MAX,
};
use super::plain::{plain, trimmed_str, Plain};
use super::records::{trim_blanks_range, Code, Record};
use super::types::{classify, Class};
use super::Summary;
use crate::diagnostic::{codes as common, Diagnostic, Diagnostics, Severity};
use crate::model::{Account, Direction, EntryStatus, Remittance, Statement, Transaction};
use crate::money::{Currency, Money};
use crate::options::Options;
use crate::position::Position;
use crate::scratch;
use crate::sink::Sink;

#[derive(Default)]
struct FileState {
    id: String,
    records: u64,
    groups: u64,
    /// Sum of the 98 group control totals seen (the computed sum where a 98 is missing).
    group_totals: i128,
}

#[derive(Default)]
struct GroupState {
    as_of: Option<NaiveDate>,
    currency: Option<Currency>,
    originator: Option<String>,
    records: u64,
    accounts: u64,
    /// Sum of the 49 account control totals seen (the computed sum where a 49 is missing).
    account_totals: i128,
}

struct AccountState {
    number: String,
    currency: Currency,
    /// Sum of every amount of the 03 summaries and the 16 details, as the 49 states it.
    total: i128,
    records: u64,
    opening: Option<i128>,
    closing: Option<i128>,
    /// Credits minus debits of the transactions passed on.
    movement: i128,
    transactions: u64,
    position: Position,
}

/// What a funds type told about the fields that follow it.
enum Funds {
    /// 0, 1, 2, Z, S, D, or empty: nothing recond keeps.
    Plain,
    /// V: the value date.
    Value(Option<NaiveDate>),
    /// Unknown or broken: the rest of the record cannot be aligned.
    Invalid,
}

pub(super) struct Reader<'a> {
    options: &'a Options,
    /// Whether plain details take the one-pass reader of [`super::plain`].
    plain_path: bool,
    sink: &'a mut dyn Sink,
    diagnostics: &'a mut Diagnostics,
    header_seen: bool,
    ended: bool,
    after_end_reported: bool,
    records_seen: bool,
    encoding_warned: bool,
    file: FileState,
    group: Option<GroupState>,
    account: Option<AccountState>,
    statement_ids: HashMap<String, u32>,
    /// The storage of the lines of the transaction lent to the sink, kept for the next
    /// one (its texts borrow the record being read).
    lines: Vec<Cow<'static, str>>,
    pub summary: Summary,
    pub version: Option<String>,
}

impl<'a> Reader<'a> {
    pub fn new(
        options: &'a Options,
        sink: &'a mut dyn Sink,
        diagnostics: &'a mut Diagnostics,
        plain_path: bool,
    ) -> Reader<'a> {
        Reader {
            plain_path,
            options,
            sink,
            diagnostics,
            header_seen: false,
            ended: false,
            after_end_reported: false,
            records_seen: false,
            encoding_warned: false,
            file: FileState::default(),
            group: None,
            account: None,
            statement_ids: HashMap::new(),
            lines: Vec::new(),
            summary: Summary::default(),
            version: None,
        }
    }

    /// True once the diagnostics are full and the file is invalid anyway.
    #[inline]
    pub fn should_stop(&self) -> bool {
        self.diagnostics.is_full() && self.diagnostics.has_error()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// A control total or count check failed: an error unless the bank is excused.
    fn control(
        &self,
        code: crate::DiagnosticCode,
        position: Position,
        message: String,
    ) -> Diagnostic {
        let diagnostic = Diagnostic::error(code, position, message);
        if self.options.relaxed.control_totals {
            Diagnostic {
                severity: Severity::Warning,
                ..diagnostic
            }
        } else {
            diagnostic
        }
    }

    pub fn unmarked_continuation(&mut self, position: Position, continued: Code) {
        self.push(
            Diagnostic::warning(
                codes::UNMARKED_CONTINUATION,
                position,
                "line has no record code; read as the continuation of the previous record, \
                 which did not end with '/'",
            )
            .record(continued.name()),
        );
    }

    /// Handles one complete logical record.
    #[inline]
    pub fn dispatch(&mut self, record: &Record<'_>) {
        // Nearly every record: a detail in an open file, read whole.
        if record.code == Code::Detail && self.header_seen && !self.ended && !record.cut {
            self.records_seen = true;
            self.detail(record);
            return;
        }
        self.dispatch_any(record);
    }

    /// [`Self::dispatch`] for any record, with the checks every record gets.
    fn dispatch_any(&mut self, record: &Record<'_>) {
        self.records_seen = true;
        if self.ended {
            if !self.after_end_reported {
                self.after_end_reported = true;
                self.push(
                    Diagnostic::error(
                        codes::CONTENT_AFTER_FILE_TRAILER,
                        record.position,
                        "the file continues after its file trailer (99)",
                    )
                    .record(record.code.name())
                    .expected("the end of the file"),
                );
            }
            return;
        }
        match record.code {
            Code::Unknown => {
                self.push(
                    Diagnostic::error(
                        codes::UNKNOWN_RECORD_TYPE,
                        record.position,
                        "unknown record type",
                    )
                    .record("record")
                    .field("record_code")
                    .expected("01, 02, 03, 16, 49, 88, 98 or 99")
                    .found(shown(record.raw_code)),
                );
                return;
            }
            Code::Continuation => {
                self.file.records += record.records;
                self.push(
                    Diagnostic::error(
                        codes::ORPHAN_CONTINUATION,
                        record.position,
                        "a continuation must follow the record it continues",
                    )
                    .record(record.code.name())
                    .expected("a file header (01) first"),
                );
                return;
            }
            _ => {}
        }
        if !self.header_seen && record.code != Code::FileHeader {
            self.header_seen = true;
            self.push(
                Diagnostic::error(
                    codes::MISSING_FILE_HEADER,
                    record.position,
                    "the file must start with a file header (01)",
                )
                .record(record.code.name())
                .expected("file header (01)")
                .found(record.code.name()),
            );
        }
        if record.cut {
            self.push(
                Diagnostic::error(
                    codes::RECORD_TOO_LONG,
                    record.position,
                    "the record with its continuations is longer than the reader keeps; \
                     the continuations beyond the limit were not read",
                )
                .record(record.code.name()),
            );
        }
        match record.code {
            Code::FileHeader => self.file_header(record),
            Code::GroupHeader => self.group_header(record),
            Code::Account => self.account(record),
            Code::Detail => self.detail(record),
            Code::AccountTrailer => self.account_trailer(record),
            Code::GroupTrailer => self.group_trailer(record),
            Code::FileTrailer => self.file_trailer(record),
            Code::Continuation | Code::Unknown => {}
        }
    }

    /// The end of the input: whatever is still open lacks its trailer.
    pub fn finish(&mut self, end: Position) {
        if !self.records_seen {
            self.push(Diagnostic::error(
                common::EMPTY_FILE,
                end,
                "the file holds no BAI2 record",
            ));
            return;
        }
        if !self.header_seen {
            self.push(
                Diagnostic::error(
                    codes::MISSING_FILE_HEADER,
                    Position::new(0, 1, 0),
                    "the file has no file header (01)",
                )
                .expected("file header (01)"),
            );
            return;
        }
        if self.ended {
            return;
        }
        self.close_account(end, None);
        self.close_group(end, None);
        self.push(
            Diagnostic::error(
                codes::MISSING_FILE_TRAILER,
                end,
                "the file ends without a file trailer (99)",
            )
            .expected("file trailer (99)")
            .found("the end of the file"),
        );
    }

    /// Closes an account whose 49 never came, without checks. `found` is the record
    /// that came instead, `None` at the end of the file.
    fn close_account(&mut self, position: Position, found: Option<Code>) {
        if let Some(account) = self.account.take() {
            self.push(with_found(
                Diagnostic::error(
                    codes::MISSING_ACCOUNT_TRAILER,
                    position,
                    format!(
                        "account {} (line {}) is not closed by an account trailer (49)",
                        account.number, account.position.line
                    ),
                )
                .expected("account trailer (49)"),
                found,
            ));
            if let Some(group) = self.group.as_mut() {
                group.account_totals = group.account_totals.saturating_add(account.total);
            }
        }
    }

    /// Closes a group whose 98 never came, without checks.
    fn close_group(&mut self, position: Position, found: Option<Code>) {
        if let Some(group) = self.group.take() {
            self.push(with_found(
                Diagnostic::error(
                    codes::MISSING_GROUP_TRAILER,
                    position,
                    "the group is not closed by a group trailer (98)",
                )
                .expected("group trailer (98)"),
                found,
            ));
            self.file.group_totals = self.file.group_totals.saturating_add(group.account_totals);
        }
    }

    #[inline]
    fn count_in_account(&mut self, records: u64) {
        if let Some(account) = self.account.as_mut() {
            account.records += records;
        }
        self.count_in_group(records);
    }

    #[inline]
    fn count_in_group(&mut self, records: u64) {
        if let Some(group) = self.group.as_mut() {
            group.records += records;
        }
        self.file.records += records;
    }

    fn file_header(&mut self, record: &Record<'_>) {
        const R: Code = Code::FileHeader;
        if self.header_seen {
            self.file.records += record.records;
            self.push(
                Diagnostic::error(
                    codes::UNEXPECTED_RECORD,
                    record.position,
                    "a file holds one file header (01); this one is ignored",
                )
                .record(R.name())
                .expected("group header (02) or file trailer (99)")
                .found(R.name()),
            );
            return;
        }
        self.header_seen = true;
        self.file.records += record.records;
        let mut fields = Fields::new(record.buffer, record.segments);
        self.required_text(&mut fields, R, "sender_identification");
        self.required_text(&mut fields, R, "receiver_identification");
        self.date(&mut fields, R, "file_creation_date", true);
        fields.next_field(); // file creation time: not used, not checked.
        if let Some(id) = self.required_text(&mut fields, R, "file_identification_number") {
            self.file.id = id;
        }
        self.optional_count(&mut fields, R, "physical_record_length");
        self.optional_count(&mut fields, R, "block_size");
        let here = fields.here();
        match fields.next_field() {
            Some(field) if field.bytes == b"2" => self.version = Some("BAI2".to_owned()),
            Some(field) if !field.is_empty() => {
                let found = shown(field.bytes);
                self.version = Some(format!("BAI{found}"));
                self.push(
                    Diagnostic::warning(
                        codes::UNSUPPORTED_VERSION,
                        field.position,
                        "this reader follows BAI version 2",
                    )
                    .record(R.name())
                    .field("version_number")
                    .expected("2")
                    .found(found),
                );
            }
            _ => self.missing(here, R, "version_number", "2"),
        }
        self.no_more_fields(&mut fields, R);
    }

    fn group_header(&mut self, record: &Record<'_>) {
        const R: Code = Code::GroupHeader;
        self.close_account(record.position, Some(R));
        self.close_group(record.position, Some(R));
        self.file.groups += 1;
        self.file.records += record.records;
        self.summary.groups += 1;
        let mut group = GroupState {
            records: record.records,
            ..GroupState::default()
        };
        let mut fields = Fields::new(record.buffer, record.segments);
        fields.next_field(); // ultimate receiver identification: optional.
        group.originator = self.required_text(&mut fields, R, "originator_identification");
        let here = fields.here();
        match fields.next_field() {
            Some(field) if matches!(field.bytes, b"1" | b"3") => {}
            Some(field) if field.bytes == b"4" => self.push(
                Diagnostic::warning(
                    codes::TEST_GROUP,
                    field.position,
                    "the group is marked test only",
                )
                .record(R.name())
                .field("group_status"),
            ),
            Some(field) if !field.is_empty() => self.push(
                Diagnostic::error(
                    codes::INVALID_GROUP_STATUS,
                    field.position,
                    "group status must be 1 (update), 3 (correction) or 4 (test only); \
                     2 (deletion) retracts data sent earlier and cannot be applied",
                )
                .record(R.name())
                .field("group_status")
                .expected("1, 3 or 4")
                .found(shown(field.bytes)),
            ),
            _ => self.missing(here, R, "group_status", "1, 3 or 4"),
        }
        group.as_of = self.date(&mut fields, R, "as_of_date", true);
        fields.next_field(); // as-of time: not used, not checked.
        group.currency = self.currency(&mut fields, R);
        fields.next_field(); // as-of-date modifier: not used.
        self.no_more_fields(&mut fields, R);
        self.group = Some(group);
    }

    fn account(&mut self, record: &Record<'_>) {
        const R: Code = Code::Account;
        self.close_account(record.position, Some(R));
        if self.group.is_none() {
            self.push(
                Diagnostic::error(
                    codes::UNEXPECTED_RECORD,
                    record.position,
                    "an account identifier (03) must be inside a group",
                )
                .record(R.name())
                .expected("group header (02) before it")
                .found(R.name()),
            );
            self.group = Some(GroupState::default());
        }
        self.count_in_group(record.records);
        if let Some(group) = self.group.as_mut() {
            group.accounts += 1;
        }
        self.summary.accounts += 1;
        let mut fields = Fields::new(record.buffer, record.segments);
        let number = self
            .required_text(&mut fields, R, "customer_account_number")
            .unwrap_or_default();
        let account_currency = self.currency(&mut fields, R);
        let mut total: i128 = 0;
        let mut opening = None;
        let mut closing = None;
        while let Some(type_field) = fields.next_field() {
            let here = fields.here();
            let amount_field = fields.next_field();
            let amount = self.amount(amount_field, here, R, "amount", false, AMOUNT_DIGITS_MAX);
            let type_code = if type_field.is_empty() {
                if amount.is_some() {
                    self.missing(
                        type_field.position,
                        R,
                        "type_code",
                        "a three-digit type code",
                    );
                }
                None
            } else {
                self.type_code(type_field, R)
            };
            if let Some(amount) = amount {
                total += amount;
                match type_code {
                    Some(10) => opening = Some(amount),
                    Some(15) => closing = Some(amount),
                    _ => {}
                }
            }
            self.optional_count(&mut fields, R, "item_count");
            if let Funds::Invalid = self.funds(&mut fields, R) {
                break;
            }
        }
        let (group_currency, servicer, as_of) = match &self.group {
            Some(group) => (group.currency, group.originator.clone(), group.as_of),
            None => (None, None, None),
        };
        // The specification makes the currency of the originator's country the
        // default; the banks that send BAI2 are US ones, so an account with no
        // currency in its 03 nor in its 02 is in US dollars.
        let currency = account_currency.or(group_currency).unwrap_or(Currency::USD);
        let id = self.statement_id(&number, as_of);
        let balance = |amount: Option<i128>| {
            amount
                .and_then(|minor| i64::try_from(minor).ok())
                .map(|minor| Money::from_minor(minor, currency))
        };
        self.sink.statement(Statement {
            id,
            account: Account {
                number: number.clone(),
                servicer,
                currency: Some(currency),
                name: None,
            },
            opening_balance: balance(opening),
            closing_balance: balance(closing),
            from_date: as_of,
            to_date: as_of,
            position: record.position,
        });
        self.account = Some(AccountState {
            number,
            currency,
            total,
            records: record.records,
            opening,
            closing,
            movement: 0,
            transactions: 0,
            position: record.position,
        });
    }

    /// `file id/as-of date/account`, with `#2`, `#3`… when the same account appears
    /// again under the same as-of date.
    fn statement_id(&mut self, number: &str, as_of: Option<NaiveDate>) -> String {
        let date = as_of.map_or_else(|| "-".to_owned(), |date| date.to_string());
        let id = format!("{}/{}/{}", self.file.id, date, number);
        let seen = self.statement_ids.entry(id.clone()).or_insert(0);
        *seen += 1;
        if *seen == 1 {
            id
        } else {
            format!("{id}#{seen}")
        }
    }

    /// Counts the record in its account, or reports it as outside any account (counted
    /// in the group instead) and returns false.
    #[inline]
    fn inside_account(&mut self, record: &Record<'_>, code: Code, message: &str) -> bool {
        if self.account.is_none() {
            self.outside_account(record, code, message);
            return false;
        }
        self.count_in_account(record.records);
        true
    }

    #[cold]
    fn outside_account(&mut self, record: &Record<'_>, code: Code, message: &str) {
        self.count_in_group(record.records);
        self.push(
            Diagnostic::error(codes::UNEXPECTED_RECORD, record.position, message)
                .record(code.name())
                .expected("account identifier (03) before it")
                .found(code.name()),
        );
    }

    fn detail(&mut self, record: &Record<'_>) {
        const R: Code = Code::Detail;
        self.summary.details += 1;
        if !self.inside_account(
            record,
            R,
            "a transaction detail (16) must be inside an account",
        ) {
            return;
        }
        // Validated once for the whole record; each text field is then a slice of it,
        // lent to the sink without being copied.
        let whole = std::str::from_utf8(record.buffer).ok();
        if let Some(whole) = whole.filter(|_| self.plain_path) {
            if self.plain_detail(record, whole) {
                return;
            }
        }
        let mut fields = Fields::new(record.buffer, record.segments);
        let here = fields.here();
        let (type_code, type_text) = match fields.next_field() {
            Some(field) if !field.is_empty() => (
                self.type_code(field, R),
                std::str::from_utf8(field.bytes).unwrap_or_default(),
            ),
            _ => {
                self.missing(here, R, "type_code", "a three-digit type code");
                (None, "")
            }
        };
        let here = fields.here();
        let amount_field = fields.next_field();
        let amount = self.amount(amount_field, here, R, "amount", true, AMOUNT_DIGITS_MAX);
        if let (Some(amount), Some(account)) = (amount, self.account.as_mut()) {
            account.total += amount;
        }
        let value_date = match self.funds(&mut fields, R) {
            Funds::Invalid => return,
            Funds::Plain => None,
            Funds::Value(date) => date,
        };
        let (Some(type_code), Some(amount)) = (type_code, amount) else {
            return;
        };
        let amount_position = amount_field.map_or(here, |field| field.position);
        let direction = match classify(type_code, &self.options.bai2_type_directions) {
            Class::Movement(direction) => direction,
            Class::Ignored => return,
            Class::Status => {
                self.push(
                    Diagnostic::warning(
                        codes::STATUS_CODE_IN_DETAIL,
                        record.position,
                        "status type code in a transaction detail: no movement of money, \
                         not passed on as a transaction",
                    )
                    .record(R.name())
                    .field("type_code")
                    .found(format!("{type_code:03}")),
                );
                return;
            }
            Class::Undefined => {
                self.push(
                    Diagnostic::warning(
                        codes::TYPE_CODE_WITHOUT_DIRECTION,
                        record.position,
                        "the specification gives this type code no direction and the \
                         options map none; not passed on as a transaction",
                    )
                    .record(R.name())
                    .field("type_code")
                    .found(format!("{type_code:03}")),
                );
                return;
            }
        };
        let (direction, magnitude) = if amount < 0 {
            self.push(
                Diagnostic::warning(
                    codes::NEGATIVE_DETAIL_AMOUNT,
                    amount_position,
                    "negative detail amount; read as the opposite direction",
                )
                .record(R.name())
                .field("amount")
                .found(amount.to_string()),
            );
            let opposite = match direction {
                Direction::Credit => Direction::Debit,
                Direction::Debit => Direction::Credit,
            };
            (opposite, -amount)
        } else {
            (direction, amount)
        };
        let Ok(minor) = i64::try_from(magnitude) else {
            return;
        };
        let (currency, booking_date) = match (&mut self.account, &self.group) {
            (Some(account), group) => {
                account.transactions += 1;
                account.movement += match direction {
                    Direction::Credit => magnitude,
                    Direction::Debit => -magnitude,
                };
                (
                    account.currency,
                    group.as_ref().and_then(|group| group.as_of),
                )
            }
            (None, _) => return,
        };
        self.summary.transactions += 1;
        let bank_ref = match fields.next_field() {
            Some(field) => self.text(field, whole),
            None => Cow::Borrowed(""),
        };
        let customer_ref = match fields.next_field() {
            Some(field) => {
                let text = self.text(field, whole);
                if text.is_empty() {
                    None
                } else {
                    Some(text)
                }
            }
            None => None,
        };
        // A `Vec<Cow<'static, str>>` is a `Vec<Cow<'_, str>>` as it is.
        let mut lines: Vec<Cow<'_, str>> = std::mem::take(&mut self.lines);
        fields.rest(|field| {
            let line = self.text(field, whole);
            if !line.is_empty() {
                lines.push(line);
            }
        });
        let tx = Transaction {
            direction,
            amount: Money::from_minor(minor, currency),
            status: EntryStatus::Booked,
            reversal: false,
            booking_date,
            value_date,
            bank_ref,
            end_to_end_id: None,
            customer_ref,
            trace_number: None,
            payer_name: None,
            payer_account: None,
            // Three ASCII digits, as `parse_type_code` checked.
            bank_tx_code: Some(Cow::Borrowed(type_text)),
            remittance: Remittance {
                lines,
                items: Vec::new(),
            },
            return_info: None,
            position: record.position,
        };
        self.sink.transaction(&tx);
        self.lines = scratch::recycle(tx.remittance.lines);
    }

    /// Reads a plain detail (see [`super::plain`]) and passes it on; false, with
    /// nothing done, when the record is not plain.
    #[inline]
    fn plain_detail(&mut self, record: &Record<'_>, whole: &str) -> bool {
        let Some(Plain {
            type_code,
            type_text,
            amount,
            value_date,
            bank_ref,
            customer_ref,
            text_start,
        }) = plain(whole, record.segments)
        else {
            return false;
        };
        let Class::Movement(direction) = classify(type_code, &self.options.bai2_type_directions)
        else {
            return false;
        };
        let (Some(account), group) = (self.account.as_ref(), &self.group) else {
            return false;
        };
        let mut tx = Transaction {
            direction,
            amount: Money::from_minor(amount, account.currency),
            status: EntryStatus::Booked,
            reversal: false,
            booking_date: group.as_ref().and_then(|group| group.as_of),
            value_date,
            bank_ref: Cow::Borrowed(bank_ref),
            end_to_end_id: None,
            customer_ref: (!customer_ref.is_empty()).then_some(Cow::Borrowed(customer_ref)),
            trace_number: None,
            payer_name: None,
            payer_account: None,
            bank_tx_code: Some(Cow::Borrowed(type_text)),
            // A `Vec<Cow<'static, str>>` is a `Vec<Cow<'_, str>>` as it is.
            remittance: Remittance {
                lines: std::mem::take(&mut self.lines),
                items: Vec::new(),
            },
            return_info: None,
            position: record.position,
        };
        let lines = &mut tx.remittance.lines;
        for (index, segment) in record.segments.iter().enumerate() {
            let from = if index == 0 {
                text_start
            } else {
                segment.start
            };
            match trimmed_str(whole, from, segment.end) {
                Some("") => {}
                Some(line) => lines.push(Cow::Borrowed(line)),
                None => {
                    self.lines = scratch::recycle(tx.remittance.lines);
                    return false;
                }
            }
        }
        if let Some(account) = self.account.as_mut() {
            let magnitude = i128::from(amount);
            account.total += magnitude;
            account.transactions += 1;
            account.movement += match direction {
                Direction::Credit => magnitude,
                Direction::Debit => -magnitude,
            };
        }
        self.summary.transactions += 1;
        self.sink.transaction(&tx);
        self.lines = scratch::recycle(tx.remittance.lines);
        true
    }

    fn account_trailer(&mut self, record: &Record<'_>) {
        const R: Code = Code::AccountTrailer;
        if !self.inside_account(record, R, "an account trailer (49) must close an account") {
            return;
        }
        let mut fields = Fields::new(record.buffer, record.segments);
        let total = self.required_amount(&mut fields, R, "account_control_total");
        let count = self.required_count(&mut fields, R, "number_of_records");
        self.no_more_fields(&mut fields, R);
        let Some(account) = self.account.take() else {
            return;
        };
        if let Some((stated, position)) = total {
            if stated != account.total {
                let diagnostic = self
                    .control(
                        codes::ACCOUNT_CONTROL_TOTAL_MISMATCH,
                        position,
                        format!(
                            "account control total of account {} does not match the sum of \
                             its 03 and 16 amounts",
                            account.number
                        ),
                    )
                    .record(R.name())
                    .field("account_control_total")
                    .expected(account.total.to_string())
                    .found(stated.to_string());
                self.push(diagnostic);
            }
        }
        if let Some((stated, position)) = count {
            if stated != account.records {
                let diagnostic = self
                    .control(
                        codes::ACCOUNT_RECORD_COUNT_MISMATCH,
                        position,
                        format!(
                            "number of records of account {} does not match its records \
                             (03 to 49, with continuations)",
                            account.number
                        ),
                    )
                    .record(R.name())
                    .field("number_of_records")
                    .expected(account.records.to_string())
                    .found(stated.to_string());
                self.push(diagnostic);
            }
        }
        self.check_balance(&account);
        if let Some(group) = self.group.as_mut() {
            group.account_totals = group
                .account_totals
                .saturating_add(total.map_or(account.total, |(stated, _)| stated));
        }
    }

    /// Opening ledger + credits - debits = closing ledger, when the account states both
    /// balances and itemizes at least one movement (a summary-only report has none).
    fn check_balance(&mut self, account: &AccountState) {
        let (Some(opening), Some(closing)) = (account.opening, account.closing) else {
            return;
        };
        if account.transactions == 0 || opening + account.movement == closing {
            return;
        }
        let money = |minor: i128| match i64::try_from(minor) {
            Ok(minor) => Money::from_minor(minor, account.currency).to_string(),
            Err(_) => format!("{minor} minor units"),
        };
        let message = format!(
            "opening ledger (010) {} plus credits minus debits {} is not the closing \
             ledger (015) of account {}",
            money(opening),
            money(account.movement),
            account.number
        );
        let diagnostic = Diagnostic::error(codes::BALANCE_MISMATCH, account.position, message)
            .record(Code::Account.name())
            .field("closing_ledger_015")
            .expected(money(opening + account.movement))
            .found(money(closing));
        self.push(if self.options.relaxed.balances {
            Diagnostic {
                severity: Severity::Warning,
                ..diagnostic
            }
        } else {
            diagnostic
        });
    }

    fn group_trailer(&mut self, record: &Record<'_>) {
        const R: Code = Code::GroupTrailer;
        self.close_account(record.position, Some(R));
        let Some(mut group) = self.group.take() else {
            self.file.records += record.records;
            self.push(
                Diagnostic::error(
                    codes::UNEXPECTED_RECORD,
                    record.position,
                    "a group trailer (98) must close a group",
                )
                .record(R.name())
                .expected("group header (02) before it")
                .found(R.name()),
            );
            return;
        };
        group.records += record.records;
        self.file.records += record.records;
        let mut fields = Fields::new(record.buffer, record.segments);
        let total = self.required_amount(&mut fields, R, "group_control_total");
        let accounts = self.required_count(&mut fields, R, "number_of_accounts");
        let count = self.required_count(&mut fields, R, "number_of_records");
        self.no_more_fields(&mut fields, R);
        if let Some((stated, position)) = total {
            if stated != group.account_totals {
                let diagnostic = self
                    .control(
                        codes::GROUP_CONTROL_TOTAL_MISMATCH,
                        position,
                        "group control total does not match the sum of the group's account \
                         control totals (49)"
                            .to_owned(),
                    )
                    .record(R.name())
                    .field("group_control_total")
                    .expected(group.account_totals.to_string())
                    .found(stated.to_string());
                self.push(diagnostic);
            }
        }
        self.check_count(
            accounts,
            group.accounts,
            codes::GROUP_ACCOUNT_COUNT_MISMATCH,
            R,
            "number_of_accounts",
            "number of accounts does not match the group's account identifiers (03)",
        );
        self.check_count(
            count,
            group.records,
            codes::GROUP_RECORD_COUNT_MISMATCH,
            R,
            "number_of_records",
            "number of records does not match the group's records (02 to 98, with \
             continuations)",
        );
        self.file.group_totals = self
            .file
            .group_totals
            .saturating_add(total.map_or(group.account_totals, |(stated, _)| stated));
    }

    fn file_trailer(&mut self, record: &Record<'_>) {
        const R: Code = Code::FileTrailer;
        self.close_account(record.position, Some(R));
        self.close_group(record.position, Some(R));
        self.file.records += record.records;
        self.ended = true;
        let mut fields = Fields::new(record.buffer, record.segments);
        let total = self.required_amount(&mut fields, R, "file_control_total");
        let groups = self.required_count(&mut fields, R, "number_of_groups");
        let count = self.required_count(&mut fields, R, "number_of_records");
        self.no_more_fields(&mut fields, R);
        self.summary.file_control_total = total.map(|(stated, _)| stated);
        if let Some((stated, position)) = total {
            if stated != self.file.group_totals {
                let diagnostic = self
                    .control(
                        codes::FILE_CONTROL_TOTAL_MISMATCH,
                        position,
                        "file control total does not match the sum of the group control \
                         totals (98)"
                            .to_owned(),
                    )
                    .record(R.name())
                    .field("file_control_total")
                    .expected(self.file.group_totals.to_string())
                    .found(stated.to_string());
                self.push(diagnostic);
            }
        }
        self.check_count(
            groups,
            self.file.groups,
            codes::FILE_GROUP_COUNT_MISMATCH,
            R,
            "number_of_groups",
            "number of groups does not match the file's group headers (02)",
        );
        self.check_count(
            count,
            self.file.records,
            codes::FILE_RECORD_COUNT_MISMATCH,
            R,
            "number_of_records",
            "number of records does not match the file's records (01 to 99, with \
             continuations)",
        );
    }

    fn check_count(
        &mut self,
        stated: Option<(u64, Position)>,
        counted: u64,
        code: crate::DiagnosticCode,
        record: Code,
        field: &str,
        message: &str,
    ) {
        if let Some((stated, position)) = stated {
            if stated != counted {
                let diagnostic = self
                    .control(code, position, message.to_owned())
                    .record(record.name())
                    .field(field)
                    .expected(counted.to_string())
                    .found(stated.to_string());
                self.push(diagnostic);
            }
        }
    }

    // Field readers. Each takes the next field, reports what is wrong with it (naming
    // the record, the field, what was expected and what was found) and returns the
    // value when there is one.

    fn missing(&mut self, position: Position, record: Code, field: &str, expected: &str) {
        self.push(
            Diagnostic::error(
                common::MISSING_FIELD,
                position,
                "required field is empty or missing",
            )
            .record(record.name())
            .field(field)
            .expected(expected),
        );
    }

    fn no_more_fields(&mut self, fields: &mut Fields<'_>, record: Code) {
        while let Some(field) = fields.next_field() {
            if !field.is_empty() {
                self.push(
                    Diagnostic::error(
                        codes::UNEXPECTED_FIELD,
                        field.position,
                        "field after the last field this record has",
                    )
                    .record(record.name())
                    .expected("the end of the record")
                    .found(shown(field.bytes)),
                );
                return;
            }
        }
    }

    /// Decodes a text field, trimmed. BAI2 is ASCII; bytes that are not UTF-8 are read
    /// as Windows-1252, the usual encoding of US bank hosts, with one warning per file.
    /// `whole` is the record's buffer when it is valid UTF-8 (checked once per record),
    /// so that a field of it is borrowed without validating it again.
    #[inline]
    fn text<'b>(&mut self, field: Field<'b>, whole: Option<&'b str>) -> Cow<'b, str> {
        let (from, to) = trim_blanks_range(field.bytes);
        let bytes = &field.bytes[from..to];
        let start = field.start + from;
        if let Some(text) = whole.and_then(|whole| whole.get(start..start + bytes.len())) {
            return Cow::Borrowed(text);
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => {
                if !self.encoding_warned {
                    self.encoding_warned = true;
                    self.push(Diagnostic::warning(
                        common::INVALID_ENCODING,
                        field.position,
                        "text is not ASCII or UTF-8; read as Windows-1252",
                    ));
                }
                let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
                text
            }
        }
    }

    fn required_text(
        &mut self,
        fields: &mut Fields<'_>,
        record: Code,
        name: &str,
    ) -> Option<String> {
        let here = fields.here();
        match fields.next_field() {
            Some(field) if !trim_blanks(field.bytes).is_empty() => {
                Some(self.text(field, None).into_owned())
            }
            _ => {
                self.missing(here, record, name, "a value");
                None
            }
        }
    }

    #[inline]
    fn type_code(&mut self, field: Field<'_>, record: Code) -> Option<u16> {
        let code = parse_type_code(field.bytes);
        if code.is_none() {
            self.push(
                Diagnostic::error(
                    codes::INVALID_TYPE_CODE,
                    field.position,
                    "invalid type code",
                )
                .record(record.name())
                .field("type_code")
                .expected("three digits")
                .found(shown(field.bytes)),
            );
        }
        code
    }

    fn date(
        &mut self,
        fields: &mut Fields<'_>,
        record: Code,
        name: &str,
        required: bool,
    ) -> Option<NaiveDate> {
        let here = fields.here();
        match fields.next_field() {
            Some(field) if !field.is_empty() => {
                let date = parse_date(field.bytes);
                if date.is_none() {
                    self.push(
                        Diagnostic::error(common::INVALID_DATE, field.position, "invalid date")
                            .record(record.name())
                            .field(name)
                            .expected("a date as YYMMDD")
                            .found(shown(field.bytes)),
                    );
                }
                date
            }
            _ => {
                if required {
                    self.missing(here, record, name, "a date as YYMMDD");
                }
                None
            }
        }
    }

    fn currency(&mut self, fields: &mut Fields<'_>, record: Code) -> Option<Currency> {
        let field = fields.next_field()?;
        let code = trim_blanks(field.bytes);
        if code.is_empty() {
            return None;
        }
        let currency = std::str::from_utf8(code)
            .ok()
            .and_then(|code| Currency::from_code(code).ok());
        if currency.is_none() {
            self.push(
                Diagnostic::error(
                    common::UNKNOWN_CURRENCY,
                    field.position,
                    "unknown currency code",
                )
                .record(record.name())
                .field("currency_code")
                .expected("an ISO 4217 code such as USD")
                .found(shown(field.bytes)),
            );
        }
        currency
    }

    /// An amount in minor units; `None` when empty (reported if required) or invalid.
    #[inline]
    fn amount(
        &mut self,
        field: Option<Field<'_>>,
        here: Position,
        record: Code,
        name: &str,
        required: bool,
        digits_max: u32,
    ) -> Option<i128> {
        let Some(field) = field.filter(|field| !field.is_empty()) else {
            if required {
                self.missing(here, record, name, "an amount in minor units");
            }
            return None;
        };
        match parse_amount(field.bytes, digits_max) {
            Ok(amount) => Some(amount),
            Err(error) => {
                let expected = match error {
                    NumberError::TooManyDigits => format!("at most {digits_max} digits"),
                    NumberError::Empty | NumberError::NotANumber => {
                        "an amount in minor units: digits with an optional sign, no decimal point"
                            .to_owned()
                    }
                };
                self.push(
                    Diagnostic::error(common::INVALID_AMOUNT, field.position, "invalid amount")
                        .record(record.name())
                        .field(name)
                        .expected(expected)
                        .found(shown(field.bytes)),
                );
                None
            }
        }
    }

    fn required_amount(
        &mut self,
        fields: &mut Fields<'_>,
        record: Code,
        name: &str,
    ) -> Option<(i128, Position)> {
        let here = fields.here();
        let field = fields.next_field();
        let amount = self.amount(field, here, record, name, true, TOTAL_DIGITS_MAX)?;
        Some((amount, field.map_or(here, |field| field.position)))
    }

    fn count(
        &mut self,
        fields: &mut Fields<'_>,
        record: Code,
        name: &str,
        required: bool,
    ) -> Option<(u64, Position)> {
        let here = fields.here();
        let Some(field) = fields.next_field().filter(|field| !field.is_empty()) else {
            if required {
                self.missing(here, record, name, "a number");
            }
            return None;
        };
        match parse_count(field.bytes) {
            Ok(count) => Some((count, field.position)),
            Err(_) => {
                self.push(
                    Diagnostic::error(codes::INVALID_COUNT, field.position, "invalid number")
                        .record(record.name())
                        .field(name)
                        .expected("an unsigned number of at most 18 digits")
                        .found(shown(field.bytes)),
                );
                None
            }
        }
    }

    fn required_count(
        &mut self,
        fields: &mut Fields<'_>,
        record: Code,
        name: &str,
    ) -> Option<(u64, Position)> {
        self.count(fields, record, name, true)
    }

    fn optional_count(&mut self, fields: &mut Fields<'_>, record: Code, name: &str) -> Option<u64> {
        self.count(fields, record, name, false)
            .map(|(count, _)| count)
    }

    /// Reads a funds type and the fields it brings: S three availability amounts, V a
    /// value date and time, D a count and that many (days, amount) pairs. The count of
    /// D is bounded by the fields actually present; nothing is allocated by it.
    fn funds(&mut self, fields: &mut Fields<'_>, record: Code) -> Funds {
        let Some(field) = fields.next_field() else {
            return Funds::Plain;
        };
        match field.bytes {
            // An empty funds type is read as Z (unknown availability).
            b"" | b"0" | b"1" | b"2" | b"Z" => Funds::Plain,
            b"S" => {
                for name in [
                    "immediate_availability",
                    "one_day_availability",
                    "two_day_availability",
                ] {
                    let here = fields.here();
                    let amount = fields.next_field();
                    self.amount(amount, here, record, name, false, AMOUNT_DIGITS_MAX);
                }
                Funds::Plain
            }
            b"V" => {
                let date = self.date(fields, record, "value_date", true);
                fields.next_field(); // value time: not used, not checked.
                Funds::Value(date)
            }
            b"D" => {
                let Some((count, _)) = self.required_count(fields, record, "distribution_count")
                else {
                    return Funds::Invalid;
                };
                let mut pairs = 0u64;
                while pairs < count {
                    let here = fields.here();
                    let (Some(days), Some(amount)) = (fields.next_field(), fields.next_field())
                    else {
                        self.push(
                            Diagnostic::error(
                                codes::DISTRIBUTION_INCOMPLETE,
                                here,
                                "the distribution (funds type D) has fewer (days, amount) pairs \
                                 than its count",
                            )
                            .record(record.name())
                            .field("distribution_count")
                            .expected(format!("{count} pairs"))
                            .found(format!("{pairs} pairs")),
                        );
                        return Funds::Invalid;
                    };
                    if days.is_empty() {
                        self.missing(
                            days.position,
                            record,
                            "availability_days",
                            "a number of days",
                        );
                    } else if parse_count(days.bytes).is_err() {
                        self.push(
                            Diagnostic::error(
                                codes::INVALID_COUNT,
                                days.position,
                                "invalid number",
                            )
                            .record(record.name())
                            .field("availability_days")
                            .expected("an unsigned number of days")
                            .found(shown(days.bytes)),
                        );
                    }
                    let amount_position = amount.position;
                    self.amount(
                        Some(amount),
                        amount_position,
                        record,
                        "availability_amount",
                        true,
                        AMOUNT_DIGITS_MAX,
                    );
                    pairs += 1;
                }
                Funds::Plain
            }
            _ => {
                self.push(
                    Diagnostic::error(
                        codes::INVALID_FUNDS_TYPE,
                        field.position,
                        "invalid funds type",
                    )
                    .record(record.name())
                    .field("funds_type")
                    .expected("0, 1, 2, S, V, D or Z")
                    .found(shown(field.bytes)),
                );
                Funds::Invalid
            }
        }
    }
}

/// Names the record found where another was expected, or the end of the file.
fn with_found(diagnostic: Diagnostic, found: Option<Code>) -> Diagnostic {
    match found {
        Some(code) => diagnostic.record(code.name()).found(code.name()),
        None => diagnostic.found("the end of the file"),
    }
}

#[inline]
fn trim_blanks(bytes: &[u8]) -> &[u8] {
    let (start, end) = trim_blanks_range(bytes);
    bytes.get(start..end).unwrap_or_default()
}
