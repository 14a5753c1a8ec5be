//! What a caller can tune: limits on untrusted input, checks a bank may be excused
//! from, and per-bank mappings.

use std::collections::BTreeMap;

use crate::csv_profile::CsvProfile;
use crate::model::Direction;

/// Bounds on untrusted input. Hitting one gives a specific diagnostic, never a hang
/// or an allocation sized by the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    pub file_size_bytes_max: u64,
    /// Longest physical line or record accepted (BAI2, NACHA, CSV, X12 segment).
    pub line_length_bytes_max: usize,
    pub records_max: u64,
    pub diagnostics_max: usize,
    pub xml_depth_max: usize,
    /// Longest single XML token (a tag with its attributes, or a run of text) the
    /// CAMT reader buffers; bounds memory on a file without `<` for gigabytes.
    pub xml_token_bytes_max: usize,
    /// Addenda records per NACHA entry (the specification allows 9 999 for CTX).
    pub ctx_addenda_max: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            file_size_bytes_max: 4 * 1024 * 1024 * 1024,
            line_length_bytes_max: 64 * 1024,
            records_max: 50_000_000,
            diagnostics_max: 100,
            xml_depth_max: 64,
            xml_token_bytes_max: 1024 * 1024,
            ctx_addenda_max: 9_999,
        }
    }
}

/// Integrity checks that a bank with a known quirk may be excused from. Every check
/// is on by default; relaxing one turns its errors into warnings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Relaxed {
    /// CAMT/BAI2: opening balance + entries = closing balance.
    pub balances: bool,
    /// BAI2/NACHA trailer control totals and record counts, NACHA entry hash.
    pub control_totals: bool,
}

/// Everything a parser needs besides the bytes.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub limits: Limits,
    pub relaxed: Relaxed,
    /// BAI2 type codes whose direction a bank defines differently from the
    /// specification (mostly the 9xx range). `None` maps a code to non-cash status.
    pub bai2_type_directions: BTreeMap<u16, Option<Direction>>,
    /// The CSV profile to read a CSV file with; `None` means the built-in default.
    pub csv_profile: Option<CsvProfile>,
}
