//! Applications (payment → invoice) and exceptions. Applications are append-only: a
//! reversal is a new row with negated amounts whose `reverses_id` names the original,
//! so sums over all rows give what is applied now.

use anyhow::Context;
use sqlx::{AnyConnection, Row};

use super::batch::{self, Placeholders};
use super::{audit, money};

/// Who or what made an application, and on what grounds.
pub struct Grounds<'a> {
    pub rule: &'a str,
    pub confidence_per_mille: u16,
    pub explanation: &'a str,
    pub actor: &'a str,
    pub at: &'a str,
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

/// One application to store, with the decision that made it.
pub struct NewApplication<'a> {
    pub transaction_id: i64,
    pub application: &'a rules::Application,
    pub grounds: Grounds<'a>,
}

/// Stores many applications, many per statement. The rows themselves are the record
/// of what was applied, by whom, when and why (they are never updated or deleted), so
/// an automatic run writes one audit row for itself rather than one per application.
pub async fn insert_many(
    conn: &mut AnyConnection,
    rows: &[NewApplication<'_>],
) -> anyhow::Result<()> {
    for chunk in rows.chunks(batch::rows_per_statement(11)) {
        let sql = format!(
            "INSERT INTO applications (transaction_id, invoice_id, currency, applied_minor, writeoff_minor, writeoff_reason, \
             rule, confidence, explanation, actor, created_at) VALUES {}",
            Placeholders::new(conn).values(11, chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for row in chunk {
            let application = row.application;
            query = query
                .bind(row.transaction_id)
                .bind(application.invoice_id.as_str())
                .bind(application.applied.currency.code())
                .bind(money::to_minor(&application.applied)?)
                .bind(money::to_minor(&application.writeoff)?)
                .bind(application.writeoff_reason.map(|r| r.as_str()))
                .bind(row.grounds.rule)
                .bind(i64::from(row.grounds.confidence_per_mille))
                .bind(row.grounds.explanation)
                .bind(row.grounds.actor)
                .bind(row.grounds.at);
        }
        query
            .execute(&mut *conn)
            .await
            .context("could not store applications")?;
    }
    Ok(())
}

/// An exception to open (or refresh, if one is open on the transaction).
pub struct OpenException<'a> {
    pub transaction_id: i64,
    pub reason: &'a str,
    pub explanation: &'a str,
    pub suggestions: String,
}

pub async fn open_exceptions(
    conn: &mut AnyConnection,
    rows: &[OpenException<'_>],
    at: &str,
) -> anyhow::Result<()> {
    for chunk in rows.chunks(batch::rows_per_statement(5)) {
        let sql = format!(
            "INSERT INTO exceptions (transaction_id, reason, explanation, suggestions, opened_at) VALUES {} \
             ON CONFLICT (transaction_id) WHERE closed_at IS NULL DO UPDATE SET reason = excluded.reason, \
             explanation = excluded.explanation, suggestions = excluded.suggestions",
            Placeholders::new(conn).values(5, chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for row in chunk {
            query = query
                .bind(row.transaction_id)
                .bind(row.reason)
                .bind(row.explanation)
                .bind(row.suggestions.as_str())
                .bind(at);
        }
        query
            .execute(&mut *conn)
            .await
            .context("could not open exceptions")?;
    }
    Ok(())
}

/// Closes the open exceptions of these transactions, if any.
pub async fn close_exceptions(
    conn: &mut AnyConnection,
    transaction_ids: &[i64],
    resolution: &str,
    actor: &str,
    at: &str,
) -> anyhow::Result<()> {
    for chunk in transaction_ids.chunks(batch::rows_per_statement(1)) {
        let mut placeholders = Placeholders::new(conn);
        let sql = format!(
            "UPDATE exceptions SET closed_at = {}, resolution = {}, closed_by = {} \
             WHERE closed_at IS NULL AND transaction_id IN ({})",
            placeholders.one(),
            placeholders.one(),
            placeholders.one(),
            placeholders.list(chunk.len())
        );
        let mut query = sqlx::query(&sql).bind(at).bind(resolution).bind(actor);
        for id in chunk {
            query = query.bind(*id);
        }
        query
            .execute(&mut *conn)
            .await
            .context("could not close exceptions")?;
    }
    Ok(())
}
