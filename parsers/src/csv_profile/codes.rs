//! Diagnostic codes of the CSV reader.

use crate::diagnostic::DiagnosticCode;

/// The header lacks a column the profile needs.
pub const MISSING_COLUMN: DiagnosticCode = DiagnosticCode("csv_missing_column");
/// A row has amounts in both the credit and the debit column.
pub const BOTH_CREDIT_AND_DEBIT: DiagnosticCode = DiagnosticCode("csv_both_credit_and_debit");
/// The credit/debit marker column holds a value the profile does not list.
pub const UNKNOWN_DIRECTION: DiagnosticCode = DiagnosticCode("csv_unknown_direction");
