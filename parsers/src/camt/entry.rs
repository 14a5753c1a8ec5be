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

/// A bank transaction code as the file gives it.
#[derive(Debug, Default, Clone)]
pub(super) struct BankCode {
    domain: Option<String>,
    family: Option<String>,
    sub_family: Option<String>,
    proprietary: Option<String>,
}

impl BankCode {
    pub fn set(&mut self, part: CodePart, value: &str) {
        let slot = match part {
            CodePart::Domain => &mut self.domain,
            CodePart::Family => &mut self.family,
            CodePart::SubFamily => &mut self.sub_family,
            CodePart::Proprietary => &mut self.proprietary,
        };
        *slot = Some(value.to_owned());
    }

    /// `Domn/Fmly/SubFmlyCd` (`PMNT/RCDT/ESCT`) when the ISO code is there, else the
    /// proprietary code.
    pub fn render(&self) -> Option<String> {
        if let Some(domain) = &self.domain {
            let mut code = domain.clone();
            for part in [&self.family, &self.sub_family].into_iter().flatten() {
                code.push('/');
                code.push_str(part);
            }
            return Some(code);
        }
        self.proprietary.clone()
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
    pub bank_ref: Option<String>,
    pub code: BankCode,
    pub info: Option<String>,
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
}

/// One `TxDtls` being read.
#[derive(Debug, Default)]
pub(super) struct TxState {
    pub depth: usize,
    pub position: Position,
    pub amount: Option<Money>,
    pub detail_amount: Option<Money>,
    pub direction: Option<Direction>,
    pub bank_ref: Option<String>,
    pub end_to_end_id: Option<String>,
    pub instruction_id: Option<String>,
    pub transaction_id: Option<String>,
    pub uetr: Option<String>,
    pub code: BankCode,
    pub names: [Option<String>; 4],
    pub accounts: [Option<String>; 2],
    pub remittance: Remittance,
    pub info: Option<String>,
}

impl TxState {
    pub fn new(depth: usize, position: Position) -> Self {
        TxState {
            depth,
            position,
            ..TxState::default()
        }
    }

    /// Folds a later detail of an entry whose details carry no amounts into this one:
    /// its remittance is appended, and its references fill what this one lacks.
    pub fn absorb(&mut self, other: TxState) {
        self.remittance.lines.extend(other.remittance.lines);
        self.remittance.items.extend(other.remittance.items);
        let fill = |mine: &mut Option<String>, theirs: Option<String>| {
            if mine.is_none() {
                *mine = theirs;
            }
        };
        fill(&mut self.bank_ref, other.bank_ref);
        fill(&mut self.end_to_end_id, other.end_to_end_id);
        fill(&mut self.instruction_id, other.instruction_id);
        fill(&mut self.transaction_id, other.transaction_id);
        fill(&mut self.uetr, other.uetr);
        fill(&mut self.info, other.info);
        for (mine, theirs) in self.names.iter_mut().zip(other.names) {
            fill(mine, theirs);
        }
        for (mine, theirs) in self.accounts.iter_mut().zip(other.accounts) {
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
    pub bank_ref: String,
}

/// Builds the transaction for an entry and, if it has one, its detail.
pub(super) fn transaction(booking: Booking<'_>, detail: Option<TxState>) -> Transaction {
    let entry = booking.entry;
    let mut detail = detail.unwrap_or_default();
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
    let mut remittance = std::mem::take(&mut detail.remittance);
    if remittance.is_empty() {
        // Some banks put the payer's text only in the additional information.
        if let Some(info) = detail.info.take().or_else(|| entry.info.clone()) {
            remittance.lines.push(info);
        }
    }
    Transaction {
        direction: booking.direction,
        amount: booking.amount,
        status: entry.status.unwrap_or(EntryStatus::Info),
        reversal: entry.reversal,
        booking_date: entry.booking_date,
        value_date: entry.value_date,
        bank_ref: booking.bank_ref,
        end_to_end_id: detail.end_to_end_id.take().filter(|id| id != "NOTPROVIDED"),
        customer_ref: detail.instruction_id.take(),
        trace_number: detail.uetr.take().or_else(|| detail.transaction_id.take()),
        payer_name: name,
        payer_account: account,
        bank_tx_code: detail.code.render().or_else(|| entry.code.render()),
        remittance,
        return_info: None,
        position,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_codes_render_iso_before_proprietary() {
        let mut code = BankCode::default();
        assert_eq!(code.render(), None);
        code.set(CodePart::Proprietary, "Z24");
        assert_eq!(code.render().as_deref(), Some("Z24"));
        code.set(CodePart::Domain, "PMNT");
        code.set(CodePart::Family, "ICDT");
        code.set(CodePart::SubFamily, "DMCT");
        assert_eq!(code.render().as_deref(), Some("PMNT/ICDT/DMCT"));
    }
}
