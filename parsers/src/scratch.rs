//! Reusing one [`Transaction`] per file, for the readers whose texts cannot borrow
//! the input (CAMT unescapes XML text, X12 assembles segments): they fill the same
//! record for every transaction and lend it to the sink, so that the strings of a
//! transaction are written into storage kept from the previous one instead of being
//! allocated anew. The line formats (BAI2, NACHA, CSV) lend texts borrowed from the
//! record they read instead, and only recycle the storage of the lines' `Vec`
//! ([`recycle`]).
//!
//! An optional text that a transaction leaves out (`None`) would drop its storage;
//! [`Spare`] keeps it instead, so that the next transaction that has the field takes
//! it back. Memory stays bounded: at most [`SPARE_MAX`] strings of at most
//! [`SPARE_CAPACITY_MAX`] bytes are kept, whatever the file holds.

use std::borrow::Cow;

use crate::model::{Direction, EntryStatus, Remittance, RemittanceItem, Transaction};
use crate::money::{Currency, Money};
use crate::position::Position;

/// Most spare strings kept; a transaction with more lines than this allocates the rest.
pub const SPARE_MAX: usize = 256;
/// Strings that grew beyond this (a long CTX remittance) are freed rather than kept.
pub const SPARE_CAPACITY_MAX: usize = 4 * 1024;

/// A reused text slot of a record that borrows nothing.
pub type Slot = Option<Cow<'static, str>>;

/// A transaction with every optional field empty, to be filled by a reader.
pub fn blank<'a>() -> Transaction<'a> {
    Transaction {
        direction: Direction::Credit,
        amount: Money::zero(Currency::USD),
        status: EntryStatus::Booked,
        reversal: false,
        booking_date: None,
        value_date: None,
        bank_ref: Cow::Borrowed(""),
        end_to_end_id: None,
        customer_ref: None,
        trace_number: None,
        payer_name: None,
        payer_account: None,
        bank_tx_code: None,
        remittance: Remittance::default(),
        return_info: None,
        position: Position::default(),
    }
}

/// An empty `Vec` that keeps the storage of `vec` (emptied), whatever its elements
/// borrowed: a reader lending records with borrowed lines hands each record's line
/// storage on to the next record, whose borrows have another lifetime. In-place
/// collection from a `Vec` of elements of the same size reuses its allocation.
// `filter_map` rather than `filter`: the element type changes (its lifetime).
#[allow(clippy::unnecessary_filter_map)]
#[inline]
pub fn recycle<'b>(mut vec: Vec<Cow<'_, str>>) -> Vec<Cow<'b, str>> {
    vec.clear();
    vec.into_iter().filter_map(|_| None).collect()
}

/// Like [`recycle`], for remittance items.
#[allow(clippy::unnecessary_filter_map)]
#[inline]
pub fn recycle_items<'b>(mut vec: Vec<RemittanceItem<'_>>) -> Vec<RemittanceItem<'b>> {
    vec.clear();
    vec.into_iter().filter_map(|_| None).collect()
}

/// The `String` a slot holds, made owned (and empty when `clear`).
fn owned_mut<'a>(text: &'a mut Cow<'static, str>) -> &'a mut String {
    text.to_mut()
}

/// Strings whose storage is kept for the next transaction.
#[derive(Debug, Default)]
pub struct Spare {
    strings: Vec<String>,
}

impl Spare {
    /// An empty string, with storage kept from an earlier transaction when there is some.
    pub fn string(&mut self) -> String {
        self.strings.pop().unwrap_or_default()
    }

    /// Keeps the storage of `text` for later.
    pub fn keep(&mut self, mut text: String) {
        if self.strings.len() < SPARE_MAX && text.capacity() <= SPARE_CAPACITY_MAX {
            text.clear();
            self.strings.push(text);
        }
    }

    /// Keeps the storage of `text` for later when it owns some.
    pub fn keep_cow(&mut self, text: Cow<'static, str>) {
        if let Cow::Owned(text) = text {
            self.keep(text);
        }
    }

    /// Sets `slot` to `text`, or to `None` when `text` is empty.
    pub fn set(&mut self, slot: &mut Slot, text: &str) {
        if text.is_empty() {
            self.clear(slot);
        } else {
            self.set_some(slot, text);
        }
    }

    /// Sets `slot` to `text`, even an empty one.
    pub fn set_some(&mut self, slot: &mut Slot, text: &str) {
        self.fill(slot).push_str(text);
    }

    /// Makes `slot` an empty `Some` string and returns it, for a value written piece by
    /// piece.
    pub fn fill<'a>(&mut self, slot: &'a mut Slot) -> &'a mut String {
        match slot {
            Some(Cow::Owned(text)) => text.clear(),
            _ => *slot = Some(Cow::Owned(self.string())),
        }
        owned_mut(slot.get_or_insert(Cow::Borrowed("")))
    }

    /// Makes `text` an empty owned string, keeping its storage, and returns it.
    pub fn fill_text<'a>(&mut self, text: &'a mut Cow<'static, str>) -> &'a mut String {
        match text {
            Cow::Owned(owned) => owned.clear(),
            Cow::Borrowed(_) => *text = Cow::Owned(self.string()),
        }
        owned_mut(text)
    }

    /// Sets `slot` to `None`, keeping its storage.
    pub fn clear(&mut self, slot: &mut Slot) {
        if let Some(text) = slot.take() {
            self.keep_cow(text);
        }
    }

    /// Appends an empty line to `lines` and returns it.
    pub fn push<'a>(&mut self, lines: &'a mut Vec<Cow<'static, str>>) -> &'a mut String {
        let line = self.string();
        lines.push(Cow::Owned(line));
        let last = lines.len() - 1;
        owned_mut(&mut lines[last])
    }

    /// Appends `text` as a line.
    pub fn push_str(&mut self, lines: &mut Vec<Cow<'static, str>>, text: &str) {
        self.push(lines).push_str(text);
    }

    /// Removes the last line if it is empty, keeping its storage.
    pub fn pop_empty(&mut self, lines: &mut Vec<Cow<'static, str>>) {
        if lines.last().is_some_and(|line| line.is_empty()) {
            if let Some(line) = lines.pop() {
                self.keep_cow(line);
            }
        }
    }

    /// Empties a remittance, keeping the storage of its lines and references.
    pub fn clear_remittance(&mut self, remittance: &mut Remittance<'static>) {
        for line in remittance.lines.drain(..) {
            self.keep_cow(line);
        }
        for item in remittance.items.drain(..) {
            self.keep_cow(item.reference);
        }
    }

    /// Empties every text of `tx` and resets its other fields as [`blank`] has them,
    /// keeping the storage for the next transaction.
    pub fn reset(&mut self, tx: &mut Transaction<'static>) {
        tx.direction = Direction::Credit;
        tx.amount = Money::zero(Currency::USD);
        tx.status = EntryStatus::Booked;
        tx.reversal = false;
        tx.booking_date = None;
        tx.value_date = None;
        self.fill_text(&mut tx.bank_ref);
        for slot in [
            &mut tx.end_to_end_id,
            &mut tx.customer_ref,
            &mut tx.trace_number,
            &mut tx.payer_name,
            &mut tx.payer_account,
            &mut tx.bank_tx_code,
        ] {
            if let Some(text) = slot.take() {
                self.keep_cow(text);
            }
        }
        self.clear_remittance(&mut tx.remittance);
        if let Some(returned) = tx.return_info.take() {
            self.keep_cow(returned.original_trace);
            self.keep_cow(returned.reason_code);
        }
        tx.position = Position::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleared_fields_give_their_storage_to_the_next_ones() {
        let mut spare = Spare::default();
        let mut tx = blank();
        spare.set(&mut tx.payer_name, "ACME CORPORATION");
        let storage = tx.payer_name.as_ref().map(|name| name.as_ptr());
        spare.set(&mut tx.payer_name, "");
        assert_eq!(tx.payer_name, None);
        spare.set(&mut tx.customer_ref, "INV-1");
        assert_eq!(tx.customer_ref.as_deref(), Some("INV-1"));
        assert_eq!(tx.customer_ref.as_ref().map(|text| text.as_ptr()), storage);
    }

    #[test]
    fn reset_empties_everything_and_keeps_lines_storage() {
        let mut spare = Spare::default();
        let mut tx = blank();
        spare.fill_text(&mut tx.bank_ref).push_str("REF");
        spare.set_some(&mut tx.trace_number, "");
        spare.push_str(&mut tx.remittance.lines, "first");
        spare.push(&mut tx.remittance.lines);
        spare.pop_empty(&mut tx.remittance.lines);
        assert_eq!(tx.remittance.lines, ["first"]);
        let capacity = tx.remittance.lines.capacity();
        let lines = recycle(std::mem::take(&mut tx.remittance.lines));
        assert_eq!((lines.len(), lines.capacity()), (0, capacity));
        tx.reversal = true;
        spare.reset(&mut tx);
        assert!(tx.bank_ref.is_empty() && tx.trace_number.is_none() && !tx.reversal);
        assert!(tx.remittance.is_empty());
        assert_eq!(spare.strings.len(), 2);
    }

    #[test]
    fn spare_strings_are_bounded() {
        let mut spare = Spare::default();
        for _ in 0..SPARE_MAX + 10 {
            spare.keep(String::with_capacity(8));
        }
        spare.keep(String::with_capacity(SPARE_CAPACITY_MAX + 1));
        assert_eq!(spare.strings.len(), SPARE_MAX);
    }
}
