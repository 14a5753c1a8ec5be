//! Never-panic fuzz target for the camt parser: any bytes must give a report, not a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;
use parsers::{Collect, Format, Options};

fuzz_target!(|data: &[u8]| {
    let mut sink = Collect::default();
    let report = parsers::parse(Format::Camt, data, &Options::default(), &mut sink);
    let _ = report.is_valid();
});
