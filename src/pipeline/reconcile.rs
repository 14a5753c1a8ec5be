//! Reconcile runs: payments are decided against the ledger (invoices with what is
//! still open, and customers) by the engine on a blocking thread, batch by batch, and
//! each batch's decisions are written through the caller's connection, which should
//! be inside a transaction so that a run is stored whole or not at all.
//!
//! A [`Run`] loads the ledger once, when its first batch arrives, and keeps at most
//! two batches in flight: while the engine decides one, the caller goes on storing or
//! loading the next. Memory therefore follows the ledger and [`BATCH_PAYMENTS`], not
//! the size of a file or of the backlog.

use std::collections::HashMap;

use anyhow::Context;
use chrono::NaiveDate;
use rules::{Decision, Payment, PaymentStatus, RuleSet};
use sqlx::AnyConnection;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::store::{self, applications, customers, invoices, transactions};

/// Payments the engine decides at a time, unless `limits.match_batch_payments` says
/// otherwise. Conflicts over one invoice are resolved by confidence within a batch;
/// across batches the earlier grant stands (see `rules::reconcile_batches`), so a batch
/// is large enough that a day's file rarely spans two.
pub const BATCH_PAYMENTS: usize = 20_000;

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

/// Re-decides every payment not fully applied (new ones, exceptions, unapplied cash,
/// partial applications) against what is open now: after an import, and nightly.
pub async fn run(
    conn: &mut AnyConnection,
    config: &Config,
    today: NaiveDate,
) -> anyhow::Result<RunSummary> {
    let mut run = Run::new(config, today, Settled::CloseExceptions);
    let mut after_id = 0;
    loop {
        let page = transactions::load_undecided(conn, after_id, run.batch_payments).await?;
        let Some(last) = page.last() else {
            break;
        };
        after_id = last.id;
        run.submit(conn, Batch::stored(page)).await?;
    }
    run.finish(conn).await
}

/// Whether a run closes the open exceptions of payments it settles. A file's new
/// payments have none yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    CloseExceptions,
    NothingToClose,
}

/// Payments for the engine, in id order. A file's new transactions come with their
/// rows, which are stored once decided; stored payments get their decisions updated.
#[derive(Debug, Default)]
pub struct Batch {
    payments: Vec<Payment>,
    new_rows: Vec<transactions::NewTransaction>,
}

impl Batch {
    /// Payments already stored (a re-match).
    pub fn stored(payments: Vec<Payment>) -> Batch {
        Batch {
            payments,
            new_rows: Vec::new(),
        }
    }

    /// A new transaction, stored when its decision is.
    pub fn push_new(&mut self, payment: Payment, row: transactions::NewTransaction) {
        debug_assert_eq!(payment.id, row.id);
        self.payments.push(payment);
        self.new_rows.push(row);
    }

    pub fn len(&self) -> usize {
        self.payments.len()
    }

    pub fn is_empty(&self) -> bool {
        self.payments.is_empty()
    }
}

impl AsRef<[Payment]> for Batch {
    fn as_ref(&self) -> &[Payment] {
        &self.payments
    }
}

/// A decided batch coming back from the engine.
type Decided = (Batch, Vec<Decision>);

/// One reconcile run fed batch by batch: [`Run::submit`] each batch of payments in
/// id order, then [`Run::finish`].
pub struct Run {
    rule_set: RuleSet,
    batch_payments: usize,
    today: NaiveDate,
    settled: Settled,
    engine: Option<Engine>,
    /// Batches sent to the engine whose decisions are not written yet.
    in_flight: usize,
    batches_written: usize,
    at: String,
    summary: RunSummary,
    /// ACH returns seen so far, reversed at the end: the payment a return gives back
    /// may be decided in a later batch of the same run.
    returns: Vec<Return>,
    /// Where the run's time went, for the debug log.
    timings: Timings,
}

#[derive(Debug, Default)]
struct Timings {
    ledger: std::time::Duration,
    waiting_for_engine: std::time::Duration,
    decisions: std::time::Duration,
    applications: std::time::Duration,
}

struct Engine {
    requests: Option<mpsc::Sender<Batch>>,
    results: mpsc::Receiver<Decided>,
    thread: JoinHandle<()>,
}

struct Return {
    bank_ref: String,
    code: Option<String>,
    trace: String,
}

impl Run {
    pub fn new(config: &Config, today: NaiveDate, settled: Settled) -> Run {
        Run {
            rule_set: config.matching.clone(),
            batch_payments: config.match_batch_payments,
            today,
            settled,
            engine: None,
            in_flight: 0,
            batches_written: 0,
            at: store::now(),
            summary: RunSummary::default(),
            returns: Vec::new(),
            timings: Timings::default(),
        }
    }

    /// How many payments to [`Run::submit`] at a time.
    pub fn batch_payments(&self) -> usize {
        self.batch_payments
    }

    /// Batches whose decisions are stored, in the order they were submitted.
    pub fn batches_written(&self) -> usize {
        self.batches_written
    }

    /// Hands a batch (in payment-id order) to the engine, and writes the decisions of
    /// the batch before it once they are ready. The first batch takes the run lock and
    /// loads the ledger.
    pub async fn submit(&mut self, conn: &mut AnyConnection, batch: Batch) -> anyhow::Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        if self.engine.is_none() {
            let started = std::time::Instant::now();
            self.engine = Some(self.start_engine(conn).await?);
            self.timings.ledger = started.elapsed();
        }
        let requests = self
            .engine
            .as_ref()
            .and_then(|engine| engine.requests.as_ref())
            .context("the run was already finished")?;
        if requests.send(batch).await.is_err() {
            return Err(self.engine_failure().await);
        }
        self.in_flight += 1;
        // One batch deciding while the caller prepares the next; older ones written.
        while self.in_flight > 1 {
            self.write_next(conn).await?;
        }
        Ok(())
    }

    /// Writes what is still in flight, reverses what ACH returns gave back, and says
    /// what the run decided.
    pub async fn finish(mut self, conn: &mut AnyConnection) -> anyhow::Result<RunSummary> {
        if let Some(engine) = &mut self.engine {
            engine.requests = None;
        }
        while self.in_flight > 0 {
            self.write_next(conn).await?;
        }
        if let Some(engine) = self.engine.take() {
            engine
                .thread
                .await
                .context("the matching engine panicked")?;
        }
        for ret in std::mem::take(&mut self.returns) {
            self.summary.returned += reverse_returned(conn, &ret, &self.at).await?;
        }
        if self.summary.payments > 0 {
            let summary = &self.summary;
            let detail = serde_json::json!({
                "payments": summary.payments,
                "applied": summary.applied,
                "partially_applied": summary.partially_applied,
                "unapplied": summary.unapplied,
                "exceptions": summary.exceptions,
                "non_ar": summary.non_ar,
                "applications": summary.applications,
                "returned": summary.returned,
            });
            store::audit(conn, "recond", "reconcile_run", "run", &self.at, &detail).await?;
        }
        let ms = |duration: std::time::Duration| duration.as_millis() as u64;
        tracing::debug!(
            message = "Run finished.",
            payments = self.summary.payments,
            ledger_ms = ms(self.timings.ledger),
            waiting_for_engine_ms = ms(self.timings.waiting_for_engine),
            decisions_ms = ms(self.timings.decisions),
            applications_ms = ms(self.timings.applications),
        );
        Ok(self.summary)
    }

    async fn start_engine(&self, conn: &mut AnyConnection) -> anyhow::Result<Engine> {
        store::serialize_runs(conn).await?;
        let started = std::time::Instant::now();
        let invoices = invoices::load_for_matching(conn).await?;
        let customers = customers::load_all(conn).await?;
        tracing::debug!(
            message = "Run: ledger loaded.",
            invoices = invoices.len(),
            customers = customers.len(),
            elapsed_ms = started.elapsed().as_millis() as u64
        );
        let (requests, mut incoming) = mpsc::channel::<Batch>(1);
        let (outgoing, results) = mpsc::channel::<Decided>(1);
        let rule_set = self.rule_set.clone();
        let today = Some(self.today);
        let thread = tokio::task::spawn_blocking(move || {
            let batches = std::iter::from_fn(|| incoming.blocking_recv());
            rules::reconcile_batches(
                &invoices,
                &customers,
                today,
                &rule_set,
                batches,
                |payments, decisions| {
                    // Fails only once the run is dropped (an error, a rejected file):
                    // then nobody needs the decisions, and no more batches will come.
                    let _ = outgoing.blocking_send((payments, decisions));
                },
            );
        });
        Ok(Engine {
            requests: Some(requests),
            results,
            thread,
        })
    }

    /// The engine stopped answering: its thread ended, by a panic.
    async fn engine_failure(&mut self) -> anyhow::Error {
        match self.engine.take() {
            Some(engine) => match engine.thread.await {
                Err(panic) => anyhow::anyhow!("the matching engine panicked: {panic}"),
                Ok(()) => anyhow::anyhow!("the matching engine stopped early"),
            },
            None => anyhow::anyhow!("the matching engine is not running"),
        }
    }

    async fn write_next(&mut self, conn: &mut AnyConnection) -> anyhow::Result<()> {
        let started = std::time::Instant::now();
        let next = match &mut self.engine {
            Some(engine) => engine.results.recv().await,
            None => None,
        };
        self.timings.waiting_for_engine += started.elapsed();
        let Some((batch, decisions)) = next else {
            return Err(self.engine_failure().await);
        };
        self.in_flight -= 1;
        self.batches_written += 1;
        self.write(conn, batch, decisions).await
    }

    async fn write(
        &mut self,
        conn: &mut AnyConnection,
        batch: Batch,
        decisions: Vec<Decision>,
    ) -> anyhow::Result<()> {
        let payments = &batch.payments;
        anyhow::ensure!(
            decisions.len() == payments.len(),
            "the engine returned {} decisions for {} payments",
            decisions.len(),
            payments.len()
        );
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
        let started = std::time::Instant::now();
        if batch.new_rows.is_empty() {
            transactions::set_decisions(conn, &merged, &self.at).await?;
        } else {
            transactions::insert_decided(conn, &batch.new_rows, &merged, &self.at).await?;
        }
        self.timings.decisions += started.elapsed();
        let started = std::time::Instant::now();

        let at = self.at.as_str();
        let summary = &mut self.summary;
        summary.payments += merged.len();
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
                        at,
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
        applications::open_exceptions(conn, &opened, at).await?;
        if self.settled == Settled::CloseExceptions {
            for (status, ids) in &settled {
                applications::close_exceptions(conn, ids, &format!("auto:{status}"), "recond", at)
                    .await?;
            }
        }
        for (payment, decision) in payments.iter().zip(&merged) {
            if let Some(trace) = &decision.returns_trace {
                self.returns.push(Return {
                    bank_ref: payment.bank_ref.clone(),
                    code: payment.bank_tx_code.clone(),
                    trace: trace.clone(),
                });
            }
        }
        self.timings.applications += started.elapsed();
        Ok(())
    }
}

/// An ACH return gives back an earlier credit: that payment's applications are
/// reversed (the invoices reopen) and it stops being customer cash.
async fn reverse_returned(
    conn: &mut AnyConnection,
    ret: &Return,
    at: &str,
) -> anyhow::Result<usize> {
    let originals = transactions::credits_with_trace(conn, &ret.trace).await?;
    for &original in &originals {
        let explanation = format!(
            "returned by ACH entry {} ({})",
            ret.bank_ref,
            ret.code.as_deref().unwrap_or("return")
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
fn merge_with_earlier(payment: &Payment, decision: Decision) -> Decision {
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
