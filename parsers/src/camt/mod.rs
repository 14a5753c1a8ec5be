//! Placeholder: the camt reader is being written (issue 3). Until then a camt file is
//! rejected with a diagnostic rather than accepted half-read.

use std::io::BufRead;

use crate::diagnostic::{codes, Diagnostic, Diagnostics};
use crate::options::Options;
use crate::position::Position;
use crate::sink::Sink;

pub fn parse<R: BufRead>(
    _input: R,
    _options: &Options,
    _sink: &mut dyn Sink,
    diagnostics: &mut Diagnostics,
) -> Option<String> {
    diagnostics.push(Diagnostic::error(
        codes::UNKNOWN_FORMAT,
        Position::default(),
        "this build of recond cannot read camt files yet",
    ));
    None
}
