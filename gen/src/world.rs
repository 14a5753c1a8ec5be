//! The receivables world the bank files are about: customers, the invoices our issuers
//! sent them, and what is open as an ideal engine would see it day by day.
//!
//! The generator keeps the open amount an engine that applies exactly the truth would
//! see. Reductions made by a day's payments take effect at the end of that day, so every
//! uniqueness check made during a day is conservative: an invoice paid earlier the same
//! day still counts as open, whatever order the day's files are ingested in.

use chrono::{Datelike, NaiveDate};

use crate::names::{CompanyName, CoreIndex};
use crate::rng::Rand;

/// Money in minor units (cents); USD and EUR both have two decimals.
pub type Cents = i64;

/// `1250.00` from 125000.
pub fn format_cents(cents: Cents) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Currency {
    Usd,
    Eur,
}

impl Currency {
    pub fn code(self) -> &'static str {
        match self {
            Currency::Usd => "USD",
            Currency::Eur => "EUR",
        }
    }
}

/// How one of our billing entities numbers its invoices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `INV-000123`
    Dashed,
    /// `2026/0456`
    YearSlash,
    /// `AB12345` with the issuer's two letters.
    Letters(&'static str),
}

pub const ISSUERS: [Scheme; 4] = [
    Scheme::Dashed,
    Scheme::YearSlash,
    Scheme::Letters("AB"),
    Scheme::Letters("KD"),
];

/// An invoice number: issuer, year of issue and sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvoiceNo {
    pub issuer: u8,
    pub year: u16,
    pub seq: u32,
}

impl InvoiceNo {
    pub fn render(self) -> String {
        match ISSUERS[usize::from(self.issuer)] {
            Scheme::Dashed => format!("INV-{:06}", self.seq),
            Scheme::YearSlash => format!("{}/{:04}", self.year, self.seq),
            Scheme::Letters(prefix) => format!("{prefix}{:05}", self.seq),
        }
    }
}

/// Reads an invoice number back (the exact rendering only).
pub fn parse_invoice_no(text: &str) -> Option<(u8, Option<u16>, u32)> {
    if let Some(digits) = text.strip_prefix("INV-") {
        return (digits.len() == 6 || digits.len() > 6 && !digits.starts_with('0'))
            .then(|| digits.parse().ok().map(|seq| (0, None, seq)))
            .flatten();
    }
    if let Some((year, seq)) = text.split_once('/') {
        if year.len() == 4 && seq.len() >= 4 && (seq.len() == 4 || !seq.starts_with('0')) {
            return Some((1, Some(year.parse().ok()?), seq.parse().ok()?));
        }
        return None;
    }
    for (index, scheme) in ISSUERS.iter().enumerate() {
        if let Scheme::Letters(prefix) = scheme {
            if let Some(digits) = text.strip_prefix(prefix) {
                if digits.len() >= 5
                    && digits.bytes().all(|b| b.is_ascii_digit())
                    && (digits.len() == 5 || !digits.starts_with('0'))
                {
                    return Some((index as u8, None, digits.parse().ok()?));
                }
            }
        }
    }
    None
}

#[derive(Debug, Clone)]
pub struct Customer {
    pub id: String,
    pub company: CompanyName,
    pub currency: Currency,
    /// Accounts listed in customers.csv.
    pub accounts: Vec<String>,
    /// Names listed in customers.csv besides the name.
    pub aliases: Vec<String>,
    pub issuer: u8,
    pub parent: Option<u32>,
    pub po_scheme: u8,
    /// ACH company identification (NACHA batch header) and the payer's bank routing.
    pub ach_company_id: String,
    pub routing: String,
    /// Invoices with an open amount, loaded or still to be loaded.
    pub open: Vec<u32>,
    /// A fixed monthly amount for subscription customers (same-amount invoices).
    pub recurring: Option<Cents>,
}

#[derive(Debug, Clone)]
pub struct Invoice {
    pub no: InvoiceNo,
    pub customer: u32,
    pub amount: Cents,
    /// The open amount as the ERP exports it.
    pub erp_open: Cents,
    /// What an ideal engine sees open now (start of the current day).
    pub open: Cents,
    pub issue: NaiveDate,
    pub due: NaiveDate,
    pub po: Option<u32>,
    /// Early-payment terms: basis points off within days of issue.
    pub discount: Option<(u32, u32)>,
    /// The day whose invoices.csv lists it (1-based).
    pub load_day: u32,
    /// Chosen by a payment; not offered to another case.
    pub reserved: bool,
}

/// Everything the generator knows.
#[derive(Debug, Default)]
pub struct World {
    pub customers: Vec<Customer>,
    pub invoices: Vec<Invoice>,
    /// Per issuer, invoice index by sequence number minus the issuer's first number.
    by_seq: Vec<Vec<u32>>,
    first_seq: Vec<u32>,
    pub cores: CoreIndex,
    po_counters: [u32; 3],
    /// Open-amount changes that take effect at the end of the day.
    pending: Vec<(u32, Cents)>,
}

impl World {
    pub fn new(rng: &mut Rand) -> World {
        let first_seq: Vec<u32> = ISSUERS
            .iter()
            .map(|scheme| match scheme {
                Scheme::YearSlash => rng.range(100, 900) as u32,
                _ => rng.range(1_000, 40_000) as u32,
            })
            .collect();
        World {
            by_seq: vec![Vec::new(); ISSUERS.len()],
            first_seq,
            po_counters: [
                rng.range(1_000, 9_000) as u32,
                rng.range(10_000, 90_000) as u32,
                rng.range(100_000, 400_000) as u32,
            ],
            ..World::default()
        }
    }

    pub fn invoice_id(&self, index: u32) -> String {
        self.invoices[index as usize].no.render()
    }

    pub fn po_text(&self, index: u32) -> Option<String> {
        let invoice = &self.invoices[index as usize];
        let po = invoice.po?;
        Some(match self.customers[invoice.customer as usize].po_scheme {
            0 => format!("PO-{po:05}"),
            1 => format!("45{po:08}"),
            _ => format!("P{po:06}"),
        })
    }

    /// Issues an invoice to `customer`; it is listed in `load_day`'s invoices.csv.
    pub fn issue(
        &mut self,
        rng: &mut Rand,
        customer: u32,
        amount: Cents,
        issue: NaiveDate,
        load_day: u32,
        paid_before: bool,
    ) -> u32 {
        let issuer = self.customers[customer as usize].issuer;
        let slots = &mut self.by_seq[usize::from(issuer)];
        let seq = self.first_seq[usize::from(issuer)] + slots.len() as u32;
        let index = self.invoices.len() as u32;
        slots.push(index);
        let po_scheme = usize::from(self.customers[customer as usize].po_scheme);
        let po = rng.chance(550).then(|| {
            self.po_counters[po_scheme] += 1 + rng.below(3) as u32;
            self.po_counters[po_scheme]
        });
        let discount = rng
            .chance(180)
            .then(|| *rng.pick(&[(200, 10), (200, 10), (150, 10), (100, 15)]));
        let terms = *rng.pick(&[30_i64, 30, 30, 45, 60, 14]);
        let open = if paid_before { 0 } else { amount };
        self.invoices.push(Invoice {
            no: InvoiceNo {
                issuer,
                year: issue.year() as u16,
                seq,
            },
            customer,
            amount,
            erp_open: open,
            open,
            issue,
            due: issue + chrono::Duration::days(terms),
            po,
            discount,
            load_day,
            reserved: paid_before,
        });
        if open > 0 {
            self.customers[customer as usize].open.push(index);
        }
        index
    }

    /// The invoice a rendered number names, if it exists (loaded or not).
    pub fn find(&self, text: &str) -> Option<u32> {
        let (issuer, year, seq) = parse_invoice_no(text)?;
        let first = *self.first_seq.get(usize::from(issuer))?;
        let slot = seq.checked_sub(first)?;
        let index = *self.by_seq[usize::from(issuer)].get(slot as usize)?;
        let invoice = &self.invoices[index as usize];
        if year.is_some_and(|year| year != invoice.no.year) {
            return None;
        }
        Some(index)
    }

    /// Invoices of `customer` an engine sees open on `day`: loaded by then, open > 0.
    pub fn open_on(&self, customer: u32, day: u32) -> Vec<u32> {
        self.customers[customer as usize]
            .open
            .iter()
            .copied()
            .filter(|&i| {
                let invoice = &self.invoices[i as usize];
                invoice.load_day <= day && invoice.open > 0
            })
            .collect()
    }

    /// Candidates for a new payment: open, loaded by `day`, not reserved, never paid in part.
    pub fn free_on(&self, customer: u32, day: u32) -> Vec<u32> {
        self.open_on(customer, day)
            .into_iter()
            .filter(|&i| {
                let invoice = &self.invoices[i as usize];
                !invoice.reserved && invoice.open == invoice.amount
            })
            .collect()
    }

    /// How many subsets of `customer`'s open invoices (1 to 5 of them) sum to `amount`,
    /// counting up to `cap`.
    pub fn subsets_summing_to(&self, customer: u32, day: u32, amount: Cents, cap: usize) -> usize {
        let mut opens: Vec<Cents> = self
            .open_on(customer, day)
            .iter()
            .map(|&i| self.invoices[i as usize].open)
            .collect();
        opens.sort_unstable();
        let mut found = 0;
        count_subsets(&opens, 0, amount, 5, cap, &mut found);
        found
    }

    /// Records that `cents` of `invoice` are applied (negative to re-open), effective at
    /// the end of the day.
    pub fn apply_later(&mut self, invoice: u32, cents: Cents) {
        self.pending.push((invoice, cents));
    }

    /// Makes the day's applications visible and forgets fully paid invoices.
    pub fn end_of_day(&mut self) {
        for (index, cents) in std::mem::take(&mut self.pending) {
            let invoice = &mut self.invoices[index as usize];
            let was_open = invoice.open > 0;
            invoice.open -= cents;
            assert!(
                invoice.open >= 0,
                "an invoice is never applied beyond its open amount"
            );
            let customer = &mut self.customers[invoice.customer as usize];
            if was_open && invoice.open == 0 {
                customer.open.retain(|&i| i != index);
            } else if !was_open && invoice.open > 0 {
                customer.open.push(index);
            }
        }
    }
}

fn count_subsets(
    sorted: &[Cents],
    start: usize,
    remaining: Cents,
    depth: usize,
    cap: usize,
    found: &mut usize,
) {
    for index in start..sorted.len() {
        if *found >= cap {
            return;
        }
        let value = sorted[index];
        if value > remaining {
            return;
        }
        if value == remaining {
            *found += 1;
            // Equal values later in the list give distinct subsets too.
            continue;
        }
        if depth > 1 {
            count_subsets(sorted, index + 1, remaining - value, depth - 1, cap, found);
        }
    }
}

/// A realistic invoice amount: mostly hundreds to tens of thousands, some round.
pub fn invoice_amount(rng: &mut Rand) -> Cents {
    let (low, high) = match rng.weighted(&[25, 40, 30, 5]) {
        0 => (5_000, 50_000),
        1 => (50_000, 500_000),
        2 => (500_000, 5_000_000),
        _ => (5_000_000, 25_000_000),
    };
    let cents = rng.range(low, high);
    match rng.weighted(&[65, 25, 10]) {
        0 => cents,
        1 => cents / 100 * 100,
        _ => (cents / 10_000).max(1) * 10_000,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoice_numbers_round_trip() {
        for (no, text) in [
            (
                InvoiceNo {
                    issuer: 0,
                    year: 2026,
                    seq: 123,
                },
                "INV-000123",
            ),
            (
                InvoiceNo {
                    issuer: 1,
                    year: 2026,
                    seq: 456,
                },
                "2026/0456",
            ),
            (
                InvoiceNo {
                    issuer: 2,
                    year: 2026,
                    seq: 12345,
                },
                "AB12345",
            ),
        ] {
            assert_eq!(no.render(), text);
            let (issuer, _, seq) = parse_invoice_no(text).unwrap();
            assert_eq!((issuer, seq), (no.issuer, no.seq));
        }
        assert_eq!(parse_invoice_no("INV-123"), None);
        assert_eq!(format_cents(-1505), "-15.05");
    }

    #[test]
    fn subsets_are_counted_with_duplicates() {
        let mut found = 0;
        count_subsets(&[100, 100, 200, 300], 0, 300, 5, 10, &mut found);
        // {100,200} twice, {300}.
        assert_eq!(found, 3);
    }
}
