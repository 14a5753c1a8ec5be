use super::*;
use crate::sink::Collect;
use crate::Format;

fn parse_default(text: &str) -> (Collect, crate::Report) {
    let mut sink = Collect::default();
    let report = crate::parse(Format::Csv, text.as_bytes(), &Options::default(), &mut sink);
    (sink, report)
}

#[test]
fn default_profile_reads_signed_amounts() {
    let text = format!(
        "{DEFAULT_HEADER}\n2026-11-02,2026-11-03,1250.00,USD,B1,ACME CORP,123,PMT INV-1001\n2026-11-02,,-15.00,USD,B2,,,FEE\n"
    );
    let (sink, report) = parse_default(&text);
    assert!(report.is_valid(), "{:?}", report.diagnostics);
    let txs: Vec<_> = sink.transactions().collect();
    assert_eq!(txs.len(), 2);
    assert_eq!(txs[0].direction, Direction::Credit);
    assert_eq!(txs[0].amount.to_string(), "1250.00 USD");
    assert_eq!(txs[0].payer_name.as_deref(), Some("ACME CORP"));
    assert_eq!(txs[0].remittance.lines, vec!["PMT INV-1001"]);
    assert_eq!(txs[0].position.line, 2);
    assert_eq!(txs[1].direction, Direction::Debit);
    assert_eq!(txs[1].amount.to_string(), "15.00 USD");
    assert_eq!(txs[1].value_date, None);
}

#[test]
fn every_bad_row_is_reported_with_its_line() {
    let text = format!(
        "{DEFAULT_HEADER}\n2026-13-02,,10.00,USD,B1,,,\n2026-11-02,,ten,USD,B2,,,\n2026-11-02,,1.00,XYZ,B3,,,\n"
    );
    let (_, report) = parse_default(&text);
    assert!(!report.is_valid());
    let rendered: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(rendered.len(), 3, "{rendered:#?}");
    assert!(
        rendered[0].starts_with("error[invalid_date] line 2"),
        "{}",
        rendered[0]
    );
    assert!(
        rendered[1].contains("line 3") && rendered[1].contains("amount"),
        "{}",
        rendered[1]
    );
    assert!(
        rendered[2].contains("line 4") && rendered[2].contains("XYZ"),
        "{}",
        rendered[2]
    );
}

#[test]
fn profile_with_decimal_comma_split_columns_and_windows_1252() {
    let profile: CsvProfile = toml_like_profile();
    profile.validate().unwrap();
    let options = Options {
        csv_profile: Some(profile),
        ..Options::default()
    };
    let bytes: &[u8] = b"Kontoauszug\nDatum;Soll;Haben;Empf\xe4nger\n02.11.2026;;1.234,56;M\xfcller GmbH\n03.11.2026;7,50;;Geb\xfchr\n";
    let mut sink = Collect::default();
    let report = crate::parse(Format::Csv, bytes, &options, &mut sink);
    assert!(report.is_valid(), "{:?}", report.diagnostics);
    let txs: Vec<_> = sink.transactions().collect();
    assert_eq!(txs[0].amount.to_string(), "1234.56 EUR");
    assert_eq!(txs[0].direction, Direction::Credit);
    assert_eq!(txs[0].payer_name.as_deref(), Some("Müller GmbH"));
    assert_eq!(txs[0].position.line, 3);
    assert_eq!(txs[1].direction, Direction::Debit);
    assert_eq!(txs[1].amount.to_string(), "7.50 EUR");
}

fn toml_like_profile() -> CsvProfile {
    CsvProfile {
        name: "sparkasse".into(),
        delimiter: ';',
        encoding: TextEncoding::Windows1252,
        decimal_separator: ',',
        thousands_separator: Some('.'),
        date_format: "%d.%m.%Y".into(),
        skip_lines: 1,
        currency: Some(Currency::EUR),
        columns: Columns {
            booking_date: Some(ColumnRef::Name("Datum".into())),
            debit: Some(ColumnRef::Name("Soll".into())),
            credit: Some(ColumnRef::Name("Haben".into())),
            payer_name: Some(ColumnRef::Index(4)),
            ..Columns::default()
        },
        ..CsvProfile::default_profile()
    }
}

#[test]
fn missing_columns_are_named() {
    let (_, report) = parse_default("date,amount\n2026-01-01,1\n");
    assert!(!report.is_valid());
    let message = report.diagnostics[0].to_string();
    assert!(message.contains("csv_missing_column"), "{message}");
    assert!(message.contains("booking_date"), "{message}");
}

#[test]
fn a_repeated_header_is_no_row() {
    let row = "2026-11-02,,10.00,USD,B1,,,";
    let text = format!("{DEFAULT_HEADER}\n{row}\n{DEFAULT_HEADER}\n{row}\n {DEFAULT_HEADER} \n");
    let (sink, report) = parse_default(&text);
    assert!(report.is_valid(), "{:?}", report.diagnostics);
    assert_eq!(sink.transactions().count(), 2);
}

#[test]
fn lone_carriage_returns_end_lines_too() {
    // Banner, header and rows ended by a lone CR, as old Mac exports are.
    let profile = CsvProfile {
        skip_lines: 1,
        ..CsvProfile::default_profile()
    };
    let options = Options {
        csv_profile: Some(profile),
        ..Options::default()
    };
    let text = format!(
        "Export of 2026-11-02\r{DEFAULT_HEADER}\r2026-11-02,,10.00,USD,B1,,,\r\r2026-11-02,,x,USD,B2,,,\r"
    );
    let mut sink = Collect::default();
    let report = crate::parse(Format::Csv, text.as_bytes(), &options, &mut sink);
    let txs: Vec<_> = sink.transactions().collect();
    assert_eq!(txs.len(), 1);
    assert_eq!(txs[0].position.line, 3);
    let lines: Vec<u64> = report.diagnostics.iter().map(|d| d.position.line).collect();
    assert_eq!(lines, vec![5], "{:?}", report.diagnostics);
}

#[test]
fn an_overlong_line_stops_the_file_with_its_position() {
    let mut options = Options::default();
    options.limits.line_length_bytes_max = 100;
    let text = format!(
        "{DEFAULT_HEADER}\n2026-11-02,,10.00,USD,B1,,,\n2026-11-02,,1.00,USD,B2,,,{}\n",
        "x".repeat(200)
    );
    let mut sink = Collect::default();
    let report = crate::parse(Format::Csv, text.as_bytes(), &options, &mut sink);
    assert_eq!(sink.transactions().count(), 1);
    let diagnostic = &report.diagnostics[0];
    assert_eq!(diagnostic.code.as_str(), "line_too_long");
    assert_eq!(diagnostic.position.line, 3);
    assert!(!report.is_valid());
}
