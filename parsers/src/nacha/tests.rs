//! Unit tests of the NACHA reader on small hand-written files.

use crate::model::{Direction, EntryStatus};
use crate::{Collect, Format, Options};

pub(crate) fn parse(text: &str) -> (Collect, crate::Report) {
    let mut sink = Collect::default();
    let report = crate::parse(
        Format::Nacha,
        text.as_bytes(),
        &Options::default(),
        &mut sink,
    );
    (sink, report)
}

#[test]
fn empty_input_is_an_error() {
    let (_, report) = parse("");
    assert!(!report.is_valid());
}

#[test]
fn direction_follows_the_transaction_code() {
    use super::entry::{classify, CodeKind};
    assert_eq!(
        classify(22, false),
        Some((Direction::Credit, CodeKind::Live))
    );
    assert_eq!(
        classify(37, false),
        Some((Direction::Debit, CodeKind::Live))
    );
    assert_eq!(
        classify(23, false),
        Some((Direction::Credit, CodeKind::Prenote))
    );
    assert_eq!(
        classify(26, false),
        Some((Direction::Debit, CodeKind::ReturnOrNoc))
    );
    assert_eq!(classify(81, false), None);
    assert_eq!(
        classify(81, true),
        Some((Direction::Credit, CodeKind::Advice))
    );
    let _ = EntryStatus::Info;
}

/// Entries read in place from a slice and record by record (through a reader whose
/// buffer holds one byte, or a few lines) must give the same transactions and the
/// same diagnostics in the same order, on any damage to a file: lines cut, doubled,
/// dropped or swapped, bytes changed to line breaks, digits, record types, bytes that
/// are not UTF-8, X12 delimiters.
#[test]
fn entries_read_in_place_as_record_by_record() {
    use crate::sink::Collect;
    fn render(bytes: &[u8], capacity: Option<usize>, options: &Options) -> String {
        let mut sink = Collect::default();
        let report = match capacity {
            None => crate::parse(Format::Nacha, bytes, options, &mut sink),
            Some(capacity) => crate::parse(
                Format::Nacha,
                std::io::BufReader::with_capacity(capacity, bytes),
                options,
                &mut sink,
            ),
        };
        let mut out = sink.dump();
        for diagnostic in &report.diagnostics {
            out.push_str(&diagnostic.to_string());
            out.push('\n');
        }
        out
    }
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/nacha/ok/");
    let mut bases: Vec<Vec<u8>> = [
        "0001-ccd-plus-rmr.ach",
        "0006-crlf-trailing-spaces-no-padding.ach",
    ]
    .iter()
    .map(|name| std::fs::read(format!("{root}{name}")).expect("fixture"))
    .collect();
    // A batch with one entry per case the in-place path decides on: no addenda, two
    // addenda, a malformed X12 addendum, an indicator that lies, a wrong sequence.
    let mut made = Vec::new();
    let header = std::str::from_utf8(&bases[0])
        .unwrap()
        .lines()
        .take(2)
        .collect::<Vec<_>>();
    made.extend_from_slice(format!("{}\n{}\n", header[0], header[1]).as_bytes());
    let entry = |trace: u32, indicator: u8| {
        format!("622231380104987654321        0000001000CUST-{trace:<10}RECOND SUPPLIES INC     {}09100001{trace:07}\n", indicator as char)
    };
    let addendum =
        |text: &str, sequence: u32, trace: u32| format!("705{text:<80}{sequence:04}{trace:07}\n");
    made.extend_from_slice(entry(1, b'0').as_bytes());
    made.extend_from_slice(entry(2, b'1').as_bytes());
    made.extend_from_slice(addendum("RMR*IV*A-1*PI*5.00\\", 1, 2).as_bytes());
    made.extend_from_slice(addendum("RMR*IV*A-2*PI*5.00\\", 2, 2).as_bytes());
    made.extend_from_slice(entry(3, b'1').as_bytes());
    made.extend_from_slice(addendum("REF*IV*12*X\\RMR*IV*1*PI*1,0\\", 1, 3).as_bytes());
    made.extend_from_slice(entry(4, b'0').as_bytes());
    made.extend_from_slice(addendum("FREE TEXT", 1, 4).as_bytes());
    made.extend_from_slice(entry(5, b'1').as_bytes());
    made.extend_from_slice(addendum("FREE TEXT", 3, 5).as_bytes());
    made.extend_from_slice(entry(6, b'1').as_bytes());
    made.extend_from_slice(addendum("FREE TEXT", 1, 9).as_bytes());
    made.extend_from_slice(entry(7, b'1').as_bytes());
    made.extend_from_slice(b"82200000100069414030000000000000000000000060001234567890                         091000010000001\n");
    made.extend_from_slice(b"9000001000001000000100069414030000000000000000000000060\n");
    bases.push(made);

    let mut next = crate::testing::xorshift(0x853C_49E6_748F_EA9B);
    let bytes_to_put = b"\n\r 0176892\xff\xc3*\\~A";
    let mut options = Options::default();
    for round in 0..3000 {
        let mut bytes = bases[round % bases.len()].clone();
        for _ in 0..1 + next() % 3 {
            let lines: Vec<(usize, usize)> = {
                let mut start = 0;
                let mut lines = Vec::new();
                for (index, &byte) in bytes.iter().enumerate() {
                    if byte == b'\n' {
                        lines.push((start, index + 1));
                        start = index + 1;
                    }
                }
                lines
            };
            if lines.is_empty() || bytes.is_empty() {
                break;
            }
            let (from, to) = lines[(next() % lines.len() as u64) as usize];
            match next() % 5 {
                0 | 1 => {
                    let at = (next() % bytes.len() as u64) as usize;
                    bytes[at] = bytes_to_put[(next() % bytes_to_put.len() as u64) as usize];
                }
                2 => {
                    let line = bytes[from..to].to_vec();
                    bytes.splice(from..from, line);
                }
                3 => {
                    bytes.drain(from..to);
                }
                _ => {
                    let line = bytes[from..to].to_vec();
                    bytes.drain(from..to);
                    let at = (next() % (bytes.len() as u64 + 1)) as usize;
                    bytes.splice(at..at, line);
                }
            }
        }
        // Limits that stop in the middle of entries, now and then.
        options.limits.records_max = if round % 7 == 0 { next() % 12 } else { 10_000 };
        options.limits.ctx_addenda_max = if round % 5 == 0 { 1 } else { 10_000 };
        let whole = render(&bytes, None, &options);
        for capacity in [1, 150] {
            assert_eq!(
                render(&bytes, Some(capacity), &options),
                whole,
                "round {round}, {capacity}-byte buffer, input {:?}",
                String::from_utf8_lossy(&bytes)
            );
        }
    }
}
