//! Ingesting one bank file: fingerprint → duplicate check → detect and parse →
//! store statements and transactions → match, all in one database transaction.
//!
//! Invariants: a file whose content was stored before is recorded as a duplicate and
//! nothing else; an invalid file stores nothing but its rejection; a transaction known
//! from an earlier file is not stored or matched twice.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use chrono::NaiveDate;
use parsers::{Collect, Diagnostic, Severity};

use super::fingerprint::sha256_hex;
use super::reconcile::{self, RunSummary};
use crate::config::Config;
use crate::store::{self, files, files::Outcome, transactions, Store};

/// What became of one file.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub file_name: String,
    pub sha256: String,
    pub outcome: Outcome,
    pub format: Option<String>,
    pub transactions_stored: usize,
    /// Transactions already known from an earlier file.
    pub transactions_known: usize,
    pub run: RunSummary,
    /// Why the file was rejected, for a person.
    pub reason: Option<String>,
    /// Every diagnostic the parser reported (warnings too).
    pub diagnostics: Vec<Diagnostic>,
}

/// Ingests the file at `path`. Errors are for failures of recond itself (database,
/// disk); a bad file is not an error but a report with outcome `Rejected`.
pub async fn ingest_path(
    store: &Store,
    config: &Config,
    path: &Path,
    today: NaiveDate,
) -> anyhow::Result<FileReport> {
    let bytes = tokio::fs::read(path)
        .await
        .with_context(|| format!("could not read {}", path.display()))?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    ingest_bytes(store, config, &file_name, bytes, today).await
}

/// Ingests a file's content under the given name.
pub async fn ingest_bytes(
    store: &Store,
    config: &Config,
    file_name: &str,
    bytes: Vec<u8>,
    today: NaiveDate,
) -> anyhow::Result<FileReport> {
    let sha256 = sha256_hex(&bytes);
    let size = bytes.len() as u64;
    let mut report = FileReport {
        file_name: file_name.to_owned(),
        sha256: sha256.clone(),
        outcome: Outcome::Duplicate,
        format: None,
        transactions_stored: 0,
        transactions_known: 0,
        run: RunSummary::default(),
        reason: None,
        diagnostics: Vec::new(),
    };
    {
        let mut conn = store.acquire().await?;
        if let Some(existing) = files::find_by_sha256(&mut conn, &sha256).await? {
            files::record_receipt(
                &mut conn,
                file_name,
                &sha256,
                size,
                Outcome::Duplicate,
                None,
                Some(existing),
            )
            .await?;
            return Ok(report);
        }
    }

    let options = config.parser_options_for(&bytes[..bytes.len().min(64 * 1024)]);
    let limit = options.limits.file_size_bytes_max;
    let (parsed, bytes) = tokio::task::spawn_blocking(move || {
        if size > limit {
            return (Err(format!("the file is {size} bytes, over limits.file_size_bytes_max ({limit})")), bytes);
        }
        let mut sink = Collect::default();
        let result = match parsers::detect_and_parse(&bytes[..], &options, &mut sink) {
            Some(parser_report) => Ok((parser_report, sink)),
            None => Err("the content is not a format recond reads (CAMT.052/053/054, BAI2, NACHA, X12 820, or CSV with the default header or a configured profile)".to_owned()),
        };
        (result, bytes)
    })
    .await
    .context("the parser panicked")?;
    drop(bytes);

    let (parser_report, sink) = match parsed {
        Ok(parsed) => parsed,
        Err(reason) => return reject(store, report, size, reason).await,
    };
    report.format = Some(parser_report.format.as_str().to_owned());
    report.diagnostics = parser_report.diagnostics.clone();
    if !parser_report.is_valid() {
        let errors: Vec<String> = parser_report
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.to_string())
            .collect();
        let mut reason = format!(
            "{} error(s) in the {} file: {}",
            errors.len() + parser_report.diagnostics_dropped,
            parser_report.format,
            errors.join("; ")
        );
        if parser_report.diagnostics_dropped > 0 {
            reason.push_str(&format!(
                "; and {} more diagnostics not shown",
                parser_report.diagnostics_dropped
            ));
        }
        return reject(store, report, size, reason).await;
    }

    let mut tx = store.begin().await?;
    let stored = store_and_match(
        &mut tx,
        config,
        &mut report,
        &parser_report,
        &sink,
        size,
        today,
    )
    .await;
    match stored {
        Ok(true) => {
            tx.commit()
                .await
                .context("could not commit the ingested file")?;
            report.outcome = Outcome::Ingested;
            Ok(report)
        }
        Ok(false) => {
            // Another writer stored the same content between our check and our insert.
            tx.rollback().await.ok();
            let mut conn = store.acquire().await?;
            let existing = files::find_by_sha256(&mut conn, &sha256).await?;
            files::record_receipt(
                &mut conn,
                file_name,
                &sha256,
                size,
                Outcome::Duplicate,
                None,
                existing,
            )
            .await?;
            report.outcome = Outcome::Duplicate;
            Ok(report)
        }
        Err(error) => {
            tx.rollback().await.ok();
            // Content that parses but cannot be stored exactly (an amount finer than its
            // currency's minor unit) is rejected like any other invalid file.
            let is_content_problem = error.chain().any(|cause| {
                cause
                    .downcast_ref::<parsers::money::AmountError>()
                    .is_some()
            });
            if is_content_problem {
                return reject(store, report, size, format!("{error:#}")).await;
            }
            Err(error)
        }
    }
}

async fn reject(
    store: &Store,
    mut report: FileReport,
    size: u64,
    reason: String,
) -> anyhow::Result<FileReport> {
    let mut conn = store.acquire().await?;
    files::record_receipt(
        &mut conn,
        &report.file_name,
        &report.sha256,
        size,
        Outcome::Rejected,
        Some(&reason),
        None,
    )
    .await?;
    report.outcome = Outcome::Rejected;
    report.reason = Some(reason);
    Ok(report)
}

/// Stores the parsed file and runs matching. Returns false when the file turned out to
/// be a duplicate stored concurrently.
async fn store_and_match(
    conn: &mut sqlx::AnyConnection,
    config: &Config,
    report: &mut FileReport,
    parser_report: &parsers::Report,
    sink: &Collect,
    size: u64,
    today: NaiveDate,
) -> anyhow::Result<bool> {
    let format = parser_report.format;
    let Some(bank_file_id) = files::insert(
        conn,
        &report.sha256,
        &report.file_name,
        format.as_str(),
        parser_report.version.as_deref(),
        size,
    )
    .await?
    else {
        return Ok(false);
    };
    let mut occurrences: HashMap<String, usize> = HashMap::new();
    for (statement, statement_transactions) in &sink.statements {
        let statement_id = transactions::insert_statement(conn, bank_file_id, statement).await?;
        let account = statement.account.number.as_str();
        for tx in statement_transactions {
            let amount_minor = store::money::to_minor(&tx.amount)
                .with_context(|| format!("transaction at line {}", tx.position.line))?;
            let base_key = transactions::dedupe_key(account, tx, amount_minor, 0);
            let occurrence = occurrences.entry(base_key).or_insert(0);
            *occurrence += 1;
            let key = transactions::dedupe_key(account, tx, amount_minor, *occurrence);
            match transactions::insert_transaction(
                conn,
                bank_file_id,
                statement_id,
                account,
                format,
                tx,
                &key,
            )
            .await?
            {
                Some(_) => report.transactions_stored += 1,
                None => report.transactions_known += 1,
            }
        }
    }
    files::record_receipt(
        conn,
        &report.file_name,
        &report.sha256,
        size,
        Outcome::Ingested,
        None,
        Some(bank_file_id),
    )
    .await?;
    report.run = reconcile::run(conn, &config.matching, today).await?;
    Ok(true)
}
