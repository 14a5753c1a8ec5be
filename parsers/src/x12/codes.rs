//! Diagnostic codes of the ANSI X12 820 reader (standalone files and NACHA CTX addenda).
//!
//! Amount, date, currency and missing-field problems use the shared codes of
//! [`crate::diagnostic::codes`]; these are the X12-specific ones.

use crate::diagnostic::DiagnosticCode;

/// The ISA segment is not a valid interchange header, so its separators are unknown.
pub const ISA_INVALID: DiagnosticCode = DiagnosticCode("x12_isa_invalid");
/// The text does not start like an X12 interchange or transaction set.
pub const NOT_X12: DiagnosticCode = DiagnosticCode("x12_not_x12");
/// A segment appears where the envelope does not allow it (data outside ST/SE,
/// ST inside ST, SE without ST, GE without GS, ...).
pub const UNEXPECTED_SEGMENT: DiagnosticCode = DiagnosticCode("x12_unexpected_segment");
/// A segment id is not 2-3 letters and digits.
pub const INVALID_SEGMENT: DiagnosticCode = DiagnosticCode("x12_invalid_segment");
/// An element holds a code the 820 does not define (BPR03 other than C or D, ...).
pub const INVALID_CODE: DiagnosticCode = DiagnosticCode("x12_invalid_code");
/// ST is not closed by SE, GS by GE or ISA by IEA before the end of the text.
pub const MISSING_TRAILER: DiagnosticCode = DiagnosticCode("x12_missing_trailer");
/// SE01 does not equal the number of segments from ST to SE.
pub const SEGMENT_COUNT_MISMATCH: DiagnosticCode = DiagnosticCode("x12_segment_count_mismatch");
/// GE01 does not equal the number of transaction sets in the group, or IEA01 the
/// number of groups in the interchange.
pub const GROUP_COUNT_MISMATCH: DiagnosticCode = DiagnosticCode("x12_group_count_mismatch");
/// A trailer's control number differs from its header's (SE02/ST02, GE02/GS06,
/// IEA02/ISA13).
pub const CONTROL_NUMBER_MISMATCH: DiagnosticCode = DiagnosticCode("x12_control_number_mismatch");
/// A transaction set has no BPR segment, so it states no payment.
pub const MISSING_BPR: DiagnosticCode = DiagnosticCode("x12_missing_bpr");
/// Every RMR states a paid amount (RMR04) but their sum (with or without the ADX
/// adjustments) differs from the payment amount BPR02. A warning: the remittance is
/// the payer's statement, the payment amount is what moves.
pub const RMR_SUM_MISMATCH: DiagnosticCode = DiagnosticCode("x12_rmr_sum_mismatch");
/// The transaction set is not an 820 (ST01).
pub const NOT_820: DiagnosticCode = DiagnosticCode("x12_not_820");
