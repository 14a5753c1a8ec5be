//! End-to-end ingest benchmark: one generated day of N bank transactions (built-in CSV
//! format) against N open invoices, through the same code as `recond ingest`, into
//! SQLite and (when `RECOND_TEST_POSTGRES_URL` is set) PostgreSQL.
//!
//! `cargo bench --bench ingest -- [N] [--invoices M]` (default 100000, and as many
//! invoices as transactions). Prints transactions/s, wall time and peak memory next to
//! the targets (1,000,000 transactions: SQLite under 60 s, PostgreSQL under
//! 120 s; memory bounded by the open invoices, not the file: compare
//! `1000000 --invoices 100000` with `100000`). Transactions beyond the invoices carry
//! no reference. `RUST_LOG=recond=debug` shows where the time goes.

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

fn write_inputs(
    dir: &std::path::Path,
    count: usize,
    invoice_count: usize,
) -> (std::path::PathBuf, std::path::PathBuf) {
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
        if i < invoice_count {
            writeln!(
                invoices,
                "INV-{i:08},C-{},Customer {},{amount},USD,2026-10-01,2026-10-31,,,,",
                i % 5000,
                i % 5000
            )
            .unwrap();
        }
        // Four payments in five carry their invoice number; the fifth, and every
        // payment beyond the invoices, has only text.
        let text = if i % 5 == 4 || i >= invoice_count {
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
    (count, invoice_count): (usize, usize),
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
        "{label:<10} {count:>9} tx  {invoice_count:>9} invoices  import {import_s:>7.2} s  ingest+match {ingest_s:>7.2} s  {:>9.0} tx/s  applied {:>8}  peak RSS {}  (target: 1M under {target_s} s)",
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
    let args: Vec<String> = std::env::args().skip(1).collect();
    let option = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<usize>().ok())
    };
    let count: usize = args
        .iter()
        .enumerate()
        .find(|(i, a)| {
            !a.starts_with('-')
                && (*i == 0 || args[i - 1] != "--invoices")
                && a.parse::<usize>().is_ok()
        })
        .and_then(|(_, a)| a.parse().ok())
        .unwrap_or(100_000);
    let invoice_count = option("--invoices").unwrap_or(count);
    let dir = tempfile::tempdir().unwrap();
    let (invoices, bank) = write_inputs(dir.path(), count, invoice_count);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
        run(
            "sqlite",
            sqlite,
            (count, invoice_count),
            &invoices,
            &bank,
            60.0,
        )
        .await;
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
                    (count, invoice_count),
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
