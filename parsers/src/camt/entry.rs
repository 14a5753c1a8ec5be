//! Entries (`Ntry`) and their transaction details (`TxDtls`), and how they become
//! [`Transaction`]s.
//!
//! An entry is what the bank booked. Its details say who paid and why. An entry with
//! no details or one detail is one transaction with the entry's amount; an entry
//! that batches several details is one transaction per detail, each with its own
//! amount, and the details must add up to the entry.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::fields::{CodePart, Party, Side};
use crate::model::{Direction, EntryStatus, Remittance, Transaction};
use crate::money::{Currency, Money};
use crate::position::Position;
use crate::scratch::{Slot, Spare};

/// A bank transaction code as the file gives it.
#[derive(Debug, Default, Clone)]
pub(super) struct BankCode {
    domain: Slot,
    family: Slot,
    sub_family: Slot,
    proprietary: Slot,
}

impl BankCode {
    pub fn set(&mut self, part: CodePart, value: &str, spare: &mut Spare) {
        let slot = match part {
            CodePart::Domain => &mut self.domain,
            CodePart::Family => &mut self.family,
            CodePart::SubFamily => &mut self.sub_family,
            CodePart::Proprietary => &mut self.proprietary,
        };
        spare.set_some(slot, value);
    }

    fn is_empty(&self) -> bool {
        self.domain.is_none() && self.proprietary.is_none()
    }

    /// `Domn/Fmly/SubFmlyCd` (`PMNT/RCDT/ESCT`) when the ISO code is there, else the
    /// proprietary code.
    #[cfg(test)]
    pub fn render(&self) -> Option<String> {
        let mut code = None;
        self.render_into(&mut code, &mut Spare::default());
        code.map(|code| code.into_owned())
    }

    /// Writes what `render` gives into `slot`, which is left alone when there is no
    /// code.
    pub fn render_into(&self, slot: &mut Slot, spare: &mut Spare) {
        if let Some(domain) = &self.domain {
            let code = spare.fill(slot);
            code.push_str(domain);
            for part in [&self.family, &self.sub_family].into_iter().flatten() {
                code.push('/');
                code.push_str(part);
            }
        } else if let Some(proprietary) = &self.proprietary {
            spare.set_some(slot, proprietary);
        }
    }

    /// Empties the code, keeping its storage.
    pub fn recycle(&mut self, spare: &mut Spare) {
        for slot in [
            &mut self.domain,
            &mut self.family,
            &mut self.sub_family,
            &mut self.proprietary,
        ] {
            spare.clear(slot);
        }
    }
}

/// An entry being read. Its header elements come before its details in every
/// version, so details can be turned into transactions as soon as they end.
#[derive(Debug, Default)]
pub(super) struct EntryState {
    pub depth: usize,
    pub position: Position,
    pub amount: Option<Money>,
    pub direction: Option<Direction>,
    pub reversal: bool,
    pub status: Option<EntryStatus>,
    /// Whether `Amt`, `CdtDbtInd` and `Sts` were present, valid or not, so that a
    /// missing one is reported once and an invalid one is not also called missing.
    pub seen: [bool; 3],
    pub booking_date: Option<NaiveDate>,
    pub value_date: Option<NaiveDate>,
    pub bank_ref: Slot,
    pub code: BankCode,
    pub info: Slot,
    /// `TxDtls` seen so far.
    pub details: u32,
    /// The first detail, held back until we know whether the entry batches several.
    pub held: Option<Box<TxState>>,
    /// Details merged into one transaction of the entry amount, when the entry
    /// batches several details but the first has no amount of its own.
    pub merged: Option<Box<TxState>>,
    /// Signed sum of batched detail amounts in the entry currency.
    pub batch_sum: Decimal,
    /// A batched detail had no usable amount or one in another currency.
    pub batch_foreign: bool,
}

impl EntryState {
    pub fn new(depth: usize, position: Position) -> Self {
        EntryState {
            depth,
            position,
            ..EntryState::default()
        }
    }

    pub fn currency(&self) -> Option<Currency> {
        self.amount.map(|money| money.currency)
    }

    /// Gives the storage of the entry's texts back to `spare`, details included.
    pub fn recycle(&mut self, spare: &mut Spare, free: &mut FreeDetails) {
        spare.clear(&mut self.bank_ref);
        spare.clear(&mut self.info);
        self.code.recycle(spare);
        for detail in [self.held.take(), self.merged.take()].into_iter().flatten() {
            TxState::free(detail, spare, free);
        }
    }
}

/// One `TxDtls` being read.
#[derive(Debug, Default)]
pub(super) struct TxState {
    pub depth: usize,
    pub position: Position,
    pub amount: Option<Money>,
    pub detail_amount: Option<Money>,
    pub direction: Option<Direction>,
    pub bank_ref: Slot,
    pub end_to_end_id: Slot,
    pub instruction_id: Slot,
    pub transaction_id: Slot,
    pub uetr: Slot,
    pub code: BankCode,
    pub names: [Slot; 4],
    pub accounts: [Slot; 2],
    pub remittance: Remittance<'static>,
    pub info: Slot,
}

/// Details kept for reuse, with their storage: one being read, one held and one merged
/// are the most an entry has at once.
const FREE_DETAILS_MAX: usize = 4;

/// Freed details, boxed as an entry holds them, so that taking one for the next
/// detail and holding it back costs no allocation.
#[derive(Default)]
#[allow(clippy::vec_box)]
pub(super) struct FreeDetails(Vec<Box<TxState>>);

impl TxState {
    /// A detail starting at `position`: a kept one when there is one, so that its
    /// remittance lists need not grow again.
    pub fn take(free: &mut FreeDetails, depth: usize, position: Position) -> Box<TxState> {
        let mut detail = free.0.pop().unwrap_or_default();
        detail.depth = depth;
        detail.position = position;
        detail
    }

    /// Empties a detail, giving its texts to `spare`, and keeps it for [`TxState::take`].
    pub fn free(mut detail: Box<TxState>, spare: &mut Spare, free: &mut FreeDetails) {
        let TxState {
            depth,
            position,
            amount,
            detail_amount,
            direction,
            bank_ref,
            end_to_end_id,
            instruction_id,
            transaction_id,
            uetr,
            code,
            names,
            accounts,
            remittance,
            info,
        } = &mut *detail;
        *depth = 0;
        *position = Position::default();
        *amount = None;
        *detail_amount = None;
        *direction = None;
        for slot in [
            bank_ref,
            end_to_end_id,
            instruction_id,
            transaction_id,
            uetr,
            info,
        ] {
            spare.clear(slot);
        }
        for slot in names.iter_mut().chain(accounts.iter_mut()) {
            spare.clear(slot);
        }
        code.recycle(spare);
        spare.clear_remittance(remittance);
        if free.0.len() < FREE_DETAILS_MAX {
            free.0.push(detail);
        }
    }

    /// Folds a later detail of an entry whose details carry no amounts into this one:
    /// its remittance is appended, and its references fill what this one lacks.
    pub fn absorb(&mut self, other: &mut TxState) {
        self.remittance.lines.append(&mut other.remittance.lines);
        self.remittance.items.append(&mut other.remittance.items);
        let fill = |mine: &mut Slot, theirs: &mut Slot| {
            if mine.is_none() {
                *mine = theirs.take();
            }
        };
        fill(&mut self.bank_ref, &mut other.bank_ref);
        fill(&mut self.end_to_end_id, &mut other.end_to_end_id);
        fill(&mut self.instruction_id, &mut other.instruction_id);
        fill(&mut self.transaction_id, &mut other.transaction_id);
        fill(&mut self.uetr, &mut other.uetr);
        fill(&mut self.info, &mut other.info);
        for (mine, theirs) in self.names.iter_mut().zip(other.names.iter_mut()) {
            fill(mine, theirs);
        }
        for (mine, theirs) in self.accounts.iter_mut().zip(other.accounts.iter_mut()) {
            fill(mine, theirs);
        }
    }

    /// The detail's own amount, preferring one in the entry's currency: `Amt` (v3+)
    /// or `AmtDtls/TxAmt/Amt`.
    pub fn own_amount(&self, entry_currency: Option<Currency>) -> Option<Money> {
        let candidates = [self.amount, self.detail_amount];
        candidates
            .iter()
            .flatten()
            .find(|money| Some(money.currency) == entry_currency)
            .or_else(|| candidates.iter().flatten().next())
            .copied()
    }
}

/// Everything about a transaction that is not read from its details.
pub(super) struct Booking<'a> {
    pub entry: &'a EntryState,
    pub amount: Money,
    pub direction: Direction,
}

/// Fills `tx` for an entry and, if it has one, its detail, whose texts are moved into
/// `tx`. The bank reference is left empty for the caller.
pub(super) fn fill(
    tx: &mut Transaction<'static>,
    spare: &mut Spare,
    booking: Booking<'_>,
    detail: Option<&mut TxState>,
) {
    let entry = booking.entry;
    spare.reset(tx);
    let mut none = TxState::default();
    let detail = detail.unwrap_or(&mut none);
    let position = if detail.depth == 0 {
        entry.position
    } else {
        detail.position
    };
    // The counterparty: who paid us on a credit, whom we paid on a debit. A reversal
    // undoes the opposite movement, so its counterparty is on the other side.
    let payer_side = (booking.direction == Direction::Credit) != entry.reversal;
    let (name, account) = if payer_side {
        let name = detail.names[Party::Debtor as usize]
            .take()
            .or_else(|| detail.names[Party::UltimateDebtor as usize].take());
        (name, detail.accounts[Side::Debtor as usize].take())
    } else {
        let name = detail.names[Party::Creditor as usize]
            .take()
            .or_else(|| detail.names[Party::UltimateCreditor as usize].take());
        (name, detail.accounts[Side::Creditor as usize].take())
    };
    std::mem::swap(&mut tx.remittance, &mut detail.remittance);
    if tx.remittance.is_empty() {
        // Some banks put the payer's text only in the additional information.
        if let Some(info) = detail.info.as_deref().or(entry.info.as_deref()) {
            spare.push_str(&mut tx.remittance.lines, info);
        }
    }
    tx.direction = booking.direction;
    tx.amount = booking.amount;
    tx.status = entry.status.unwrap_or(EntryStatus::Info);
    tx.reversal = entry.reversal;
    tx.booking_date = entry.booking_date;
    tx.value_date = entry.value_date;
    tx.end_to_end_id = detail.end_to_end_id.take();
    if tx.end_to_end_id.as_deref() == Some("NOTPROVIDED") {
        spare.clear(&mut tx.end_to_end_id);
    }
    tx.customer_ref = detail.instruction_id.take();
    tx.trace_number = detail.uetr.take().or_else(|| detail.transaction_id.take());
    tx.payer_name = name;
    tx.payer_account = account;
    if detail.code.is_empty() {
        entry.code.render_into(&mut tx.bank_tx_code, spare);
    } else {
        detail.code.render_into(&mut tx.bank_tx_code, spare);
    }
    tx.position = position;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_codes_render_iso_before_proprietary() {
        let mut code = BankCode::default();
        assert_eq!(code.render(), None);
        let spare = &mut Spare::default();
        code.set(CodePart::Proprietary, "Z24", spare);
        assert_eq!(code.render().as_deref(), Some("Z24"));
        code.set(CodePart::Domain, "PMNT", spare);
        code.set(CodePart::Family, "ICDT", spare);
        code.set(CodePart::SubFamily, "DMCT", spare);
        assert_eq!(code.render().as_deref(), Some("PMNT/ICDT/DMCT"));
    }
}
