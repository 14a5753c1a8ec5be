//! Synthetic workloads: seeded, reproducible inputs with a realistic mix of cases
//! (exact and mangled references, structured lists, RF references, payments without
//! a reference identified by account or fuzzy name, combinations, discounts, fees,
//! partial and over-payments, typos, already-paid invoices, other customers, unknown
//! payers, non-AR activity). Used by the benchmark and the differential tests; no
//! randomness outside the seed.

use chrono::NaiveDate;
use parsers::model::{Direction, EntryStatus, Format, ReferenceKind, Remittance, RemittanceItem};
use parsers::money::{Currency, Money};
use rust_decimal::Decimal;

use crate::input::{Customer, DiscountTerms, Inputs, Invoice, Payment};

/// The shape of a generated workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Workload {
    pub payments: usize,
    pub invoices: usize,
    /// Open invoices per customer, on average.
    pub invoices_per_customer: usize,
    /// Invoice amounts are drawn from 1.00 to this many minor units; a small spread
    /// makes equal amounts (ambiguity, conflicts) common.
    pub amount_spread_minor: i64,
    pub seed: u64,
}

impl Workload {
    /// Realistic: amounts mostly unique, ten invoices per customer.
    pub fn realistic(payments: usize, invoices: usize, seed: u64) -> Workload {
        Workload {
            payments,
            invoices,
            invoices_per_customer: 10,
            amount_spread_minor: 2_000_000,
            seed,
        }
    }

    /// Small and crowded: equal amounts, shared names and conflicts are frequent.
    pub fn crowded(payments: usize, invoices: usize, seed: u64) -> Workload {
        Workload {
            payments,
            invoices,
            invoices_per_customer: 6,
            amount_spread_minor: 3_000,
            seed,
        }
    }
}

/// SplitMix64: tiny, fast, and identical on every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (`bound` > 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound.max(1)
    }

    pub fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// True with probability `per_mille`/1000.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
}

const SYLLABLES: &[&str] = &[
    "ac", "me", "nor", "th", "wind", "con", "to", "so", "glo", "bex", "ini", "tech", "vol", "ta",
    "ar", "ka", "dia", "mond", "ster", "ling", "zen", "ith", "pra", "xis", "lu", "men", "qua",
    "dro", "vi", "ra", "sol", "tor", "fin", "ex", "mar", "co", "del", "ta", "pe", "ri",
];
const SUFFIXES: &[&str] = &[
    "Inc", "LLC", "Ltd", "GmbH", "Corp.", "S.A.", "B.V.", "plc", "Co",
];
const SECTORS: &[&str] = &[
    "Trading",
    "Logistics",
    "Manufacturing",
    "Foods",
    "Systems",
    "Retail",
    "Holdings",
    "Services",
];

fn word(rng: &mut Rng, syllables: usize) -> String {
    let mut word = String::new();
    for _ in 0..syllables {
        word.push_str(SYLLABLES[rng.index(SYLLABLES.len())]);
    }
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn invoice_id(n: usize) -> String {
    format!("INV-{n:07}")
}

fn date(day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(2026, 1, 1)
        .and_then(|start| start.checked_add_days(chrono::Days::new(u64::from(day))))
}

fn money(minor: i64) -> Money {
    Money::from_minor(minor, Currency::USD)
}

/// Generates a workload. The same `Workload` always gives the same inputs.
pub fn generate(workload: Workload) -> Inputs {
    let mut rng = Rng::new(workload.seed);
    let customer_count = (workload.invoices / workload.invoices_per_customer.max(1)).max(2);
    let customers: Vec<Customer> = (0..customer_count)
        .map(|n| {
            let first = word(&mut rng, 3);
            let second = word(&mut rng, 2);
            let name = format!(
                "{first} {second} {} {}",
                SECTORS[rng.index(SECTORS.len())],
                SUFFIXES[rng.index(SUFFIXES.len())]
            );
            let aliases = if rng.chance(100) {
                vec![format!("{} Group", word(&mut rng, 3))]
            } else {
                Vec::new()
            };
            Customer {
                id: format!("C{n:06}"),
                name,
                aliases,
                bank_accounts: vec![format!("US{:012}", 100_000 + n as u64 * 7)],
            }
        })
        .collect();
    let today = date(60);
    let owners: Vec<usize> = (0..workload.invoices)
        .map(|_| rng.index(customers.len()))
        .collect();
    let mut by_customer: Vec<Vec<usize>> = vec![Vec::new(); customers.len()];
    for (n, owner) in owners.iter().enumerate() {
        by_customer[*owner].push(n);
    }
    let invoices: Vec<Invoice> = (0..workload.invoices)
        .map(|n| {
            let amount = 100 + rng.below(workload.amount_spread_minor.max(1) as u64) as i64;
            let settled = rng.chance(40);
            let partly = !settled && rng.chance(30);
            let open = if settled {
                0
            } else if partly {
                amount / 2
            } else {
                amount
            };
            let issue = rng.below(55) as u32;
            Invoice {
                id: invoice_id(n),
                customer_id: customers[owners[n]].id.clone(),
                amount: money(amount),
                open_amount: money(open),
                issue_date: date(issue),
                due_date: date(issue + 30),
                po_number: rng.chance(200).then(|| format!("PO{:06}", n * 3 + 7)),
                discount: rng.chance(150).then_some(DiscountTerms {
                    percent: Decimal::new(2, 0),
                    days: 10,
                }),
            }
        })
        .collect();
    // Each payment is about a different invoice, as in real life; a crowded workload
    // still collides through equal amounts and shared names.
    let mut targets: Vec<usize> = (0..invoices.len()).collect();
    for i in (1..targets.len()).rev() {
        targets.swap(i, rng.index(i + 1));
    }
    let world = World {
        invoices: &invoices,
        customers: &customers,
        owners: &owners,
        by_customer: &by_customer,
    };
    let mut used = vec![false; invoices.len()];
    let mut payments = Vec::with_capacity(workload.payments);
    for n in 0..workload.payments {
        let target = targets[n % targets.len()];
        let mut p = payment(&mut rng, n, target, &world, &mut used);
        if used[target] && n < targets.len() {
            // An earlier list or combination already paid this invoice: this payer
            // pays something else, unknown to us.
            p.remittance = Remittance::default();
            p.end_to_end_id = None;
            p.payer_account = None;
            p.payer_name = Some(format!("{} {}", word(&mut rng, 3), word(&mut rng, 3)));
        }
        used[target] = true;
        payments.push(p);
    }
    Inputs {
        payments,
        invoices,
        customers,
        today,
    }
}

fn base_payment(n: usize, minor: i64, day: u32) -> Payment {
    Payment {
        id: n as i64 + 1,
        format: Format::Camt,
        direction: Direction::Credit,
        status: EntryStatus::Booked,
        amount: money(minor),
        available: money(minor),
        booking_date: date(day),
        bank_ref: format!("B{n:08}"),
        end_to_end_id: None,
        customer_ref: None,
        payer_name: None,
        payer_account: None,
        bank_tx_code: None,
        remittance: Remittance::default(),
        return_of: None,
    }
}

/// A payer name as banks mangle it: upper case, suffix changed or dropped, cut at 35.
fn mangle_name(rng: &mut Rng, name: &str) -> String {
    let mut mangled = match rng.below(4) {
        0 => name.to_uppercase(),
        1 => name.replace('.', ""),
        2 => {
            let words: Vec<&str> = name.split(' ').collect();
            words[..words.len().saturating_sub(1)].join(" ")
        }
        _ => format!("{name} / payments dept"),
    };
    if mangled.chars().count() > 35 {
        mangled = mangled.chars().take(35).collect();
    }
    mangled
}

/// What payments are generated against.
struct World<'a> {
    invoices: &'a [Invoice],
    customers: &'a [Customer],
    /// Customer position of each invoice.
    owners: &'a [usize],
    /// Invoice positions of each customer.
    by_customer: &'a [Vec<usize>],
}

fn payment(
    rng: &mut Rng,
    n: usize,
    target: usize,
    world: &World<'_>,
    used: &mut [bool],
) -> Payment {
    let World {
        invoices,
        customers,
        owners,
        by_customer,
    } = *world;
    let invoice = &invoices[target];
    let open = invoice.open_amount.to_minor().unwrap_or(0);
    let amount = invoice.amount.to_minor().unwrap_or(0);
    let pay = if open > 0 { open } else { amount };
    let day = 40 + rng.below(20) as u32;
    let customer = &customers[owners[target]];
    let number = target;
    let mut p = base_payment(n, pay, day);
    p.payer_name = Some(customer.name.clone());
    let case = rng.below(1000);
    match case {
        // Exact number in free text, in the forms payers write it.
        0..=379 => {
            let text = match rng.below(4) {
                0 => format!("PMT {} THX", invoice.id),
                1 => format!("INV{number:06}"),
                2 => format!("Invoice no. {number}"),
                _ => format!("PMT INV {number} THX"),
            };
            p.remittance.lines.push(text.into());
            if rng.chance(300) {
                p.payer_name = Some(mangle_name(rng, &customer.name));
            }
        }
        // Structured remittance listing one to three invoices with amounts.
        380..=479 => {
            let count = 1 + rng.index(3);
            let mut total = 0;
            for k in 0..count {
                let pick = if k == 0 {
                    target
                } else {
                    let candidates = &by_customer[owners[target]];
                    let pick = candidates[rng.index(candidates.len())];
                    if pick == target || used[pick] {
                        continue;
                    }
                    used[pick] = true;
                    pick
                };
                let listed = &invoices[pick];
                let minor = listed.open_amount.to_minor().unwrap_or(0);
                total += minor;
                p.remittance.items.push(RemittanceItem {
                    kind: ReferenceKind::Invoice,
                    reference: listed.id.clone().into(),
                    paid: Some(money(minor)),
                    document_total: Some(listed.amount),
                    discount: None,
                });
            }
            p.amount = money(total.max(1));
            p.available = p.amount;
        }
        // ISO 11649 creditor reference built from the invoice number.
        480..=519 => {
            p.remittance
                .lines
                .push(creditor_reference(&format!("{number}")).into());
        }
        // End-to-end id is the invoice number.
        520..=559 => p.end_to_end_id = Some(invoice.id.clone()),
        // No reference: known payer account.
        560..=669 => {
            p.payer_account = customer.bank_accounts.first().cloned();
            p.remittance.lines.push("PAYMENT THANK YOU".into());
        }
        // No reference: fuzzy payer name.
        670..=789 => {
            p.payer_name = Some(mangle_name(rng, &customer.name));
            p.remittance
                .lines
                .push(format!("REF {}", 900_000 + rng.below(99_999)).into());
        }
        // Differences with a reference: discount, bank fee on a wire, partial, over.
        790..=849 => {
            p.remittance
                .lines
                .push(format!("PMT {}", invoice.id).into());
            let (paid, code) = match rng.below(4) {
                0 => (pay - pay / 50, None),
                1 => (pay - 1500, Some("195")),
                2 => (pay / 3, None),
                _ => (pay + (pay / 10).max(1), None),
            };
            let paid = paid.max(1);
            p.amount = money(paid);
            p.available = p.amount;
            p.bank_tx_code = code.map(str::to_owned);
        }
        // One character mistyped.
        850..=879 => {
            let mut id: Vec<char> = invoice.id.chars().collect();
            let at = id.len() - 1 - rng.index(3);
            id[at] = if id[at] == '7' { '1' } else { '7' };
            p.remittance
                .lines
                .push(format!("INVOICE {}", id.into_iter().collect::<String>()).into());
        }
        // Unknown payer, no reference.
        880..=909 => {
            p.payer_name = Some(format!("{} {}", word(rng, 3), word(rng, 3)));
        }
        // Another customer's invoice, different amount.
        910..=929 => {
            let other = &customers[rng.index(customers.len())];
            p.payer_name = Some(other.name.clone());
            p.payer_account = other.bank_accounts.first().cloned();
            p.remittance
                .lines
                .push(format!("PMT {}", invoice.id).into());
            p.amount = money((pay - 777).max(1));
            p.available = p.amount;
        }
        // Non-AR: debits, fees, interest, card settlements, returns.
        930..=979 => match rng.below(5) {
            0 => p.direction = Direction::Debit,
            1 => {
                p.direction = Direction::Debit;
                p.bank_tx_code = Some("PMNT/RDDT/ESDD".to_owned());
                p.return_of = Some(format!("0910000{n:08}"));
            }
            2 => p.bank_tx_code = Some("354".to_owned()),
            3 => p.remittance.lines = vec!["VISA MERCHANT SETTLEMENT 0612".into()],
            _ => p.bank_tx_code = Some("ACMT/MDOP/CHRG".to_owned()),
        },
        // Combination: two open invoices of the same customer, no reference.
        _ => {
            let second = by_customer[owners[target]].iter().copied().find(|&other| {
                other != target
                    && !used[other]
                    && invoices[other].open_amount.to_minor().unwrap_or(0) > 0
            });
            if let Some(second) = second {
                used[second] = true;
                let second = &invoices[second];
                p.amount = money(pay + second.open_amount.to_minor().unwrap_or(0));
                p.available = p.amount;
            }
            p.payer_account = customer.bank_accounts.first().cloned();
        }
    }
    if rng.chance(20) {
        // Already applied in part by an earlier run or a clerk.
        let available = p.available.to_minor().unwrap_or(0);
        p.available = money(available / 2);
    }
    p
}

/// An ISO 11649 reference for `payload`, printed in groups of four.
pub fn creditor_reference(payload: &str) -> String {
    let mut remainder: u32 = 0;
    for byte in payload.bytes().chain(*b"RF00") {
        let upper = byte.to_ascii_uppercase();
        if upper.is_ascii_digit() {
            remainder = (remainder * 10 + u32::from(upper - b'0')) % 97;
        } else {
            remainder = (remainder * 100 + u32::from(upper - b'A') + 10) % 97;
        }
    }
    let check = 98 - remainder;
    let full = format!("RF{check:02}{payload}");
    let groups: Vec<String> = full
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect();
    groups.join(" ")
}
