//! Diagnostic codes of the CAMT reader. Published codes are never renamed.
//!
//! The CAMT reader also uses the common codes of [`crate::diagnostic::codes`]:
//! `invalid_amount`, `unknown_currency`, `invalid_date`, `missing_field`, `empty_file`,
//! `file_too_large`, `too_many_records`, `invalid_encoding` and `read_failed`.

use crate::diagnostic::DiagnosticCode;

/// The file is not well-formed XML: a syntax error, a mismatched or missing end tag,
/// an unknown entity, or the file ends inside an element.
pub const MALFORMED_XML: DiagnosticCode = DiagnosticCode("camt_malformed_xml");
/// The file has a `<!DOCTYPE …>` (a DTD, possibly declaring entities). CAMT files
/// never need one, and entity expansion is an attack vector, so the file is refused.
pub const DOCTYPE_FORBIDDEN: DiagnosticCode = DiagnosticCode("camt_doctype_forbidden");
/// Elements nest deeper than `Limits::xml_depth_max`.
pub const XML_TOO_DEEP: DiagnosticCode = DiagnosticCode("camt_xml_too_deep");
/// One XML token (tag or text run) is longer than `Limits::xml_token_bytes_max`.
pub const XML_TOKEN_TOO_LONG: DiagnosticCode = DiagnosticCode("camt_xml_token_too_long");
/// No `BkToCstmrStmt`, `BkToCstmrAcctRpt` or `BkToCstmrDbtCdtNtfctn` element: this
/// is XML, but not a CAMT.052/053/054 message.
pub const NOT_CAMT: DiagnosticCode = DiagnosticCode("camt_not_a_camt_message");
/// Warning: the namespace names a CAMT version this reader was not written for
/// (outside 001.01 to 001.13); the file is read by element names anyway.
pub const UNKNOWN_VERSION: DiagnosticCode = DiagnosticCode("camt_unknown_version");
/// A code element holds a value outside its code list (`CdtDbtInd`, `Sts`,
/// `RvslInd`).
pub const INVALID_CODE: DiagnosticCode = DiagnosticCode("camt_invalid_code");
/// CAMT.053: opening balance + booked credits − booked debits differs from the
/// closing balance. A warning under `Relaxed::balances`.
pub const CLOSING_BALANCE_MISMATCH: DiagnosticCode =
    DiagnosticCode("camt_closing_balance_mismatch");
/// The transaction details (`TxDtls`) of a batched entry do not add up to the entry
/// amount, or are in another currency. A warning under `Relaxed::control_totals`.
pub const BATCH_AMOUNT_MISMATCH: DiagnosticCode = DiagnosticCode("camt_batch_amount_mismatch");
/// The statement's `TxsSummry` counts or sums differ from its entries. A warning
/// under `Relaxed::control_totals`.
pub const SUMMARY_MISMATCH: DiagnosticCode = DiagnosticCode("camt_summary_mismatch");
/// Warning: an amount has more decimals than its currency's minor unit. The reader
/// keeps the exact value; storing it in minor units would lose precision.
pub const AMOUNT_PRECISION: DiagnosticCode = DiagnosticCode("camt_amount_precision");
/// Warning: an entry batches several transaction details but the first has no
/// amount of its own, so the details cannot be split into payments; they are kept
/// as one transaction of the entry amount with all their remittance.
pub const BATCH_WITHOUT_AMOUNTS: DiagnosticCode = DiagnosticCode("camt_batch_without_amounts");
