//! Statements and bank transactions, and the matching state kept on each transaction.

use std::collections::HashMap;

use anyhow::Context;
use parsers::model::{Direction, EntryStatus, Format, ReferenceKind, Remittance, RemittanceItem};
use parsers::{Statement, Transaction};
use sqlx::{AnyConnection, Row};

use super::batch::{self, Placeholders};
use super::money;

pub async fn insert_statement(
    conn: &mut AnyConnection,
    bank_file_id: i64,
    statement: &Statement,
) -> anyhow::Result<i64> {
    let minor = |m: &Option<parsers::Money>| m.as_ref().map(money::to_minor).transpose();
    let row = sqlx::query(
        "INSERT INTO statements (bank_file_id, statement_ref, account, servicer, currency, opening_minor, \
         closing_minor, from_date, to_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(bank_file_id)
    .bind(&statement.id)
    .bind(&statement.account.number)
    .bind(statement.account.servicer.as_deref())
    .bind(statement.account.currency.map(|c| c.code().to_owned()))
    .bind(minor(&statement.opening_balance).context("opening balance")?)
    .bind(minor(&statement.closing_balance).context("closing balance")?)
    .bind(statement.from_date.map(|d| d.to_string()))
    .bind(statement.to_date.map(|d| d.to_string()))
    .fetch_one(&mut *conn)
    .await
    .context("could not store a statement")?;
    Ok(row.try_get(0)?)
}

/// The identity of a bank transaction across files: the same account, bank reference,
/// direction, amount and booking date is the same transaction, whichever file brings it
/// (an intraday report then the end-of-day statement, a re-sent file). Without a bank
/// reference the payer, text and occurrence in the file stand in for it.
pub fn dedupe_key(account: &str, tx: &Transaction, amount_minor: i64, occurrence: usize) -> String {
    let mut key = format!(
        "{}|{}|{}|{}|{}|{}",
        account,
        tx.bank_ref,
        tx.direction.as_str(),
        tx.amount.currency.code(),
        amount_minor,
        tx.booking_date.map(|d| d.to_string()).unwrap_or_default(),
    );
    if tx.status != EntryStatus::Booked {
        // A pending entry must not hide the booked entry that later replaces it.
        key.push('|');
        key.push_str(tx.status.as_str());
    }
    if tx.bank_ref.is_empty() {
        key.push_str(&format!(
            "|{}|{}|#{}",
            tx.payer_name.as_deref().unwrap_or(""),
            tx.remittance.lines.join(" "),
            occurrence
        ));
    }
    key
}

/// A new transaction of a file, waiting for its decision to be stored with it.
#[derive(Debug)]
pub struct NewTransaction {
    /// Reserved with [`IdAllocator`] before the engine sees the payment.
    pub id: i64,
    pub bank_file_id: i64,
    pub statement_id: i64,
    pub account: std::sync::Arc<str>,
    pub format: Format,
    pub amount_minor: i64,
    pub dedupe_key: String,
    pub transaction: Transaction<'static>,
}

/// Hands out ids for new transactions before they are stored, so that the engine can
/// decide a payment first and the row is written once, decided. The caller holds the
/// write lock (SQLite) or the run lock (PostgreSQL) for its whole transaction, so no
/// one else inserts transactions meanwhile.
#[derive(Debug, Default)]
pub struct IdAllocator {
    /// SQLite: the next free id, once read.
    next: Option<i64>,
}

impl IdAllocator {
    /// `count` new ids, ascending.
    pub async fn take(
        &mut self,
        conn: &mut AnyConnection,
        count: usize,
    ) -> anyhow::Result<Vec<i64>> {
        if count == 0 {
            return Ok(Vec::new());
        }
        if conn.backend_name() == "PostgreSQL" {
            let rows = sqlx::query(
                "SELECT nextval(pg_get_serial_sequence('transactions', 'id')) FROM generate_series(1, $1)",
            )
            .bind(i64::try_from(count)?)
            .fetch_all(&mut *conn)
            .await
            .context("could not reserve transaction ids")?;
            let mut ids = rows
                .iter()
                .map(|row| row.try_get::<i64, _>(0))
                .collect::<Result<Vec<_>, _>>()?;
            ids.sort_unstable();
            return Ok(ids);
        }
        let next = match self.next {
            Some(next) => next,
            None => {
                // AUTOINCREMENT never reuses an id, even of a deleted row: start after
                // the highest ever handed out.
                let row = sqlx::query(
                    "SELECT MAX(COALESCE((SELECT MAX(id) FROM transactions), 0), \
                     COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'transactions'), 0))",
                )
                .fetch_one(&mut *conn)
                .await
                .context("could not read the last transaction id")?;
                row.try_get::<i64, _>(0)? + 1
            }
        };
        let count = i64::try_from(count)?;
        self.next = Some(next + count);
        Ok((next..next + count).collect())
    }
}

/// Which of these dedupe keys belong to stored transactions.
pub async fn known_keys(
    conn: &mut AnyConnection,
    keys: &[&str],
) -> anyhow::Result<std::collections::HashSet<String>> {
    let mut known = std::collections::HashSet::new();
    let postgres = conn.backend_name() == "PostgreSQL";
    if postgres {
        // The planner's statistics lag a table that grows within this transaction (the
        // first million-row file on a new database): it would scan every stored row for
        // each batch of keys instead of probing the unique index.
        sqlx::query("SET LOCAL enable_seqscan = off")
            .execute(&mut *conn)
            .await?;
    }
    for chunk in keys.chunks(batch::rows_per_statement(1)) {
        let sql = format!(
            "SELECT dedupe_key FROM transactions WHERE dedupe_key IN ({})",
            Placeholders::new(conn).list(chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for key in chunk {
            query = query.bind(*key);
        }
        for row in query
            .fetch_all(&mut *conn)
            .await
            .context("could not look up known transactions")?
        {
            known.insert(row.try_get(0)?);
        }
    }
    if postgres {
        sqlx::query("SET LOCAL enable_seqscan TO DEFAULT")
            .execute(&mut *conn)
            .await?;
    }
    Ok(known)
}

const TRANSACTION_COLUMNS: usize = 30;

/// Stores new transactions with their decisions (one per row, same order), many per
/// statement, then their structured remittance items. A row whose dedupe key is stored
/// already fails the insert: callers filter with [`known_keys`] first.
pub async fn insert_decided(
    conn: &mut AnyConnection,
    rows: &[NewTransaction],
    decisions: &[rules::Decision],
    decided_at: &str,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        rows.len() == decisions.len(),
        "one decision per transaction"
    );
    // PostgreSQL's identity column takes the reserved ids only when told to.
    let overriding = if conn.backend_name() == "PostgreSQL" {
        "OVERRIDING SYSTEM VALUE "
    } else {
        ""
    };
    let size = batch::rows_per_statement(TRANSACTION_COLUMNS);
    for (chunk, decided) in rows.chunks(size).zip(decisions.chunks(size)) {
        let sql = format!(
            "INSERT INTO transactions (id, bank_file_id, statement_id, account, dedupe_key, format, direction, entry_status, \
             reversal, currency, amount_minor, booking_date, value_date, bank_ref, end_to_end_id, customer_ref, \
             trace_number, payer_name, payer_account, bank_tx_code, remittance_text, return_of_trace, return_reason, \
             status, unapplied_minor, exception_reason, rule, confidence, explanation, decided_at) {overriding}VALUES {}",
            Placeholders::new(conn).values(TRANSACTION_COLUMNS, chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for (row, decision) in chunk.iter().zip(decided) {
            anyhow::ensure!(row.id == decision.payment_id, "decisions in row order");
            let tx = &row.transaction;
            query = query
                .bind(row.id)
                .bind(row.bank_file_id)
                .bind(row.statement_id)
                .bind(&*row.account)
                .bind(row.dedupe_key.as_str())
                .bind(row.format.as_str())
                .bind(tx.direction.as_str())
                .bind(tx.status.as_str())
                .bind(i64::from(tx.reversal))
                .bind(tx.amount.currency.code())
                .bind(row.amount_minor)
                .bind(tx.booking_date.map(|d| d.to_string()))
                .bind(tx.value_date.map(|d| d.to_string()))
                .bind(&*tx.bank_ref)
                .bind(tx.end_to_end_id.as_deref())
                .bind(tx.customer_ref.as_deref())
                .bind(tx.trace_number.as_deref())
                .bind(tx.payer_name.as_deref())
                .bind(tx.payer_account.as_deref())
                .bind(tx.bank_tx_code.as_deref())
                .bind(tx.remittance.lines.join("\n"))
                .bind(tx.return_info.as_ref().map(|r| &*r.original_trace))
                .bind(tx.return_info.as_ref().map(|r| &*r.reason_code))
                .bind(decision.status.as_str())
                .bind(money::to_minor(&decision.unapplied)?)
                .bind(decision.exception_reason.map(|r| r.as_str()))
                .bind(decision.rule.as_str())
                .bind(i64::from(decision.confidence.per_mille()))
                .bind(decision.explanation.as_str())
                .bind(decided_at);
        }
        query
            .execute(&mut *conn)
            .await
            .context("could not store transactions")?;
        let items: Vec<(i64, usize, &RemittanceItem)> = chunk
            .iter()
            .flat_map(|row| {
                row.transaction
                    .remittance
                    .items
                    .iter()
                    .enumerate()
                    .map(move |(seq, item)| (row.id, seq, item))
            })
            .collect();
        insert_items(conn, &items).await?;
    }
    Ok(())
}

async fn insert_items(
    conn: &mut AnyConnection,
    items: &[(i64, usize, &RemittanceItem<'_>)],
) -> anyhow::Result<()> {
    let minor = |m: &Option<parsers::Money>| m.as_ref().map(money::to_minor).transpose();
    for chunk in items.chunks(batch::rows_per_statement(7)) {
        let sql = format!(
            "INSERT INTO remittance_items (transaction_id, seq, kind, reference, paid_minor, total_minor, discount_minor) VALUES {}",
            Placeholders::new(conn).values(7, chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for (id, seq, item) in chunk {
            query = query
                .bind(*id)
                .bind(i64::try_from(*seq).unwrap_or(i64::MAX))
                .bind(kind_name(item.kind))
                .bind(&*item.reference)
                .bind(minor(&item.paid)?)
                .bind(minor(&item.document_total)?)
                .bind(minor(&item.discount)?);
        }
        query
            .execute(&mut *conn)
            .await
            .context("could not store remittance items")?;
    }
    Ok(())
}

fn kind_name(kind: ReferenceKind) -> &'static str {
    match kind {
        ReferenceKind::Invoice => "invoice",
        ReferenceKind::CreditorReference => "creditor_reference",
        ReferenceKind::PurchaseOrder => "purchase_order",
        ReferenceKind::CreditNote => "credit_note",
        ReferenceKind::Other => "other",
    }
}

fn kind_from_name(name: &str) -> ReferenceKind {
    match name {
        "invoice" => ReferenceKind::Invoice,
        "creditor_reference" => ReferenceKind::CreditorReference,
        "purchase_order" => ReferenceKind::PurchaseOrder,
        "credit_note" => ReferenceKind::CreditNote,
        _ => ReferenceKind::Other,
    }
}

fn format_from_name(name: &str) -> Format {
    match name {
        "camt" => Format::Camt,
        "bai2" => Format::Bai2,
        "nacha" => Format::Nacha,
        "x12_820" => Format::X12_820,
        _ => Format::Csv,
    }
}

/// Payments not fully applied: new ones, exceptions, unapplied cash, partial
/// applications.
const UNDECIDED: &str = "t.status IN ('new', 'exception', 'unapplied', 'partially_applied')";

/// Up to `limit` payments a re-match must decide, in id order after `after_id`, with
/// what earlier applications left available on each.
pub async fn load_undecided(
    conn: &mut AnyConnection,
    after_id: i64,
    limit: usize,
) -> anyhow::Result<Vec<rules::Payment>> {
    let sql = format!(
        "SELECT t.id, t.format, t.direction, t.entry_status, t.currency, t.amount_minor, t.booking_date, t.bank_ref, \
         t.end_to_end_id, t.customer_ref, t.payer_name, t.payer_account, t.bank_tx_code, t.remittance_text, \
         t.return_of_trace, \
         CAST(COALESCE((SELECT SUM(a.applied_minor) FROM applications a WHERE a.transaction_id = t.id), 0) AS BIGINT) \
         AS applied_minor FROM transactions t WHERE {UNDECIDED} AND t.id > $1 ORDER BY t.id LIMIT $2"
    );
    let rows = sqlx::query(&sql)
        .bind(after_id)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&mut *conn)
        .await
        .context("could not load payments to match")?;
    let mut payments = Vec::with_capacity(rows.len());
    for row in &rows {
        let currency: String = row.try_get("currency")?;
        let amount_minor: i64 = row.try_get("amount_minor")?;
        let applied_minor: i64 = row.try_get("applied_minor")?;
        let text: String = row.try_get("remittance_text")?;
        let booking_date: Option<String> = row.try_get("booking_date")?;
        payments.push(rules::Payment {
            id: row.try_get("id")?,
            format: format_from_name(&row.try_get::<String, _>("format")?),
            direction: if row.try_get::<String, _>("direction")? == "debit" {
                Direction::Debit
            } else {
                Direction::Credit
            },
            status: match row.try_get::<String, _>("entry_status")?.as_str() {
                "booked" => EntryStatus::Booked,
                "pending" => EntryStatus::Pending,
                _ => EntryStatus::Info,
            },
            amount: money::from_minor(amount_minor, &currency)?,
            available: money::from_minor(amount_minor - applied_minor, &currency)?,
            booking_date: booking_date.and_then(|d| d.parse::<chrono::NaiveDate>().ok()),
            bank_ref: row.try_get("bank_ref")?,
            end_to_end_id: row.try_get("end_to_end_id")?,
            customer_ref: row.try_get("customer_ref")?,
            payer_name: row.try_get("payer_name")?,
            payer_account: row.try_get("payer_account")?,
            bank_tx_code: row.try_get("bank_tx_code")?,
            remittance: Remittance {
                lines: if text.is_empty() {
                    Vec::new()
                } else {
                    text.lines().map(|line| line.to_owned().into()).collect()
                },
                items: Vec::new(),
            },
            return_of: row.try_get("return_of_trace")?,
        });
    }
    attach_items(conn, &mut payments).await?;
    Ok(payments)
}

/// The remittance items of these payments (in id order), from the store.
async fn attach_items(
    conn: &mut AnyConnection,
    payments: &mut [rules::Payment],
) -> anyhow::Result<()> {
    let (Some(first), Some(last)) = (payments.first(), payments.last()) else {
        return Ok(());
    };
    let (first, last) = (first.id, last.id);
    let position: HashMap<i64, usize> = payments
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id, i))
        .collect();
    let rows = sqlx::query(
        "SELECT r.transaction_id, r.kind, r.reference, r.paid_minor, r.total_minor, r.discount_minor, t.currency \
         FROM remittance_items r JOIN transactions t ON t.id = r.transaction_id \
         WHERE r.transaction_id BETWEEN $1 AND $2 ORDER BY r.transaction_id, r.seq",
    )
    .bind(first)
    .bind(last)
    .fetch_all(&mut *conn)
    .await
    .context("could not load remittance items")?;
    for row in &rows {
        let id: i64 = row.try_get(0)?;
        let Some(&i) = position.get(&id) else {
            continue;
        };
        let currency: String = row.try_get("currency")?;
        let amount = |column: &str| -> anyhow::Result<Option<parsers::Money>> {
            row.try_get::<Option<i64>, _>(column)?
                .map(|m| money::from_minor(m, &currency))
                .transpose()
        };
        payments[i].remittance.items.push(RemittanceItem {
            kind: kind_from_name(&row.try_get::<String, _>("kind")?),
            reference: row.try_get::<String, _>("reference")?.into(),
            paid: amount("paid_minor")?,
            document_total: amount("total_minor")?,
            discount: amount("discount_minor")?,
        });
    }
    Ok(())
}

/// Incoming credits with this trace number (what an ACH return names).
pub async fn credits_with_trace(conn: &mut AnyConnection, trace: &str) -> anyhow::Result<Vec<i64>> {
    let rows = sqlx::query(
        "SELECT id FROM transactions WHERE trace_number = $1 AND direction = 'credit' ORDER BY id",
    )
    .bind(trace)
    .fetch_all(&mut *conn)
    .await
    .context("could not look up the returned transaction")?;
    rows.iter().map(|row| Ok(row.try_get(0)?)).collect()
}

/// Marks a payment as returned by the bank: no longer customer cash.
pub async fn set_returned(
    conn: &mut AnyConnection,
    id: i64,
    explanation: &str,
    at: &str,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE transactions SET status = 'non_ar', unapplied_minor = 0, exception_reason = NULL, rule = 'ach_return', \
         confidence = 1000, explanation = $2, decided_at = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(explanation)
    .bind(at)
    .execute(&mut *conn)
    .await
    .context("could not mark a payment returned")?;
    Ok(())
}

/// Records the latest decisions on their transactions, many per statement.
pub async fn set_decisions(
    conn: &mut AnyConnection,
    decisions: &[rules::Decision],
    decided_at: &str,
) -> anyhow::Result<()> {
    for chunk in decisions.chunks(batch::rows_per_statement(8)) {
        // VALUES columns are named column1… on both SQLite and PostgreSQL.
        let sql = format!(
            "UPDATE transactions SET status = v.column2, unapplied_minor = v.column3, exception_reason = NULLIF(v.column4, ''), \
             rule = v.column5, confidence = v.column6, explanation = v.column7, decided_at = v.column8 \
             FROM (VALUES {}) AS v WHERE transactions.id = v.column1",
            Placeholders::new(conn).values(8, chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for decision in chunk {
            query = query
                .bind(decision.payment_id)
                .bind(decision.status.as_str())
                .bind(money::to_minor(&decision.unapplied)?)
                .bind(decision.exception_reason.map(|r| r.as_str()).unwrap_or(""))
                .bind(decision.rule.as_str())
                .bind(i64::from(decision.confidence.per_mille()))
                .bind(decision.explanation.as_str())
                .bind(decided_at);
        }
        query
            .execute(&mut *conn)
            .await
            .context("could not record decisions")?;
    }
    Ok(())
}
