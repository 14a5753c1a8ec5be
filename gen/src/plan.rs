//! The scenario plan: customers and opening invoices, then day by day the new
//! invoices and the bank transactions of every case, each with its truth.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use crate::cases::{channel_weight, Case};
use crate::names::{self, ascii_upper, bank_variant, core, Namer, Variant};
use crate::payment::{Ach, Channel, Expect, Item, Kind, Payment};
use crate::refs;
use crate::rng::Rand;
use crate::world::{format_cents, invoice_amount, Cents, Currency, Customer, World};

/// The first business day of every scenario.
pub fn start_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 2).expect("a valid date")
}

/// `count` business days from the start date (weekends skipped).
pub fn business_days(count: u32) -> Vec<NaiveDate> {
    let mut dates = Vec::with_capacity(count as usize);
    let mut date = start_date();
    while dates.len() < count as usize {
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            dates.push(date);
        }
        date += Duration::days(1);
    }
    dates
}

/// Plans one day at a time; the caller writes each day before asking for the next.
pub struct Planner {
    pub world: World,
    rng: Rand,
    namer: Namer,
    pub dates: Vec<NaiveDate>,
    /// Transactions per day to generate (day index 0 = day 1).
    quota: Vec<usize>,
    /// Transactions already planned for a later day (returns, duplicate payments).
    scheduled: Vec<Vec<Payment>>,
    /// Invoices each day's invoices.csv lists.
    pub loads: Vec<Vec<u32>>,
    by_currency: [Vec<u32>; 2],
    subsidiaries: Vec<u32>,
    paid_before: Vec<u32>,
    trace_seq: u32,
    new_invoices_per_day: usize,
    /// Cases drawn so far, for proportional drawing.
    drawn: std::collections::BTreeMap<Case, usize>,
    draws: usize,
}

fn currency_index(currency: Currency) -> usize {
    match currency {
        Currency::Usd => 0,
        Currency::Eur => 1,
    }
}

impl Planner {
    pub fn new(seed: u64, payments: usize, days: u32) -> Planner {
        let mut root = Rand::new(seed);
        let mut rng = root.fork(1);
        let mut world = World::new(&mut rng);
        let dates = business_days(days);
        let per_day = payments / days as usize;
        let quota = (0..days as usize)
            .map(|d| per_day + usize::from(d < payments % days as usize))
            .collect();
        let mut planner = Planner {
            world: World::default(),
            rng: root.fork(2),
            namer: Namer::default(),
            dates,
            quota,
            scheduled: vec![Vec::new(); days as usize],
            loads: vec![Vec::new(); days as usize],
            by_currency: [Vec::new(), Vec::new()],
            subsidiaries: Vec::new(),
            paid_before: Vec::new(),
            trace_seq: 0,
            new_invoices_per_day: (per_day * 11 / 10).max(1),
            drawn: std::collections::BTreeMap::new(),
            draws: 0,
        };
        planner.make_customers(&mut rng, &mut world, (payments / 12).max(12));
        planner.world = world;
        planner.make_opening_invoices();
        planner
    }

    fn make_customers(&mut self, rng: &mut Rand, world: &mut World, count: usize) {
        let holdings = (count / 15).max(2);
        for index in 0..count {
            let holding = index < holdings;
            // The first two subsidiaries belong to the first two holdings (one per currency).
            let parent = if !holding && index < holdings + 2 {
                Some((index - holdings) as u32)
            } else if !holding && rng.chance(250) {
                Some(rng.below(holdings) as u32)
            } else {
                None
            };
            let currency = match parent {
                Some(parent) => world.customers[parent as usize].currency,
                // The first two customers are holdings, one per currency.
                None if index < 2 => [Currency::Usd, Currency::Eur][index],
                None if index == holdings + 2 => Currency::Usd,
                None if index == holdings + 3 => Currency::Eur,
                None if rng.chance(400) => Currency::Eur,
                None => Currency::Usd,
            };
            let parent_stem = parent.map(|p| world.customers[p as usize].company.stem.clone());
            let company = self.namer.company(
                rng,
                currency == Currency::Eur,
                parent_stem.as_deref(),
                holding,
            );
            let accounts = (0..1 + usize::from(rng.chance(350)))
                .map(|_| match currency {
                    Currency::Eur => refs::random_iban(rng),
                    Currency::Usd => refs::us_account(rng),
                })
                .collect();
            let aliases = if rng.chance(400) {
                vec![bank_variant(&company, Variant::NoPunctuation, 35)]
            } else {
                Vec::new()
            };
            let id = format!("C-{:05}", 10_001 + index);
            world.cores.insert(core(&company.name), index as u32);
            if parent.is_some() {
                self.subsidiaries.push(index as u32);
            }
            self.by_currency[currency_index(currency)].push(index as u32);
            world.customers.push(Customer {
                id,
                company,
                currency,
                accounts,
                aliases,
                issuer: rng.below(4) as u8,
                parent,
                po_scheme: rng.below(3) as u8,
                ach_company_id: format!("1{}", rng.digits(9)),
                routing: refs::routing_number(rng),
                open: Vec::new(),
                // Subscription customers: same-amount invoices, so amounts can be ambiguous.
                recurring: (index == holdings + 2 || index == holdings + 3 || rng.chance(150))
                    .then(|| invoice_amount(rng) / 100 * 100 + 100),
            });
        }
    }

    fn make_opening_invoices(&mut self) {
        let start = start_date();
        for customer in 0..self.world.customers.len() as u32 {
            let recurring = self.world.customers[customer as usize].recurring;
            let count = self.rng.range(3, 9);
            for n in 0..count {
                let issue = start - Duration::days(self.rng.range(1, 75));
                let amount = match recurring {
                    Some(amount) if n < 3 => amount,
                    _ => invoice_amount(&mut self.rng),
                };
                let paid_before = self.rng.chance(40);
                let index =
                    self.world
                        .issue(&mut self.rng, customer, amount, issue, 1, paid_before);
                self.loads[0].push(index);
                if paid_before {
                    self.paid_before.push(index);
                }
            }
        }
        self.sort_load(0);
    }

    /// Invoices.csv lists invoices by number within a day, as an ERP export would.
    fn sort_load(&mut self, day_index: usize) {
        let invoices = &self.world.invoices;
        self.loads[day_index].sort_by_key(|&i| {
            let no = invoices[i as usize].no;
            (no.issuer, no.seq)
        });
    }

    /// Plans day `day` (1-based): issues its invoices and returns its transactions.
    pub fn plan_day(&mut self, day: u32) -> Vec<Payment> {
        let date = self.dates[day as usize - 1];
        for _ in 0..self.new_invoices_per_day {
            let customer = self.rng.below(self.world.customers.len()) as u32;
            let amount = match self.world.customers[customer as usize].recurring {
                Some(amount) if self.rng.chance(500) => amount,
                _ => invoice_amount(&mut self.rng),
            };
            let issue = date - Duration::days(self.rng.range(0, 2));
            let index = self
                .world
                .issue(&mut self.rng, customer, amount, issue, day, false);
            self.loads[day as usize - 1].push(index);
        }
        let mut payments = std::mem::take(&mut self.scheduled[day as usize - 1]);
        let quota = self.quota[day as usize - 1];
        while payments.len() < quota {
            let remaining = quota - payments.len();
            let mut built = None;
            'cases: for case in self.cases_by_deficit(day, remaining) {
                for _ in 0..3 {
                    let channels = case.channels();
                    let weights: Vec<u32> = channels.iter().map(|&c| channel_weight(c)).collect();
                    let channel = channels[self.rng.weighted(&weights)];
                    if let Some(found) = self.build(case, channel, day, date) {
                        *self.drawn.entry(case).or_default() += 1;
                        self.draws += 1;
                        built = Some(found);
                        break 'cases;
                    }
                }
            }
            let mut found = built.unwrap_or_else(|| {
                let channel = *self.rng.pick(&Channel::ALL);
                self.non_ar(channel, date)
            });
            payments.append(&mut found);
        }
        self.sort_load(day as usize - 1);
        payments
    }

    /// Applies the day's truth to the open amounts.
    pub fn end_day(&mut self) {
        self.world.end_of_day();
    }

    /// Cases in the order to try them: the furthest behind its share first (so that
    /// proportions hold exactly and rare cases appear even in small scenarios), with
    /// random tie-breaks.
    fn cases_by_deficit(&mut self, day: u32, remaining: usize) -> Vec<Case> {
        let last_day = day as usize == self.dates.len();
        let total: u32 = Case::ALL.iter().map(|c| c.weight()).sum();
        let mut scored: Vec<(i64, u32, Case)> = Case::ALL
            .iter()
            .filter(|&&case| case.weight() > 0)
            .filter(|&&case| {
                !(last_day && matches!(case, Case::AchReturn | Case::PaymentBeforeInvoice))
            })
            .filter(|&&case| !(case == Case::AchReturn && remaining < 2))
            .map(|&case| {
                let expected = i64::from(case.weight()) * (self.draws as i64 + 1);
                let actual = i64::from(total) * *self.drawn.get(&case).unwrap_or(&0) as i64;
                (expected - actual, self.rng.below(1_000) as u32, case)
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
        scored
            .into_iter()
            .take(6)
            .map(|(_, _, case)| case)
            .collect()
    }

    /// A later day that can take one more scheduled transaction.
    fn later_day(&mut self, day: u32) -> Option<u32> {
        let days = self.dates.len() as u32;
        if day >= days {
            return None;
        }
        for _ in 0..4 {
            let later = day + 1 + self.rng.below((days - day).min(4) as usize) as u32;
            let index = later as usize - 1;
            if self.scheduled[index].len() < self.quota[index] {
                return Some(later);
            }
        }
        None
    }

    fn build(
        &mut self,
        case: Case,
        channel: Channel,
        day: u32,
        date: NaiveDate,
    ) -> Option<Vec<Payment>> {
        let currency = channel.currency();
        match case {
            Case::NonAr => Some(self.non_ar(channel, date)),
            Case::UnknownPayer => Some(vec![self.unknown_payer(channel, day)]),
            Case::AchReturn => self.ach_return(day),
            Case::AlreadyPaid => self.already_paid(channel, day),
            Case::PaymentBeforeInvoice => self.payment_before_invoice(channel, day, date),
            Case::AmbiguousAmount => self.ambiguous(channel, day),
            Case::OtherCustomerInvoice => self.other_customer(channel, day),
            Case::ParentPaysSubsidiary => self.parent_pays(channel, day),
            Case::StructuredRemittance => self.structured(channel, day),
            Case::CombinationWithoutList => self.combination(channel, day),
            Case::EarlyPaymentDiscount => self.discount(channel, day, date),
            _ => {
                let customer = self.pick_customer(currency, false)?;
                let invoice = self.pick_free(customer, day, |inv| inv.amount >= 2_000)?;
                self.single(case, channel, customer, invoice, day)
            }
        }
    }

    fn pick_customer(&mut self, currency: Currency, subsidiary: bool) -> Option<u32> {
        let pool = if subsidiary {
            &self.subsidiaries
        } else {
            &self.by_currency[currency_index(currency)]
        };
        if pool.is_empty() {
            return None;
        }
        let customer = pool[self.rng.below(pool.len())];
        (self.world.customers[customer as usize].currency == currency).then_some(customer)
    }

    fn pick_free(
        &mut self,
        customer: u32,
        day: u32,
        accept: impl Fn(&crate::world::Invoice) -> bool,
    ) -> Option<u32> {
        let free: Vec<u32> = self
            .world
            .free_on(customer, day)
            .into_iter()
            .filter(|&i| accept(&self.world.invoices[i as usize]))
            .collect();
        if free.is_empty() {
            return None;
        }
        Some(free[self.rng.below(free.len())])
    }

    fn next_trace(&mut self, odfi: &str) -> String {
        // Seven digits per originating bank; wrapping only matters beyond ten million.
        self.trace_seq = (self.trace_seq + 1) % 10_000_000;
        format!("{odfi}{:07}", self.trace_seq)
    }

    /// A payment from `customer` as `channel` shows it; `known_account` says whether the
    /// payer account is one customers.csv lists.
    fn payment(
        &mut self,
        case: Case,
        channel: Channel,
        customer: u32,
        known_account: bool,
        amount: Cents,
    ) -> Payment {
        let c = self.world.customers[customer as usize].clone();
        let variant = *self.rng.pick(&[
            Variant::Upper,
            Variant::NoPunctuation,
            Variant::NoSuffix,
            Variant::Abbreviated,
            Variant::Punctuation,
        ]);
        let (payer_name, payer_account) = match channel {
            Channel::Camt => {
                let name = if self.rng.chance(300) {
                    c.company.name.clone()
                } else {
                    bank_variant(&c.company, variant, 35)
                };
                let account = if known_account {
                    self.rng.pick(&c.accounts).clone()
                } else {
                    refs::random_iban(&mut self.rng)
                };
                (name, Some(account))
            }
            Channel::Csv => {
                let account = if known_account {
                    self.rng.pick(&c.accounts).clone()
                } else {
                    refs::us_account(&mut self.rng)
                };
                (bank_variant(&c.company, variant, 35), Some(account))
            }
            Channel::Nacha => (bank_variant(&c.company, variant, 16), None),
            Channel::Bai2 => (bank_variant(&c.company, variant, 35), None),
        };
        let ach = (channel == Channel::Nacha).then(|| {
            let odfi = c.routing[..8].to_owned();
            let company_id = c.ach_company_id.clone();
            let trace = self.next_trace(&odfi);
            Ach {
                company_id,
                odfi,
                trace,
                returns: None,
            }
        });
        let kind = match channel {
            Channel::Bai2 => *self.rng.pick(&[
                Kind::Transfer,
                Kind::Transfer,
                Kind::Wire,
                Kind::Lockbox,
                Kind::Check,
            ]),
            _ => Kind::Transfer,
        };
        Payment {
            case,
            channel,
            kind,
            credit: true,
            amount,
            currency: channel.currency(),
            payer_name,
            payer_account,
            text: Vec::new(),
            items: Vec::new(),
            creditor_ref: None,
            ach,
            expect: Vec::new(),
        }
    }

    /// Text that names `reference` plainly, as its own word.
    fn plain_text(&mut self, reference: &str) -> String {
        let template = *self.rng.pick(&[
            "{}",
            "PAYMENT {}",
            "INVOICE {}",
            "PMT {} THANK YOU",
            "RE {} ACCOUNTS PAYABLE",
            "Invoice {} payment",
            "REF {}",
        ]);
        template.replace("{}", reference)
    }

    /// The invoice number as payers mangle it: separators, prefixes, leading zeros.
    fn mangled(&mut self, invoice: u32) -> String {
        let no = self.world.invoices[invoice as usize].no;
        let seq = no.seq;
        let options: Vec<String> = match crate::world::ISSUERS[usize::from(no.issuer)] {
            crate::world::Scheme::Dashed => vec![
                format!("INV{seq:06}"),
                format!("INV {seq}"),
                format!("INV{seq}"),
                format!("INV-{seq}"),
                format!("inv {seq:06}"),
                format!("INV.{seq:06}"),
                format!("INV#{seq}"),
            ],
            crate::world::Scheme::YearSlash => vec![
                format!("{}-{seq:04}", no.year),
                format!("{} {seq:04}", no.year),
                format!("{}{seq:04}", no.year),
                format!("{}/{seq}", no.year),
                format!("{}-{seq}", no.year),
            ],
            crate::world::Scheme::Letters(prefix) => vec![
                format!("{prefix}-{seq:05}"),
                format!("{prefix} {seq:05}"),
                format!("{}{seq:05}", prefix.to_lowercase()),
                format!("{prefix}0{seq:05}"),
                format!("{prefix}.{seq}"),
            ],
        };
        let reference = self.rng.pick(&options).clone();
        let template = *self.rng.pick(&[
            "PMT {} THX",
            "PAYMENT FOR {} THANK YOU",
            "OUR REF 88{} YOUR INVOICE {}",
            "SETTLEMENT OF {}",
            "{}/PAYMENT",
            "INV NO {} PAID IN FULL",
        ]);
        if template.starts_with("OUR REF") {
            return format!("OUR REF {} YOUR INVOICE {reference}", self.rng.digits(6));
        }
        template.replace("{}", &reference)
    }

    /// The many single-invoice cases: one invoice, a reference of some kind, an amount.
    fn single(
        &mut self,
        case: Case,
        channel: Channel,
        customer: u32,
        invoice: u32,
        day: u32,
    ) -> Option<Vec<Payment>> {
        let id = self.world.invoice_id(invoice);
        let open = self.world.invoices[invoice as usize].open;
        let known = self.rng.chance(850);
        let (amount, expect) = match case {
            Case::PartialPayment => {
                let share = self.rng.range(20, 90);
                let exact = open * share / 100;
                // Rounded down to hundreds where that stays a partial payment: 100.00
                // on a 104.25 invoice is a full payment less a fee, not a partial one.
                let rounded = (exact / 10_000).max(1) * 10_000;
                let part = if self.rng.chance(500) && rounded * 10 <= open * 9 {
                    rounded
                } else {
                    exact
                };
                if part <= 0 || part >= open {
                    return None;
                }
                (part, Expect::applied("applied", id.clone(), part, 0, ""))
            }
            Case::BankFeeDeducted => {
                let fee = *self.rng.pick(&[1_000, 1_500, 2_000, 2_500, 3_000, 3_500]);
                if open < fee * 20 {
                    return None;
                }
                (
                    open - fee,
                    Expect::applied("applied", id.clone(), open - fee, fee, "bank_fee"),
                )
            }
            Case::Overpayment => {
                // Rounded up to the next 1,000 only where that is a modest excess: no
                // one pays 1,000.00 for a 60.00 invoice and calls it an overpayment.
                let rounded_up = (open / 100_000 + 1) * 100_000 - open;
                let extra = if self.rng.chance(500) || rounded_up * 4 > open {
                    (open * self.rng.range(5, 25) / 100).max(100)
                } else {
                    rounded_up
                };
                if extra <= 0 {
                    return None;
                }
                (
                    open + extra,
                    Expect::applied("partially_applied", id.clone(), open, 0, ""),
                )
            }
            Case::RoundingDifference => {
                let difference = self.rng.range(1, 5);
                (
                    open - difference,
                    Expect::applied(
                        "applied",
                        id.clone(),
                        open - difference,
                        difference,
                        "rounding",
                    ),
                )
            }
            Case::PayerAccountUniqueAmount | Case::PayerNameUniqueAmount => {
                if self.world.subsets_summing_to(customer, day, open, 2) != 1 {
                    return None;
                }
                (open, Expect::applied("applied", id.clone(), open, 0, ""))
            }
            _ => (open, Expect::applied("applied", id.clone(), open, 0, "")),
        };
        let known_account = match case {
            Case::PayerAccountUniqueAmount => true,
            Case::PayerNameUniqueAmount => false,
            _ => known,
        };
        let mut payment = self.payment(case, channel, customer, known_account, amount);
        if case == Case::BankFeeDeducted {
            payment.kind = Kind::Wire;
        }
        match case {
            Case::ExactReference
            | Case::PartialPayment
            | Case::BankFeeDeducted
            | Case::Overpayment
            | Case::RoundingDifference => {
                let text = if channel == Channel::Nacha && self.rng.chance(400) {
                    format!("RMR*IV*{id}**{}\\", format_cents(amount))
                } else {
                    self.plain_text(&id)
                };
                payment.text.push(text);
            }
            Case::ReferenceInText => {
                let text = self.mangled(invoice);
                payment.text.push(text);
            }
            Case::ReferenceTypo => {
                let typo = self.typo(&id, invoice, day)?;
                let text = self.plain_text(&typo);
                payment.text.push(text);
            }
            Case::RfReference => {
                let body: String = id.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
                let rf = refs::rf_reference(&body);
                if self.rng.chance(250) {
                    let grouped: Vec<String> = rf
                        .as_bytes()
                        .chunks(4)
                        .map(|c| String::from_utf8_lossy(c).into_owned())
                        .collect();
                    payment.text.push(grouped.join(" "));
                } else {
                    payment.creditor_ref = Some(rf);
                }
            }
            Case::PoNumber => {
                let po = self.world.po_text(invoice)?;
                let template = *self.rng.pick(&[
                    "PO {}",
                    "PURCHASE ORDER {}",
                    "YOUR PO {} PAYMENT",
                    "ORDER NO {}",
                ]);
                payment.text.push(template.replace("{}", &po));
            }
            Case::PayerAccountUniqueAmount => {
                let text =
                    *self
                        .rng
                        .pick(&["", "PAYMENT", "SUPPLIER PAYMENT", "AP RUN 2611", "TRANSFER"]);
                if !text.is_empty() {
                    payment.text.push(text.to_owned());
                }
                if channel == Channel::Csv && self.rng.chance(300) {
                    payment.payer_name.clear();
                }
            }
            Case::PayerNameUniqueAmount => {
                if !self.name_is_unique(customer, channel, &mut payment) {
                    return None;
                }
                if channel == Channel::Camt || channel == Channel::Csv {
                    payment.payer_account = match channel {
                        Channel::Camt => Some(refs::random_iban(&mut self.rng)),
                        _ => Some(String::new()),
                    };
                }
                let text = *self
                    .rng
                    .pick(&["", "PAYMENT", "VENDOR PAYMENT", "ACCOUNTS PAYABLE"]);
                if !text.is_empty() {
                    payment.text.push(text.to_owned());
                }
            }
            _ => return None,
        }
        if case.should_apply() {
            let expect_cash = expect.applied.unwrap_or(0) + expect.writeoff.unwrap_or(0);
            self.world.apply_later(invoice, expect_cash);
        }
        self.world.invoices[invoice as usize].reserved = true;
        payment.expect.push(expect);
        Some(vec![payment])
    }

    /// A payer name variant an engine can tie to exactly this customer by fuzzy
    /// comparison (and that is not a listed alias).
    fn name_is_unique(&mut self, customer: u32, channel: Channel, payment: &mut Payment) -> bool {
        let c = &self.world.customers[customer as usize];
        let max_len = if channel == Channel::Nacha { 16 } else { 35 };
        let variant = *self.rng.pick(&[
            Variant::Upper,
            Variant::NoSuffix,
            Variant::Abbreviated,
            Variant::Punctuation,
        ]);
        let name = bank_variant(&c.company, variant, max_len);
        if c.aliases
            .iter()
            .any(|alias| alias.eq_ignore_ascii_case(&name))
            || name.len() < 10
        {
            return false;
        }
        let full = core(&c.company.name);
        let shown = core(&name);
        // A truncated or suffix-less name must be a prefix of one customer only; other
        // variants are compared whole after expanding abbreviations and punctuation.
        let check = if variant != Variant::Abbreviated && full.starts_with(&shown) {
            shown.clone()
        } else {
            full
        };
        if self.world.cores.unique_prefix(&check) != Some(customer) {
            return false;
        }
        // Abbreviated and then cut (`QUARRY HILL CONS` of `QUARRY HILL CONSTR LLC`),
        // the name may fit another customer as well as this one: no one could tell.
        let fits = self
            .world
            .customers
            .iter()
            .filter(|other| names::abbreviates(&shown, &core(&other.company.name)))
            .count();
        if fits > 1 {
            return false;
        }
        payment.payer_name = name;
        true
    }

    /// One character of the number mistyped, such that among all invoices one
    /// substitution away exactly the intended one has the payment's amount.
    fn typo(&mut self, id: &str, invoice: u32, day: u32) -> Option<String> {
        let open = self.world.invoices[invoice as usize].open;
        let digit_positions: Vec<usize> = id
            .char_indices()
            .filter(|(i, c)| c.is_ascii_digit() && !(id.contains('/') && *i < 4))
            .map(|(i, _)| i)
            .collect();
        for _ in 0..6 {
            let position = *self.rng.pick(&digit_positions);
            let mut bytes = id.as_bytes().to_vec();
            let original = bytes[position];
            let replacement = b'0' + self.rng.below(10) as u8;
            if replacement == original {
                continue;
            }
            bytes[position] = replacement;
            let typo = String::from_utf8(bytes).ok()?;
            if self.confirming_neighbours(&typo, open, day) == vec![invoice] {
                return Some(typo);
            }
        }
        None
    }

    fn confirming_neighbours(&self, text: &str, amount: Cents, day: u32) -> Vec<u32> {
        let mut found = Vec::new();
        let bytes = text.as_bytes();
        for position in 0..bytes.len() {
            if !bytes[position].is_ascii_digit() {
                continue;
            }
            for digit in b'0'..=b'9' {
                let mut candidate = bytes.to_vec();
                candidate[position] = digit;
                let Ok(candidate) = String::from_utf8(candidate) else {
                    continue;
                };
                if let Some(index) = self.world.find(&candidate) {
                    let invoice = &self.world.invoices[index as usize];
                    if invoice.load_day <= day && invoice.open == amount && !found.contains(&index)
                    {
                        found.push(index);
                    }
                }
            }
        }
        found
    }

    fn structured(&mut self, channel: Channel, day: u32) -> Option<Vec<Payment>> {
        let customer = self.pick_customer(channel.currency(), false)?;
        let free = self.world.free_on(customer, day);
        if free.len() < 2 {
            return None;
        }
        let count = self.rng.range(2, free.len().min(6) as i64) as usize;
        let mut chosen = free;
        self.rng.shuffle(&mut chosen);
        chosen.truncate(count);
        chosen.sort_unstable();
        let items: Vec<Item> = chosen
            .iter()
            .map(|&i| {
                let invoice = &self.world.invoices[i as usize];
                Item {
                    invoice: invoice.no.render(),
                    paid: invoice.open,
                    total: invoice.amount,
                    discount: 0,
                }
            })
            .collect();
        let amount = items.iter().map(|item| item.paid).sum();
        let known = self.rng.chance(850);
        let mut payment =
            self.payment(Case::StructuredRemittance, channel, customer, known, amount);
        if channel == Channel::Nacha {
            payment.kind = Kind::Ctx;
        }
        for (item, &index) in items.iter().zip(&chosen) {
            payment.expect.push(Expect::applied(
                "applied",
                item.invoice.clone(),
                item.paid,
                0,
                "",
            ));
            self.world.apply_later(index, item.paid);
            self.world.invoices[index as usize].reserved = true;
        }
        payment.items = items;
        Some(vec![payment])
    }

    fn combination(&mut self, channel: Channel, day: u32) -> Option<Vec<Payment>> {
        let customer = self.pick_customer(channel.currency(), false)?;
        let free = self.world.free_on(customer, day);
        if free.len() < 3 {
            return None;
        }
        let count = self.rng.range(2, 3) as usize;
        let mut chosen = free;
        self.rng.shuffle(&mut chosen);
        chosen.truncate(count);
        chosen.sort_unstable();
        let amount: Cents = chosen
            .iter()
            .map(|&i| self.world.invoices[i as usize].open)
            .sum();
        if self.world.subsets_summing_to(customer, day, amount, 2) != 1 {
            return None;
        }
        let mut payment = self.payment(
            Case::CombinationWithoutList,
            channel,
            customer,
            true,
            amount,
        );
        if channel == Channel::Nacha && !self.name_is_unique(customer, channel, &mut payment) {
            return None;
        }
        let text = *self.rng.pick(&[
            "",
            "PAYMENT",
            "OPEN ITEMS",
            "INVOICES OCT/NOV",
            "AP PAYMENT RUN",
        ]);
        if !text.is_empty() {
            payment.text.push(text.to_owned());
        }
        for &index in &chosen {
            let open = self.world.invoices[index as usize].open;
            payment.expect.push(Expect::applied(
                "applied",
                self.world.invoice_id(index),
                open,
                0,
                "",
            ));
            self.world.apply_later(index, open);
            self.world.invoices[index as usize].reserved = true;
        }
        Some(vec![payment])
    }

    fn discount(&mut self, channel: Channel, day: u32, date: NaiveDate) -> Option<Vec<Payment>> {
        let currency = channel.currency();
        let mut candidates = Vec::new();
        for index in (0..self.world.invoices.len()).rev().take(20_000) {
            let invoice = &self.world.invoices[index];
            if invoice.issue + Duration::days(20) < date && invoice.load_day > 1 {
                break;
            }
            let Some((_, days)) = invoice.discount else {
                continue;
            };
            let in_window =
                invoice.issue <= date && date < invoice.issue + Duration::days(i64::from(days));
            let customer = &self.world.customers[invoice.customer as usize];
            if in_window
                && invoice.load_day <= day
                && !invoice.reserved
                && invoice.open == invoice.amount
                && customer.currency == currency
            {
                candidates.push(index as u32);
                if candidates.len() >= 64 {
                    break;
                }
            }
        }
        if candidates.is_empty() {
            return None;
        }
        let index = candidates[self.rng.below(candidates.len())];
        let invoice = &self.world.invoices[index as usize];
        let (basis_points, _) = invoice.discount?;
        let discount = (invoice.amount * i64::from(basis_points) + 5_000) / 10_000;
        let customer = invoice.customer;
        let pay = invoice.open - discount;
        let id = invoice.no.render();
        let known = self.rng.chance(850);
        let mut payment = self.payment(Case::EarlyPaymentDiscount, channel, customer, known, pay);
        let text = self.plain_text(&id);
        let percent = if basis_points % 100 == 0 {
            format!("{}", basis_points / 100)
        } else {
            format!("{}.{}", basis_points / 100, basis_points % 100 / 10)
        };
        payment
            .text
            .push(format!("{text} LESS {percent} PCT DISCOUNT"));
        payment
            .expect
            .push(Expect::applied("applied", id, pay, discount, "discount"));
        self.world.apply_later(index, pay + discount);
        self.world.invoices[index as usize].reserved = true;
        Some(vec![payment])
    }

    fn parent_pays(&mut self, channel: Channel, day: u32) -> Option<Vec<Payment>> {
        let subsidiary = self.pick_customer(channel.currency(), true)?;
        let parent = self.world.customers[subsidiary as usize].parent?;
        let invoice = self.pick_free(subsidiary, day, |_| true)?;
        let open = self.world.invoices[invoice as usize].open;
        let id = self.world.invoice_id(invoice);
        let mut payment = self.payment(Case::ParentPaysSubsidiary, channel, parent, true, open);
        let sub_name = ascii_upper(&self.world.customers[subsidiary as usize].company.stem);
        let text = self.plain_text(&id);
        payment.text.push(format!("{text} FOR {sub_name}"));
        payment
            .expect
            .push(Expect::applied("applied", id, open, 0, ""));
        self.world.apply_later(invoice, open);
        self.world.invoices[invoice as usize].reserved = true;
        Some(vec![payment])
    }

    fn payment_before_invoice(
        &mut self,
        channel: Channel,
        day: u32,
        date: NaiveDate,
    ) -> Option<Vec<Payment>> {
        let days = self.dates.len() as u32;
        if day >= days {
            return None;
        }
        let customer = self.pick_customer(channel.currency(), false)?;
        let amount = invoice_amount(&mut self.rng);
        if self.world.subsets_summing_to(customer, day, amount, 1) != 0 {
            return None;
        }
        let load_day = day + 1 + self.rng.below((days - day).min(3) as usize) as u32;
        let issue = date - Duration::days(self.rng.range(0, 4));
        let index = self
            .world
            .issue(&mut self.rng, customer, amount, issue, load_day, false);
        self.loads[load_day as usize - 1].push(index);
        self.world.invoices[index as usize].reserved = true;
        let id = self.world.invoice_id(index);
        let mut payment = self.payment(Case::PaymentBeforeInvoice, channel, customer, true, amount);
        let text = self.plain_text(&id);
        payment.text.push(text);
        payment
            .expect
            .push(Expect::applied("applied", id, amount, 0, ""));
        self.world.apply_later(index, amount);
        Some(vec![payment])
    }

    fn ambiguous(&mut self, channel: Channel, day: u32) -> Option<Vec<Payment>> {
        let customer = self.pick_customer(channel.currency(), false)?;
        let free = self.world.free_on(customer, day);
        let mut by_amount: Vec<(Cents, u32)> = free
            .iter()
            .map(|&i| (self.world.invoices[i as usize].open, i))
            .collect();
        by_amount.sort_unstable();
        let group: Vec<u32> = by_amount
            .windows(2)
            .find(|pair| pair[0].0 == pair[1].0)
            .map(|pair| {
                by_amount
                    .iter()
                    .filter(|(a, _)| *a == pair[0].0)
                    .map(|(_, i)| *i)
                    .collect()
            })?;
        let amount = self.world.invoices[group[0] as usize].open;
        let mut payment = self.payment(Case::AmbiguousAmount, channel, customer, true, amount);
        if channel == Channel::Nacha && !self.name_is_unique(customer, channel, &mut payment) {
            return None;
        }
        let text = *self
            .rng
            .pick(&["", "MONTHLY FEE", "SUBSCRIPTION", "PAYMENT", "SERVICE FEE"]);
        if !text.is_empty() {
            payment.text.push(text.to_owned());
        }
        // The clerk's pick is the oldest invoice of that amount open as the day
        // starts, whether or not a later payment of the scenario will pay it: no one
        // knows that yet.
        let oldest = self
            .world
            .open_on(customer, day)
            .into_iter()
            .filter(|&i| self.world.invoices[i as usize].open == amount)
            .chain(group.iter().copied())
            .min_by_key(|&i| (self.world.invoices[i as usize].issue, i))?;
        for &index in &group {
            self.world.invoices[index as usize].reserved = true;
        }
        payment.expect.push(Expect::not_applied(
            "exception",
            self.world.invoice_id(oldest),
        ));
        Some(vec![payment])
    }

    fn unknown_payer(&mut self, channel: Channel, day: u32) -> Payment {
        let mut name = names::stranger_name(&mut self.rng);
        while self.namer.is_taken(&name) {
            name.push('X');
        }
        let amount = if self.rng.chance(500) {
            let currency = channel.currency();
            let customer = self.pick_customer(currency, false);
            customer
                .and_then(|c| {
                    self.world
                        .open_on(c, day)
                        .first()
                        .map(|&i| self.world.invoices[i as usize].open)
                })
                .unwrap_or_else(|| invoice_amount(&mut self.rng))
        } else {
            invoice_amount(&mut self.rng)
        };
        let max_len = if channel == Channel::Nacha { 16 } else { 35 };
        let account = match channel {
            Channel::Camt => Some(refs::random_iban(&mut self.rng)),
            Channel::Csv => Some(refs::us_account(&mut self.rng)),
            _ => None,
        };
        let ach = (channel == Channel::Nacha).then(|| {
            let odfi = refs::routing_number(&mut self.rng)[..8].to_owned();
            let trace = self.next_trace(&odfi);
            Ach {
                company_id: format!("1{}", self.rng.digits(9)),
                odfi,
                trace,
                returns: None,
            }
        });
        let text = match self.rng.below(3) {
            0 => Vec::new(),
            1 => vec![format!("PAYMENT REF {}", self.rng.digits(7))],
            _ => vec![format!("ORDER {}", self.rng.digits(5))],
        };
        let kind = if channel == Channel::Bai2 {
            Kind::Wire
        } else {
            Kind::Transfer
        };
        Payment {
            case: Case::UnknownPayer,
            channel,
            kind,
            credit: true,
            amount,
            currency: channel.currency(),
            payer_name: names::truncate(&name, max_len),
            payer_account: account,
            text,
            items: Vec::new(),
            creditor_ref: None,
            ach,
            expect: vec![Expect::not_applied("exception", String::new())],
        }
    }

    fn other_customer(&mut self, channel: Channel, day: u32) -> Option<Vec<Payment>> {
        let currency = channel.currency();
        let payer = self.pick_customer(currency, false)?;
        let owner = self.pick_customer(currency, false)?;
        let (a, b) = (
            &self.world.customers[payer as usize],
            &self.world.customers[owner as usize],
        );
        if payer == owner
            || a.parent == Some(owner)
            || b.parent == Some(payer)
            || (a.parent.is_some() && a.parent == b.parent)
        {
            return None;
        }
        let invoice = self.pick_free(owner, day, |inv| inv.amount >= 10_000)?;
        let open = self.world.invoices[invoice as usize].open;
        let amount = open * self.rng.range(40, 90) / 100;
        if self.world.subsets_summing_to(payer, day, amount, 1) != 0 {
            return None;
        }
        let id = self.world.invoice_id(invoice);
        let mut payment = self.payment(Case::OtherCustomerInvoice, channel, payer, true, amount);
        let text = self.plain_text(&id);
        payment.text.push(text);
        payment
            .expect
            .push(Expect::not_applied("exception", String::new()));
        self.world.invoices[invoice as usize].reserved = true;
        Some(vec![payment])
    }

    fn already_paid(&mut self, channel: Channel, day: u32) -> Option<Vec<Payment>> {
        let currency = channel.currency();
        if self.rng.chance(500) {
            // Paid before the scenario: the ERP lists it with open amount zero.
            let position = self.paid_before.iter().position(|&i| {
                self.world.customers[self.world.invoices[i as usize].customer as usize].currency
                    == currency
            })?;
            let invoice = self.paid_before.swap_remove(position);
            let (customer, amount) = {
                let inv = &self.world.invoices[invoice as usize];
                (inv.customer, inv.amount)
            };
            let id = self.world.invoice_id(invoice);
            let mut payment = self.payment(Case::AlreadyPaid, channel, customer, true, amount);
            let text = self.plain_text(&id);
            payment.text.push(text);
            payment.expect.push(Expect::not_applied("unapplied", id));
            return Some(vec![payment]);
        }
        // Paid during the scenario, then paid again on a later day.
        let later = self.later_day(day)?;
        let customer = self.pick_customer(currency, false)?;
        let invoice = self.pick_free(customer, day, |inv| inv.amount >= 2_000)?;
        let original_case = if self.rng.chance(500) {
            Case::ReferenceInText
        } else {
            Case::ExactReference
        };
        let mut original = self.single(original_case, channel, customer, invoice, day)?;
        let amount = self.world.invoices[invoice as usize].amount;
        let id = self.world.invoice_id(invoice);
        let mut duplicate = self.payment(Case::AlreadyPaid, channel, customer, true, amount);
        let text = self.plain_text(&id);
        duplicate.text.push(text);
        duplicate.expect.push(Expect::not_applied("unapplied", id));
        self.scheduled[later as usize - 1].push(duplicate);
        Some(std::mem::take(&mut original))
    }

    fn ach_return(&mut self, day: u32) -> Option<Vec<Payment>> {
        let later = self.later_day(day)?;
        let customer = self.pick_customer(Currency::Usd, false)?;
        let invoice = self.pick_free(customer, day, |inv| inv.amount >= 2_000)?;
        let amount = self.world.invoices[invoice as usize].open;
        let id = self.world.invoice_id(invoice);
        let mut credit = self.payment(Case::AchReturn, Channel::Nacha, customer, true, amount);
        let text = self.plain_text(&id);
        credit.text.push(text);
        credit
            .expect
            .push(Expect::not_applied("non_ar", String::new()));
        self.world.invoices[invoice as usize].reserved = true;
        let original = credit.ach.clone()?;
        let mut debit = credit.clone();
        debit.kind = Kind::AchReturn;
        debit.credit = false;
        debit.text.clear();
        let trace = self.next_trace(&original.odfi);
        debit.ach = Some(Ach {
            trace,
            returns: Some((original.trace.clone(), "R01")),
            ..original
        });
        self.scheduled[later as usize - 1].push(debit);
        Some(vec![credit])
    }

    fn non_ar(&mut self, channel: Channel, date: NaiveDate) -> Vec<Payment> {
        let kinds: &[Kind] = match channel {
            Channel::Nacha => &[Kind::CardSettlement],
            _ => &[
                Kind::Interest,
                Kind::BankFee,
                Kind::BankFee,
                Kind::OwnTransferIn,
                Kind::OwnTransferOut,
                Kind::CardSettlement,
                Kind::Payroll,
                Kind::VendorPayment,
                Kind::VendorPayment,
            ],
        };
        let kind = *self.rng.pick(kinds);
        let (credit, low, high, name, text): (bool, Cents, Cents, &str, String) = match kind {
            Kind::Interest => (
                true,
                50,
                50_000,
                "",
                format!("INTEREST {}", date.format("%b %Y")).to_uppercase(),
            ),
            Kind::BankFee => (
                false,
                500,
                20_000,
                "",
                (*self.rng.pick(&[
                    "ACCOUNT MAINTENANCE FEE",
                    "WIRE FEE",
                    "ACH SERVICE CHARGE",
                    "ANALYSIS FEE",
                ]))
                .to_owned(),
            ),
            Kind::OwnTransferIn => (
                true,
                1_000_000,
                50_000_000,
                "OUR COMPANY",
                "TRANSFER FROM SAVINGS".to_owned(),
            ),
            Kind::OwnTransferOut => (
                false,
                1_000_000,
                50_000_000,
                "OUR COMPANY",
                "TRANSFER TO TAX ACCOUNT".to_owned(),
            ),
            Kind::CardSettlement => {
                let processor = *self.rng.pick(&[
                    "STRIPE TRANSFER",
                    "SQUARE INC",
                    "VISA NET SETTLE",
                    "ADYEN NV",
                ]);
                (
                    true,
                    10_000,
                    2_000_000,
                    processor,
                    format!("CARD SETTLEMENT MID {}", self.rng.digits(8)),
                )
            }
            Kind::Payroll => (
                false,
                2_000_000,
                20_000_000,
                "ADP PAYROLL",
                "PAYROLL RUN".to_owned(),
            ),
            _ => (
                false,
                10_000,
                5_000_000,
                "",
                format!("VENDOR PAYMENT {}", self.rng.digits(6)),
            ),
        };
        let amount = self.rng.range(low, high);
        let ach = (channel == Channel::Nacha).then(|| {
            let odfi = refs::routing_number(&mut self.rng)[..8].to_owned();
            let trace = self.next_trace(&odfi);
            Ach {
                company_id: format!("1{}", self.rng.digits(9)),
                odfi,
                trace,
                returns: None,
            }
        });
        vec![Payment {
            case: Case::NonAr,
            channel,
            kind,
            credit,
            amount,
            currency: channel.currency(),
            payer_name: name.to_owned(),
            payer_account: None,
            text: vec![text],
            items: Vec::new(),
            creditor_ref: None,
            ach,
            expect: vec![Expect::not_applied("non_ar", String::new())],
        }]
    }

    /// Customers.csv rows: id, name, aliases, accounts.
    pub fn customers(&self) -> &[Customer] {
        &self.world.customers
    }
}
