//! The store conformance suite: the same behaviour on SQLite and PostgreSQL.

use chrono::NaiveDate;
use recond::cli::ExportWhat;
use recond::commands::{self, ImportKind};
use recond::imports::ImportError;
use recond::output::Table;
use recond::pipeline::ingest::ingest_bytes;
use recond::store::files::Outcome;
use sqlx::Row;

use crate::harness::{fixture, on_both_databases, TestDb};

on_both_databases!(
    demo_pipeline_applies_references_and_payer_matches,
    duplicate_file_is_recorded_and_skipped,
    transaction_resent_in_another_file_is_not_stored_twice,
    rejected_file_stores_nothing,
    imports_are_idempotent_and_updates_are_audited,
    bad_import_rows_are_all_reported_and_nothing_is_stored,
    payment_before_invoice_is_applied_when_invoice_arrives,
    amounts_keep_their_currency_exponent,
    two_payments_never_settle_one_invoice_twice,
    ach_return_reverses_the_applications_it_returns,
    a_learned_alias_is_used_by_the_next_run,
    a_file_larger_than_a_batch_is_decided_batch_by_batch,
    a_return_decided_before_its_payment_in_one_file_still_reverses_it,
);

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()
}

const BANK_HEADER: &str =
    "booking_date,value_date,amount,currency,bank_ref,payer_name,payer_account,description\n";
const INVOICE_HEADER: &str = "invoice_id,customer_id,customer_name,amount,currency,issue_date,due_date,open_amount,po_number,discount_pct,discount_days\n";

async fn import_demo_master_data(db: &TestDb) {
    for (kind, path) in [
        (ImportKind::Customers, "demo/customers.csv"),
        (ImportKind::Invoices, "demo/invoices.csv"),
    ] {
        commands::import(&db.store, &db.config, kind, &fixture(path), today())
            .await
            .expect("import demo data");
    }
}

async fn import_text(
    db: &TestDb,
    kind: ImportKind,
    text: &str,
) -> anyhow::Result<(
    recond::imports::ImportSummary,
    recond::pipeline::reconcile::RunSummary,
)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("import.csv");
    std::fs::write(&path, text).unwrap();
    commands::import(&db.store, &db.config, kind, &path, today()).await
}

async fn ingest_text(db: &TestDb, name: &str, text: &str) -> recond::pipeline::ingest::FileReport {
    ingest_bytes(
        &db.store,
        &db.config,
        name,
        text.as_bytes().to_vec(),
        today(),
    )
    .await
    .expect("ingest")
}

async fn export(db: &TestDb, what: ExportWhat) -> Table {
    commands::export(&db.store, what).await.expect("export")
}

/// The export as `header=value` strings per row, for readable assertions.
fn column(table: &Table, name: &str) -> Vec<String> {
    let index = table
        .headers
        .iter()
        .position(|h| *h == name)
        .expect("column");
    table.rows.iter().map(|row| row[index].clone()).collect()
}

async fn count(db: &TestDb, sql: &str) -> i64 {
    let mut conn = db.store.acquire().await.unwrap();
    sqlx::query(sql)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

async fn demo_pipeline_applies_references_and_payer_matches(db: TestDb) {
    import_demo_master_data(&db).await;
    let bytes = std::fs::read(fixture("demo/bank-2026-11-02.csv")).unwrap();
    let report = ingest_bytes(&db.store, &db.config, "bank-2026-11-02.csv", bytes, today())
        .await
        .unwrap();
    assert_eq!(report.outcome, Outcome::Ingested, "{:?}", report.reason);
    assert_eq!(report.transactions_stored, 6);

    let payments = export(&db, ExportWhat::Payments).await;
    assert_eq!(payments.headers, commands::PAYMENT_HEADER);
    assert_eq!(
        column(&payments, "bank_ref"),
        ["BK-1001", "BK-1002", "BK-1003", "BK-1004", "BK-1005", "BK-1006"]
    );
    assert_eq!(
        column(&payments, "status"),
        [
            "applied",
            "applied",
            "applied",
            "applied",
            "non_ar",
            "exception"
        ]
    );
    assert_eq!(column(&payments, "amount")[4], "-35.00");
    // Initech's payment carries no reference: its name and the unique amount decide.
    assert_eq!(column(&payments, "unapplied_amount")[5], "500.00");

    let applications = export(&db, ExportWhat::Applications).await;
    assert_eq!(applications.headers, commands::APPLICATION_HEADER);
    assert_eq!(
        column(&applications, "invoice_id"),
        [
            "INV-2026-0101",
            "INV-2026-0103",
            "INV-2026-0104",
            "INV-2026-0105"
        ]
    );
    assert_eq!(
        column(&applications, "applied_amount"),
        ["1250.00", "15000.00", "420.00", "3300.00"]
    );
    assert_eq!(column(&applications, "writeoff_reason"), ["", "", "", ""]);
    assert_eq!(column(&applications, "rule")[0], "invoice_reference_exact");
    assert_eq!(column(&applications, "rule")[2], "payer_name_amount");
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM exceptions WHERE closed_at IS NULL"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'reconcile_run' AND detail LIKE '%\"applications\":4%'"
        )
        .await,
        1
    );
}

async fn duplicate_file_is_recorded_and_skipped(db: TestDb) {
    let text = format!("{BANK_HEADER}2026-11-02,,10.00,USD,R1,A,,x\n");
    assert_eq!(
        ingest_text(&db, "a.csv", &text).await.outcome,
        Outcome::Ingested
    );
    let again = ingest_text(&db, "renamed.csv", &text).await;
    assert_eq!(again.outcome, Outcome::Duplicate);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM transactions").await, 1);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM bank_files").await, 1);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM file_receipts WHERE outcome = 'duplicate'"
        )
        .await,
        1
    );
}

async fn transaction_resent_in_another_file_is_not_stored_twice(db: TestDb) {
    let first = format!("{BANK_HEADER}2026-11-02,,10.00,USD,R1,A,,x\n");
    let second = format!(
        "{BANK_HEADER}2026-11-02,,10.00,USD,R1,A,,x (resent)\n2026-11-02,,20.00,USD,R2,B,,y\n"
    );
    ingest_text(&db, "intraday.csv", &first).await;
    let report = ingest_text(&db, "endofday.csv", &second).await;
    assert_eq!(report.outcome, Outcome::Ingested);
    assert_eq!(
        (report.transactions_stored, report.transactions_known),
        (1, 1)
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM transactions").await, 2);
}

async fn rejected_file_stores_nothing(db: TestDb) {
    let text =
        format!("{BANK_HEADER}2026-11-02,,10.00,USD,R1,A,,x\n2026-11-31,,5.00,USD,R2,B,,y\n");
    let report = ingest_text(&db, "broken.csv", &text).await;
    assert_eq!(report.outcome, Outcome::Rejected);
    let reason = report.reason.unwrap();
    assert!(
        reason.contains("line 3") && reason.contains("booking_date"),
        "{reason}"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM transactions").await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM bank_files").await, 0);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM file_receipts WHERE outcome = 'rejected' AND reason IS NOT NULL"
        )
        .await,
        1
    );
    let unknown = ingest_text(&db, "notes.txt", "hello world\n").await;
    assert_eq!(unknown.outcome, Outcome::Rejected);
}

async fn imports_are_idempotent_and_updates_are_audited(db: TestDb) {
    import_demo_master_data(&db).await;
    let audit_before = count(&db, "SELECT COUNT(*) FROM audit_log").await;
    let (customers, _) = commands::import(
        &db.store,
        &db.config,
        ImportKind::Customers,
        &fixture("demo/customers.csv"),
        today(),
    )
    .await
    .unwrap();
    let (invoices, _) = commands::import(
        &db.store,
        &db.config,
        ImportKind::Invoices,
        &fixture("demo/invoices.csv"),
        today(),
    )
    .await
    .unwrap();
    assert_eq!((customers.unchanged, invoices.unchanged), (4, 6));
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM audit_log").await,
        audit_before,
        "a repeated import changes nothing"
    );

    // Apply INV-2026-0101, then re-import it with a new due date: the application stays.
    ingest_text(
        &db,
        "pay.csv",
        &format!("{BANK_HEADER}2026-11-02,,1250.00,USD,R1,ACME,,INV-2026-0101\n"),
    )
    .await;
    let changed = format!("{INVOICE_HEADER}INV-2026-0101,C-1001,Acme Corporation,1250.00,USD,2026-10-01,2026-11-30,,PO-7781,,\n");
    let (summary, _) = import_text(&db, ImportKind::Invoices, &changed)
        .await
        .unwrap();
    assert_eq!(summary.updated, 1);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log WHERE action = 'invoice_updated' AND entity_id = 'INV-2026-0101'").await, 1);
    assert_eq!(
        column(&export(&db, ExportWhat::Applications).await, "invoice_id"),
        ["INV-2026-0101"]
    );
}

async fn bad_import_rows_are_all_reported_and_nothing_is_stored(db: TestDb) {
    let text = format!("{INVOICE_HEADER}INV-1,C1,A,10.00,USD,2026-10-01,,,,,\nINV-2,C1,A,abc,USD,2026-10-01,,,,,\nINV-3,C1,A,1.00,USD,01/10/2026,,,,,\n");
    let error = import_text(&db, ImportKind::Invoices, &text)
        .await
        .unwrap_err();
    let import_error = error.downcast_ref::<ImportError>().expect("an ImportError");
    let places: Vec<(u64, &str)> = import_error
        .errors
        .iter()
        .map(|e| (e.line, e.column.as_str()))
        .collect();
    assert_eq!(places, [(3, "amount"), (4, "issue_date")]);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM invoices").await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM customers").await, 0);
}

async fn payment_before_invoice_is_applied_when_invoice_arrives(db: TestDb) {
    ingest_text(
        &db,
        "early.csv",
        &format!("{BANK_HEADER}2026-11-02,,99.00,USD,R9,EARLY BIRD,,INV-9\n"),
    )
    .await;
    assert_eq!(
        column(&export(&db, ExportWhat::Payments).await, "status"),
        ["exception"]
    );
    let (_, run) = import_text(
        &db,
        ImportKind::Invoices,
        &format!("{INVOICE_HEADER}INV-9,C9,Early Bird,99.00,USD,2026-11-01,,,,,\n"),
    )
    .await
    .unwrap();
    assert_eq!(run.applied, 1);
    assert_eq!(
        column(&export(&db, ExportWhat::Payments).await, "status"),
        ["applied"]
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM exceptions WHERE closed_at IS NULL"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM exceptions WHERE resolution = 'auto:applied'"
        )
        .await,
        1
    );
}

async fn amounts_keep_their_currency_exponent(db: TestDb) {
    let invoices = format!(
        "{INVOICE_HEADER}JP-0001,C1,A,1500,JPY,2026-10-01,,,,,\nBH-0001,C1,A,1.005,BHD,2026-10-01,,,,,\n"
    );
    import_text(&db, ImportKind::Invoices, &invoices)
        .await
        .unwrap();
    let bank = format!(
        "{BANK_HEADER}2026-11-02,,1500,JPY,RJ,A,,JP-0001\n2026-11-02,,1.005,BHD,RB,A,,BH-0001\n"
    );
    ingest_text(&db, "fx.csv", &bank).await;
    let applications = export(&db, ExportWhat::Applications).await;
    assert_eq!(column(&applications, "applied_amount"), ["1500", "1.005"]);
    assert_eq!(
        count(
            &db,
            "SELECT amount_minor FROM invoices WHERE invoice_id = 'BH-0001'"
        )
        .await,
        1005
    );
    // A JPY amount with decimals cannot be stored exactly: the file is rejected.
    let report = ingest_text(
        &db,
        "bad-jpy.csv",
        &format!("{BANK_HEADER}2026-11-02,,10.5,JPY,RX,A,,x\n"),
    )
    .await;
    assert_eq!(report.outcome, Outcome::Rejected);
    assert!(report.reason.unwrap().contains("more decimals than JPY"));
}

async fn two_payments_never_settle_one_invoice_twice(db: TestDb) {
    import_text(
        &db,
        ImportKind::Invoices,
        &format!("{INVOICE_HEADER}INV-7,C1,A,70.00,USD,2026-10-01,,,,,\n"),
    )
    .await
    .unwrap();
    let bank = format!(
        "{BANK_HEADER}2026-11-02,,70.00,USD,P1,A,,INV-7\n2026-11-02,,70.00,USD,P2,A,,INV-7 again\n"
    );
    ingest_text(&db, "twice.csv", &bank).await;
    assert_eq!(
        column(&export(&db, ExportWhat::Applications).await, "bank_ref"),
        ["P1"]
    );
    let statuses = column(&export(&db, ExportWhat::Payments).await, "status");
    assert_eq!(statuses[0], "applied");
    assert_ne!(statuses[1], "applied");
    // A later run sees the invoice settled: the second payment is not applied either.
    let (_, run) = import_text(
        &db,
        ImportKind::Invoices,
        &format!("{INVOICE_HEADER}INV-8,C1,A,1.00,USD,2026-10-01,,,,,\n"),
    )
    .await
    .unwrap();
    assert_eq!(run.applied, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM applications").await, 1);
}

/// A minimal valid NACHA file: one batch of `entries` (transaction code, amount in
/// cents, trace, addenda record without its leading type '7' and code), with correct
/// counts, hash, totals and padding.
fn nacha_file(company: &str, entries: &[(&str, u64, &str, Option<String>)]) -> String {
    let pad = |s: &str, n: usize| format!("{s:<n$}").chars().take(n).collect::<String>();
    let mut lines = vec![format!(
        "101 091000019 1234567892611020900A094101{}{}{}",
        pad("FIRST BANK", 23),
        pad("RECOND TEST", 23),
        pad("", 8)
    )];
    lines.push(format!(
        "5220{}{}1234567890CCD{}261102261102   1091000010000001",
        pad(company, 16),
        pad("", 20),
        pad("PAYMENT", 10)
    ));
    let (mut hash, mut debit, mut credit, mut count) = (0u64, 0u64, 0u64, 0u64);
    for (code, cents, trace, addenda) in entries {
        let routing = "09100001";
        hash += routing.parse::<u64>().unwrap();
        if code.ends_with('2') || code.ends_with('1') {
            credit += cents;
        } else {
            debit += cents;
        }
        lines.push(format!(
            "6{code}{routing}9{}{cents:010}{}{}  {}{trace}",
            pad("12345678", 17),
            pad("ID", 15),
            pad("RECOND SUPPLIES", 22),
            u8::from(addenda.is_some())
        ));
        count += 1;
        if let Some(addenda) = addenda {
            lines.push(format!("7{}", pad(addenda, 93)));
            count += 1;
        }
    }
    lines.push(format!(
        "8220{count:06}{:010}{debit:012}{credit:012}1234567890{}{}091000010000001",
        hash % 10_000_000_000,
        pad("", 19),
        pad("", 6)
    ));
    let records = lines.len() + 1;
    let blocks = records.div_ceil(10);
    lines.push(format!(
        "9000001{blocks:06}{count:08}{:010}{debit:012}{credit:012}{}",
        hash % 10_000_000_000,
        pad("", 39)
    ));
    while lines.len() % 10 != 0 {
        lines.push("9".repeat(94));
    }
    lines.join("\n") + "\n"
}

/// A return's addenda record (reason R01) naming the entry it returns and its own trace.
fn return_addenda(original_trace: &str, own_trace: &str) -> String {
    format!(
        "99R01{original_trace}      09100001{}{own_trace}",
        " ".repeat(44)
    )
}

async fn ach_return_reverses_the_applications_it_returns(db: TestDb) {
    import_text(
        &db,
        ImportKind::Invoices,
        &format!("{INVOICE_HEADER}INV-ACH-1,C1,ACME CORP,100.00,USD,2026-10-01,,,,,\n"),
    )
    .await
    .unwrap();
    let credit = nacha_file("ACME CORP", &[("22", 10_000, "091000010000001", Some("05RMR*IV*INV-ACH-1*PI*100.00\\                                                 00010000001".to_owned()))]);
    let report = ingest_text(&db, "credit.ach", &credit).await;
    assert_eq!(report.outcome, Outcome::Ingested, "{:?}", report.reason);
    assert_eq!(
        column(&export(&db, ExportWhat::Applications).await, "invoice_id"),
        ["INV-ACH-1"]
    );

    let ret = nacha_file(
        "ACME CORP",
        &[(
            "21",
            10_000,
            "091000010000099",
            Some(return_addenda("091000010000001", "091000010000099")),
        )],
    );
    let report = ingest_text(&db, "return.ach", &ret).await;
    assert_eq!(
        report.outcome,
        Outcome::Ingested,
        "{:?} {:?}",
        report.reason,
        report.diagnostics
    );
    assert_eq!(report.run.returned, 1);
    let active = export(&db, ExportWhat::Applications).await;
    assert!(
        active.rows.is_empty(),
        "the returned payment's application is reversed: {:?}",
        active.rows
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM applications WHERE reverses_id IS NOT NULL"
        )
        .await,
        1,
        "a reversal is a new row"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM applications").await,
        2,
        "nothing is deleted"
    );
    let payments = export(&db, ExportWhat::Payments).await;
    assert_eq!(column(&payments, "status"), ["non_ar", "non_ar"]);
    let mut conn = db.store.acquire().await.unwrap();
    let invoices = recond::store::invoices::load_for_matching(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        invoices[0].open_amount.to_string(),
        "100.00 USD",
        "the invoice is open again"
    );
}

async fn a_learned_alias_is_used_by_the_next_run(db: TestDb) {
    let customers = "customer_id,name,aliases,bank_accounts\nC-77,Acme Corporation,,\n";
    import_text(&db, ImportKind::Customers, customers)
        .await
        .unwrap();
    import_text(
        &db,
        ImportKind::Invoices,
        &format!("{INVOICE_HEADER}INV-LRN-1,C-77,Acme Corporation,77.00,USD,2026-10-01,,,,,\n"),
    )
    .await
    .unwrap();
    ingest_text(
        &db,
        "zx.csv",
        &format!("{BANK_HEADER}2026-11-02,,77.00,USD,ZX1,ZX TRADING,,THANK YOU\n"),
    )
    .await;
    assert_eq!(
        column(&export(&db, ExportWhat::Payments).await, "exception_reason"),
        ["unknown_payer"]
    );

    let mut tx = db.store.begin().await.unwrap();
    let added = recond::store::customers::learn(
        &mut tx,
        "C-77",
        recond::store::customers::Learned::Alias,
        "ZX TRADING",
        "clerk:ana",
    )
    .await
    .unwrap();
    assert!(added);
    let run = recond::pipeline::reconcile::run(&mut tx, &db.config, today())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(run.applied, 1);
    assert_eq!(
        column(&export(&db, ExportWhat::Applications).await, "invoice_id"),
        ["INV-LRN-1"]
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'alias_learned' AND actor = 'clerk:ana'"
        )
        .await,
        1
    );
}

async fn a_file_larger_than_a_batch_is_decided_batch_by_batch(mut db: TestDb) {
    db.config.match_batch_payments = 2;
    let invoices: String = (1..=5)
        .map(|n| format!("INV-{n},C1,ACME CORP,10.00,USD,2026-10-01,,,,,\n"))
        .collect();
    import_text(
        &db,
        ImportKind::Invoices,
        &format!("{INVOICE_HEADER}{invoices}"),
    )
    .await
    .unwrap();
    let mut bank: String = (1..=5)
        .map(|n| format!("2026-11-02,,10.00,USD,P{n},ACME CORP,,INVOICE INV-{n}\n"))
        .collect();
    // In the third batch: INV-1 was granted in the first, so this one must not take it.
    bank.push_str("2026-11-02,,10.00,USD,P6,ACME CORP,,INVOICE INV-1 AGAIN\n");
    bank.push_str("2026-11-02,,99.00,USD,P7,SOMEONE ELSE,,THANK YOU\n");
    // Twice in the file: right after the first (still waiting for its decision) and
    // batches later (stored by then). Each is stored once.
    bank.push_str("2026-11-02,,99.00,USD,P7,SOMEONE ELSE,,THANK YOU\n");
    bank.push_str("2026-11-02,,10.00,USD,P3,ACME CORP,,INVOICE INV-3\n");
    let report = ingest_text(&db, "batches.csv", &format!("{BANK_HEADER}{bank}")).await;
    assert_eq!(report.outcome, Outcome::Ingested, "{:?}", report.reason);
    assert_eq!(
        (report.transactions_stored, report.transactions_known),
        (7, 2)
    );
    assert_eq!(report.run.payments, 7);
    assert_eq!(report.run.applied, 5);
    assert_eq!(report.run.exceptions, 2);
    let applications = export(&db, ExportWhat::Applications).await;
    assert_eq!(
        column(&applications, "invoice_id"),
        ["INV-1", "INV-2", "INV-3", "INV-4", "INV-5"]
    );
    assert_eq!(
        column(&applications, "bank_ref"),
        ["P1", "P2", "P3", "P4", "P5"]
    );

    // A re-match pages through the payments still open, two at a time.
    let (_, run) = import_text(
        &db,
        ImportKind::Invoices,
        &format!("{INVOICE_HEADER}INV-9,C9,OTHER,1.00,USD,2026-10-01,,,,,\n"),
    )
    .await
    .unwrap();
    assert_eq!((run.payments, run.applied), (2, 0));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM applications").await, 5);
    // Seen alone, the second payment for INV-1 is cash for an invoice already paid.
    assert_eq!(
        column(&export(&db, ExportWhat::Payments).await, "status"),
        [
            "applied",
            "applied",
            "applied",
            "applied",
            "applied",
            "unapplied",
            "exception"
        ]
    );
}

async fn a_return_decided_before_its_payment_in_one_file_still_reverses_it(mut db: TestDb) {
    db.config.match_batch_payments = 1;
    import_text(
        &db,
        ImportKind::Invoices,
        &format!("{INVOICE_HEADER}INV-ACH-2,C1,ACME CORP,100.00,USD,2026-10-01,,,,,\n"),
    )
    .await
    .unwrap();
    let file = nacha_file(
        "ACME CORP",
        &[
            (
                "21",
                10_000,
                "091000010000001",
                Some(return_addenda("091000010000002", "091000010000001")),
            ),
            ("22", 10_000, "091000010000002", Some("05RMR*IV*INV-ACH-2*PI*100.00\\                                                 00010000002".to_owned())),
        ],
    );
    let report = ingest_text(&db, "return-first.ach", &file).await;
    assert_eq!(
        report.outcome,
        Outcome::Ingested,
        "{:?} {:?}",
        report.reason,
        report.diagnostics
    );
    assert_eq!(report.run.returned, 1);
    assert!(export(&db, ExportWhat::Applications).await.rows.is_empty());
    assert_eq!(
        column(&export(&db, ExportWhat::Payments).await, "status"),
        ["non_ar", "non_ar"]
    );
}
