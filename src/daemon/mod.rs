//! `recond serve`: the long-running service.
//!
//! One loop takes complete files from the drop folders, one at a time, and processes
//! each as a job: claim → ingest (one database transaction) → move to the archive or
//! to quarantine → release. The HTTP API and the nightly re-match run beside it.
//!
//! Crash safety rests on ordering: the database commit comes before the file moves,
//! and a file's identity is its content hash, so a restart after a crash at any point
//! either re-processes a file whose transaction never committed or only finishes
//! moving one that did. Nothing is stored twice and nothing is lost.

pub mod failpoints;
pub mod folders;
pub mod schedule;
pub mod watcher;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{Local, NaiveDate};
use tokio::sync::watch;

use crate::commands::{self, ImportKind};
use crate::config::Config;
use crate::imports::ImportError;
use crate::metrics::Metrics;
use crate::pipeline::ingest::{self, FileReport};
use crate::pipeline::reconcile;
use crate::store::files::{self, Outcome};
use crate::store::{claims, Store};

/// Everything the jobs and the HTTP handlers share.
#[derive(Clone)]
pub struct Shared {
    pub store: Store,
    pub config: Arc<Config>,
    pub metrics: Arc<Metrics>,
}

fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// Runs until SIGINT or SIGTERM: the current file is finished, then the service stops.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let daemon = config.daemon.clone();
    for dir in [&daemon.archive, &daemon.quarantine] {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("could not create {}", dir.display()))?;
    }
    let store = Store::connect(&config.database_url).await?;
    let shared = Shared {
        store: store.clone(),
        config: Arc::new(config),
        metrics: Arc::new(Metrics::default()),
    };
    let (shutdown_sender, shutdown) = watch::channel(false);

    let listener = tokio::net::TcpListener::bind(daemon.listen)
        .await
        .with_context(|| format!("could not listen on {}", daemon.listen))?;
    let address = listener.local_addr()?;
    tracing::info!(message = "Listening.", %address, database = %crate::store::redact(&shared.config.database_url));
    println!("recond listening on http://{address}");
    let mut http_shutdown = shutdown.clone();
    let router = crate::http::router(shared.clone());
    let http = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = http_shutdown.wait_for(|stop| *stop).await;
            })
            .await
    });
    tokio::spawn(nightly_rematch(shared.clone(), shutdown.clone()));
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!(message = "Shutdown requested; finishing the current file.");
        let _ = shutdown_sender.send(true);
    });

    let mut dirs = daemon.inboxes.clone();
    dirs.push(daemon.erp_inbox.clone());
    let mut watcher = watcher::FolderWatcher::new(dirs, daemon.settle, daemon.rescan_interval)?;
    let mut stop = shutdown.clone();
    while let Some(batch) = watcher.next_batch(&mut stop).await {
        for path in batch {
            if *stop.borrow() {
                break;
            }
            let is_erp = path.parent() == Some(daemon.erp_inbox.as_path());
            let outcome = if is_erp {
                process_erp_file(&shared, &path).await
            } else {
                process_bank_file(&shared, &path).await
            };
            if let Err(error) = outcome {
                // recond itself failed (database down, disk full): leave the file where it
                // is and try again after a pause rather than spin.
                tracing::error!(message = "Processing failed; will retry.", file = %path.display(), error = format!("{error:#}"));
                tokio::time::sleep(daemon.rescan_interval).await;
            }
        }
    }
    let _ = http.await;
    store.close().await;
    tracing::info!(message = "Stopped.");
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// One bank file, start to finish.
pub async fn process_bank_file(shared: &Shared, path: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let fingerprint = match ingest::fingerprint_path(path).await {
        Ok(fingerprint) => fingerprint,
        // Another instance took it first.
        Err(_) if !path.exists() => return Ok(()),
        Err(error) => return Err(error),
    };
    let sha256 = fingerprint.sha256.clone();
    let Some(claim) = claims::try_claim(&shared.store, &sha256).await? else {
        return Ok(());
    };
    let result = process_claimed(shared, path, fingerprint, &sha256, started).await;
    claim.release().await;
    result
}

async fn process_claimed(
    shared: &Shared,
    path: &Path,
    fingerprint: ingest::Fingerprint,
    sha256: &str,
    started: Instant,
) -> anyhow::Result<()> {
    let daemon = &shared.config.daemon;
    if !path.exists() {
        return Ok(());
    }
    let name = ingest::base_name(path);
    let day = today();
    {
        let mut conn = shared.store.acquire().await?;
        if files::ingested_under_name(&mut conn, sha256, &name).await? {
            tracing::info!(message = "Finishing the archiving of a file ingested before a restart.", file = %name);
            folders::move_into(path, &folders::dated_dir(&daemon.archive, day))?;
            return Ok(());
        }
    }
    let job = {
        let store = shared.store.clone();
        let config = shared.config.clone();
        let name = name.clone();
        let path = path.to_owned();
        tokio::spawn(async move {
            failpoints::hit("panic_in_ingest", &name);
            ingest::ingest_fingerprinted(&store, &config, &path, fingerprint, day).await
        })
    };
    let report: FileReport = match job.await {
        Ok(result) => result?,
        Err(join_error) => {
            let reason = format!(
                "internal error while processing the file: {}",
                panic_message(join_error)
            );
            shared.metrics.internal_error(&name, &reason);
            let mut conn = shared.store.acquire().await?;
            files::record_receipt(
                &mut conn,
                &name,
                sha256,
                path.metadata().map(|m| m.len()).unwrap_or(0),
                Outcome::Rejected,
                Some(&reason),
                None,
            )
            .await?;
            folders::quarantine(path, &daemon.quarantine, &reason)?;
            return Ok(());
        }
    };
    failpoints::hit("exit_before_archive", &name);
    match report.outcome {
        Outcome::Ingested => {
            folders::move_into(path, &folders::dated_dir(&daemon.archive, day))?;
        }
        Outcome::Duplicate => {
            folders::move_into(
                path,
                &folders::dated_dir(&daemon.archive.join("duplicates"), day),
            )?;
        }
        Outcome::Rejected => {
            folders::quarantine(
                path,
                &daemon.quarantine,
                report.reason.as_deref().unwrap_or("rejected"),
            )?;
        }
    }
    shared.metrics.file_processed(&report, started.elapsed());
    Ok(())
}

fn panic_message(error: tokio::task::JoinError) -> String {
    match error.try_into_panic() {
        Ok(payload) => payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_owned()),
        Err(error) => error.to_string(),
    }
}

/// An ERP customers or invoices CSV, recognised by its header.
pub async fn process_erp_file(shared: &Shared, path: &Path) -> anyhow::Result<()> {
    let daemon = &shared.config.daemon;
    let name = ingest::base_name(path);
    let head = match tokio::fs::read(path).await {
        Ok(bytes) => bytes.into_iter().take(256).collect::<Vec<u8>>(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => {
            return Err(error).with_context(|| format!("could not read {}", path.display()))
        }
    };
    let head = String::from_utf8_lossy(&head);
    let head = head.trim_start_matches('\u{feff}');
    let kind = if head.starts_with("customer_id,") {
        ImportKind::Customers
    } else if head.starts_with("invoice_id,") {
        ImportKind::Invoices
    } else {
        let reason = "not a customers CSV (header customer_id,name,aliases,bank_accounts) nor an invoices CSV (header invoice_id,customer_id,…)";
        shared.metrics.erp_rejected(&name, reason);
        folders::quarantine(path, &daemon.quarantine, reason)?;
        return Ok(());
    };
    match commands::import(&shared.store, &shared.config, kind, path, today()).await {
        Ok((summary, run)) => {
            shared.metrics.erp_imported(&name, summary.rows);
            shared.metrics.rematched(run.payments, run.applied);
            folders::move_into(
                path,
                &folders::dated_dir(&daemon.archive.join("erp"), today()),
            )?;
            Ok(())
        }
        Err(error) => match error.downcast_ref::<ImportError>() {
            Some(import_error) => {
                shared
                    .metrics
                    .erp_rejected(&name, &import_error.to_string());
                folders::quarantine(path, &daemon.quarantine, &import_error.to_string())?;
                Ok(())
            }
            None => Err(error),
        },
    }
}

/// Re-runs matching over every payment not yet fully applied, once a night.
async fn nightly_rematch(shared: Shared, mut shutdown: watch::Receiver<bool>) {
    loop {
        let now = Local::now().naive_local();
        let next = schedule::next_run(now, shared.config.daemon.nightly_rematch_at);
        let wait = (next - now).to_std().unwrap_or(Duration::from_secs(60));
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.wait_for(|stop| *stop) => return,
        }
        if let Err(error) = rematch(&shared).await {
            tracing::error!(
                message = "Nightly re-match failed.",
                error = format!("{error:#}")
            );
        }
    }
}

/// One re-match run in its own transaction.
pub async fn rematch(shared: &Shared) -> anyhow::Result<reconcile::RunSummary> {
    let mut tx = shared.store.begin().await?;
    let run = reconcile::run(&mut tx, &shared.config, today()).await?;
    tx.commit().await?;
    shared.metrics.rematched(run.payments, run.applied);
    Ok(run)
}

/// The folders `serve` uses, for `recond status`.
pub fn folders_of(config: &Config) -> Vec<(&'static str, PathBuf)> {
    let daemon = &config.daemon;
    let mut list: Vec<(&'static str, PathBuf)> = daemon
        .inboxes
        .iter()
        .map(|p| ("inbox", p.clone()))
        .collect();
    list.push(("erp_inbox", daemon.erp_inbox.clone()));
    list.push(("archive", daemon.archive.clone()));
    list.push(("quarantine", daemon.quarantine.clone()));
    list
}
