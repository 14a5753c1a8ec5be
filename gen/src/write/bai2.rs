//! BAI2 balance and transaction report of the US dollar account: 01/02/03/16/88/49/98/99
//! with control totals and record counts computed the way the specification defines
//! them (the account control total sums every amount of the 03 and 16 records).
//!
//! A 16 record that ends with text has no trailing `/` (the text runs to the end of
//! the record); long text continues in 88 records, split at spaces, and never contains
//! a comma.

use chrono::NaiveDate;

use super::{split_words, Accounts, Rendered};
use crate::payment::{Kind, Payment};
use crate::rng::Rand;

fn type_code(kind: Kind) -> u16 {
    match kind {
        Kind::Transfer => 165,
        Kind::Wire => 195,
        Kind::Lockbox => 115,
        Kind::Check => 175,
        Kind::Interest => 354,
        Kind::BankFee => 698,
        Kind::OwnTransferIn => 275,
        Kind::OwnTransferOut => 575,
        Kind::CardSettlement => 169,
        Kind::Payroll => 455,
        Kind::VendorPayment => 495,
        Kind::Ctx | Kind::AchReturn => 165,
    }
}

fn clean(text: &str) -> String {
    text.replace(',', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The detail text as a US bank prints it for each kind of credit.
fn detail_text(payment: &Payment, rng: &mut Rand) -> String {
    let remittance = payment.text.join(" ");
    let name = &payment.payer_name;
    let text = match payment.kind {
        Kind::Transfer => format!(
            "ACH CREDIT ORIG CO NAME:{name} ORIG ID:{} DESC:PAYMENT RMT {remittance}",
            rng.digits(10)
        ),
        Kind::Wire => format!(
            "WIRE IN ORG {name} OBI {remittance} IMAD {}B1QGC01C{}",
            rng.digits(4),
            rng.digits(6)
        ),
        Kind::Lockbox => format!("LOCKBOX 4471 ITEM {} {name} {remittance}", rng.digits(4)),
        Kind::Check => format!("CHECK DEPOSIT {name} {remittance}"),
        _ => format!("{name} {remittance}"),
    };
    clean(&text)
}

/// Renders one file with one group and one account; updates the running balance.
pub fn render(
    accounts: &mut Accounts,
    rng: &mut Rand,
    date: NaiveDate,
    creation_time: &str,
    payments: &[&Payment],
) -> Rendered {
    let yymmdd = date.format("%y%m%d").to_string();
    let opening = accounts.usd_balance;
    let credits: Vec<&&Payment> = payments.iter().filter(|p| p.credit).collect();
    let debits: Vec<&&Payment> = payments.iter().filter(|p| !p.credit).collect();
    let credit_total: i64 = credits.iter().map(|p| p.amount).sum();
    let debit_total: i64 = debits.iter().map(|p| p.amount).sum();
    let closing = opening + credit_total - debit_total;
    accounts.usd_balance = closing;
    let file_id = accounts.bai2_file_id;
    accounts.bai2_file_id += 1;

    let mut lines: Vec<String> = Vec::with_capacity(payments.len() * 2 + 8);
    lines.push(format!(
        "01,{},OURCOMPANY,{yymmdd},{creation_time},{file_id},,,2/",
        accounts.usd_routing
    ));
    lines.push(format!(
        "02,OURCOMPANY,{},1,{yymmdd},0000,USD,2/",
        accounts.usd_routing
    ));
    let account_start = lines.len();
    lines.push(format!(
        "03,{},USD,010,{opening},,,015,{closing},,,100,{credit_total},{},,400,{debit_total},{},/",
        accounts.usd_account,
        credits.len(),
        debits.len()
    ));
    let mut account_total: i64 = opening + closing + credit_total + debit_total;
    let mut bank_refs = Vec::with_capacity(payments.len());
    for payment in payments {
        let bank_ref = format!("{}{:09}", date.format("%y%j"), accounts.next_reference());
        let customer_ref = match payment.kind {
            Kind::Lockbox | Kind::Check => rng.digits(6),
            _ => String::new(),
        };
        let funds = match rng.below(4) {
            0 => format!("V,{yymmdd},"),
            1 => "Z".to_owned(),
            2 => "1".to_owned(),
            _ => "0".to_owned(),
        };
        let head = format!(
            "16,{},{},{funds},{bank_ref},{customer_ref},",
            type_code(payment.kind),
            payment.amount
        );
        let text = detail_text(payment, rng);
        let mut pieces = split_words(&text, 80usize.saturating_sub(head.len()).max(20)).into_iter();
        match pieces.next() {
            Some(first) => lines.push(format!("{head}{first}")),
            None => lines.push(format!("{head}/")),
        }
        let rest: Vec<String> = pieces.collect();
        for piece in split_words(&rest.join(" "), 77) {
            lines.push(format!("88,{piece}"));
        }
        account_total += payment.amount;
        bank_refs.push(bank_ref);
    }
    let account_records = lines.len() - account_start + 1;
    lines.push(format!("49,{account_total},{account_records}/"));
    let group_records = lines.len() - 1 + 1;
    lines.push(format!("98,{account_total},1,{group_records}/"));
    let file_records = lines.len() + 1;
    lines.push(format!("99,{account_total},1,{file_records}/"));
    let mut bytes = lines.join("\n").into_bytes();
    bytes.push(b'\n');
    Rendered { bytes, bank_refs }
}
