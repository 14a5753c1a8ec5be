//! Properties of generated scenarios: the same seed gives the same bytes, every file
//! is valid for its format (checked here independently of recond's parsers, and by the
//! parsers themselves), and the truth never applies an invoice beyond its amount.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use common::{bank_files, files, scenario};
use recond_gen::cases::Case;
use recond_gen::score::compare::parse_cents;

#[test]
fn the_same_seed_gives_byte_identical_files() {
    let (first, _) = scenario(42, 300, 4);
    let (second, _) = scenario(42, 300, 4);
    let (other, _) = scenario(43, 300, 4);
    let listed = files(first.path());
    assert_eq!(listed, files(second.path()));
    assert!(listed.len() > 15, "{listed:?}");
    for path in &listed {
        let a = std::fs::read(first.path().join(path)).unwrap();
        let b = std::fs::read(second.path().join(path)).unwrap();
        assert!(
            a == b,
            "{} differs between two runs with the same seed",
            path.display()
        );
    }
    let truth = std::fs::read(first.path().join("truth.csv")).unwrap();
    assert_ne!(
        truth,
        std::fs::read(other.path().join("truth.csv")).unwrap()
    );
}

#[test]
fn every_case_appears_in_a_small_scenario() {
    let (_dir, scenario) = scenario(7, 100, 5);
    for case in Case::ALL {
        assert!(
            scenario.cases.get(case.as_str()).copied().unwrap_or(0) > 0,
            "no {}: {:?}",
            case.as_str(),
            scenario.cases
        );
    }
    let transactions: usize = scenario
        .cases
        .iter()
        .filter(|(case, _)| case.as_str() != "duplicate_file")
        .map(|(_, count)| count)
        .sum();
    assert_eq!(transactions, 100);
}

fn parse(path: &Path) -> parsers::Report {
    let bytes = std::fs::read(path).unwrap();
    let mut sink = parsers::Collect::default();
    parsers::detect_and_parse(&bytes[..], &parsers::Options::default(), &mut sink)
        .unwrap_or_else(|| panic!("{}: format not detected", path.display()))
}

#[test]
fn every_csv_file_parses_without_diagnostics() {
    let (dir, _) = scenario(3, 400, 3);
    let mut bank_csv = 0;
    for path in bank_files(dir.path())
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
    {
        let report = parse(path);
        assert_eq!(report.format, parsers::Format::Csv);
        assert!(
            report.diagnostics.is_empty(),
            "{}: {:?}",
            path.display(),
            report.diagnostics
        );
        bank_csv += 1;
    }
    assert!(bank_csv >= 3);
    let customers = std::fs::read(dir.path().join("customers.csv")).unwrap();
    recond::imports::customers::parse("customers.csv", &customers).expect("customers.csv imports");
    for path in files(dir.path())
        .iter()
        .filter(|p| p.ends_with("invoices.csv"))
    {
        let bytes = std::fs::read(dir.path().join(path)).unwrap();
        recond::imports::invoices::parse("invoices.csv", &bytes).expect("invoices.csv imports");
    }
}

#[test]
fn every_bank_file_of_every_format_parses_without_diagnostics() {
    let (dir, _) = scenario(5, 600, 4);
    for path in bank_files(dir.path()) {
        let report = parse(&path);
        assert!(
            report.diagnostics.is_empty(),
            "{}: {:?}",
            path.display(),
            report.diagnostics
        );
    }
}

/// NACHA checked record by record against the specification, without recond's parser.
fn check_nacha(text: &str, name: &str) -> Vec<String> {
    let records: Vec<&str> = text.lines().collect();
    assert_eq!(
        records.len() % 10,
        0,
        "{name}: not padded to a multiple of 10"
    );
    assert!(
        records.iter().all(|r| r.len() == 94),
        "{name}: a record is not 94 characters"
    );
    let (mut batches, mut entries_and_addenda, mut hash, mut debit, mut credit) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    let (mut batch_count, mut batch_hash, mut batch_debit, mut batch_credit) =
        (0u64, 0u64, 0u64, 0u64);
    let mut traces = Vec::new();
    let mut file_control_seen = false;
    for (index, record) in records.iter().enumerate() {
        let number = |range: std::ops::Range<usize>| record[range].parse::<u64>().unwrap();
        match &record[..1] {
            "5" => {
                batches += 1;
                (batch_count, batch_hash, batch_debit, batch_credit) = (0, 0, 0, 0);
            }
            "6" => {
                batch_count += 1;
                batch_hash += number(3..11);
                let amount = number(29..39);
                match &record[1..3] {
                    "22" => batch_credit += amount,
                    "26" | "27" => batch_debit += amount,
                    code => panic!("{name}: unexpected transaction code {code}"),
                }
                let check = parsers_free_aba(&record[3..11]);
                assert_eq!(
                    check.to_string(),
                    &record[11..12],
                    "{name}: routing check digit"
                );
                traces.push(record[79..94].to_owned());
            }
            "7" => {
                batch_count += 1;
                let entry_seq = &records[..index]
                    .iter()
                    .rev()
                    .find(|r| r.starts_with('6'))
                    .unwrap()[87..94];
                assert_eq!(&record[87..94], entry_seq, "{name}: addenda sequence");
            }
            "8" => {
                assert_eq!(
                    number(4..10),
                    batch_count,
                    "{name}: batch entry/addenda count"
                );
                assert_eq!(
                    number(10..20),
                    batch_hash % 10_000_000_000,
                    "{name}: batch entry hash"
                );
                assert_eq!(number(20..32), batch_debit, "{name}: batch debits");
                assert_eq!(number(32..44), batch_credit, "{name}: batch credits");
                entries_and_addenda += batch_count;
                hash += batch_hash;
                debit += batch_debit;
                credit += batch_credit;
            }
            "9" if !file_control_seen => {
                file_control_seen = true;
                assert_eq!(number(1..7), batches, "{name}: batch count");
                assert_eq!(
                    number(7..13),
                    records.len() as u64 / 10,
                    "{name}: block count"
                );
                assert_eq!(
                    number(13..21),
                    entries_and_addenda,
                    "{name}: entry/addenda count"
                );
                assert_eq!(
                    number(21..31),
                    hash % 10_000_000_000,
                    "{name}: file entry hash"
                );
                assert_eq!(number(31..43), debit, "{name}: file debits");
                assert_eq!(number(43..55), credit, "{name}: file credits");
            }
            "9" => assert_eq!(*record, "9".repeat(94), "{name}: padding"),
            "1" => assert_eq!(index, 0, "{name}: file header first"),
            other => panic!("{name}: record type {other}"),
        }
    }
    assert!(file_control_seen, "{name}: no file control");
    traces
}

fn parsers_free_aba(first8: &str) -> u32 {
    recond_gen::refs::aba_check_digit(first8)
}

/// BAI2 control totals and record counts recomputed from the records.
fn check_bai2(text: &str, name: &str) -> Vec<String> {
    let records: Vec<&str> = text.lines().collect();
    let amount_sum_03 = |record: &str| -> i64 {
        let fields: Vec<&str> = record.trim_end_matches('/').split(',').collect();
        fields[3..]
            .chunks(4)
            .filter(|c| c.len() >= 2 && !c[1].is_empty())
            .map(|c| c[1].parse::<i64>().unwrap())
            .sum()
    };
    let (mut account_total, mut account_records, mut group_records) = (0i64, 0usize, 0usize);
    let mut refs = Vec::new();
    let (mut opening, mut closing, mut credits, mut debits) = (0, 0, 0, 0);
    for record in &records {
        let fields: Vec<&str> = record.split(',').collect();
        match fields[0] {
            "01" => assert!(record.ends_with("2/"), "{name}: version 2"),
            "02" => group_records = 1,
            "03" => {
                account_total = amount_sum_03(record);
                account_records = 1;
                group_records += 1;
                opening = fields[4].parse::<i64>().unwrap();
                closing = fields[8].parse::<i64>().unwrap();
            }
            "16" => {
                let amount: i64 = fields[2].parse().unwrap();
                account_total += amount;
                account_records += 1;
                group_records += 1;
                let type_code: u16 = fields[1].parse().unwrap();
                if (100..400).contains(&type_code) {
                    credits += amount
                } else {
                    debits += amount
                }
                let reference_field = if fields[3] == "V" { 6 } else { 4 };
                refs.push(fields[reference_field].to_owned());
            }
            "88" => {
                account_records += 1;
                group_records += 1;
            }
            "49" => {
                account_records += 1;
                group_records += 1;
                assert_eq!(
                    fields[1].parse::<i64>().unwrap(),
                    account_total,
                    "{name}: account control total"
                );
                assert_eq!(
                    fields[2].trim_end_matches('/').parse::<usize>().unwrap(),
                    account_records,
                    "{name}: account records"
                );
                assert_eq!(
                    opening + credits - debits,
                    closing,
                    "{name}: ledger balances"
                );
            }
            "98" => {
                group_records += 1;
                assert_eq!(
                    fields[3].trim_end_matches('/').parse::<usize>().unwrap(),
                    group_records,
                    "{name}: group records"
                );
            }
            "99" => {
                assert_eq!(
                    fields[3].trim_end_matches('/').parse::<usize>().unwrap(),
                    records.len(),
                    "{name}: file records"
                );
                assert_eq!(
                    fields[1].parse::<i64>().unwrap(),
                    account_total,
                    "{name}: file control total"
                );
            }
            other => panic!("{name}: record {other}"),
        }
        assert!(
            !(fields[0] == "16" && fields.len() > 7 && fields[6..].join(",").contains(','))
                || fields[3] == "V",
            "{name}: comma in text"
        );
    }
    refs
}

/// CAMT: well-formed, opening + booked credits - booked debits = closing, and the
/// `AcctSvcrRef` of every TxDtls.
fn check_camt(text: &str, name: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut path: Vec<String> = Vec::new();
    let (mut balance_type, mut amount, mut indicator) = (String::new(), 0i64, String::new());
    let (mut opening, mut closing, mut net) = (None, None, 0i64);
    let mut refs = Vec::new();
    loop {
        match reader
            .read_event()
            .unwrap_or_else(|e| panic!("{name}: not well-formed: {e}"))
        {
            Event::Start(start) => {
                path.push(String::from_utf8_lossy(start.local_name().as_ref()).into_owned())
            }
            Event::End(_) => {
                let closed = path.pop().unwrap();
                let parent = path.last().map(String::as_str).unwrap_or("");
                if closed == "Bal" {
                    let signed = if indicator == "DBIT" { -amount } else { amount };
                    match balance_type.as_str() {
                        "OPBD" => opening = Some(signed),
                        "CLBD" => closing = Some(signed),
                        other => panic!("{name}: balance {other}"),
                    }
                }
                if closed == "Ntry" {
                    net += if indicator == "DBIT" { -amount } else { amount };
                }
                let _ = parent;
            }
            Event::Text(text) => {
                let value = text.unescape().unwrap().into_owned();
                let joined = path.join("/");
                if joined.ends_with("Bal/Tp/CdOrPrtry/Cd") {
                    balance_type = value;
                } else if joined.ends_with("Bal/Amt") || joined.ends_with("Stmt/Ntry/Amt") {
                    amount = parse_cents(&value).unwrap();
                } else if joined.ends_with("Bal/CdtDbtInd")
                    || joined.ends_with("Stmt/Ntry/CdtDbtInd")
                {
                    indicator = value;
                } else if joined.ends_with("TxDtls/Refs/AcctSvcrRef") {
                    refs.push(value);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(
        opening.unwrap() + net,
        closing.unwrap(),
        "{name}: opening + entries = closing"
    );
    refs
}

#[test]
fn bank_files_follow_their_specifications_and_carry_the_truth_references() {
    let (dir, _) = scenario(11, 1_500, 5);
    let mut references: HashMap<String, HashSet<String>> = HashMap::new();
    for path in bank_files(dir.path()) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = String::from_utf8(std::fs::read(&path).unwrap()).unwrap();
        let refs = match path.extension().unwrap().to_str().unwrap() {
            "ach" => check_nacha(&text, &name),
            "txt" => check_bai2(&text, &name),
            "xml" => check_camt(&text, &name),
            _ => text
                .lines()
                .skip(1)
                .map(|l| l.split(',').nth(4).unwrap().to_owned())
                .collect(),
        };
        let unique: HashSet<String> = refs.iter().cloned().collect();
        assert_eq!(unique.len(), refs.len(), "{name}: bank references repeat");
        references.insert(name, unique);
    }
    let mut reader = csv::Reader::from_path(dir.path().join("truth.csv")).unwrap();
    for row in reader.records() {
        let row = row.unwrap();
        let file_refs = references
            .get(&row[0])
            .unwrap_or_else(|| panic!("truth names unknown file {}", &row[0]));
        assert!(
            file_refs.contains(&row[1]),
            "{}: no bank_ref {}",
            &row[0],
            &row[1]
        );
    }
}

#[test]
fn the_truth_never_applies_an_invoice_beyond_its_amount() {
    let (dir, scenario) = scenario(13, 2_000, 6);
    let mut amounts: HashMap<String, (i64, i64)> = HashMap::new();
    for path in files(dir.path())
        .iter()
        .filter(|p| p.ends_with("invoices.csv"))
    {
        let mut reader = csv::Reader::from_path(dir.path().join(path)).unwrap();
        for row in reader.records() {
            let row = row.unwrap();
            amounts.insert(
                row[0].to_owned(),
                (parse_cents(&row[3]).unwrap(), parse_cents(&row[7]).unwrap()),
            );
        }
    }
    assert_eq!(amounts.len(), scenario.invoices);
    let mut settled: BTreeMap<String, i64> = BTreeMap::new();
    let mut reader = csv::Reader::from_path(dir.path().join("truth.csv")).unwrap();
    for row in reader.records() {
        let row = row.unwrap();
        if let (Some(applied), Some(writeoff)) = (parse_cents(&row[5]), parse_cents(&row[6])) {
            assert!(applied > 0 && writeoff >= 0, "{row:?}");
            *settled.entry(row[4].to_owned()).or_default() += applied + writeoff;
        }
    }
    for (invoice, total) in settled {
        let (_, open) = amounts
            .get(&invoice)
            .unwrap_or_else(|| panic!("truth applies unknown invoice {invoice}"));
        assert!(total <= *open, "{invoice}: {total} applied, {open} open");
    }
}
