//! The element names the CAMT reader cares about, as a small copyable enum.
//!
//! Matching on local names (namespace prefix stripped) once per start tag lets the
//! rest of the reader compare paths as slices of `Tag` instead of byte strings, and
//! makes the reader indifferent to the namespace version.

macro_rules! tags {
    ($($name:ident),* $(,)?) => {
        /// A known CAMT element name, or `Other` for everything the reader skips.
        #[allow(clippy::upper_case_acronyms)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(super) enum Tag {
            Other,
            $($name,)*
        }

        impl Tag {
            /// Maps an element's local name to its tag.
            pub(super) fn from_local(name: &[u8]) -> Tag {
                match from_local_literal(name) {
                    // Version 1 message elements carry a suffix: `BkToCstmrAcctRptV01`.
                    Tag::Other if name.starts_with(b"BkToCstmr") => versioned_message(name),
                    tag => tag,
                }
            }

            /// The element name, for messages.
            pub(super) fn name(self) -> &'static str {
                match self {
                    Tag::Other => "element",
                    $(Tag::$name => stringify!($name),)*
                }
            }
        }
    };
}

tags! {
    BkToCstmrStmt, BkToCstmrAcctRpt, BkToCstmrDbtCdtNtfctn, Stmt, Rpt, Ntfctn,
    Id, Acct, IBAN, Othr, PrtryAcct, BBAN, UPIC, Ccy, Nm, Ownr, Pty, Svcr, FinInstnId, BIC, BICFI,
    Bal, Tp, CdOrPrtry, Cd, Prtry, Amt, CdtDbtInd, Dt, DtTm, FrToDt, FrDtTm, ToDtTm,
    TxsSummry, TtlNtries, TtlCdtNtries, TtlDbtNtries, NbOfNtries, Sum,
    Ntry, RvslInd, Sts, BookgDt, ValDt, AcctSvcrRef, AddtlNtryInf,
    BkTxCd, Domn, Fmly, SubFmlyCd,
    NtryDtls, TxDtls, Refs, EndToEndId, InstrId, TxId, UETR, AmtDtls, TxAmt, AddtlTxInf,
    RltdPties, Dbtr, DbtrAcct, UltmtDbtr, Cdtr, CdtrAcct, UltmtCdtr,
    RmtInf, Ustrd, Strd, RfrdDocInf, Nb, RfrdDocAmt, DuePyblAmt, RmtdAmt, DscntApldAmt,
    CdtrRefInf, Ref, AddtlRmtInf,
}

impl Tag {
    /// Whether the element can be a leaf whose text the reader uses. Text of other
    /// elements is never copied.
    pub(super) fn captures_text(self) -> bool {
        use Tag::*;
        matches!(
            self,
            Id | IBAN
                | BBAN
                | UPIC
                | Ccy
                | Nm
                | BIC
                | BICFI
                | Cd
                | Prtry
                | Amt
                | CdtDbtInd
                | Dt
                | DtTm
                | FrDtTm
                | ToDtTm
                | NbOfNtries
                | Sum
                | RvslInd
                | Sts
                | AcctSvcrRef
                | AddtlNtryInf
                | SubFmlyCd
                | EndToEndId
                | InstrId
                | TxId
                | UETR
                | AddtlTxInf
                | Ustrd
                | Nb
                | DuePyblAmt
                | RmtdAmt
                | DscntApldAmt
                | Ref
                | AddtlRmtInf
        )
    }

    /// Whether the element carries its currency in a `Ccy` attribute.
    pub(super) fn has_currency(self) -> bool {
        matches!(
            self,
            Tag::Amt | Tag::DuePyblAmt | Tag::RmtdAmt | Tag::DscntApldAmt
        )
    }
}

fn versioned_message(name: &[u8]) -> Tag {
    let stem = match name.len().checked_sub(3) {
        Some(cut) if name[cut] == b'V' => &name[..cut],
        _ => return Tag::Other,
    };
    match stem {
        b"BkToCstmrStmt" => Tag::BkToCstmrStmt,
        b"BkToCstmrAcctRpt" => Tag::BkToCstmrAcctRpt,
        b"BkToCstmrDbtCdtNtfctn" => Tag::BkToCstmrDbtCdtNtfctn,
        _ => Tag::Other,
    }
}

/// A literal byte-string match, which the compiler turns into a switch on length
/// and a few comparisons; kept in the same order as the `tags!` list.
fn from_local_literal(name: &[u8]) -> Tag {
    match name {
        b"BkToCstmrStmt" => Tag::BkToCstmrStmt,
        b"BkToCstmrAcctRpt" => Tag::BkToCstmrAcctRpt,
        b"BkToCstmrDbtCdtNtfctn" => Tag::BkToCstmrDbtCdtNtfctn,
        b"Stmt" => Tag::Stmt,
        b"Rpt" => Tag::Rpt,
        b"Ntfctn" => Tag::Ntfctn,
        b"Id" => Tag::Id,
        b"Acct" => Tag::Acct,
        b"IBAN" => Tag::IBAN,
        b"Othr" => Tag::Othr,
        b"PrtryAcct" => Tag::PrtryAcct,
        b"BBAN" => Tag::BBAN,
        b"UPIC" => Tag::UPIC,
        b"Ccy" => Tag::Ccy,
        b"Nm" => Tag::Nm,
        b"Ownr" => Tag::Ownr,
        b"Pty" => Tag::Pty,
        b"Svcr" => Tag::Svcr,
        b"FinInstnId" => Tag::FinInstnId,
        b"BIC" => Tag::BIC,
        b"BICFI" => Tag::BICFI,
        b"Bal" => Tag::Bal,
        b"Tp" => Tag::Tp,
        b"CdOrPrtry" => Tag::CdOrPrtry,
        b"Cd" => Tag::Cd,
        b"Prtry" => Tag::Prtry,
        b"Amt" => Tag::Amt,
        b"CdtDbtInd" => Tag::CdtDbtInd,
        b"Dt" => Tag::Dt,
        b"DtTm" => Tag::DtTm,
        b"FrToDt" => Tag::FrToDt,
        b"FrDtTm" => Tag::FrDtTm,
        b"ToDtTm" => Tag::ToDtTm,
        b"TxsSummry" => Tag::TxsSummry,
        b"TtlNtries" => Tag::TtlNtries,
        b"TtlCdtNtries" => Tag::TtlCdtNtries,
        b"TtlDbtNtries" => Tag::TtlDbtNtries,
        b"NbOfNtries" => Tag::NbOfNtries,
        b"Sum" => Tag::Sum,
        b"Ntry" => Tag::Ntry,
        b"RvslInd" => Tag::RvslInd,
        b"Sts" => Tag::Sts,
        b"BookgDt" => Tag::BookgDt,
        b"ValDt" => Tag::ValDt,
        b"AcctSvcrRef" => Tag::AcctSvcrRef,
        b"AddtlNtryInf" => Tag::AddtlNtryInf,
        b"BkTxCd" => Tag::BkTxCd,
        b"Domn" => Tag::Domn,
        b"Fmly" => Tag::Fmly,
        b"SubFmlyCd" => Tag::SubFmlyCd,
        b"NtryDtls" => Tag::NtryDtls,
        b"TxDtls" => Tag::TxDtls,
        b"Refs" => Tag::Refs,
        b"EndToEndId" => Tag::EndToEndId,
        b"InstrId" => Tag::InstrId,
        b"TxId" => Tag::TxId,
        b"UETR" => Tag::UETR,
        b"AmtDtls" => Tag::AmtDtls,
        b"TxAmt" => Tag::TxAmt,
        b"AddtlTxInf" => Tag::AddtlTxInf,
        b"RltdPties" => Tag::RltdPties,
        b"Dbtr" => Tag::Dbtr,
        b"DbtrAcct" => Tag::DbtrAcct,
        b"UltmtDbtr" => Tag::UltmtDbtr,
        b"Cdtr" => Tag::Cdtr,
        b"CdtrAcct" => Tag::CdtrAcct,
        b"UltmtCdtr" => Tag::UltmtCdtr,
        b"RmtInf" => Tag::RmtInf,
        b"Ustrd" => Tag::Ustrd,
        b"Strd" => Tag::Strd,
        b"RfrdDocInf" => Tag::RfrdDocInf,
        b"Nb" => Tag::Nb,
        b"RfrdDocAmt" => Tag::RfrdDocAmt,
        b"DuePyblAmt" => Tag::DuePyblAmt,
        b"RmtdAmt" => Tag::RmtdAmt,
        b"DscntApldAmt" => Tag::DscntApldAmt,
        b"CdtrRefInf" => Tag::CdtrRefInf,
        b"Ref" => Tag::Ref,
        b"AddtlRmtInf" => Tag::AddtlRmtInf,
        _ => Tag::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::Tag;

    #[test]
    fn names_round_trip() {
        for tag in [
            Tag::Ntry,
            Tag::BkToCstmrDbtCdtNtfctn,
            Tag::UETR,
            Tag::AddtlRmtInf,
        ] {
            assert_eq!(Tag::from_local(tag.name().as_bytes()), tag);
        }
        assert_eq!(Tag::from_local(b"ntry"), Tag::Other);
        assert_eq!(Tag::from_local(b""), Tag::Other);
        assert_eq!(
            Tag::from_local(b"BkToCstmrAcctRptV01"),
            Tag::BkToCstmrAcctRpt
        );
        assert_eq!(Tag::from_local(b"BkToCstmrAcctRptX01"), Tag::Other);
    }
}
