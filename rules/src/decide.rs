//! One payment, one proposal: the ordered rules applied to a single payment against
//! the catalog as it was before the run. Pure and independent of every other
//! payment, so payments are decided in parallel; the engine's conflict pass then
//! reconciles proposals that compete for the same invoice.

use std::borrow::Cow;
use std::fmt::Write as _;

use chrono::NaiveDate;
use parsers::model::ReferenceKind;
use parsers::money::{Currency, Money};

use crate::classify::Classifier;
use crate::combination::{self, Bounds, Combinations};
use crate::decision::{
    Application, Confidence, Decision, ExceptionReason, PaymentStatus, RuleId, Suggestion,
};
use crate::differences::{Allow, Differences, Settlement, PENALTY_OVERPAYMENT, PENALTY_PARTIAL};
use crate::index::{Catalog, CustomerPos, InvoicePos, Lookup};
use crate::input::Payment;
use crate::normalize::{self, creditor_reference_payload, squash};
use crate::ruleset::RuleSet;
use crate::similarity::{self, name_similarity};

/// Base confidence of each way of finding an invoice (per-mille).
const CONFIDENCE_STRUCTURED: u16 = 1000;
const CONFIDENCE_CREDITOR_REFERENCE: u16 = 1000;
const CONFIDENCE_END_TO_END: u16 = 980;
const CONFIDENCE_TEXT_EXACT: u16 = 970;
const CONFIDENCE_TEXT_NORMALIZED: u16 = 950;
const CONFIDENCE_PO: u16 = 920;
const CONFIDENCE_ONE_CHAR: u16 = 920;
const CONFIDENCE_ACCOUNT: u16 = 970;
/// Given up when only part of the invoices found in the remittance fits the amount.
const PENALTY_SUBSET: u16 = 100;
/// Given up when an amount differs and the payer's name is not the invoice's
/// customer's: a wrongly read reference looks exactly like this.
const PENALTY_PAYER_DISAGREES: u16 = 100;
/// Given up when the invoices were found by combination rather than by amount.
const PENALTY_COMBINATION: u16 = 40;
/// The most a difference costs when the payer is confirmed as the invoice's
/// customer (known account, similar name, or named in the text): a partial payment
/// from the customer who owes the invoice is ordinary.
const PENALTY_CONFIRMED_MAX: u16 = 30;
/// A customer's normalised name shorter than this is not looked for in remittance
/// text (chars): short names occur in ordinary words.
const NAMED_IN_TEXT_CHARS_MIN: usize = 6;

/// What one payment's rules propose, before the run-wide conflict pass.
pub(crate) struct Proposal {
    pub(crate) decision: Decision,
    /// Invoice positions and what each application takes from the open amount
    /// (cash plus write-off, minor units).
    pub(crate) takes: Vec<(InvoicePos, i64)>,
}

/// Everything fixed for a run: catalog, settings, compiled patterns.
pub(crate) struct Context<'a> {
    pub(crate) catalog: &'a Catalog<'a>,
    pub(crate) rules: &'a RuleSet,
    pub(crate) classifier: Classifier,
    pub(crate) differences: Differences,
    pub(crate) today: Option<NaiveDate>,
}

/// An invoice a reference pointed at.
#[derive(Debug, Clone)]
struct Found {
    pos: InvoicePos,
    rule: RuleId,
    confidence: u16,
    place: Place,
    /// The amount a structured item says was paid on it (minor units).
    paid: Option<i64>,
}

/// Where in the payment a reference was found; rendered only for explanations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Structured remittance item, 1-based.
    Item(usize),
    /// Remittance line, 1-based.
    Line(usize),
    EndToEndId,
    CustomerReference,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Item(n) => write!(f, "structured remittance item {n}"),
            Place::Line(n) => write!(f, "remittance line {n}"),
            Place::EndToEndId => f.write_str("end-to-end id"),
            Place::CustomerReference => f.write_str("customer reference"),
        }
    }
}

/// Who the payer is, as far as account and name tell.
enum Payer {
    Known {
        customer: CustomerPos,
        confidence: u16,
        rule: RuleId,
        note: String,
    },
    Ambiguous {
        customers: Vec<CustomerPos>,
        note: String,
    },
    Unknown {
        note: String,
    },
}

/// Whether the payer's account or name agrees with the invoice's customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Agreement {
    Agrees,
    Disagrees,
    Silent,
}

/// A suggestion before ranking.
struct Candidate {
    pos: InvoicePos,
    score: u16,
    reason: String,
}

/// The payment being decided, with its amount in minor units.
struct Subject<'p> {
    payment: &'p Payment,
    available: i64,
    currency: Currency,
    paid_on: Option<NaiveDate>,
}

impl Subject<'_> {
    fn money(&self, minor: i64) -> Money {
        Money::from_minor(minor, self.currency)
    }
}

impl<'a> Context<'a> {
    pub(crate) fn new(
        catalog: &'a Catalog<'a>,
        rules: &'a RuleSet,
        today: Option<NaiveDate>,
    ) -> Self {
        Context {
            catalog,
            rules,
            classifier: Classifier::new(&rules.non_ar),
            differences: Differences::new(&rules.differences),
            today,
        }
    }

    fn invoice_id(&self, pos: InvoicePos) -> &str {
        &self.catalog.invoices[pos as usize].id
    }

    fn customer_name(&self, customer: CustomerPos) -> &str {
        &self.catalog.customers[customer as usize].name
    }

    fn invoice_customer_name(&self, pos: InvoicePos) -> String {
        match self.catalog.info[pos as usize].customer {
            Some(customer) => self.customer_name(customer).to_owned(),
            None => self.catalog.invoices[pos as usize].customer_id.clone(),
        }
    }

    /// Several invoices may share a normalised number (`INV4711` and `4711`); those
    /// whose number is literally the reference (case and separators aside) win.
    fn narrow<'h>(&self, hits: Cow<'h, [InvoicePos]>, reference: &str) -> Cow<'h, [InvoicePos]> {
        if hits.len() > 1 {
            let literal: Vec<InvoicePos> = hits
                .iter()
                .copied()
                .filter(|&pos| normalize::eq_squashed(self.invoice_id(pos), reference))
                .collect();
            if !literal.is_empty() {
                return Cow::Owned(literal);
            }
        }
        hits
    }

    /// The hits spelled exactly like `reference` (case and separators aside), when the
    /// reference is long enough to mean something; `None` when there are none.
    fn literal<'h>(
        &self,
        hits: Cow<'h, [InvoicePos]>,
        reference: &str,
        chars_min: usize,
    ) -> Option<Cow<'h, [InvoicePos]>> {
        let squashed_len = reference.chars().filter(|c| c.is_alphanumeric()).count();
        if squashed_len < chars_min {
            return None;
        }
        let literal: Vec<InvoicePos> = hits
            .iter()
            .copied()
            .filter(|&pos| normalize::eq_squashed(self.invoice_id(pos), reference))
            .collect();
        (!literal.is_empty()).then_some(Cow::Owned(literal))
    }

    /// Whether the invoice was issued on or before `date` (unknown dates pass).
    fn issued_by(&self, pos: InvoicePos, date: Option<NaiveDate>) -> bool {
        match (self.catalog.invoices[pos as usize].issue_date, date) {
            (Some(issued), Some(date)) => issued <= date,
            _ => true,
        }
    }

    fn open(&self, pos: InvoicePos) -> Option<i64> {
        self.catalog.info[pos as usize].open()
    }

    /// Decides one payment.
    pub(crate) fn decide<L: Lookup>(&self, lookup: &L, payment: &Payment) -> Proposal {
        if let Some(non_ar) = self.classifier.classify(payment) {
            let mut decision = blank(payment, PaymentStatus::NonAr, RuleId::NonAr);
            decision.unapplied = Money::zero(payment.available.currency);
            decision.confidence = Confidence::CERTAIN;
            decision.explanation = non_ar.explanation;
            decision.non_ar_kind = Some(non_ar.kind);
            decision.returns_trace = payment.return_of.clone();
            return Proposal {
                decision,
                takes: Vec::new(),
            };
        }
        let available = match payment.available.to_minor() {
            Ok(available) => available,
            Err(error) => {
                return self.exception(
                    payment,
                    ExceptionReason::AmountMismatch,
                    RuleId::NoMatch,
                    format!("payment amount cannot be applied: {error}"),
                    Vec::new(),
                )
            }
        };
        if available <= 0 {
            let mut decision = blank(payment, PaymentStatus::Applied, RuleId::NoMatch);
            decision.confidence = Confidence::CERTAIN;
            decision.explanation =
                "nothing left to apply: fully applied before this run".to_owned();
            return Proposal {
                decision,
                takes: Vec::new(),
            };
        }
        let subject = Subject {
            payment,
            available,
            currency: payment.available.currency,
            paid_on: payment.booking_date.or(self.today),
        };
        let (found, unmatched) = self.find_references(lookup, &subject);
        if found.is_empty() {
            self.without_reference(lookup, &subject, &unmatched)
        } else {
            self.with_references(lookup, &subject, found, &unmatched)
        }
    }

    // ---- Rule 1: references ----------------------------------------------------

    fn find_references<L: Lookup>(
        &self,
        lookup: &L,
        subject: &Subject<'_>,
    ) -> (Vec<Found>, Vec<String>) {
        let rules = &self.rules.references;
        let mut found: Vec<Found> = Vec::new();
        // Normalised references that found nothing, for the one-character rule.
        // With the reference as written (letters and digits only), whose length is
        // what makes a one-character difference telling.
        let mut unresolved: Vec<(String, String, Place, Option<i64>)> = Vec::new();
        // Invoices found only by a bare number that needs a prefix or zeros added to
        // be their number (`ITEM 6492` → INV-006492), and those found otherwise.
        let mut loose: Vec<InvoicePos> = Vec::new();
        let mut firm: Vec<InvoicePos> = Vec::new();
        // Structured references that found nothing, for the explanation.
        let mut unmatched: Vec<String> = Vec::new();
        if !rules.enabled {
            return (found, unmatched);
        }
        let payment = subject.payment;
        let keys = &self.catalog.keys;
        let add =
            |found: &mut Vec<Found>, hits: &[InvoicePos], rule, confidence, place: Place, paid| {
                for &pos in hits {
                    if !found.iter().any(|f| f.pos == pos) {
                        found.push(Found {
                            pos,
                            rule,
                            confidence,
                            place,
                            paid,
                        });
                    }
                }
                !hits.is_empty()
            };
        if rules.structured {
            let items = &payment.remittance.items;
            for (i, item) in items.iter().enumerate() {
                let place = Place::Item(i + 1);
                let paid = item
                    .paid
                    .filter(|paid| paid.currency == subject.currency)
                    .and_then(|paid| paid.to_minor().ok());
                let key = keys.key(&item.reference);
                let hit = match item.kind {
                    ReferenceKind::CreditNote => continue,
                    ReferenceKind::PurchaseOrder => {
                        rules.po_number
                            && add(
                                &mut found,
                                &lookup.invoices_by_po(&key),
                                RuleId::PoNumber,
                                CONFIDENCE_PO,
                                place,
                                paid,
                            )
                    }
                    ReferenceKind::CreditorReference => {
                        let squashed = squash(&item.reference);
                        match creditor_reference_payload(&squashed) {
                            Some(payload) if rules.creditor_reference => add(
                                &mut found,
                                &self.narrow(lookup.invoices_by_key(&keys.key(payload)), payload),
                                RuleId::CreditorReference,
                                CONFIDENCE_CREDITOR_REFERENCE,
                                place,
                                paid,
                            ),
                            Some(_) => false,
                            None => add(
                                &mut found,
                                &self.narrow(lookup.invoices_by_key(&key), &item.reference),
                                RuleId::StructuredReference,
                                CONFIDENCE_STRUCTURED,
                                place,
                                paid,
                            ),
                        }
                    }
                    ReferenceKind::Invoice | ReferenceKind::Other => {
                        add(
                            &mut found,
                            &self.narrow(lookup.invoices_by_key(&key), &item.reference),
                            RuleId::StructuredReference,
                            CONFIDENCE_STRUCTURED,
                            place,
                            paid,
                        ) || (rules.po_number
                            && add(
                                &mut found,
                                &lookup.invoices_by_po(&key),
                                RuleId::PoNumber,
                                CONFIDENCE_PO,
                                place,
                                paid,
                            ))
                    }
                };
                if !hit {
                    unmatched.push(item.reference.to_string());
                    let amount = paid.or((items.len() == 1).then_some(subject.available));
                    unresolved.push((key, squash(&item.reference), place, amount));
                }
            }
        }
        // Free-text sources: the remittance lines, the seams between them, then the
        // payer's own references.
        let lines = &payment.remittance.lines;
        let mut texts: Vec<(Place, &str)> = lines
            .iter()
            .enumerate()
            .map(|(i, line)| (Place::Line(i + 1), line.as_ref()))
            .collect();
        // Banks wrap text at a fixed width (BAI2 88 records, 35-character CAMT and
        // MT940 lines), sometimes inside a reference (`KD` / `18808`): the last word
        // of a line with the first of the next is read as one more text.
        let seams: Vec<(Place, String)> = lines
            .windows(2)
            .enumerate()
            .filter_map(|(i, pair)| {
                let last = pair[0].split_whitespace().next_back()?;
                let first = pair[1].split_whitespace().next()?;
                Some((Place::Line(i + 1), format!("{last} {first}")))
            })
            .collect();
        texts.extend(seams.iter().map(|(place, text)| (*place, text.as_str())));
        if rules.end_to_end_id {
            for (label, value) in [
                (Place::EndToEndId, &payment.end_to_end_id),
                (Place::CustomerReference, &payment.customer_ref),
            ] {
                let Some(value) = value.as_deref() else {
                    continue;
                };
                if value.eq_ignore_ascii_case("NOTPROVIDED") || value.trim().is_empty() {
                    continue;
                }
                let key = keys.key(value);
                let hits = if key.len() >= rules.key_chars_min {
                    Some(self.narrow(lookup.invoices_by_key(&key), value))
                } else {
                    self.literal(lookup.invoices_by_key(&key), value, rules.key_chars_min)
                };
                let whole = key.bytes().any(|b| b.is_ascii_digit())
                    && hits.is_some_and(|hits| {
                        add(
                            &mut found,
                            &hits,
                            RuleId::EndToEndReference,
                            CONFIDENCE_END_TO_END,
                            label,
                            None,
                        )
                    });
                if !whole {
                    texts.push((label, value));
                }
            }
        }
        for &(place, text) in &texts {
            let mut rest = None;
            if rules.creditor_reference {
                let (payloads, remainder) = normalize::creditor_references_with_rest(text);
                rest = remainder;
                for payload in payloads {
                    add(
                        &mut found,
                        &self.narrow(lookup.invoices_by_key(&keys.key(&payload)), &payload),
                        RuleId::CreditorReference,
                        CONFIDENCE_CREDITOR_REFERENCE,
                        place,
                        None,
                    );
                }
            }
            if !rules.free_text {
                continue;
            }
            let line = rest.as_deref().unwrap_or(text);
            // A number printed with a blank for its separator (`2026 0456`) is read
            // whole when it is an invoice number spelled exactly; its halves are not
            // read again (`2026` alone could be another invoice).
            let mut consumed: Vec<&str> = Vec::new();
            for (joined, first, second) in normalize::joined_numbers(line) {
                if consumed.contains(&first) {
                    continue;
                }
                let Some(hits) = self.literal(
                    lookup.invoices_by_key(&keys.key(&joined)),
                    &joined,
                    rules.key_chars_min,
                ) else {
                    continue;
                };
                add(
                    &mut found,
                    &hits,
                    RuleId::InvoiceReferenceNormalized,
                    CONFIDENCE_TEXT_NORMALIZED,
                    place,
                    None,
                );
                consumed.extend([first, second]);
            }
            let mut candidates: std::collections::VecDeque<(String, bool)> =
                normalize::reference_candidates(line).into();
            while let Some((candidate, joined)) = candidates.pop_front() {
                if consumed.iter().any(|word| candidate.ends_with(word)) {
                    continue;
                }
                let key = keys.key(&candidate);
                if !key.bytes().any(|b| b.is_ascii_digit()) {
                    continue;
                }
                let hits = if key.len() >= rules.key_chars_min {
                    self.narrow(lookup.invoices_by_key(&key), &candidate)
                } else {
                    // A short number ("INV-7", "INV-00005" → "5") is too common to look up
                    // loosely, but a reference spelled exactly like an invoice number is
                    // still that invoice.
                    match self.literal(
                        lookup.invoices_by_key(&key),
                        &candidate,
                        rules.key_chars_min,
                    ) {
                        Some(literal) => literal,
                        None => continue,
                    }
                };
                if !hits.is_empty() {
                    let bare = !candidate.chars().any(char::is_alphabetic);
                    for &pos in hits.iter() {
                        let id = self.invoice_id(pos);
                        let exact = normalize::eq_squashed(id, &candidate);
                        if !exact && bare && id.chars().any(char::is_alphabetic) {
                            loose.push(pos);
                        } else {
                            firm.push(pos);
                        }
                        let (rule, confidence) = if exact {
                            (RuleId::InvoiceReferenceExact, CONFIDENCE_TEXT_EXACT)
                        } else {
                            (
                                RuleId::InvoiceReferenceNormalized,
                                CONFIDENCE_TEXT_NORMALIZED,
                            )
                        };
                        add(&mut found, &[pos], rule, confidence, place, None);
                    }
                    continue;
                }
                if rules.po_number
                    && add(
                        &mut found,
                        &lookup.invoices_by_po(&key),
                        RuleId::PoNumber,
                        CONFIDENCE_PO,
                        place,
                        None,
                    )
                {
                    continue;
                }
                // `2026/0456/PAYMENT`, `KD 33308/PAYMENT`: a word after the last
                // slash is text, not part of the number.
                if let Some(number) = normalize::without_trailing_words(&candidate) {
                    candidates.push_front((number.to_owned(), joined));
                    continue;
                }
                // `2026/403` for `2026/0403`: the zeros put back, spelled exactly.
                let padded = normalize::zero_padded(&candidate)
                    .into_iter()
                    .find_map(|padded| {
                        self.literal(
                            lookup.invoices_by_key(&keys.key(&padded)),
                            &padded,
                            rules.key_chars_min,
                        )
                    });
                if let Some(hits) = padded {
                    add(
                        &mut found,
                        &hits,
                        RuleId::InvoiceReferenceNormalized,
                        CONFIDENCE_TEXT_NORMALIZED,
                        place,
                        None,
                    );
                    continue;
                }
                unresolved.push((key, squash(&candidate), place, Some(subject.available)));
                // Not one number: perhaps several, tried one by one (the word alone
                // comes next; a word joined to the one before is not cut up).
                if !joined {
                    for piece in normalize::slash_pieces(&candidate).into_iter().rev() {
                        candidates.push_front((piece, false));
                    }
                }
            }
        }
        // A loose hit is kept only when its open amount is the payment's: otherwise
        // the bare number was most likely other text (an item or batch number).
        found.retain(|f| {
            f.rule != RuleId::InvoiceReferenceNormalized
                || !loose.contains(&f.pos)
                || firm.contains(&f.pos)
                || self.open(f.pos) == Some(subject.available)
        });
        if found.is_empty() && rules.one_char_error {
            for (key, written, place, amount) in &unresolved {
                let Some(amount) = amount else { continue };
                if written.chars().count() < rules.one_char_error_chars_min {
                    continue;
                }
                let group = lookup.open_invoices_by_amount(subject.currency, *amount);
                if group.len() > rules.amount_group_max {
                    continue;
                }
                for &pos in group.iter() {
                    let invoice_key = &self.catalog.info[pos as usize].key;
                    // By key, or as written: a mistyped leading zero (`INV-205718`
                    // for INV-005718) changes the key's length.
                    let one_off = (invoice_key.len().abs_diff(key.len()) <= 1
                        && strsim::osa_distance(key, invoice_key) == 1)
                        || strsim::osa_distance(written, &squash(self.invoice_id(pos))) == 1;
                    // An equal amount is weak on its own (round sums recur): the
                    // payer must be confirmed as the invoice's customer too, or the
                    // number of a payment that came before its invoice lands on
                    // someone else's.
                    if one_off && self.payer_relation(subject.payment, pos).1 == Agreement::Agrees {
                        add(
                            &mut found,
                            &[pos],
                            RuleId::InvoiceReferenceOneChar,
                            CONFIDENCE_ONE_CHAR,
                            *place,
                            Some(*amount),
                        );
                    }
                }
            }
        }
        (found, unmatched)
    }

    fn with_references<L: Lookup>(
        &self,
        lookup: &L,
        subject: &Subject<'_>,
        found: Vec<Found>,
        unmatched: &[String],
    ) -> Proposal {
        let payment = subject.payment;
        let info = &self.catalog.info;
        // One reference that does not fit may be a mistyped number that happens to
        // be another invoice's: its neighbour one character away may be the one.
        let single = found.len() == 1;
        let (same, other): (Vec<Found>, Vec<Found>) = found
            .into_iter()
            .partition(|f| info[f.pos as usize].currency == subject.currency);
        if same.is_empty() {
            let f = &other[0];
            if single {
                let why = format!("it is in {}", info[f.pos as usize].currency);
                if let Some(proposal) = self.redirect(lookup, subject, f, &why) {
                    return proposal;
                }
            }
            let suggestions = other
                .iter()
                .map(|f| Candidate {
                    pos: f.pos,
                    score: 300,
                    reason: format!(
                        "found in {}, but in {}",
                        f.place, info[f.pos as usize].currency
                    ),
                })
                .collect();
            return self.exception(
                payment,
                ExceptionReason::Currency,
                f.rule,
                format!(
                    "invoice {} found in {}, but it is in {} and the payment in {}",
                    self.invoice_id(f.pos),
                    f.place,
                    info[f.pos as usize].currency,
                    subject.currency
                ),
                suggestions,
            );
        }
        let (open, settled): (Vec<Found>, Vec<Found>) =
            same.into_iter().partition(|f| self.open(f.pos).is_some());
        let settled_fits = settled
            .iter()
            .find(|f| info[f.pos as usize].amount_minor == Some(subject.available));
        let open_fits = open
            .iter()
            .any(|f| self.open(f.pos) == Some(subject.available));
        if open.is_empty() || (settled_fits.is_some() && !open_fits) {
            // Paid again with its own amount is a duplicate payment; with another
            // amount, perhaps a neighbouring number was meant.
            if single && settled_fits.is_none() {
                if let Some(proposal) =
                    self.redirect(lookup, subject, &settled[0], "it is already paid")
                {
                    return proposal;
                }
            }
            let f = settled_fits.unwrap_or(&settled[0]);
            let mut decision = blank(payment, PaymentStatus::Unapplied, f.rule);
            decision.exception_reason = Some(ExceptionReason::AlreadyPaid);
            decision.confidence = Confidence::from_per_mille(f.confidence);
            decision.explanation = format!(
                "invoice {} found in {}, but it is already paid; the cash stays on account",
                self.invoice_id(f.pos),
                f.place
            );
            decision.suggestions = self.rank(
                open.iter()
                    .map(|f| Candidate {
                        pos: f.pos,
                        score: 300,
                        reason: format!("also found in {}", f.place),
                    })
                    .collect(),
            );
            return Proposal {
                decision,
                takes: Vec::new(),
            };
        }
        if self.rules.several.listed && open.len() >= 2 && open.iter().all(|f| f.paid.is_some()) {
            return self.listed_with_amounts(lookup, subject, &open, unmatched);
        }
        if open.len() == 1 {
            return self.single_reference(lookup, subject, &open[0], unmatched, single);
        }
        self.several_references(lookup, subject, &open)
    }

    /// How the payer relates to the invoice's customer: a note for the explanation,
    /// and whether account or name agree with it.
    fn payer_relation(&self, payment: &Payment, pos: InvoicePos) -> (String, Agreement) {
        let Some(customer) = self.catalog.info[pos as usize].customer else {
            return (String::new(), Agreement::Silent);
        };
        let name = self.customer_name(customer);
        if let Some(account) = payment.payer_account.as_deref() {
            let account = normalize::account(account);
            let known = self.catalog.customers[customer as usize]
                .bank_accounts
                .iter()
                .any(|known| normalize::account(known) == account);
            if known && !account.is_empty() {
                return (
                    format!("; payer account known for customer {name}"),
                    Agreement::Agrees,
                );
            }
        }
        if let Some(payer_name) = payment.payer_name.as_deref() {
            let normalized = self.catalog.names.normalize(payer_name);
            let best = self.catalog.customer_names[customer as usize]
                .iter()
                .map(|known| name_similarity(&normalized, known))
                .max()
                .unwrap_or(Confidence::NONE);
            if best >= self.rules.payer.name_similarity_min {
                return (
                    format!("; payer name {best} similar to customer {name}"),
                    Agreement::Agrees,
                );
            }
            return (
                format!("; invoice of customer {name}, but payer {payer_name:?} ({best} similar)"),
                Agreement::Disagrees,
            );
        }
        if self.named_in_text(payment, customer) {
            return (
                format!("; customer {name} named in the remittance text"),
                Agreement::Agrees,
            );
        }
        (format!("; invoice of customer {name}"), Agreement::Silent)
    }

    /// Whether the remittance text names the customer (or an alias) word for word:
    /// BAI2 and lockbox records carry the originator's name in their text
    /// (`ORIG CO NAME:ACME TOOLS CORP`), not in a payer field.
    fn named_in_text(&self, payment: &Payment, customer: CustomerPos) -> bool {
        if payment.remittance.lines.is_empty() {
            return false;
        }
        let text = self
            .catalog
            .names
            .normalize_text(&payment.remittance.lines.join(" "));
        let words: Vec<&str> = text.split(' ').collect();
        self.catalog.customer_names[customer as usize]
            .iter()
            .filter(|name| name.len() >= NAMED_IN_TEXT_CHARS_MIN)
            .any(|name| {
                // Shortened in the text (`LIGHTHOUSE COMM` for `LIGHTHOUSE
                // COMMUNICATIONS`) or cut short in the catalogue, word by word.
                let wanted = name.split(' ').count();
                words.windows(wanted).any(|window| {
                    window
                        .iter()
                        .zip(name.split(' '))
                        .enumerate()
                        .all(|(i, (seen, known))| {
                            seen == &known
                                || (i > 0 && seen.len() >= 3 && known.starts_with(seen))
                                || (i + 1 == wanted && seen.starts_with(known))
                        })
                })
            })
    }

    /// `Some(exception)` when the payer is identified as a customer other than the
    /// invoice's: a reference to another customer's invoice only applies with the
    /// exact open amount.
    fn other_customer<L: Lookup>(
        &self,
        lookup: &L,
        subject: &Subject<'_>,
        found: &[&Found],
    ) -> Option<Proposal> {
        let payer = self.identify(lookup, subject.payment);
        let (customers, note) = match &payer {
            Payer::Known { customer, note, .. } => (vec![*customer], note.clone()),
            Payer::Ambiguous { customers, note } => (customers.clone(), note.clone()),
            Payer::Unknown { .. } => return None,
        };
        let foreign: Vec<&&Found> = found
            .iter()
            .filter(|f| {
                self.catalog.info[f.pos as usize]
                    .customer
                    .is_none_or(|owner| !customers.contains(&owner))
            })
            .collect();
        let f = foreign.first()?;
        // The reference is not the payer's: its own open invoices may still fit
        // (rule 3), with the ignored reference in the explanation.
        if let Payer::Known {
            customer,
            confidence,
            rule,
            note,
        } = &payer
        {
            let context = format!(
                "invoice {} found in {} belongs to customer {}, not to the payer, and its amount differs; ignored; {note}",
                self.invoice_id(f.pos),
                f.place,
                self.invoice_customer_name(f.pos)
            );
            let fallback =
                self.known_payer(lookup, subject, *customer, *confidence, *rule, &context);
            if !fallback.takes.is_empty() {
                return Some(fallback);
            }
        }
        let suggestions = foreign
            .iter()
            .map(|f| Candidate {
                pos: f.pos,
                score: 400,
                reason: format!(
                    "found in {}; invoice of customer {}",
                    f.place,
                    self.invoice_customer_name(f.pos)
                ),
            })
            .collect();
        Some(self.exception(
            subject.payment,
            ExceptionReason::OtherCustomer,
            f.rule,
            format!(
                "invoice {} found in {} belongs to customer {}, but {note}, and the amount {} is not its open amount",
                self.invoice_id(f.pos),
                f.place,
                self.invoice_customer_name(f.pos),
                subject.money(subject.available),
            ),
            suggestions,
        ))
    }

    fn single_reference<L: Lookup>(
        &self,
        lookup: &L,
        subject: &Subject<'_>,
        f: &Found,
        unmatched: &[String],
        single: bool,
    ) -> Proposal {
        let invoice = self.catalog.invoices[f.pos as usize];
        let open = self.open(f.pos).unwrap_or(0);
        let mut explanation = format!("invoice {} found in {}", invoice.id, f.place);
        if open != subject.available && single {
            if let Some(neighbour) = self.typo_neighbour(lookup, subject, f) {
                let fits = self
                    .differences
                    .settle(
                        invoice,
                        open,
                        subject.available,
                        subject.payment,
                        subject.paid_on,
                        Allow::All,
                    )
                    .is_some();
                let confirmed = self.payer_relation(subject.payment, f.pos).1 == Agreement::Agrees;
                if !fits || !confirmed {
                    let why = format!(
                        "its open amount {} is not the payment's",
                        subject.money(open)
                    );
                    return self.apply_neighbour(subject, f, neighbour, &why);
                }
                // Both the customer's: a partial or over-payment of the invoice
                // named, or the neighbour paid in full under a mistyped number.
                return self.exception(
                    subject.payment,
                    ExceptionReason::Ambiguous,
                    f.rule,
                    format!(
                        "invoice {} found in {} with open amount {}; invoice {}, one character away, has the payment's amount {} as its open amount",
                        invoice.id,
                        f.place,
                        subject.money(open),
                        self.invoice_id(neighbour),
                        subject.money(subject.available)
                    ),
                    vec![
                        Candidate {
                            pos: neighbour,
                            score: 600,
                            reason: "open amount equal; one character from the reference"
                                .to_owned(),
                        },
                        Candidate {
                            pos: f.pos,
                            score: 550,
                            reason: format!("found in {}", f.place),
                        },
                    ],
                );
            }
        }
        if open != subject.available {
            if let Some(exception) = self.other_customer(lookup, subject, &[f]) {
                return exception;
            }
        }
        let settlement = self.differences.settle(
            invoice,
            open,
            subject.available,
            subject.payment,
            subject.paid_on,
            Allow::All,
        );
        let Some(settlement) = settlement else {
            return self.exception(
                subject.payment,
                ExceptionReason::AmountMismatch,
                f.rule,
                format!(
                    "{explanation}; its open amount {} does not fit the payment {} within tolerance",
                    subject.money(open),
                    subject.money(subject.available)
                ),
                vec![Candidate {
                    pos: f.pos,
                    score: f.confidence / 2,
                    reason: format!("found in {}; open amount {}", f.place, subject.money(open)),
                }],
            );
        };
        let _ = write!(explanation, "; {}", settlement.note);
        let (note, agreement) = self.payer_relation(subject.payment, f.pos);
        explanation.push_str(&note);
        if !unmatched.is_empty() {
            let _ = write!(explanation, "; not found: {}", unmatched.join(", "));
        }
        let penalty = if agreement == Agreement::Agrees {
            settlement.penalty.min(PENALTY_CONFIRMED_MAX)
        } else {
            settlement.penalty
        };
        let mut confidence = f.confidence.saturating_sub(penalty);
        // A short or an over-payment is also what a mistyped reference to someone
        // else's invoice looks like: it needs the payer to be the invoice's customer,
        // not just silent.
        let unsettled =
            settlement.penalty == PENALTY_PARTIAL || settlement.applied < subject.available;
        let unconfirmed =
            agreement == Agreement::Disagrees || (unsettled && agreement == Agreement::Silent);
        if settlement.penalty > 0 && unconfirmed {
            confidence = confidence.saturating_sub(PENALTY_PAYER_DISAGREES);
        }
        self.apply(
            subject,
            f.rule,
            confidence,
            vec![(f.pos, settlement)],
            explanation,
        )
    }

    /// The one open invoice whose number is one character from the invoice `f`
    /// found, whose open amount is the payment's, and whose customer the payer is
    /// confirmed as; `None` when there is not exactly one.
    fn typo_neighbour<L: Lookup>(
        &self,
        lookup: &L,
        subject: &Subject<'_>,
        f: &Found,
    ) -> Option<InvoicePos> {
        // What is left of a payment applied before (an overpayment's rest) names
        // the invoice it already paid: that is no typo.
        if subject.payment.available != subject.payment.amount {
            return None;
        }
        let rules = &self.rules.references;
        let typed = matches!(
            f.rule,
            RuleId::InvoiceReferenceExact
                | RuleId::InvoiceReferenceNormalized
                | RuleId::EndToEndReference
                | RuleId::StructuredReference
        );
        let key = &self.catalog.info[f.pos as usize].key;
        let written = squash(self.invoice_id(f.pos)).chars().count();
        if !rules.one_char_error || !typed || written < rules.one_char_error_chars_min {
            return None;
        }
        let group = lookup.open_invoices_by_amount(subject.currency, subject.available);
        if group.len() > rules.amount_group_max {
            return None;
        }
        let mut near = group.iter().copied().filter(|&pos| {
            let other = &self.catalog.info[pos as usize].key;
            pos != f.pos
                && other.len().abs_diff(key.len()) <= 1
                && strsim::osa_distance(key, other) == 1
        });
        let pos = near.next()?;
        if near.next().is_some() || !self.issued_by(pos, subject.paid_on) {
            return None;
        }
        (self.payer_relation(subject.payment, pos).1 == Agreement::Agrees).then_some(pos)
    }

    /// [`typo_neighbour`](Self::typo_neighbour) applied, when there is one.
    fn redirect<L: Lookup>(
        &self,
        lookup: &L,
        subject: &Subject<'_>,
        f: &Found,
        why: &str,
    ) -> Option<Proposal> {
        let neighbour = self.typo_neighbour(lookup, subject, f)?;
        Some(self.apply_neighbour(subject, f, neighbour, why))
    }

    fn apply_neighbour(
        &self,
        subject: &Subject<'_>,
        f: &Found,
        neighbour: InvoicePos,
        why: &str,
    ) -> Proposal {
        let (note, _) = self.payer_relation(subject.payment, neighbour);
        let explanation = format!(
            "invoice {} found in {}, but {why}; invoice {} is one character from it and its open amount is the payment's{note}",
            self.invoice_id(f.pos),
            f.place,
            self.invoice_id(neighbour),
        );
        let settlement = Settlement {
            applied: subject.available,
            writeoff: 0,
            reason: None,
            penalty: 0,
            note: "amount equal".to_owned(),
        };
        self.apply(
            subject,
            RuleId::InvoiceReferenceOneChar,
            CONFIDENCE_ONE_CHAR,
            vec![(neighbour, settlement)],
            explanation,
        )
    }

    /// Rule 2, listed: every invoice the structured remittance names, with the amount
    /// it gives for each.
    fn listed_with_amounts<L: Lookup>(
        &self,
        lookup: &L,
        subject: &Subject<'_>,
        open: &[Found],
        unmatched: &[String],
    ) -> Proposal {
        let total: i64 = open.iter().filter_map(|f| f.paid).sum();
        let suggestions = || {
            open.iter()
                .map(|f| Candidate {
                    pos: f.pos,
                    score: 500,
                    reason: format!("listed in {}", f.place),
                })
                .collect()
        };
        if total > subject.available {
            return self.exception(
                subject.payment,
                ExceptionReason::AmountMismatch,
                RuleId::RemittanceList,
                format!(
                    "the remittance lists {} for {} invoices, more than the payment {}",
                    subject.money(total),
                    open.len(),
                    subject.money(subject.available)
                ),
                suggestions(),
            );
        }
        let differing: Vec<&Found> = open.iter().filter(|f| f.paid != self.open(f.pos)).collect();
        if !differing.is_empty() {
            if let Some(exception) = self.other_customer(lookup, subject, &differing) {
                return exception;
            }
        }
        let mut applications = Vec::new();
        let mut confidence = u16::MAX;
        let mut notes = Vec::new();
        for f in open {
            let invoice = self.catalog.invoices[f.pos as usize];
            let open_amount = self.open(f.pos).unwrap_or(0);
            let paid = f.paid.unwrap_or(0);
            let settlement = if paid > open_amount {
                None
            } else {
                self.differences.settle(
                    invoice,
                    open_amount,
                    paid,
                    subject.payment,
                    subject.paid_on,
                    Allow::All,
                )
            };
            let Some(settlement) = settlement else {
                return self.exception(
                    subject.payment,
                    ExceptionReason::AmountMismatch,
                    RuleId::RemittanceList,
                    format!(
                        "invoice {} listed in {} with {}, but its open amount is {}",
                        invoice.id,
                        f.place,
                        subject.money(paid),
                        subject.money(open_amount)
                    ),
                    suggestions(),
                );
            };
            confidence = confidence.min(f.confidence.saturating_sub(settlement.penalty));
            notes.push(format!(
                "{} {} ({})",
                invoice.id,
                subject.money(paid),
                settlement.note
            ));
            applications.push((f.pos, settlement));
        }
        let mut explanation = format!(
            "{} invoices listed in structured remittance: {}",
            open.len(),
            notes.join(", ")
        );
        if !unmatched.is_empty() {
            let _ = write!(explanation, "; not found: {}", unmatched.join(", "));
        }
        if total < subject.available {
            let _ = write!(
                explanation,
                "; {} not listed, left unapplied",
                subject.money(subject.available - total)
            );
        }
        self.apply(
            subject,
            RuleId::RemittanceList,
            confidence,
            applications,
            explanation,
        )
    }

    /// Several invoices found, no amounts given: all of them, or a unique subset.
    fn several_references<L: Lookup>(
        &self,
        lookup: &L,
        subject: &Subject<'_>,
        open: &[Found],
    ) -> Proposal {
        let sum: i64 = open
            .iter()
            .map(|f| self.open(f.pos).unwrap_or(0))
            .fold(0i64, i64::saturating_add);
        let ids: Vec<&str> = open.iter().map(|f| self.invoice_id(f.pos)).collect();
        let base = open.iter().map(|f| f.confidence).min().unwrap_or(0);
        let full = |f: &Found| {
            let open_amount = self.open(f.pos).unwrap_or(0);
            Settlement {
                applied: open_amount,
                writeoff: 0,
                reason: None,
                penalty: 0,
                note: "amount equal".to_owned(),
            }
        };
        let places = || {
            let mut places: Vec<String> = open.iter().map(|f| f.place.to_string()).collect();
            places.dedup();
            places.join(", ")
        };
        if sum == subject.available {
            return self.apply(
                subject,
                RuleId::RemittanceList,
                base,
                open.iter().map(|f| (f.pos, full(f))).collect(),
                format!(
                    "invoices {} found in {}; open amounts sum to the payment",
                    ids.join(", "),
                    places()
                ),
            );
        }
        let refs: Vec<&Found> = open.iter().collect();
        if let Some(exception) = self.other_customer(lookup, subject, &refs) {
            return exception;
        }
        let issued = open
            .iter()
            .map(|f| self.catalog.info[f.pos as usize].amount_minor)
            .try_fold(0i64, |total, amount| total.checked_add(amount?));
        if self
            .differences
            .overpayment_ok(sum, issued, subject.available, subject.currency)
        {
            return self.apply(
                subject,
                RuleId::RemittanceList,
                base.saturating_sub(PENALTY_OVERPAYMENT),
                open.iter().map(|f| (f.pos, full(f))).collect(),
                format!(
                    "invoices {} found in {}; paid {} more than their open amounts, left unapplied",
                    ids.join(", "),
                    places(),
                    subject.money(subject.available - sum)
                ),
            );
        }
        let suggestions = |score: u16| {
            open.iter()
                .map(|f| Candidate {
                    pos: f.pos,
                    score,
                    reason: format!(
                        "found in {}; open amount {}",
                        f.place,
                        subject.money(self.open(f.pos).unwrap_or(0))
                    ),
                })
                .collect::<Vec<_>>()
        };
        let items: Vec<(InvoicePos, i64)> = open
            .iter()
            .map(|f| (f.pos, self.open(f.pos).unwrap_or(0)))
            .collect();
        let bounds = Bounds {
            size_min: 1,
            size_max: items.len(),
            steps_max: self.rules.several.combination_steps_max,
        };
        let fits = if items.len() <= self.rules.several.combination_invoices_max {
            combination::find(&items, subject.available, bounds)
        } else {
            Combinations::Exhausted
        };
        match fits {
            Combinations::Unique(subset) => {
                let chosen: Vec<&Found> = open.iter().filter(|f| subset.contains(&f.pos)).collect();
                let confidence = chosen
                    .iter()
                    .map(|f| f.confidence)
                    .min()
                    .unwrap_or(0)
                    .saturating_sub(PENALTY_SUBSET);
                let chosen_ids: Vec<&str> = chosen.iter().map(|f| self.invoice_id(f.pos)).collect();
                self.apply(
                    subject,
                    RuleId::RemittanceList,
                    confidence,
                    chosen.iter().map(|f| (f.pos, full(f))).collect(),
                    format!(
                        "invoices {} found in {}; only {} sum to the payment",
                        ids.join(", "),
                        places(),
                        chosen_ids.join(", ")
                    ),
                )
            }
            Combinations::Several(..) => self.exception(
                subject.payment,
                ExceptionReason::Ambiguous,
                RuleId::RemittanceList,
                format!(
                    "invoices {} found in {}; more than one combination of them sums to the payment",
                    ids.join(", "),
                    places()
                ),
                suggestions(500),
            ),
            Combinations::None | Combinations::Exhausted => self.exception(
                subject.payment,
                ExceptionReason::AmountMismatch,
                RuleId::RemittanceList,
                format!(
                    "invoices {} found in {}; their open amounts ({}) do not fit the payment {}",
                    ids.join(", "),
                    places(),
                    subject.money(sum),
                    subject.money(subject.available)
                ),
                suggestions(400),
            ),
        }
    }

    // ---- Rule 3: the payer without a reference ---------------------------------

    fn identify<L: Lookup>(&self, lookup: &L, payment: &Payment) -> Payer {
        let rules = &self.rules.payer;
        let mut among: Option<Vec<CustomerPos>> = None;
        if rules.bank_account {
            if let Some(account) = payment.payer_account.as_deref() {
                let account = normalize::account(account);
                let customers = if account.is_empty() {
                    Vec::new()
                } else {
                    lookup.customers_by_account(&account).into_owned()
                };
                match customers.as_slice() {
                    [] => {}
                    [customer] => {
                        return Payer::Known {
                            customer: *customer,
                            confidence: CONFIDENCE_ACCOUNT,
                            rule: RuleId::PayerAccountAmount,
                            note: format!(
                                "payer account {account} known for customer {}",
                                self.customer_name(*customer)
                            ),
                        }
                    }
                    _ => among = Some(customers),
                }
            }
        }
        let payer_name = payment.payer_name.as_deref().filter(|_| rules.name);
        let normalized = payer_name.map(|name| self.catalog.names.normalize(name));
        let scored: Vec<(Confidence, CustomerPos)> = match &normalized {
            Some(normalized) if !normalized.is_empty() => {
                let words: Vec<&str> = similarity::name_words(normalized).collect();
                let mut scored: Vec<(Confidence, CustomerPos)> = lookup
                    .customers_by_words(&words)
                    .into_iter()
                    .filter(|customer| among.as_ref().is_none_or(|among| among.contains(customer)))
                    .map(|customer| {
                        let best = self.catalog.customer_names[customer as usize]
                            .iter()
                            .map(|known| name_similarity(normalized, known))
                            .max()
                            .unwrap_or(Confidence::NONE);
                        (best, customer)
                    })
                    .collect();
                scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
                scored
            }
            _ => Vec::new(),
        };
        let shown = payer_name.unwrap_or("");
        match scored.as_slice() {
            [(best, customer), rest @ ..] if *best >= rules.name_similarity_min => {
                if let Some((second, other)) = rest.first() {
                    if best.per_mille() - second.per_mille() < rules.name_margin_min {
                        // Every customer the name fits about as well: a reference to
                        // one of them is the payer's own.
                        let customers = std::iter::once(*customer)
                            .chain(
                                rest.iter()
                                    .take_while(|(score, _)| {
                                        best.per_mille() - score.per_mille() < rules.name_margin_min
                                    })
                                    .map(|(_, other)| *other),
                            )
                            .collect();
                        return Payer::Ambiguous {
                            customers,
                            note: format!(
                                "payer name {shown:?} is {best} similar to customer {} and {second} to customer {}",
                                self.customer_name(*customer),
                                self.customer_name(*other)
                            ),
                        };
                    }
                }
                Payer::Known {
                    customer: *customer,
                    confidence: best.per_mille(),
                    rule: RuleId::PayerNameAmount,
                    note: format!(
                        "payer name {best} similar to customer {}",
                        self.customer_name(*customer)
                    ),
                }
            }
            _ => {
                if let Some(among) = among {
                    let names: Vec<&str> = among.iter().map(|c| self.customer_name(*c)).collect();
                    return Payer::Ambiguous {
                        note: format!(
                            "payer account is known for several customers ({})",
                            names.join(", ")
                        ),
                        customers: among,
                    };
                }
                let note = match (scored.first(), payer_name) {
                    (Some((best, customer)), Some(name)) => format!(
                        "payer {name:?} is not a known customer (closest: {} at {best})",
                        self.customer_name(*customer)
                    ),
                    (None, Some(name)) => format!("payer {name:?} is not a known customer"),
                    (_, None) => "no payer name or known account".to_owned(),
                };
                Payer::Unknown { note }
            }
        }
    }

    fn without_reference<L: Lookup>(
        &self,
        lookup: &L,
        subject: &Subject<'_>,
        unmatched: &[String],
    ) -> Proposal {
        let payment = subject.payment;
        let not_found = if unmatched.is_empty() {
            "no invoice reference found".to_owned()
        } else {
            format!("references {} match no invoice", unmatched.join(", "))
        };
        let same_amount = lookup.open_invoices_by_amount(subject.currency, subject.available);
        match self.identify(lookup, payment) {
            Payer::Unknown { note } => {
                let suggestions = if same_amount.len() <= self.rules.references.amount_group_max {
                    same_amount
                        .iter()
                        .map(|&pos| Candidate {
                            pos,
                            score: 300,
                            reason: format!(
                                "open amount equal; customer {}",
                                self.invoice_customer_name(pos)
                            ),
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                self.exception(
                    payment,
                    ExceptionReason::UnknownPayer,
                    RuleId::NoMatch,
                    format!("{not_found}; {note}"),
                    suggestions,
                )
            }
            Payer::Ambiguous { customers, note } => {
                let suggestions = same_amount
                    .iter()
                    .filter(|&&pos| {
                        self.catalog.info[pos as usize]
                            .customer
                            .is_some_and(|c| customers.contains(&c))
                    })
                    .map(|&pos| Candidate {
                        pos,
                        score: 400,
                        reason: format!(
                            "open amount equal; customer {}",
                            self.invoice_customer_name(pos)
                        ),
                    })
                    .collect();
                self.exception(
                    payment,
                    ExceptionReason::Ambiguous,
                    RuleId::NoMatch,
                    format!("{not_found}; {note}"),
                    suggestions,
                )
            }
            Payer::Known {
                customer,
                confidence,
                rule,
                note,
            } => self.known_payer(
                lookup,
                subject,
                customer,
                confidence,
                rule,
                &format!("{not_found}; {note}"),
            ),
        }
    }

    fn known_payer<L: Lookup>(
        &self,
        lookup: &L,
        subject: &Subject<'_>,
        customer: CustomerPos,
        confidence: u16,
        rule: RuleId,
        context: &str,
    ) -> Proposal {
        let payment = subject.payment;
        let info = &self.catalog.info;
        let of_customer = lookup.open_invoices_of(customer);
        // Without a reference, only the amount ties the payment to an invoice: one
        // issued after the payment was made cannot be what it pays.
        let candidates: Vec<(InvoicePos, i64)> = of_customer
            .iter()
            .filter(|&&pos| info[pos as usize].currency == subject.currency)
            .filter(|&&pos| self.issued_by(pos, subject.paid_on))
            .filter_map(|&pos| self.open(pos).map(|open| (pos, open)))
            .collect();
        let exact: Vec<InvoicePos> = candidates
            .iter()
            .filter(|(_, open)| *open == subject.available)
            .map(|(pos, _)| *pos)
            .collect();
        let candidate = |pos: InvoicePos, score: u16, reason: &str| Candidate {
            pos,
            score,
            reason: reason.to_owned(),
        };
        match exact.as_slice() {
            [pos] => {
                let settlement = Settlement {
                    applied: subject.available,
                    writeoff: 0,
                    reason: None,
                    penalty: 0,
                    note: String::new(),
                };
                return self.apply(
                    subject,
                    rule,
                    confidence,
                    vec![(*pos, settlement)],
                    format!(
                        "{context}; invoice {} is its only open invoice of {}",
                        self.invoice_id(*pos),
                        subject.money(subject.available)
                    ),
                );
            }
            [] => {}
            several => {
                // Oldest first: a customer paying one of several equal invoices
                // (a subscription) is settling the oldest, as clerks apply it.
                let mut oldest_first = several.to_vec();
                oldest_first.sort_by_key(|&pos| {
                    let invoice = self.catalog.invoices[pos as usize];
                    (invoice.issue_date, invoice.due_date, pos)
                });
                return self.exception(
                    payment,
                    ExceptionReason::Ambiguous,
                    rule,
                    format!(
                        "{context}; {} of its open invoices are of {}",
                        several.len(),
                        subject.money(subject.available)
                    ),
                    oldest_first
                        .iter()
                        .enumerate()
                        .map(|(rank, &pos)| {
                            let rank = u16::try_from(rank).unwrap_or(u16::MAX);
                            let reason = if rank == 0 {
                                "open amount equal; the oldest of them"
                            } else {
                                "open amount equal"
                            };
                            candidate(
                                pos,
                                confidence.saturating_sub(300).saturating_sub(rank),
                                reason,
                            )
                        })
                        .collect(),
                );
            }
        }
        // A short payment that settles exactly one invoice (discount, rounding, fee).
        let mut settling: Vec<(InvoicePos, Settlement)> = candidates
            .iter()
            .filter(|(_, open)| *open > subject.available)
            .filter_map(|&(pos, open)| {
                self.differences
                    .settle(
                        self.catalog.invoices[pos as usize],
                        open,
                        subject.available,
                        payment,
                        subject.paid_on,
                        Allow::SettlingOnly,
                    )
                    .map(|settlement| (pos, settlement))
            })
            .collect();
        if settling.len() == 1 {
            let (pos, settlement) = settling.swap_remove(0);
            let explanation = format!(
                "{context}; invoice {} is its only open invoice this payment settles: {}",
                self.invoice_id(pos),
                settlement.note
            );
            let confidence = confidence.saturating_sub(settlement.penalty);
            return self.apply(
                subject,
                rule,
                confidence,
                vec![(pos, settlement)],
                explanation,
            );
        }
        if settling.len() > 1 {
            return self.exception(
                payment,
                ExceptionReason::Ambiguous,
                rule,
                format!("{context}; several of its open invoices fit after a discount or small difference"),
                settling
                    .iter()
                    .map(|(pos, settlement)| candidate(*pos, confidence.saturating_sub(300), &settlement.note))
                    .collect(),
            );
        }
        if self.rules.several.combination {
            let below: Vec<(InvoicePos, i64)> = candidates
                .iter()
                .copied()
                .filter(|(_, open)| *open < subject.available)
                .collect();
            let several = &self.rules.several;
            let fits = if below.len() <= several.combination_invoices_max {
                combination::find(
                    &below,
                    subject.available,
                    Bounds {
                        size_min: 2,
                        size_max: several.combination_size_max,
                        steps_max: several.combination_steps_max,
                    },
                )
            } else {
                Combinations::Exhausted
            };
            match fits {
                Combinations::Unique(subset) => {
                    let ids: Vec<&str> = subset.iter().map(|pos| self.invoice_id(*pos)).collect();
                    let applications = subset
                        .iter()
                        .map(|&pos| {
                            let open = self.open(pos).unwrap_or(0);
                            (
                                pos,
                                Settlement {
                                    applied: open,
                                    writeoff: 0,
                                    reason: None,
                                    penalty: 0,
                                    note: String::new(),
                                },
                            )
                        })
                        .collect();
                    return self.apply(
                        subject,
                        RuleId::Combination,
                        confidence.saturating_sub(PENALTY_COMBINATION),
                        applications,
                        format!(
                            "{context}; invoices {} are the only combination of its open invoices that sums to the payment",
                            ids.join(", ")
                        ),
                    );
                }
                Combinations::Several(first, second) => {
                    let mut positions = first;
                    positions.extend(second);
                    positions.sort_unstable();
                    positions.dedup();
                    return self.exception(
                        payment,
                        ExceptionReason::Ambiguous,
                        RuleId::Combination,
                        format!("{context}; more than one combination of its open invoices sums to the payment"),
                        positions
                            .into_iter()
                            .map(|pos| candidate(pos, confidence.saturating_sub(400), "part of a combination that sums to the payment"))
                            .collect(),
                    );
                }
                Combinations::None | Combinations::Exhausted => {}
            }
        }
        // Nothing fits: the customer's invoices nearest in amount.
        let mut nearest: Vec<(i64, InvoicePos)> = candidates
            .iter()
            .map(|(pos, open)| ((open - subject.available).abs(), *pos))
            .collect();
        nearest.sort_unstable();
        nearest.truncate(self.rules.suggestions_max);
        self.exception(
            payment,
            ExceptionReason::NoReference,
            rule,
            format!(
                "{context}; none of its {} open invoices fits {}",
                candidates.len(),
                subject.money(subject.available)
            ),
            nearest
                .into_iter()
                .enumerate()
                .map(|(rank, (_, pos))| {
                    candidate(
                        pos,
                        200u16.saturating_sub(rank as u16),
                        &format!(
                            "open invoice of the payer, open amount {}",
                            subject.money(self.open(pos).unwrap_or(0))
                        ),
                    )
                })
                .collect(),
        )
    }

    // ---- Building decisions ----------------------------------------------------

    fn rank(&self, mut candidates: Vec<Candidate>) -> Vec<Suggestion> {
        candidates.sort_by(|a, b| b.score.cmp(&a.score).then(a.pos.cmp(&b.pos)));
        let mut seen: Vec<InvoicePos> = Vec::new();
        candidates
            .into_iter()
            .filter(|c| {
                let fresh = !seen.contains(&c.pos);
                seen.push(c.pos);
                fresh
            })
            .take(self.rules.suggestions_max)
            .map(|c| Suggestion {
                invoice_id: self.invoice_id(c.pos).to_owned(),
                score: Confidence::from_per_mille(c.score),
                reason: c.reason,
            })
            .collect()
    }

    fn exception(
        &self,
        payment: &Payment,
        reason: ExceptionReason,
        rule: RuleId,
        explanation: String,
        candidates: Vec<Candidate>,
    ) -> Proposal {
        let mut decision = blank(payment, PaymentStatus::Exception, rule);
        decision.exception_reason = Some(reason);
        decision.suggestions = self.rank(candidates);
        decision.confidence = decision
            .suggestions
            .first()
            .map_or(Confidence::NONE, |s| s.score);
        decision.explanation = explanation;
        Proposal {
            decision,
            takes: Vec::new(),
        }
    }

    /// Applies, or — below the configured confidence — turns the applications into
    /// suggestions on a `low_confidence` exception.
    fn apply(
        &self,
        subject: &Subject<'_>,
        rule: RuleId,
        confidence: u16,
        applications: Vec<(InvoicePos, Settlement)>,
        explanation: String,
    ) -> Proposal {
        let confidence = Confidence::from_per_mille(confidence);
        let payment = subject.payment;
        if confidence < self.rules.auto_apply_confidence_min {
            let candidates = applications
                .iter()
                .map(|(pos, settlement)| Candidate {
                    pos: *pos,
                    score: confidence.per_mille(),
                    reason: if settlement.note.is_empty() {
                        rule.as_str().replace('_', " ")
                    } else {
                        settlement.note.clone()
                    },
                })
                .collect();
            let mut proposal = self.exception(
                payment,
                ExceptionReason::LowConfidence,
                rule,
                format!(
                    "{explanation}; confidence {confidence} is below {}, not applied",
                    self.rules.auto_apply_confidence_min
                ),
                candidates,
            );
            proposal.decision.confidence = confidence;
            return proposal;
        }
        let applied: i64 = applications.iter().map(|(_, s)| s.applied).sum();
        let unapplied = subject.available - applied;
        debug_assert!(unapplied >= 0, "applied more than the payment");
        let status = if unapplied == 0 {
            PaymentStatus::Applied
        } else {
            PaymentStatus::PartiallyApplied
        };
        let mut decision = blank(payment, status, rule);
        decision.unapplied = subject.money(unapplied);
        decision.confidence = confidence;
        decision.explanation = explanation;
        let takes = applications
            .iter()
            .map(|(pos, s)| (*pos, s.applied + s.writeoff))
            .collect();
        decision.applications = applications
            .into_iter()
            .map(|(pos, s)| Application {
                invoice_id: self.invoice_id(pos).to_owned(),
                applied: subject.money(s.applied),
                writeoff: subject.money(s.writeoff),
                writeoff_reason: s.reason,
            })
            .collect();
        Proposal { decision, takes }
    }
}

/// A decision with nothing applied and everything on account.
pub(crate) fn blank(payment: &Payment, status: PaymentStatus, rule: RuleId) -> Decision {
    Decision {
        payment_id: payment.id,
        status,
        applications: Vec::new(),
        unapplied: payment.available,
        exception_reason: None,
        suggestions: Vec::new(),
        rule,
        confidence: Confidence::NONE,
        explanation: String::new(),
        non_ar_kind: None,
        returns_trace: None,
    }
}
