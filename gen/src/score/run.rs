//! The impure half of the scorer: replays a scenario directory day by day through the
//! same code as the CLI (`recond::commands::import` for customers and each day's
//! invoices, `recond::commands::ingest_files` for its bank files, with that day as
//! `today`), then reads recond's exports back.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDate;
use recond::cli::ExportWhat;
use recond::commands::{self, ImportKind};
use recond::config::{Config, Overrides};
use recond::output::Table;
use recond::store::Store;

use super::compare::{parse_cents, ActualApplication, ActualException, ActualPayment, TruthRow};

/// What recond made of the scenario.
#[derive(Debug, Default)]
pub struct Actual {
    pub payments: Vec<ActualPayment>,
    pub applications: Vec<ActualApplication>,
    pub exceptions: Vec<ActualException>,
    /// Bank files recond rejected, with the reason (a generator or parser bug).
    pub rejected: Vec<(String, String)>,
}

/// The day directories and their business dates, from scenario.json.
pub fn days(dir: &Path) -> anyhow::Result<Vec<(PathBuf, NaiveDate)>> {
    let path = dir.join("scenario.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("could not read {}", path.display()))?;
    let scenario: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let dates = scenario["dates"]
        .as_array()
        .context("scenario.json has no dates")?;
    let mut day_dirs: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("day-"))
        })
        .collect();
    day_dirs.sort();
    anyhow::ensure!(
        day_dirs.len() == dates.len(),
        "{} day folders but {} dates in scenario.json",
        day_dirs.len(),
        dates.len()
    );
    day_dirs
        .into_iter()
        .zip(dates)
        .map(|(day_dir, date)| {
            let date = date.as_str().context("a date is not a string")?;
            Ok((
                day_dir,
                date.parse::<NaiveDate>()
                    .with_context(|| format!("bad date {date}"))?,
            ))
        })
        .collect()
}

/// Runs the pipeline on a fresh database (`database_url`, or a new SQLite file in
/// `DIR/.score/`) and reads the exports.
pub async fn run(
    dir: &Path,
    database_url: Option<String>,
    progress: &mut dyn std::io::Write,
) -> anyhow::Result<Actual> {
    let data_dir = dir.join(".score");
    if database_url.is_none() && data_dir.exists() {
        std::fs::remove_dir_all(&data_dir)
            .with_context(|| format!("could not clear {}", data_dir.display()))?;
    }
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("could not create {}", data_dir.display()))?;
    let config = Config::from_raw(
        Default::default(),
        &Overrides {
            data_dir: Some(data_dir),
            database_url,
            ..Overrides::default()
        },
    )?;
    let store = Store::connect(&config.database_url).await?;
    let result = replay(&store, &config, dir, progress).await;
    store.close().await;
    result
}

async fn replay(
    store: &Store,
    config: &Config,
    dir: &Path,
    progress: &mut dyn std::io::Write,
) -> anyhow::Result<Actual> {
    let mut actual = Actual::default();
    for (index, (day_dir, today)) in days(dir)?.into_iter().enumerate() {
        if index == 0 {
            commands::import(
                store,
                config,
                ImportKind::Customers,
                &dir.join("customers.csv"),
                today,
            )
            .await?;
        }
        let (invoices, run) = commands::import(
            store,
            config,
            ImportKind::Invoices,
            &day_dir.join("invoices.csv"),
            today,
        )
        .await?;
        let mut bank_files: Vec<PathBuf> = std::fs::read_dir(day_dir.join("bank"))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        bank_files.sort();
        let reports = commands::ingest_files(store, config, &bank_files, today).await?;
        let stored: usize = reports.iter().map(|r| r.transactions_stored).sum();
        writeln!(
            progress,
            "{} {today}: {} invoices (re-matched {}), {} bank files, {stored} transactions stored",
            day_dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            invoices.rows,
            run.payments,
            bank_files.len()
        )?;
        for report in reports {
            if let Some(reason) = report.reason {
                actual.rejected.push((report.file_name, reason));
            }
        }
    }
    let payments = commands::export(store, ExportWhat::Payments).await?;
    let applications = commands::export(store, ExportWhat::Applications).await?;
    actual.payments = rows(&payments)?
        .map(|r| ActualPayment {
            source_file: r("source_file"),
            bank_ref: r("bank_ref"),
            status: r("status"),
        })
        .collect();
    actual.applications = rows(&applications)?
        .map(|r| ActualApplication {
            source_file: r("source_file"),
            bank_ref: r("bank_ref"),
            invoice_id: r("invoice_id"),
            applied: parse_cents(&r("applied_amount")).unwrap_or(0),
            writeoff: parse_cents(&r("writeoff_amount")).unwrap_or(0),
            writeoff_reason: r("writeoff_reason"),
        })
        .collect();
    actual.exceptions = commands::open_exceptions(store)
        .await?
        .into_iter()
        .map(|e| ActualException {
            source_file: e.source_file,
            bank_ref: e.bank_ref,
            suggested_invoices: e.suggested_invoices,
        })
        .collect();
    Ok(actual)
}

/// Iterates a table's rows as lookups by column name.
fn rows(table: &Table) -> anyhow::Result<impl Iterator<Item = impl Fn(&str) -> String + '_> + '_> {
    Ok(table.rows.iter().map(move |row| {
        move |column: &str| {
            table
                .headers
                .iter()
                .position(|h| *h == column)
                .and_then(|i| row.get(i).cloned())
                .unwrap_or_default()
        }
    }))
}

/// Reads truth.csv.
pub fn read_truth(dir: &Path) -> anyhow::Result<Vec<TruthRow>> {
    let path = dir.join("truth.csv");
    let mut reader = ::csv::Reader::from_path(&path)
        .with_context(|| format!("could not read {}", path.display()))?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("bad row in {}", path.display()))?;
        let field = |i: usize| record.get(i).unwrap_or("").to_owned();
        rows.push(TruthRow {
            source_file: field(0),
            bank_ref: field(1),
            case: field(2),
            expected_status: field(3),
            invoice_id: field(4),
            applied: parse_cents(&field(5)),
            writeoff: parse_cents(&field(6)),
            writeoff_reason: field(7),
        });
    }
    Ok(rows)
}
