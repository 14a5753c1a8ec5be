//! Bank files and their deliveries: a file's identity is the SHA-256 of its content.

use anyhow::Context;
use sqlx::{AnyConnection, Row};

use super::now;

/// What became of one delivery of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ingested,
    Duplicate,
    Rejected,
}

impl Outcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Ingested => "ingested",
            Outcome::Duplicate => "duplicate",
            Outcome::Rejected => "rejected",
        }
    }
}

/// The stored file with this content, if any.
pub async fn find_by_sha256(conn: &mut AnyConnection, sha256: &str) -> anyhow::Result<Option<i64>> {
    let row = sqlx::query("SELECT id FROM bank_files WHERE sha256 = $1")
        .bind(sha256)
        .fetch_optional(&mut *conn)
        .await
        .context("could not look up the file fingerprint")?;
    Ok(row.map(|row| row.try_get(0)).transpose()?)
}

/// Stores a new file; `None` when another writer stored the same content first.
pub async fn insert(
    conn: &mut AnyConnection,
    sha256: &str,
    file_name: &str,
    format: &str,
    version: Option<&str>,
    size_bytes: u64,
) -> anyhow::Result<Option<i64>> {
    let row = sqlx::query(
        "INSERT INTO bank_files (sha256, file_name, format, version, size_bytes, ingested_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha256) DO NOTHING RETURNING id",
    )
    .bind(sha256)
    .bind(file_name)
    .bind(format)
    .bind(version)
    .bind(i64::try_from(size_bytes).unwrap_or(i64::MAX))
    .bind(now())
    .fetch_optional(&mut *conn)
    .await
    .context("could not store the file record")?;
    Ok(row.map(|row| row.try_get(0)).transpose()?)
}

/// Records the format version the parser found (known only once it has read the file).
pub async fn set_version(
    conn: &mut AnyConnection,
    bank_file_id: i64,
    version: Option<&str>,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE bank_files SET version = $2 WHERE id = $1")
        .bind(bank_file_id)
        .bind(version)
        .execute(&mut *conn)
        .await
        .context("could not record the file version")?;
    Ok(())
}

/// Records one delivery of a file, whatever became of it.
pub async fn record_receipt(
    conn: &mut AnyConnection,
    file_name: &str,
    sha256: &str,
    size_bytes: u64,
    outcome: Outcome,
    reason: Option<&str>,
    bank_file_id: Option<i64>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO file_receipts (file_name, sha256, size_bytes, outcome, reason, bank_file_id, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(file_name)
    .bind(sha256)
    .bind(i64::try_from(size_bytes).unwrap_or(i64::MAX))
    .bind(outcome.as_str())
    .bind(reason)
    .bind(bank_file_id)
    .bind(now())
    .execute(&mut *conn)
    .await
    .context("could not record the file delivery")?;
    Ok(())
}

/// Whether this content was already ingested under this very name: the daemon then
/// stopped after committing and before archiving, and only the archiving is left.
pub async fn ingested_under_name(
    conn: &mut AnyConnection,
    sha256: &str,
    file_name: &str,
) -> anyhow::Result<bool> {
    let row = sqlx::query("SELECT COUNT(*) FROM bank_files WHERE sha256 = $1 AND file_name = $2")
        .bind(sha256)
        .bind(file_name)
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get::<i64, _>(0)? > 0)
}
