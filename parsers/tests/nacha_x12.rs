//! Golden fixtures, corpus conformance and crash regressions for the NACHA and X12 820
//! readers.
//!
//! - `fixtures/{nacha,x12_820}/{ok,err}/`: each input next to its `.expected` text (the
//!   `Collect::dump()` plus one rendered diagnostic per line); `ok` inputs must have no
//!   error, `err` inputs at least one. `UPDATE_EXPECT=1` rewrites the golden files.
//! - `../shared/corpus`: every `nacha` and `edi820` row of MANIFEST.tsv, checked against
//!   the counts and totals of its `intrinsic_facts_computed` column.
//! - `fixtures/crashers/{nacha,x12_820}/`: inputs that once crashed; they must not panic.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use parsers::model::Direction;
use parsers::{Collect, Format, Options, Report};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn corpus_root() -> PathBuf {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus"));
    assert!(
        root.join("MANIFEST.tsv").is_file(),
        "the shared corpus is missing at {}: corpus tests cannot run",
        root.display()
    );
    root.to_path_buf()
}

fn parse_bytes(format: Format, bytes: &[u8]) -> (Collect, Report) {
    let mut sink = Collect::default();
    let report = parsers::parse(format, bytes, &Options::default(), &mut sink);
    (sink, report)
}

fn render(sink: &Collect, report: &Report) -> String {
    let mut out = sink.dump();
    for diagnostic in &report.diagnostics {
        out.push_str(&diagnostic.to_string());
        out.push('\n');
    }
    out
}

fn check_golden(format: Format, folder: &str) {
    let base = repo_root().join("fixtures").join(folder);
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut checked = 0;
    let mut failures = Vec::new();
    for kind in ["ok", "err"] {
        let dir = base.join(kind);
        let mut inputs: Vec<PathBuf> = fs::read_dir(&dir)
            .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext != "expected"))
            .collect();
        inputs.sort();
        for input in inputs {
            let bytes = fs::read(&input).unwrap();
            let (sink, report) = parse_bytes(format, &bytes);
            let name = input.display().to_string();
            if kind == "ok" && !report.is_valid() {
                failures.push(format!(
                    "{name}: expected no error, got\n{}",
                    render(&sink, &report)
                ));
            }
            if kind == "err" && report.is_valid() {
                failures.push(format!("{name}: expected an error, got none"));
            }
            let rendered = render(&sink, &report);
            let expected_path = input.with_extension("expected");
            if update {
                fs::write(&expected_path, &rendered).unwrap();
            } else {
                let expected = fs::read_to_string(&expected_path).unwrap_or_default();
                if expected != rendered {
                    failures.push(format!(
                        "{name}: output differs from {} (UPDATE_EXPECT=1 to bless)\n--- expected\n{expected}--- found\n{rendered}",
                        expected_path.display()
                    ));
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 0, "no fixtures in {}", base.display());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn nacha_golden_fixtures() {
    check_golden(Format::Nacha, "nacha");
}

#[test]
fn x12_820_golden_fixtures() {
    check_golden(Format::X12_820, "x12_820");
}

#[test]
fn crashers_do_not_panic() {
    for (format, folder) in [(Format::Nacha, "nacha"), (Format::X12_820, "x12_820")] {
        let dir = repo_root().join("fixtures/crashers").join(folder);
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let bytes = fs::read(entry.unwrap().path()).unwrap();
            let _ = parse_bytes(format, &bytes);
        }
    }
}

/// One MANIFEST.tsv row, by column name.
struct Row {
    columns: BTreeMap<String, String>,
    facts: BTreeMap<String, String>,
}

impl Row {
    fn get(&self, name: &str) -> &str {
        self.columns.get(name).map(String::as_str).unwrap_or("")
    }

    fn fact(&self, name: &str) -> Option<&str> {
        self.facts.get(name).map(String::as_str)
    }

    fn fact_number(&self, name: &str) -> Option<i128> {
        self.fact(name).map(|value| {
            value.parse().unwrap_or_else(|_| {
                panic!(
                    "{}: fact {name}={value} is not a number",
                    self.get("local_path")
                )
            })
        })
    }
}

fn manifest_rows(format: &str) -> Vec<Row> {
    let text = fs::read_to_string(corpus_root().join("MANIFEST.tsv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let mut rows = Vec::new();
    for line in lines {
        let values: Vec<&str> = line.split('\t').collect();
        let columns: BTreeMap<String, String> = header
            .iter()
            .zip(values.iter())
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        if columns.get("format").map(String::as_str) != Some(format) {
            continue;
        }
        let facts = columns
            .get("intrinsic_facts_computed")
            .map(|facts| {
                facts
                    .split("; ")
                    .filter_map(|pair| pair.split_once('='))
                    .map(|(key, value)| (key.trim().to_owned(), value.trim().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        rows.push(Row { columns, facts });
    }
    rows
}

fn read_corpus_file(path: &Path) -> Vec<u8> {
    let bytes = fs::read(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    if path.extension().is_some_and(|ext| ext == "gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .unwrap();
        return out;
    }
    bytes
}

/// Corpus files whose origin reads them but recond rejects on purpose, with the code
/// that rejects them.
const REJECTED_ON_PURPOSE: &[(&str, &str)] = &[
    // No file header, batch header or file control: moov-io/ach's iterator yields the
    // entries, but a file without its file control may be cut short and is never loaded.
    (
        "nacha/moov-io-ach/test/testdata/return-no-batch-header.ach",
        "nacha_missing_file_control",
    ),
];

#[test]
fn nacha_corpus_matches_the_manifest() {
    let rows = manifest_rows("nacha");
    assert!(rows.len() >= 30, "expected the nacha rows of the manifest");
    let mut seen = std::collections::BTreeSet::new();
    for row in rows {
        let local = row.get("local_path").to_owned();
        if !seen.insert(local.clone()) {
            continue;
        }
        let bytes = read_corpus_file(&corpus_root().join(&local));
        let (sink, report) = parse_bytes(Format::Nacha, &bytes);
        let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code.as_str()).collect();
        if let Some((_, code)) = REJECTED_ON_PURPOSE.iter().find(|(path, _)| *path == local) {
            assert!(!report.is_valid(), "{local}: expected rejection");
            assert!(
                codes.contains(code),
                "{local}: expected {code}, got {codes:?}"
            );
            continue;
        }
        if row.get("malformed") == "yes" {
            assert!(!report.is_valid(), "{local}: malformed file accepted");
            continue;
        }
        let rendered: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
        assert!(report.is_valid(), "{local}: rejected: {rendered:#?}");
        let controls = [
            "nacha_entry_count_mismatch",
            "nacha_entry_hash_mismatch",
            "nacha_total_mismatch",
            "nacha_batch_count_mismatch",
            "nacha_block_count_mismatch",
        ];
        assert!(
            !codes.iter().any(|code| controls.contains(code)),
            "{local}: control mismatch reported: {rendered:#?}"
        );
        let batches = row.fact_number("batches").unwrap();
        let entries = row.fact_number("entries").unwrap();
        let addenda = row.fact_number("addenda").unwrap();
        assert_eq!(sink.statements.len() as i128, batches, "{local}: batches");
        assert_eq!(
            sink.transactions().count() as i128,
            entries,
            "{local}: entries"
        );
        // The parser checked the file control's entry/addenda count and entry hash
        // against the records it read (no *_mismatch above); the manifest's computed
        // figures must agree with those controls.
        if let Some(control_count) = row.fact_number("fc_entry_addenda_count") {
            assert_eq!(
                entries + addenda,
                control_count,
                "{local}: entries + addenda"
            );
        }
        if let (Some(hash), Some(control_hash)) = (
            row.fact_number("calc_entry_hash"),
            row.fact_number("fc_entry_hash"),
        ) {
            assert_eq!(hash, control_hash, "{local}: entry hash");
        }
        for (fact, direction) in [
            ("calc_debit_cents", Direction::Debit),
            ("calc_credit_cents", Direction::Credit),
        ] {
            let Some(expected) = row.fact_number(fact) else {
                continue;
            };
            let total: i128 = sink
                .transactions()
                .filter(|tx| tx.direction == direction)
                .map(|tx| i128::from(tx.amount.to_minor().unwrap()))
                .sum();
            assert_eq!(total, expected, "{local}: {fact}");
        }
    }
}

/// Corpus 820 samples whose SE01 does not count their segments (SE01 declared, segments
/// from ST to SE counted): strict parsing rejects them, `Relaxed::control_totals`
/// reads them with a warning.
const WRONG_SE_COUNT: &[(&str, u32, u32)] = &[
    ("820 Child Health Plus Payment (EFT).txt", 17, 19),
    ("820 Essentail Health Plan.txt", 14, 17),
];

#[test]
fn edi820_corpus_matches_the_manifest() {
    let rows = manifest_rows("edi820");
    assert!(!rows.is_empty(), "expected the edi820 rows of the manifest");
    for row in rows {
        let local = row.get("local_path").to_owned();
        let bytes = read_corpus_file(&corpus_root().join(&local));
        let mut options = Options::default();
        if let Some((_, declared, counted)) = WRONG_SE_COUNT
            .iter()
            .find(|(name, _, _)| local.ends_with(name))
        {
            let (_, strict) = parse_bytes(Format::X12_820, &bytes);
            let rendered: Vec<String> = strict.diagnostics.iter().map(|d| d.to_string()).collect();
            assert!(!strict.is_valid(), "{local}: wrong SE01 accepted");
            assert_eq!(rendered.len(), 1, "{local}: {rendered:#?}");
            assert!(
                rendered[0].contains("x12_segment_count_mismatch")
                    && rendered[0].contains(&format!("expected {counted}, found \"{declared}\"")),
                "{local}: {rendered:#?}"
            );
            options.relaxed.control_totals = true;
        }
        let mut sink = Collect::default();
        let report = parsers::parse(Format::X12_820, &bytes[..], &options, &mut sink);
        let rendered: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
        assert!(report.is_valid(), "{local}: rejected: {rendered:#?}");
        assert!(
            report.diagnostics.len() == usize::from(options.relaxed.control_totals),
            "{local}: {rendered:#?}"
        );
        let delimiters = parsers::x12::lexer::detect(&bytes).unwrap();
        let segments = parsers::x12::lexer::segments(&bytes, delimiters).count();
        assert_eq!(
            Some(segments as i128),
            row.fact_number("segments"),
            "{local}: segments"
        );
        assert_eq!(
            sink.statements.len() as i128,
            row.fact_number("ST").unwrap(),
            "{local}: transaction sets"
        );
        let tx = sink.transactions().next().unwrap();
        let bpr02 = rust_decimal::Decimal::from_str_exact(row.fact("BPR02").unwrap()).unwrap();
        assert_eq!(tx.amount.amount, bpr02, "{local}: BPR02");
        assert_eq!(
            tx.remittance.items.len() as i128,
            row.fact_number("RMR").unwrap(),
            "{local}: RMR items"
        );
        let sum: rust_decimal::Decimal = tx
            .remittance
            .items
            .iter()
            .filter_map(|item| item.paid.map(|paid| paid.amount))
            .sum();
        let expected =
            rust_decimal::Decimal::from_str_exact(row.fact("sum_RMR04").unwrap()).unwrap();
        assert_eq!(sum, expected, "{local}: sum of RMR04");
        assert_eq!(
            tx.bank_tx_code.as_deref(),
            Some(format!("820/{}", row.fact("BPR04").unwrap()).as_str()),
            "{local}: BPR04"
        );
        assert_eq!(
            report.version.as_deref(),
            Some(format!("X12 {}", row.fact("GS08").unwrap()).as_str()),
            "{local}: GS08"
        );
    }
}

fn fixture(path: &str) -> Vec<u8> {
    fs::read(repo_root().join("fixtures").join(path)).unwrap()
}

#[test]
fn relaxed_control_totals_turn_mismatches_into_warnings() {
    let bytes = fixture("nacha/err/0001-bad-entry-hash.ach");
    let mut options = Options::default();
    options.relaxed.control_totals = true;
    let mut sink = Collect::default();
    let report = parsers::parse(Format::Nacha, &bytes[..], &options, &mut sink);
    assert!(report.is_valid(), "{:?}", report.diagnostics);
    assert_eq!(report.diagnostics.len(), 2);
    assert!(report
        .diagnostics
        .iter()
        .all(|d| d.code.as_str() == "nacha_entry_hash_mismatch"
            && d.severity == parsers::Severity::Warning));
}

/// The same bytes read through a tiny buffer (records straddle every refill) give the
/// same statements, transactions and diagnostics as read from one slice.
#[test]
fn output_does_not_depend_on_the_read_buffer() {
    for (format, folder) in [(Format::Nacha, "nacha"), (Format::X12_820, "x12_820")] {
        for kind in ["ok", "err"] {
            let dir = repo_root().join("fixtures").join(folder).join(kind);
            for entry in fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|ext| ext == "expected") {
                    continue;
                }
                let bytes = fs::read(&path).unwrap();
                let (whole_sink, whole) = parse_bytes(format, &bytes);
                for capacity in [1, 7, 95, 4096] {
                    let reader = std::io::BufReader::with_capacity(capacity, &bytes[..]);
                    let mut sink = Collect::default();
                    let report = parsers::parse(format, reader, &Options::default(), &mut sink);
                    assert_eq!(
                        render(&sink, &report),
                        render(&whole_sink, &whole),
                        "{} with a {capacity}-byte buffer",
                        path.display()
                    );
                }
            }
        }
    }
}

#[test]
fn ctx_addenda_beyond_the_limit_are_an_error() {
    let bytes = fixture("nacha/ok/0002-ctx-820-invoices.ach");
    let mut options = Options::default();
    options.limits.ctx_addenda_max = 2;
    let mut sink = Collect::default();
    let report = parsers::parse(Format::Nacha, &bytes[..], &options, &mut sink);
    assert!(!report.is_valid());
    assert!(report
        .diagnostics
        .iter()
        .any(|d| d.code.as_str() == "nacha_too_many_addenda"));
}

#[test]
fn corpus_iat_returns_and_noc_map_to_the_model() {
    let base = corpus_root().join("nacha/moov-io-ach");
    let (sink, report) = parse_bytes(
        Format::Nacha,
        &fs::read(base.join("examples/testdata/iat-mixedCreditDebit.ach")).unwrap(),
    );
    assert!(report.is_valid());
    let payers: Vec<_> = sink
        .transactions()
        .map(|tx| tx.payer_name.as_deref().map(str::to_owned))
        .collect();
    assert_eq!(
        payers,
        vec![
            Some("BEK Solutions".to_owned()),
            Some("ADCAF Solutions".to_owned())
        ]
    );
    let (sink, report) = parse_bytes(
        Format::Nacha,
        &fs::read(base.join("test/testdata/return-WEB.ach")).unwrap(),
    );
    assert!(report.is_valid(), "{:?}", report.diagnostics);
    let returns: Vec<_> = sink
        .transactions()
        .map(|tx| {
            let info = tx.return_info.as_ref().unwrap();
            (
                tx.reversal,
                info.reason_code.clone(),
                info.original_trace.len(),
            )
        })
        .collect();
    assert!(returns
        .iter()
        .all(|(reversal, code, trace_len)| *reversal && code.starts_with('R') && *trace_len == 15));
    let (sink, _) = parse_bytes(
        Format::Nacha,
        &fs::read(base.join("test/testdata/cor-example.ach")).unwrap(),
    );
    let tx = sink.transactions().next().unwrap();
    assert_eq!(tx.status, parsers::model::EntryStatus::Info);
    assert!(tx.remittance.lines[0].starts_with("notification of change C"));
}

#[test]
fn a_byte_order_mark_is_not_content() {
    for (format, path) in [
        (Format::Nacha, "nacha/ok/0001-ccd-plus-rmr.ach"),
        (Format::X12_820, "x12_820/ok/0002-bare-820.edi"),
    ] {
        let plain = fixture(path);
        let mut marked = b"\xEF\xBB\xBF".to_vec();
        marked.extend_from_slice(&plain);
        let (sink, report) = parse_bytes(format, &marked);
        let (plain_sink, _) = parse_bytes(format, &plain);
        assert!(report.is_valid(), "{path}: {:?}", report.diagnostics);
        assert_eq!(sink.statements.len(), plain_sink.statements.len(), "{path}");
        assert_eq!(
            sink.transactions().count(),
            plain_sink.transactions().count(),
            "{path}"
        );
    }
}
