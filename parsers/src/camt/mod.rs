//! ISO 20022 CAMT reader: bank-to-customer statements (camt.053), account reports
//! (camt.052) and debit/credit notifications (camt.054), versions 001.01 to 001.13.
//!
//! A hand-written pull parser over the crate's own XML tokenizer: it streams entries to the sink as they
//! end, keeps memory flat however large the file, matches elements by local name so
//! that every namespace version reads the same way, and locates every problem by
//! byte and line. Each `Stmt`/`Rpt`/`Ntfctn` becomes a [`crate::Statement`]; each
//! `Ntry` becomes one [`crate::Transaction`], or one per `TxDtls` when the entry
//! batches several payments.
//!
//! Checks: a CAMT.053 statement's closing booked balance must equal its opening
//! balance plus booked credits minus booked debits (`Relaxed::balances` makes it a
//! warning); batched details must add up to their entry, and `TxsSummry` must agree
//! with the entries (`Relaxed::control_totals`). A DOCTYPE is refused outright, and
//! no entity other than the five XML ones and character references is expanded.

pub mod codes;
mod entry;
mod fields;
mod reader;
mod remittance;
mod statement;
mod tags;
mod values;

#[cfg(test)]
mod tests;

use std::io::BufRead;

use crate::diagnostic::Diagnostics;
use crate::options::Options;
use crate::sink::Sink;

/// Parses a CAMT.052/053/054 file into `sink`. Returns the message version named by
/// the namespace (`camt.053.001.08`), or `None` when the file names none.
pub fn parse<R: BufRead>(
    input: R,
    options: &Options,
    sink: &mut dyn Sink,
    diagnostics: &mut Diagnostics,
) -> Option<String> {
    reader::run(input, options, sink, diagnostics).version
}
