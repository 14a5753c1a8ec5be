//! Renders a day's planned transactions into bank files, one module per format. Each
//! writer returns the file's bytes and the bank reference recond will read for every
//! transaction, in input order, so that the truth can name them.

pub mod bai2;
pub mod camt;
pub mod csv;
pub mod nacha;
pub mod x12;

/// One rendered bank file.
#[derive(Debug)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    /// The `bank_ref` of each input transaction, in input order.
    pub bank_refs: Vec<String>,
}

/// Our own accounts and running state across days (balances, sequence numbers).
#[derive(Debug, Clone)]
pub struct Accounts {
    pub eur_iban: String,
    pub eur_bic: String,
    pub eur_balance: i64,
    pub camt_sequence: u32,
    pub usd_routing: String,
    pub usd_account: String,
    pub usd_balance: i64,
    pub bai2_file_id: u32,
    pub csv_account: String,
    /// Counter for bank references made up by the bank (CAMT, BAI2, CSV).
    pub reference_seq: u64,
}

impl Accounts {
    pub fn new(rng: &mut crate::rng::Rand) -> Accounts {
        Accounts {
            eur_iban: crate::refs::iban("DE", &format!("50040000{}", rng.digits(10))),
            eur_bic: "COBADEFFXXX".to_owned(),
            eur_balance: 250_000_000,
            camt_sequence: 100 + rng.below(800) as u32,
            usd_routing: "021000021".to_owned(),
            usd_account: rng.digits(10),
            usd_balance: 400_000_000,
            bai2_file_id: 1,
            csv_account: crate::refs::us_account(rng),
            reference_seq: 1_000_000 + rng.below(1_000_000) as u64,
        }
    }

    pub fn next_reference(&mut self) -> u64 {
        self.reference_seq += 1;
        self.reference_seq
    }
}

/// Splits text into pieces of at most `max` characters at spaces (a word longer than
/// `max` is cut).
pub fn split_words(text: &str, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let word: String = word.chars().take(max).collect();
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > max {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
