//! The real binary, driven through the command-line contract that outside tooling uses.

use std::path::Path;
use std::process::{Command, Output};

use crate::harness::fixture;

fn recond(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_recond"))
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--today")
        .arg("2026-11-02")
        .args(args)
        .env_remove("RECOND_DATABASE_URL")
        .env_remove("RECOND_CONFIG")
        .output()
        .expect("run recond")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn import_ingest_export_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    // A data directory that does not exist yet: recond creates it.
    let data = &dir.path().join("fresh");
    let path = |p: &str| fixture(p).display().to_string();
    for (noun, file) in [
        ("customers", "demo/customers.csv"),
        ("invoices", "demo/invoices.csv"),
    ] {
        let out = recond(data, &[noun, "import", &path(file)]);
        assert!(out.status.success(), "{noun} import: {}", text(&out.stderr));
    }
    assert!(
        data.join("recond.db").exists(),
        "the default database lives in the data directory"
    );

    let out = recond(data, &["ingest", &path("demo/bank-2026-11-02.csv")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("ingested"));

    let again = recond(data, &["ingest", &path("demo/bank-2026-11-02.csv")]);
    assert!(again.status.success(), "a duplicate is not an error");
    assert!(text(&again.stdout).contains("duplicate"));

    let broken = data.join("broken.csv");
    std::fs::write(&broken, "booking_date,value_date,amount,currency,bank_ref,payer_name,payer_account,description\n2026-11-02,,1O.00,USD,X,,,\n").unwrap();
    let out = recond(
        data,
        &[
            "ingest",
            &broken.display().to_string(),
            &path("demo/bank-2026-11-02.csv"),
        ],
    );
    assert!(!out.status.success(), "a rejected file makes ingest fail");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("rejected broken.csv")
            && stderr.contains("line 2")
            && stderr.contains("amount"),
        "{stderr}"
    );

    let out = recond(data, &["export", "payments", "--format", "csv"]);
    assert!(out.status.success());
    let csv = text(&out.stdout);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("source_file,bank_ref,booking_date,amount,currency,payer_name,status,unapplied_amount,exception_reason"));
    assert_eq!(
        lines.next(),
        Some("bank-2026-11-02.csv,BK-1001,2026-11-02,1250.00,USD,ACME CORP,applied,0.00,")
    );
    assert_eq!(
        csv.lines().count(),
        7,
        "one row per bank transaction: {csv}"
    );

    let out = recond(data, &["export", "applications", "--format", "csv"]);
    let csv = text(&out.stdout);
    assert_eq!(csv.lines().next(), Some("source_file,bank_ref,invoice_id,applied_amount,writeoff_amount,writeoff_reason,rule,confidence"));
    assert_eq!(
        csv.lines().nth(1),
        Some(
            "bank-2026-11-02.csv,BK-1001,INV-2026-0101,1250.00,0.00,,invoice_reference_exact,0.970"
        )
    );

    let out = recond(data, &["exceptions", "--format", "csv"]);
    let csv = text(&out.stdout);
    assert_eq!(csv.lines().next(), Some("opened_at,source_file,bank_ref,booking_date,amount,currency,payer_name,reason,suggestions,explanation"));
    let queued = csv.lines().nth(1).unwrap_or_default();
    assert!(
        queued.contains("BK-1006")
            && queued.contains("low_confidence")
            && queued.contains("INV-2026-0106 0."),
        "{csv}"
    );

    let out = recond(data, &["export", "applications", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(json[0]["invoice_id"], "INV-2026-0101");
}

#[test]
fn bad_import_exits_non_zero_naming_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("customers.csv");
    std::fs::write(
        &file,
        "customer_id,name,aliases,bank_accounts\n,Nameless,,\nC2,,,\n",
    )
    .unwrap();
    let out = recond(
        dir.path(),
        &["customers", "import", &file.display().to_string()],
    );
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("line 2, column customer_id") && stderr.contains("line 3, column name"),
        "{stderr}"
    );
}

#[test]
fn check_prints_the_json_contract() {
    let dir = tempfile::tempdir().unwrap();
    let out = recond(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            &fixture("demo/bank-2026-11-02.csv").display().to_string(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "file",
        "format",
        "valid",
        "transactions",
        "credit_count",
        "debit_count",
        "credit_total",
        "debit_total",
        "diagnostics",
    ] {
        assert!(line.get(key).is_some(), "missing key {key}: {line}");
    }
    assert_eq!(line["transactions"], 6);
    assert_eq!(line["credit_total"]["USD"], "20470.00");
    assert_eq!(line["debit_total"]["USD"], "35.00");
    assert!(
        !dir.path().join("recond.db").exists(),
        "check stores nothing"
    );
}

#[test]
fn demo_runs_from_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_recond"))
        .args(["demo", "--dir"])
        .arg(dir.path().join("demo"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for format in ["camt", "bai2", "nacha", "csv"] {
        assert!(
            stdout.contains(&format!("  {format}  ")),
            "{format} file ingested: {stdout}"
        );
    }
    assert!(!stdout.contains("rejected"), "{stdout}");
}
