//! What the rules look things up in: the [`Catalog`] of invoices and customers
//! (sorted by id, normalised once) and the [`Lookup`] questions the rules ask of it,
//! answered by hash indexes by invoice number, PO number, amount, customer, payer
//! account and name word — never by a scan of all invoices.
//!
//! The test oracle answers the same questions by scanning; the two must agree.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use parsers::money::Currency;
use rayon::prelude::*;

use crate::input::{Customer, Invoice};
use crate::normalize::{self, KeyNormalizer};
use crate::ruleset::RuleSet;
use crate::similarity::{self, NameNormalizer};

/// Position of an invoice in [`Catalog::invoices`] (sorted by id).
pub(crate) type InvoicePos = u32;
/// Position of a customer in [`Catalog::customers`] (sorted by id).
pub(crate) type CustomerPos = u32;

/// FxHash: a fast, deterministic hasher for keys we build ourselves (not an
/// attacker's choice of collisions: invoices come from the ERP).
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }
    fn write_u8(&mut self, value: u8) {
        self.add(u64::from(value));
    }
    fn write_u32(&mut self, value: u32) {
        self.add(u64::from(value));
    }
    fn write_u64(&mut self, value: u64) {
        self.add(value);
    }
    fn write_i64(&mut self, value: i64) {
        self.add(value as u64);
    }
    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }
    fn finish(&self) -> u64 {
        // The multiply only carries low bits upwards: keys that differ in their
        // last bytes (`C000123`, `C000124`) would share the low bits hashbrown
        // indexes by. A murmur3 finaliser spreads every bit over the whole word.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// One invoice, normalised once for every lookup.
#[derive(Debug, Clone)]
pub(crate) struct InvoiceInfo {
    pub(crate) key: String,
    pub(crate) po_key: Option<String>,
    /// Open amount in minor units; `None` when it has more decimals than the currency.
    pub(crate) open_minor: Option<i64>,
    pub(crate) amount_minor: Option<i64>,
    pub(crate) currency: Currency,
    pub(crate) customer: Option<CustomerPos>,
}

impl InvoiceInfo {
    /// Open and applicable: a positive open amount in whole minor units.
    pub(crate) fn open(&self) -> Option<i64> {
        self.open_minor.filter(|open| *open > 0)
    }
}

/// Invoices and customers sorted by id, with their normalised forms.
pub(crate) struct Catalog<'a> {
    pub(crate) invoices: Vec<&'a Invoice>,
    pub(crate) info: Vec<InvoiceInfo>,
    pub(crate) customers: Vec<&'a Customer>,
    /// Normalised name and aliases of each customer.
    pub(crate) customer_names: Vec<Vec<String>>,
    pub(crate) keys: KeyNormalizer,
    pub(crate) names: NameNormalizer,
}

impl<'a> Catalog<'a> {
    pub(crate) fn new(
        invoices: &'a [Invoice],
        customers: &'a [Customer],
        rules: &RuleSet,
    ) -> Catalog<'a> {
        let keys = KeyNormalizer::new(&rules.references.prefixes);
        let names = NameNormalizer::new(&rules.payer);
        let mut customers: Vec<&Customer> = customers.iter().collect();
        customers.par_sort_by(|a, b| a.id.cmp(&b.id));
        let customer_pos: FxMap<&str, CustomerPos> = customers
            .iter()
            .enumerate()
            .map(|(pos, customer)| (customer.id.as_str(), pos as CustomerPos))
            .collect();
        let customer_names = customers
            .par_iter()
            .map(|customer| {
                std::iter::once(&customer.name)
                    .chain(&customer.aliases)
                    .map(|name| names.normalize(name))
                    .filter(|name| !name.is_empty())
                    .collect()
            })
            .collect();
        let mut invoices: Vec<&Invoice> = invoices.iter().collect();
        // The store usually hands invoices over in id order already.
        if !invoices.windows(2).all(|pair| pair[0].id <= pair[1].id) {
            invoices.par_sort_by(|a, b| a.id.cmp(&b.id));
        }
        let info = invoices
            .par_iter()
            .map(|invoice| InvoiceInfo {
                key: keys.key(&invoice.id),
                po_key: invoice
                    .po_number
                    .as_deref()
                    .map(|po| keys.key(po))
                    .filter(|po| !po.is_empty()),
                open_minor: invoice.open_amount.to_minor().ok(),
                amount_minor: invoice.amount.to_minor().ok(),
                currency: invoice.open_amount.currency,
                customer: customer_pos.get(invoice.customer_id.as_str()).copied(),
            })
            .collect();
        Catalog {
            invoices,
            info,
            customers,
            customer_names,
            keys,
            names,
        }
    }
}

/// The questions the rules ask. Every answer is sorted by position (so by id) and
/// free of duplicates.
pub(crate) trait Lookup: Sync {
    /// Invoices (open or not) whose number normalises to `key`.
    fn invoices_by_key(&self, key: &str) -> Cow<'_, [InvoicePos]>;
    /// Invoices (open or not) whose PO number normalises to `key`.
    fn invoices_by_po(&self, key: &str) -> Cow<'_, [InvoicePos]>;
    /// Open invoices with exactly this open amount.
    fn open_invoices_by_amount(&self, currency: Currency, minor: i64) -> Cow<'_, [InvoicePos]>;
    /// Open invoices of a customer.
    fn open_invoices_of(&self, customer: CustomerPos) -> Cow<'_, [InvoicePos]>;
    /// Customers known to pay from this (normalised) account.
    fn customers_by_account(&self, account: &str) -> Cow<'_, [CustomerPos]>;
    /// Customers whose normalised names (name and aliases) share the most distinct
    /// words with `words`, ignoring words that more than `name_word_customers_max`
    /// customers share; ascending.
    fn customers_by_words(&self, words: &[&str]) -> Vec<CustomerPos>;
}

/// The invoices or customers under one index key: most keys have exactly one, which
/// is then stored without a heap allocation.
#[derive(Debug, Clone)]
enum Posting {
    One(u32),
    Many(Vec<u32>),
}

impl Posting {
    fn as_slice(&self) -> &[u32] {
        match self {
            Posting::One(value) => std::slice::from_ref(value),
            Posting::Many(values) => values,
        }
    }

    /// Adds `value`; values arrive in ascending order, so a duplicate can only be
    /// the last one.
    fn push(&mut self, value: u32) {
        match self {
            Posting::One(first) if *first == value => {}
            Posting::One(first) => *self = Posting::Many(vec![*first, value]),
            Posting::Many(values) => {
                if values.last() != Some(&value) {
                    values.push(value);
                }
            }
        }
    }
}

fn post<K: std::hash::Hash + Eq>(map: &mut FxMap<K, Posting>, key: K, value: u32) {
    map.entry(key)
        .and_modify(|posting| posting.push(value))
        .or_insert(Posting::One(value));
}

/// The hash indexes behind [`Lookup`] for the real engine. Keys borrow the
/// catalog's normalised strings.
pub(crate) struct Index<'c> {
    by_key: FxMap<&'c str, Posting>,
    by_po: FxMap<&'c str, Posting>,
    by_amount: FxMap<(Currency, i64), Posting>,
    open_by_customer: Vec<Vec<InvoicePos>>,
    by_account: FxMap<String, Posting>,
    by_word: FxMap<&'c str, Posting>,
    word_customers_max: usize,
}

impl<'c> Index<'c> {
    pub(crate) fn new(catalog: &'c Catalog<'_>, rules: &RuleSet) -> Index<'c> {
        // Two independent halves, built on two threads.
        let ((by_key, by_po), (by_amount, open_by_customer)) = rayon::join(
            || Index::by_number(catalog),
            || Index::by_amount_and_customer(catalog),
        );
        let mut by_account: FxMap<String, Posting> = FxMap::default();
        let mut by_word: FxMap<&str, Posting> = FxMap::default();
        for (pos, customer) in catalog.customers.iter().enumerate() {
            let pos = pos as CustomerPos;
            for account in &customer.bank_accounts {
                let account = normalize::account(account);
                if !account.is_empty() {
                    post(&mut by_account, account, pos);
                }
            }
            for name in &catalog.customer_names[pos as usize] {
                for word in similarity::name_words(name) {
                    post(&mut by_word, word, pos);
                }
            }
        }
        Index {
            by_key,
            by_po,
            by_amount,
            open_by_customer,
            by_account,
            by_word,
            word_customers_max: rules.payer.name_word_customers_max,
        }
    }

    #[allow(clippy::type_complexity)]
    fn by_number(catalog: &'c Catalog<'_>) -> (FxMap<&'c str, Posting>, FxMap<&'c str, Posting>) {
        let mut by_key: FxMap<&str, Posting> = FxMap::default();
        by_key.reserve(catalog.info.len());
        let mut by_po: FxMap<&str, Posting> = FxMap::default();
        for (pos, info) in catalog.info.iter().enumerate() {
            let pos = pos as InvoicePos;
            post(&mut by_key, info.key.as_str(), pos);
            if let Some(po) = &info.po_key {
                post(&mut by_po, po.as_str(), pos);
            }
        }
        (by_key, by_po)
    }

    #[allow(clippy::type_complexity)]
    fn by_amount_and_customer(
        catalog: &Catalog<'_>,
    ) -> (FxMap<(Currency, i64), Posting>, Vec<Vec<InvoicePos>>) {
        let mut by_amount: FxMap<(Currency, i64), Posting> = FxMap::default();
        by_amount.reserve(catalog.info.len());
        let mut open_by_customer = vec![Vec::new(); catalog.customers.len()];
        for (pos, info) in catalog.info.iter().enumerate() {
            let pos = pos as InvoicePos;
            if let Some(open) = info.open() {
                post(&mut by_amount, (info.currency, open), pos);
                if let Some(customer) = info.customer {
                    open_by_customer[customer as usize].push(pos);
                }
            }
        }
        (by_amount, open_by_customer)
    }
}

fn slice<'a, K, Q>(map: &'a FxMap<K, Posting>, key: &Q) -> Cow<'a, [u32]>
where
    K: std::borrow::Borrow<Q> + std::hash::Hash + Eq,
    Q: std::hash::Hash + Eq + ?Sized,
{
    Cow::Borrowed(map.get(key).map_or(&[][..], Posting::as_slice))
}

impl Lookup for Index<'_> {
    fn invoices_by_key(&self, key: &str) -> Cow<'_, [InvoicePos]> {
        slice(&self.by_key, key)
    }

    fn invoices_by_po(&self, key: &str) -> Cow<'_, [InvoicePos]> {
        slice(&self.by_po, key)
    }

    fn open_invoices_by_amount(&self, currency: Currency, minor: i64) -> Cow<'_, [InvoicePos]> {
        slice(&self.by_amount, &(currency, minor))
    }

    fn open_invoices_of(&self, customer: CustomerPos) -> Cow<'_, [InvoicePos]> {
        Cow::Borrowed(
            self.open_by_customer
                .get(customer as usize)
                .map_or(&[][..], Vec::as_slice),
        )
    }

    fn customers_by_account(&self, account: &str) -> Cow<'_, [CustomerPos]> {
        slice(&self.by_account, account)
    }

    fn customers_by_words(&self, words: &[&str]) -> Vec<CustomerPos> {
        let mut words: Vec<&str> = words.to_vec();
        words.sort_unstable();
        words.dedup();
        let mut found: Vec<CustomerPos> = Vec::new();
        for word in words {
            if let Some(customers) = self.by_word.get(word) {
                let customers = customers.as_slice();
                if customers.len() <= self.word_customers_max {
                    found.extend_from_slice(customers);
                }
            }
        }
        most_shared(found)
    }
}

/// From a list with one entry per (customer, shared word), the customers that share
/// the most words, ascending.
pub(crate) fn most_shared(mut found: Vec<CustomerPos>) -> Vec<CustomerPos> {
    found.sort_unstable();
    let mut counted: Vec<(CustomerPos, usize)> = Vec::new();
    for customer in found {
        match counted.last_mut() {
            Some((last, count)) if *last == customer => *count += 1,
            _ => counted.push((customer, 1)),
        }
    }
    let best = counted.iter().map(|(_, count)| *count).max().unwrap_or(0);
    counted
        .into_iter()
        .filter(|(_, count)| *count == best)
        .map(|(customer, _)| customer)
        .collect()
}
