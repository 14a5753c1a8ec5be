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

            /// Maps an element's qualified name to the tag of its local name.
            ///
            /// Most names have no prefix: matching the whole name first spares the
            /// search for a `:`, and no literal holds one, so a prefixed name never
            /// matches there.
            pub(super) fn from_qualified(name: &[u8]) -> Tag {
                match from_local_literal(name) {
                    Tag::Other => Tag::from_local(crate::xml::local_name(name)),
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

/// Dispatches on the length first, then compares fixed-size arrays, which the
/// compiler turns into a few integer comparisons instead of a chain of `memcmp`s.
fn from_local_literal(name: &[u8]) -> Tag {
    match name.len() {
        2 => match <&[u8; 2]>::try_from(name) {
            Ok(fixed) => match fixed {
                b"Id" => Tag::Id,
                b"Nm" => Tag::Nm,
                b"Tp" => Tag::Tp,
                b"Cd" => Tag::Cd,
                b"Dt" => Tag::Dt,
                b"Nb" => Tag::Nb,
                _ => Tag::Other,
            },
            Err(_) => Tag::Other,
        },
        3 => match <&[u8; 3]>::try_from(name) {
            Ok(fixed) => match fixed {
                b"Rpt" => Tag::Rpt,
                b"Ccy" => Tag::Ccy,
                b"Pty" => Tag::Pty,
                b"BIC" => Tag::BIC,
                b"Bal" => Tag::Bal,
                b"Amt" => Tag::Amt,
                b"Sum" => Tag::Sum,
                b"Sts" => Tag::Sts,
                b"Ref" => Tag::Ref,
                _ => Tag::Other,
            },
            Err(_) => Tag::Other,
        },
        4 => match <&[u8; 4]>::try_from(name) {
            Ok(fixed) => match fixed {
                b"Stmt" => Tag::Stmt,
                b"Acct" => Tag::Acct,
                b"IBAN" => Tag::IBAN,
                b"Othr" => Tag::Othr,
                b"BBAN" => Tag::BBAN,
                b"UPIC" => Tag::UPIC,
                b"Ownr" => Tag::Ownr,
                b"Svcr" => Tag::Svcr,
                b"DtTm" => Tag::DtTm,
                b"Ntry" => Tag::Ntry,
                b"Domn" => Tag::Domn,
                b"Fmly" => Tag::Fmly,
                b"Refs" => Tag::Refs,
                b"TxId" => Tag::TxId,
                b"UETR" => Tag::UETR,
                b"Dbtr" => Tag::Dbtr,
                b"Cdtr" => Tag::Cdtr,
                b"Strd" => Tag::Strd,
                _ => Tag::Other,
            },
            Err(_) => Tag::Other,
        },
        5 => match <&[u8; 5]>::try_from(name) {
            Ok(fixed) => match fixed {
                b"BICFI" => Tag::BICFI,
                b"Prtry" => Tag::Prtry,
                b"ValDt" => Tag::ValDt,
                b"TxAmt" => Tag::TxAmt,
                b"Ustrd" => Tag::Ustrd,
                _ => Tag::Other,
            },
            Err(_) => Tag::Other,
        },
        6 => match <&[u8; 6]>::try_from(name) {
            Ok(fixed) => match fixed {
                b"Ntfctn" => Tag::Ntfctn,
                b"FrToDt" => Tag::FrToDt,
                b"FrDtTm" => Tag::FrDtTm,
                b"ToDtTm" => Tag::ToDtTm,
                b"BkTxCd" => Tag::BkTxCd,
                b"TxDtls" => Tag::TxDtls,
                b"RmtInf" => Tag::RmtInf,
                _ => Tag::Other,
            },
            Err(_) => Tag::Other,
        },
        7 => match <&[u8; 7]>::try_from(name) {
            Ok(fixed) => match fixed {
                b"RvslInd" => Tag::RvslInd,
                b"BookgDt" => Tag::BookgDt,
                b"InstrId" => Tag::InstrId,
                b"AmtDtls" => Tag::AmtDtls,
                b"RmtdAmt" => Tag::RmtdAmt,
                _ => Tag::Other,
            },
            Err(_) => Tag::Other,
        },
        8 => match <&[u8; 8]>::try_from(name) {
            Ok(fixed) => match fixed {
                b"NtryDtls" => Tag::NtryDtls,
                b"DbtrAcct" => Tag::DbtrAcct,
                b"CdtrAcct" => Tag::CdtrAcct,
                _ => Tag::Other,
            },
            Err(_) => Tag::Other,
        },
        9 => match <&[u8; 9]>::try_from(name) {
            Ok(fixed) => match fixed {
                b"PrtryAcct" => Tag::PrtryAcct,
                b"CdOrPrtry" => Tag::CdOrPrtry,
                b"CdtDbtInd" => Tag::CdtDbtInd,
                b"TxsSummry" => Tag::TxsSummry,
                b"TtlNtries" => Tag::TtlNtries,
                b"SubFmlyCd" => Tag::SubFmlyCd,
                b"RltdPties" => Tag::RltdPties,
                b"UltmtDbtr" => Tag::UltmtDbtr,
                b"UltmtCdtr" => Tag::UltmtCdtr,
                _ => Tag::Other,
            },
            Err(_) => Tag::Other,
        },
        10 => match <&[u8; 10]>::try_from(name) {
            Ok(fixed) => match fixed {
                b"FinInstnId" => Tag::FinInstnId,
                b"NbOfNtries" => Tag::NbOfNtries,
                b"EndToEndId" => Tag::EndToEndId,
                b"AddtlTxInf" => Tag::AddtlTxInf,
                b"RfrdDocInf" => Tag::RfrdDocInf,
                b"RfrdDocAmt" => Tag::RfrdDocAmt,
                b"DuePyblAmt" => Tag::DuePyblAmt,
                b"CdtrRefInf" => Tag::CdtrRefInf,
                _ => Tag::Other,
            },
            Err(_) => Tag::Other,
        },
        11 => match <&[u8; 11]>::try_from(name) {
            Ok(fixed) => match fixed {
                b"AcctSvcrRef" => Tag::AcctSvcrRef,
                b"AddtlRmtInf" => Tag::AddtlRmtInf,
                _ => Tag::Other,
            },
            Err(_) => Tag::Other,
        },
        12 => match <&[u8; 12]>::try_from(name) {
            Ok(fixed) => match fixed {
                b"TtlCdtNtries" => Tag::TtlCdtNtries,
                b"TtlDbtNtries" => Tag::TtlDbtNtries,
                b"AddtlNtryInf" => Tag::AddtlNtryInf,
                b"DscntApldAmt" => Tag::DscntApldAmt,
                _ => Tag::Other,
            },
            Err(_) => Tag::Other,
        },
        13 => match <&[u8; 13]>::try_from(name) {
            Ok(fixed) => match fixed {
                b"BkToCstmrStmt" => Tag::BkToCstmrStmt,
                _ => Tag::Other,
            },
            Err(_) => Tag::Other,
        },
        16 => match <&[u8; 16]>::try_from(name) {
            Ok(fixed) => match fixed {
                b"BkToCstmrAcctRpt" => Tag::BkToCstmrAcctRpt,
                _ => Tag::Other,
            },
            Err(_) => Tag::Other,
        },
        21 => match <&[u8; 21]>::try_from(name) {
            Ok(fixed) => match fixed {
                b"BkToCstmrDbtCdtNtfctn" => Tag::BkToCstmrDbtCdtNtfctn,
                _ => Tag::Other,
            },
            Err(_) => Tag::Other,
        },
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

    #[test]
    fn qualified_names_match_by_local_name() {
        assert_eq!(Tag::from_qualified(b"Amt"), Tag::Amt);
        assert_eq!(Tag::from_qualified(b"ns:Amt"), Tag::Amt);
        assert_eq!(Tag::from_qualified(b"ns:GrpHdr"), Tag::Other);
        assert_eq!(
            Tag::from_qualified(b"doc:BkToCstmrStmtV01"),
            Tag::BkToCstmrStmt
        );
        // The local name is what follows the first colon.
        assert_eq!(Tag::from_qualified(b"BkToCstmrStmtV:1"), Tag::Other);
    }
}
