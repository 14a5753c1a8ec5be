//! Which leaf a path names: the one place that knows where each value sits in the
//! CAMT tree, for every version from 001.01 to 001.13.
//!
//! Paths are relative to the innermost open scope (statement, balance, entry,
//! transaction details, structured remittance). Versions differ only in a few
//! wrappers (`Sts` vs `Sts/Cd`, `Dbtr/Nm` vs `Dbtr/Pty/Nm`, `BIC` vs `BICFI`), which
//! the patterns below accept side by side.

use super::tags::Tag::{self, *};

/// The four parts of a bank transaction code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CodePart {
    Domain,
    Family,
    SubFamily,
    Proprietary,
}

/// Parties named in `RltdPties`, indexes into `TxState::names`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Party {
    Debtor = 0,
    UltimateDebtor = 1,
    Creditor = 2,
    UltimateCreditor = 3,
}

/// Whose account in `RltdPties`, indexes into `TxState::accounts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    Debtor = 0,
    Creditor = 1,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    // Statement, report or notification.
    StatementId,
    AccountIban,
    AccountOther,
    AccountCurrency,
    AccountName,
    OwnerName,
    ServicerBic,
    FromDate,
    ToDate,
    SummaryCount(SummaryGroup),
    SummarySum(SummaryGroup),
    // Balance.
    BalanceCode,
    BalanceAmount,
    BalanceDirection,
    // Entry.
    EntryAmount,
    EntryDirection,
    EntryReversal,
    EntryStatus,
    EntryBookingDate,
    EntryValueDate,
    EntryBankRef,
    EntryInfo,
    EntryCode(CodePart),
    // Transaction details.
    TxBankRef,
    TxEndToEndId,
    TxInstructionId,
    TxTransactionId,
    TxUetr,
    TxAmount,
    TxDetailAmount,
    TxDirection,
    TxCode(CodePart),
    TxPartyName(Party),
    TxPartyAccount(Side),
    TxUnstructured,
    TxInfo,
    // Structured remittance.
    DocumentTypeCode,
    DocumentTypeProprietary,
    DocumentNumber,
    DocumentDue,
    DocumentPaid,
    DocumentDiscount,
    CreditorReference,
    AdditionalRemittance,
}

/// Which block of `TxsSummry`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SummaryGroup {
    All,
    Credits,
    Debits,
}

pub(super) fn statement(path: &[Tag]) -> Option<Field> {
    Some(match path {
        [Id] => Field::StatementId,
        [Acct, Id, IBAN] => Field::AccountIban,
        // Version 1 had proprietary, BBAN and UPIC account ids besides the IBAN.
        [Acct, Id, Othr | PrtryAcct, Id] | [Acct, Id, BBAN | UPIC] => Field::AccountOther,
        [Acct, Ccy] => Field::AccountCurrency,
        [Acct, Nm] => Field::AccountName,
        [Acct, Ownr, Nm] | [Acct, Ownr, Pty, Nm] => Field::OwnerName,
        [Acct, Svcr, FinInstnId, BIC | BICFI] => Field::ServicerBic,
        [FrToDt, FrDtTm] => Field::FromDate,
        [FrToDt, ToDtTm] => Field::ToDate,
        [TxsSummry, group, leaf] => {
            let group = match group {
                TtlNtries => SummaryGroup::All,
                TtlCdtNtries => SummaryGroup::Credits,
                TtlDbtNtries => SummaryGroup::Debits,
                _ => return None,
            };
            match leaf {
                NbOfNtries => Field::SummaryCount(group),
                Sum => Field::SummarySum(group),
                _ => return None,
            }
        }
        _ => return None,
    })
}

pub(super) fn balance(path: &[Tag]) -> Option<Field> {
    Some(match path {
        [Tp, CdOrPrtry, Cd] => Field::BalanceCode,
        [Amt] => Field::BalanceAmount,
        [CdtDbtInd] => Field::BalanceDirection,
        _ => return None,
    })
}

fn code_part(path: &[Tag]) -> Option<CodePart> {
    Some(match path {
        [Domn, Cd] => CodePart::Domain,
        [Domn, Fmly, Cd] => CodePart::Family,
        [Domn, Fmly, SubFmlyCd] => CodePart::SubFamily,
        [Prtry, Cd] => CodePart::Proprietary,
        _ => return None,
    })
}

pub(super) fn entry(path: &[Tag]) -> Option<Field> {
    Some(match path {
        [Amt] => Field::EntryAmount,
        [CdtDbtInd] => Field::EntryDirection,
        [RvslInd] => Field::EntryReversal,
        [Sts] | [Sts, Cd] => Field::EntryStatus,
        [BookgDt, Dt | DtTm] => Field::EntryBookingDate,
        [ValDt, Dt | DtTm] => Field::EntryValueDate,
        [AcctSvcrRef] => Field::EntryBankRef,
        [AddtlNtryInf] => Field::EntryInfo,
        [BkTxCd, rest @ ..] => Field::EntryCode(code_part(rest)?),
        _ => return None,
    })
}

fn party(tag: Tag) -> Option<Party> {
    Some(match tag {
        Dbtr => Party::Debtor,
        UltmtDbtr => Party::UltimateDebtor,
        Cdtr => Party::Creditor,
        UltmtCdtr => Party::UltimateCreditor,
        _ => return None,
    })
}

fn side(tag: Tag) -> Option<Side> {
    Some(match tag {
        DbtrAcct => Side::Debtor,
        CdtrAcct => Side::Creditor,
        _ => return None,
    })
}

pub(super) fn transaction(path: &[Tag]) -> Option<Field> {
    Some(match path {
        [Refs, AcctSvcrRef] => Field::TxBankRef,
        [Refs, EndToEndId] => Field::TxEndToEndId,
        [Refs, InstrId] => Field::TxInstructionId,
        [Refs, TxId] => Field::TxTransactionId,
        [Refs, UETR] => Field::TxUetr,
        [Amt] => Field::TxAmount,
        [AmtDtls, TxAmt, Amt] => Field::TxDetailAmount,
        [CdtDbtInd] => Field::TxDirection,
        [BkTxCd, rest @ ..] => Field::TxCode(code_part(rest)?),
        [RltdPties, who, Nm] | [RltdPties, who, Pty, Nm] => Field::TxPartyName(party(*who)?),
        [RltdPties, whose, Id, IBAN | BBAN | UPIC]
        | [RltdPties, whose, Id, Othr | PrtryAcct, Id] => Field::TxPartyAccount(side(*whose)?),
        [RmtInf, Ustrd] => Field::TxUnstructured,
        [AddtlTxInf] => Field::TxInfo,
        _ => return None,
    })
}

pub(super) fn structured(path: &[Tag]) -> Option<Field> {
    Some(match path {
        [RfrdDocInf, Tp, CdOrPrtry, Cd] => Field::DocumentTypeCode,
        [RfrdDocInf, Tp, CdOrPrtry, Prtry] => Field::DocumentTypeProprietary,
        [RfrdDocInf, Nb] => Field::DocumentNumber,
        [RfrdDocAmt, DuePyblAmt] => Field::DocumentDue,
        [RfrdDocAmt, RmtdAmt] => Field::DocumentPaid,
        [RfrdDocAmt, DscntApldAmt] | [RfrdDocAmt, DscntApldAmt, Amt] => Field::DocumentDiscount,
        [CdtrRefInf, Ref] => Field::CreditorReference,
        [AddtlRmtInf] => Field::AdditionalRemittance,
        _ => return None,
    })
}
