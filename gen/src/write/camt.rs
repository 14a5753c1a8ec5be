//! ISO 20022 camt.053 bank-to-customer statements of the euro account, in versions
//! 001.02, 001.04 and 001.08 (which wraps party names in `Pty` and the entry status in
//! `Cd`). Batched entries carry several `TxDtls`, each with its own `AcctSvcrRef`.
//! Opening balance + booked credits − booked debits = closing balance.

use std::fmt::Write;

use chrono::NaiveDate;

use super::{split_words, Accounts, Rendered};
use crate::payment::{Kind, Payment};
use crate::rng::Rand;
use crate::world::format_cents;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V02,
    V04,
    V08,
}

impl Version {
    pub const ALL: [Version; 3] = [Version::V02, Version::V04, Version::V08];

    pub fn tag(self) -> &'static str {
        match self {
            Version::V02 => "02",
            Version::V04 => "04",
            Version::V08 => "08",
        }
    }
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn bank_code(kind: Kind, credit: bool) -> (&'static str, &'static str, &'static str) {
    match (kind, credit) {
        (Kind::Wire, _) => ("PMNT", "RCDT", "XBCT"),
        (Kind::Interest, _) => ("ACMT", "MCOP", "INTR"),
        (Kind::BankFee, _) => ("ACMT", "MDOP", "CHRG"),
        (Kind::OwnTransferIn, _) => ("PMNT", "RCDT", "BOOK"),
        (Kind::OwnTransferOut, _) => ("PMNT", "ICDT", "BOOK"),
        (Kind::CardSettlement, _) => ("PMNT", "MCRD", "POSP"),
        (Kind::Payroll, _) => ("PMNT", "ICDT", "SALA"),
        (Kind::VendorPayment, _) => ("PMNT", "ICDT", "ESCT"),
        (_, true) => ("PMNT", "RCDT", "ESCT"),
        (_, false) => ("PMNT", "ICDT", "ESCT"),
    }
}

/// Renders one statement of `payments` for `date`; updates the running balance.
pub fn render(
    version: Version,
    accounts: &mut Accounts,
    rng: &mut Rand,
    date: NaiveDate,
    message_id: &str,
    payments: &[&Payment],
) -> Rendered {
    let day = date.format("%Y-%m-%d").to_string();
    let opening = accounts.eur_balance;
    let credits: i64 = payments.iter().filter(|p| p.credit).map(|p| p.amount).sum();
    let debits: i64 = payments
        .iter()
        .filter(|p| !p.credit)
        .map(|p| p.amount)
        .sum();
    let closing = opening + credits - debits;
    accounts.eur_balance = closing;
    accounts.camt_sequence += 1;

    let mut x = String::with_capacity(1024 + payments.len() * 1400);
    let _ = writeln!(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let _ = writeln!(
        x,
        "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.{}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">",
        version.tag()
    );
    let _ = writeln!(x, "  <BkToCstmrStmt>");
    let _ = writeln!(x, "    <GrpHdr>\n      <MsgId>{message_id}</MsgId>\n      <CreDtTm>{day}T06:30:00</CreDtTm>\n    </GrpHdr>");
    let _ = writeln!(x, "    <Stmt>");
    let _ = writeln!(
        x,
        "      <Id>STMT-{}-{}</Id>",
        date.format("%Y%m%d"),
        accounts.camt_sequence
    );
    let _ = writeln!(
        x,
        "      <ElctrncSeqNb>{}</ElctrncSeqNb>",
        accounts.camt_sequence
    );
    let _ = writeln!(x, "      <CreDtTm>{day}T06:30:00</CreDtTm>");
    let _ = writeln!(x, "      <FrToDt>\n        <FrDtTm>{day}T00:00:00</FrDtTm>\n        <ToDtTm>{day}T23:59:59</ToDtTm>\n      </FrToDt>");
    let bic = if version == Version::V02 {
        "BIC"
    } else {
        "BICFI"
    };
    let _ = writeln!(
        x,
        "      <Acct>\n        <Id>\n          <IBAN>{}</IBAN>\n        </Id>\n        <Ccy>EUR</Ccy>\n        <Ownr>\n          <Nm>Our Company GmbH</Nm>\n        </Ownr>\n        <Svcr>\n          <FinInstnId>\n            <{bic}>{}</{bic}>\n          </FinInstnId>\n        </Svcr>\n      </Acct>",
        accounts.eur_iban, accounts.eur_bic
    );
    for (code, amount) in [("OPBD", opening), ("CLBD", closing)] {
        let indicator = if amount < 0 { "DBIT" } else { "CRDT" };
        let _ = writeln!(
            x,
            "      <Bal>\n        <Tp>\n          <CdOrPrtry>\n            <Cd>{code}</Cd>\n          </CdOrPrtry>\n        </Tp>\n        <Amt Ccy=\"EUR\">{}</Amt>\n        <CdtDbtInd>{indicator}</CdtDbtInd>\n        <Dt>\n          <Dt>{day}</Dt>\n        </Dt>\n      </Bal>",
            format_cents(amount.abs())
        );
    }

    let mut bank_refs = vec![String::new(); payments.len()];
    let mut index = 0;
    while index < payments.len() {
        // Incoming SEPA transfers are often booked as one batch entry.
        let batchable = |p: &Payment| p.credit && p.kind == Kind::Transfer;
        let mut end = index + 1;
        if batchable(payments[index]) && rng.chance(250) {
            let size = 2 + rng.below(4);
            while end < payments.len() && end - index < size && batchable(payments[end]) {
                end += 1;
            }
        }
        let group = &payments[index..end];
        let entry_ref = format!("{}{:010}", date.format("%y%m%d"), accounts.next_reference());
        let amount: i64 = group.iter().map(|p| p.amount).sum();
        let first = group[0];
        let indicator = if first.credit { "CRDT" } else { "DBIT" };
        let status = if version == Version::V08 {
            "<Sts>\n          <Cd>BOOK</Cd>\n        </Sts>"
        } else {
            "<Sts>BOOK</Sts>"
        };
        let (domain, family, sub_family) = bank_code(first.kind, first.credit);
        let _ = writeln!(
            x,
            "      <Ntry>\n        <Amt Ccy=\"EUR\">{}</Amt>\n        <CdtDbtInd>{indicator}</CdtDbtInd>\n        {status}\n        <BookgDt>\n          <Dt>{day}</Dt>\n        </BookgDt>\n        <ValDt>\n          <Dt>{day}</Dt>\n        </ValDt>\n        <AcctSvcrRef>{entry_ref}</AcctSvcrRef>\n        <BkTxCd>\n          <Domn>\n            <Cd>{domain}</Cd>\n            <Fmly>\n              <Cd>{family}</Cd>\n              <SubFmlyCd>{sub_family}</SubFmlyCd>\n            </Fmly>\n          </Domn>\n        </BkTxCd>",
            format_cents(amount)
        );
        let _ = writeln!(x, "        <NtryDtls>");
        if group.len() > 1 {
            let _ = writeln!(
                x,
                "          <Btch>\n            <NbOfTxs>{}</NbOfTxs>\n          </Btch>",
                group.len()
            );
        }
        for (offset, payment) in group.iter().enumerate() {
            let tx_ref = if group.len() > 1 {
                format!("{}{:010}", date.format("%y%m%d"), accounts.next_reference())
            } else {
                entry_ref.clone()
            };
            bank_refs[index + offset] = tx_ref.clone();
            write_tx(&mut x, version, payment, &tx_ref, rng);
        }
        let _ = writeln!(x, "        </NtryDtls>");
        if matches!(first.kind, Kind::Interest | Kind::BankFee) {
            let _ = writeln!(
                x,
                "        <AddtlNtryInf>{}</AddtlNtryInf>",
                escape(&first.text.join(" "))
            );
        }
        let _ = writeln!(x, "      </Ntry>");
        index = end;
    }
    let _ = writeln!(x, "    </Stmt>\n  </BkToCstmrStmt>\n</Document>");
    Rendered {
        bytes: x.into_bytes(),
        bank_refs,
    }
}

fn write_tx(x: &mut String, version: Version, payment: &Payment, tx_ref: &str, rng: &mut Rand) {
    let amount = format_cents(payment.amount);
    let indicator = if payment.credit { "CRDT" } else { "DBIT" };
    let _ = writeln!(
        x,
        "          <TxDtls>\n            <Refs>\n              <AcctSvcrRef>{tx_ref}</AcctSvcrRef>"
    );
    let end_to_end = if payment.credit && rng.chance(600) {
        format!("E2E{}", rng.digits(12))
    } else {
        "NOTPROVIDED".to_owned()
    };
    let _ = writeln!(
        x,
        "              <EndToEndId>{end_to_end}</EndToEndId>\n            </Refs>"
    );
    match version {
        Version::V02 => {
            let _ = writeln!(x, "            <AmtDtls>\n              <TxAmt>\n                <Amt Ccy=\"EUR\">{amount}</Amt>\n              </TxAmt>\n            </AmtDtls>");
        }
        _ => {
            let _ = writeln!(x, "            <Amt Ccy=\"EUR\">{amount}</Amt>\n            <CdtDbtInd>{indicator}</CdtDbtInd>");
        }
    }
    let name = escape(&payment.payer_name);
    let party = |x: &mut String, role: &str| {
        if name.is_empty() {
            return;
        }
        if version == Version::V08 {
            let _ = writeln!(x, "              <{role}>\n                <Pty>\n                  <Nm>{name}</Nm>\n                </Pty>\n              </{role}>");
        } else {
            let _ = writeln!(
                x,
                "              <{role}>\n                <Nm>{name}</Nm>\n              </{role}>"
            );
        }
    };
    let account = payment.payer_account.as_deref().filter(|a| !a.is_empty());
    if !name.is_empty() || account.is_some() {
        let _ = writeln!(x, "            <RltdPties>");
        if payment.credit {
            party(x, "Dbtr");
            if let Some(account) = account {
                let _ = writeln!(x, "              <DbtrAcct>\n                <Id>\n                  <IBAN>{account}</IBAN>\n                </Id>\n              </DbtrAcct>");
            }
        } else {
            party(x, "Cdtr");
        }
        let _ = writeln!(x, "            </RltdPties>");
    }
    let text_in_entry = matches!(payment.kind, Kind::Interest | Kind::BankFee);
    let ustrd: Vec<String> = if text_in_entry {
        Vec::new()
    } else {
        payment
            .text
            .iter()
            .flat_map(|line| split_words(line, 140))
            .collect()
    };
    if ustrd.is_empty() && payment.items.is_empty() && payment.creditor_ref.is_none() {
        let _ = writeln!(x, "          </TxDtls>");
        return;
    }
    let _ = writeln!(x, "            <RmtInf>");
    for line in &ustrd {
        let _ = writeln!(x, "              <Ustrd>{}</Ustrd>", escape(line));
    }
    for item in &payment.items {
        let _ = writeln!(
            x,
            "              <Strd>\n                <RfrdDocInf>\n                  <Tp>\n                    <CdOrPrtry>\n                      <Cd>CINV</Cd>\n                    </CdOrPrtry>\n                  </Tp>\n                  <Nb>{}</Nb>\n                </RfrdDocInf>\n                <RfrdDocAmt>\n                  <DuePyblAmt Ccy=\"EUR\">{}</DuePyblAmt>\n                  <RmtdAmt Ccy=\"EUR\">{}</RmtdAmt>\n                </RfrdDocAmt>\n              </Strd>",
            escape(&item.invoice),
            format_cents(item.total),
            format_cents(item.paid)
        );
    }
    if let Some(reference) = &payment.creditor_ref {
        let _ = writeln!(
            x,
            "              <Strd>\n                <CdtrRefInf>\n                  <Tp>\n                    <CdOrPrtry>\n                      <Cd>SCOR</Cd>\n                    </CdOrPrtry>\n                    <Issr>ISO</Issr>\n                  </Tp>\n                  <Ref>{reference}</Ref>\n                </CdtrRefInf>\n              </Strd>"
        );
    }
    let _ = writeln!(x, "            </RmtInf>\n          </TxDtls>");
}
