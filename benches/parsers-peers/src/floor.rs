//! Model floors: the least any reader that hands recond's `Transaction`s to a sink can
//! cost. Each runs the bare tokenizer of the format, then builds the texts recond's
//! reader gives each transaction (bank reference, trace, names, remittance lines) with
//! no validation, no dates, no totals, and drops them through a counting sink. The
//! gap between a floor and its tokenizer is what the model's texts cost; the gap
//! between recond and the floor is parsing and checking. Three variants: the texts as
//! owned `String`s per transaction ("model floor"); copied into one record per file
//! whose storage is kept from one transaction to the next (`parsers::scratch`,
//! "reused record", what the line readers did before their texts borrowed the input);
//! and not built at all ("fields not owned": no copy, no trim, no UTF-8 check), the
//! floor of the borrowed texts the BAI2, NACHA and CSV readers now lend, which still
//! trim each field and validate each record once.

use std::borrow::Cow;

use parsers::model::{Direction, EntryStatus};
use parsers::scratch::{self, Slot, Spare};
use parsers::{Money, Position, Sink, Transaction};

use crate::contenders::{Counting, Input, Prepared};

/// How a floor builds the model's strings.
pub const OWNED: u8 = 0;
pub const NOT_OWNED: u8 = 1;
pub const REUSED: u8 = 2;

/// With `OWNED`, the field as an owned `String` as the model needs it; otherwise an
/// empty string that costs nothing (the reused variants fill their record through
/// [`text`] instead).
fn owned<const MODE: u8>(bytes: &[u8]) -> String {
    if MODE == OWNED {
        text(bytes).into_owned()
    } else {
        std::hint::black_box(bytes);
        String::new()
    }
}

/// The field without surrounding ASCII blanks, borrowed when it is UTF-8 (as recond's
/// readers take it: blanks trimmed as bytes, then one validation).
fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    let bytes = bytes.trim_ascii();
    match std::str::from_utf8(bytes) {
        Ok(text) => text.into(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned().into(),
    }
}

/// A remittance line: pushed only when the model's strings are built.
fn push_line<const MODE: u8>(spare: &mut Spare, lines: &mut Vec<Cow<'static, str>>, bytes: &[u8]) {
    match MODE {
        OWNED => lines.push(owned::<OWNED>(bytes).into()),
        REUSED => spare.push_str(lines, &text(bytes)),
        _ => {
            std::hint::black_box(bytes);
        }
    }
}

/// An optional field: owned, reused or left empty.
fn set<const MODE: u8>(spare: &mut Spare, slot: &mut Slot, bytes: &[u8]) {
    match MODE {
        OWNED => {
            *slot = Some(owned::<OWNED>(bytes).into()).filter(|s: &Cow<'_, str>| !s.is_empty())
        }
        REUSED => spare.set(slot, &text(bytes)),
        _ => {
            std::hint::black_box(bytes);
        }
    }
}

/// The bank reference, which every transaction has.
fn set_ref<const MODE: u8>(slot: &mut Cow<'static, str>, bytes: &[u8]) {
    match MODE {
        OWNED => *slot = owned::<OWNED>(bytes).into(),
        REUSED => {
            let slot = slot.to_mut();
            slot.clear();
            slot.push_str(&text(bytes));
        }
        _ => {
            std::hint::black_box(bytes);
        }
    }
}

/// Starts the next transaction: a new record, or the same one emptied.
fn next<const MODE: u8>(spare: &mut Spare, tx: &mut Transaction<'static>) {
    if MODE == REUSED {
        spare.reset(tx);
    } else {
        *tx = scratch::blank();
    }
    tx.amount = Money::from_minor(12_345, parsers::Currency::USD);
    tx.status = EntryStatus::Booked;
    tx.direction = Direction::Credit;
    tx.position = Position::default();
}

/// The csv crate's `ByteRecord` loop plus the owned fields of recond's CSV rows.
pub fn csv_model<const MODE: u8>(input: &Input, _: Prepared) -> Result<u64, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(&input.bytes[..]);
    let mut record = csv::ByteRecord::new();
    let mut sink = Counting::default();
    let (mut spare, mut tx) = (Spare::default(), scratch::blank());
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {
                let field = |index: usize| record.get(index).unwrap_or(b"");
                next::<MODE>(&mut spare, &mut tx);
                set_ref::<MODE>(&mut tx.bank_ref, field(4));
                set::<MODE>(&mut spare, &mut tx.payer_name, field(5));
                set::<MODE>(&mut spare, &mut tx.payer_account, field(6));
                push_line::<MODE>(&mut spare, &mut tx.remittance.lines, field(7));
                sink.transaction(&tx);
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
pub fn nacha_model<const MODE: u8>(input: &Input, _: Prepared) -> Result<u64, String> {
    let bytes = &input.bytes[..];
    let mut sink = Counting::default();
    let (mut spare, mut tx) = (Spare::default(), scratch::blank());
    let mut pending = false;
    let (mut company_name, mut company_id) = (Vec::new(), Vec::new());
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes) {
        let line = &bytes[start..end];
        start = end + 1;
        let field = |from: usize, to: usize| line.get(from - 1..to).unwrap_or(b"");
        match line.first() {
            Some(b'5') => {
                company_name.clear();
                company_name.extend_from_slice(field(5, 20));
                company_id.clear();
                company_id.extend_from_slice(field(41, 50));
            }
            Some(b'6') => {
                if pending {
                    sink.transaction(&tx);
                }
                pending = true;
                next::<MODE>(&mut spare, &mut tx);
                set_ref::<MODE>(&mut tx.bank_ref, field(80, 94));
                set::<MODE>(&mut spare, &mut tx.trace_number, field(80, 94));
                set::<MODE>(&mut spare, &mut tx.payer_name, &company_name);
                set::<MODE>(&mut spare, &mut tx.payer_account, &company_id);
                set::<MODE>(&mut spare, &mut tx.customer_ref, field(40, 54));
                set::<MODE>(&mut spare, &mut tx.bank_tx_code, field(2, 3));
            }
            Some(b'7') if pending => {
                push_line::<MODE>(&mut spare, &mut tx.remittance.lines, field(4, 83));
            }
            _ => {}
        }
    }
    if pending {
        sink.transaction(&tx);
    }
    Ok(sink.transactions)
}

/// A memchr line loop plus the owned fields of recond's BAI2 details: type code,
/// bank and customer references, and the detail text with its `88` continuations.
pub fn bai2_model<const MODE: u8>(input: &Input, _: Prepared) -> Result<u64, String> {
    let bytes = &input.bytes[..];
    let mut sink = Counting::default();
    let (mut spare, mut tx) = (Spare::default(), scratch::blank());
    let mut pending = false;
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes) {
        let line = &bytes[start..end];
        start = end + 1;
        if line.starts_with(b"88,") {
            if pending {
                push_line::<MODE>(&mut spare, &mut tx.remittance.lines, &line[3..]);
            }
            continue;
        }
        if pending {
            sink.transaction(&tx);
            pending = false;
        }
        if !line.starts_with(b"16,") {
            continue;
        }
        // 16,type,amount,funds[,date,time],bank_ref,customer_ref,text
        let mut rest = &line[3..];
        let mut next_field = || {
            let cut = memchr::memchr(b',', rest).unwrap_or(rest.len());
            let field = &rest[..cut];
            rest = rest.get(cut + 1..).unwrap_or(b"");
            field
        };
        let code = next_field();
        let _amount = next_field();
        if next_field() == b"V" {
            let _ = (next_field(), next_field());
        }
        let (bank_ref, customer_ref) = (next_field(), next_field());
        next::<MODE>(&mut spare, &mut tx);
        set_ref::<MODE>(&mut tx.bank_ref, bank_ref);
        set::<MODE>(&mut spare, &mut tx.customer_ref, customer_ref);
        set::<MODE>(&mut spare, &mut tx.bank_tx_code, code);
        push_line::<MODE>(&mut spare, &mut tx.remittance.lines, rest);
        pending = true;
    }
    if pending {
        sink.transaction(&tx);
    }
    Ok(sink.transactions)
}
