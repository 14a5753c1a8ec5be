//! One entry detail (6) record and its addenda (7): the transaction code's direction
//! and status, the layouts that differ by SEC code, and the remittance the addenda carry
//! (CCD+/PPD+ text, CTX X12 820, IAT payment information, returns and NOCs).
//!
//! An entry is held until the next non-addenda record and then handed to the sink;
//! only a CTX entry keeps its addenda text (bounded by `Limits::ctx_addenda_max`).
//! The entry keeps a copy of its 94-byte record and of its addenda's payment text,
//! and the transaction lent to the sink borrows its texts from those (and from the
//! batch header), so that no field is copied into a string of its own. A plain entry
//! that stands whole in the reader's buffer with its addenda (see
//! `Reader::entries_in_place`) is not copied at all: [`PendingEntry::finish_in_place`]
//! lends a transaction borrowing from the buffer.

use super::codes;
use std::borrow::Cow;

use super::fields::{
    aba_check_digit, digits, digits_in, lossy, lossy_str, trimmed, trimmed_80, Record,
    RECORD_LENGTH,
};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Direction, EntryStatus, Remittance, RemittanceItem, ReturnInfo, Transaction};
use crate::money::{Currency, Money};
use crate::options::Options;
use crate::position::Position;
use crate::scratch;
use crate::sink::Sink;
use crate::x12;
use rust_decimal::Decimal;

/// What messages call an entry detail record.
const ENTRY: &str = "entry detail (6)";

/// Width of the payment related information of an addenda 05 or IAT 17 record.
const PAYMENT_INFO_WIDTH: usize = 80;

/// `00` to `99`, for the transaction code read as a number of two digits.
const DIGIT_PAIRS: &str = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

/// What a transaction code says beyond its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CodeKind {
    Live,
    /// x1 / x6: an automated return or notification of change.
    ReturnOrNoc,
    Prenote,
    ZeroDollar,
    /// ADV 81-88: an accounting advice to a financial institution, not a payment.
    Advice,
}

/// Direction and kind of a transaction code. Live and prenote codes are seen from
/// the receiver's account (22 credits it); return codes from the original
/// originator's, who receives the return (21 gives a returned credit back).
#[inline]
pub(super) fn classify(code: u8, adv: bool) -> Option<(Direction, CodeKind)> {
    use CodeKind::*;
    use Direction::*;
    Some(match code {
        21 | 31 | 41 | 51 => (Credit, ReturnOrNoc),
        22 | 32 | 42 | 52 => (Credit, Live),
        23 | 33 | 43 | 53 => (Credit, Prenote),
        24 | 34 | 44 | 54 => (Credit, ZeroDollar),
        26 | 36 | 46 | 56 => (Debit, ReturnOrNoc),
        27 | 37 | 47 | 55 => (Debit, Live),
        28 | 38 | 48 => (Debit, Prenote),
        29 | 39 | 49 => (Debit, ZeroDollar),
        81 | 83 | 85 | 87 if adv => (Credit, Advice),
        82 | 84 | 86 | 88 if adv => (Debit, Advice),
        _ => return None,
    })
}

/// Layout facts of the batch an entry belongs to.
#[derive(Debug, Clone)]
pub(super) struct BatchContext {
    pub sec: String,
    pub adv: bool,
    pub iat: bool,
    pub company_name: Option<String>,
    pub company_id: Option<String>,
    pub effective: Option<chrono::NaiveDate>,
    pub settlement: Option<chrono::NaiveDate>,
    /// What the SEC code says of the entries' layout, decided once per batch.
    layout: Layout,
}

impl BatchContext {
    /// Whether the batch's entries may be read in place: one layout, addenda 05 at
    /// most, no count of addenda in the entry, no addenda read as one text.
    pub fn in_place(&self) -> bool {
        !self.adv && !self.iat && !self.layout.declares_addenda && !self.layout.concatenates_addenda
    }
}

/// The entry layout of a batch, from its SEC code.
#[derive(Debug, Clone, Copy)]
struct Layout {
    /// Positions of the customer reference in an entry.
    customer_ref: Option<(usize, usize)>,
    /// CTX and its acknowledgement ATX carry an X12 820 over many addenda; TRX shares
    /// their entry layout (number of addenda in positions 55-58).
    declares_addenda: bool,
    concatenates_addenda: bool,
}

impl BatchContext {
    pub fn new(
        sec: String,
        company_name: Option<String>,
        company_id: Option<String>,
        effective: Option<chrono::NaiveDate>,
        settlement: Option<chrono::NaiveDate>,
    ) -> BatchContext {
        let adv = sec == "ADV";
        let iat = sec == "IAT";
        let layout = Layout {
            customer_ref: match sec.as_str() {
                _ if adv || iat => None,
                "CIE" => Some((55, 76)),
                "MTE" => Some((62, 76)),
                "SHR" => None,
                _ => Some((40, 54)),
            },
            declares_addenda: matches!(sec.as_str(), "CTX" | "ATX" | "TRX"),
            concatenates_addenda: matches!(sec.as_str(), "CTX" | "ATX"),
        };
        BatchContext {
            sec,
            adv,
            iat,
            company_name,
            company_id,
            effective,
            settlement,
            layout,
        }
    }
}

/// The addenda of an entry read in place: the input from the entry on, the same as
/// text when it is UTF-8 up to the last addendum, and where each addendum starts.
pub(super) struct InPlace<'t, 'o> {
    pub rest: &'t [u8],
    pub text: Option<&'t str>,
    pub offsets: &'o [usize],
}

/// What an entry record adds to its batch's controls.
pub(super) struct EntryTotals {
    pub routing: u64,
    pub debit: u128,
    pub credit: u128,
}

/// The entry being read, kept in place from one entry to the next: the storage of its
/// record, addenda buffers and lines is reused, so that reading entries allocates
/// nothing once warmed up.
pub(super) struct PendingEntry {
    /// Whether an entry is being read; false between entries.
    pub open: bool,
    /// What is not text, and the rare texts that are made (returns, NOCs); the
    /// transaction lent to the sink copies these and borrows the rest.
    tx: Transaction<'static>,
    /// The entry detail record, whose fields the transaction borrows: as text when it
    /// is UTF-8 (validated once, when it was read), else as bytes.
    record: [u8; RECORD_LENGTH],
    record_text: Option<String>,
    /// Positions of the customer reference in the record, which depend on the SEC code.
    customer_ref: Option<(usize, usize)>,
    /// `SEC/transaction code`.
    code: String,
    /// The originator name of an IAT addenda 11, when there is one.
    originator: Option<String>,
    /// Storage of the lent transaction's lines and items, kept for the next entry.
    lines: Vec<Cow<'static, str>>,
    items: Vec<RemittanceItem<'static>>,
    concatenate: bool,
    addenda_indicator: bool,
    declared_addenda: Option<u64>,
    addenda: u64,
    /// IAT addenda 10-16, the mandatory ones.
    iat_mandatory: u64,
    payment_count: u64,
    indicator_reported: bool,
    limit_reported: bool,
    /// Payment related information (05 or IAT 17), 80 bytes per addendum.
    payment_text: Vec<u8>,
    pub(super) payment_positions: Vec<Position>,
}

impl Default for PendingEntry {
    fn default() -> PendingEntry {
        PendingEntry {
            open: false,
            tx: scratch::blank(),
            record: [b' '; RECORD_LENGTH],
            record_text: None,
            customer_ref: None,
            code: String::new(),
            originator: None,
            lines: Vec::new(),
            items: Vec::new(),
            concatenate: false,
            addenda_indicator: false,
            declared_addenda: None,
            addenda: 0,
            iat_mandatory: 0,
            payment_count: 0,
            indicator_reported: false,
            limit_reported: false,
            payment_text: Vec::new(),
            payment_positions: Vec::new(),
        }
    }
}

/// Makes `items` use the storage kept for items, unless it has storage already.
#[inline]
fn item_storage<'b>(kept: &mut Vec<RemittanceItem<'static>>, items: &mut Vec<RemittanceItem<'b>>) {
    if items.capacity() == 0 {
        // The kept items borrow nothing (they are empty), so they shorten to `'b`
        // for free; only the way back needs [`scratch::recycle_items`].
        *items = std::mem::take(kept);
    }
}

/// Reads an entry detail record into `entry`, which is left closed when the entry is
/// unusable. Returns what the record adds to the controls (whenever its routing
/// number and amount could be read).
#[inline]
pub(super) fn read_entry(
    record: &Record<'_>,
    batch: &BatchContext,
    entry: &mut PendingEntry,
    diagnostics: &mut Diagnostics,
) -> Option<EntryTotals> {
    entry.open = false;
    let code = record.number(2, 3, "transaction code", diagnostics);
    let routing_raw = record.raw(4, 11);
    let routing = digits_in(record.bytes, 3, 11);
    if routing.is_none() {
        diagnostics.push(record.invalid("receiving DFI routing", 4, 11, "must be digits"));
    }
    let check = record.raw(12, 12);
    if let (Some(expected), Some(found)) = (aba_check_digit(routing_raw), check.first()) {
        if *found != b'0' + expected {
            diagnostics.push(
                Diagnostic::warning(
                    codes::ROUTING_CHECK_DIGIT,
                    record.position,
                    format!(
                        "check digit of receiving DFI routing {} is wrong",
                        lossy(routing_raw)
                    ),
                )
                .record(record.name)
                .field("check digit")
                .expected(expected.to_string())
                .found(lossy(check)),
            );
        }
    }
    let amount = if batch.adv {
        record.amount(28, 39, diagnostics)
    } else {
        record.amount(30, 39, diagnostics)
    };
    if digits_in(record.bytes, 79, 94).is_none() {
        diagnostics.push(record.invalid("trace number", 80, 94, "must be digits"));
    }
    let indicator = match record.raw(79, 79) {
        b"0" => false,
        b"1" => true,
        _ => {
            diagnostics.push(record.invalid("addenda record indicator", 79, 79, "must be 0 or 1"));
            false
        }
    };
    let declared_addenda = if batch.iat {
        record.number(13, 16, "number of addenda records", diagnostics)
    } else if batch.layout.declares_addenda {
        record.number(55, 58, "number of addenda records", diagnostics)
    } else {
        None
    };
    let classified = code.and_then(|code| classify(u8::try_from(code).ok()?, batch.adv));
    if code.is_some() && classified.is_none() {
        diagnostics.push(record.invalid(
            "transaction code",
            2,
            3,
            "must be a known transaction code (21-24, 26-29, 31-34, 36-39, 41-44, 46-49, 51-56; ADV 81-88)",
        ));
    }
    let totals = match (routing, amount, classified) {
        (Some(routing), Some(amount), Some((direction, _))) => Some(EntryTotals {
            routing: routing as u64,
            debit: if direction == Direction::Debit {
                amount
            } else {
                0
            },
            credit: if direction == Direction::Credit {
                amount
            } else {
                0
            },
        }),
        (Some(routing), _, _) => Some(EntryTotals {
            routing: routing as u64,
            debit: 0,
            credit: 0,
        }),
        _ => None,
    };
    let (Some(number), Some((direction, kind)), Some(amount)) = (code, classified, amount) else {
        return totals;
    };
    let Ok(cents) = i64::try_from(amount) else {
        return totals;
    };
    let status = match kind {
        CodeKind::Live | CodeKind::ReturnOrNoc if cents > 0 => EntryStatus::Booked,
        _ => EntryStatus::Info,
    };
    entry.customer_ref = batch.layout.customer_ref;
    // Only these fields of the kept transaction are ever set (the rest is lent from
    // the record): a full reset would cost more than the entry's other fields.
    let tx = &mut entry.tx;
    tx.remittance.lines.clear();
    tx.return_info = None;
    tx.reversal = false;
    tx.direction = direction;
    // Cents with two decimals, as `Money::from_minor` gives them, built in place
    // (`Decimal::new` is not inlined across crates).
    let magnitude = cents.unsigned_abs();
    tx.amount = Money::new(
        Decimal::from_parts(magnitude as u32, (magnitude >> 32) as u32, 0, cents < 0, 2),
        Currency::USD,
    );
    tx.status = status;
    tx.booking_date = batch.effective;
    tx.value_date = batch.settlement;
    tx.position = record.position;
    entry.originator = None;
    // `SEC/`, kept from the batch's previous entry when it is the same, then the
    // code, read as two digits above (so ASCII).
    let code = &mut entry.code;
    let sec = batch.sec.as_bytes();
    let prefix = sec.len() + 1;
    // A three-letter SEC code (all of them) is compared as bytes, not with `memcmp`.
    let kept = match (code.as_bytes().first_chunk::<4>(), sec.first_chunk::<3>()) {
        (Some(kept), Some(letters)) if prefix == 4 => {
            [kept[0], kept[1], kept[2]] == *letters && kept[3] == b'/'
        }
        _ => code.starts_with(batch.sec.as_str()) && code.as_bytes().get(prefix - 1) == Some(&b'/'),
    };
    if !(code.len() == prefix + 2 && kept) {
        code.clear();
        code.push_str(&batch.sec);
        code.push('/');
        code.push_str("00");
    }
    code.truncate(prefix);
    // The two digits the code was read from, as they stand (two digits are at most 99).
    let pair = 2 * (number.min(99) as usize);
    code.push_str(&DIGIT_PAIRS[pair..pair + 2]);
    entry.open = true;
    entry.concatenate = batch.layout.concatenates_addenda;
    entry.addenda_indicator = indicator;
    entry.declared_addenda = declared_addenda.map(|count| count as u64);
    entry.addenda = 0;
    entry.iat_mandatory = 0;
    entry.payment_count = 0;
    entry.indicator_reported = false;
    entry.limit_reported = false;
    entry.payment_text.clear();
    entry.payment_positions.clear();
    totals
}

impl PendingEntry {
    /// Keeps a copy of the entry's record, which the transaction borrows from when the
    /// entry is handed over later (after its addenda, read one at a time): as text when
    /// it is UTF-8 (nearly always), else as bytes.
    pub(super) fn keep_record(&mut self, record: &Record<'_>) {
        match record.as_text() {
            Some(text) => {
                let copy = self.record_text.get_or_insert_with(String::new);
                copy.clear();
                copy.push_str(text);
            }
            None => {
                self.record_text = None;
                // A record is exactly 94 bytes; anything shorter would leave the copy
                // blank-padded.
                self.record = [b' '; RECORD_LENGTH];
                let length = record.bytes.len().min(RECORD_LENGTH);
                self.record[..length].copy_from_slice(&record.bytes[..length]);
            }
        }
    }

    /// The entry's record, its fields read as the transaction lends them.
    #[inline]
    fn entry_record(&self) -> Record<'_> {
        match &self.record_text {
            Some(text) => Record::from_text(text, self.tx.position, ENTRY),
            None => Record::new(&self.record, self.tx.position, ENTRY),
        }
    }

    /// The trace number (positions 80-94) as it stands, for messages.
    fn trace(&self) -> Cow<'_, str> {
        self.entry_record().raw_str(80, 94)
    }

    /// Adds one addenda (7) record.
    pub(super) fn addenda(
        &mut self,
        record: &Record<'_>,
        options: &Options,
        diagnostics: &mut Diagnostics,
    ) {
        self.addenda += 1;
        if !self.addenda_indicator && !self.indicator_reported {
            self.indicator_reported = true;
            diagnostics.push(
                Diagnostic::error(
                    codes::ADDENDA_INDICATOR,
                    record.position,
                    format!(
                        "addenda follow entry trace {} whose addenda record indicator is 0",
                        self.trace()
                    ),
                )
                .record(record.name)
                .expected("no addenda after an entry with indicator 0")
                .found("addenda record"),
            );
        }
        if self.addenda > options.limits.ctx_addenda_max as u64 {
            if !self.limit_reported {
                self.limit_reported = true;
                diagnostics.push(
                    Diagnostic::error(
                        codes::TOO_MANY_ADDENDA,
                        record.position,
                        format!(
                            "entry trace {} has more addenda than the limit; the rest are not read",
                            self.trace()
                        ),
                    )
                    .record(record.name)
                    .expected(format!(
                        "at most {} addenda",
                        options.limits.ctx_addenda_max
                    )),
                );
            }
            return;
        }
        let type_code = record.raw(2, 3);
        match type_code {
            b"05" => {
                self.payment_count += 1;
                self.check_sequence(record, 84, 87, diagnostics);
                self.check_entry_sequence(record, diagnostics);
                self.payment_info(record);
            }
            b"17" => {
                self.payment_count += 1;
                self.check_sequence(record, 84, 87, diagnostics);
                self.check_entry_sequence(record, diagnostics);
                self.payment_info(record);
            }
            b"10" | b"12" | b"13" | b"14" | b"15" | b"16" => {
                self.iat_mandatory += 1;
                self.check_entry_sequence(record, diagnostics);
            }
            b"18" => self.check_entry_sequence(record, diagnostics),
            b"11" => {
                self.iat_mandatory += 1;
                self.check_entry_sequence(record, diagnostics);
                let originator = record.str(4, 38);
                if !originator.is_empty() {
                    let name = self.originator.get_or_insert_with(String::new);
                    name.clear();
                    name.push_str(&originator);
                }
            }
            b"02" => {}
            b"98" => {
                self.check_trace(record, diagnostics);
                let change = record.text(4, 6);
                let corrected = record.text(36, 64);
                self.tx.remittance.lines.push(
                    format!(
                        "notification of change {change} for trace {}: corrected data {corrected}",
                        record.text(7, 21)
                    )
                    .into(),
                );
            }
            b"99" => {
                self.check_trace(record, diagnostics);
                self.tx.reversal = true;
                self.tx.return_info = Some(ReturnInfo {
                    original_trace: record.text(7, 21).into(),
                    reason_code: record.text(4, 6).into(),
                });
            }
            _ => diagnostics.push(record.invalid(
                "addenda type code",
                2,
                3,
                "must be a known addenda type (02, 05, 10-18, 98, 99)",
            )),
        }
    }

    #[inline]
    fn payment_info(&mut self, record: &Record<'_>) {
        self.payment_text
            .extend_from_slice(record.raw(4, 3 + PAYMENT_INFO_WIDTH));
        self.payment_positions.push(record.position);
    }

    fn check_sequence(
        &self,
        record: &Record<'_>,
        start: usize,
        end: usize,
        diagnostics: &mut Diagnostics,
    ) {
        let found = digits(record.raw(start, end));
        if found != Some(u128::from(self.payment_count)) {
            diagnostics.push(
                Diagnostic::warning(
                    codes::ADDENDA_SEQUENCE,
                    record.position,
                    format!(
                        "addenda sequence number of entry trace {} is out of order",
                        self.trace()
                    ),
                )
                .record(record.name)
                .field("addenda sequence number")
                .expected(format!("{:04}", self.payment_count))
                .found(lossy(record.raw(start, end))),
            );
        }
    }

    /// Positions 88-94 repeat the last seven digits of the entry's trace number.
    fn check_entry_sequence(&self, record: &Record<'_>, diagnostics: &mut Diagnostics) {
        let found = record.raw(88, 94);
        let expected = self.entry_record().raw(88, 94);
        if found != expected {
            diagnostics.push(
                Diagnostic::warning(
                    codes::ADDENDA_TRACE_MISMATCH,
                    record.position,
                    "addenda entry detail sequence number is not its entry's",
                )
                .record(record.name)
                .field("entry detail sequence number")
                .expected(lossy(expected))
                .found(lossy(found)),
            );
        }
    }

    /// Returns and NOCs repeat the whole trace number in positions 80-94.
    fn check_trace(&self, record: &Record<'_>, diagnostics: &mut Diagnostics) {
        let found = record.raw(80, 94);
        if found != self.entry_record().raw(80, 94) {
            diagnostics.push(
                Diagnostic::warning(
                    codes::ADDENDA_TRACE_MISMATCH,
                    record.position,
                    "addenda trace number is not its entry's",
                )
                .record(record.name)
                .field("trace number")
                .expected(self.trace().into_owned())
                .found(lossy(found)),
            );
        }
    }

    /// Completes the entry read one record at a time: checks its addenda count, reads
    /// its remittance, hands it to the sink and closes it.
    pub(super) fn finish(
        &mut self,
        options: &Options,
        batch: Option<&BatchContext>,
        sink: &mut dyn Sink,
        diagnostics: &mut Diagnostics,
    ) {
        // The kept copies are moved out for the transaction to borrow, and back for
        // the next entry to reuse.
        let text = self.record_text.take();
        let bytes;
        let record = match &text {
            Some(text) => Record::from_text(text, self.tx.position, ENTRY),
            None => {
                bytes = self.record;
                Record::new(&bytes, self.tx.position, ENTRY)
            }
        };
        let payment = std::mem::take(&mut self.payment_text);
        self.close(
            &record,
            &payment,
            payment
                .chunks(PAYMENT_INFO_WIDTH)
                .map(|chunk| (chunk, None)),
            options,
            batch,
            sink,
            diagnostics,
        );
        self.payment_text = payment;
        self.record_text = text;
    }

    /// Completes an entry whose record and addenda (05, in sequence, as many as its
    /// addenda indicator says and within the limit) are still in the input: the
    /// transaction borrows from them, nothing is copied. The addenda's positions are
    /// in `payment_positions` already.
    pub(super) fn finish_in_place<'t>(
        &mut self,
        record: &Record<'t>,
        addenda: InPlace<'t, '_>,
        options: &Options,
        batch: Option<&BatchContext>,
        sink: &mut dyn Sink,
        diagnostics: &mut Diagnostics,
    ) {
        self.addenda = addenda.offsets.len() as u64;
        self.payment_count = self.addenda;
        let InPlace { rest, text, .. } = addenda;
        let chunks = addenda.offsets.iter().map(|&offset| {
            let range = offset + 3..offset + 3 + PAYMENT_INFO_WIDTH;
            (
                rest.get(range.clone()).unwrap_or(b""),
                text.and_then(|text| text.get(range)),
            )
        });
        self.close(record, &[], chunks, options, batch, sink, diagnostics);
    }

    /// Checks the addenda count, reads the remittance, hands the transaction to the
    /// sink and closes the entry. `text` is the addenda's payment information in one
    /// piece (read as one X12 820 for CTX), `chunks` the same one addendum at a time,
    /// with its text when it is known to be UTF-8.
    #[allow(clippy::too_many_arguments)]
    fn close<'t>(
        &mut self,
        record: &Record<'t>,
        text: &'t [u8],
        chunks: impl Iterator<Item = (&'t [u8], Option<&'t str>)>,
        options: &Options,
        batch: Option<&BatchContext>,
        sink: &mut dyn Sink,
        diagnostics: &mut Diagnostics,
    ) {
        self.open = false;
        let position = self.tx.position;
        let trace = record.raw_str(80, 94);
        if self.addenda_indicator && self.addenda == 0 {
            diagnostics.push(
                Diagnostic::error(
                    codes::ADDENDA_INDICATOR,
                    position,
                    format!("entry trace {trace} announces addenda but none follow"),
                )
                .record(ENTRY)
                .field("addenda record indicator")
                .expected("0")
                .found("1"),
            );
        }
        if let Some(declared) = self.declared_addenda {
            // IAT: moov-io/ach and some originators count only the seven mandatory
            // addenda (10-16), not the optional 17 and 18; both readings are accepted.
            let iat_reading = self.iat_mandatory > 0 && declared == self.iat_mandatory;
            if declared != self.addenda && !iat_reading {
                let mut diagnostic = Diagnostic::error(
                    codes::ADDENDA_COUNT_MISMATCH,
                    position,
                    format!(
                        "entry trace {trace} declares a different number of addenda than follow it"
                    ),
                )
                .record(ENTRY)
                .field("number of addenda records")
                .expected(self.addenda.to_string())
                .found(declared.to_string());
                if options.relaxed.control_totals {
                    diagnostic.severity = crate::Severity::Warning;
                }
                diagnostics.push(diagnostic);
            }
        }
        self.lend(record, text, chunks, batch, sink, diagnostics);
    }

    /// Reads the remittance of the addenda, then builds the transaction from the
    /// entry's record, the batch header and the addenda, borrowing their texts, and
    /// lends it to the sink.
    fn lend<'t>(
        &mut self,
        record: &Record<'t>,
        text: &'t [u8],
        chunks: impl Iterator<Item = (&'t [u8], Option<&'t str>)>,
        batch: Option<&BatchContext>,
        sink: &mut dyn Sink,
        diagnostics: &mut Diagnostics,
    ) {
        // The storage kept from earlier entries is taken only by an entry that may
        // have lines (one with addenda) or items (when the first one comes): handing
        // it back from this entry's lifetime costs a call.
        let trace = record.raw_str(80, 94);
        let customer_ref = self
            .customer_ref
            .map(|(start, end)| record.str(start, end))
            .filter(|text| !text.is_empty());
        let payer_name = match &self.originator {
            Some(name) => Some(Cow::Borrowed(name.as_str())),
            None => batch
                .and_then(|batch| batch.company_name.as_deref())
                .map(Cow::Borrowed),
        };
        let payer_account = batch
            .and_then(|batch| batch.company_id.as_deref())
            .map(Cow::Borrowed);
        // The X12 of the addenda, which the transaction's items borrow, so declared
        // before the transaction.
        let mut parsed_chunks = Vec::new();
        let parsed_ctx =
            (self.concatenate && x12::looks_like_x12(text)).then(|| x12::parse_820(text));
        // Built before its remittance, which is then filled in place: a transaction
        // put together at the end copies its line storage through the stack just
        // after the last line was pushed (a store-forwarding stall).
        let mut tx = Transaction {
            direction: self.tx.direction,
            amount: self.tx.amount,
            status: self.tx.status,
            reversal: self.tx.reversal,
            booking_date: self.tx.booking_date,
            value_date: self.tx.value_date,
            bank_ref: trace.clone(),
            end_to_end_id: None,
            customer_ref,
            trace_number: Some(trace),
            payer_name,
            payer_account,
            bank_tx_code: Some(Cow::Borrowed(self.code.as_str())),
            remittance: Remittance::default(),
            return_info: self.tx.return_info.as_ref().map(|info| ReturnInfo {
                original_trace: Cow::Borrowed(info.original_trace.as_ref()),
                reason_code: Cow::Borrowed(info.reason_code.as_ref()),
            }),
            position: self.tx.position,
        };
        if self.addenda > 0 {
            // Empty `'static` lines shorten to this entry's lifetime for free. Moved
            // straight into the transaction, not through a variable (a copy through
            // the stack just after it was written stalls).
            tx.remittance.lines = std::mem::take(&mut self.lines);
        }
        // Notifications of change, written while their addenda were read.
        for line in &self.tx.remittance.lines {
            tx.remittance.lines.push(Cow::Borrowed(line.as_ref()));
        }
        if let Some(parsed) = &parsed_ctx {
            self.report_x12(parsed, 0, &tx.bank_ref, diagnostics);
            if let Some(payer) = parsed.payer_name() {
                if tx.payer_name.as_deref() != Some(payer) {
                    tx.remittance
                        .lines
                        .push(Cow::Owned(format!("payer {payer}")));
                }
            }
            item_storage(&mut self.items, &mut tx.remittance.items);
            parsed.append_remittance(Currency::USD, &mut tx.remittance);
            self.check_ctx_amount(parsed, &tx.bank_ref, diagnostics);
        } else {
            for (index, (chunk, chunk_text)) in chunks.enumerate() {
                // The fixed-width field is validated whole (a fixed length is quicker to
                // validate than the varying trimmed text), the text then taken from it.
                let (from, to) = match chunk.try_into() {
                    Ok(field) => trimmed_80(field),
                    Err(_) => trimmed(chunk),
                };
                let line = &chunk[from..to];
                if line.is_empty() {
                    continue;
                }
                let text = chunk_text
                    .or_else(|| std::str::from_utf8(chunk).ok())
                    .and_then(|chunk| chunk.get(from..to))
                    .map_or_else(|| lossy_str(line), Cow::Borrowed);
                // Text that is not UTF-8 is no plain RMR segment either. The line is
                // pushed before the RMR is read: kept across that call, it would be
                // copied through the stack (a store-forwarding stall).
                let rmr = match text {
                    Cow::Borrowed(text) => {
                        tx.remittance.lines.push(Cow::Borrowed(text));
                        x12::simple_rmr_str(text)
                    }
                    owned => {
                        tx.remittance.lines.push(owned);
                        None
                    }
                };
                if let Some(rmr) = rmr {
                    // The common `RMR*IV*...\` addendum, read without the X12 engine;
                    // behind a fully parsed chunk it waits its turn, to keep the order.
                    let item = rmr.item(Currency::USD);
                    if parsed_chunks.is_empty() {
                        item_storage(&mut self.items, &mut tx.remittance.items);
                        tx.remittance.items.push(item);
                    } else {
                        parsed_chunks.push(Ok(item));
                    }
                } else if x12::looks_like_x12(line) {
                    let parsed = x12::parse_820(chunk);
                    self.report_x12(&parsed, index, &tx.bank_ref, diagnostics);
                    parsed_chunks.push(Err(parsed));
                }
            }
            for chunk in &parsed_chunks {
                item_storage(&mut self.items, &mut tx.remittance.items);
                match chunk {
                    Ok(item) => tx.remittance.items.push(item.clone()),
                    Err(parsed) => parsed.append_items(Currency::USD, &mut tx.remittance.items),
                }
            }
        }
        sink.transaction(&tx);
        let Remittance { lines, items } = tx.remittance;
        if lines.capacity() > 0 {
            self.lines = scratch::recycle(lines);
        }
        if items.capacity() > 0 {
            self.items = scratch::recycle_items(items);
        }
    }

    /// Turns X12 problems into warnings located at the addendum holding the segment.
    fn report_x12(
        &self,
        parsed: &x12::Parsed820,
        first_addendum: usize,
        trace: &str,
        diagnostics: &mut Diagnostics,
    ) {
        for problem in &parsed.problems {
            let index = first_addendum + (problem.offset as usize) / PAYMENT_INFO_WIDTH;
            let position = self
                .payment_positions
                .get(index)
                .or(self.payment_positions.last())
                .copied()
                .unwrap_or(self.tx.position);
            let mut diagnostic = Diagnostic::warning(
                codes::ADDENDA_X12,
                position,
                format!(
                    "addenda 05 #{} of entry trace {}: {}: {}",
                    index + 1,
                    trace,
                    problem.location(),
                    problem.message
                ),
            )
            .record("addenda (7)")
            .field("payment related information");
            if let Some(expected) = &problem.expected {
                diagnostic = diagnostic.expected(expected.clone());
            }
            if let Some(found) = &problem.found {
                diagnostic = diagnostic.found(found.clone());
            }
            diagnostics.push(diagnostic);
        }
    }

    fn check_ctx_amount(
        &self,
        parsed: &x12::Parsed820,
        trace: &str,
        diagnostics: &mut Diagnostics,
    ) {
        let Some(set) = parsed.sets.iter().find(|set| set.amount.is_some()) else {
            return;
        };
        let Some(amount) = set.amount else {
            return;
        };
        if self.tx.amount.is_zero() || amount == self.tx.amount.amount {
            return;
        }
        diagnostics.push(
            Diagnostic::warning(
                codes::CTX_AMOUNT_MISMATCH,
                self.payment_positions
                    .first()
                    .copied()
                    .unwrap_or(self.tx.position),
                format!(
                    "X12 BPR02 in the addenda of entry trace {trace} differs from the entry amount"
                ),
            )
            .record("addenda (7)")
            .field("BPR02")
            .expected(self.tx.amount.amount.to_string())
            .found(amount.to_string()),
        );
    }
}
