//! One camt.053.001.08 statement of a euro account with as many entries as fit in the
//! target size, laid out like `recond-gen`'s writer: single credits with unstructured
//! or structured (invoice) remittance, debits to suppliers, and one entry in ten a
//! batch of three transaction details whose amounts add up to the entry. Opening
//! balance + credits − debits = closing balance.

use std::fmt::Write;

use super::{format_cents, Rand, COMPANIES, TEXTS};

const IBAN: &str = "DE89370400440532013000";

/// Returns the file and the number of transactions recond will emit.
pub fn generate(target_bytes: usize) -> (Vec<u8>, u64) {
    let mut rng = Rand::new(0x053);
    let mut entries = String::with_capacity(target_bytes + 4096);
    let mut balance: i64 = 0;
    let mut transactions = 0u64;
    let mut sequence = 0u64;
    while entries.len() < target_bytes {
        sequence += 1;
        let reference = format!("2611{sequence:010}");
        match rng.below(10) {
            0 => {
                let amounts = [rng.cents(), rng.cents(), rng.cents()];
                let total: i64 = amounts.iter().sum();
                balance += total;
                entry_head(&mut entries, total, "CRDT", &reference, ("RCDT", "ESCT"));
                entries.push_str(
                    "          <Btch>\n            <NbOfTxs>3</NbOfTxs>\n          </Btch>\n",
                );
                for (n, amount) in amounts.iter().enumerate() {
                    let detail_ref = format!("{reference}{n}");
                    detail(
                        &mut entries,
                        &mut rng,
                        *amount,
                        "CRDT",
                        &detail_ref,
                        Kind::Ustrd,
                    );
                }
                transactions += 3;
            }
            1 => {
                let amount = rng.cents();
                balance -= amount;
                entry_head(&mut entries, amount, "DBIT", &reference, ("ICDT", "ESCT"));
                detail(
                    &mut entries,
                    &mut rng,
                    amount,
                    "DBIT",
                    &reference,
                    Kind::Ustrd,
                );
                transactions += 1;
            }
            2 | 3 => {
                let amount = rng.cents();
                balance += amount;
                entry_head(&mut entries, amount, "CRDT", &reference, ("RCDT", "ESCT"));
                detail(
                    &mut entries,
                    &mut rng,
                    amount,
                    "CRDT",
                    &reference,
                    Kind::Strd,
                );
                transactions += 1;
            }
            _ => {
                let amount = rng.cents();
                balance += amount;
                entry_head(&mut entries, amount, "CRDT", &reference, ("RCDT", "ESCT"));
                detail(
                    &mut entries,
                    &mut rng,
                    amount,
                    "CRDT",
                    &reference,
                    Kind::Ustrd,
                );
                transactions += 1;
            }
        }
        entries.push_str("        </NtryDtls>\n      </Ntry>\n");
    }
    let opening: i64 = 250_000_000;
    let closing = opening + balance;
    let mut file = String::with_capacity(entries.len() + 4096);
    file.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n  <BkToCstmrStmt>\n    <GrpHdr>\n      <MsgId>MSG-20261102-1</MsgId>\n      <CreDtTm>2026-11-02T06:30:00</CreDtTm>\n    </GrpHdr>\n    <Stmt>\n      <Id>STMT-20261102-1</Id>\n      <ElctrncSeqNb>1</ElctrncSeqNb>\n      <CreDtTm>2026-11-02T06:30:00</CreDtTm>\n      <FrToDt>\n        <FrDtTm>2026-11-02T00:00:00</FrDtTm>\n        <ToDtTm>2026-11-02T23:59:59</ToDtTm>\n      </FrToDt>\n");
    let _ = write!(file, "      <Acct>\n        <Id>\n          <IBAN>{IBAN}</IBAN>\n        </Id>\n        <Ccy>EUR</Ccy>\n        <Ownr>\n          <Nm>Our Company GmbH</Nm>\n        </Ownr>\n        <Svcr>\n          <FinInstnId>\n            <BICFI>COBADEFFXXX</BICFI>\n          </FinInstnId>\n        </Svcr>\n      </Acct>\n");
    for (code, amount) in [("OPBD", opening), ("CLBD", closing)] {
        let indicator = if amount < 0 { "DBIT" } else { "CRDT" };
        let _ = write!(file, "      <Bal>\n        <Tp>\n          <CdOrPrtry>\n            <Cd>{code}</Cd>\n          </CdOrPrtry>\n        </Tp>\n        <Amt Ccy=\"EUR\">{}</Amt>\n        <CdtDbtInd>{indicator}</CdtDbtInd>\n        <Dt>\n          <Dt>2026-11-02</Dt>\n        </Dt>\n      </Bal>\n", format_cents(amount.abs()));
    }
    file.push_str(&entries);
    file.push_str("    </Stmt>\n  </BkToCstmrStmt>\n</Document>\n");
    (file.into_bytes(), transactions)
}

fn entry_head(x: &mut String, cents: i64, indicator: &str, reference: &str, code: (&str, &str)) {
    let _ = write!(
        x,
        "      <Ntry>\n        <Amt Ccy=\"EUR\">{}</Amt>\n        <CdtDbtInd>{indicator}</CdtDbtInd>\n        <Sts>\n          <Cd>BOOK</Cd>\n        </Sts>\n        <BookgDt>\n          <Dt>2026-11-02</Dt>\n        </BookgDt>\n        <ValDt>\n          <Dt>2026-11-02</Dt>\n        </ValDt>\n        <AcctSvcrRef>{reference}</AcctSvcrRef>\n        <BkTxCd>\n          <Domn>\n            <Cd>PMNT</Cd>\n            <Fmly>\n              <Cd>{}</Cd>\n              <SubFmlyCd>{}</SubFmlyCd>\n            </Fmly>\n          </Domn>\n        </BkTxCd>\n        <NtryDtls>\n",
        format_cents(cents),
        code.0,
        code.1
    );
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ustrd,
    Strd,
}

fn detail(
    x: &mut String,
    rng: &mut Rand,
    cents: i64,
    indicator: &str,
    reference: &str,
    kind: Kind,
) {
    let company = rng.pick(COMPANIES);
    let end_to_end = if rng.below(3) == 0 {
        format!("E2E{}", rng.digits(12))
    } else {
        "NOTPROVIDED".to_owned()
    };
    let _ = write!(
        x,
        "          <TxDtls>\n            <Refs>\n              <AcctSvcrRef>{reference}</AcctSvcrRef>\n              <EndToEndId>{end_to_end}</EndToEndId>\n            </Refs>\n            <Amt Ccy=\"EUR\">{}</Amt>\n            <CdtDbtInd>{indicator}</CdtDbtInd>\n            <RltdPties>\n",
        format_cents(cents)
    );
    let role = if indicator == "CRDT" { "Dbtr" } else { "Cdtr" };
    let _ = write!(
        x,
        "              <{role}>\n                <Pty>\n                  <Nm>{company}</Nm>\n                </Pty>\n              </{role}>\n"
    );
    if role == "Dbtr" {
        let _ = write!(
            x,
            "              <DbtrAcct>\n                <Id>\n                  <IBAN>FR76300060000{}</IBAN>\n                </Id>\n              </DbtrAcct>\n",
            rng.digits(14)
        );
    }
    x.push_str("            </RltdPties>\n            <RmtInf>\n");
    match kind {
        Kind::Ustrd => {
            let _ = writeln!(
                x,
                "              <Ustrd>{} INV-{} {} &amp; CO</Ustrd>",
                rng.pick(TEXTS),
                rng.digits(6),
                company
            );
        }
        Kind::Strd => {
            // Two invoices whose paid amounts add up to the transaction.
            let first = cents / 3;
            for paid in [first, cents - first] {
                let _ = write!(
                    x,
                    "              <Strd>\n                <RfrdDocInf>\n                  <Tp>\n                    <CdOrPrtry>\n                      <Cd>CINV</Cd>\n                    </CdOrPrtry>\n                  </Tp>\n                  <Nb>INV-{}</Nb>\n                </RfrdDocInf>\n                <RfrdDocAmt>\n                  <DuePyblAmt Ccy=\"EUR\">{}</DuePyblAmt>\n                  <RmtdAmt Ccy=\"EUR\">{}</RmtdAmt>\n                </RfrdDocAmt>\n              </Strd>\n",
                    rng.digits(6),
                    format_cents(paid),
                    format_cents(paid)
                );
            }
        }
    }
    x.push_str("            </RmtInf>\n          </TxDtls>\n");
}
