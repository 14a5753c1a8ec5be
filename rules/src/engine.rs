//! Orchestration: build the catalog and indexes once, decide each payment
//! independently in parallel, then resolve conflicts over shared invoices in one
//! deterministic pass, and check the invariants.
//!
//! Payments may come in batches ([`reconcile_batches`]): the catalog and indexes are
//! built once for all of them, and what earlier batches took from an invoice stays
//! taken, so memory follows the ledger and one batch rather than a whole file.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::decide::{Context, Proposal};
use crate::decision::{Confidence, Decision, ExceptionReason, PaymentStatus, RuleId, Suggestion};
#[cfg(test)]
use crate::index::Lookup;
use crate::index::{Catalog, Index, InvoicePos};
use crate::input::{Customer, Inputs, Invoice, Payment};
use crate::ruleset::RuleSet;

/// Decides every payment in `inputs`. Returns one decision per payment, ordered by
/// payment id. Deterministic: independent of thread count and input order.
///
/// Boundary: the shell calls this inside `spawn_blocking`; rayon uses the calling
/// thread's pool.
pub fn reconcile(inputs: &Inputs, rules: &RuleSet) -> Vec<Decision> {
    let mut decisions = Vec::new();
    reconcile_batches(
        &inputs.invoices,
        &inputs.customers,
        inputs.today,
        rules,
        [inputs.payments.as_slice()],
        |_, decided| decisions = decided,
    );
    decisions
}

/// Decides payments batch by batch against one ledger (invoices, customers, the run's
/// date), handing each batch back to `decided` with its decisions in payment-id order.
///
/// Within a batch, conflicts over an invoice are resolved as in [`reconcile`]; across
/// batches, an earlier batch's grant stands and a later payment wanting more than is
/// left becomes a `conflict` exception. One batch gives exactly [`reconcile`]'s
/// decisions. Deterministic for the same batches.
pub fn reconcile_batches<B: AsRef<[Payment]>>(
    invoices: &[Invoice],
    customers: &[Customer],
    today: Option<NaiveDate>,
    rules: &RuleSet,
    batches: impl IntoIterator<Item = B>,
    mut decided: impl FnMut(B, Vec<Decision>),
) {
    let catalog = Catalog::new(invoices, customers, rules);
    let index = Index::new(&catalog, rules);
    let context = Context::new(&catalog, rules, today);
    let mut grants = Grants::new(&catalog);
    // Debug builds check every batch against what is still open after the earlier ones.
    let mut open = cfg!(debug_assertions).then(|| open_amounts(invoices));
    for batch in batches {
        let payments = sorted_payments(batch.as_ref());
        let proposals: Vec<Proposal> = payments
            .par_iter()
            .map(|payment| context.decide(&index, payment))
            .collect();
        let decisions = grants.resolve(&context, &payments, proposals);
        assert_eq!(decisions.len(), payments.len(), "one decision per payment");
        if let Some(open) = &mut open {
            if let Err(broken) = check_batch(open, &payments, &decisions) {
                panic!("reconcile broke an invariant: {broken}");
            }
        }
        decided(batch, decisions);
    }
}

/// Payments in id order (stable for equal ids), the order decisions come out in.
pub(crate) fn sorted_payments(payments: &[Payment]) -> Vec<&Payment> {
    let mut payments: Vec<&Payment> = payments.iter().collect();
    payments.sort_by_key(|payment| payment.id);
    payments
}

/// Decides payments one by one with any lookup; the test oracle runs this with
/// scans instead of indexes.
#[cfg(test)]
pub(crate) fn propose_sequentially<L: Lookup>(
    context: &Context<'_>,
    lookup: &L,
    payments: &[&Payment],
) -> Vec<Proposal> {
    payments
        .iter()
        .map(|payment| context.decide(lookup, payment))
        .collect()
}

/// What a run has granted so far: per invoice position, what is still open and which
/// payment took it first.
pub(crate) struct Grants {
    remaining: Vec<i64>,
    taken_by: Vec<Option<i64>>,
}

impl Grants {
    pub(crate) fn new(catalog: &Catalog<'_>) -> Self {
        Grants {
            remaining: catalog
                .info
                .iter()
                .map(|info| info.open().unwrap_or(0))
                .collect(),
            taken_by: vec![None; catalog.info.len()],
        }
    }

    /// Two payments may not settle the same invoice beyond its open amount. Proposals
    /// are granted in a fixed order — highest confidence first, then earliest booking
    /// date, then lowest payment id — and one that no longer fits becomes a `conflict`
    /// exception naming the payment that took the invoice.
    pub(crate) fn resolve(
        &mut self,
        context: &Context<'_>,
        payments: &[&Payment],
        proposals: Vec<Proposal>,
    ) -> Vec<Decision> {
        let mut order: Vec<usize> = (0..proposals.len())
            .filter(|&i| !proposals[i].takes.is_empty())
            .collect();
        // Unstable is deterministic here: the index `i` makes every key unique.
        order.par_sort_unstable_by_key(|&i| {
            (
                Reverse(proposals[i].decision.confidence),
                payments[i].booking_date,
                payments[i].id,
                i,
            )
        });
        let mut proposals = proposals;
        for i in order {
            let proposal = &mut proposals[i];
            let conflict = proposal
                .takes
                .iter()
                .find(|(pos, take)| self.remaining[*pos as usize] < *take);
            if let Some(&(pos, _)) = conflict {
                let proposed = std::mem::replace(
                    &mut proposal.decision,
                    crate::decide::blank(payments[i], PaymentStatus::Exception, RuleId::NoMatch),
                );
                proposal.decision = demote(
                    context,
                    payments[i],
                    proposed,
                    pos,
                    self.taken_by[pos as usize],
                );
                continue;
            }
            for &(pos, take) in &proposal.takes {
                self.remaining[pos as usize] -= take;
                self.taken_by[pos as usize].get_or_insert(payments[i].id);
            }
        }
        proposals
            .into_iter()
            .map(|proposal| proposal.decision)
            .collect()
    }
}

pub(crate) fn demote(
    context: &Context<'_>,
    payment: &Payment,
    proposed: Decision,
    pos: InvoicePos,
    winner: Option<i64>,
) -> Decision {
    let invoice_id = &context.catalog.invoices[pos as usize].id;
    let winner = winner.map_or_else(String::new, |id| format!(" by payment {id}"));
    let score = proposed.confidence.minus(200);
    let suggestions: Vec<Suggestion> = proposed
        .applications
        .iter()
        .take(context.rules.suggestions_max)
        .map(|application| Suggestion {
            invoice_id: application.invoice_id.clone(),
            score,
            reason: format!("proposed by rule {}", proposed.rule.as_str()),
        })
        .collect();
    Decision {
        payment_id: proposed.payment_id,
        status: PaymentStatus::Exception,
        applications: Vec::new(),
        unapplied: payment.available,
        exception_reason: Some(ExceptionReason::Conflict),
        confidence: suggestions.first().map_or(Confidence::NONE, |s| s.score),
        suggestions,
        rule: RuleId::ConflictResolution,
        explanation: format!(
            "{}; but invoice {invoice_id} was already settled in this run{winner}, so nothing was applied",
            proposed.explanation
        ),
        non_ar_kind: None,
        returns_trace: None,
    }
}

/// Checks the engine's promises on a set of decisions: one per payment in id order;
/// for each AR decision, applied + unapplied = available; no negative amounts; no
/// invoice settled (cash + write-off) beyond its open amount; nothing applied across
/// currencies; `non_ar` applies nothing. Returns the first broken promise.
pub fn check_invariants(inputs: &Inputs, decisions: &[Decision]) -> Result<(), String> {
    let payments = sorted_payments(&inputs.payments);
    check_batch(&mut open_amounts(&inputs.invoices), &payments, decisions)
}

fn open_amounts(invoices: &[Invoice]) -> BTreeMap<&str, parsers::money::Money> {
    invoices
        .iter()
        .map(|invoice| (invoice.id.as_str(), invoice.open_amount))
        .collect()
}

/// [`check_invariants`] for one batch, against what is still `open`, which it updates.
fn check_batch(
    open: &mut BTreeMap<&str, parsers::money::Money>,
    payments: &[&Payment],
    decisions: &[Decision],
) -> Result<(), String> {
    if payments.len() != decisions.len() {
        return Err(format!(
            "{} decisions for {} payments",
            decisions.len(),
            payments.len()
        ));
    }
    for (payment, decision) in payments.iter().zip(decisions) {
        let id = payment.id;
        if decision.payment_id != id {
            return Err(format!(
                "decision for payment {} out of order (expected {id})",
                decision.payment_id
            ));
        }
        if decision.status == PaymentStatus::NonAr {
            if !decision.applications.is_empty() {
                return Err(format!("payment {id}: non_ar with applications"));
            }
            continue;
        }
        let mut applied = decision.unapplied.amount;
        if decision.unapplied.currency != payment.available.currency
            || decision.unapplied.amount.is_sign_negative()
        {
            return Err(format!(
                "payment {id}: unapplied {} is wrong",
                decision.unapplied
            ));
        }
        for application in &decision.applications {
            let Some(left) = open.get_mut(application.invoice_id.as_str()) else {
                return Err(format!(
                    "payment {id}: unknown invoice {}",
                    application.invoice_id
                ));
            };
            for part in [application.applied, application.writeoff] {
                if part.currency != payment.available.currency || part.currency != left.currency {
                    return Err(format!(
                        "payment {id}: applied across currencies to {}",
                        application.invoice_id
                    ));
                }
                if part.amount.is_sign_negative() {
                    return Err(format!(
                        "payment {id}: negative amount on {}",
                        application.invoice_id
                    ));
                }
            }
            applied += application.applied.amount;
            left.amount -= application.applied.amount + application.writeoff.amount;
            if left.amount.is_sign_negative() && !left.amount.is_zero() {
                return Err(format!(
                    "invoice {} settled beyond its open amount (payment {id})",
                    application.invoice_id
                ));
            }
        }
        if applied != payment.available.amount {
            return Err(format!(
                "payment {id}: applied + unapplied = {applied}, available {}",
                payment.available
            ));
        }
        let has_applications = !decision.applications.is_empty();
        let should_have = matches!(
            decision.status,
            PaymentStatus::Applied | PaymentStatus::PartiallyApplied
        ) && !payment.available.is_zero();
        if has_applications != should_have {
            return Err(format!(
                "payment {id}: status {} with {} applications",
                decision.status.as_str(),
                decision.applications.len()
            ));
        }
    }
    Ok(())
}
