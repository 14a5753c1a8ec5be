//! One BAI2 file with one group of several US dollar accounts of 5 000 details each,
//! laid out like `recond-gen`'s writer: 16 records with the bank's detail text, long
//! text continued in 88 records, control totals and record counts as the
//! specification defines them (an account's total sums every amount of its 03 and 16
//! records).

use super::{Rand, COMPANIES, TEXTS};

const DETAILS_PER_ACCOUNT: usize = 5_000;

/// Returns the file and the number of transactions recond will emit.
pub fn generate(target_bytes: usize) -> (Vec<u8>, u64) {
    let mut rng = Rand::new(0xBA12);
    let mut lines: Vec<String> = Vec::new();
    let mut bytes = 0usize;
    lines.push("01,021000021,OURCOMPANY,261102,0630,1,,,2/".to_owned());
    lines.push("02,OURCOMPANY,021000021,1,261102,0000,USD,2/".to_owned());
    let (mut group_total, mut accounts, mut transactions) = (0i64, 0u64, 0u64);
    let mut reference = 1_000_000u64;
    while bytes < target_bytes {
        accounts += 1;
        let account = format!("{:010}", 4_000_000_000u64 + accounts);
        let mut details: Vec<String> = Vec::with_capacity(DETAILS_PER_ACCOUNT * 2);
        let (mut credits, mut debits, mut credit_count, mut debit_count) = (0i64, 0i64, 0, 0);
        let mut details_total = 0i64;
        for _ in 0..DETAILS_PER_ACCOUNT {
            let amount = rng.cents();
            let credit = rng.below(5) != 0;
            let code = if credit {
                credits += amount;
                credit_count += 1;
                ["165", "195", "115", "175"][rng.below(4) as usize]
            } else {
                debits += amount;
                debit_count += 1;
                ["495", "455", "698"][rng.below(3) as usize]
            };
            details_total += amount;
            reference += 1;
            let funds = match rng.below(4) {
                0 => "V,261102,",
                1 => "Z",
                2 => "1",
                _ => "0",
            };
            let customer_ref = if rng.below(3) == 0 {
                rng.digits(6)
            } else {
                String::new()
            };
            let company = rng.pick(COMPANIES).to_uppercase();
            let text = format!(
                "ACH CREDIT ORIG CO NAME:{company} ORIG ID:{} DESC:PAYMENT RMT {} INV-{} {company}",
                rng.digits(10),
                rng.pick(TEXTS),
                rng.digits(6)
            );
            let head = format!("16,{code},{amount},{funds},26306{reference:09},{customer_ref},");
            let room = 80usize.saturating_sub(head.len()).max(20);
            let (first, rest) = split(&text, room);
            details.push(format!("{head}{first}"));
            let mut rest = rest;
            while !rest.is_empty() {
                let (piece, after) = split(rest, 77);
                details.push(format!("88,{piece}"));
                rest = after;
            }
            transactions += 1;
        }
        let opening = 400_000_000i64;
        let closing = opening + credits - debits;
        let summary = format!(
            "03,{account},USD,010,{opening},,,015,{closing},,,100,{credits},{credit_count},,400,{debits},{debit_count},/"
        );
        let account_total = opening + closing + credits + debits + details_total;
        let records = details.len() + 2;
        bytes += summary.len() + details.iter().map(|l| l.len() + 1).sum::<usize>();
        lines.push(summary);
        lines.extend(details);
        lines.push(format!("49,{account_total},{records}/"));
        group_total += account_total;
    }
    let group_records = lines.len() - 1 + 1;
    lines.push(format!("98,{group_total},{accounts},{group_records}/"));
    let file_records = lines.len() + 1;
    lines.push(format!("99,{group_total},1,{file_records}/"));
    let mut file = lines.join("\n").into_bytes();
    file.push(b'\n');
    (file, transactions)
}

/// Cuts `text` at the last space within `max` bytes (ASCII text only).
fn split(text: &str, max: usize) -> (&str, &str) {
    if text.len() <= max {
        return (text, "");
    }
    let cut = text[..max].rfind(' ').unwrap_or(max);
    (&text[..cut], text[cut..].trim_start())
}
