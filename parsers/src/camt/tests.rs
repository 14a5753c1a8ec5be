//! Tests of the CAMT reader: golden fixtures, the public corpus, security limits and
//! line numbers.

use std::path::{Path, PathBuf};
use std::time::Duration;

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
        self.diagnostics.iter().map(|d| format!("{d}\n")).collect()
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
    assert!(
        rows.len() >= 25,
        "expected the genkgo camt files, found {}",
        rows.len()
    );
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
        assert_eq!(
            totals.notifications,
            row.count("ntfctns"),
            "{name}: ntfctns"
        );
        assert_eq!(totals.entries, row.count("entries"), "{name}: entries");
        assert_eq!(totals.entries_credit, row.count("entries_crdt"), "{name}");
        assert_eq!(totals.entries_debit, row.count("entries_dbit"), "{name}");
        assert_eq!(totals.sum_credit, row.sum("sum_crdt"), "{name}: sum_crdt");
        assert_eq!(totals.sum_debit, row.sum("sum_dbit"), "{name}: sum_dbit");
        assert_eq!(totals.details, row.count("txdtls"), "{name}: txdtls");
        assert_eq!(
            strict.totals, lenient.totals,
            "{name}: strictness changed totals"
        );

        // Balances: the reader's opening/closing match the manifest's, and the strict
        // reader reports a mismatch exactly when the file's own figures disagree.
        let facts = row.balances();
        let fact = |code: &str| -> Vec<Decimal> {
            facts
                .iter()
                .filter(|(c, _)| c == code)
                .map(|(_, a)| *a)
                .collect()
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
        let opening_facts = if fact("OPBD").is_empty() {
            fact("PRCD")
        } else {
            fact("OPBD")
        };
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
            for tx in transactions
                .iter()
                .filter(|tx| tx.status == EntryStatus::Booked)
            {
                currencies_agree &= tx.amount.currency == opening.currency;
                match tx.direction {
                    Direction::Credit => computed += tx.amount.amount,
                    Direction::Debit => computed -= tx.amount.amount,
                }
            }
            expected_mismatch |= !currencies_agree || computed != closing.amount;
        }
        assert_eq!(
            totals.balance_checks, expected_checks,
            "{name}: balances checked"
        );
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

// ---- generated statements ----

/// One entry of a generated statement.
#[derive(Debug, Clone)]
struct GenEntry {
    credit: bool,
    booked: bool,
    /// Detail amounts in cents; the entry amount is their sum. One detail or none
    /// means an unbatched entry.
    details: Vec<u64>,
    text: String,
}

impl GenEntry {
    fn cents(&self) -> u64 {
        self.details.iter().sum()
    }
}

fn decimal_cents(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Renders a consistent CAMT.053.001.08 statement; `pad` varies whitespace so that
/// line numbers and chunk boundaries move around.
fn render(entries: &[GenEntry], opening_cents: i64, pad: usize) -> String {
    let mut closing = opening_cents;
    for entry in entries.iter().filter(|e| e.booked) {
        let cents = i64::try_from(entry.cents()).expect("small amounts");
        closing += if entry.credit { cents } else { -cents };
    }
    let balance = |code: &str, cents: i64| {
        format!(
            "<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">{}</Amt><CdtDbtInd>{}</CdtDbtInd><Dt><Dt>2026-01-01</Dt></Dt></Bal>\n",
            decimal_cents(cents.unsigned_abs()),
            if cents < 0 { "DBIT" } else { "CRDT" }
        )
    };
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\"><BkToCstmrStmt>\n<Stmt><Id>GEN</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>\n",
    );
    xml.push_str(&balance("OPBD", opening_cents));
    xml.push_str(&balance("CLBD", closing));
    for (index, entry) in entries.iter().enumerate() {
        let spaces = " ".repeat((index * 7 + pad) % 5);
        let newlines = "\n".repeat((index + pad) % 3);
        xml.push_str(&format!(
            "{spaces}<Ntry>{newlines}<Amt Ccy=\"EUR\">{}</Amt><CdtDbtInd>{}</CdtDbtInd><Sts><Cd>{}</Cd></Sts><AcctSvcrRef>E{index}</AcctSvcrRef>\n",
            decimal_cents(entry.cents()),
            if entry.credit { "CRDT" } else { "DBIT" },
            if entry.booked { "BOOK" } else { "PDNG" },
        ));
        if !entry.details.is_empty() {
            xml.push_str("<NtryDtls>\n");
            for cents in &entry.details {
                xml.push_str(&format!(
                    "{newlines}<TxDtls><Amt Ccy=\"EUR\">{}</Amt><RmtInf><Ustrd>{}</Ustrd></RmtInf></TxDtls>\n",
                    decimal_cents(*cents),
                    escape(&entry.text)
                ));
            }
            xml.push_str("</NtryDtls>");
        }
        xml.push_str("</Ntry>\n");
    }
    xml.push_str("</Stmt></BkToCstmrStmt></Document>\n");
    xml
}

fn sample_entries(count: usize) -> Vec<GenEntry> {
    (0..count)
        .map(|i| GenEntry {
            credit: i % 3 != 0,
            booked: i % 5 != 4,
            details: match i % 4 {
                0 => vec![],
                1 => vec![100 + i as u64],
                _ => vec![1 + i as u64, 250, 3],
            },
            text: format!("INV-{i} & <co>"),
        })
        .collect()
}

#[test]
fn positions_are_exact_bytes_and_lines_across_chunk_boundaries() {
    let entries: Vec<GenEntry> = (0..40)
        .map(|i| GenEntry {
            credit: i % 2 == 0,
            booked: true,
            details: if i % 3 == 0 {
                vec![10, 20]
            } else {
                vec![5 + i]
            },
            text: format!("line\nbreak {i}"),
        })
        .collect();
    for pad in 0..3 {
        let xml = render(&entries, 0, pad);
        for capacity in [1, 7, 64, 8192] {
            let reader = std::io::BufReader::with_capacity(capacity, xml.as_bytes());
            let mut sink = Collect::default();
            let mut diagnostics = Diagnostics::new(100);
            run(reader, &Options::default(), &mut sink, &mut diagnostics);
            assert!(!diagnostics.has_error(), "{:?}", diagnostics.list());
            // Every transaction starts at a <TxDtls> or, without details, an <Ntry>.
            let starts: Vec<usize> = xml
                .match_indices('<')
                .map(|(at, _)| at)
                .filter(|at| {
                    let rest = &xml[*at..];
                    rest.starts_with("<TxDtls>")
                        || (rest.starts_with("<Ntry>") && {
                            let end = rest.find("</Ntry>").unwrap_or(rest.len());
                            !rest[..end].contains("<TxDtls>")
                                || rest[..end].matches("<TxDtls>").count() == 1
                        })
                })
                .collect();
            let mut expected = Vec::new();
            for at in starts {
                let rest = &xml[at..];
                if rest.starts_with("<Ntry>") {
                    let end = rest.find("</Ntry>").unwrap_or(rest.len());
                    if rest[..end].matches("<TxDtls>").count() == 1 {
                        continue; // the single detail's own position is used
                    }
                }
                expected.push((at as u64, xml[..at].matches('\n').count() as u64 + 1));
            }
            let actual: Vec<(u64, u64)> = sink
                .transactions()
                .map(|tx| (tx.position.byte, tx.position.line))
                .collect();
            assert_eq!(actual, expected, "capacity {capacity}, pad {pad}");
        }
    }
}

#[test]
fn generated_statements_stream_and_balance() {
    let entries = sample_entries(2_000);
    let xml = render(&entries, -12_345, 1);
    let parsed = read(&xml);
    assert!(parsed.errors().is_empty(), "{}", parsed.rendered());
    assert_eq!(parsed.totals.entries, 2_000);
    assert_eq!(parsed.totals.balance_checks, 1);
    let expected_transactions: usize = entries.iter().map(|e| e.details.len().max(1)).sum();
    assert_eq!(parsed.sink.transactions().count(), expected_transactions);
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    fn entry() -> impl Strategy<Value = GenEntry> {
        (
            any::<bool>(),
            any::<bool>(),
            prop::collection::vec(0u64..10_000_000, 0..4),
            "[ -~]{0,20}",
        )
            .prop_map(|(credit, booked, details, text)| GenEntry {
                credit,
                booked,
                details,
                text,
            })
    }

    proptest! {
        #[test]
        fn rendered_statements_parse_back_to_the_same_amounts(
            entries in prop::collection::vec(entry(), 0..30),
            opening in -1_000_000_000i64..1_000_000_000,
            pad in 0usize..3,
        ) {
            let xml = render(&entries, opening, pad);
            let parsed = read(&xml);
            prop_assert!(parsed.errors().is_empty(), "{}", parsed.rendered());
            let transactions: Vec<_> = parsed.sink.transactions().collect();
            let mut expected = Vec::new();
            for entry in &entries {
                if entry.details.len() >= 2 {
                    expected.extend(entry.details.iter().map(|c| (*c, entry.credit)));
                } else {
                    expected.push((entry.cents(), entry.credit));
                }
            }
            let actual: Vec<(u64, bool)> = transactions
                .iter()
                .map(|tx| {
                    let cents = tx.amount.to_minor().expect("two decimals");
                    (u64::try_from(cents).expect("positive"), tx.direction == Direction::Credit)
                })
                .collect();
            prop_assert_eq!(actual, expected);
            for (tx, text) in transactions.iter().zip(entries.iter().flat_map(|e| {
                std::iter::repeat_n(e.text.trim(), e.details.len().max(1))
                    .map(move |t| (t, e.details.is_empty()))
            })) {
                let (text, no_details) = text;
                if !no_details && !text.is_empty() {
                    prop_assert_eq!(tx.remittance.lines.first().map(|line| line.as_ref()), Some(text));
                }
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2_000)) {
            let _ = read_with(&bytes, &Options::default());
        }

        #[test]
        fn truncations_are_rejected_not_accepted(cut in 0usize..1_000) {
            let xml = render(&sample_entries(6), 100, 0);
            let end = xml.trim_end().len();
            let cut = cut.min(end - 1);
            let parsed = read_with(&xml.as_bytes()[..cut], &Options::default());
            prop_assert!(!parsed.errors().is_empty(), "cut at {} accepted", cut);
        }
    }
}

// ---- security and limits ----

const SMALL: &str = r#"<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><Stmt><Id>S</Id>
<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>
<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts></Ntry>
<Ntry><Amt Ccy="EUR">2.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts></Ntry>
<Ntry><Amt Ccy="EUR">3.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts></Ntry>
</Stmt></BkToCstmrStmt></Document>"#;

#[test]
fn small_file_is_valid() {
    let parsed = read(SMALL);
    assert!(parsed.diagnostics.is_empty(), "{}", parsed.rendered());
    assert_eq!(parsed.sink.transactions().count(), 3);
    assert_eq!(parsed.version.as_deref(), Some("camt.053.001.08"));
}

#[test]
fn external_doctype_is_refused_and_nothing_is_read() {
    let text = SMALL.replace(
        "<?xml version=\"1.0\"?>",
        "<?xml version=\"1.0\"?><!DOCTYPE Document SYSTEM \"file:///etc/passwd\">",
    );
    let parsed = read(&text);
    assert_eq!(parsed.errors(), ["camt_doctype_forbidden"]);
    assert!(parsed.sink.statements.is_empty());
}

#[test]
fn undeclared_entities_are_errors() {
    let text = SMALL.replace("<Id>S</Id>", "<Id>&xxe;</Id>");
    assert_eq!(read(&text).errors(), ["camt_malformed_xml"]);
    let text = SMALL.replace("<Id>S</Id>", "<Id>&#65;&lt;&#x42;</Id>");
    let parsed = read(&text);
    assert!(parsed.errors().is_empty());
    assert_eq!(parsed.sink.statements[0].0.id, "A<B");
}

#[test]
fn nesting_beyond_the_depth_limit_stops() {
    let deep = "<X>".repeat(100) + &"</X>".repeat(100);
    let text = SMALL.replace("<Id>S</Id>", &format!("<Id>S</Id>{deep}"));
    assert_eq!(read(&text).errors(), ["camt_xml_too_deep"]);
}

#[test]
fn an_endless_token_is_cut_at_the_token_limit() {
    let mut options = Options::default();
    options.limits.xml_token_bytes_max = 4096;
    let text = SMALL.replace("<Id>S</Id>", &format!("<Id>{}</Id>", "S".repeat(100_000)));
    let parsed = read_with(text.as_bytes(), &options);
    assert_eq!(parsed.errors(), ["camt_xml_token_too_long"]);
}

#[test]
fn file_and_record_limits() {
    let mut options = Options::default();
    options.limits.file_size_bytes_max = 200;
    assert_eq!(
        read_with(SMALL.as_bytes(), &options).errors(),
        ["file_too_large"]
    );
    options.limits.file_size_bytes_max = SMALL.len() as u64;
    assert!(read_with(SMALL.as_bytes(), &options).errors().is_empty());
    let mut options = Options::default();
    options.limits.records_max = 2;
    assert_eq!(
        read_with(SMALL.as_bytes(), &options).errors(),
        ["too_many_records"]
    );
}

#[test]
fn invalid_utf8_in_used_text_is_reported() {
    let text = SMALL.replace("<Id>S</Id>", "<Id>S\u{1}</Id>");
    let mut bytes = text.into_bytes();
    let at = bytes.iter().position(|b| *b == 1).expect("marker");
    bytes[at] = 0xFF;
    assert_eq!(
        read_with(&bytes, &Options::default()).errors(),
        ["invalid_encoding"]
    );
}

#[test]
fn empty_elements_are_read_as_empty() {
    let text = SMALL.replacen(
        "<Sts>BOOK</Sts></Ntry>",
        "<Sts>BOOK</Sts><NtryDtls><TxDtls><RmtInf><Ustrd/></RmtInf></TxDtls></NtryDtls></Ntry>",
        1,
    );
    let parsed = read(&text);
    assert!(parsed.errors().is_empty(), "{}", parsed.rendered());
    assert!(parsed
        .sink
        .transactions()
        .next()
        .is_some_and(|tx| tx.remittance.is_empty()));
    let text = SMALL.replacen(
        "<Ntry><Amt Ccy=\"EUR\">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts></Ntry>",
        "<Ntry/>",
        1,
    );
    assert_eq!(
        read(&text).errors(),
        ["missing_field", "missing_field", "missing_field"]
    );
}

#[test]
fn a_version_with_multibyte_characters_does_not_panic() {
    let text = SMALL.replace("camt.053.001.08", "camt.05é.00€");
    let parsed = read(&text);
    assert!(parsed.errors().is_empty());
    assert_eq!(parsed.diagnostics[0].code.as_str(), "camt_unknown_version");
}

#[test]
fn huge_amounts_do_not_overflow_the_totals() {
    let huge = "<Ntry><Amt Ccy=\"EUR\">9999999999999999999999999999</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts></Ntry>";
    let text = SMALL.replace("</Stmt>", &format!("{}</Stmt>", huge.repeat(10)));
    let parsed = read(&text);
    assert!(parsed.errors().is_empty(), "{}", parsed.rendered());
    assert_eq!(parsed.totals.sum_credit, Decimal::MAX);
}

#[test]
fn unknown_version_is_a_warning() {
    let text = SMALL.replace("camt.053.001.08", "camt.053.001.42");
    let parsed = read(&text);
    assert!(parsed.errors().is_empty());
    assert_eq!(parsed.diagnostics[0].code.as_str(), "camt_unknown_version");
}

#[test]
fn relaxed_turns_control_errors_into_warnings() {
    let path = fixtures_dir().join("err/0005-batch-amount-mismatch.xml");
    let bytes = std::fs::read(path).expect("fixture");
    assert_eq!(
        read_with(&bytes, &Options::default()).errors(),
        ["camt_batch_amount_mismatch"]
    );
    let parsed = read_with(&bytes, &relaxed());
    assert!(parsed.errors().is_empty());
    assert_eq!(parsed.sink.transactions().count(), 2);
}

#[test]
fn a_batched_detail_without_its_own_reference_gets_the_entry_reference_and_index() {
    let text = SMALL.replacen(
        "<Sts>BOOK</Sts></Ntry>",
        "<Sts>BOOK</Sts><AcctSvcrRef>REF</AcctSvcrRef><NtryDtls><TxDtls><Amt Ccy=\"EUR\">0.40</Amt></TxDtls><TxDtls><Refs><AcctSvcrRef>OWN</AcctSvcrRef></Refs><Amt Ccy=\"EUR\">0.60</Amt></TxDtls></NtryDtls></Ntry>",
        1,
    );
    let parsed = read(&text);
    assert!(parsed.errors().is_empty(), "{}", parsed.rendered());
    let refs: Vec<&str> = parsed
        .sink
        .transactions()
        .map(|tx| tx.bank_ref.as_ref())
        .collect();
    assert_eq!(refs, ["REF/1", "OWN", "", ""]);
}

// ---- speed and memory (run by hand: see fixtures/camt/README.md) ----

/// Streams a large, consistent CAMT.053 statement without holding it in memory:
/// `entries` entries alternating a credit with three batched details and a debit
/// with one detail, so the closing balance equals the opening balance.
struct Generated {
    entries: u64,
    next: u64,
    chunk: Vec<u8>,
    at: usize,
    done: bool,
}

impl Generated {
    fn new(entries: u64) -> Self {
        let header = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\">\n<BkToCstmrStmt>\n<GrpHdr><MsgId>BIG</MsgId><CreDtTm>2026-01-01T00:00:00</CreDtTm></GrpHdr>\n<Stmt>\n<Id>BIG-1</Id>\n<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>\n<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-01-01</Dt></Dt></Bal>\n<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-01-01</Dt></Dt></Bal>\n";
        Generated {
            entries,
            next: 0,
            chunk: header.as_bytes().to_vec(),
            at: 0,
            done: false,
        }
    }

    fn refill(&mut self) {
        use std::fmt::Write;
        self.chunk.clear();
        self.at = 0;
        let mut text = String::new();
        while text.len() < 32 * 1024 && self.next < self.entries {
            let i = self.next;
            self.next += 1;
            if i & 1 == 0 {
                let _ = write!(
                    text,
                    "    <Ntry>\n      <Amt Ccy=\"EUR\">12.34</Amt>\n      <CdtDbtInd>CRDT</CdtDbtInd>\n      <Sts><Cd>BOOK</Cd></Sts>\n      <BookgDt><Dt>2026-01-01</Dt></BookgDt>\n      <ValDt><Dt>2026-01-01</Dt></ValDt>\n      <AcctSvcrRef>REF{i}</AcctSvcrRef>\n      <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>\n      <NtryDtls>\n"
                );
                for (n, amount) in ["10.00", "2.00", "0.34"].iter().enumerate() {
                    let _ = write!(
                        text,
                        "        <TxDtls>\n          <Refs><EndToEndId>E2E-{i}-{n}</EndToEndId></Refs>\n          <Amt Ccy=\"EUR\">{amount}</Amt>\n          <CdtDbtInd>CRDT</CdtDbtInd>\n          <RltdPties><Dbtr><Pty><Nm>Customer {i} GmbH</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></DbtrAcct></RltdPties>\n          <RmtInf><Strd><RfrdDocInf><Tp><CdOrPrtry><Cd>CINV</Cd></CdOrPrtry></Tp><Nb>INV-{i}-{n}</Nb></RfrdDocInf><RfrdDocAmt><RmtdAmt Ccy=\"EUR\">{amount}</RmtdAmt></RfrdDocAmt></Strd></RmtInf>\n        </TxDtls>\n"
                    );
                }
                text.push_str("      </NtryDtls>\n    </Ntry>\n");
            } else {
                let _ = write!(
                    text,
                    "    <Ntry>\n      <Amt Ccy=\"EUR\">12.34</Amt>\n      <CdtDbtInd>DBIT</CdtDbtInd>\n      <Sts><Cd>BOOK</Cd></Sts>\n      <BookgDt><Dt>2026-01-01</Dt></BookgDt>\n      <AcctSvcrRef>REF{i}</AcctSvcrRef>\n      <NtryDtls><TxDtls><RltdPties><Cdtr><Pty><Nm>Supplier {i}</Nm></Pty></Cdtr></RltdPties><RmtInf><Ustrd>Order {i}</Ustrd></RmtInf></TxDtls></NtryDtls>\n    </Ntry>\n"
                );
            }
        }
        if self.next >= self.entries && text.len() < 32 * 1024 {
            text.push_str("</Stmt>\n</BkToCstmrStmt>\n</Document>\n");
            self.done = true;
        }
        self.chunk.extend_from_slice(text.as_bytes());
    }
}

impl std::io::Read for Generated {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.chunk.len() {
            if self.done {
                return Ok(0);
            }
            self.refill();
        }
        let count = out.len().min(self.chunk.len() - self.at);
        out[..count].copy_from_slice(&self.chunk[self.at..self.at + count]);
        self.at += count;
        Ok(count)
    }
}

/// Counts what arrives, keeping nothing.
#[derive(Default)]
struct Counting {
    statements: u64,
    transactions: u64,
}

impl crate::sink::Sink for Counting {
    fn statement(&mut self, _: crate::Statement) {
        self.statements += 1;
    }
    fn transaction(&mut self, _: &crate::Transaction) {
        self.transactions += 1;
    }
}

/// CPU time of this thread in seconds (from the scheduler's statistics), which a
/// loaded machine disturbs much less than wall time.
fn thread_cpu_seconds() -> f64 {
    let nanos: u64 = std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    Duration::from_nanos(nanos).as_secs_f64()
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .and_then(|line| line.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// `cargo test --release -p parsers camt_speed -- --ignored --nocapture`
#[test]
#[ignore = "a measurement, not a check; run by hand in release mode"]
fn camt_speed_and_memory() {
    // Generated into memory first, so that both loops measure parsing only.
    let setting = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|value| value.parse().ok())
            .unwrap_or(default)
    };
    let entries = setting("CAMT_SPEED_ENTRIES", 100_000);
    let mut data = Vec::new();
    std::io::copy(&mut Generated::new(entries), &mut data).expect("generate");
    let bytes = data.len();
    let data_all = &data;
    let mut best = (f64::MAX, f64::MAX);
    let mut events = 0u64;
    let mut sink = Counting::default();
    let mut diagnostics = Diagnostics::new(100);
    let rss_before = peak_rss_kib();
    // For instruction counts under `perf stat`, which a loaded machine does not
    // disturb the way it disturbs wall time.
    let only_ours = std::env::var_os("CAMT_SPEED_ONLY_OURS").is_some();
    let skip_ours = std::env::var_os("CAMT_SPEED_SKIP_OURS").is_some();
    for _ in 0..setting("CAMT_SPEED_RUNS", 5) {
        let baseline_start = thread_cpu_seconds();
        let data = if only_ours { &data[..0] } else { &data[..] };
        let mut reader = quick_xml::Reader::from_reader(data);
        let mut buffer = Vec::new();
        events = 0;
        loop {
            buffer.clear();
            match reader.read_event_into(&mut buffer) {
                Ok(quick_xml::events::Event::Eof) | Err(_) => break,
                Ok(_) => events += 1,
            }
        }
        best.0 = best.0.min(thread_cpu_seconds() - baseline_start);
        let start = thread_cpu_seconds();
        sink = Counting::default();
        diagnostics = Diagnostics::new(100);
        let ours_data = if skip_ours {
            &data_all[..0]
        } else {
            &data_all[..]
        };
        run(ours_data, &Options::default(), &mut sink, &mut diagnostics);
        best.1 = best.1.min(thread_cpu_seconds() - start);
    }
    let (baseline, ours) = best;
    let rss_after = peak_rss_kib();
    if !skip_ours {
        assert!(!diagnostics.has_error(), "{:?}", diagnostics.list());
        assert_eq!(sink.transactions, entries * 2);
    }
    let mib = |seconds: f64| bytes as f64 / 1_048_576.0 / seconds;
    println!(
        "{bytes} bytes, {events} events, {} transactions\nbare quick-xml loop: {baseline:.3}s ({:.0} MiB/s)\ncamt reader:         {ours:.3}s ({:.0} MiB/s), {:.2}x the bare loop\npeak RSS {rss_before} KiB before parsing, {rss_after} KiB after",
        sink.transactions,
        mib(baseline),
        mib(ours),
        baseline / ours,
    );
}
