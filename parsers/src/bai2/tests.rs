//! Tests of the BAI2 reader on small inline files: options, limits, and properties of
//! continuation joining and amount fields.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::fields::{parse_amount, NumberError};
use super::*;
use crate::model::Direction;
use crate::{Collect, DiagnosticCode, Options, Severity};

struct Parsed {
    sink: Collect,
    diagnostics: Vec<Diagnostic>,
    summary: Summary,
}

impl Parsed {
    fn codes(&self, severity: Severity) -> Vec<&'static str> {
        self.diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.severity == severity)
            .map(|diagnostic| diagnostic.code.as_str())
            .collect()
    }

    fn errors(&self) -> Vec<&'static str> {
        self.codes(Severity::Error)
    }
}

fn parse_with(text: &[u8], options: &Options) -> Parsed {
    let mut sink = Collect::default();
    let mut diagnostics = Diagnostics::new(options.limits.diagnostics_max);
    let (_, summary) = parse_with_summary(text, options, &mut sink, &mut diagnostics);
    Parsed {
        sink,
        diagnostics: diagnostics.into_parts().0,
        summary,
    }
}

fn parse_default(text: &[u8]) -> Parsed {
    parse_with(text, &Options::default())
}

/// A file with one account around `details` (16 and 88 lines), with correct trailers
/// for the given account total and number of account records.
fn file(details: &str, total: i128, account_records: u64) -> String {
    let group_records = account_records + 2;
    let file_records = group_records + 2;
    format!(
        "01,BANK,CUST,250612,0600,7,,,2/\n02,CUST,BANK,1,250611,,,/\n03,123,,/\n{details}\
         49,{total},{account_records}/\n98,{total},1,{group_records}/\n99,{total},1,{file_records}/\n"
    )
}

const ACCOUNT_TOTAL_WRONG: &[u8] = b"01,B,C,250612,0600,1,,,2/
02,C,B,1,250611,,,/
03,1,,010,100,,,015,200,,/
16,142,100,Z,R,,X/
49,401,3/
98,401,1,5/
99,401,1,7/
";

#[test]
fn relaxed_control_totals_turn_errors_into_warnings() {
    let strict = parse_default(ACCOUNT_TOTAL_WRONG);
    assert_eq!(strict.errors(), ["bai2_account_control_total_mismatch"]);
    let mut options = Options::default();
    options.relaxed.control_totals = true;
    let relaxed = parse_with(ACCOUNT_TOTAL_WRONG, &options);
    assert!(relaxed.errors().is_empty());
    assert_eq!(
        relaxed.codes(Severity::Warning),
        ["bai2_account_control_total_mismatch"]
    );
}

#[test]
fn relaxed_balances_turn_errors_into_warnings() {
    let text = file("16,142,100,Z,R,,X/\n16,475,50,Z,R,,Y/\n", 0, 4);
    let text = text.replace("03,123,,/", "03,123,,010,100,,,015,200,,/");
    let text = text.replace(",0,", ",450,").replace("49,0,", "49,450,");
    let strict = parse_default(text.as_bytes());
    assert_eq!(
        strict.errors(),
        ["bai2_balance_mismatch"],
        "{:?}",
        strict.diagnostics
    );
    let mut options = Options::default();
    options.relaxed.balances = true;
    assert!(parse_with(text.as_bytes(), &options).errors().is_empty());
}

#[test]
fn type_direction_overrides_apply() {
    let text = file(
        "16,142,100,Z,A,,X/\n16,195,100,Z,B,,Y/\n16,920,100,Z,C,,Z/\n16,720,100,Z,D,,W/\n",
        400,
        6,
    );
    let mut options = Options::default();
    let mut map = BTreeMap::new();
    map.insert(142, Some(Direction::Debit));
    map.insert(195, None);
    map.insert(720, Some(Direction::Credit));
    options.bai2_type_directions = map;
    let parsed = parse_with(text.as_bytes(), &options);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let got: Vec<(Direction, String)> = parsed
        .sink
        .transactions()
        .map(|tx| (tx.direction, tx.bank_ref.to_string()))
        .collect();
    assert_eq!(
        got,
        [
            (Direction::Debit, "A".to_owned()),
            (Direction::Credit, "C".to_owned()),
            (Direction::Credit, "D".to_owned()),
        ]
    );
    assert_eq!(parsed.summary.details, 4);
    assert_eq!(parsed.summary.transactions, 3);
}

#[test]
fn huge_distribution_count_is_bounded_by_the_fields_present() {
    let text = file("16,142,100,D,999999999999999999,1,50,R,,X/\n", 100, 3);
    let parsed = parse_default(text.as_bytes());
    // The pairs take the references and the text as (days, amount) before running out.
    assert!(parsed.errors().contains(&"bai2_distribution_incomplete"));
    assert!(parsed.sink.transactions().next().is_none());
}

#[test]
fn physical_line_limit() {
    let mut options = Options::default();
    options.limits.line_length_bytes_max = 40;
    let long = format!("16,142,100,Z,R,,{}/\n", "X".repeat(100));
    let parsed = parse_with(file(&long, 100, 3).as_bytes(), &options);
    assert_eq!(
        parsed.errors(),
        [crate::diagnostic::codes::LINE_TOO_LONG.as_str()]
    );
}

#[test]
fn continuations_beyond_the_record_limit_are_reported() {
    let mut options = Options::default();
    options.limits.line_length_bytes_max = 40;
    let mut details = String::from("16,142,100,Z,R,,X/\n");
    for _ in 0..80 {
        details.push_str("88,MORE TEXT HERE/\n");
    }
    let parsed = parse_with(file(&details, 100, 83).as_bytes(), &options);
    assert_eq!(parsed.errors(), [codes::RECORD_TOO_LONG.as_str()]);
    assert_eq!(parsed.summary.continuations, 80);
}

#[test]
fn record_limit_stops_reading() {
    let mut options = Options::default();
    options.limits.records_max = 4;
    let parsed = parse_with(file("16,142,100,Z,R,,X/\n", 100, 3).as_bytes(), &options);
    assert!(parsed
        .errors()
        .contains(&crate::diagnostic::codes::TOO_MANY_RECORDS.as_str()));
}

#[test]
fn stops_once_the_diagnostics_are_full() {
    let mut options = Options::default();
    options.limits.diagnostics_max = 5;
    let garbage = "XX,not a record/\n".repeat(10_000);
    let parsed = parse_with(garbage.as_bytes(), &options);
    assert_eq!(parsed.diagnostics.len(), 5);
    assert!(parsed.summary.records < 100);
}

#[test]
fn read_errors_are_reported() {
    struct Failing;
    impl std::io::Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk on fire"))
        }
    }
    let mut sink = Collect::default();
    let mut diagnostics = Diagnostics::new(10);
    parse(
        std::io::BufReader::new(Failing),
        &Options::default(),
        &mut sink,
        &mut diagnostics,
    );
    assert_eq!(
        diagnostics.list()[0].code,
        DiagnosticCode("read_failed"),
        "{:?}",
        diagnostics.list()
    );
}

/// The naive reference for amount fields: optional sign, then only digits.
fn reference_amount(text: &str) -> Option<i128> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let significant = digits.trim_start_matches('0');
    if significant.len() > 18 {
        return None;
    }
    let value: i128 = if significant.is_empty() {
        0
    } else {
        significant.parse().ok()?
    };
    Some(if text.starts_with('-') { -value } else { value })
}

/// One word of generated text: starts with a letter and ends with a letter or digit, so
/// that no `/` in it can look like the end of a record.
fn word() -> impl Strategy<Value = String> {
    "[A-Z]([A-Z0-9,/.-]{0,6}[A-Z0-9])?"
}

fn text_line() -> impl Strategy<Value = String> {
    prop::collection::vec(word(), 1..5).prop_map(|words| words.join(" "))
}

fn reference() -> impl Strategy<Value = String> {
    "([A-Z0-9]{1,8}(/[A-Z0-9]{1,4})?)?"
}

fn funds() -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        Just(vec!["Z".to_owned()]),
        Just(vec!["0".to_owned()]),
        Just(vec![String::new()]),
        (0u32..1000, 0u32..1000).prop_map(|(a, b)| vec![
            "S".to_owned(),
            a.to_string(),
            b.to_string(),
            String::new()
        ]),
        Just(vec!["V".to_owned(), "250613".to_owned(), "0900".to_owned()]),
        prop::collection::vec((0u32..5, 0u32..1000), 0..3).prop_map(|pairs| {
            let mut fields = vec!["D".to_owned(), pairs.len().to_string()];
            for (days, amount) in pairs {
                fields.push(days.to_string());
                fields.push(amount.to_string());
            }
            fields
        }),
    ]
}

proptest! {
    #[test]
    fn amounts_match_the_naive_reference(text in "[-+]?[0-9]{0,22}|[-+0-9 .a]{0,6}") {
        let parsed = parse_amount(text.as_bytes(), 18).ok();
        prop_assert_eq!(parsed, reference_amount(&text));
    }

    #[test]
    fn amounts_round_trip(value in -999_999_999_999_999_999i64..=999_999_999_999_999_999, zeros in 0usize..4, plus in any::<bool>()) {
        let sign = if value < 0 { "-" } else if plus { "+" } else { "" };
        let text = format!("{sign}{}{}", "0".repeat(zeros), value.unsigned_abs());
        prop_assert_eq!(parse_amount(text.as_bytes(), 18), Ok(i128::from(value)));
        prop_assert_eq!(parse_amount(b"", 18), Err(NumberError::Empty));
    }

    /// However the fields of a 16 are spread over the record and its 88s, with or
    /// without the closing `/`, the transaction read is the same.
    #[test]
    fn continuation_joining_does_not_change_the_detail(
        amount in 0i64..1_000_000_000_000,
        funds in funds(),
        bank_ref in reference(),
        customer_ref in reference(),
        lines in prop::collection::vec(text_line(), 0..4),
        split in 1usize..8,
        slashes in prop::collection::vec(any::<bool>(), 6),
    ) {
        let mut fields = vec!["142".to_owned(), amount.to_string()];
        fields.extend(funds);
        fields.push(bank_ref.clone());
        fields.push(customer_ref.clone());
        let split = split.min(fields.len());
        let mut physical = vec![format!("16,{}", fields[..split].join(","))];
        let mut rest = fields[split..].to_vec();
        let mut text = lines.iter();
        if let Some(first) = text.next() {
            rest.push(first.clone());
        }
        if !rest.is_empty() {
            physical.push(format!("88,{}", rest.join(",")));
        }
        for line in text {
            physical.push(format!("88,{line}"));
        }
        let mut details = String::new();
        for (index, record) in physical.iter().enumerate() {
            details.push_str(record);
            if slashes[index % slashes.len()] {
                details.push('/');
            }
            details.push('\n');
        }
        let records = physical.len() as u64 + 2;
        let parsed = parse_default(file(&details, i128::from(amount), records).as_bytes());
        prop_assert!(parsed.diagnostics.is_empty(), "{:?}\n{}", parsed.diagnostics, details);
        let transactions: Vec<_> = parsed.sink.transactions().collect();
        prop_assert_eq!(transactions.len(), 1);
        let tx = transactions[0];
        prop_assert_eq!(tx.amount.to_minor().ok(), Some(amount));
        prop_assert_eq!(&tx.bank_ref, &bank_ref);
        prop_assert_eq!(tx.customer_ref.as_deref().map(str::to_owned), Some(customer_ref.clone()).filter(|r| !r.is_empty()));
        prop_assert_eq!(&tx.remittance.lines, &lines);
    }

    #[test]
    fn never_panics_on_bai2_like_noise(
        parts in prop::collection::vec(
            prop_oneof![
                Just("01,"), Just("02,"), Just("03,"), Just("16,"), Just("49,"), Just("88,"),
                Just("98,"), Just("99,"), Just("/"), Just("\n"), Just(","), Just(" "),
                Just("142"), Just("D"), Just("S"), Just("V"), Just("250611"), Just("-5"),
                Just("99999999999999999999"), Just("\r\n"), Just("\u{fe}"),
            ],
            0..80,
        )
    ) {
        let text: String = parts.concat();
        let parsed = parse_default(text.as_bytes());
        prop_assert!(parsed.sink.orphans.is_empty());
    }
}

/// Everything a parse gives out, rendered: statements and transactions, diagnostics,
/// counts and version.
fn rendered(text: impl std::io::BufRead, path: Path, options: &Options) -> String {
    let mut sink = Collect::default();
    let mut diagnostics = Diagnostics::new(options.limits.diagnostics_max);
    let (version, summary) = read(text, options, &mut sink, &mut diagnostics, path);
    let (list, dropped) = diagnostics.into_parts();
    let mut out = format!(
        "{version:?}\n{summary:?}\n{dropped} dropped\n{}",
        sink.dump()
    );
    for diagnostic in list {
        out.push_str(&diagnostic.to_string());
        out.push('\n');
    }
    out
}

fn assert_paths_agree(text: &[u8], what: &str) {
    // Few diagnostics kept, too: reading stops when they are full and invalid.
    for diagnostics_max in [1, 2, Options::default().limits.diagnostics_max] {
        let mut options = Options::default();
        options.limits.diagnostics_max = diagnostics_max;
        assert_paths_agree_with(
            text,
            &options,
            &format!("{what} (diagnostics_max {diagnostics_max})"),
        );
    }
}

fn assert_paths_agree_with(text: &[u8], options: &Options, what: &str) {
    let plain_first = rendered(text, Path::PlainFirst, options);
    let general = rendered(text, Path::GeneralOnly, options);
    assert!(
        plain_first == general,
        "{what}: the plain path reads differently\n--- plain first\n{plain_first}\n--- general\n{general}"
    );
    // Lines cut across the reader's buffer are copied before they are read.
    let streamed = rendered(
        std::io::BufReader::with_capacity(7, text),
        Path::PlainFirst,
        options,
    );
    assert!(
        streamed == general,
        "{what}: read through a small buffer, the plain path reads differently\n--- streamed\n{streamed}\n--- general\n{general}"
    );
}

/// The files of `dir` and its subfolders.
fn files_under(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("{} must be readable: {error}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn plain_path_reads_fixtures_and_corpus_as_the_general_reader() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    files_under(&root.join("fixtures/bai2"), &mut files);
    files_under(&root.join("../shared/corpus/bai2"), &mut files);
    let mut compared = 0;
    for path in files {
        if path
            .extension()
            .is_some_and(|ext| ext == "expected" || ext == "md")
        {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        assert_paths_agree(&bytes, &path.display().to_string());
        compared += 1;
    }
    assert!(compared >= 20, "only {compared} files compared");
}

/// A field of a 16 as banks write it, or as they should not.
fn detail_field() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[0-9]{1,9}",
        2 => Just(String::new()),
        1 => "[+-][0-9]{1,5}",
        1 => "[0-9]{17,21}",
        2 => prop_oneof![
            Just("Z"), Just("0"), Just("1"), Just("2"), Just("V"), Just("S"), Just("D"),
            Just("X"), Just(" Z"), Just("250613"), Just("251340"), Just("0900"),
        ].prop_map(str::to_owned),
        3 => "[0-9]{3}",
        2 => " ?[A-Z0-9]{1,8}( |/[A-Z0-9]{1,3})? ?",
        1 => "[A-Z ,./\u{e9}]{0,12}",
    ]
}

proptest! {
    /// Whatever a 16 and its 88s hold, the one-pass reader of plain details gives out
    /// exactly what the general reader gives out, diagnostics included.
    #[test]
    fn plain_path_reads_details_as_the_general_reader(
        records in prop::collection::vec(
            (
                prop_oneof![
                    Just("142".to_owned()), Just("475".to_owned()), Just("010".to_owned()),
                    Just("890".to_owned()), Just("14".to_owned()), "[0-9]{3}",
                ],
                prop::collection::vec(detail_field(), 0..9),
                prop::collection::vec(detail_field(), 0..3),
                any::<bool>(),
                prop::option::of(prop::collection::vec(any::<u8>(), 1..3)),
                prop_oneof![6 => Just(""), 1 => Just(" "), 1 => Just("\n"), 1 => Just("88,A\n")],
                prop_oneof![6 => Just(""), 1 => Just("  "), 1 => Just("\r"), 1 => Just("\t\0")],
            ),
            1..4,
        ),
    ) {
        let mut details = Vec::new();
        for (type_code, fields, continuation, slash, raw, before, after) in &records {
            details.extend_from_slice(before.as_bytes());
            details.extend_from_slice(format!("16,{type_code},{}{after}", fields.join(",")).as_bytes());
            if let Some(raw) = raw {
                details.extend_from_slice(raw);
            }
            if *slash {
                details.push(b'/');
            }
            details.push(b'\n');
            if !continuation.is_empty() {
                details.extend_from_slice(format!("88,{}\n", continuation.join(",")).as_bytes());
            }
        }
        // Spliced in as bytes, so that text that is not UTF-8 is tried too.
        let around = file("\u{0}", 0, 2);
        let (before, after) = around.split_once('\u{0}').unwrap();
        let text = [before.as_bytes(), &details, after.as_bytes()].concat();
        assert_paths_agree(&text, &String::from_utf8_lossy(&details));
    }
}
