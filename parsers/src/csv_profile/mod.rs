//! Bank CSV exports, read through a profile that says how this bank writes them.
//!
//! Every bank's export differs (delimiter, encoding, decimal comma, date format, sign
//! convention, header lines), so a [`CsvProfile`] names each choice. The built-in
//! default profile reads the header [`DEFAULT_HEADER`] with signed amounts, credits
//! positive. One CSV file is one statement of one account.

mod amount;
pub mod codes;
mod profile;
mod records;

use std::borrow::Cow;
use std::io::BufRead;

use chrono::NaiveDate;

use crate::diagnostic::{codes as common, Diagnostic, Diagnostics};
use crate::model::{Account, Direction, EntryStatus, Remittance, Statement, Transaction};
use crate::money::{Currency, Money};
use crate::options::Options;
use crate::position::Position;
use crate::scratch;
use crate::sink::Sink;
use records::{Record, Records};

pub use profile::{ColumnRef, Columns, CsvProfile, SignConvention, TextEncoding};

/// The header of the built-in default profile. Tooling outside this repo writes files
/// with it, so it never changes.
pub const DEFAULT_HEADER: &str =
    "booking_date,value_date,amount,currency,bank_ref,payer_name,payer_account,description";

/// Parses a CSV export with the profile in `options` (or the built-in default).
/// Returns the profile name as the format version.
pub fn parse<R: BufRead>(
    mut input: R,
    options: &Options,
    sink: &mut dyn Sink,
    diagnostics: &mut Diagnostics,
) -> Option<String> {
    let default_profile;
    let profile = match &options.csv_profile {
        Some(profile) => profile,
        None => {
            default_profile = CsvProfile::default_profile();
            &default_profile
        }
    };
    let skipped = match skip_lines(&mut input, profile.skip_lines) {
        Ok(skipped) => skipped,
        Err(error) => {
            diagnostics.push(Diagnostic::error(
                common::READ_FAILED,
                Position::default(),
                format!("could not read the file: {error}"),
            ));
            return Some(profile.name.clone());
        }
    };
    let limits = &options.limits;
    let mut reader = Records::new(
        input,
        profile.delimiter_byte(),
        profile.quote_byte(),
        limits.line_length_bytes_max,
        limits.file_size_bytes_max.saturating_sub(skipped.bytes),
    );
    let mut rows = RowReader {
        profile,
        last_currency: None,
        line_offset: skipped.lines,
        byte_offset: skipped.bytes,
        diagnostics,
        lines: Vec::new(),
        date_text: String::new(),
        date: None,
    };
    rows.run(&mut reader, options, sink);
    Some(profile.name.clone())
}

/// How much `skip_lines` consumed, so that positions still count from the file start.
struct Skipped {
    lines: u64,
    bytes: u64,
}

/// Skips `count` lines, ended by `\n`, `\r\n` or a lone `\r` as records are.
fn skip_lines<R: BufRead>(input: &mut R, count: usize) -> std::io::Result<Skipped> {
    let mut skipped = Skipped { lines: 0, bytes: 0 };
    while skipped.lines < count as u64 {
        let available = input.fill_buf()?;
        if available.is_empty() {
            break;
        }
        let Some(end) = memchr::memchr2(b'\n', b'\r', available) else {
            let taken = available.len();
            input.consume(taken);
            skipped.bytes += taken as u64;
            continue;
        };
        let carriage_return = available[end] == b'\r';
        input.consume(end + 1);
        skipped.bytes += end as u64 + 1;
        skipped.lines += 1;
        if carriage_return && input.fill_buf()?.first() == Some(&b'\n') {
            input.consume(1);
            skipped.bytes += 1;
        }
    }
    Ok(skipped)
}

/// One row as the field readers see it: the record, and its bytes as text when they
/// are UTF-8, validated once for the whole row rather than field by field.
struct Row<'r> {
    record: &'r Record<'r>,
    utf8: Option<&'r str>,
}

impl<'r> Row<'r> {
    fn new(record: &'r Record<'r>, encoding: TextEncoding) -> Row<'r> {
        let utf8 = match encoding {
            TextEncoding::Utf8 => std::str::from_utf8(record.bytes).ok(),
            TextEncoding::Windows1252 => None,
        };
        Row { record, utf8 }
    }
}

/// `str::trim`, with a quick answer for the usual field that starts and ends with a
/// printable ASCII character.
fn trim(text: &str) -> &str {
    let printable = |byte: Option<&u8>| byte.is_some_and(|byte| byte.is_ascii_graphic());
    let bytes = text.as_bytes();
    if printable(bytes.first()) && printable(bytes.last()) {
        text
    } else {
        text.trim()
    }
}

/// Column positions resolved against the header (or given as indexes).
struct ResolvedColumns {
    booking_date: usize,
    value_date: Option<usize>,
    amount: Option<usize>,
    credit: Option<usize>,
    debit: Option<usize>,
    direction: Option<usize>,
    currency: Option<usize>,
    bank_ref: Option<usize>,
    payer_name: Option<usize>,
    payer_account: Option<usize>,
    description: Vec<usize>,
}

/// What a row gives besides its texts.
struct RowValues {
    direction: Direction,
    amount: Money,
    booking_date: Option<NaiveDate>,
    value_date: Option<NaiveDate>,
}

struct RowReader<'a> {
    profile: &'a CsvProfile,
    /// The currency of the last row, as files use one or two.
    last_currency: Option<Currency>,
    line_offset: u64,
    byte_offset: u64,
    diagnostics: &'a mut Diagnostics,
    /// The storage of the lines of the transaction lent to the sink, kept for the next
    /// row (its texts borrow the row's record).
    lines: Vec<Cow<'static, str>>,
    /// The last date read and its text: rows of an export share a few dates, and
    /// building a date is a good part of reading a row.
    date_text: String,
    date: Option<NaiveDate>,
}

impl RowReader<'_> {
    fn position(&self, record: &Record<'_>) -> Position {
        Position::new(
            record.start.byte + self.byte_offset,
            record.start.line + self.line_offset,
            record.start.record,
        )
    }

    fn run<R: BufRead>(&mut self, reader: &mut Records<R>, options: &Options, sink: &mut dyn Sink) {
        let mut columns: Option<ResolvedColumns> = None;
        // The header's fields, trimmed, to recognise it where it is repeated.
        let mut header_row: Vec<Vec<u8>> = Vec::new();
        let mut rows = 0u64;
        let mut first = true;
        loop {
            let record = match reader.next_record() {
                Ok(Some(record)) => record,
                Ok(None) => break,
                Err(error) => {
                    self.stopped(error, options);
                    break;
                }
            };
            let position = self.position(&record);
            if first {
                first = false;
                if self.profile.has_header {
                    header_row = record
                        .iter()
                        .map(|field| field.trim_ascii().to_vec())
                        .collect();
                    let header: Vec<String> = record.iter().map(|f| self.decode(f)).collect();
                    match self.resolve(Some(&header), position) {
                        Some(resolved) => columns = Some(resolved),
                        None => return,
                    }
                    let statement = self.statement(position);
                    sink.statement(statement);
                    continue;
                }
                match self.resolve(None, position) {
                    Some(resolved) => columns = Some(resolved),
                    None => return,
                }
                let statement = self.statement(position);
                sink.statement(statement);
            }
            if record
                .iter()
                .all(|field| field.iter().all(u8::is_ascii_whitespace))
            {
                continue;
            }
            // Exports that repeat the header (at a page break, or at the end) hold no
            // transaction there.
            if !header_row.is_empty()
                && record.fields.len() == header_row.len()
                && record
                    .iter()
                    .zip(&header_row)
                    .all(|(field, name)| field.trim_ascii() == &name[..])
            {
                continue;
            }
            rows += 1;
            if rows > options.limits.records_max {
                self.diagnostics.push(Diagnostic::error(
                    common::TOO_MANY_RECORDS,
                    position,
                    format!(
                        "more than {} rows; raise limits.records_max to read this file",
                        options.limits.records_max
                    ),
                ));
                return;
            }
            let Some(columns) = columns.as_ref() else {
                return;
            };
            let row = Row::new(&record, self.profile.encoding);
            if let Some(values) = self.row(columns, &row, position) {
                self.lend(columns, &row, values, position, sink);
            }
            if self.diagnostics.is_full() {
                return;
            }
        }
        if first {
            self.diagnostics.push(Diagnostic::error(
                common::EMPTY_FILE,
                Position::default(),
                "the file has no header and no rows",
            ));
        }
    }

    /// Reports why the records stopped before the end of the file.
    fn stopped(&mut self, error: records::ReadError, options: &Options) {
        let position = Position::new(
            error.byte + self.byte_offset,
            error.line + self.line_offset,
            0,
        );
        let limits = &options.limits;
        let (code, message) = match error.stop {
            records::Stop::Read(error) => {
                (common::READ_FAILED, format!("could not read the file: {error}"))
            }
            records::Stop::LineTooLong => (
                common::LINE_TOO_LONG,
                format!(
                    "a line or quoted record is longer than {} bytes (limits.line_length_bytes_max); nothing after it is read",
                    limits.line_length_bytes_max
                ),
            ),
            records::Stop::FileTooLarge => (
                common::FILE_TOO_LARGE,
                format!(
                    "the file is larger than {} bytes (limits.file_size_bytes_max)",
                    limits.file_size_bytes_max
                ),
            ),
        };
        self.diagnostics
            .push(Diagnostic::error(code, position, message).record("row"));
    }

    fn statement(&self, position: Position) -> Statement {
        Statement {
            id: String::new(),
            account: Account {
                number: self.profile.account.clone().unwrap_or_default(),
                servicer: None,
                currency: self.profile.currency,
                name: None,
            },
            opening_balance: None,
            closing_balance: None,
            from_date: None,
            to_date: None,
            position,
        }
    }

    fn decode(&self, field: &[u8]) -> String {
        match self.profile.encoding {
            TextEncoding::Utf8 => String::from_utf8_lossy(field).into_owned(),
            TextEncoding::Windows1252 => encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(field)
                .0
                .into_owned(),
        }
    }

    fn resolve(
        &mut self,
        header: Option<&[String]>,
        position: Position,
    ) -> Option<ResolvedColumns> {
        let mut missing = Vec::new();
        let mut find = |column: &Option<ColumnRef>, name: &str, required: bool| -> Option<usize> {
            let column = column.as_ref()?;
            let found = match column {
                ColumnRef::Index(index) => index.checked_sub(1),
                ColumnRef::Name(wanted) => header.and_then(|header| {
                    header
                        .iter()
                        .position(|h| h.trim().eq_ignore_ascii_case(wanted.trim()))
                }),
            };
            if found.is_none() && required {
                missing.push(format!("{name} ({column})"));
            }
            found
        };
        let columns = &self.profile.columns;
        let booking_date = find(&columns.booking_date, "booking_date", true);
        let value_date = find(&columns.value_date, "value_date", false);
        let amount = find(&columns.amount, "amount", columns.credit.is_none());
        let credit = find(&columns.credit, "credit", columns.amount.is_none());
        let debit = find(&columns.debit, "debit", columns.amount.is_none());
        let direction = find(&columns.direction, "direction", false);
        let currency = find(
            &columns.currency,
            "currency",
            self.profile.currency.is_none(),
        );
        let bank_ref = find(&columns.bank_ref, "bank_ref", false);
        let payer_name = find(&columns.payer_name, "payer_name", false);
        let payer_account = find(&columns.payer_account, "payer_account", false);
        let description: Vec<usize> = columns
            .description
            .iter()
            .filter_map(|column| find(&Some(column.clone()), "description", false))
            .collect();
        if amount.is_none() && credit.is_none() && debit.is_none() && missing.is_empty() {
            missing.push("amount, or credit and debit".to_owned());
        }
        if !missing.is_empty() || booking_date.is_none() {
            let found = header.map(|h| h.join(",")).unwrap_or_default();
            self.diagnostics.push(
                Diagnostic::error(
                    codes::MISSING_COLUMN,
                    position,
                    format!(
                        "profile {:?} needs columns the file does not have: {}",
                        self.profile.name,
                        missing.join(", ")
                    ),
                )
                .record("header")
                .found(found),
            );
            return None;
        }
        Some(ResolvedColumns {
            booking_date: booking_date?,
            value_date,
            amount,
            credit,
            debit,
            direction,
            currency,
            bank_ref,
            payer_name,
            payer_account,
            description,
        })
    }

    /// The trimmed text of a field, borrowed from the record when it is valid UTF-8
    /// (the common case), so that fields that are only parsed cost no allocation.
    fn borrowed<'r>(&self, record: &Row<'r>, column: Option<usize>) -> Option<Cow<'r, str>> {
        Self::field(self.profile, record, column)
    }

    /// [`RowReader::borrowed`] without `self`, so that the row's record can be filled
    /// while a field is borrowed.
    fn field<'r>(
        profile: &CsvProfile,
        record: &Row<'r>,
        column: Option<usize>,
    ) -> Option<Cow<'r, str>> {
        let (start, end) = *record.record.fields.get(column?)?;
        let field = record.record.bytes.get(start..end)?;
        let text = match profile.encoding {
            TextEncoding::Utf8 => match record.utf8.and_then(|whole| whole.get(start..end)) {
                Some(text) => Cow::Borrowed(text),
                None => String::from_utf8_lossy(field),
            },
            TextEncoding::Windows1252 => {
                encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(field)
                    .0
            }
        };
        let trimmed = match text {
            Cow::Borrowed(text) => Cow::Borrowed(trim(text)),
            Cow::Owned(text) if trim(&text).len() == text.len() => Cow::Owned(text),
            Cow::Owned(text) => Cow::Owned(trim(&text).to_owned()),
        };
        (!trimmed.is_empty()).then_some(trimmed)
    }

    fn error(
        &mut self,
        code: crate::DiagnosticCode,
        position: Position,
        field: &str,
        found: &str,
        expected: &str,
        message: &str,
    ) {
        self.diagnostics.push(
            Diagnostic::error(code, position, message)
                .record("row")
                .field(field)
                .found(found)
                .expected(expected),
        );
    }

    fn date(
        &mut self,
        record: &Row<'_>,
        column: Option<usize>,
        field: &str,
        position: Position,
    ) -> Result<Option<NaiveDate>, ()> {
        let Some(text) = self.borrowed(record, column) else {
            return Ok(None);
        };
        if self.date.is_some() && self.date_text == text {
            return Ok(self.date);
        }
        let parsed = iso_date(&text, &self.profile.date_format)
            .or_else(|| NaiveDate::parse_from_str(&text, &self.profile.date_format).ok());
        match parsed {
            Some(date) => {
                self.date_text.clear();
                self.date_text.push_str(&text);
                self.date = Some(date);
                Ok(Some(date))
            }
            None => {
                let expected = format!("a date like {}", self.profile.date_format);
                self.error(
                    common::INVALID_DATE,
                    position,
                    field,
                    &text,
                    &expected,
                    "not a valid date",
                );
                Err(())
            }
        }
    }

    /// Reads and checks a row's values; `None` when the row gives no transaction.
    fn row(
        &mut self,
        columns: &ResolvedColumns,
        record: &Row<'_>,
        position: Position,
    ) -> Option<RowValues> {
        let mut ok = true;
        let booking_date =
            match self.date(record, Some(columns.booking_date), "booking_date", position) {
                Ok(Some(date)) => Some(date),
                Ok(None) => {
                    self.error(
                        common::MISSING_FIELD,
                        position,
                        "booking_date",
                        "",
                        "a date",
                        "the booking date is empty",
                    );
                    ok = false;
                    None
                }
                Err(()) => {
                    ok = false;
                    None
                }
            };
        let value_date = self
            .date(record, columns.value_date, "value_date", position)
            .unwrap_or_else(|()| {
                ok = false;
                None
            });
        let currency = match self.borrowed(record, columns.currency) {
            // Files use one currency or two: reuse the last lookup.
            Some(code)
                if self
                    .last_currency
                    .is_some_and(|last| last.code().eq_ignore_ascii_case(&code)) =>
            {
                self.last_currency
            }
            Some(code) => match Currency::from_code(&code) {
                Ok(currency) => {
                    self.last_currency = Some(currency);
                    Some(currency)
                }
                Err(error) => {
                    self.error(
                        common::UNKNOWN_CURRENCY,
                        position,
                        "currency",
                        &code,
                        "an ISO 4217 code",
                        &error.to_string(),
                    );
                    ok = false;
                    None
                }
            },
            None => match self.profile.currency {
                Some(currency) => Some(currency),
                None => {
                    self.error(
                        common::MISSING_FIELD,
                        position,
                        "currency",
                        "",
                        "an ISO 4217 code",
                        "the currency is empty",
                    );
                    ok = false;
                    None
                }
            },
        };
        let signed = self.signed_amount(columns, record, position);
        if !ok {
            return None;
        }
        let (currency, signed) = (currency?, signed?);
        let direction = match self.borrowed(record, columns.direction) {
            Some(marker) => self.direction_from_marker(&marker, position)?,
            None => {
                let credit_positive = self.profile.sign == SignConvention::CreditPositive;
                if signed.is_sign_negative() == credit_positive {
                    Direction::Debit
                } else {
                    Direction::Credit
                }
            }
        };
        Some(RowValues {
            direction,
            amount: Money::new(signed.abs(), currency),
            booking_date,
            value_date,
        })
    }

    /// Lends the row's transaction to the sink, its texts borrowed from the row. Built
    /// here, in place, rather than returned by [`RowReader::row`]: moving the whole
    /// transaction once more per row was a measurable part of reading a row.
    fn lend(
        &mut self,
        columns: &ResolvedColumns,
        record: &Row<'_>,
        values: RowValues,
        position: Position,
        sink: &mut dyn Sink,
    ) {
        let text = |column: Option<usize>| Self::field(self.profile, record, column);
        // A `Vec<Cow<'static, str>>` is a `Vec<Cow<'_, str>>` as it is.
        let mut lines: Vec<Cow<'_, str>> = std::mem::take(&mut self.lines);
        for &column in &columns.description {
            if let Some(line) = text(Some(column)) {
                lines.push(line);
            }
        }
        let tx = Transaction {
            direction: values.direction,
            amount: values.amount,
            status: EntryStatus::Booked,
            reversal: false,
            booking_date: values.booking_date,
            value_date: values.value_date,
            bank_ref: text(columns.bank_ref).unwrap_or_default(),
            end_to_end_id: None,
            customer_ref: None,
            trace_number: None,
            payer_name: text(columns.payer_name),
            payer_account: text(columns.payer_account),
            bank_tx_code: None,
            remittance: Remittance {
                lines,
                items: Vec::new(),
            },
            return_info: None,
            position,
        };
        sink.transaction(&tx);
        self.lines = scratch::recycle(tx.remittance.lines);
    }

    fn direction_from_marker(&mut self, marker: &str, position: Position) -> Option<Direction> {
        let profile = self.profile;
        if profile
            .credit_markers
            .iter()
            .any(|m| m.eq_ignore_ascii_case(marker))
        {
            return Some(Direction::Credit);
        }
        if profile
            .debit_markers
            .iter()
            .any(|m| m.eq_ignore_ascii_case(marker))
        {
            return Some(Direction::Debit);
        }
        let expected = format!(
            "one of {:?} or {:?}",
            profile.credit_markers, profile.debit_markers
        );
        self.error(
            codes::UNKNOWN_DIRECTION,
            position,
            "direction",
            marker,
            &expected,
            "the credit/debit marker is not one the profile knows",
        );
        None
    }

    /// The signed amount in the profile's sign convention: from the amount column, or
    /// from the credit and debit columns (credit positive).
    fn signed_amount(
        &mut self,
        columns: &ResolvedColumns,
        record: &Row<'_>,
        position: Position,
    ) -> Option<rust_decimal::Decimal> {
        let separators = amount::Separators {
            decimal: self.profile.decimal_separator,
            thousands: self.profile.thousands_separator,
            symbol: self.profile.currency_symbol.as_deref(),
        };
        let parse = |this: &mut Self,
                     column: Option<usize>,
                     field: &str|
         -> Result<Option<rust_decimal::Decimal>, ()> {
            let Some(text) = this.borrowed(record, column) else {
                return Ok(None);
            };
            match amount::parse_amount(&text, &separators) {
                Some(value) => Ok(Some(value)),
                None => {
                    let expected =
                        format!("an amount with decimal separator {:?}", separators.decimal);
                    this.error(
                        common::INVALID_AMOUNT,
                        position,
                        field,
                        &text,
                        &expected,
                        "not a valid amount",
                    );
                    Err(())
                }
            }
        };
        if columns.amount.is_some() {
            return match parse(self, columns.amount, "amount") {
                Ok(Some(value)) => Some(value),
                Ok(None) => {
                    self.error(
                        common::MISSING_FIELD,
                        position,
                        "amount",
                        "",
                        "an amount",
                        "the amount is empty",
                    );
                    None
                }
                Err(()) => None,
            };
        }
        let credit = parse(self, columns.credit, "credit").ok()?;
        let debit = parse(self, columns.debit, "debit").ok()?;
        let credit_positive = self.profile.sign == SignConvention::CreditPositive;
        let signed = |credit: rust_decimal::Decimal| if credit_positive { credit } else { -credit };
        match (credit, debit) {
            (Some(credit), None) => Some(signed(credit.abs())),
            (None, Some(debit)) => Some(signed(-debit.abs())),
            (Some(credit), Some(debit)) if debit.is_zero() => Some(signed(credit.abs())),
            (Some(credit), Some(debit)) if credit.is_zero() => Some(signed(-debit.abs())),
            (Some(credit), Some(debit)) => {
                let found = format!("credit {credit}, debit {debit}");
                self.error(
                    codes::BOTH_CREDIT_AND_DEBIT,
                    position,
                    "credit/debit",
                    &found,
                    "an amount in only one of the two columns",
                    "the row has both a credit and a debit",
                );
                None
            }
            (None, None) => {
                self.error(
                    common::MISSING_FIELD,
                    position,
                    "credit/debit",
                    "",
                    "an amount in the credit or the debit column",
                    "both amount columns are empty",
                );
                None
            }
        }
    }
}

/// `YYYY-MM-DD` read directly when the profile's format is `%Y-%m-%d`, the built-in
/// default; anything else (or an impossible date) is left to chrono, which then gives
/// the same answer or the same error as before.
fn iso_date(text: &str, format: &str) -> Option<NaiveDate> {
    if format != "%Y-%m-%d" {
        return None;
    }
    let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] =
        *<&[u8; 10]>::try_from(text.as_bytes()).ok()?
    else {
        return None;
    };
    let digit = |byte: u8| byte.is_ascii_digit().then(|| u32::from(byte - b'0'));
    let year = ((digit(y1)? * 10 + digit(y2)?) * 10 + digit(y3)?) * 10 + digit(y4)?;
    let month = digit(m1)? * 10 + digit(m2)?;
    let day = digit(d1)? * 10 + digit(d2)?;
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

#[cfg(test)]
mod tests;
