//! Daemon latency: how long after a 1,000-transaction bank file is renamed into the inbox
//! of a running `recond serve` (the release binary, a real process) its payments are
//! matched and visible through the HTTP API, with a ledger of open invoices loaded.
//!
//! `cargo bench --bench latency -- [--invoices M] [--files K]` (defaults 10000 and 5).
//! SQLite always; PostgreSQL too when `RECOND_TEST_POSTGRES_URL` is set. Prints each
//! file's latency and the worst next to the target (under 1 s).
//!
//! A file counts as visible when `GET /api/files` lists it as ingested: its receipt is
//! committed in the same database transaction as its payments and their applications.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TRANSACTIONS_PER_FILE: usize = 1_000;
const TARGET: Duration = Duration::from_secs(1);

struct Daemon {
    child: Child,
    address: String,
}

impl Daemon {
    fn start(data_dir: &Path, db_url: &str) -> Daemon {
        let mut child = Command::new(env!("CARGO_BIN_EXE_recond"))
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--db")
            .arg(db_url)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "warn")
            .env_remove("RECOND_CONFIG")
            .stdout(Stdio::piped())
            .spawn()
            .expect("start recond serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read the listening line");
        let address = line
            .trim()
            .rsplit("http://")
            .next()
            .unwrap_or("")
            .to_owned();
        assert!(address.contains(':'), "unexpected first line {line:?}");
        Daemon { child, address }
    }

    fn get(&self, path: &str) -> String {
        let mut stream = TcpStream::connect(&self.address).expect("connect");
        write!(stream, "GET {path} HTTP/1.0\r\nHost: bench\r\n\r\n").expect("request");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("response");
        response
    }

    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn cli(data_dir: &Path, db_url: &str, args: &[&str]) {
    let status = Command::new(env!("CARGO_BIN_EXE_recond"))
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--db")
        .arg(db_url)
        .args(args)
        .env_remove("RECOND_CONFIG")
        .stdout(Stdio::null())
        .status()
        .expect("run recond");
    assert!(status.success(), "recond {args:?} failed");
}

fn amount(i: usize) -> String {
    let cents = 1_000 + (i * 7919) % 5_000_000;
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// `invoices` open invoices; file `k` pays invoices `k*1000..` (four in five by number).
fn write_invoices(path: &Path, invoices: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("invoices"));
    writeln!(out, "invoice_id,customer_id,customer_name,amount,currency,issue_date,due_date,open_amount,po_number,discount_pct,discount_days").unwrap();
    for i in 0..invoices {
        writeln!(
            out,
            "INV-{i:08},C-{},Customer {},{},USD,2026-10-01,2026-10-31,,,,",
            i % 500,
            i % 500,
            amount(i)
        )
        .unwrap();
    }
}

fn bank_file(k: usize) -> String {
    let mut text = String::from(
        "booking_date,value_date,amount,currency,bank_ref,payer_name,payer_account,description\n",
    );
    for n in 0..TRANSACTIONS_PER_FILE {
        let i = k * TRANSACTIONS_PER_FILE + n;
        let description = if i % 5 == 4 {
            "PAYMENT THANK YOU".to_owned()
        } else {
            format!("PAYMENT INV-{i:08}")
        };
        text.push_str(&format!(
            "2026-11-02,2026-11-02,{},USD,LAT{i:010},CUSTOMER {},,{description}\n",
            amount(i),
            i % 500
        ));
    }
    text
}

fn measure(label: &str, db_url: &str, invoices: usize, files: usize) {
    let data = tempfile::tempdir().expect("temp dir");
    let invoices_path = data.path().join("invoices.csv");
    write_invoices(&invoices_path, invoices);
    cli(
        data.path(),
        db_url,
        &[
            "invoices",
            "import",
            invoices_path.to_str().expect("utf-8 path"),
        ],
    );
    let daemon = Daemon::start(data.path(), db_url);
    let inbox = data.path().join("inbox");
    std::fs::create_dir_all(&inbox).expect("inbox");
    let mut worst = Duration::ZERO;
    for k in 0..files {
        let name = format!("latency-{k}.csv");
        let partial = inbox.join(format!("{name}.part"));
        std::fs::write(&partial, bank_file(k)).expect("write");
        let started = Instant::now();
        std::fs::rename(&partial, inbox.join(&name)).expect("rename");
        loop {
            let listed = daemon.get("/api/files?outcome=ingested");
            if listed.contains(&name) {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{name} not ingested after 60 s"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        let latency = started.elapsed();
        worst = worst.max(latency);
        println!(
            "{label:<10} file {k}: {TRANSACTIONS_PER_FILE} transactions visible after {:>6.3} s",
            latency.as_secs_f64()
        );
    }
    daemon.stop();
    println!(
        "{label:<10} worst of {files}: {:.3} s with {invoices} open invoices (target: under {} s: {})",
        worst.as_secs_f64(),
        TARGET.as_secs(),
        if worst < TARGET { "met" } else { "NOT met" }
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let option = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let invoices = option("--invoices", 10_000);
    let files = option("--files", 5);
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = format!("sqlite://{}", dir.path().join("latency.db").display());
    measure("sqlite", &sqlite, invoices, files);
    match std::env::var("RECOND_TEST_POSTGRES_URL") {
        Ok(server) => {
            let name = format!("recond_latency_{}", std::process::id());
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                sqlx::any::install_default_drivers();
                let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(&server)
                    .await
                    .expect("connect to RECOND_TEST_POSTGRES_URL");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .expect("create the benchmark database");
            });
            let base = server
                .rsplit_once('/')
                .map(|(base, _)| base.to_owned())
                .unwrap_or(server.clone());
            measure("postgres", &format!("{base}/{name}"), invoices, files);
        }
        Err(_) => println!("postgres   skipped: RECOND_TEST_POSTGRES_URL is not set"),
    }
}
