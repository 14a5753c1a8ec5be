//! One NACHA file of CCD credit batches (50 entries each, four in five with a CCD+
//! `05` addendum: free text or an `RMR` segment for the exact amount) and an occasional
//! debit batch, with batch and file control totals, entry hashes, and `9` padding to
//! whole blocks of ten 94-character records, as `recond-gen`'s writer lays them out.

use super::{Rand, COMPANIES, TEXTS};

const ENTRIES_PER_BATCH: usize = 50;
const OUR_RDFI: &str = "02100002";

/// Left-justified, space-padded (or cut) to `width`, upper case.
fn alpha(text: &str, width: usize) -> String {
    let text: String = text.to_ascii_uppercase().chars().take(width).collect();
    format!("{text:<width$}")
}

fn push(records: &mut Vec<String>, record: String) {
    debug_assert_eq!(record.len(), 94, "{record}");
    records.push(record);
}

/// Returns the file and the number of transactions recond will emit.
pub fn generate(target_bytes: usize) -> (Vec<u8>, u64) {
    let mut rng = Rand::new(0xAC4);
    let mut records: Vec<String> = Vec::with_capacity(target_bytes / 95 + 16);
    push(
        &mut records,
        format!(
            "101 021000021 0210000212611020630A094101{}{}{:8}",
            alpha("OUR BANK NA", 23),
            alpha("FEDERAL RESERVE BANK", 23),
            ""
        ),
    );
    let (mut file_entries, mut file_hash, mut file_debit, mut file_credit) =
        (0u64, 0u64, 0i64, 0i64);
    let mut batches = 0u32;
    let mut transactions = 0u64;
    while records.len() * 95 < target_bytes {
        batches += 1;
        let credit = !batches.is_multiple_of(10);
        let company = rng.pick(COMPANIES);
        let company_id = format!("1{}", rng.digits(9));
        let odfi = format!("0910{}", rng.digits(4));
        let service_class = if credit { "220" } else { "225" };
        push(
            &mut records,
            format!(
                "5{service_class}{}{:20}{company_id}CCD{}2611022611023061{odfi}{batches:07}",
                alpha(company, 16),
                "",
                alpha("PAYMENT", 10)
            ),
        );
        let (mut entries, mut hash, mut debit, mut credit_total) = (0u64, 0u64, 0i64, 0i64);
        for sequence in 1..=ENTRIES_PER_BATCH {
            let amount = rng.cents();
            let trace = format!("{odfi}{sequence:07}");
            let addendum = match rng.below(5) {
                0 => None,
                1 => Some(format!(
                    "RMR*IV*INV-{}*PI*{}.{:02}\\",
                    rng.digits(6),
                    amount / 100,
                    amount % 100
                )),
                _ => Some(format!(
                    "{} INV-{} {}",
                    rng.pick(TEXTS),
                    rng.digits(6),
                    company
                )),
            };
            let code = if credit { "22" } else { "27" };
            let indicator = if addendum.is_some() { '1' } else { '0' };
            push(
                &mut records,
                format!(
                    "6{code}{OUR_RDFI}1{:<17}{amount:010}{}{}  {indicator}{trace}",
                    "4000000001",
                    alpha(&format!("CUST{}", rng.digits(6)), 15),
                    alpha("OUR COMPANY INC", 22),
                ),
            );
            entries += 1;
            if let Some(text) = addendum {
                push(
                    &mut records,
                    format!("705{}0001{sequence:07}", alpha(&text, 80)),
                );
                entries += 1;
            }
            hash += 2_100_002;
            if credit {
                credit_total += amount;
            } else {
                debit += amount;
            }
            transactions += 1;
        }
        push(
            &mut records,
            format!(
                "8{service_class}{entries:06}{:010}{debit:012}{credit_total:012}{company_id}{:19}{:6}{odfi}{batches:07}",
                hash % 10_000_000_000,
                "",
                ""
            ),
        );
        file_entries += entries;
        file_hash += hash;
        file_debit += debit;
        file_credit += credit_total;
    }
    let blocks = (records.len() + 1).div_ceil(10);
    push(
        &mut records,
        format!(
            "9{batches:06}{blocks:06}{file_entries:08}{:010}{file_debit:012}{file_credit:012}{:39}",
            file_hash % 10_000_000_000,
            ""
        ),
    );
    while !records.len().is_multiple_of(10) {
        records.push("9".repeat(94));
    }
    let mut file = records.join("\n").into_bytes();
    file.push(b'\n');
    (file, transactions)
}
