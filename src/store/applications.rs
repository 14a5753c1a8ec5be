//! Applications (payment → invoice) and exceptions. Applications are append-only: a
//! reversal is a new row with negated amounts whose `reverses_id` names the original,
//! so sums over all rows give what is applied now.

use anyhow::Context;
use sqlx::{AnyConnection, Row};

use super::{audit, money};

/// Who or what made an application, and on what grounds.
pub struct Grounds<'a> {
    pub rule: &'a str,
    pub confidence_per_mille: u16,
    pub explanation: &'a str,
    pub actor: &'a str,
    pub at: &'a str,
}

pub async fn insert(
    conn: &mut AnyConnection,
    transaction_id: i64,
    application: &rules::Application,
    grounds: &Grounds<'_>,
) -> anyhow::Result<i64> {
    let row = sqlx::query(
        "INSERT INTO applications (transaction_id, invoice_id, currency, applied_minor, writeoff_minor, writeoff_reason, \
         rule, confidence, explanation, actor, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(transaction_id)
    .bind(&application.invoice_id)
    .bind(application.applied.currency.code())
    .bind(money::to_minor(&application.applied)?)
    .bind(money::to_minor(&application.writeoff)?)
    .bind(application.writeoff_reason.map(|r| r.as_str()))
    .bind(grounds.rule)
    .bind(i64::from(grounds.confidence_per_mille))
    .bind(grounds.explanation)
    .bind(grounds.actor)
    .bind(grounds.at)
    .fetch_one(&mut *conn)
    .await
    .with_context(|| format!("could not apply transaction {transaction_id} to invoice {}", application.invoice_id))?;
    let id: i64 = row.try_get(0)?;
    let detail = serde_json::json!({
        "transaction_id": transaction_id,
        "invoice_id": application.invoice_id,
        "applied": application.applied.amount.to_string(),
        "writeoff": application.writeoff.amount.to_string(),
        "writeoff_reason": application.writeoff_reason.map(|r| r.as_str()),
        "currency": application.applied.currency.code(),
        "rule": grounds.rule,
    });
    audit(
        conn,
        grounds.actor,
        "application_created",
        "application",
        &id.to_string(),
        &detail,
    )
    .await?;
    Ok(id)
}

/// Opens an exception for a transaction, or refreshes the open one's reason and
/// suggestions.
pub async fn open_exception(
    conn: &mut AnyConnection,
    transaction_id: i64,
    reason: &str,
    explanation: &str,
    suggestions: &serde_json::Value,
    at: &str,
) -> anyhow::Result<()> {
    let updated = sqlx::query(
        "UPDATE exceptions SET reason = $2, explanation = $3, suggestions = $4 WHERE transaction_id = $1 AND closed_at IS NULL",
    )
    .bind(transaction_id)
    .bind(reason)
    .bind(explanation)
    .bind(suggestions.to_string())
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 0 {
        sqlx::query(
            "INSERT INTO exceptions (transaction_id, reason, explanation, suggestions, opened_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(transaction_id)
        .bind(reason)
        .bind(explanation)
        .bind(suggestions.to_string())
        .bind(at)
        .execute(&mut *conn)
        .await
        .context("could not open an exception")?;
    }
    Ok(())
}

/// Closes the open exception of a transaction, if any.
pub async fn close_exception(
    conn: &mut AnyConnection,
    transaction_id: i64,
    resolution: &str,
    actor: &str,
    at: &str,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE exceptions SET closed_at = $2, resolution = $3, closed_by = $4 WHERE transaction_id = $1 AND closed_at IS NULL",
    )
    .bind(transaction_id)
    .bind(at)
    .bind(resolution)
    .bind(actor)
    .execute(&mut *conn)
    .await
    .context("could not close an exception")?;
    Ok(())
}

/// Reverses every active application of a transaction: one new row per application
/// with negated amounts and `reverses_id` pointing at it, so the invoices reopen and
/// the history stays. Returns how many were reversed.
pub async fn reverse_all(
    conn: &mut AnyConnection,
    transaction_id: i64,
    explanation: &str,
    actor: &str,
    at: &str,
) -> anyhow::Result<usize> {
    let active = sqlx::query(
        "SELECT a.id, a.invoice_id, a.currency, a.applied_minor, a.writeoff_minor, a.writeoff_reason, a.rule, a.confidence \
         FROM applications a WHERE a.transaction_id = $1 AND a.reverses_id IS NULL \
         AND NOT EXISTS (SELECT 1 FROM applications r WHERE r.reverses_id = a.id) ORDER BY a.id",
    )
    .bind(transaction_id)
    .fetch_all(&mut *conn)
    .await
    .context("could not read the applications to reverse")?;
    for row in &active {
        let original: i64 = row.try_get("id")?;
        let invoice_id: String = row.try_get("invoice_id")?;
        let applied: i64 = row.try_get("applied_minor")?;
        let writeoff: i64 = row.try_get("writeoff_minor")?;
        let inserted = sqlx::query(
            "INSERT INTO applications (transaction_id, invoice_id, currency, applied_minor, writeoff_minor, writeoff_reason, \
             rule, confidence, explanation, actor, created_at, reverses_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(transaction_id)
        .bind(&invoice_id)
        .bind(row.try_get::<String, _>("currency")?)
        .bind(-applied)
        .bind(-writeoff)
        .bind(row.try_get::<Option<String>, _>("writeoff_reason")?)
        .bind(row.try_get::<String, _>("rule")?)
        .bind(row.try_get::<i64, _>("confidence")?)
        .bind(explanation)
        .bind(actor)
        .bind(at)
        .bind(original)
        .fetch_one(&mut *conn)
        .await
        .context("could not record a reversal")?;
        let id: i64 = inserted.try_get(0)?;
        let detail = serde_json::json!({ "reverses": original, "transaction_id": transaction_id, "invoice_id": invoice_id, "why": explanation });
        audit(
            conn,
            actor,
            "application_reversed",
            "application",
            &id.to_string(),
            &detail,
        )
        .await?;
    }
    Ok(active.len())
}
