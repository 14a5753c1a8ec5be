//! Bank CSV export of the second US dollar account in recond's built-in default
//! profile: `booking_date,value_date,amount,currency,bank_ref,payer_name,payer_account,description`,
//! signed amounts with credits positive.

use chrono::NaiveDate;

use super::{Accounts, Rendered};
use crate::payment::Payment;
use crate::world::format_cents;

pub const HEADER: &str =
    "booking_date,value_date,amount,currency,bank_ref,payer_name,payer_account,description";

pub fn render(accounts: &mut Accounts, date: NaiveDate, payments: &[&Payment]) -> Rendered {
    let mut writer = ::csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::with_capacity(payments.len() * 120));
    let day = date.format("%Y-%m-%d").to_string();
    let mut bank_refs = Vec::with_capacity(payments.len());
    for payment in payments {
        let bank_ref = format!(
            "BK{}{:08}",
            date.format("%y%m%d"),
            accounts.next_reference()
        );
        let amount = if payment.credit {
            payment.amount
        } else {
            -payment.amount
        };
        let record = [
            day.as_str(),
            day.as_str(),
            &format_cents(amount),
            payment.currency.code(),
            &bank_ref,
            &payment.payer_name,
            payment.payer_account.as_deref().unwrap_or(""),
            &payment.text.join(" "),
        ];
        writer.write_record(record).expect("writing to memory");
        bank_refs.push(bank_ref);
    }
    let mut bytes = format!("{HEADER}\n").into_bytes();
    bytes.extend(writer.into_inner().expect("writing to memory"));
    Rendered { bytes, bank_refs }
}
