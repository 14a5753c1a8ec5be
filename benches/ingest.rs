//! End-to-end ingest benchmark: one generated day of N bank transactions (built-in CSV
//! format) against N open invoices, through the same code as `recond ingest`, into
//! SQLite and (when `RECOND_TEST_POSTGRES_URL` is set) PostgreSQL.
//!
//! `cargo bench --bench ingest -- [N]` (default 100000). Prints transactions/s, wall
//! time and peak memory next to the targets (1,000,000 transactions: SQLite
//! under 60 s, PostgreSQL under 120 s).

use std::time::Instant;

use chrono::NaiveDate;
use recond::commands::{self, ImportKind};
use recond::config::{Config, Overrides};
use recond::store::Store;

fn peak_rss_mib() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_owned())
        })
        .and_then(|kib| kib.parse::<u64>().ok())
        .map(|kib| format!("{} MiB", kib / 1024))
        .unwrap_or_else(|| "n/a".to_owned())
}

fn write_inputs(dir: &std::path::Path, count: usize) -> (std::path::PathBuf, std::path::PathBuf) {
    use std::io::Write;
    let invoices_path = dir.join("invoices.csv");
    let bank_path = dir.join("bank.csv");
    let mut invoices = std::io::BufWriter::new(std::fs::File::create(&invoices_path).unwrap());
    let mut bank = std::io::BufWriter::new(std::fs::File::create(&bank_path).unwrap());
    writeln!(invoices, "invoice_id,customer_id,customer_name,amount,currency,issue_date,due_date,open_amount,po_number,discount_pct,discount_days").unwrap();
    writeln!(
        bank,
        "booking_date,value_date,amount,currency,bank_ref,payer_name,payer_account,description"
    )
    .unwrap();
    for i in 0..count {
        let cents = 1_000 + (i * 7919) % 5_000_000;
        let amount = format!("{}.{:02}", cents / 100, cents % 100);
        writeln!(
            invoices,
            "INV-{i:08},C-{},Customer {},{amount},USD,2026-10-01,2026-10-31,,,,",
            i % 5000,
            i % 5000
        )
        .unwrap();
        // Four payments in five carry their invoice number; the fifth has only text.
        let text = if i % 5 == 4 {
            "PAYMENT THANK YOU".to_owned()
        } else {
            format!("PAYMENT INV-{i:08}")
        };
        writeln!(
            bank,
            "2026-11-02,2026-11-02,{amount},USD,BR{i:010},CUSTOMER {},,{text}",
            i % 5000
        )
        .unwrap();
    }
    (invoices_path, bank_path)
}

async fn run(
    label: &str,
    url: String,
    count: usize,
    invoices: &std::path::Path,
    bank: &std::path::Path,
    target_s: f64,
) {
    let dir = tempfile::tempdir().unwrap();
    let overrides = Overrides {
        data_dir: Some(dir.path().to_owned()),
        database_url: Some(url.clone()),
        ..Overrides::default()
    };
    let config = Config::from_raw(Default::default(), &overrides).unwrap();
    let store = Store::connect(&url).await.unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    let started = Instant::now();
    commands::import(&store, &config, ImportKind::Invoices, invoices, today)
        .await
        .unwrap();
    let import_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let reports = commands::ingest_files(&store, &config, &[bank.to_owned()], today)
        .await
        .unwrap();
    let ingest_s = started.elapsed().as_secs_f64();
    let report = &reports[0];
    assert_eq!(report.transactions_stored, count, "{:?}", report.reason);
    println!(
        "{label:<10} {count:>9} tx  invoices import {import_s:>7.2} s  ingest+match {ingest_s:>7.2} s  {:>9.0} tx/s  applied {:>8}  peak RSS {}  (target: 1M under {target_s} s)",
        count as f64 / ingest_s,
        report.run.applied,
        peak_rss_mib()
    );
    store.close().await;
}

fn main() {
    // RUST_LOG=recond=debug shows the time of each phase of the run.
    if std::env::var_os("RUST_LOG").is_some() {
        recond::telemetry::init(recond::config::LogFormat::Text);
    }
    let count: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let (invoices, bank) = write_inputs(dir.path(), count);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
        run("sqlite", sqlite, count, &invoices, &bank, 60.0).await;
        match std::env::var("RECOND_TEST_POSTGRES_URL") {
            Ok(server) => {
                sqlx::any::install_default_drivers();
                let name = format!("recond_bench_{}", std::process::id());
                let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(&server)
                    .await
                    .unwrap();
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                let base = server
                    .rsplit_once('/')
                    .map(|(b, _)| b.to_owned())
                    .unwrap_or(server.clone());
                run(
                    "postgres",
                    format!("{base}/{name}"),
                    count,
                    &invoices,
                    &bank,
                    120.0,
                )
                .await;
            }
            Err(_) => println!("postgres   skipped: RECOND_TEST_POSTGRES_URL is not set"),
        }
    });
}
