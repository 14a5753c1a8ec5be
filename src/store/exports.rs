//! Read-only queries behind `recond export`.

use anyhow::Context;
use sqlx::{AnyConnection, Row};

use super::money::format_minor;

/// One bank transaction as exported.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PaymentRow {
    pub source_file: String,
    pub bank_ref: String,
    pub booking_date: String,
    /// Signed: credits positive, debits negative.
    pub amount: String,
    pub currency: String,
    pub payer_name: String,
    pub status: String,
    pub unapplied_amount: String,
    pub exception_reason: String,
}

pub async fn payments(conn: &mut AnyConnection) -> anyhow::Result<Vec<PaymentRow>> {
    let rows = sqlx::query(
        "SELECT f.file_name, t.bank_ref, t.booking_date, t.direction, t.amount_minor, t.currency, t.payer_name, \
         t.status, t.unapplied_minor, t.exception_reason \
         FROM transactions t JOIN bank_files f ON f.id = t.bank_file_id ORDER BY t.id",
    )
    .fetch_all(&mut *conn)
    .await
    .context("could not read payments")?;
    rows.iter()
        .map(|row| {
            let currency: String = row.try_get("currency")?;
            let amount: i64 = row.try_get("amount_minor")?;
            let signed = if row.try_get::<String, _>("direction")? == "debit" {
                -amount
            } else {
                amount
            };
            let status: String = row.try_get("status")?;
            Ok(PaymentRow {
                source_file: row.try_get("file_name")?,
                bank_ref: row.try_get("bank_ref")?,
                booking_date: row
                    .try_get::<Option<String>, _>("booking_date")?
                    .unwrap_or_default(),
                amount: format_minor(signed, &currency),
                payer_name: row
                    .try_get::<Option<String>, _>("payer_name")?
                    .unwrap_or_default(),
                unapplied_amount: format_minor(row.try_get("unapplied_minor")?, &currency),
                exception_reason: row
                    .try_get::<Option<String>, _>("exception_reason")?
                    .unwrap_or_default(),
                currency,
                status,
            })
        })
        .collect()
}

/// One active (not reversed) application as exported.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApplicationRow {
    pub source_file: String,
    pub bank_ref: String,
    pub invoice_id: String,
    pub applied_amount: String,
    pub writeoff_amount: String,
    pub writeoff_reason: String,
    pub rule: String,
    pub confidence: String,
}

pub async fn applications(conn: &mut AnyConnection) -> anyhow::Result<Vec<ApplicationRow>> {
    let rows = sqlx::query(
        "SELECT f.file_name, t.bank_ref, a.invoice_id, a.currency, a.applied_minor, a.writeoff_minor, \
         a.writeoff_reason, a.rule, a.confidence \
         FROM applications a JOIN transactions t ON t.id = a.transaction_id JOIN bank_files f ON f.id = t.bank_file_id \
         WHERE a.reverses_id IS NULL AND NOT EXISTS (SELECT 1 FROM applications r WHERE r.reverses_id = a.id) \
         ORDER BY a.id",
    )
    .fetch_all(&mut *conn)
    .await
    .context("could not read applications")?;
    rows.iter()
        .map(|row| {
            let currency: String = row.try_get("currency")?;
            let confidence: i64 = row.try_get("confidence")?;
            Ok(ApplicationRow {
                source_file: row.try_get("file_name")?,
                bank_ref: row.try_get("bank_ref")?,
                invoice_id: row.try_get("invoice_id")?,
                applied_amount: format_minor(row.try_get("applied_minor")?, &currency),
                writeoff_amount: format_minor(row.try_get("writeoff_minor")?, &currency),
                writeoff_reason: row
                    .try_get::<Option<String>, _>("writeoff_reason")?
                    .unwrap_or_default(),
                rule: row.try_get("rule")?,
                confidence: format!("{}.{:03}", confidence / 1000, confidence % 1000),
            })
        })
        .collect()
}

/// One delivery of a file, for `recond files` and `GET /api/files`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReceiptRow {
    pub received_at: String,
    pub file_name: String,
    pub outcome: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub reason: String,
}

pub async fn receipts(
    conn: &mut AnyConnection,
    outcome: Option<&str>,
) -> anyhow::Result<Vec<ReceiptRow>> {
    let rows = sqlx::query(
        "SELECT received_at, file_name, outcome, sha256, size_bytes, reason FROM file_receipts \
         WHERE ($1 = '' OR outcome = $1) ORDER BY id",
    )
    .bind(outcome.unwrap_or(""))
    .fetch_all(&mut *conn)
    .await
    .context("could not read file receipts")?;
    rows.iter()
        .map(|row| {
            Ok(ReceiptRow {
                received_at: row.try_get("received_at")?,
                file_name: row.try_get("file_name")?,
                outcome: row.try_get("outcome")?,
                sha256: row.try_get("sha256")?,
                size_bytes: row.try_get("size_bytes")?,
                reason: row
                    .try_get::<Option<String>, _>("reason")?
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// A suggested invoice on an exception, as the engine ranked it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SuggestionView {
    pub invoice_id: String,
    /// Per mille.
    pub score: u16,
    pub reason: String,
}

/// One open exception with the invoices suggested to the clerk, best first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExceptionRow {
    pub opened_at: String,
    pub source_file: String,
    pub bank_ref: String,
    pub booking_date: String,
    pub amount: String,
    pub currency: String,
    pub payer_name: String,
    pub reason: String,
    pub explanation: String,
    pub suggestions: Vec<SuggestionView>,
    pub suggested_invoices: Vec<String>,
}

/// Open exceptions, oldest first, with their ranked suggestions (read-only).
pub async fn open_exceptions(conn: &mut AnyConnection) -> anyhow::Result<Vec<ExceptionRow>> {
    let rows = sqlx::query(
        "SELECT e.opened_at, f.file_name, t.bank_ref, t.booking_date, t.amount_minor, t.currency, t.payer_name, \
         e.reason, e.explanation, e.suggestions \
         FROM exceptions e JOIN transactions t ON t.id = e.transaction_id JOIN bank_files f ON f.id = t.bank_file_id \
         WHERE e.closed_at IS NULL ORDER BY e.id",
    )
    .fetch_all(&mut *conn)
    .await
    .context("could not read exceptions")?;
    rows.iter()
        .map(|row| {
            let text: String = row.try_get("suggestions")?;
            let suggestions: Vec<SuggestionView> = serde_json::from_str(&text)
                .with_context(|| format!("suggestions are not the expected JSON: {text:?}"))?;
            let currency: String = row.try_get("currency")?;
            Ok(ExceptionRow {
                opened_at: row.try_get("opened_at")?,
                source_file: row.try_get("file_name")?,
                bank_ref: row.try_get("bank_ref")?,
                booking_date: row
                    .try_get::<Option<String>, _>("booking_date")?
                    .unwrap_or_default(),
                amount: format_minor(row.try_get("amount_minor")?, &currency),
                currency,
                payer_name: row
                    .try_get::<Option<String>, _>("payer_name")?
                    .unwrap_or_default(),
                reason: row.try_get("reason")?,
                explanation: row.try_get("explanation")?,
                suggested_invoices: suggestions.iter().map(|s| s.invoice_id.clone()).collect(),
                suggestions,
            })
        })
        .collect()
}

/// Counts for `recond status` and `GET /api/status`: (group, key, count).
pub async fn status_counts(conn: &mut AnyConnection) -> anyhow::Result<Vec<(String, String, i64)>> {
    let mut counts = Vec::new();
    for (group, sql) in [
        ("files", "SELECT outcome, COUNT(*) FROM file_receipts GROUP BY outcome ORDER BY outcome"),
        ("payments", "SELECT status, COUNT(*) FROM transactions GROUP BY status ORDER BY status"),
        ("exceptions", "SELECT reason, COUNT(*) FROM exceptions WHERE closed_at IS NULL GROUP BY reason ORDER BY reason"),
    ] {
        for row in sqlx::query(sql).fetch_all(&mut *conn).await.context("could not read status")? {
            counts.push((group.to_owned(), row.try_get::<String, _>(0)?, row.try_get::<i64, _>(1)?));
        }
    }
    for (key, sql) in [
        ("customers", "SELECT COUNT(*) FROM customers"),
        ("invoices", "SELECT COUNT(*) FROM invoices"),
    ] {
        let row = sqlx::query(sql).fetch_one(&mut *conn).await?;
        counts.push((
            "master_data".to_owned(),
            key.to_owned(),
            row.try_get::<i64, _>(0)?,
        ));
    }
    Ok(counts)
}

/// A trivial query to prove the database answers.
pub async fn ping(conn: &mut AnyConnection) -> anyhow::Result<()> {
    sqlx::query("SELECT COUNT(*) FROM bank_files WHERE id = 0")
        .fetch_one(&mut *conn)
        .await?;
    Ok(())
}
