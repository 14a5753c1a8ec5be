//! NACHA ACH receipts to the US dollar account: one batch per originator (CCD+ with one
//! 05 addendum, CTX with an X12 820 split into 80-character 05 addenda, returns with an
//! addendum 99), batch and file control records with entry hash, counts and totals, and
//! `9` padding to a multiple of ten 94-character records.

use chrono::NaiveDate;

use super::{x12, Accounts, Rendered};
use crate::names::ascii_upper;
use crate::payment::{Kind, Payment};
use crate::rng::Rand;

/// Left-justified, space-padded (or cut) to `width`, ASCII upper case.
fn alpha(text: &str, width: usize) -> String {
    let text: String = ascii_upper(text)
        .chars()
        .filter(|c| c.is_ascii() && !c.is_ascii_control())
        .take(width)
        .collect();
    format!("{text:<width$}")
}

fn push(records: &mut Vec<String>, record: String) {
    assert_eq!(
        record.len(),
        94,
        "NACHA record of {} characters: {record}",
        record.len()
    );
    records.push(record);
}

/// Renders one file; `modifier` is the file id modifier (A-Z, 0-9).
pub fn render(
    accounts: &Accounts,
    rng: &mut Rand,
    date: NaiveDate,
    creation_time: &str,
    modifier: char,
    control_base: u32,
    payments: &[&Payment],
) -> Rendered {
    let yymmdd = date.format("%y%m%d").to_string();
    let julian = date.format("%j").to_string();
    let our_rdfi = &accounts.usd_routing[..8];
    let our_check = &accounts.usd_routing[8..9];
    let mut records = Vec::with_capacity(payments.len() * 4 + 10);
    push(
        &mut records,
        format!(
            "101 {} {}{yymmdd}{creation_time}{modifier}094101{}{}{:8}",
            accounts.usd_routing,
            &accounts.usd_routing,
            alpha("OUR BANK NA", 23),
            alpha("FEDERAL RESERVE BANK", 23),
            ""
        ),
    );
    let mut bank_refs = Vec::with_capacity(payments.len());
    let (mut file_entries, mut file_hash, mut file_debit, mut file_credit) =
        (0u64, 0u64, 0i64, 0i64);
    let mut batches = 0u32;
    for (index, payment) in payments.iter().enumerate() {
        let ach = payment
            .ach
            .as_ref()
            .expect("NACHA payments carry ACH details");
        batches += 1;
        let (sec, description) = match payment.kind {
            Kind::Ctx => ("CTX", "EDI PYMNTS"),
            Kind::CardSettlement => ("CCD", "SETTLEMENT"),
            Kind::AchReturn => ("CCD", "PAYMENT"),
            _ => ("CCD", "PAYMENT"),
        };
        let service_class = if payment.credit { "220" } else { "225" };
        push(
            &mut records,
            format!(
                "5{service_class}{}{:20}{}{sec}{}{yymmdd}{yymmdd}{julian}1{}{:07}",
                alpha(&payment.payer_name, 16),
                "",
                alpha(&ach.company_id, 10),
                alpha(description, 10),
                ach.odfi,
                batches
            ),
        );
        let code = if payment.credit { "22" } else { "26" };
        let trace = &ach.trace;
        let entry_seq = &trace[8..];
        let addenda: Vec<String> = match (payment.kind, &ach.returns) {
            (_, Some((original, reason))) => vec![format!(
                "799{reason}{original}{:6}{our_rdfi}{:44}{trace}",
                "", ""
            )],
            (Kind::Ctx, None) => {
                let text = x12::render(&x12::Remittance {
                    date,
                    amount: payment.amount,
                    payer_name: &payment.payer_name,
                    payer_routing: &format!("{}0", ach.odfi),
                    our_routing: &accounts.usd_routing,
                    our_account: &accounts.usd_account,
                    trace,
                    company_id: &ach.company_id,
                    items: &payment.items,
                    control_number: control_base + index as u32,
                    envelope: rng.chance(700),
                    terminator: if rng.chance(500) { '~' } else { '\\' },
                });
                let chunks: Vec<String> = text
                    .as_bytes()
                    .chunks(80)
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect();
                chunks
                    .iter()
                    .enumerate()
                    .map(|(n, chunk)| format!("705{chunk:<80}{:04}{entry_seq}", n + 1))
                    .collect()
            }
            _ => payment
                .text
                .first()
                .map(|text| vec![format!("705{}{:04}{entry_seq}", alpha(text, 80), 1)])
                .unwrap_or_default(),
        };
        let indicator = if addenda.is_empty() { '0' } else { '1' };
        let identification = alpha(&format!("PMT{}", rng.digits(8)), 15);
        let entry = if payment.kind == Kind::Ctx {
            format!(
                "6{code}{our_rdfi}{our_check}{:<17}{:010}{identification}{:04}{}  {:2}{indicator}{trace}",
                accounts.usd_account,
                payment.amount,
                addenda.len(),
                alpha("OUR COMPANY INC", 16),
                ""
            )
        } else {
            format!(
                "6{code}{our_rdfi}{our_check}{:<17}{:010}{identification}{}{:2}{indicator}{trace}",
                accounts.usd_account,
                payment.amount,
                alpha("OUR COMPANY INC", 22),
                ""
            )
        };
        push(&mut records, entry);
        for record in &addenda {
            push(&mut records, record.clone());
        }
        let entries = 1 + addenda.len() as u64;
        let hash: u64 = our_rdfi.parse().expect("digits");
        let (debit, credit) = if payment.credit {
            (0, payment.amount)
        } else {
            (payment.amount, 0)
        };
        push(
            &mut records,
            format!(
                "8{service_class}{entries:06}{:010}{debit:012}{credit:012}{}{:19}{:6}{}{:07}",
                hash % 10_000_000_000,
                alpha(&ach.company_id, 10),
                "",
                "",
                ach.odfi,
                batches
            ),
        );
        file_entries += entries;
        file_hash += hash;
        file_debit += debit;
        file_credit += credit;
        bank_refs.push(trace.clone());
    }
    let total_records = records.len() + 1;
    let blocks = total_records.div_ceil(10);
    push(
        &mut records,
        format!(
            "9{batches:06}{blocks:06}{file_entries:08}{:010}{file_debit:012}{file_credit:012}{:39}",
            file_hash % 10_000_000_000,
            ""
        ),
    );
    while records.len() % 10 != 0 {
        records.push("9".repeat(94));
    }
    let mut bytes = records.join("\n").into_bytes();
    bytes.push(b'\n');
    Rendered { bytes, bank_refs }
}
