//! One reconcile run: every payment not yet fully applied is decided again against
//! what is open now, and the decisions are written in the caller's transaction.

use anyhow::Context;
use chrono::NaiveDate;
use std::collections::HashMap;

use rules::{Decision, PaymentStatus, RuleSet};
use sqlx::AnyConnection;

use crate::store::{self, applications, customers, invoices, transactions};

/// Which payments a run decides: a file's new ones, or every one not fully applied.
pub use crate::store::transactions::Undecided as RunScope;

/// What a run decided, by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunSummary {
    pub payments: usize,
    pub applied: usize,
    pub partially_applied: usize,
    pub unapplied: usize,
    pub exceptions: usize,
    pub non_ar: usize,
    pub applications: usize,
    /// Earlier payments reversed by ACH returns in this run.
    pub returned: usize,
}

/// Decides every undecided payment and persists the decisions through `conn`, which
/// should be inside a transaction so that a run is stored whole or not at all.
pub async fn run(
    conn: &mut AnyConnection,
    rule_set: &RuleSet,
    today: NaiveDate,
    scope: RunScope,
) -> anyhow::Result<RunSummary> {
    let started = std::time::Instant::now();
    let payments = transactions::load_undecided(conn, scope).await?;
    tracing::debug!(
        message = "Run phase: payments to decide loaded.",
        elapsed_ms = started.elapsed().as_millis() as u64
    );
    if payments.is_empty() {
        return Ok(RunSummary::default());
    }
    let inputs = rules::Inputs {
        invoices: invoices::load_for_matching(conn).await?,
        customers: customers::load_all(conn).await?,
        payments,
        today: Some(today),
    };
    tracing::debug!(
        message = "Run phase: invoices and customers loaded.",
        elapsed_ms = started.elapsed().as_millis() as u64
    );
    let rule_set = rule_set.clone();
    let (inputs, decisions) = tokio::task::spawn_blocking(move || {
        let decisions = rules::reconcile(&inputs, &rule_set);
        (inputs, decisions)
    })
    .await
    .context("the matching engine panicked")?;
    assert_eq!(
        decisions.len(),
        inputs.payments.len(),
        "one decision per payment"
    );

    tracing::debug!(
        message = "Run phase: engine decided.",
        elapsed_ms = started.elapsed().as_millis() as u64
    );
    let at = store::now();
    let mut summary = RunSummary {
        payments: decisions.len(),
        ..RunSummary::default()
    };
    // Only the payments are needed from here on: free the invoice ledger and the
    // customers before the write phase builds its statements.
    let rules::Inputs {
        payments,
        invoices,
        customers,
        ..
    } = inputs;
    drop((invoices, customers));
    let merged: Vec<Decision> = payments
        .iter()
        .zip(decisions)
        .map(|(payment, decision)| {
            assert_eq!(
                payment.id, decision.payment_id,
                "decisions come in payment order"
            );
            merge_with_earlier(payment, decision)
        })
        .collect();
    transactions::set_decisions(conn, &merged, &at).await?;
    tracing::debug!(
        message = "Run phase: decisions stored.",
        elapsed_ms = started.elapsed().as_millis() as u64
    );

    let mut new_applications = Vec::new();
    let mut opened = Vec::new();
    let mut settled: HashMap<&'static str, Vec<i64>> = HashMap::new();
    for decision in &merged {
        summary.applications += decision.applications.len();
        for application in &decision.applications {
            new_applications.push(applications::NewApplication {
                transaction_id: decision.payment_id,
                application,
                grounds: applications::Grounds {
                    rule: decision.rule.as_str(),
                    confidence_per_mille: decision.confidence.per_mille(),
                    explanation: &decision.explanation,
                    actor: "recond",
                    at: &at,
                },
            });
        }
        match decision.status {
            PaymentStatus::Exception => {
                opened.push(applications::OpenException {
                    transaction_id: decision.payment_id,
                    reason: decision
                        .exception_reason
                        .map(|r| r.as_str())
                        .unwrap_or("no_reference"),
                    explanation: &decision.explanation,
                    suggestions: serde_json::to_string(&decision.suggestions)?,
                });
                summary.exceptions += 1;
            }
            status => {
                settled
                    .entry(status.as_str())
                    .or_default()
                    .push(decision.payment_id);
                match status {
                    PaymentStatus::Applied => summary.applied += 1,
                    PaymentStatus::PartiallyApplied => summary.partially_applied += 1,
                    PaymentStatus::Unapplied => summary.unapplied += 1,
                    PaymentStatus::NonAr => summary.non_ar += 1,
                    PaymentStatus::Exception => unreachable!("handled above"),
                }
            }
        }
    }
    applications::insert_many(conn, &new_applications).await?;
    tracing::debug!(
        message = "Run phase: applications stored.",
        elapsed_ms = started.elapsed().as_millis() as u64
    );
    applications::open_exceptions(conn, &opened, &at).await?;
    if scope == RunScope::All {
        // A file's new payments have no exceptions yet: nothing to close.
        for (status, ids) in &settled {
            applications::close_exceptions(conn, ids, &format!("auto:{status}"), "recond", &at)
                .await?;
        }
    }
    // Last, so that a return and the payment it returns may come in the same run.
    for (payment, decision) in payments.iter().zip(&merged) {
        if let Some(trace) = &decision.returns_trace {
            summary.returned += reverse_returned(conn, payment, trace, &at).await?;
        }
    }
    Ok(summary)
}

/// An ACH return gives back an earlier credit: that payment's applications are
/// reversed (the invoices reopen) and it stops being customer cash.
async fn reverse_returned(
    conn: &mut AnyConnection,
    ret: &rules::Payment,
    trace: &str,
    at: &str,
) -> anyhow::Result<usize> {
    let originals = transactions::credits_with_trace(conn, trace).await?;
    for &original in &originals {
        let explanation = format!(
            "returned by ACH entry {} ({})",
            ret.bank_ref,
            ret.bank_tx_code.as_deref().unwrap_or("return")
        );
        let reversed =
            applications::reverse_all(conn, original, &explanation, "recond", at).await?;
        transactions::set_returned(
            conn,
            original,
            &format!("{explanation}; {reversed} application(s) reversed"),
            at,
        )
        .await?;
        applications::close_exceptions(conn, &[original], "auto:returned", "recond", at).await?;
    }
    Ok(originals.len())
}

/// A payment that earlier runs or clerks already applied in part keeps that part: if
/// this run applies nothing more, what is left is unapplied cash on a partially
/// applied payment, not a fresh exception.
fn merge_with_earlier(payment: &rules::Payment, decision: rules::Decision) -> rules::Decision {
    let applied_earlier = payment.available.amount < payment.amount.amount;
    let mut merged = decision;
    if !applied_earlier {
        return merged;
    }
    let nothing_now = merged.applications.is_empty();
    let fully_applied_now = merged.unapplied.is_zero() && !nothing_now;
    merged.status = if fully_applied_now {
        PaymentStatus::Applied
    } else {
        PaymentStatus::PartiallyApplied
    };
    if nothing_now {
        merged.exception_reason = None;
    }
    merged
}
