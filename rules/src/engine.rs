//! Orchestration: decide each payment independently in parallel, then resolve
//! conflicts over shared invoices in one deterministic pass.

use std::collections::HashMap;

use parsers::model::{Direction, EntryStatus};
use parsers::money::Money;
use rayon::prelude::*;

use crate::decision::{Application, Confidence, Decision, ExceptionReason, PaymentStatus, RuleId};
use crate::input::{Inputs, Invoice, Payment};
use crate::ruleset::RuleSet;

/// Decides every payment in `inputs`. Returns one decision per payment, ordered by
/// payment id. Deterministic: independent of thread count and input order.
pub fn reconcile(inputs: &Inputs, rules: &RuleSet) -> Vec<Decision> {
    let index = InvoiceIndex::new(&inputs.invoices);
    let mut payments: Vec<&Payment> = inputs.payments.iter().collect();
    payments.sort_by_key(|payment| payment.id);
    let proposed: Vec<Decision> = payments
        .par_iter()
        .map(|payment| decide(payment, &index, rules))
        .collect();
    let decisions = resolve_conflicts(proposed, &payments, &index);
    debug_assert_eq!(decisions.len(), payments.len());
    decisions
}

/// Open invoices looked up by their number, never scanned.
struct InvoiceIndex<'a> {
    by_id: HashMap<&'a str, &'a Invoice>,
}

impl<'a> InvoiceIndex<'a> {
    fn new(invoices: &'a [Invoice]) -> InvoiceIndex<'a> {
        InvoiceIndex {
            by_id: invoices
                .iter()
                .map(|invoice| (invoice.id.as_str(), invoice))
                .collect(),
        }
    }
}

fn exception(payment: &Payment, reason: ExceptionReason, explanation: String) -> Decision {
    Decision {
        payment_id: payment.id,
        status: PaymentStatus::Exception,
        applications: Vec::new(),
        unapplied: payment.available,
        exception_reason: Some(reason),
        suggestions: Vec::new(),
        rule: RuleId::NoMatch,
        confidence: Confidence::NONE,
        explanation,
    }
}

/// Words of the remittance that could be invoice numbers, in order of appearance.
fn reference_candidates(payment: &Payment) -> Vec<(String, usize)> {
    let mut candidates = Vec::new();
    for item in &payment.remittance.items {
        candidates.push((item.reference.trim().to_owned(), 0));
    }
    for (line_index, line) in payment.remittance.lines.iter().enumerate() {
        for word in line.split(|c: char| c.is_whitespace() || c == ',' || c == ';') {
            let word = word.trim_matches(|c: char| !c.is_alphanumeric());
            if !word.is_empty() {
                candidates.push((word.to_owned(), line_index + 1));
            }
        }
    }
    candidates
}

fn decide(payment: &Payment, index: &InvoiceIndex<'_>, _rules: &RuleSet) -> Decision {
    if payment.direction == Direction::Debit || payment.status != EntryStatus::Booked {
        return Decision {
            payment_id: payment.id,
            status: PaymentStatus::NonAr,
            applications: Vec::new(),
            unapplied: Money::zero(payment.amount.currency),
            exception_reason: None,
            suggestions: Vec::new(),
            rule: RuleId::NonAr,
            confidence: Confidence::CERTAIN,
            explanation: "not an incoming booked payment".to_owned(),
        };
    }
    let mut found: Vec<(&Invoice, usize)> = Vec::new();
    for (candidate, line) in reference_candidates(payment) {
        if let Some(invoice) = index.by_id.get(candidate.as_str()) {
            if !found.iter().any(|(seen, _)| seen.id == invoice.id) {
                found.push((invoice, line));
            }
        }
    }
    let [(invoice, line)] = found.as_slice() else {
        return if found.is_empty() {
            exception(
                payment,
                ExceptionReason::NoReference,
                "no invoice number found in the remittance".to_owned(),
            )
        } else {
            exception(
                payment,
                ExceptionReason::Ambiguous,
                format!("{} invoice numbers found in the remittance", found.len()),
            )
        };
    };
    let place = if *line == 0 {
        "structured remittance".to_owned()
    } else {
        format!("remittance line {line}")
    };
    if invoice.open_amount.currency != payment.available.currency {
        return exception(
            payment,
            ExceptionReason::Currency,
            format!(
                "invoice {} found in {place}, but it is in {}",
                invoice.id, invoice.open_amount.currency
            ),
        );
    }
    if invoice.open_amount.is_zero() {
        let mut decision = exception(
            payment,
            ExceptionReason::AlreadyPaid,
            format!(
                "invoice {} found in {place}, but it is already paid",
                invoice.id
            ),
        );
        decision.status = PaymentStatus::Unapplied;
        return decision;
    }
    if invoice.open_amount.amount != payment.available.amount {
        return exception(
            payment,
            ExceptionReason::AmountMismatch,
            format!(
                "invoice {} found in {place}; open amount {} differs from payment {}",
                invoice.id, invoice.open_amount, payment.available
            ),
        );
    }
    Decision {
        payment_id: payment.id,
        status: PaymentStatus::Applied,
        applications: vec![Application {
            invoice_id: invoice.id.clone(),
            applied: payment.available,
            writeoff: Money::zero(payment.available.currency),
            writeoff_reason: None,
        }],
        unapplied: Money::zero(payment.available.currency),
        exception_reason: None,
        suggestions: Vec::new(),
        rule: RuleId::InvoiceReferenceExact,
        confidence: Confidence::CERTAIN,
        explanation: format!("invoice {} found in {place}; amount equal", invoice.id),
    }
}

/// Two payments may not settle the same invoice beyond its open amount: the earlier
/// payment (booking date, then id) keeps it, the later becomes an exception.
fn resolve_conflicts(
    proposed: Vec<Decision>,
    payments: &[&Payment],
    index: &InvoiceIndex<'_>,
) -> Vec<Decision> {
    let mut order: Vec<usize> = (0..proposed.len()).collect();
    order.sort_by_key(|&i| (payments[i].booking_date, payments[i].id));
    let mut remaining: HashMap<&str, Money> = HashMap::new();
    let mut decisions = proposed;
    for i in order {
        let fits = decisions[i].applications.iter().all(|application| {
            let open = remaining
                .get(application.invoice_id.as_str())
                .copied()
                .or_else(|| {
                    index
                        .by_id
                        .get(application.invoice_id.as_str())
                        .map(|inv| inv.open_amount)
                });
            open.is_some_and(|open| {
                open.amount >= application.applied.amount + application.writeoff.amount
            })
        });
        if !fits {
            let taken: Vec<String> = decisions[i]
                .applications
                .iter()
                .map(|a| a.invoice_id.clone())
                .collect();
            decisions[i] = exception(
                payments[i],
                ExceptionReason::Conflict,
                format!(
                    "invoice {} was settled by an earlier payment in this run",
                    taken.join(", ")
                ),
            );
            continue;
        }
        for application in &decisions[i].applications {
            let key = application.invoice_id.as_str();
            let open = remaining
                .get(key)
                .copied()
                .or_else(|| index.by_id.get(key).map(|inv| inv.open_amount));
            if let (Some(open), Some((stored_key, _))) = (open, index.by_id.get_key_value(key)) {
                let left = Money::new(
                    open.amount - application.applied.amount - application.writeoff.amount,
                    open.currency,
                );
                remaining.insert(stored_key, left);
            }
        }
    }
    decisions
}
