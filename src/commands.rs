//! What each CLI command does, as functions the integration tests call directly.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDate;

use crate::check;
use crate::cli::{CheckFormat, ExportWhat};
use crate::config::Config;
use crate::imports::{self, ImportSummary};
use crate::output::{OutputFormat, Table};
use crate::pipeline::ingest::{self, FileReport};
use crate::pipeline::reconcile::{self, RunSummary};
use crate::store::{exports, files::Outcome, Store};

/// Which ERP file an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Customers,
    Invoices,
}

/// Imports a customers or invoices CSV in one transaction and re-runs matching in the
/// same transaction. A file with any bad row imports nothing and returns the
/// `ImportError` listing them all.
pub async fn import(
    store: &Store,
    config: &Config,
    kind: ImportKind,
    path: &Path,
    today: NaiveDate,
) -> anyhow::Result<(ImportSummary, RunSummary)> {
    let bytes = tokio::fs::read(path)
        .await
        .with_context(|| format!("could not read {}", path.display()))?;
    let name = path.display().to_string();
    let mut tx = store.begin().await?;
    // Before any row is written, like an ingest: see `store::serialize_runs`.
    crate::store::serialize_runs(&mut tx).await?;
    let summary = match kind {
        ImportKind::Customers => {
            let records = imports::customers::parse(&name, &bytes)?;
            imports::customers::store(&mut tx, &records).await?
        }
        ImportKind::Invoices => {
            let records = imports::invoices::parse(&name, &bytes)?;
            imports::invoices::store(&mut tx, &records).await?
        }
    };
    let run = reconcile::run(&mut tx, config, today).await?;
    tx.commit().await.context("could not commit the import")?;
    Ok((summary, run))
}

pub fn print_import(
    kind: ImportKind,
    summary: &ImportSummary,
    run: &RunSummary,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let noun = match kind {
        ImportKind::Customers => "customers",
        ImportKind::Invoices => "invoices",
    };
    writeln!(
        out,
        "{} {noun}: {} new, {} updated, {} unchanged",
        summary.rows, summary.inserted, summary.updated, summary.unchanged
    )?;
    if run.payments > 0 {
        writeln!(
            out,
            "re-matched {} payments: {} applied, {} partially applied, {} exceptions",
            run.payments, run.applied, run.partially_applied, run.exceptions
        )?;
    }
    Ok(())
}

/// Ingests each file in turn; one file's rejection does not stop the others.
pub async fn ingest_files(
    store: &Store,
    config: &Config,
    paths: &[PathBuf],
    today: NaiveDate,
) -> anyhow::Result<Vec<FileReport>> {
    let mut reports = Vec::with_capacity(paths.len());
    // A progress line for people at a terminal; nothing for scripts and logs.
    let progress = paths.len() > 1 && std::io::IsTerminal::is_terminal(&std::io::stderr());
    for (index, path) in paths.iter().enumerate() {
        if progress {
            eprint!("\r[{}/{}] {}", index + 1, paths.len(), path.display());
        }
        reports.push(ingest::ingest_path(store, config, path, today).await?);
    }
    if progress {
        eprintln!();
    }
    Ok(reports)
}

pub fn ingest_table(reports: &[FileReport]) -> Table {
    let mut table = Table::new(&[
        "file",
        "outcome",
        "format",
        "stored",
        "known",
        "applied",
        "partial",
        "exceptions",
        "non_ar",
    ]);
    for report in reports {
        table.push(vec![
            report.file_name.clone(),
            report.outcome.as_str().to_owned(),
            report.format.clone().unwrap_or_else(|| "-".into()),
            report.transactions_stored.to_string(),
            report.transactions_known.to_string(),
            report.run.applied.to_string(),
            report.run.partially_applied.to_string(),
            report.run.exceptions.to_string(),
            report.run.non_ar.to_string(),
        ]);
    }
    table
}

/// Whether any report is a rejection: `ingest` then exits non-zero.
pub fn any_rejected(reports: &[FileReport]) -> bool {
    reports.iter().any(|r| r.outcome == Outcome::Rejected)
}

pub const PAYMENT_HEADER: [&str; 9] = [
    "source_file",
    "bank_ref",
    "booking_date",
    "amount",
    "currency",
    "payer_name",
    "status",
    "unapplied_amount",
    "exception_reason",
];
pub const APPLICATION_HEADER: [&str; 8] = [
    "source_file",
    "bank_ref",
    "invoice_id",
    "applied_amount",
    "writeoff_amount",
    "writeoff_reason",
    "rule",
    "confidence",
];

pub async fn export(store: &Store, what: ExportWhat) -> anyhow::Result<Table> {
    let mut conn = store.acquire().await?;
    Ok(match what {
        ExportWhat::Payments => {
            let mut table = Table::new(&PAYMENT_HEADER);
            for row in exports::payments(&mut conn).await? {
                table.push(vec![
                    row.source_file,
                    row.bank_ref,
                    row.booking_date,
                    row.amount,
                    row.currency,
                    row.payer_name,
                    row.status,
                    row.unapplied_amount,
                    row.exception_reason,
                ]);
            }
            table
        }
        ExportWhat::Applications => {
            let mut table = Table::new(&APPLICATION_HEADER);
            for row in exports::applications(&mut conn).await? {
                table.push(vec![
                    row.source_file,
                    row.bank_ref,
                    row.invoice_id,
                    row.applied_amount,
                    row.writeoff_amount,
                    row.writeoff_reason,
                    row.rule,
                    row.confidence,
                ]);
            }
            table
        }
    })
}

pub async fn files_table(store: &Store, outcome: Option<&str>) -> anyhow::Result<Table> {
    let mut conn = store.acquire().await?;
    let mut table = Table::new(&[
        "received_at",
        "file_name",
        "outcome",
        "size_bytes",
        "sha256",
        "reason",
    ]);
    for row in exports::receipts(&mut conn, outcome).await? {
        table.push(vec![
            row.received_at,
            row.file_name,
            row.outcome,
            row.size_bytes.to_string(),
            row.sha256,
            row.reason,
        ]);
    }
    Ok(table)
}

pub async fn status_table(store: &Store, config: &Config) -> anyhow::Result<Table> {
    let mut conn = store.acquire().await?;
    let mut table = Table::new(&["group", "key", "value"]);
    table.push(vec![
        "database".into(),
        "url".into(),
        crate::store::redact(&config.database_url),
    ]);
    for (group, key, count) in exports::status_counts(&mut conn).await? {
        table.push(vec![group, key, count.to_string()]);
    }
    for (role, path) in crate::daemon::folders_of(config) {
        let files = crate::daemon::folders::list_candidates(&path).len();
        table.push(vec![
            "folders".into(),
            role.into(),
            format!("{} ({files} files)", path.display()),
        ]);
    }
    Ok(table)
}

/// Open exceptions with their suggested invoices, best first (read-only).
pub async fn open_exceptions(store: &Store) -> anyhow::Result<Vec<exports::ExceptionRow>> {
    let mut conn = store.acquire().await?;
    exports::open_exceptions(&mut conn).await
}

/// The exceptions queue as a table: one row per open exception, oldest first, with
/// the ranked suggestions in one cell (`INV-1 0.950; INV-2 0.800`).
pub async fn exceptions_table(store: &Store) -> anyhow::Result<Table> {
    let mut table = Table::new(&[
        "opened_at",
        "source_file",
        "bank_ref",
        "booking_date",
        "amount",
        "currency",
        "payer_name",
        "reason",
        "suggestions",
        "explanation",
    ]);
    for row in open_exceptions(store).await? {
        let suggestions: Vec<String> = row
            .suggestions
            .iter()
            .map(|s| format!("{} {}.{:03}", s.invoice_id, s.score / 1000, s.score % 1000))
            .collect();
        table.push(vec![
            row.opened_at,
            row.source_file,
            row.bank_ref,
            row.booking_date,
            row.amount,
            row.currency,
            row.payer_name,
            row.reason,
            suggestions.join("; "),
            row.explanation,
        ]);
    }
    Ok(table)
}

/// Checks each file; returns whether all were valid.
pub fn check_files(
    config: &Config,
    paths: &[PathBuf],
    format: CheckFormat,
    out: &mut dyn Write,
) -> anyhow::Result<bool> {
    let mut all_valid = true;
    for path in paths {
        let summary = check::check_file(config, path)?;
        all_valid &= summary.is_valid();
        match format {
            CheckFormat::Json => writeln!(out, "{}", serde_json::to_string(&summary)?)?,
            CheckFormat::Table => check::write_human(&summary, out)?,
        }
    }
    Ok(all_valid)
}

/// The bundled demo data: the files a newcomer sees recond work on.
/// (A generated day: `recond-gen generate --seed 42 --payments 60 --days 1`.)
const DEMO_CUSTOMERS: &[u8] = include_bytes!("../fixtures/demo/scenario/customers.csv");
const DEMO_INVOICES: &[u8] = include_bytes!("../fixtures/demo/scenario/invoices.csv");
const DEMO_BANK_FILES: &[(&str, &[u8])] = &[
    (
        "camt053-v08-20261102-1.xml",
        include_bytes!("../fixtures/demo/scenario/camt053-v08-20261102-1.xml"),
    ),
    (
        "bai2-20261102-1.txt",
        include_bytes!("../fixtures/demo/scenario/bai2-20261102-1.txt"),
    ),
    (
        "ach-20261102-1.ach",
        include_bytes!("../fixtures/demo/scenario/ach-20261102-1.ach"),
    ),
    (
        "bank-20261102-1.csv",
        include_bytes!("../fixtures/demo/scenario/bank-20261102-1.csv"),
    ),
];

/// Writes the demo files into `dir`, runs the whole pipeline on them, and prints the
/// outcome.
pub async fn demo(dir: &Path, out: &mut dyn Write) -> anyhow::Result<()> {
    if dir.join("recond.db").exists() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(dir.join(format!("recond.db{suffix}")));
        }
    }
    let inbox = dir.join("inbox");
    std::fs::create_dir_all(&inbox)
        .with_context(|| format!("could not create {}", inbox.display()))?;
    let write = |name: &str, bytes: &[u8]| -> anyhow::Result<PathBuf> {
        let path = inbox.join(name);
        std::fs::write(&path, bytes)
            .with_context(|| format!("could not write {}", path.display()))?;
        Ok(path)
    };
    let customers = write("customers.csv", DEMO_CUSTOMERS)?;
    let invoices = write("invoices.csv", DEMO_INVOICES)?;
    let bank_files: Vec<PathBuf> = DEMO_BANK_FILES
        .iter()
        .map(|(name, bytes)| write(name, bytes))
        .collect::<anyhow::Result<_>>()?;

    let config = Config::from_raw(
        Default::default(),
        &crate::config::Overrides {
            data_dir: Some(dir.to_owned()),
            ..Default::default()
        },
    )?;
    let store = Store::connect(&config.database_url).await?;
    let today = NaiveDate::from_ymd_opt(2026, 11, 2).context("demo date")?;
    writeln!(
        out,
        "recond demo in {} (database {})\n",
        dir.display(),
        config.database_url
    )?;
    let (summary, run) = import(&store, &config, ImportKind::Customers, &customers, today).await?;
    print_import(ImportKind::Customers, &summary, &run, out)?;
    let (summary, run) = import(&store, &config, ImportKind::Invoices, &invoices, today).await?;
    print_import(ImportKind::Invoices, &summary, &run, out)?;
    writeln!(out)?;
    let reports = ingest_files(&store, &config, &bank_files, today).await?;
    ingest_table(&reports).write(OutputFormat::Table, out)?;
    writeln!(out, "\nApplications (the first 12):")?;
    let mut applications = export(&store, ExportWhat::Applications).await?;
    applications.rows.truncate(12);
    applications.write(OutputFormat::Table, out)?;
    writeln!(out, "\nLeft for a clerk, and why:")?;
    let payments = export(&store, ExportWhat::Payments).await?;
    let mut exceptions = Table::new(&[
        "source_file",
        "bank_ref",
        "amount",
        "payer_name",
        "exception_reason",
    ]);
    for row in payments
        .rows
        .iter()
        .filter(|row| row[6] == "exception" || row[6] == "unapplied")
    {
        exceptions.push(vec![
            row[0].clone(),
            row[1].clone(),
            row[3].clone(),
            row[5].clone(),
            row[8].clone(),
        ]);
    }
    exceptions.write(OutputFormat::Table, out)?;
    writeln!(
        out,
        "\nTry: recond --data-dir {dir} export payments --format csv\n     recond --data-dir {dir} status\n     recond --data-dir {dir} ingest {inbox}/ach-20261102-1.ach   (a duplicate: skipped)",
        dir = dir.display(),
        inbox = inbox.display()
    )?;
    store.close().await;
    Ok(())
}
