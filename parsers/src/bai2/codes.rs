//! Diagnostic codes of the BAI2 reader. Tooling matches on these strings, so a code,
//! once published, is never renamed.

use crate::diagnostic::DiagnosticCode;

/// A record starts with a code that is not one of 01, 02, 03, 16, 49, 88, 98, 99.
pub const UNKNOWN_RECORD_TYPE: DiagnosticCode = DiagnosticCode("bai2_unknown_record_type");
/// A record comes where the structure does not allow it (a 16 outside an account, a
/// second 01, a 49 without its 03).
pub const UNEXPECTED_RECORD: DiagnosticCode = DiagnosticCode("bai2_unexpected_record");
/// The file does not start with a file header (01).
pub const MISSING_FILE_HEADER: DiagnosticCode = DiagnosticCode("bai2_missing_file_header");
/// An account (03) is not closed by its account trailer (49).
pub const MISSING_ACCOUNT_TRAILER: DiagnosticCode = DiagnosticCode("bai2_missing_account_trailer");
/// A group (02) is not closed by its group trailer (98).
pub const MISSING_GROUP_TRAILER: DiagnosticCode = DiagnosticCode("bai2_missing_group_trailer");
/// The file ends without a file trailer (99).
pub const MISSING_FILE_TRAILER: DiagnosticCode = DiagnosticCode("bai2_missing_file_trailer");
/// Records follow the file trailer (99).
pub const CONTENT_AFTER_FILE_TRAILER: DiagnosticCode =
    DiagnosticCode("bai2_content_after_file_trailer");
/// A continuation (88) with no record before it to continue.
pub const ORPHAN_CONTINUATION: DiagnosticCode = DiagnosticCode("bai2_orphan_continuation");
/// Warning: a physical line without a record code was read as the continuation of the
/// previous record, which had not ended with `/`.
pub const UNMARKED_CONTINUATION: DiagnosticCode = DiagnosticCode("bai2_unmarked_continuation");
/// A record with its continuations is longer than the reader keeps in memory.
pub const RECORD_TOO_LONG: DiagnosticCode = DiagnosticCode("bai2_record_too_long");
/// A record holds a non-empty field after its last defined field.
pub const UNEXPECTED_FIELD: DiagnosticCode = DiagnosticCode("bai2_unexpected_field");
/// Warning: the 01 version number is not 2.
pub const UNSUPPORTED_VERSION: DiagnosticCode = DiagnosticCode("bai2_unsupported_version");
/// The 02 group status is not 1 (update), 3 (correction) or 4 (test only); 2 (deletion)
/// retracts data sent earlier, which recond cannot apply.
pub const INVALID_GROUP_STATUS: DiagnosticCode = DiagnosticCode("bai2_invalid_group_status");
/// Warning: the group is marked test only (status 4).
pub const TEST_GROUP: DiagnosticCode = DiagnosticCode("bai2_test_group");
/// A type code is not three digits.
pub const INVALID_TYPE_CODE: DiagnosticCode = DiagnosticCode("bai2_invalid_type_code");
/// A funds type is not one of 0, 1, 2, S, V, D, Z.
pub const INVALID_FUNDS_TYPE: DiagnosticCode = DiagnosticCode("bai2_invalid_funds_type");
/// A count field (item count, record count, distribution count, days) is not an
/// unsigned number.
pub const INVALID_COUNT: DiagnosticCode = DiagnosticCode("bai2_invalid_count");
/// A funds type D distribution announces more (days, amount) pairs than the record holds.
pub const DISTRIBUTION_INCOMPLETE: DiagnosticCode = DiagnosticCode("bai2_distribution_incomplete");
/// Warning: a transaction detail (16) carries a status type code (001-099, 900-919),
/// which is no movement of money; it is not passed on as a transaction.
pub const STATUS_CODE_IN_DETAIL: DiagnosticCode = DiagnosticCode("bai2_status_code_in_detail");
/// Warning: a transaction detail (16) carries a type code with no direction in the
/// specification (700-899) and none configured; it is not passed on as a transaction.
pub const TYPE_CODE_WITHOUT_DIRECTION: DiagnosticCode =
    DiagnosticCode("bai2_type_code_without_direction");
/// Warning: a transaction detail (16) amount is negative; the direction is reversed.
pub const NEGATIVE_DETAIL_AMOUNT: DiagnosticCode = DiagnosticCode("bai2_negative_detail_amount");
/// The 49 account control total differs from the sum of the account's 03 and 16 amounts.
pub const ACCOUNT_CONTROL_TOTAL_MISMATCH: DiagnosticCode =
    DiagnosticCode("bai2_account_control_total_mismatch");
/// The 49 number of records differs from the account's records (03 to 49, with 88s).
pub const ACCOUNT_RECORD_COUNT_MISMATCH: DiagnosticCode =
    DiagnosticCode("bai2_account_record_count_mismatch");
/// The 98 group control total differs from the sum of the group's 49 control totals.
pub const GROUP_CONTROL_TOTAL_MISMATCH: DiagnosticCode =
    DiagnosticCode("bai2_group_control_total_mismatch");
/// The 98 number of accounts differs from the group's 03 records.
pub const GROUP_ACCOUNT_COUNT_MISMATCH: DiagnosticCode =
    DiagnosticCode("bai2_group_account_count_mismatch");
/// The 98 number of records differs from the group's records (02 to 98, with 88s).
pub const GROUP_RECORD_COUNT_MISMATCH: DiagnosticCode =
    DiagnosticCode("bai2_group_record_count_mismatch");
/// The 99 file control total differs from the sum of the 98 group control totals.
pub const FILE_CONTROL_TOTAL_MISMATCH: DiagnosticCode =
    DiagnosticCode("bai2_file_control_total_mismatch");
/// The 99 number of groups differs from the file's 02 records.
pub const FILE_GROUP_COUNT_MISMATCH: DiagnosticCode =
    DiagnosticCode("bai2_file_group_count_mismatch");
/// The 99 number of records differs from the file's records (01 to 99, with 88s).
pub const FILE_RECORD_COUNT_MISMATCH: DiagnosticCode =
    DiagnosticCode("bai2_file_record_count_mismatch");
/// Opening ledger (010) plus the account's credits minus its debits is not the closing
/// ledger (015).
pub const BALANCE_MISMATCH: DiagnosticCode = DiagnosticCode("bai2_balance_mismatch");
