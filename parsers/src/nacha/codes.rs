//! Diagnostic codes of the NACHA ACH reader.
//!
//! Amount, date and limit problems use the shared codes of
//! [`crate::diagnostic::codes`]; these are the NACHA-specific ones. Codes marked
//! "control" become warnings under `Relaxed::control_totals`.

use crate::diagnostic::DiagnosticCode;

/// A line is not 94 characters. An error when the difference is content; a warning
/// (reported once per file) when the line only has trailing spaces beyond 94 or was
/// cut short of trailing spaces, which moov-io/ach also reads.
pub const RECORD_LENGTH: DiagnosticCode = DiagnosticCode("nacha_record_length");
/// The first character is not a NACHA record type (1, 5, 6, 7, 8, 9).
pub const UNKNOWN_RECORD_TYPE: DiagnosticCode = DiagnosticCode("nacha_unknown_record_type");
/// A field does not hold what its layout requires (digits, a known code...).
pub const INVALID_FIELD: DiagnosticCode = DiagnosticCode("nacha_invalid_field");
/// A record comes where the file structure does not allow it (an entry outside a
/// batch, a second file header, ...).
pub const UNEXPECTED_RECORD: DiagnosticCode = DiagnosticCode("nacha_unexpected_record");
/// The file does not start with a file header (1) record.
pub const MISSING_FILE_HEADER: DiagnosticCode = DiagnosticCode("nacha_missing_file_header");
/// A batch is not closed by a batch control (8) record.
pub const MISSING_BATCH_CONTROL: DiagnosticCode = DiagnosticCode("nacha_missing_batch_control");
/// The file ends without a file control (9) record: it was cut short.
pub const MISSING_FILE_CONTROL: DiagnosticCode = DiagnosticCode("nacha_missing_file_control");
/// A batch control does not repeat its header's service class, company id or batch
/// number.
pub const BATCH_MISMATCH: DiagnosticCode = DiagnosticCode("nacha_batch_mismatch");
/// Control: the entry/addenda count of a batch or file control differs from the records.
pub const ENTRY_COUNT_MISMATCH: DiagnosticCode = DiagnosticCode("nacha_entry_count_mismatch");
/// Control: the entry hash (sum of 8-digit receiving DFI routing numbers, modulo
/// 10^10) differs from the entries.
pub const ENTRY_HASH_MISMATCH: DiagnosticCode = DiagnosticCode("nacha_entry_hash_mismatch");
/// Control: a debit or credit total differs from the sum of the entries.
pub const TOTAL_MISMATCH: DiagnosticCode = DiagnosticCode("nacha_total_mismatch");
/// Control: the file control's batch count differs from the batches.
pub const BATCH_COUNT_MISMATCH: DiagnosticCode = DiagnosticCode("nacha_batch_count_mismatch");
/// Control: the file control's block count differs from the records divided in
/// blocks of ten.
pub const BLOCK_COUNT_MISMATCH: DiagnosticCode = DiagnosticCode("nacha_block_count_mismatch");
/// A record after the file control is not a padding record of 94 `9`s.
pub const BAD_PADDING: DiagnosticCode = DiagnosticCode("nacha_bad_padding");
/// Warning: the record count is not a multiple of ten (padding missing). Many
/// originators skip padding; it does not change any amount.
pub const MISSING_PADDING: DiagnosticCode = DiagnosticCode("nacha_missing_padding");
/// Warning: a routing number's ABA check digit is wrong.
pub const ROUTING_CHECK_DIGIT: DiagnosticCode = DiagnosticCode("nacha_routing_check_digit");
/// The entry's addenda record indicator disagrees with the addenda that follow.
pub const ADDENDA_INDICATOR: DiagnosticCode = DiagnosticCode("nacha_addenda_indicator");
/// Control: a CTX/IAT entry's number-of-addenda field differs from its addenda.
pub const ADDENDA_COUNT_MISMATCH: DiagnosticCode = DiagnosticCode("nacha_addenda_count_mismatch");
/// Warning: addenda sequence numbers are not 1, 2, 3... in file order.
pub const ADDENDA_SEQUENCE: DiagnosticCode = DiagnosticCode("nacha_addenda_sequence");
/// Warning: an addendum's entry detail sequence number or trace number is not its
/// entry's.
pub const ADDENDA_TRACE_MISMATCH: DiagnosticCode = DiagnosticCode("nacha_addenda_trace_mismatch");
/// An entry has more addenda than `Limits::ctx_addenda_max`; the rest are not kept.
pub const TOO_MANY_ADDENDA: DiagnosticCode = DiagnosticCode("nacha_too_many_addenda");
/// Warning: a credits-only (220) batch holds a debit, or a debits-only (225) batch
/// a credit.
pub const SERVICE_CLASS_MISMATCH: DiagnosticCode = DiagnosticCode("nacha_service_class_mismatch");
/// Warning: a CTX entry's X12 BPR02 payment amount differs from the entry amount.
pub const CTX_AMOUNT_MISMATCH: DiagnosticCode = DiagnosticCode("nacha_ctx_amount_mismatch");
/// Warning: a blank line between records (reported once per file, then ignored).
pub const BLANK_LINE: DiagnosticCode = DiagnosticCode("nacha_blank_line");
/// Warning: X12 remittance in an entry's addenda could not be fully read; the
/// message chains the entry, the addendum and the X12 location.
pub const ADDENDA_X12: DiagnosticCode = DiagnosticCode("nacha_addenda_x12");
