//! Located, typed diagnostics: what is wrong, where, and what was expected.
//!
//! Parsers collect diagnostics rather than stopping at the first problem, up to
//! `Limits::diagnostics_max`; a file with any `Error` diagnostic is invalid and the
//! shell stores nothing of it.

use std::fmt;

use serde::Serialize;

use crate::position::Position;

/// How bad a diagnostic is. Any `Error` makes the file invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A stable snake_case code for a kind of problem. Tooling matches on these strings,
/// so a code, once published, is never renamed. Each format keeps its catalogue of
/// codes, with a line of documentation each, in its `codes` module; the common ones
/// are in [`codes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct DiagnosticCode(pub &'static str);

impl DiagnosticCode {
    pub fn as_str(&self) -> &'static str {
        self.0
    }
}

impl fmt::Display for DiagnosticCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// Codes shared by every format.
pub mod codes {
    use super::DiagnosticCode;

    /// The reader failed (I/O error) before the end of the file.
    pub const READ_FAILED: DiagnosticCode = DiagnosticCode("read_failed");
    /// The content is not any format recond knows.
    pub const UNKNOWN_FORMAT: DiagnosticCode = DiagnosticCode("unknown_format");
    /// The file is larger than `Limits::file_size_bytes_max`.
    pub const FILE_TOO_LARGE: DiagnosticCode = DiagnosticCode("file_too_large");
    /// A line or physical record is longer than `Limits::line_length_bytes_max`.
    pub const LINE_TOO_LONG: DiagnosticCode = DiagnosticCode("line_too_long");
    /// More records than `Limits::records_max`.
    pub const TOO_MANY_RECORDS: DiagnosticCode = DiagnosticCode("too_many_records");
    /// An amount field is not a valid amount.
    pub const INVALID_AMOUNT: DiagnosticCode = DiagnosticCode("invalid_amount");
    /// A currency code is not a known ISO 4217 code.
    pub const UNKNOWN_CURRENCY: DiagnosticCode = DiagnosticCode("unknown_currency");
    /// A date field is not a valid date in the expected format.
    pub const INVALID_DATE: DiagnosticCode = DiagnosticCode("invalid_date");
    /// A required field is empty or missing.
    pub const MISSING_FIELD: DiagnosticCode = DiagnosticCode("missing_field");
    /// The file holds no statement or transaction at all.
    pub const EMPTY_FILE: DiagnosticCode = DiagnosticCode("empty_file");
    /// Text is not valid in the declared or expected encoding.
    pub const INVALID_ENCODING: DiagnosticCode = DiagnosticCode("invalid_encoding");
}

/// One problem found in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: DiagnosticCode,
    pub position: Position,
    /// The record or element the problem is in ("entry detail (6)", "Ntry", "row").
    pub record: Option<String>,
    /// The field within the record ("amount", "Amt@Ccy", "entry_hash").
    pub field: Option<String>,
    /// What the file holds there.
    pub found: Option<String>,
    /// What it should hold.
    pub expected: Option<String>,
    /// A sentence for a person, without the position (Display adds it).
    pub message: String,
}

impl Diagnostic {
    pub fn error(code: DiagnosticCode, position: Position, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            position,
            record: None,
            field: None,
            found: None,
            expected: None,
            message: message.into(),
        }
    }

    pub fn warning(code: DiagnosticCode, position: Position, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, position, message)
        }
    }

    pub fn record(mut self, record: impl Into<String>) -> Self {
        self.record = Some(record.into());
        self
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn found(mut self, found: impl Into<String>) -> Self {
        self.found = Some(found.into());
        self
    }

    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    /// `error[entry_hash_mismatch] line 37 (byte 3384), file control (9), entry_hash:
    /// entry hash does not match the entries; expected 0023138010, found 0023138011`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}[{}] {}",
            self.severity.as_str(),
            self.code,
            self.position
        )?;
        if let Some(record) = &self.record {
            write!(f, ", {record}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", {field}")?;
        }
        write!(f, ": {}", self.message)?;
        match (&self.expected, &self.found) {
            (Some(expected), Some(found)) => write!(f, "; expected {expected}, found {found:?}"),
            (Some(expected), None) => write!(f, "; expected {expected}"),
            (None, Some(found)) => write!(f, "; found {found:?}"),
            (None, None) => Ok(()),
        }
    }
}

/// Collects diagnostics up to a limit and counts the ones it had to drop.
#[derive(Debug, Clone)]
pub struct Diagnostics {
    list: Vec<Diagnostic>,
    max: usize,
    dropped: usize,
    has_error: bool,
}

impl Diagnostics {
    pub fn new(max: usize) -> Diagnostics {
        Diagnostics {
            list: Vec::new(),
            max,
            dropped: 0,
            has_error: false,
        }
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.has_error |= diagnostic.severity == Severity::Error;
        if self.list.len() < self.max {
            self.list.push(diagnostic);
        } else {
            self.dropped += 1;
        }
    }

    pub fn has_error(&self) -> bool {
        self.has_error
    }

    /// True once the limit is reached: a parser may stop early then.
    pub fn is_full(&self) -> bool {
        self.list.len() >= self.max
    }

    pub fn list(&self) -> &[Diagnostic] {
        &self.list
    }

    pub fn dropped(&self) -> usize {
        self.dropped
    }

    pub fn into_parts(self) -> (Vec<Diagnostic>, usize) {
        (self.list, self.dropped)
    }
}
