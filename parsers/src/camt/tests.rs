//! Tests of the CAMT reader: golden fixtures, the public corpus, security limits and
//! line numbers.

use std::path::{Path, PathBuf};

use rust_decimal::Decimal;

use super::reader::{run, FileTotals};
use crate::diagnostic::{Diagnostics, Severity};
use crate::model::{Direction, EntryStatus};
use crate::money::parse_plain_decimal;
use crate::options::{Options, Relaxed};
use crate::sink::Collect;
use crate::Format;

struct Parsed {
    sink: Collect,
    diagnostics: Vec<crate::Diagnostic>,
    totals: FileTotals,
    version: Option<String>,
}

impl Parsed {
    fn errors(&self) -> Vec<&str> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.code.as_str())
            .collect()
    }

    fn rendered(&self) -> String {
        self.diagnostics
            .iter()
            .map(|d| format!("{d}\n"))
            .collect()
    }
}

fn read_with(bytes: &[u8], options: &Options) -> Parsed {
    let mut sink = Collect::default();
    let mut diagnostics = Diagnostics::new(options.limits.diagnostics_max);
    let outcome = run(bytes, options, &mut sink, &mut diagnostics);
    Parsed {
        sink,
        diagnostics: diagnostics.list().to_vec(),
        totals: outcome.totals,
        version: outcome.version,
    }
}

fn read(text: &str) -> Parsed {
    read_with(text.as_bytes(), &Options::default())
}

fn relaxed() -> Options {
    Options {
        relaxed: Relaxed {
            balances: true,
            control_totals: true,
        },
        ..Options::default()
    }
}

// ---- golden fixtures ----

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/camt")
}

fn fixture_files(kind: &str) -> Vec<PathBuf> {
    let dir = fixtures_dir().join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("fixtures folder {} missing: {error}", dir.display()))
        .map(|entry| entry.expect("readable fixtures folder").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "xml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

/// Compares `actual` with the `.expected` file next to `path`, or rewrites it under
/// `UPDATE_EXPECT=1`.
fn check_golden(path: &Path, actual: &str) {
    let expected_path = path.with_extension("expected");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&expected_path, actual).expect("writable fixtures");
        return;
    }
    let expected = std::fs::read_to_string(&expected_path).unwrap_or_else(|error| {
        panic!(
            "{} missing ({error}); run with UPDATE_EXPECT=1",
            expected_path.display()
        )
    });
    assert_eq!(
        expected,
        actual,
        "golden mismatch for {}; rerun with UPDATE_EXPECT=1 if intended",
        path.display()
    );
}

#[test]
fn golden_ok_fixtures_parse_without_errors() {
    for path in fixture_files("ok") {
        let bytes = std::fs::read(&path).expect("readable fixture");
        let mut sink = Collect::default();
        let report = crate::parse(Format::Camt, &bytes[..], &Options::default(), &mut sink);
        assert!(
            report.is_valid(),
            "{}: {:#?}",
            path.display(),
            report.diagnostics
        );
        assert!(sink.orphans.is_empty());
        let mut actual = sink.dump();
        for diagnostic in &report.diagnostics {
            actual.push_str(&format!("{diagnostic}\n"));
        }
        check_golden(&path, &actual);
    }
}

#[test]
fn golden_err_fixtures_are_rejected() {
    for path in fixture_files("err") {
        let bytes = std::fs::read(&path).expect("readable fixture");
        let mut sink = Collect::default();
        let report = crate::parse(Format::Camt, &bytes[..], &Options::default(), &mut sink);
        assert!(!report.is_valid(), "{} was accepted", path.display());
        let actual: String = report
            .diagnostics
            .iter()
            .map(|d| format!("{d}\n"))
            .collect();
        check_golden(&path, &actual);
    }
}

#[test]
fn crashers_never_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/crashers/camt");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for entry in entries {
        let bytes = std::fs::read(entry.expect("readable folder").path()).expect("readable");
        let mut sink = Collect::default();
        let _ = crate::parse(Format::Camt, &bytes[..], &Options::default(), &mut sink);
    }
}

// ---- public corpus ----

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

struct Row {
    path: String,
    malformed: bool,
    facts: Vec<(String, String)>,
}

impl Row {
    fn fact(&self, key: &str) -> &str {
        self.facts
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("{}: no fact {key}", self.path))
    }

    fn count(&self, key: &str) -> u64 {
        self.fact(key).parse().expect("numeric fact")
    }

    fn sum(&self, key: &str) -> Decimal {
        parse_plain_decimal(self.fact(key)).expect("decimal fact")
    }

    /// `OPBD:18.15 CLBD:-27.00 …` as (code, signed amount) pairs.
    fn balances(&self) -> Vec<(String, Decimal)> {
        self.fact("balances")
            .split_whitespace()
            .filter_map(|pair| {
                let (code, amount) = pair.split_once(':')?;
                Some((code.to_owned(), parse_plain_decimal(amount)?))
            })
            .collect()
    }
}

fn camt_rows() -> Vec<Row> {
    let manifest = corpus_dir().join("MANIFEST.tsv");
    let text = std::fs::read_to_string(&manifest).unwrap_or_else(|error| {
        panic!(
            "the corpus manifest {} is missing ({error}); the corpus test cannot run",
            manifest.display()
        )
    });
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("manifest header").split('\t').collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("manifest has no column {name}"))
    };
    let (path_col, format_col, malformed_col, facts_col) = (
        column("local_path"),
        column("format"),
        column("malformed"),
        column("intrinsic_facts_computed"),
    );
    lines
        .map(|line| line.split('\t').collect::<Vec<_>>())
        .filter(|cells| cells.get(format_col) == Some(&"camt"))
        .map(|cells| Row {
            path: cells[path_col].to_owned(),
            malformed: cells[malformed_col] == "yes",
            facts: cells[facts_col]
                .split("; ")
                .filter_map(|pair| pair.split_once('='))
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .collect(),
        })
        .collect()
}

/// Corpus files whose batched details do not add up to their entry (details in CHF
/// under an entry of 200000 SEK): the strict reader must say so.
const INCONSISTENT_BATCHES: &[&str] = &["camt054.v4.xml", "camt054.v8.xml"];

#[test]
fn corpus_files_parse_to_their_manifest_facts() {
    let rows = camt_rows();
    assert!(rows.len() >= 25, "expected the genkgo camt files, found {}", rows.len());
    for row in rows {
        let path = corpus_dir().join(&row.path);
        let bytes = std::fs::read(&path)
            .unwrap_or_else(|error| panic!("corpus file {} missing: {error}", path.display()));
        let strict = read_with(&bytes, &Options::default());
        let name = row.path.rsplit('/').next().unwrap_or_default();
        if row.malformed {
            assert!(
                !strict.errors().is_empty(),
                "{name} is malformed but was accepted"
            );
            continue;
        }
        assert_eq!(
            strict.version.as_deref(),
            row.fact("ns").split_whitespace().next(),
            "{name}: version"
        );
        // Relaxed, every non-malformed file is valid.
        let lenient = read_with(&bytes, &relaxed());
        assert!(
            lenient.errors().is_empty(),
            "{name} relaxed: {}",
            lenient.rendered()
        );
        let totals = &lenient.totals;
        assert_eq!(totals.statements, row.count("stmts"), "{name}: stmts");
        assert_eq!(totals.reports, row.count("rpts"), "{name}: rpts");
        assert_eq!(totals.notifications, row.count("ntfctns"), "{name}: ntfctns");
        assert_eq!(totals.entries, row.count("entries"), "{name}: entries");
        assert_eq!(totals.entries_credit, row.count("entries_crdt"), "{name}");
        assert_eq!(totals.entries_debit, row.count("entries_dbit"), "{name}");
        assert_eq!(totals.sum_credit, row.sum("sum_crdt"), "{name}: sum_crdt");
        assert_eq!(totals.sum_debit, row.sum("sum_dbit"), "{name}: sum_dbit");
        assert_eq!(totals.details, row.count("txdtls"), "{name}: txdtls");
        assert_eq!(strict.totals, lenient.totals, "{name}: strictness changed totals");

        // Balances: the reader's opening/closing match the manifest's, and the strict
        // reader reports a mismatch exactly when the file's own figures disagree.
        let facts = row.balances();
        let fact = |code: &str| -> Vec<Decimal> {
            facts.iter().filter(|(c, _)| c == code).map(|(_, a)| *a).collect()
        };
        let mut expected_checks = 0;
        let mut expected_mismatch = false;
        let statements = &lenient.sink.statements;
        let openings: Vec<Decimal> = statements
            .iter()
            .filter_map(|(s, _)| s.opening_balance.map(|m| m.amount))
            .collect();
        let closings: Vec<Decimal> = statements
            .iter()
            .filter_map(|(s, _)| s.closing_balance.map(|m| m.amount))
            .collect();
        let opening_facts = if fact("OPBD").is_empty() { fact("PRCD") } else { fact("OPBD") };
        assert_eq!(openings, opening_facts, "{name}: opening balances");
        assert_eq!(closings, fact("CLBD"), "{name}: closing balances");
        for (statement, transactions) in statements {
            let (Some(opening), Some(closing)) =
                (statement.opening_balance, statement.closing_balance)
            else {
                continue;
            };
            if totals.statements == 0 {
                continue;
            }
            expected_checks += 1;
            let mut computed = opening.amount;
            let mut currencies_agree = opening.currency == closing.currency;
            for tx in transactions.iter().filter(|tx| tx.status == EntryStatus::Booked) {
                currencies_agree &= tx.amount.currency == opening.currency;
                match tx.direction {
                    Direction::Credit => computed += tx.amount.amount,
                    Direction::Debit => computed -= tx.amount.amount,
                }
            }
            expected_mismatch |= !currencies_agree || computed != closing.amount;
        }
        assert_eq!(totals.balance_checks, expected_checks, "{name}: balances checked");
        let strict_errors = strict.errors();
        assert_eq!(
            strict_errors.contains(&"camt_closing_balance_mismatch"),
            expected_mismatch,
            "{name}: {}",
            strict.rendered()
        );
        assert_eq!(
            strict_errors.contains(&"camt_batch_amount_mismatch"),
            INCONSISTENT_BATCHES.contains(&name),
            "{name}: {}",
            strict.rendered()
        );
        let unexpected: Vec<_> = strict_errors
            .iter()
            .filter(|code| {
                !matches!(
                    **code,
                    "camt_closing_balance_mismatch" | "camt_batch_amount_mismatch"
                )
            })
            .collect();
        assert!(unexpected.is_empty(), "{name}: {}", strict.rendered());
    }
}

#[test]
fn corpus_minimal_file_balances_do_not_add_up() {
    let path = corpus_dir().join("camt/genkgo-camt/test/data/camt053.v2.minimal.xml");
    let bytes = std::fs::read(&path).expect("corpus file");
    let parsed = read_with(&bytes, &Options::default());
    let rendered = parsed.rendered();
    assert!(
        rendered.contains("error[camt_closing_balance_mismatch]")
            && rendered.contains("expected 27.00 EUR, found \"-27.00 SEK\""),
        "{rendered}"
    );
    let lenient = read_with(&bytes, &relaxed());
    assert!(lenient.errors().is_empty());
    assert!(lenient
        .rendered()
        .contains("warning[camt_closing_balance_mismatch]"));
}
