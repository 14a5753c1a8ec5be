//! NACHA ACH files: fixed 94-character records (file header, batches of entry detail
//! and addenda records, batch and file controls, `9…9` padding), streamed into the
//! common model with every count, entry hash and total checked.
//!
//! Mapping, decided here:
//! - One statement per batch: id `<batch number>-<company id>`, account number = the
//!   batch's company identification (the originator), servicer = the originating DFI,
//!   name = the company name, currency USD, from/to = the effective entry date.
//! - One transaction per entry: direction from the transaction code (x1-x4 credit,
//!   x6-x9 debit; live and prenote codes are seen from the receiver's account, return
//!   codes 21/26... from the originator's, who gets the return), amount in cents,
//!   booking date = effective entry date, value date = settlement date,
//!   `bank_ref` = `trace_number` = the 15-digit trace number, `customer_ref` = the
//!   entry's identification number, `payer_name` = the batch's company name (the
//!   originator pays a credit entry; IAT: the originator name of addenda 11),
//!   `payer_account` = the company identification, `bank_tx_code` = `SEC/code`
//!   (`CCD/22`).
//! - Status: prenotes (x3/x8), zero-dollar entries, NOCs and ADV advices are `Info`
//!   (not cash); everything else that moves money is `Booked`.
//! - Remittance: each addenda 05 (and IAT 17) payment information is a text line; one
//!   that is an X12 fragment (`RMR*IV*1001*PI*125.00\`) also gives items. CTX/ATX
//!   addenda are concatenated in file order (sequence numbers are checked) and read
//!   as an X12 820 into items (and REF/ADX/NTE lines, plus the N1*PR payer when it is
//!   not the company name); X12 problems there are warnings (see [`crate::x12`]).
//! - Returns (addenda 99): `return_info` with the original trace and R-code, and
//!   `reversal`. NOCs (98): a text line with the change code and corrected data.
//!
//! Record length, decided here (moov-io/ach reads the corpus's long-line.ach and
//! short-line.ach): a line longer than 94 characters whose surplus is only spaces, or
//! shorter (read as padded with spaces), gives one `nacha_record_length` warning per
//! file; a longer line with content beyond 94 is an error. A short record cut inside a
//! field fails that field's check. Blank lines are ignored with one warning.
//! Lines without any line break (unblocked files) are not supported.
//!
//! Padding: a record count that is not a multiple of ten is a warning
//! (`nacha_missing_padding`); the block count must still match the records; any
//! record after the file control other than `9…9` is an error.

pub mod codes;
mod entry;
mod fields;
mod reader;
pub(crate) mod split;

use std::io::BufRead;

use crate::diagnostic::Diagnostics;
use crate::options::Options;
use crate::sink::Sink;

/// Parses a NACHA ACH file, streaming one statement per batch and one transaction per
/// entry into `sink`. NACHA files state no version beyond format code 1: returns `None`.
pub fn parse<R: BufRead>(
    input: R,
    options: &Options,
    sink: &mut dyn Sink,
    diagnostics: &mut Diagnostics,
) -> Option<String> {
    reader::Reader::new(options, diagnostics).run(input, sink);
    None
}

#[cfg(test)]
mod tests;
