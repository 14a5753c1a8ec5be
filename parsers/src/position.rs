//! Where something is in a file, so that every diagnostic can point at it.

use serde::Serialize;

/// A place in an input file.
///
/// `byte` is 0-based from the start of the file, `line` is 1-based, and `record` is the
/// 0-based index of the record (NACHA/BAI2 record, CSV row, XML element count) when the
/// format has records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Position {
    pub byte: u64,
    pub line: u64,
    pub record: u64,
}

impl Position {
    pub fn new(byte: u64, line: u64, record: u64) -> Position {
        Position { byte, line, record }
    }
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {} (byte {})", self.line, self.byte)
    }
}
