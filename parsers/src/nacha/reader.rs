//! The NACHA file structure: file header, batches of entries and addenda, batch and
//! file controls, padding; every count, hash and total checked against the records.

use std::io::BufRead;

use super::codes;
use super::entry::{read_entry, BatchContext, InPlace, PendingEntry};
use super::fields::{digits, digits_in, julian, lossy, Record, RECORD_LENGTH};
use super::split::{Piece, Splitter};
use crate::diagnostic::{codes as common, Diagnostic, Diagnostics, Severity};
use crate::model::{Account, Statement};
use crate::money::Currency;
use crate::options::Options;
use crate::position::Position;
use crate::sink::Sink;

const FILE_HEADER: &str = "file header (1)";
const BATCH_HEADER: &str = "batch header (5)";
const ENTRY: &str = "entry detail (6)";
const ADDENDA: &str = "addenda (7)";
const BATCH_CONTROL: &str = "batch control (8)";
const FILE_CONTROL: &str = "file control (9)";
const PADDING: &str = "padding (9)";

/// The entry hash is kept modulo 10^10: only its ten low digits are in the controls.
const HASH_MODULUS: u64 = 10_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Nothing read yet.
    Start,
    /// After the file header, between batches.
    File,
    /// After the file control: only padding may follow.
    AfterControl,
}

/// Running controls of a batch or of the whole file.
#[derive(Debug, Default, Clone, Copy)]
struct Controls {
    entry_addenda: u64,
    hash: u64,
    debit: u128,
    credit: u128,
}

struct Batch {
    context: BatchContext,
    position: Position,
    service_class: [u8; 3],
    /// Service class 220 and 225, decided once for the batch's entries.
    credits_only: bool,
    debits_only: bool,
    company_id_raw: [u8; 10],
    batch_number: [u8; 7],
    controls: Controls,
    class_reported: bool,
}

pub(super) struct Reader<'a> {
    options: &'a Options,
    diagnostics: &'a mut Diagnostics,
    phase: Phase,
    batch: Option<Batch>,
    entry: PendingEntry,
    /// Where the addenda of an entry read in place start, kept for the next entry.
    addenda_offsets: Vec<usize>,
    /// An entry that could not be used: its addenda are skipped quietly.
    skipping_addenda: bool,
    file: Controls,
    batches: u64,
    records: u64,
    adv_file: bool,
    declared_blocks: Option<(u128, Position)>,
    file_control_seen: bool,
    reported_long: bool,
    reported_short: bool,
    reported_blank: bool,
    reported_padding: bool,
    reported_missing_header: bool,
}

impl<'a> Reader<'a> {
    pub(super) fn new(options: &'a Options, diagnostics: &'a mut Diagnostics) -> Reader<'a> {
        Reader {
            options,
            diagnostics,
            phase: Phase::Start,
            batch: None,
            entry: PendingEntry::default(),
            addenda_offsets: Vec::new(),
            skipping_addenda: false,
            file: Controls::default(),
            batches: 0,
            records: 0,
            adv_file: false,
            declared_blocks: None,
            file_control_seen: false,
            reported_long: false,
            reported_short: false,
            reported_blank: false,
            reported_padding: false,
            reported_missing_header: false,
        }
    }

    pub(super) fn run<R: BufRead>(&mut self, input: R, sink: &mut dyn Sink) {
        let limits = &self.options.limits;
        let mut splitter = Splitter::new(input, b'\n', limits.line_length_bytes_max);
        let mut line: u64 = 0;
        let mut padded = [b' '; RECORD_LENGTH];
        loop {
            line += 1;
            match splitter.next() {
                Piece::Record { bytes, start, tail } => {
                    let in_place = match bytes.first() {
                        Some(b'6') if line > 1 => self.entries_in_place(tail, start, line, sink),
                        _ => None,
                    };
                    if let Some((length, lines)) = in_place {
                        splitter.take_more(start, length);
                        line += lines - 1;
                        continue;
                    }
                    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
                    // A UTF-8 byte order mark some Windows tools write is not content.
                    let bytes = match (line, bytes.strip_prefix(b"\xEF\xBB\xBF")) {
                        (1, Some(rest)) => rest,
                        _ => bytes,
                    };
                    let position = Position::new(start, line, self.records);
                    if let Some(record) = self.normalize(bytes, position, &mut padded) {
                        self.records += 1;
                        if let Some(record) = record {
                            self.record(record, sink);
                        }
                    }
                }
                Piece::TooLong { start, len } => {
                    self.diagnostics.push(
                        Diagnostic::error(
                            codes::RECORD_LENGTH,
                            Position::new(start, line, self.records),
                            "line is far longer than a NACHA record; it was skipped",
                        )
                        .expected(format!("{RECORD_LENGTH} characters"))
                        .found(format!("{len} characters")),
                    );
                    self.records += 1;
                }
                Piece::Failed(error) => {
                    self.diagnostics.push(Diagnostic::error(
                        common::READ_FAILED,
                        Position::new(splitter.offset(), line, self.records),
                        format!("could not read the file: {error}"),
                    ));
                    break;
                }
                Piece::End => break,
            }
            if self.records > limits.records_max {
                self.diagnostics.push(Diagnostic::error(
                    common::TOO_MANY_RECORDS,
                    Position::new(splitter.offset(), line, self.records),
                    format!(
                        "more than {} records: the rest of the file is not read",
                        limits.records_max
                    ),
                ));
                break;
            }
            if splitter.offset() > limits.file_size_bytes_max {
                self.diagnostics.push(Diagnostic::error(
                    common::FILE_TOO_LARGE,
                    Position::new(splitter.offset(), line, self.records),
                    format!(
                        "the file is larger than {} bytes: the rest is not read",
                        limits.file_size_bytes_max
                    ),
                ));
                break;
            }
            if self.diagnostics.is_full() && self.diagnostics.has_error() {
                // The file is rejected and no more diagnostics can be kept.
                return;
            }
        }
        let end = Position::new(splitter.offset(), line, self.records);
        self.finish(end, sink);
    }

    /// Brings a line to exactly 94 bytes, or reports it. `None`: not a record (blank
    /// line); `Some(None)`: a record that cannot be read.
    fn normalize<'b>(
        &mut self,
        bytes: &'b [u8],
        position: Position,
        padded: &'b mut [u8; RECORD_LENGTH],
    ) -> Option<Option<Record<'b>>> {
        let name = record_name(bytes);
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            if !self.reported_blank {
                self.reported_blank = true;
                self.diagnostics.push(
                    Diagnostic::warning(
                        codes::BLANK_LINE,
                        position,
                        "blank line ignored (further blank lines are not reported)",
                    )
                    .expected("a record"),
                );
            }
            return None;
        }
        let record = |bytes: &'b [u8]| Record::new(bytes, position, name);
        if bytes.len() == RECORD_LENGTH {
            return Some(Some(record(bytes)));
        }
        if bytes.len() > RECORD_LENGTH {
            if bytes[RECORD_LENGTH..]
                .iter()
                .all(|&b| b == b' ' || b == b'\t')
            {
                if !self.reported_long {
                    self.reported_long = true;
                    self.diagnostics.push(
                        Diagnostic::warning(
                            codes::RECORD_LENGTH,
                            position,
                            "record has trailing spaces beyond 94 characters; they are ignored (further such records are not reported)",
                        )
                        .record(name)
                        .expected(format!("{RECORD_LENGTH} characters"))
                        .found(format!("{} characters", bytes.len())),
                    );
                }
                return Some(Some(record(&bytes[..RECORD_LENGTH])));
            }
            self.diagnostics.push(
                Diagnostic::error(
                    codes::RECORD_LENGTH,
                    position,
                    "record is longer than 94 characters; it was skipped",
                )
                .record(name)
                .expected(format!("{RECORD_LENGTH} characters"))
                .found(format!("{} characters", bytes.len())),
            );
            return Some(None);
        }
        // Shorter: read as if the trailing spaces were there. A record cut inside a
        // field fails that field's own check.
        if !self.reported_short {
            self.reported_short = true;
            self.diagnostics.push(
                Diagnostic::warning(
                    codes::RECORD_LENGTH,
                    position,
                    "record is shorter than 94 characters; read as padded with spaces (further such records are not reported)",
                )
                .record(name)
                .expected(format!("{RECORD_LENGTH} characters"))
                .found(format!("{} characters", bytes.len())),
            );
        }
        padded.fill(b' ');
        padded[..bytes.len()].copy_from_slice(bytes);
        Some(Some(Record::new(&padded[..], position, name)))
    }

    fn record(&mut self, record: Record<'_>, sink: &mut dyn Sink) {
        if self.phase == Phase::AfterControl {
            if !is_padding(record.bytes) && !self.reported_padding {
                self.reported_padding = true;
                self.diagnostics.push(
                    Diagnostic::error(
                        codes::BAD_PADDING,
                        record.position,
                        "only padding records may follow the file control",
                    )
                    .record(record.name)
                    .expected("a record of 94 '9's")
                    .found(preview(record.bytes)),
                );
            }
            return;
        }
        let kind = record.bytes[0];
        if kind != b'1' && self.phase == Phase::Start {
            self.phase = Phase::File;
            if !self.reported_missing_header {
                self.reported_missing_header = true;
                self.diagnostics.push(
                    Diagnostic::error(
                        codes::MISSING_FILE_HEADER,
                        record.position,
                        "the file does not start with a file header record",
                    )
                    .record(record.name)
                    .expected("record type 1")
                    .found(lossy(&record.bytes[..1])),
                );
            }
        }
        if kind != b'7' {
            self.skipping_addenda = false;
        }
        match kind {
            b'1' => self.file_header(record),
            b'5' => {
                self.close_entry(sink);
                if self.batch.is_some() {
                    self.missing_batch_control(record.position);
                }
                self.batch_header(record, sink);
            }
            b'6' => {
                self.close_entry(sink);
                self.entry_detail(&record, true);
            }
            b'7' => self.addenda(record),
            b'8' => {
                self.close_entry(sink);
                self.batch_control(record);
            }
            b'9' if is_padding(record.bytes) => {
                self.diagnostics.push(
                    Diagnostic::error(
                        codes::UNEXPECTED_RECORD,
                        record.position,
                        "padding record before the file control",
                    )
                    .record(PADDING)
                    .expected("file control (9) before padding"),
                );
            }
            b'9' => {
                self.close_entry(sink);
                if self.batch.is_some() {
                    self.missing_batch_control(record.position);
                }
                self.file_control(record);
            }
            _ => self.diagnostics.push(
                Diagnostic::error(
                    codes::UNKNOWN_RECORD_TYPE,
                    record.position,
                    "unknown record type",
                )
                .field("record type")
                .expected("1, 5, 6, 7, 8 or 9")
                .found(lossy(&record.bytes[..1])),
            ),
        }
    }

    fn file_header(&mut self, record: Record<'_>) {
        if self.phase != Phase::Start {
            self.diagnostics.push(
                Diagnostic::error(
                    codes::UNEXPECTED_RECORD,
                    record.position,
                    "a second file header inside the file",
                )
                .record(FILE_HEADER)
                .expected("one file header, at the start"),
            );
            return;
        }
        self.phase = Phase::File;
        for (start, end, field, expected) in [
            (35, 37, "record size", &b"094"[..]),
            (38, 39, "blocking factor", b"10"),
            (40, 40, "format code", b"1"),
        ] {
            let found = record.raw(start, end);
            if found != expected {
                self.diagnostics.push(
                    Diagnostic::warning(
                        codes::INVALID_FIELD,
                        record.position,
                        format!("unusual {field} (positions {start}-{end})"),
                    )
                    .record(FILE_HEADER)
                    .field(field)
                    .expected(lossy(expected))
                    .found(lossy(found)),
                );
            }
        }
    }

    fn batch_header(&mut self, record: Record<'_>, sink: &mut dyn Sink) {
        if self.phase == Phase::Start {
            self.phase = Phase::File;
        }
        let service_class = record.number(2, 4, "service class code", self.diagnostics);
        if let Some(class) = service_class {
            if ![200, 220, 225, 280].contains(&class) {
                self.diagnostics.push(record.invalid(
                    "service class code",
                    2,
                    4,
                    "must be 200, 220, 225 or 280",
                ));
            }
        }
        let sec = record.text(51, 53);
        if sec.len() != 3 || !sec.bytes().all(|b| b.is_ascii_uppercase()) {
            self.diagnostics.push(record.invalid(
                "standard entry class code",
                51,
                53,
                "must be a three-letter SEC code",
            ));
        }
        let effective = record.date(70, 75, "effective entry date", self.diagnostics);
        let settlement = julian(record.raw(76, 78), effective);
        let batch_number = record.raw(88, 94);
        if digits(batch_number).is_none() {
            self.diagnostics
                .push(record.invalid("batch number", 88, 94, "must be digits"));
        }
        let company_name = record.text(5, 20);
        let company_id = record.text(41, 50);
        let odfi = record.text(80, 87);
        let adv = sec == "ADV";
        self.adv_file |= adv;
        let context = BatchContext::new(
            sec,
            (!company_name.is_empty()).then_some(company_name),
            (!company_id.is_empty()).then_some(company_id),
            effective,
            settlement,
        );
        let id = match &context.company_id {
            Some(company) => format!("{}-{company}", lossy(batch_number)),
            None => lossy(batch_number),
        };
        sink.statement(Statement {
            id,
            account: Account {
                number: context.company_id.clone().unwrap_or_default(),
                servicer: (!odfi.is_empty()).then_some(odfi),
                currency: Some(Currency::USD),
                name: context.company_name.clone(),
            },
            opening_balance: None,
            closing_balance: None,
            from_date: effective,
            to_date: effective,
            position: record.position,
        });
        let mut batch = Batch {
            context,
            position: record.position,
            service_class: [b' '; 3],
            credits_only: false,
            debits_only: false,
            company_id_raw: [b' '; 10],
            batch_number: [b' '; 7],
            controls: Controls::default(),
            class_reported: false,
        };
        batch.service_class.copy_from_slice(record.raw(2, 4));
        batch.credits_only = batch.service_class == *b"220";
        batch.debits_only = batch.service_class == *b"225";
        batch.company_id_raw.copy_from_slice(record.raw(41, 50));
        batch.batch_number.copy_from_slice(batch_number);
        self.batch = Some(batch);
        self.batches += 1;
    }

    /// Reads entries that stand in the reader's buffer, each with its addenda, straight
    /// from `tail` (the current record and what follows it), as long as they are
    /// plain: every record exactly 94 characters, addenda 05 in sequence, as many as
    /// the addenda indicator says, and the next record an entry or a batch control
    /// that is in the buffer too. Such an entry reads as it does record by record,
    /// with the same diagnostics in the same order (the only ones it can give are the
    /// entry record's own and X12 warnings, at its end in both cases), but its
    /// transaction borrows the record and addenda where they are. Returns the bytes
    /// and lines read, or `None` when the first entry is not such an entry (the
    /// caller then reads it record by record).
    fn entries_in_place(
        &mut self,
        tail: &[u8],
        start: u64,
        line: u64,
        sink: &mut dyn Sink,
    ) -> Option<(usize, u64)> {
        let options = self.options;
        let limits = &options.limits;
        // A limit on line length below a record would refuse every line.
        if self.phase != Phase::File || limits.line_length_bytes_max <= RECORD_LENGTH {
            return None;
        }
        if !self.batch.as_ref()?.context.in_place() {
            return None;
        }
        let (mut taken, mut lines) = (0usize, 0u64);
        // The length of the first line of `rest`, once a group has looked at it.
        let mut first = None;
        loop {
            let rest = &tail[taken..];
            let offsets = &mut self.addenda_offsets;
            let Some(group) = plain_entry(rest, first, limits.ctx_addenda_max, offsets) else {
                break;
            };
            first = Some(group.next_length);
            // The limits are checked after every record: none may be reached inside.
            let records = 1 + self.addenda_offsets.len() as u64;
            if self.records + records > limits.records_max
                || start + (taken + group.length) as u64 > limits.file_size_bytes_max
            {
                break;
            }
            let position = Position::new(start + taken as u64, line + lines, self.records);
            // The entry and its addenda are validated as text at once: the transaction
            // borrows its texts from them. simdutf8's vector check pays off on these
            // 188 bytes and more (about 9% of NACHA's time against `str::from_utf8`);
            // on the shorter records of BAI2 and CSV it did not.
            let span = simdutf8::basic::from_utf8(&rest[..group.length]).ok();
            let record = match span.and_then(|text| text.get(..RECORD_LENGTH)) {
                Some(text) => Record::from_text(text, position, ENTRY),
                None => Record::new(&rest[..RECORD_LENGTH], position, ENTRY),
            };
            self.records += 1;
            self.skipping_addenda = false;
            self.close_entry(sink);
            self.entry_detail(&record, false);
            if self.entry.open {
                // Written once, where a message about an addendum finds them.
                let base = self.records;
                let positions = &mut self.entry.payment_positions;
                positions.clear();
                for (index, &offset) in self.addenda_offsets.iter().enumerate() {
                    positions.push(Position::new(
                        start + (taken + offset) as u64,
                        line + lines + 1 + index as u64,
                        base + index as u64,
                    ));
                }
            }
            self.records += records - 1;
            if let Some(batch) = self.batch.as_mut() {
                batch.controls.entry_addenda += records - 1;
            }
            if self.entry.open {
                let batch = self.batch.as_ref().map(|batch| &batch.context);
                let addenda = InPlace {
                    rest,
                    text: span,
                    offsets: &self.addenda_offsets,
                };
                self.entry.finish_in_place(
                    &record,
                    addenda,
                    options,
                    batch,
                    sink,
                    self.diagnostics,
                );
            }
            taken += group.length;
            lines += records;
            if !group.entry_follows {
                break;
            }
        }
        (lines > 0).then_some((taken, lines))
    }

    /// Reads an entry detail record; `keep`: keeps a copy of it for its addenda, which
    /// are read one record at a time after it.
    fn entry_detail(&mut self, record: &Record<'_>, keep: bool) {
        let Some(batch) = self.batch.as_mut() else {
            self.skipping_addenda = true;
            self.diagnostics.push(
                Diagnostic::error(
                    codes::UNEXPECTED_RECORD,
                    record.position,
                    "entry detail outside a batch",
                )
                .record(ENTRY)
                .expected("a batch header (5) before entries"),
            );
            return;
        };
        batch.controls.entry_addenda += 1;
        let totals = read_entry(record, &batch.context, &mut self.entry, self.diagnostics);
        if let Some(totals) = totals {
            let controls = &mut batch.controls;
            // Both below the modulus (a routing number has eight digits): one
            // subtraction at most, without a division.
            let hash = controls.hash + totals.routing;
            controls.hash = if hash >= HASH_MODULUS {
                hash - HASH_MODULUS
            } else {
                hash
            };
            controls.debit += totals.debit;
            controls.credit += totals.credit;
            let wrong = (batch.credits_only && totals.debit > 0)
                || (batch.debits_only && totals.credit > 0);
            if wrong && !batch.class_reported {
                batch.class_reported = true;
                self.diagnostics.push(
                    Diagnostic::warning(
                        codes::SERVICE_CLASS_MISMATCH,
                        record.position,
                        "entry direction does not fit the batch's service class",
                    )
                    .record(ENTRY)
                    .field("transaction code")
                    .expected(if batch.credits_only {
                        "credits only (220)"
                    } else {
                        "debits only (225)"
                    })
                    .found(lossy(record.raw(2, 3))),
                );
            }
        }
        if keep && self.entry.open {
            self.entry.keep_record(record);
        }
        self.skipping_addenda = !self.entry.open;
    }

    fn addenda(&mut self, record: Record<'_>) {
        if let Some(batch) = self.batch.as_mut() {
            batch.controls.entry_addenda += 1;
        }
        match &mut self.entry {
            entry if entry.open => entry.addenda(&record, self.options, self.diagnostics),
            _ if self.skipping_addenda => {}
            _ => self.diagnostics.push(
                Diagnostic::error(
                    codes::UNEXPECTED_RECORD,
                    record.position,
                    "addenda record without an entry detail before it",
                )
                .record(ADDENDA)
                .expected("an entry detail (6) before addenda"),
            ),
        }
    }

    fn close_entry(&mut self, sink: &mut dyn Sink) {
        if self.entry.open {
            let batch = self.batch.as_ref().map(|batch| &batch.context);
            self.entry
                .finish(self.options, batch, sink, self.diagnostics);
        }
    }

    fn missing_batch_control(&mut self, position: Position) {
        if let Some(batch) = self.batch.take() {
            self.diagnostics.push(
                Diagnostic::error(
                    codes::MISSING_BATCH_CONTROL,
                    position,
                    format!(
                        "batch {} (line {}) is not closed by a batch control",
                        lossy(&batch.batch_number),
                        batch.position.line
                    ),
                )
                .expected("batch control (8)"),
            );
            self.add_to_file(&batch.controls);
        }
    }

    fn add_to_file(&mut self, controls: &Controls) {
        self.file.entry_addenda += controls.entry_addenda;
        self.file.hash = (self.file.hash + controls.hash) % HASH_MODULUS;
        self.file.debit += controls.debit;
        self.file.credit += controls.credit;
    }

    fn batch_control(&mut self, record: Record<'_>) {
        let Some(batch) = self.batch.take() else {
            self.diagnostics.push(
                Diagnostic::error(
                    codes::UNEXPECTED_RECORD,
                    record.position,
                    "batch control without a batch header",
                )
                .record(BATCH_CONTROL)
                .expected("a batch header (5) before its control"),
            );
            return;
        };
        self.add_to_file(&batch.controls);
        let mismatch = |field: &str, start: usize, end: usize, expected: &[u8]| {
            Diagnostic::error(
                codes::BATCH_MISMATCH,
                record.position,
                format!("{field} does not repeat the batch header's (positions {start}-{end})"),
            )
            .record(BATCH_CONTROL)
            .field(field)
            .expected(lossy(expected))
            .found(lossy(record.raw(start, end)))
        };
        if record.raw(2, 4) != batch.service_class {
            self.diagnostics
                .push(mismatch("service class code", 2, 4, &batch.service_class));
        }
        // Compared without padding (moov-io/ach right-justifies the control's copy), and
        // not at all when the control leaves it blank (IAT, ADV).
        let control_company = super::fields::trim(record.raw(45, 54));
        if !batch.context.adv
            && !control_company.is_empty()
            && control_company != super::fields::trim(&batch.company_id_raw)
        {
            self.diagnostics.push(mismatch(
                "company identification",
                45,
                54,
                &batch.company_id_raw,
            ));
        }
        if record.raw(88, 94) != batch.batch_number {
            self.diagnostics
                .push(mismatch("batch number", 88, 94, &batch.batch_number));
        }
        let controls = batch.controls;
        self.check(
            &record,
            (5, 10),
            "entry/addenda count",
            codes::ENTRY_COUNT_MISMATCH,
            u128::from(controls.entry_addenda),
        );
        self.check(
            &record,
            (11, 20),
            "entry hash",
            codes::ENTRY_HASH_MISMATCH,
            u128::from(controls.hash),
        );
        let (debit, credit) = if batch.context.adv {
            ((21, 40), (41, 60))
        } else {
            ((21, 32), (33, 44))
        };
        self.check(
            &record,
            debit,
            "total debit entry dollar amount",
            codes::TOTAL_MISMATCH,
            controls.debit,
        );
        self.check(
            &record,
            credit,
            "total credit entry dollar amount",
            codes::TOTAL_MISMATCH,
            controls.credit,
        );
    }

    fn file_control(&mut self, record: Record<'_>) {
        self.phase = Phase::AfterControl;
        self.file_control_seen = true;
        self.check(
            &record,
            (2, 7),
            "batch count",
            codes::BATCH_COUNT_MISMATCH,
            u128::from(self.batches),
        );
        if let Some(blocks) = record.number(8, 13, "block count", self.diagnostics) {
            self.declared_blocks = Some((blocks, record.position));
        }
        let file = self.file;
        self.check(
            &record,
            (14, 21),
            "entry/addenda count",
            codes::ENTRY_COUNT_MISMATCH,
            u128::from(file.entry_addenda),
        );
        self.check(
            &record,
            (22, 31),
            "entry hash",
            codes::ENTRY_HASH_MISMATCH,
            u128::from(file.hash),
        );
        let (debit, credit) = if self.adv_file {
            ((32, 51), (52, 71))
        } else {
            ((32, 43), (44, 55))
        };
        self.check(
            &record,
            debit,
            "total debit entry dollar amount",
            codes::TOTAL_MISMATCH,
            file.debit,
        );
        self.check(
            &record,
            credit,
            "total credit entry dollar amount",
            codes::TOTAL_MISMATCH,
            file.credit,
        );
    }

    /// Compares a control field with the value computed from the records. Totals wider
    /// than the field are compared modulo its width, as the entry hash is.
    fn check(
        &mut self,
        record: &Record<'_>,
        (start, end): (usize, usize),
        field: &str,
        code: crate::DiagnosticCode,
        computed: u128,
    ) {
        let Some(declared) = record.number(start, end, field, self.diagnostics) else {
            return;
        };
        let width = end + 1 - start;
        let modulus = 10u128.checked_pow(width as u32).unwrap_or(u128::MAX);
        let computed = computed % modulus;
        if declared != computed {
            let mut diagnostic = Diagnostic::error(
                code,
                record.position,
                format!("{field} does not match the records"),
            )
            .record(record.name)
            .field(field)
            .expected(format!("{computed:0width$}"))
            .found(lossy(record.raw(start, end)));
            if self.options.relaxed.control_totals {
                diagnostic.severity = Severity::Warning;
            }
            self.diagnostics.push(diagnostic);
        }
    }

    fn finish(&mut self, end: Position, sink: &mut dyn Sink) {
        self.close_entry(sink);
        if self.records == 0 {
            self.diagnostics.push(Diagnostic::error(
                common::EMPTY_FILE,
                end,
                "the file holds no NACHA record",
            ));
            return;
        }
        if self.batch.is_some() {
            self.missing_batch_control(end);
        }
        if !self.file_control_seen {
            self.diagnostics.push(
                Diagnostic::error(
                    codes::MISSING_FILE_CONTROL,
                    end,
                    "the file ends without a file control record: it may be cut short",
                )
                .expected("file control (9)")
                .found("end of file"),
            );
            return;
        }
        let blocks = self.records.div_ceil(10);
        if let Some((declared, position)) = self.declared_blocks {
            if declared != u128::from(blocks) {
                let mut diagnostic = Diagnostic::error(
                    codes::BLOCK_COUNT_MISMATCH,
                    position,
                    format!(
                        "block count does not match the {} records in blocks of 10",
                        self.records
                    ),
                )
                .record(FILE_CONTROL)
                .field("block count")
                .expected(format!("{blocks:06}"))
                .found(format!("{declared:06}"));
                if self.options.relaxed.control_totals {
                    diagnostic.severity = Severity::Warning;
                }
                self.diagnostics.push(diagnostic);
            }
        }
        if blocks * 10 != self.records {
            self.diagnostics.push(
                Diagnostic::warning(
                    codes::MISSING_PADDING,
                    end,
                    "the record count is not a multiple of 10: padding records are missing",
                )
                .expected(format!("{} records", blocks * 10))
                .found(format!("{} records", self.records)),
            );
        }
    }
}

/// An entry detail record and its addenda as [`Reader::entries_in_place`] reads them.
struct PlainEntry {
    /// Bytes of the entry and its addenda, with their line breaks.
    length: usize,
    /// Whether an entry (rather than a batch control) follows.
    entry_follows: bool,
    /// The length of that record's line, with its line break.
    next_length: usize,
}

/// The entry at the start of `rest` with its addenda, when it is plain (see
/// [`Reader::entries_in_place`]) and the record after them is an entry or a batch
/// control of 94 characters, all in `rest`. `first`: the length of the first line when
/// it is known to be plain. `addenda` is set to where each addendum starts.
fn plain_entry(
    rest: &[u8],
    first: Option<usize>,
    addenda_max: usize,
    addenda: &mut Vec<usize>,
) -> Option<PlainEntry> {
    addenda.clear();
    let mut at = match first {
        Some(length) => length,
        None => plain_line(rest)?,
    };
    let entry = &rest[..RECORD_LENGTH];
    if entry[0] != b'6' {
        return None;
    }
    loop {
        let next = &rest[at..];
        let length = plain_line(next)?;
        match next[0] {
            b'7' => {
                // Type 05, sequence number (84-87) counting from 1, and the entry's
                // sequence number (88-94).
                let sequence = addenda.len() as u128 + 1;
                if next[1..3] != *b"05"
                    || digits_in(next, 83, 87) != Some(sequence)
                    || entry_sequence(next) != entry_sequence(entry)
                    || addenda.len() >= addenda_max
                {
                    return None;
                }
                addenda.push(at);
                at += length;
            }
            b'6' | b'8' => {
                let announced = match entry[78] {
                    b'0' => addenda.is_empty(),
                    b'1' => !addenda.is_empty(),
                    _ => false,
                };
                return announced.then_some(PlainEntry {
                    length: at,
                    entry_follows: next[0] == b'6',
                    next_length: length,
                });
            }
            _ => return None,
        }
    }
}

/// Positions 88-94 of a record of 94 bytes or more, as a number to compare (a slice
/// comparison of seven bytes would call `memcmp`).
#[inline]
fn entry_sequence(record: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&record[86..94]);
    // Drops position 87, the lowest byte.
    u64::from_le_bytes(word) >> 8
}

/// The length, with its line break, of the line at the start of `rest` when it holds
/// exactly 94 characters (before a `\r\n` or `\n`).
#[inline]
fn plain_line(rest: &[u8]) -> Option<usize> {
    let length = match (
        rest.get(RECORD_LENGTH - 1..RECORD_LENGTH + 1)?,
        rest.get(95),
    ) {
        ([last, b'\n'], _) if *last != b'\r' => RECORD_LENGTH + 1,
        ([_, b'\r'], Some(b'\n')) => RECORD_LENGTH + 2,
        _ => return None,
    };
    // No line break before: eleven words and the last eight bytes (overlapping), each
    // tested for a byte equal to `\n` without a branch.
    let record = rest[..RECORD_LENGTH].as_chunks::<8>().0;
    let last = rest[RECORD_LENGTH - 8..RECORD_LENGTH].as_chunks::<8>().0;
    let breaks = record.iter().chain(last).fold(0, |found, word| {
        found | line_breaks(u64::from_le_bytes(*word))
    });
    (breaks == 0).then_some(length)
}

/// Not zero when a byte of `word` is `\n`.
#[inline]
fn line_breaks(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let x = word ^ (ONES * u64::from(b'\n'));
    // The classic test for a zero byte: exact as to whether there is one.
    x.wrapping_sub(ONES) & !x & (ONES << 7)
}

fn is_padding(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| b == b'9')
}

fn record_name(bytes: &[u8]) -> &'static str {
    match bytes.first() {
        Some(b'1') => FILE_HEADER,
        Some(b'5') => BATCH_HEADER,
        Some(b'6') => ENTRY,
        Some(b'7') => ADDENDA,
        Some(b'8') => BATCH_CONTROL,
        Some(b'9') if is_padding(bytes) => PADDING,
        Some(b'9') => FILE_CONTROL,
        _ => "record",
    }
}

fn preview(bytes: &[u8]) -> String {
    lossy(&bytes[..bytes.len().min(20)])
}
