//! Ingesting one bank file: fingerprint → duplicate check → detect → parse and store
//! statements and transactions as they stream in → match, all in one database
//! transaction.
//!
//! The parser runs on a blocking thread and hands batches of transactions through a
//! bounded channel to the task that writes them, so memory stays flat however large
//! the file: nothing holds the whole file or all its transactions.
//!
//! Invariants: a file whose content was stored before is recorded as a duplicate and
//! nothing else; an invalid file stores nothing but its rejection (the database
//! transaction is rolled back); a transaction known from an earlier file is not
//! stored or matched twice.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use chrono::NaiveDate;
use parsers::{Diagnostic, Severity, Sink, Statement, Transaction};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use super::reconcile::{Batch, Run, RunSummary, Settled};
use crate::config::Config;
use crate::store::transactions;
use crate::store::{self, files, files::Outcome, Store};

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

/// Where a file's bytes come from: disk (streamed) or memory.
#[derive(Debug, Clone)]
enum Source {
    Path(PathBuf),
    Bytes(std::sync::Arc<Vec<u8>>),
}

impl Source {
    fn open(&self) -> std::io::Result<Box<dyn BufRead + Send>> {
        Ok(match self {
            Source::Path(path) => Box::new(BufReader::with_capacity(
                1 << 20,
                std::fs::File::open(path)?,
            )),
            Source::Bytes(bytes) => Box::new(std::io::Cursor::new(SharedBytes(bytes.clone()))),
        })
    }

    /// SHA-256, size and the first bytes (for format detection), in one streaming pass.
    fn fingerprint(&self) -> std::io::Result<(String, u64, Vec<u8>)> {
        let mut reader = self.open()?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let mut prefix = Vec::new();
        let mut buffer = vec![0u8; 1 << 20];
        loop {
            let read = reader.read(&mut buffer)?;
            if read == 0 {
                break;
            }
            if prefix.len() < PREFIX_BYTES {
                let wanted = (PREFIX_BYTES - prefix.len()).min(read);
                prefix.extend_from_slice(&buffer[..wanted]);
            }
            hasher.update(&buffer[..read]);
            size += read as u64;
        }
        Ok((super::fingerprint::hex(&hasher.finalize()), size, prefix))
    }
}

/// Bytes shared between the fingerprint pass and the parse, without copying.
struct SharedBytes(std::sync::Arc<Vec<u8>>);

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// Enough of the start of a file to detect its format and CSV profile.
const PREFIX_BYTES: usize = 64 * 1024;
/// Transactions handed from the parser to the writer at a time.
const BATCH_TRANSACTIONS: usize = 1_000;

const UNKNOWN_FORMAT: &str = "the content is not a format recond reads (CAMT.052/053/054, BAI2, NACHA, X12 820, or CSV with the default header or a configured profile)";

/// Ingests the file at `path`, streaming it. Errors are for failures of recond itself
/// (database, disk); a bad file is not an error but a report with outcome `Rejected`.
pub async fn ingest_path(
    store: &Store,
    config: &Config,
    path: &Path,
    today: NaiveDate,
) -> anyhow::Result<FileReport> {
    let fingerprint = fingerprint_path(path).await?;
    ingest_fingerprinted(store, config, path, fingerprint, today).await
}

/// A path's last component, as `source_file` shows it.
pub fn base_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Ingests content held in memory under the given name.
pub async fn ingest_bytes(
    store: &Store,
    config: &Config,
    file_name: &str,
    bytes: Vec<u8>,
    today: NaiveDate,
) -> anyhow::Result<FileReport> {
    let source = Source::Bytes(std::sync::Arc::new(bytes));
    let fingerprint = fingerprint(source.clone())
        .await
        .with_context(|| format!("could not read {file_name}"))?;
    ingest_source(store, config, file_name, source, fingerprint, today).await
}

/// A file's identity and first bytes, computed in one streaming pass.
#[derive(Debug, Clone)]
pub struct Fingerprint {
    pub sha256: String,
    pub size: u64,
    prefix: Vec<u8>,
}

/// Fingerprints the file at `path` without holding it in memory.
pub async fn fingerprint_path(path: &Path) -> anyhow::Result<Fingerprint> {
    fingerprint(Source::Path(path.to_owned()))
        .await
        .with_context(|| format!("could not read {}", path.display()))
}

async fn fingerprint(source: Source) -> anyhow::Result<Fingerprint> {
    let (sha256, size, prefix) = tokio::task::spawn_blocking(move || source.fingerprint())
        .await
        .context("the fingerprint task panicked")??;
    Ok(Fingerprint {
        sha256,
        size,
        prefix,
    })
}

/// Ingests the file at `path` whose fingerprint the caller already took (the daemon
/// needs it first, to claim the file).
pub async fn ingest_fingerprinted(
    store: &Store,
    config: &Config,
    path: &Path,
    fingerprint: Fingerprint,
    today: NaiveDate,
) -> anyhow::Result<FileReport> {
    let file_name = base_name(path);
    ingest_source(
        store,
        config,
        &file_name,
        Source::Path(path.to_owned()),
        fingerprint,
        today,
    )
    .await
}

async fn ingest_source(
    store: &Store,
    config: &Config,
    file_name: &str,
    source: Source,
    fingerprint: Fingerprint,
    today: NaiveDate,
) -> anyhow::Result<FileReport> {
    let Fingerprint {
        sha256,
        size,
        prefix,
    } = fingerprint;
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
    let options = config.parser_options_for(&prefix);
    let limit = options.limits.file_size_bytes_max;
    if size > limit {
        return reject(
            store,
            report,
            size,
            format!("the file is {size} bytes, over limits.file_size_bytes_max ({limit})"),
        )
        .await;
    }
    let Some(format) = parsers::detect(&prefix, options.csv_profile.is_some()) else {
        return reject(store, report, size, UNKNOWN_FORMAT.to_owned()).await;
    };
    report.format = Some(format.as_str().to_owned());

    let (sender, receiver) = mpsc::channel(4);
    let parser = tokio::task::spawn_blocking(move || -> std::io::Result<parsers::Report> {
        let reader = source.open()?;
        let mut sink = ChannelSink {
            sender,
            pending: Vec::with_capacity(BATCH_TRANSACTIONS),
            closed: false,
        };
        let report = parsers::parse(format, reader, &options, &mut sink);
        sink.flush();
        Ok(report)
    });

    let started = std::time::Instant::now();
    let mut tx = store.begin().await?;
    // Before any row is written: an instance that took the run lock first and then
    // waited on a row this one wrote would deadlock.
    store::serialize_runs(&mut tx).await?;
    let mut run = Run::new(config, today, Settled::NothingToClose);
    let stored = store_stream(&mut tx, &mut report, &mut run, format, size, receiver).await;
    let parser_report = match parser.await {
        Ok(Ok(parser_report)) => parser_report,
        Ok(Err(error)) => {
            tx.rollback().await.ok();
            return Err(error).with_context(|| format!("could not read {file_name}"));
        }
        Err(panic) => {
            tx.rollback().await.ok();
            return Err(anyhow::anyhow!(
                "the {format} parser panicked on {file_name}: {panic}"
            ));
        }
    };
    report.diagnostics = parser_report.diagnostics.clone();
    let bank_file_id = match stored {
        Ok(Some(id)) => id,
        Ok(None) => {
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
            return Ok(report);
        }
        Err(error) => {
            tx.rollback().await.ok();
            // Content that parses but cannot be stored exactly (an amount finer than its
            // currency's minor unit) is rejected like any other invalid file, with the
            // parser's own errors first if it had any.
            let is_content_problem = error.chain().any(|cause| {
                cause
                    .downcast_ref::<parsers::money::AmountError>()
                    .is_some()
            });
            if !parser_report.is_valid() {
                return reject(store, report, size, rejection_reason(&parser_report)).await;
            }
            if is_content_problem {
                return reject(store, report, size, format!("{error:#}")).await;
            }
            return Err(error);
        }
    };
    if !parser_report.is_valid() {
        tx.rollback().await.ok();
        return reject(store, report, size, rejection_reason(&parser_report)).await;
    }
    tracing::debug!(
        message = "Run phase: transactions stored.",
        elapsed_ms = started.elapsed().as_millis() as u64
    );
    files::set_version(&mut tx, bank_file_id, parser_report.version.as_deref()).await?;
    files::record_receipt(
        &mut tx,
        file_name,
        &sha256,
        size,
        Outcome::Ingested,
        None,
        Some(bank_file_id),
    )
    .await?;
    report.run = run.finish(&mut tx).await?;
    tx.commit()
        .await
        .context("could not commit the ingested file")?;
    report.outcome = Outcome::Ingested;
    Ok(report)
}

fn rejection_reason(parser_report: &parsers::Report) -> String {
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
    reason
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

/// What the parser thread sends to the writer.
enum Event {
    Statement(Statement),
    Transactions(Vec<Transaction<'static>>),
}

/// A sink that forwards batches to the writer, blocking while the writer catches up.
struct ChannelSink {
    sender: mpsc::Sender<Event>,
    pending: Vec<Transaction<'static>>,
    /// The writer stopped (it hit an error): the rest is parsed but not sent.
    closed: bool,
}

impl ChannelSink {
    fn send(&mut self, event: Event) {
        if !self.closed && self.sender.blocking_send(event).is_err() {
            self.closed = true;
        }
    }

    fn flush(&mut self) {
        if !self.pending.is_empty() {
            let batch =
                std::mem::replace(&mut self.pending, Vec::with_capacity(BATCH_TRANSACTIONS));
            self.send(Event::Transactions(batch));
        }
    }
}

impl Sink for ChannelSink {
    fn statement(&mut self, statement: Statement) {
        self.flush();
        self.send(Event::Statement(statement));
    }

    fn transaction(&mut self, transaction: &Transaction) {
        // The parser lends its record; the writer runs on another task, so it gets a copy.
        self.pending.push(transaction.to_owned_transaction());
        if self.pending.len() >= BATCH_TRANSACTIONS {
            self.flush();
        }
    }
}

/// Writes what the parser streams: statements at once, and each new transaction,
/// through the reconcile `run`, once the engine has decided it. Returns the new file's
/// id, or `None` when the same content was stored concurrently by another writer.
async fn store_stream(
    conn: &mut sqlx::AnyConnection,
    report: &mut FileReport,
    run: &mut Run,
    format: parsers::Format,
    size: u64,
    mut receiver: mpsc::Receiver<Event>,
) -> anyhow::Result<Option<i64>> {
    let Some(bank_file_id) = files::insert(
        conn,
        &report.sha256,
        &report.file_name,
        format.as_str(),
        None,
        size,
    )
    .await?
    else {
        return Ok(None);
    };
    // Occurrences of transactions without a bank reference, whose identity needs their
    // place among look-alikes in the file.
    let mut occurrences: HashMap<String, usize> = HashMap::new();
    let mut statement: Option<(i64, Arc<str>)> = None;
    let mut ids = transactions::IdAllocator::default();
    let mut unstored = UnstoredKeys::default();
    let mut batch = Batch::default();
    let mut checking = std::time::Duration::ZERO;
    while let Some(event) = receiver.recv().await {
        match event {
            Event::Statement(parsed) => {
                let id = transactions::insert_statement(conn, bank_file_id, &parsed).await?;
                statement = Some((id, parsed.account.number.into()));
            }
            Event::Transactions(parsed) => {
                let Some((statement_id, account)) = &statement else {
                    anyhow::bail!("the {format} parser produced transactions before any statement");
                };
                let started = std::time::Instant::now();
                let mut keyed = Vec::with_capacity(parsed.len());
                for tx in parsed {
                    let amount_minor = store::money::to_minor(&tx.amount)
                        .with_context(|| format!("transaction at line {}", tx.position.line))?;
                    let occurrence = if tx.bank_ref.is_empty() {
                        let base = transactions::dedupe_key(account, &tx, amount_minor, 0);
                        let count = occurrences.entry(base).or_insert(0);
                        *count += 1;
                        *count
                    } else {
                        0
                    };
                    let key = transactions::dedupe_key(account, &tx, amount_minor, occurrence);
                    keyed.push((tx, amount_minor, key));
                }
                let keys: Vec<&str> = keyed.iter().map(|(_, _, key)| key.as_str()).collect();
                let stored = transactions::known_keys(conn, &keys).await?;
                let mut new = Vec::with_capacity(keyed.len());
                let mut seen_here = HashSet::with_capacity(keyed.len());
                for (tx, amount_minor, key) in keyed {
                    if stored.contains(&key)
                        || unstored.contains(&key)
                        || !seen_here.insert(key.clone())
                    {
                        report.transactions_known += 1;
                    } else {
                        new.push((tx, amount_minor, key));
                    }
                }
                let new_ids = ids.take(conn, new.len()).await?;
                checking += started.elapsed();
                for ((tx, amount_minor, dedupe_key), id) in new.into_iter().zip(new_ids) {
                    report.transactions_stored += 1;
                    let payment = new_payment(id, format, amount_minor, &tx)?;
                    unstored.add(dedupe_key.clone());
                    batch.push_new(
                        payment,
                        transactions::NewTransaction {
                            id,
                            bank_file_id,
                            statement_id: *statement_id,
                            account: account.clone(),
                            format,
                            amount_minor,
                            dedupe_key,
                            transaction: tx,
                        },
                    );
                    if batch.len() >= run.batch_payments() {
                        run.submit(conn, std::mem::take(&mut batch)).await?;
                        unstored.submitted(run.batches_written());
                    }
                }
            }
        }
    }
    run.submit(conn, batch).await?;
    tracing::debug!(
        message = "File read.",
        transactions = report.transactions_stored,
        known = report.transactions_known,
        checking_ms = checking.as_millis() as u64
    );
    Ok(Some(bank_file_id))
}

/// Dedupe keys of this file's transactions that are not stored yet (they wait for
/// their decisions), so that a transaction twice in one file is stored once. Kept per
/// submitted batch and dropped once that batch is stored, when the database answers
/// for it: memory follows the batches in flight, not the file.
#[derive(Debug, Default)]
struct UnstoredKeys {
    filling: HashSet<String>,
    submitted: VecDeque<HashSet<String>>,
    batches_submitted: usize,
}

impl UnstoredKeys {
    fn contains(&self, key: &str) -> bool {
        self.filling.contains(key) || self.submitted.iter().any(|keys| keys.contains(key))
    }

    /// A key of the batch being filled.
    fn add(&mut self, key: String) {
        self.filling.insert(key);
    }

    /// The filling batch was submitted; `written` batches are stored by now.
    fn submitted(&mut self, written: usize) {
        self.submitted.push_back(std::mem::take(&mut self.filling));
        self.batches_submitted += 1;
        let waiting = self.batches_submitted - written;
        while self.submitted.len() > waiting {
            self.submitted.pop_front();
        }
    }
}

/// A new transaction as the engine sees it: nothing applied yet. Amounts go through
/// minor units, as when a re-match loads the payment from the store.
fn new_payment(
    id: i64,
    format: parsers::Format,
    amount_minor: i64,
    tx: &Transaction,
) -> anyhow::Result<rules::Payment> {
    let amount = store::money::from_minor(amount_minor, tx.amount.currency.code())?;
    Ok(rules::Payment {
        id,
        format,
        direction: tx.direction,
        status: tx.status,
        amount,
        available: amount,
        booking_date: tx.booking_date,
        bank_ref: tx.bank_ref.to_string(),
        end_to_end_id: tx.end_to_end_id.as_deref().map(str::to_owned),
        customer_ref: tx.customer_ref.as_deref().map(str::to_owned),
        payer_name: tx.payer_name.as_deref().map(str::to_owned),
        payer_account: tx.payer_account.as_deref().map(str::to_owned),
        bank_tx_code: tx.bank_tx_code.as_deref().map(str::to_owned),
        remittance: tx.remittance.to_owned_remittance(),
        return_of: tx
            .return_info
            .as_ref()
            .map(|info| info.original_trace.to_string()),
    })
}
