//! Statements and bank transactions, and the matching state kept on each transaction.

use std::collections::HashMap;

use anyhow::Context;
use parsers::model::{Direction, EntryStatus, Format, ReferenceKind, Remittance, RemittanceItem};
use parsers::{Statement, Transaction};
use sqlx::{AnyConnection, Row};

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

/// Stores a transaction unless one with the same dedupe key exists. Returns its new id,
/// or `None` for a transaction already known from an earlier file.
pub async fn insert_transaction(
    conn: &mut AnyConnection,
    bank_file_id: i64,
    statement_id: i64,
    account: &str,
    format: Format,
    tx: &Transaction,
    dedupe_key: &str,
) -> anyhow::Result<Option<i64>> {
    let amount_minor = money::to_minor(&tx.amount)
        .with_context(|| format!("transaction at line {}", tx.position.line))?;
    let row = sqlx::query(
        "INSERT INTO transactions (bank_file_id, statement_id, account, dedupe_key, format, direction, entry_status, \
         reversal, currency, amount_minor, booking_date, value_date, bank_ref, end_to_end_id, customer_ref, \
         trace_number, payer_name, payer_account, bank_tx_code, remittance_text, return_of_trace, return_reason, \
         status, unapplied_minor) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, \
         'new', $10) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(bank_file_id)
    .bind(statement_id)
    .bind(account)
    .bind(dedupe_key)
    .bind(format.as_str())
    .bind(tx.direction.as_str())
    .bind(tx.status.as_str())
    .bind(i64::from(tx.reversal))
    .bind(tx.amount.currency.code())
    .bind(amount_minor)
    .bind(tx.booking_date.map(|d| d.to_string()))
    .bind(tx.value_date.map(|d| d.to_string()))
    .bind(&tx.bank_ref)
    .bind(tx.end_to_end_id.as_deref())
    .bind(tx.customer_ref.as_deref())
    .bind(tx.trace_number.as_deref())
    .bind(tx.payer_name.as_deref())
    .bind(tx.payer_account.as_deref())
    .bind(tx.bank_tx_code.as_deref())
    .bind(tx.remittance.lines.join("\n"))
    .bind(tx.return_info.as_ref().map(|r| r.original_trace.clone()))
    .bind(tx.return_info.as_ref().map(|r| r.reason_code.clone()))
    .fetch_optional(&mut *conn)
    .await
    .context("could not store a transaction")?;
    let Some(row) = row else {
        return Ok(None);
    };
    let id: i64 = row.try_get(0)?;
    for (seq, item) in tx.remittance.items.iter().enumerate() {
        let minor = |m: &Option<parsers::Money>| m.as_ref().map(money::to_minor).transpose();
        sqlx::query(
            "INSERT INTO remittance_items (transaction_id, seq, kind, reference, paid_minor, total_minor, discount_minor) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(i64::try_from(seq).unwrap_or(i64::MAX))
        .bind(kind_name(item.kind))
        .bind(&item.reference)
        .bind(minor(&item.paid)?)
        .bind(minor(&item.document_total)?)
        .bind(minor(&item.discount)?)
        .execute(&mut *conn)
        .await
        .context("could not store a remittance item")?;
    }
    Ok(Some(id))
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

/// Payments a reconcile run must decide: new ones and every one not fully applied
/// (exceptions, unapplied cash, partial applications), with what is still available.
pub async fn load_undecided(conn: &mut AnyConnection) -> anyhow::Result<Vec<rules::Payment>> {
    let rows = sqlx::query(
        "SELECT t.id, t.format, t.direction, t.entry_status, t.currency, t.amount_minor, t.booking_date, t.bank_ref, \
         t.end_to_end_id, t.customer_ref, t.payer_name, t.payer_account, t.bank_tx_code, t.remittance_text, \
         t.return_of_trace, CAST(COALESCE(a.applied_minor, 0) AS BIGINT) AS applied_minor \
         FROM transactions t LEFT JOIN ( \
           SELECT transaction_id, CAST(SUM(applied_minor) AS BIGINT) AS applied_minor FROM applications GROUP BY transaction_id \
         ) a ON a.transaction_id = t.id \
         WHERE t.status IN ('new', 'exception', 'unapplied', 'partially_applied') ORDER BY t.id",
    )
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
            booking_date: booking_date
                .and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
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
                    text.lines().map(str::to_owned).collect()
                },
                items: Vec::new(),
            },
            return_of: row.try_get("return_of_trace")?,
        });
    }
    attach_items(conn, &mut payments).await?;
    Ok(payments)
}

async fn attach_items(
    conn: &mut AnyConnection,
    payments: &mut [rules::Payment],
) -> anyhow::Result<()> {
    let position: HashMap<i64, usize> = payments
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id, i))
        .collect();
    let rows = sqlx::query(
        "SELECT r.transaction_id, r.kind, r.reference, r.paid_minor, r.total_minor, r.discount_minor, t.currency \
         FROM remittance_items r JOIN transactions t ON t.id = r.transaction_id \
         WHERE t.status IN ('new', 'exception', 'unapplied', 'partially_applied') ORDER BY r.transaction_id, r.seq",
    )
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
            reference: row.try_get("reference")?,
            paid: amount("paid_minor")?,
            document_total: amount("total_minor")?,
            discount: amount("discount_minor")?,
        });
    }
    Ok(())
}

/// Records the latest decision on a transaction.
pub async fn set_decision(
    conn: &mut AnyConnection,
    decision: &rules::Decision,
    decided_at: &str,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE transactions SET status = $2, unapplied_minor = $3, exception_reason = $4, rule = $5, confidence = $6, \
         explanation = $7, decided_at = $8 WHERE id = $1",
    )
    .bind(decision.payment_id)
    .bind(decision.status.as_str())
    .bind(money::to_minor(&decision.unapplied)?)
    .bind(decision.exception_reason.map(|r| r.as_str()))
    .bind(decision.rule.as_str())
    .bind(i64::from(decision.confidence.per_mille()))
    .bind(&decision.explanation)
    .bind(decided_at)
    .execute(&mut *conn)
    .await
    .context("could not record a decision")?;
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
