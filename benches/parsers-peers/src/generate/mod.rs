//! Deterministic generators of large, valid bank files, one module per format.
//!
//! Each writes about `target_bytes` of a realistic file (the layouts of `recond-gen`'s
//! writers: indentation, remittance text, batched entries, continuation records) with
//! consistent control totals and balances, so that recond reads it with no error. A
//! fixed seed makes every run read the same bytes. They live here rather than in
//! `recond-gen` because that crate pulls the whole daemon (sqlx, tokio) into the build.

pub mod bai2;
pub mod camt;
pub mod csv;
pub mod nacha;

/// SplitMix64: tiny, deterministic, good enough to vary amounts and names.
pub struct Rand(u64);

impl Rand {
    pub fn new(seed: u64) -> Rand {
        Rand(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// An amount in minor units between 1.00 and 25 000.00.
    pub fn cents(&mut self) -> i64 {
        100 + self.below(2_500_000) as i64
    }

    pub fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len() as u64) as usize]
    }

    pub fn digits(&mut self, count: usize) -> String {
        (0..count)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

pub const COMPANIES: &[&str] = &[
    "Acme Corp",
    "Globex Industries",
    "Initech LLC",
    "Umbrella Supply Co",
    "Stark Components",
    "Wayne Logistics",
    "Hooli Services",
    "Vandelay Import Export",
    "Soylent Foods",
    "Tyrell Manufacturing",
    "Cyberdyne Systems",
    "Wonka Confectionery",
    "Oceanic Freight",
    "Massive Dynamic",
    "Gringotts Holdings",
];

pub const TEXTS: &[&str] = &[
    "PAYMENT FOR INVOICE",
    "INVOICE PAYMENT THANK YOU",
    "REMITTANCE FOR INV",
    "SETTLEMENT OF INVOICE",
    "PAYMENT REF",
];

/// `12345` -> `123.45`.
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{}.{:02}", cents / 100, cents % 100)
}
