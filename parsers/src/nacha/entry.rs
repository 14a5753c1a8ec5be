//! One entry detail (6) record and its addenda (7): the transaction code's direction
//! and status, the layouts that differ by SEC code, and the remittance the addenda carry
//! (CCD+/PPD+ text, CTX X12 820, IAT payment information, returns and NOCs).
//!
//! An entry is held until the next non-addenda record and then handed to the sink;
//! only a CTX entry keeps its addenda text (bounded by `Limits::ctx_addenda_max`).

use super::codes;
use super::fields::{aba_check_digit, digits, lossy, lossy_str, trim, Record};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Direction, EntryStatus, ReturnInfo, Transaction};
use crate::money::{Currency, Money};
use crate::options::Options;
use crate::position::Position;
use crate::scratch::{self, Spare};
use crate::sink::Sink;
use crate::x12;

/// Width of the payment related information of an addenda 05 or IAT 17 record.
const PAYMENT_INFO_WIDTH: usize = 80;

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
}

impl BatchContext {
    /// CTX and its acknowledgement ATX carry an X12 820 over many addenda; TRX shares
    /// their entry layout (number of addenda in positions 55-58).
    fn declares_addenda(&self) -> bool {
        matches!(self.sec.as_str(), "CTX" | "ATX" | "TRX")
    }

    fn concatenates_addenda(&self) -> bool {
        matches!(self.sec.as_str(), "CTX" | "ATX")
    }
}

/// What an entry record adds to its batch's controls.
pub(super) struct EntryTotals {
    pub routing: u64,
    pub debit: u128,
    pub credit: u128,
}

/// The entry being read, kept in place from one entry to the next: its transaction
/// record is lent to the sink, and the storage of its strings and addenda buffers is
/// reused, so that reading entries allocates nothing once warmed up.
pub(super) struct PendingEntry {
    /// Whether an entry is being read; false between entries.
    pub open: bool,
    tx: Transaction,
    spare: Spare,
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
    payment_positions: Vec<Position>,
}

impl Default for PendingEntry {
    fn default() -> PendingEntry {
        PendingEntry {
            open: false,
            tx: scratch::blank(),
            spare: Spare::default(),
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

/// Reads an entry detail record into `entry`, which is left closed when the entry is
/// unusable. Returns what the record adds to the controls (whenever its routing
/// number and amount could be read).
pub(super) fn read_entry(
    record: &Record<'_>,
    batch: &BatchContext,
    entry: &mut PendingEntry,
    diagnostics: &mut Diagnostics,
) -> Option<EntryTotals> {
    entry.open = false;
    let code = record.number(2, 3, "transaction code", diagnostics);
    let routing_raw = record.raw(4, 11);
    let routing = digits(routing_raw);
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
    let trace_raw = record.raw(80, 94);
    if digits(trace_raw).is_none() {
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
    } else if batch.declares_addenda() {
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
    let (Some(_), Some((direction, kind)), Some(amount)) = (code, classified, amount) else {
        return totals;
    };
    let Ok(cents) = i64::try_from(amount) else {
        return totals;
    };
    let status = match kind {
        CodeKind::Live | CodeKind::ReturnOrNoc if cents > 0 => EntryStatus::Booked,
        _ => EntryStatus::Info,
    };
    let customer_ref = match batch.sec.as_str() {
        _ if batch.adv || batch.iat => "".into(),
        "CIE" => record.str(55, 76),
        "MTE" => record.str(62, 76),
        "SHR" => "".into(),
        _ => record.str(40, 54),
    };
    let PendingEntry { tx, spare, .. } = entry;
    spare.reset(tx);
    tx.direction = direction;
    tx.amount = Money::from_minor(cents, Currency::USD);
    tx.status = status;
    tx.booking_date = batch.effective;
    tx.value_date = batch.settlement;
    tx.position = record.position;
    let trace = record.raw_str(80, 94);
    tx.bank_ref.push_str(&trace);
    spare.set(&mut tx.customer_ref, &customer_ref);
    spare.set_some(&mut tx.trace_number, &trace);
    if let Some(name) = &batch.company_name {
        spare.set_some(&mut tx.payer_name, name);
    }
    if let Some(id) = &batch.company_id {
        spare.set_some(&mut tx.payer_account, id);
    }
    let code = spare.fill(&mut tx.bank_tx_code);
    code.push_str(&batch.sec);
    code.push('/');
    // The code was read as two digits above, so these bytes are ASCII.
    code.extend(record.raw(2, 3).iter().map(|&byte| char::from(byte)));
    entry.open = true;
    entry.concatenate = batch.concatenates_addenda();
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
                        self.tx.bank_ref
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
                            self.tx.bank_ref
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
                    self.spare.set_some(&mut self.tx.payer_name, &originator);
                }
            }
            b"02" => {}
            b"98" => {
                self.check_trace(record, diagnostics);
                let change = record.text(4, 6);
                let corrected = record.text(36, 64);
                self.tx.remittance.lines.push(format!(
                    "notification of change {change} for trace {}: corrected data {corrected}",
                    record.text(7, 21)
                ));
            }
            b"99" => {
                self.check_trace(record, diagnostics);
                self.tx.reversal = true;
                self.tx.return_info = Some(ReturnInfo {
                    original_trace: record.text(7, 21),
                    reason_code: record.text(4, 6),
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
                        self.tx.bank_ref
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
        let expected = self.tx.bank_ref.as_bytes().get(8..15).unwrap_or(b"");
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
        if found != self.tx.bank_ref.as_bytes() {
            diagnostics.push(
                Diagnostic::warning(
                    codes::ADDENDA_TRACE_MISMATCH,
                    record.position,
                    "addenda trace number is not its entry's",
                )
                .record(record.name)
                .field("trace number")
                .expected(self.tx.bank_ref.clone())
                .found(lossy(found)),
            );
        }
    }

    /// Completes the entry: checks its addenda count, reads its remittance, hands it
    /// to the sink and closes it.
    pub(super) fn finish(
        &mut self,
        options: &Options,
        sink: &mut dyn Sink,
        diagnostics: &mut Diagnostics,
    ) {
        self.open = false;
        let position = self.tx.position;
        if self.addenda_indicator && self.addenda == 0 {
            diagnostics.push(
                Diagnostic::error(
                    codes::ADDENDA_INDICATOR,
                    position,
                    format!(
                        "entry trace {} announces addenda but none follow",
                        self.tx.bank_ref
                    ),
                )
                .record("entry detail (6)")
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
                        "entry trace {} declares a different number of addenda than follow it",
                        self.tx.bank_ref
                    ),
                )
                .record("entry detail (6)")
                .field("number of addenda records")
                .expected(self.addenda.to_string())
                .found(declared.to_string());
                if options.relaxed.control_totals {
                    diagnostic.severity = crate::Severity::Warning;
                }
                diagnostics.push(diagnostic);
            }
        }
        self.remittance(diagnostics);
        sink.transaction(&self.tx);
    }

    fn remittance(&mut self, diagnostics: &mut Diagnostics) {
        if self.payment_text.is_empty() {
            return;
        }
        let text = std::mem::take(&mut self.payment_text);
        self.remittance_from(&text, diagnostics);
        self.payment_text = text;
    }

    fn remittance_from(&mut self, text: &[u8], diagnostics: &mut Diagnostics) {
        if self.concatenate && x12::looks_like_x12(text) {
            let parsed = x12::parse_820(text);
            self.report_x12(&parsed, 0, diagnostics);
            if let Some(payer) = parsed.payer_name() {
                if self.tx.payer_name.as_deref() != Some(payer) {
                    self.tx.remittance.lines.push(format!("payer {payer}"));
                }
            }
            parsed.append_remittance(Currency::USD, &mut self.tx.remittance, &mut self.spare);
            self.check_ctx_amount(&parsed, diagnostics);
            return;
        }
        for (index, chunk) in text.chunks(PAYMENT_INFO_WIDTH).enumerate() {
            let line = trim(chunk);
            if line.is_empty() {
                continue;
            }
            self.spare
                .push_str(&mut self.tx.remittance.lines, &lossy_str(line));
            if x12::looks_like_x12(line) {
                let parsed = x12::parse_820(chunk);
                self.report_x12(&parsed, index, diagnostics);
                parsed.append_items(
                    Currency::USD,
                    &mut self.tx.remittance.items,
                    &mut self.spare,
                );
            }
        }
    }

    /// Turns X12 problems into warnings located at the addendum holding the segment.
    fn report_x12(
        &self,
        parsed: &x12::Parsed820,
        first_addendum: usize,
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
                    self.tx.bank_ref,
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

    fn check_ctx_amount(&self, parsed: &x12::Parsed820, diagnostics: &mut Diagnostics) {
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
                    "X12 BPR02 in the addenda of entry trace {} differs from the entry amount",
                    self.tx.bank_ref
                ),
            )
            .record("addenda (7)")
            .field("BPR02")
            .expected(self.tx.amount.amount.to_string())
            .found(amount.to_string()),
        );
    }
}
