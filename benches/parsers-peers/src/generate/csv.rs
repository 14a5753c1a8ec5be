//! A bank CSV export in recond's built-in default profile, as `recond-gen` writes it:
//! signed amounts with credits positive, payer names quoted when they hold a comma.

use std::fmt::Write;

use super::{format_cents, Rand, COMPANIES, TEXTS};

pub const HEADER: &str =
    "booking_date,value_date,amount,currency,bank_ref,payer_name,payer_account,description";

/// Returns the file and the number of transactions recond will emit.
pub fn generate(target_bytes: usize) -> (Vec<u8>, u64) {
    let mut rng = Rand::new(0xC5F);
    let mut file = String::with_capacity(target_bytes + 256);
    file.push_str(HEADER);
    file.push('\n');
    let mut transactions = 0u64;
    while file.len() < target_bytes {
        transactions += 1;
        let amount = if rng.below(5) == 0 {
            -rng.cents()
        } else {
            rng.cents()
        };
        let company = rng.pick(COMPANIES);
        let payer = if rng.below(4) == 0 {
            format!("\"{company}, Inc.\"")
        } else {
            company.to_owned()
        };
        let account = if rng.below(2) == 0 {
            rng.digits(10)
        } else {
            String::new()
        };
        let _ = writeln!(
            file,
            "2026-11-02,2026-11-02,{},USD,BK261102{transactions:08},{payer},{account},{} INV-{} {company}",
            format_cents(amount),
            rng.pick(TEXTS),
            rng.digits(6)
        );
    }
    (file.into_bytes(), transactions)
}
