//! `recond serve` as a real process: files dropped into the inbox end up stored
//! exactly once and archived, whatever moment the process is killed at.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::Row;

use crate::harness::{self, TestDb};

/// A running `recond serve`.
struct Daemon {
    child: Child,
    address: String,
}

impl Daemon {
    fn start(data_dir: &Path, db_url: &str, extra_env: &[(&str, &str)]) -> Daemon {
        let mut command = Command::new(env!("CARGO_BIN_EXE_recond"));
        command
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--db")
            .arg(db_url)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "warn")
            .env_remove("RECOND_CONFIG")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (key, value) in extra_env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("start recond serve");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the listening line");
        let address = line
            .trim()
            .rsplit("http://")
            .next()
            .unwrap_or_default()
            .to_owned();
        assert!(address.contains(':'), "unexpected first line {line:?}");
        Daemon { child, address }
    }

    fn kill_9(mut self) {
        self.child.kill().expect("kill -9");
        self.child.wait().unwrap();
    }

    /// SIGTERM, then waits for a clean exit.
    fn stop(mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "recond serve exited with {status}");
                return;
            }
            assert!(
                Instant::now() < deadline,
                "recond serve did not stop after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn get(&self, path: &str) -> String {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        write!(stream, "GET {path} HTTP/1.0\r\nHost: test\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }
}

/// Drops a file the way banks' SFTP clients should: write aside, rename into place.
fn drop_file(inbox: &Path, name: &str, content: &str) {
    std::fs::create_dir_all(inbox).unwrap();
    let partial = inbox.join(format!("{name}.part"));
    std::fs::write(&partial, content).unwrap();
    std::fs::rename(&partial, inbox.join(name)).unwrap();
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

const HEADER: &str =
    "booking_date,value_date,amount,currency,bank_ref,payer_name,payer_account,description\n";
const INVOICE_HEADER: &str = "invoice_id,customer_id,customer_name,amount,currency,issue_date,due_date,open_amount,po_number,discount_pct,discount_days\n";

/// `count` bank files of five payments each; every payment pays one invoice.
fn bank_files(count: usize) -> (Vec<(String, String)>, String) {
    let mut invoices = String::from(INVOICE_HEADER);
    let mut files = Vec::new();
    for file in 0..count {
        let mut text = String::from(HEADER);
        for row in 0..5 {
            let id = file * 5 + row;
            text.push_str(&format!(
                "2026-11-02,,{id}.25,USD,REF-{id:05},PAYER {id},,INV-{id:05}\n"
            ));
            invoices.push_str(&format!(
                "INV-{id:05},C-{row},Customer {row},{id}.25,USD,2026-10-01,,,,,\n"
            ));
        }
        files.push((format!("bank-{file:03}.csv"), text));
    }
    (files, invoices)
}

async fn scalar(db: &TestDb, sql: &str) -> i64 {
    let mut conn = db.store.acquire().await.unwrap();
    sqlx::query(sql)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

async fn import_invoices(db: &TestDb, text: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invoices.csv");
    std::fs::write(&path, text).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    recond::commands::import(
        &db.store,
        &db.config,
        recond::commands::ImportKind::Invoices,
        &path,
        today,
    )
    .await
    .unwrap();
}

/// After everything settled: every distinct file stored once, every payment applied
/// once, every delivery archived, nothing left behind.
async fn assert_exactly_once(db: &TestDb, data: &Path, distinct_files: i64, deliveries: usize) {
    assert_eq!(
        scalar(db, "SELECT COUNT(*) FROM bank_files").await,
        distinct_files
    );
    assert_eq!(
        scalar(db, "SELECT COUNT(*) FROM transactions").await,
        distinct_files * 5
    );
    assert_eq!(
        scalar(db, "SELECT COUNT(*) FROM applications").await,
        distinct_files * 5,
        "each payment applied exactly once"
    );
    assert_eq!(scalar(db, "SELECT COUNT(*) FROM (SELECT invoice_id FROM applications GROUP BY invoice_id HAVING COUNT(*) > 1) doubled").await, 0);
    assert_eq!(
        scalar(
            db,
            "SELECT COUNT(*) FROM file_receipts WHERE outcome = 'rejected'"
        )
        .await,
        0
    );
    assert!(files_under(&data.join("inbox")).is_empty(), "inbox drained");
    assert!(
        files_under(&data.join("quarantine")).is_empty(),
        "nothing quarantined"
    );
    assert_eq!(
        files_under(&data.join("archive")).len(),
        deliveries,
        "every delivery archived once"
    );
}

async fn kill_nine_at_random_moments(db: TestDb) {
    let data = tempfile::tempdir().unwrap();
    let inbox = data.path().join("inbox");
    let (mut files, invoices) = bank_files(17);
    import_invoices(&db, &invoices).await;
    let (late_name, late_content) = files.pop().expect("17 files");
    // A deterministic sequence of kill delays, from "before anything" to "mid-batch".
    let mut seed: u64 = 0x5eed;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % 250
    };
    let mut deliveries = 0;
    for chunk in files.chunks(2) {
        let daemon = Daemon::start(data.path(), &db.url, &[]);
        for (name, content) in chunk {
            drop_file(&inbox, name, content);
            deliveries += 1;
        }
        std::thread::sleep(Duration::from_millis(next()));
        daemon.kill_9();
    }
    // The same content again under another name: a duplicate, archived as such.
    drop_file(&inbox, "bank-000-resent.csv", &files[0].1);
    deliveries += 1;
    // A crash exactly between the commit and the move.
    let failpoint = format!("exit_before_archive:{late_name}");
    let daemon = Daemon::start(
        data.path(),
        &db.url,
        &[("RECOND_FAILPOINT", failpoint.as_str())],
    );
    drop_file(&inbox, &late_name, &late_content);
    deliveries += 1;
    let mut child = daemon.child;
    wait_until(
        "the failpoint ends the process",
        Duration::from_secs(30),
        || child.try_wait().unwrap().is_some(),
    );

    let daemon = Daemon::start(data.path(), &db.url, &[]);
    wait_until("the inbox is drained", Duration::from_secs(60), || {
        files_under(&inbox).is_empty()
    });
    daemon.stop();

    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM file_receipts WHERE outcome = 'duplicate'"
        )
        .await,
        1
    );
    assert_exactly_once(&db, data.path(), 17, deliveries).await;
}

async fn broken_files_are_quarantined_and_panics_contained(db: TestDb) {
    let data = tempfile::tempdir().unwrap();
    let inbox = data.path().join("inbox");
    let daemon = Daemon::start(
        data.path(),
        &db.url,
        &[("RECOND_FAILPOINT", "panic_in_ingest:poison.csv")],
    );
    drop_file(
        &inbox,
        "broken.csv",
        &format!("{HEADER}2026-11-02,,12.5O,USD,X,,,\n"),
    );
    drop_file(
        &inbox,
        "poison.csv",
        &format!("{HEADER}2026-11-02,,1.00,USD,P1,,,\n"),
    );
    drop_file(
        &inbox,
        "good.csv",
        &format!("{HEADER}2026-11-02,,2.00,USD,G1,,,\n"),
    );
    wait_until(
        "all three files are handled",
        Duration::from_secs(30),
        || files_under(&inbox).is_empty(),
    );
    let quarantine = data.path().join("quarantine");
    let reason = std::fs::read_to_string(quarantine.join("broken.csv.error.txt"))
        .expect("error file beside the quarantined file");
    assert!(
        reason.contains("line 2") && reason.contains("amount"),
        "{reason}"
    );
    let panic_reason = std::fs::read_to_string(quarantine.join("poison.csv.error.txt")).unwrap();
    assert!(panic_reason.contains("internal error"), "{panic_reason}");
    let files = daemon.get("/api/files?outcome=rejected");
    assert!(
        files.contains("broken.csv") && files.contains("poison.csv"),
        "{files}"
    );
    assert!(daemon.get("/healthz").contains("\"ok\""));
    assert!(daemon
        .get("/metrics")
        .contains("recond_files_total{outcome=\"rejected\"} 1"));
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM transactions").await,
        1,
        "only the good file is stored"
    );
    daemon.stop();
}

async fn dropped_file_is_visible_quickly(db: TestDb) {
    let data = tempfile::tempdir().unwrap();
    let daemon = Daemon::start(data.path(), &db.url, &[]);
    let mut text = String::from(HEADER);
    for id in 0..1000 {
        text.push_str(&format!(
            "2026-11-02,,{id}.10,USD,LAT-{id:04},PAYER,,INV-{id}\n"
        ));
    }
    let started = Instant::now();
    drop_file(&data.path().join("inbox"), "thousand.csv", &text);
    wait_until(
        "the file's payments are visible through the API",
        Duration::from_secs(30),
        || daemon.get("/api/payments").contains("LAT-0999"),
    );
    // Reported, not asserted: timing belongs to benchmarks (see docs/benchmarks.md).
    println!(
        "latency: 1000-transaction file visible through the API after {:?} (debug build)",
        started.elapsed()
    );
    daemon.stop();
}

crate::harness::on_both_databases!(
    kill_nine_at_random_moments,
    broken_files_are_quarantined_and_panics_contained,
    dropped_file_is_visible_quickly
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_inbox_on_postgres() {
    let Some(db) = harness::postgres("two_instances").await else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let inbox = data.path().join("inbox");
    let (files, invoices) = bank_files(30);
    import_invoices(&db, &invoices).await;
    let first = Daemon::start(data.path(), &db.url, &[]);
    let second = Daemon::start(data.path(), &db.url, &[]);
    for (name, content) in &files {
        drop_file(&inbox, name, content);
    }
    wait_until("the inbox is drained", Duration::from_secs(120), || {
        files_under(&inbox).is_empty()
    });
    first.stop();
    second.stop();
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM file_receipts WHERE outcome = 'ingested'"
        )
        .await,
        30,
        "no file processed twice"
    );
    assert_exactly_once(&db, data.path(), 30, 30).await;
}
