//! The 820 interpreter: walks segments in order, checks the ISA/GS/ST envelope and its
//! control counts, and gathers each transaction set's payment (BPR), trace (TRN),
//! parties (N1), currency (CUR) and remittance (RMR items, REF/NTE/ADX text).
//!
//! It is fed one segment at a time, so the file reader can stream, and it returns each
//! transaction set when it is complete. It never decides severities for its caller's
//! context: problems carry their own severity and whether they are control counts
//! that `Relaxed::control_totals` may excuse; NACHA turns them all into warnings.

use std::borrow::Cow;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::codes;
use super::lexer::Segment;
use crate::diagnostic::{codes as common, DiagnosticCode, Severity};
use crate::model::{Direction, ReferenceKind, Remittance, RemittanceItem};
use crate::money::{parse_plain_decimal, Currency, Money};

/// One problem found in X12 text, located by segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    pub code: DiagnosticCode,
    /// A control count that `Relaxed::control_totals` may turn into a warning.
    pub control: bool,
    /// Byte offset of the segment in the text (or stream) the engine was fed.
    pub offset: u64,
    /// Line of the segment, as the caller told the engine (0 when unknown).
    pub line: u64,
    /// 1-based position of the segment, counted from ST inside a transaction set
    /// (as SE01 counts), from the start of the text outside one.
    pub segment_number: u64,
    pub segment_id: String,
    /// 1-based element position (`RMR04` is 4).
    pub element: Option<usize>,
    pub message: String,
    pub expected: Option<String>,
    pub found: Option<String>,
}

impl Problem {
    /// `X12 segment 4 RMR, element 4`: where the problem is, for chained messages.
    pub fn location(&self) -> String {
        let mut out = format!("X12 segment {} {}", self.segment_number, self.segment_id);
        if let Some(element) = self.element {
            out.push_str(&format!(", element {element}"));
        }
        out
    }
}

/// A structured remittance item before the currency is known (CUR may follow RMR in
/// badly ordered sets, and the caller may impose one).
#[derive(Debug, Clone, PartialEq, Eq)]
struct PendingItem {
    kind: ReferenceKind,
    reference: String,
    paid: Option<Decimal>,
    total: Option<Decimal>,
    discount: Option<Decimal>,
}

/// One transaction set (ST..SE), or a bare fragment of 820 segments.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TransactionSet {
    /// ST02.
    pub control_number: Option<String>,
    /// Interchange control number (ISA13) of the enclosing interchange.
    pub interchange_control: Option<String>,
    /// Where the set starts (the ST segment, or the first segment of a fragment).
    pub offset: u64,
    pub line: u64,
    /// BPR01: C payment and remittance, D payment only, I remittance only, P prenote...
    pub handling: Option<String>,
    /// BPR02.
    pub amount: Option<Decimal>,
    /// BPR03: C credit, D debit.
    pub direction: Option<Direction>,
    /// BPR04: ACH, CHK, FWT, NON...
    pub method: Option<String>,
    /// BPR16.
    pub date: Option<NaiveDate>,
    /// BPR07 and BPR09: the payer's bank and account.
    pub payer_dfi: Option<String>,
    pub payer_account: Option<String>,
    /// BPR13 and BPR15: the payee's bank and account.
    pub payee_dfi: Option<String>,
    pub payee_account: Option<String>,
    /// TRN02, the reassociation trace number (the ACH trace or check number).
    pub trace: Option<String>,
    /// CUR02.
    pub currency: Option<Currency>,
    /// N1*PR and N1*PE names.
    pub payer_name: Option<String>,
    pub payee_name: Option<String>,
    /// REF, NTE and ADX as readable text lines.
    pub lines: Vec<String>,
    items: Vec<PendingItem>,
    pub has_bpr: bool,
    pub rmr_count: usize,
    rmr_paid_sum: Decimal,
    rmr_all_paid: bool,
    adx_sum: Decimal,
    /// Segments counted so far, ST included.
    segment_count: u64,
}

impl TransactionSet {
    /// The structured remittance, amounts in `currency`.
    pub fn remittance(&self, currency: Currency) -> Remittance<'_> {
        let mut remittance = Remittance::default();
        self.append_remittance(currency, &mut remittance);
        remittance
    }

    /// Appends the structured remittance to `remittance`, its texts borrowed from the
    /// set.
    pub fn append_remittance<'p>(&'p self, currency: Currency, remittance: &mut Remittance<'p>) {
        remittance
            .lines
            .extend(self.lines.iter().map(|line| Cow::Borrowed(line.as_str())));
        self.append_items(currency, &mut remittance.items);
    }

    /// Appends the remittance items only, their references borrowed from the set.
    pub fn append_items<'p>(&'p self, currency: Currency, items: &mut Vec<RemittanceItem<'p>>) {
        let money = |amount: Option<Decimal>| amount.map(|amount| Money::new(amount, currency));
        for item in &self.items {
            items.push(RemittanceItem {
                kind: item.kind,
                reference: Cow::Borrowed(item.reference.as_str()),
                paid: money(item.paid),
                document_total: money(item.total),
                discount: money(item.discount),
            });
        }
    }

    /// Sum of RMR04 when every RMR states one.
    pub fn rmr_paid_sum(&self) -> Option<Decimal> {
        (self.rmr_count > 0 && self.rmr_all_paid).then_some(self.rmr_paid_sum)
    }

    /// Whether the RMR amounts add up to BPR02, directly or after the ADX adjustments.
    /// `None` when there is nothing to compare.
    pub fn rmr_sum_matches(&self) -> Option<bool> {
        let paid = self.rmr_paid_sum()?;
        let amount = self.amount?;
        Some(paid == amount || paid.checked_add(self.adx_sum) == Some(amount))
    }
}

/// Maps an RMR01 / REF01 qualifier (X12 element 128) to the model's reference kind.
pub fn reference_kind(qualifier: &[u8]) -> ReferenceKind {
    match qualifier {
        // Seller's invoice, invoice number (premium 820s), distributor and original
        // invoice numbers.
        b"IV" | b"IK" | b"DI" | b"OI" | b"8I" => ReferenceKind::Invoice,
        b"PO" => ReferenceKind::PurchaseOrder,
        // Credit memo numbers as trade 820s send them (CM; CR where the trading partner
        // agreement uses it for credit memos).
        b"CM" | b"CR" => ReferenceKind::CreditNote,
        _ => ReferenceKind::Other,
    }
}

#[derive(Debug)]
struct Header {
    control: Option<String>,
    count: u64,
}

/// Walks segments and returns transaction sets as they complete.
#[derive(Debug)]
pub struct Engine {
    /// Whether content segments outside ST/SE form an implicit set (NACHA CCD+ and CTX
    /// fragments) rather than being an error (standalone files).
    implicit_sets: bool,
    interchange: Option<Header>,
    group: Option<Header>,
    set: Option<TransactionSet>,
    /// Segments seen outside any set, for locating envelope problems.
    text_segments: u64,
    /// GS08 (or ST03, or ISA12): the version the sender declares.
    pub version: Option<String>,
    /// Line of the segment being fed, for problems.
    pub line: u64,
    /// Transaction sets completed.
    pub sets_completed: u64,
    /// Offset of the last segment fed, where a missing trailer is reported.
    last_offset: u64,
}

impl Engine {
    pub fn new(implicit_sets: bool) -> Engine {
        Engine {
            implicit_sets,
            interchange: None,
            group: None,
            set: None,
            text_segments: 0,
            version: None,
            line: 0,
            sets_completed: 0,
            last_offset: 0,
        }
    }

    /// Feeds one segment; returns a transaction set when this segment completes one.
    pub fn feed(
        &mut self,
        segment: &Segment<'_>,
        problems: &mut Vec<Problem>,
    ) -> Option<TransactionSet> {
        let offset = segment.offset as u64;
        self.last_offset = offset;
        if let Some(set) = self.set.as_mut() {
            set.segment_count += 1;
        } else {
            self.text_segments += 1;
        }
        if !segment.has_valid_id() {
            problems.push(self.problem(
                Severity::Error,
                codes::INVALID_SEGMENT,
                segment,
                None,
                "segment id must be 2 or 3 letters and digits",
                Some("a segment id such as RMR"),
                Some(lossy(segment.id())),
            ));
            return None;
        }
        match segment.id() {
            b"ISA" => {
                let closed = self.close_open(segment, problems, "ISA");
                self.interchange = Some(Header {
                    control: segment.text(13),
                    count: 0,
                });
                if self.version.is_none() {
                    self.version = segment.text(12);
                }
                closed
            }
            b"GS" => {
                let closed = self.close_set(segment, problems, "GS");
                if self.group.is_some() {
                    problems.push(self.problem(
                        Severity::Error,
                        codes::MISSING_TRAILER,
                        segment,
                        None,
                        "GS opens a group before the previous group was closed by GE",
                        Some("GE"),
                        Some("GS".to_owned()),
                    ));
                }
                if let Some(interchange) = self.interchange.as_mut() {
                    interchange.count += 1;
                }
                self.group = Some(Header {
                    control: segment.text(6),
                    count: 0,
                });
                if let Some(version) = segment.text(8) {
                    self.version = Some(version);
                }
                closed
            }
            b"ST" => self.start_set(segment, problems),
            b"SE" => self.end_set(segment, problems),
            b"GE" => {
                let closed = self.close_set(segment, problems, "GE");
                match self.group.take() {
                    None => problems.push(self.unexpected(segment, "GE without a GS header")),
                    Some(group) => {
                        self.check_count(segment, problems, group.count, "transaction sets");
                        self.check_control(segment, problems, 2, group.control, "GS06");
                    }
                }
                closed
            }
            b"IEA" => {
                let closed = self.close_set(segment, problems, "IEA");
                if self.group.take().is_some() {
                    problems.push(self.problem(
                        Severity::Error,
                        codes::MISSING_TRAILER,
                        segment,
                        None,
                        "the functional group was not closed by GE",
                        Some("GE before IEA"),
                        Some("IEA".to_owned()),
                    ));
                }
                match self.interchange.take() {
                    None => problems.push(self.unexpected(segment, "IEA without an ISA header")),
                    Some(interchange) => {
                        self.check_count(segment, problems, interchange.count, "groups");
                        self.check_control(segment, problems, 2, interchange.control, "ISA13");
                    }
                }
                closed
            }
            _ => {
                if self.set.is_none() {
                    if !self.implicit_sets {
                        problems.push(
                            self.unexpected(segment, "segment outside a transaction set (ST..SE)"),
                        );
                        return None;
                    }
                    self.text_segments -= 1;
                    self.set = Some(TransactionSet {
                        interchange_control: self
                            .interchange
                            .as_ref()
                            .and_then(|header| header.control.clone()),
                        offset,
                        line: self.line,
                        rmr_all_paid: true,
                        segment_count: 1,
                        ..TransactionSet::default()
                    });
                }
                self.content(segment, problems);
                None
            }
        }
    }

    /// Ends the text: returns a set still open, reporting missing trailers unless it
    /// is an implicit fragment.
    pub fn finish(&mut self, problems: &mut Vec<Problem>) -> Option<TransactionSet> {
        let set = self.set.take();
        let number = self.text_segments + set.as_ref().map_or(0, |set| set.segment_count);
        let line = self.line;
        let offset = self.last_offset;
        let mut missing = |what: &str, header: &str| {
            problems.push(Problem {
                severity: Severity::Error,
                code: codes::MISSING_TRAILER,
                control: false,
                offset,
                line,
                segment_number: number,
                segment_id: header.to_owned(),
                element: None,
                message: format!("the text ends before the {what} that closes {header}"),
                expected: Some(what.to_owned()),
                found: Some("end of text".to_owned()),
            })
        };
        if let Some(set) = &set {
            if set.control_number.is_some() {
                missing("SE", "ST");
            }
        }
        if self.group.take().is_some() {
            missing("GE", "GS");
        }
        if self.interchange.take().is_some() {
            missing("IEA", "ISA");
        }
        if set.is_some() {
            self.sets_completed += 1;
        }
        set
    }

    fn start_set(
        &mut self,
        segment: &Segment<'_>,
        problems: &mut Vec<Problem>,
    ) -> Option<TransactionSet> {
        let closed = self.close_set(segment, problems, "ST");
        if let Some(group) = self.group.as_mut() {
            group.count += 1;
        }
        self.text_segments -= 1;
        let set = TransactionSet {
            control_number: segment.text(2),
            interchange_control: self
                .interchange
                .as_ref()
                .and_then(|header| header.control.clone()),
            offset: segment.offset as u64,
            line: self.line,
            rmr_all_paid: true,
            segment_count: 1,
            ..TransactionSet::default()
        };
        self.set = Some(set);
        if segment.element(1) != b"820" {
            problems.push(self.problem(
                Severity::Error,
                codes::NOT_820,
                segment,
                Some(1),
                "transaction set is not an 820 payment order/remittance advice",
                Some("820"),
                Some(lossy(segment.element(1))),
            ));
        }
        if self.version.is_none() {
            self.version = segment.text(3);
        }
        closed
    }

    fn end_set(
        &mut self,
        segment: &Segment<'_>,
        problems: &mut Vec<Problem>,
    ) -> Option<TransactionSet> {
        let Some(set) = self.set.as_ref() else {
            problems.push(self.unexpected(segment, "SE without an ST header"));
            return None;
        };
        let counted = set.segment_count;
        let declared = segment.element(1);
        if std::str::from_utf8(declared)
            .ok()
            .and_then(|text| text.parse::<u64>().ok())
            != Some(counted)
        {
            let mut problem = self.problem(
                Severity::Error,
                codes::SEGMENT_COUNT_MISMATCH,
                segment,
                Some(1),
                "SE01 must count the segments from ST to SE",
                Some(&counted.to_string()),
                Some(lossy(declared)),
            );
            problem.control = true;
            problems.push(problem);
        }
        let control = set.control_number.clone();
        if set.control_number.is_some() || !segment.element(2).is_empty() {
            self.check_control(segment, problems, 2, control, "ST02");
        }
        self.sets_completed += 1;
        self.set.take()
    }

    /// Closes a set left open by a missing SE when an envelope segment arrives.
    fn close_set(
        &mut self,
        segment: &Segment<'_>,
        problems: &mut Vec<Problem>,
        arriving: &str,
    ) -> Option<TransactionSet> {
        let set = self.set.take()?;
        // The arriving segment was counted as part of the set; it is not.
        self.text_segments += 1;
        if set.control_number.is_some() {
            problems.push(self.problem(
                Severity::Error,
                codes::MISSING_TRAILER,
                segment,
                None,
                &format!("{arriving} arrives before the SE that closes the transaction set"),
                Some("SE"),
                Some(arriving.to_owned()),
            ));
        }
        self.sets_completed += 1;
        Some(set)
    }

    fn close_open(
        &mut self,
        segment: &Segment<'_>,
        problems: &mut Vec<Problem>,
        arriving: &str,
    ) -> Option<TransactionSet> {
        let closed = self.close_set(segment, problems, arriving);
        if self.group.take().is_some() || self.interchange.take().is_some() {
            problems.push(self.problem(
                Severity::Error,
                codes::MISSING_TRAILER,
                segment,
                None,
                "a new interchange starts before the previous one was closed by IEA",
                Some("IEA"),
                Some(arriving.to_owned()),
            ));
        }
        closed
    }

    fn check_count(
        &self,
        segment: &Segment<'_>,
        problems: &mut Vec<Problem>,
        counted: u64,
        what: &str,
    ) {
        let declared = segment.element(1);
        if std::str::from_utf8(declared)
            .ok()
            .and_then(|text| text.parse::<u64>().ok())
            != Some(counted)
        {
            let mut problem = self.problem(
                Severity::Error,
                codes::GROUP_COUNT_MISMATCH,
                segment,
                Some(1),
                &format!("{}01 must count the {what} it closes", segment.id_text()),
                Some(&counted.to_string()),
                Some(lossy(declared)),
            );
            problem.control = true;
            problems.push(problem);
        }
    }

    fn check_control(
        &self,
        segment: &Segment<'_>,
        problems: &mut Vec<Problem>,
        element: usize,
        header_control: Option<String>,
        header_name: &str,
    ) {
        let found = segment.element(element);
        let expected = header_control.unwrap_or_default();
        if found != expected.as_bytes() {
            problems.push(self.problem(
                Severity::Error,
                codes::CONTROL_NUMBER_MISMATCH,
                segment,
                Some(element),
                &format!("control number must repeat {header_name}"),
                Some(&expected),
                Some(lossy(found)),
            ));
        }
    }

    fn content(&mut self, segment: &Segment<'_>, problems: &mut Vec<Problem>) {
        match segment.id() {
            b"BPR" => self.bpr(segment, problems),
            b"TRN" => {
                let trace = segment.text(2);
                if let Some(set) = self.set.as_mut() {
                    set.trace = trace;
                }
            }
            b"CUR" => {
                let code = segment.element(2);
                match std::str::from_utf8(code)
                    .ok()
                    .and_then(|code| Currency::from_code(code).ok())
                {
                    Some(currency) => {
                        if let Some(set) = self.set.as_mut() {
                            set.currency = Some(currency);
                        }
                    }
                    None => problems.push(self.problem(
                        Severity::Error,
                        common::UNKNOWN_CURRENCY,
                        segment,
                        Some(2),
                        "currency is not an ISO 4217 code",
                        Some("an ISO 4217 code such as USD"),
                        Some(lossy(code)),
                    )),
                }
            }
            b"N1" => {
                let name = segment.text(2);
                if let Some(set) = self.set.as_mut() {
                    match segment.element(1) {
                        b"PR" => set.payer_name = name,
                        b"PE" => set.payee_name = name,
                        _ => {}
                    }
                }
            }
            b"RMR" => self.rmr(segment, problems),
            b"ADX" => {
                let amount = self.amount(segment, problems, 1, "adjustment amount");
                let mut line = format!(
                    "ADX {}",
                    amount.map(|amount| amount.to_string()).unwrap_or_default()
                );
                if let Some(reason) = segment.text(2) {
                    line.push_str(&format!(" reason {reason}"));
                }
                if let (Some(qualifier), Some(reference)) = (segment.text(3), segment.text(4)) {
                    line.push_str(&format!(" {qualifier} {reference}"));
                }
                if let Some(set) = self.set.as_mut() {
                    if let Some(sum) = amount.and_then(|amount| set.adx_sum.checked_add(amount)) {
                        set.adx_sum = sum;
                    }
                    set.lines.push(line);
                }
            }
            b"REF" => {
                let parts: Vec<String> = (1..=3).filter_map(|index| segment.text(index)).collect();
                if let Some(set) = self.set.as_mut() {
                    if !parts.is_empty() {
                        set.lines.push(format!("REF {}", parts.join(" ")));
                    }
                }
            }
            b"NTE" => {
                let text = segment.text(2);
                if let (Some(set), Some(text)) = (self.set.as_mut(), text) {
                    set.lines.push(text);
                }
            }
            _ => {}
        }
    }

    fn bpr(&mut self, segment: &Segment<'_>, problems: &mut Vec<Problem>) {
        if self.set.as_ref().is_some_and(|set| set.has_bpr) {
            problems.push(self.unexpected(segment, "a transaction set has only one BPR"));
            return;
        }
        let amount = if segment.element(2).is_empty() {
            problems.push(self.problem(
                Severity::Error,
                common::MISSING_FIELD,
                segment,
                Some(2),
                "BPR02 payment amount is required",
                Some("amount"),
                None,
            ));
            None
        } else {
            self.amount(segment, problems, 2, "payment amount")
        };
        let direction = match segment.element(3) {
            b"C" => Some(Direction::Credit),
            b"D" => Some(Direction::Debit),
            other => {
                problems.push(self.problem(
                    Severity::Error,
                    if other.is_empty() {
                        common::MISSING_FIELD
                    } else {
                        codes::INVALID_CODE
                    },
                    segment,
                    Some(3),
                    "BPR03 credit/debit flag must be C or D",
                    Some("C or D"),
                    Some(lossy(other)),
                ));
                None
            }
        };
        let date_text = segment.element(16);
        let date = if date_text.is_empty() {
            None
        } else {
            let date = ccyymmdd(date_text);
            if date.is_none() {
                problems.push(self.problem(
                    Severity::Error,
                    common::INVALID_DATE,
                    segment,
                    Some(16),
                    "BPR16 is not a valid date",
                    Some("date CCYYMMDD"),
                    Some(lossy(date_text)),
                ));
            }
            date
        };
        if let Some(set) = self.set.as_mut() {
            set.has_bpr = true;
            set.handling = segment.text(1);
            set.amount = amount;
            set.direction = direction;
            set.method = segment.text(4);
            set.payer_dfi = segment.text(7);
            set.payer_account = segment.text(9);
            set.payee_dfi = segment.text(13);
            set.payee_account = segment.text(15);
            set.date = date;
        }
    }

    fn rmr(&mut self, segment: &Segment<'_>, problems: &mut Vec<Problem>) {
        let paid = self.optional_amount(segment, problems, 4, "paid amount");
        let total = self.optional_amount(segment, problems, 5, "document total");
        let discount = self.optional_amount(segment, problems, 6, "discount");
        let reference = segment.text(2);
        let Some(set) = self.set.as_mut() else {
            return;
        };
        set.rmr_count += 1;
        // Checked: a sum that overflows Decimal cannot be compared, so it is not.
        match paid.and_then(|paid| set.rmr_paid_sum.checked_add(paid)) {
            Some(sum) => set.rmr_paid_sum = sum,
            None => set.rmr_all_paid = false,
        }
        if let Some(reference) = reference {
            set.items.push(PendingItem {
                kind: reference_kind(segment.element(1)),
                reference,
                paid,
                total,
                discount,
            });
        }
    }

    fn optional_amount(
        &self,
        segment: &Segment<'_>,
        problems: &mut Vec<Problem>,
        element: usize,
        what: &str,
    ) -> Option<Decimal> {
        if segment.element(element).is_empty() {
            return None;
        }
        self.amount(segment, problems, element, what)
    }

    fn amount(
        &self,
        segment: &Segment<'_>,
        problems: &mut Vec<Problem>,
        element: usize,
        what: &str,
    ) -> Option<Decimal> {
        let text = segment.element(element);
        let parsed = std::str::from_utf8(text)
            .ok()
            .filter(|text| text.len() <= 18)
            .and_then(parse_plain_decimal);
        if parsed.is_none() {
            problems.push(self.problem(
                Severity::Error,
                common::INVALID_AMOUNT,
                segment,
                Some(element),
                &format!("{what} is not a decimal amount"),
                Some("amount"),
                Some(lossy(text)),
            ));
        }
        parsed
    }

    fn unexpected(&self, segment: &Segment<'_>, message: &str) -> Problem {
        self.problem(
            Severity::Error,
            codes::UNEXPECTED_SEGMENT,
            segment,
            None,
            message,
            None,
            None,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn problem(
        &self,
        severity: Severity,
        code: DiagnosticCode,
        segment: &Segment<'_>,
        element: Option<usize>,
        message: &str,
        expected: Option<&str>,
        found: Option<String>,
    ) -> Problem {
        let segment_number = match &self.set {
            Some(set) => set.segment_count,
            None => self.text_segments,
        };
        Problem {
            severity,
            code,
            control: false,
            offset: segment.offset as u64,
            line: self.line,
            segment_number,
            segment_id: segment.id_text(),
            element,
            message: message.to_owned(),
            expected: expected.map(str::to_owned),
            found,
        }
    }
}

/// A warning when every RMR states a paid amount and their sum (with or without the
/// ADX adjustments) is not BPR02.
pub fn sum_problem(set: &TransactionSet) -> Option<Problem> {
    if set.rmr_sum_matches()? {
        return None;
    }
    Some(Problem {
        severity: Severity::Warning,
        code: codes::RMR_SUM_MISMATCH,
        control: false,
        offset: set.offset,
        line: set.line,
        segment_number: 1,
        segment_id: "ST".to_owned(),
        element: None,
        message: "the RMR04 paid amounts do not add up to the BPR02 payment amount".to_owned(),
        expected: set.amount.map(|amount| amount.to_string()),
        found: set.rmr_paid_sum().map(|sum| sum.to_string()),
    })
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// An X12 date (CCYYMMDD, or YYMMDD in 4010-era envelopes).
pub fn ccyymmdd(text: &[u8]) -> Option<NaiveDate> {
    if !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        std::str::from_utf8(text.get(range)?).ok()?.parse().ok()
    };
    match text.len() {
        8 => NaiveDate::from_ymd_opt(
            i32::try_from(number(0..4)?).ok()?,
            number(4..6)?,
            number(6..8)?,
        ),
        6 => NaiveDate::from_ymd_opt(
            2000 + i32::try_from(number(0..2)?).ok()?,
            number(2..4)?,
            number(4..6)?,
        ),
        _ => None,
    }
}
