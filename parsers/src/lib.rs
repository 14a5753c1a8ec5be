//! Pure parsers for the bank and remittance files recond reads.
//!
//! Bytes (or a buffered reader) go in; the common statement model of
//! [`model`] comes out through a [`Sink`], together with located [`Diagnostic`]s.
//! This crate does no I/O of its own, no async, no logging, and reads no clock: the
//! shell (`src/` of the `recond` package) does all of that. It never panics on input
//! and never allocates by a length field read from the file.
//!
//! Formats: ISO 20022 CAMT.052/053/054 ([`camt`]), BAI2 ([`bai2`]), NACHA ACH with
//! CCD+/CTX remittance ([`nacha`], whose CTX addenda are ANSI X12 820, [`x12`]), and
//! bank CSV exports described by a profile ([`csv_profile`]).

#![deny(clippy::float_arithmetic)]

pub mod bai2;
pub mod camt;
pub mod csv_profile;
pub mod detect;
pub mod diagnostic;
pub mod digits;
pub mod model;
pub mod money;
pub mod nacha;
pub mod options;
pub mod position;
pub mod scratch;
pub mod sink;
#[cfg(test)]
mod testing;
pub mod x12;
mod xml;

use std::io::BufRead;

pub use detect::detect;
pub use diagnostic::{Diagnostic, DiagnosticCode, Diagnostics, Severity};
pub use model::{Format, Statement, Transaction};
pub use money::{Currency, Money};
pub use options::{Limits, Options, Relaxed};
pub use position::Position;
pub use sink::{Collect, Sink};

/// The outcome of parsing one file. The content itself went to the sink.
#[derive(Debug, Clone)]
pub struct Report {
    pub format: Format,
    /// Format version or variant when the file states one (`camt.053.001.08`, `BAI2`,
    /// `X12 005010X218`).
    pub version: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
    /// Diagnostics beyond `Limits::diagnostics_max` that were counted but not kept.
    pub diagnostics_dropped: usize,
    /// Whether any error was found, including among the dropped diagnostics.
    pub has_error: bool,
}

impl Report {
    /// A file is valid when it has no error-level diagnostic. An invalid file must be
    /// rejected whole: nothing of what went into the sink may be kept.
    pub fn is_valid(&self) -> bool {
        !self.has_error
    }

    fn new(format: Format, version: Option<String>, diagnostics: Diagnostics) -> Report {
        let has_error = diagnostics.has_error();
        let (diagnostics, diagnostics_dropped) = diagnostics.into_parts();
        Report {
            format,
            version,
            diagnostics,
            diagnostics_dropped,
            has_error,
        }
    }
}

/// Parses `input` as `format`, streaming statements and transactions into `sink`.
pub fn parse<R: BufRead>(
    format: Format,
    input: R,
    options: &Options,
    sink: &mut dyn Sink,
) -> Report {
    let mut diagnostics = Diagnostics::new(options.limits.diagnostics_max);
    let version = match format {
        Format::Camt => camt::parse(input, options, sink, &mut diagnostics),
        Format::Bai2 => bai2::parse(input, options, sink, &mut diagnostics),
        Format::Nacha => nacha::parse(input, options, sink, &mut diagnostics),
        Format::X12_820 => x12::parse_820_file(input, options, sink, &mut diagnostics),
        Format::Csv => csv_profile::parse(input, options, sink, &mut diagnostics),
    };
    Report::new(format, version, diagnostics)
}

/// Detects the format from the first bytes, then parses. Returns `None` when the
/// content is no format recond knows.
pub fn detect_and_parse<R: BufRead>(
    mut input: R,
    options: &Options,
    sink: &mut dyn Sink,
) -> Option<Report> {
    let prefix = match input.fill_buf() {
        Ok(prefix) => prefix,
        Err(_) => &[],
    };
    let format = detect(prefix, options.csv_profile.is_some())?;
    Some(parse(format, input, options, sink))
}
