//! Model floors: the least any reader that hands recond's `Transaction`s to a sink can
//! cost. Each runs the bare tokenizer of the format, then builds the same owned
//! strings recond's reader builds for each transaction (bank reference, trace, names,
//! remittance lines) with no validation, no dates, no totals, and drops them through a
//! counting sink. The gap between a floor and its tokenizer is what the model's
//! per-transaction `String`s cost; the gap between recond and the floor is parsing and
//! checking. The "fields not owned" variants do the same work but leave every string
//! empty: what a model holding borrowed, interned or range-encoded fields would pay.

use parsers::model::{Direction, EntryStatus, Remittance};
use parsers::{Money, Position, Sink, Transaction};

use crate::contenders::{Counting, Input, Prepared};

/// With `ALLOC`, the field as an owned `String` as the model needs it; without, an
/// empty string that costs nothing: what a model holding borrowed or interned fields
/// would pay instead.
fn owned<const ALLOC: bool>(bytes: &[u8]) -> String {
    if ALLOC {
        String::from_utf8_lossy(bytes).trim().to_owned()
    } else {
        std::hint::black_box(bytes);
        String::new()
    }
}

/// A remittance line: pushed only when the model's strings are built.
fn push_line<const ALLOC: bool>(lines: &mut Vec<String>, bytes: &[u8]) {
    if ALLOC {
        lines.push(owned::<true>(bytes));
    } else {
        std::hint::black_box(bytes);
    }
}

fn transaction(bank_ref: String) -> Transaction {
    Transaction {
        direction: Direction::Credit,
        amount: Money::from_minor(12_345, parsers::Currency::USD),
        status: EntryStatus::Booked,
        reversal: false,
        booking_date: None,
        value_date: None,
        bank_ref,
        end_to_end_id: None,
        customer_ref: None,
        trace_number: None,
        payer_name: None,
        payer_account: None,
        bank_tx_code: None,
        remittance: Remittance::default(),
        return_info: None,
        position: Position::default(),
    }
}

/// The csv crate's `ByteRecord` loop plus the owned fields of recond's CSV rows.
pub fn csv_model<const ALLOC: bool>(input: &Input, _: Prepared) -> Result<u64, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(&input.bytes[..]);
    let mut record = csv::ByteRecord::new();
    let mut sink = Counting::default();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {
                let field = |index: usize| record.get(index).unwrap_or(b"");
                let mut tx = transaction(owned::<ALLOC>(field(4)));
                tx.payer_name = Some(owned::<ALLOC>(field(5))).filter(|s| !s.is_empty());
                tx.payer_account = Some(owned::<ALLOC>(field(6))).filter(|s| !s.is_empty());
                push_line::<ALLOC>(&mut tx.remittance.lines, field(7));
                sink.transaction(tx);
            }
            Ok(false) => break,
            Err(error) => return Err(error.to_string()),
        }
    }
    Ok(sink.transactions)
}

/// A memchr line loop plus the owned fields of recond's NACHA entries: trace (as bank
/// reference and trace number), company name and id, customer reference, transaction
/// code, and one remittance line per `05` addendum.
pub fn nacha_model<const ALLOC: bool>(input: &Input, _: Prepared) -> Result<u64, String> {
    let bytes = &input.bytes[..];
    let mut sink = Counting::default();
    let (mut company_name, mut company_id) = (String::new(), String::new());
    let mut pending: Option<Transaction> = None;
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes) {
        let line = &bytes[start..end];
        start = end + 1;
        let field = |from: usize, to: usize| line.get(from - 1..to).unwrap_or(b"");
        match line.first() {
            Some(b'5') => {
                company_name = owned::<ALLOC>(field(5, 20));
                company_id = owned::<ALLOC>(field(41, 50));
            }
            Some(b'6') => {
                if let Some(tx) = pending.take() {
                    sink.transaction(tx);
                }
                let trace = owned::<ALLOC>(field(80, 94));
                let mut tx = transaction(owned::<ALLOC>(field(80, 94)));
                tx.trace_number = Some(trace);
                tx.payer_name = Some(company_name.clone());
                tx.payer_account = Some(company_id.clone());
                tx.customer_ref = Some(owned::<ALLOC>(field(40, 54)));
                tx.bank_tx_code = Some(owned::<ALLOC>(field(2, 3)));
                pending = Some(tx);
            }
            Some(b'7') => {
                if let Some(tx) = pending.as_mut() {
                    push_line::<ALLOC>(&mut tx.remittance.lines, field(4, 83));
                }
            }
            _ => {}
        }
    }
    if let Some(tx) = pending.take() {
        sink.transaction(tx);
    }
    Ok(sink.transactions)
}

/// A memchr line loop plus the owned fields of recond's BAI2 details: type code,
/// bank and customer references, and the detail text with its `88` continuations.
pub fn bai2_model<const ALLOC: bool>(input: &Input, _: Prepared) -> Result<u64, String> {
    let bytes = &input.bytes[..];
    let mut sink = Counting::default();
    let mut pending: Option<Transaction> = None;
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes) {
        let line = &bytes[start..end];
        start = end + 1;
        if line.starts_with(b"88,") {
            if let Some(tx) = pending.as_mut() {
                push_line::<ALLOC>(&mut tx.remittance.lines, &line[3..]);
            }
            continue;
        }
        if let Some(tx) = pending.take() {
            sink.transaction(tx);
        }
        if !line.starts_with(b"16,") {
            continue;
        }
        // 16,type,amount,funds[,date,time],bank_ref,customer_ref,text
        let mut rest = &line[3..];
        let mut next = || {
            let cut = memchr::memchr(b',', rest).unwrap_or(rest.len());
            let field = &rest[..cut];
            rest = rest.get(cut + 1..).unwrap_or(b"");
            field
        };
        let code = owned::<ALLOC>(next());
        let _amount = next();
        if next() == b"V" {
            let _ = (next(), next());
        }
        let bank_ref = owned::<ALLOC>(next());
        let customer_ref = owned::<ALLOC>(next());
        let mut tx = transaction(bank_ref);
        tx.customer_ref = Some(customer_ref).filter(|s| !s.is_empty());
        tx.bank_tx_code = Some(code);
        push_line::<ALLOC>(&mut tx.remittance.lines, rest);
        pending = Some(tx);
    }
    if let Some(tx) = pending.take() {
        sink.transaction(tx);
    }
    Ok(sink.transactions)
}
