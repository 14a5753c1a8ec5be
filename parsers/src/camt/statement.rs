//! Statements, reports and notifications: their header, balances and running totals,
//! and the integrity checks made when one ends.
//!
//! Totals are kept as a handful of numbers per statement, never as lists, so memory
//! stays flat however many entries a statement has.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::codes;
use super::fields::SummaryGroup;
use crate::diagnostic::{Diagnostic, Diagnostics, Severity};
use crate::model::{Account, Direction, EntryStatus, Statement};
use crate::money::{format_amount, Currency, Money};
use crate::options::Options;
use crate::position::Position;

/// Adds without the panic of `Decimal`'s `+=` on overflow: a total beyond ~7.9e28
/// can only come from a hostile file, and saturating makes its check fail.
pub(super) fn add(total: &mut Decimal, amount: Decimal) {
    *total = total
        .checked_add(amount)
        .unwrap_or(if amount.is_sign_negative() {
            Decimal::MIN
        } else {
            Decimal::MAX
        });
}

/// Which of the three messages the statement comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// CAMT.053 `Stmt`: booked entries with opening and closing booked balances.
    Statement,
    /// CAMT.052 `Rpt`: intraday, usually without a closing booked balance.
    Report,
    /// CAMT.054 `Ntfctn`: debit/credit notifications, no balances.
    Notification,
}

impl Kind {
    pub fn element(self) -> &'static str {
        match self {
            Kind::Statement => "Stmt",
            Kind::Report => "Rpt",
            Kind::Notification => "Ntfctn",
        }
    }
}

/// A balance being read (`Bal`).
#[derive(Debug, Default)]
pub(super) struct BalanceState {
    pub depth: usize,
    pub position: Position,
    pub code: Option<String>,
    pub amount: Option<Money>,
    pub direction: Option<Direction>,
}

impl BalanceState {
    /// The signed balance, when amount and indicator are both there.
    pub fn signed(&self) -> Option<Money> {
        let money = self.amount?;
        Some(match self.direction? {
            Direction::Credit => money,
            Direction::Debit => Money::new(-money.amount, money.currency),
        })
    }
}

/// `TxsSummry` figures, each with where it was read.
#[derive(Debug, Default)]
pub(super) struct Summary {
    pub counts: [Option<(u64, Position)>; 3],
    pub sums: [Option<(Decimal, Position)>; 3],
}

fn group_index(group: SummaryGroup) -> usize {
    match group {
        SummaryGroup::All => 0,
        SummaryGroup::Credits => 1,
        SummaryGroup::Debits => 2,
    }
}

impl Summary {
    pub fn set_count(&mut self, group: SummaryGroup, count: u64, position: Position) {
        self.counts[group_index(group)] = Some((count, position));
    }

    pub fn set_sum(&mut self, group: SummaryGroup, sum: Decimal, position: Position) {
        self.sums[group_index(group)] = Some((sum, position));
    }
}

/// Running totals over a statement's entries.
#[derive(Debug, Default)]
pub(super) struct Totals {
    /// Entries, credit entries, debit entries (any status).
    pub counts: [u64; 3],
    /// Sum of all entry amounts, of credits, of debits (any status).
    pub sums: [Decimal; 3],
    pub booked_credits: Decimal,
    pub booked_debits: Decimal,
    /// A booked entry is in another currency than the opening balance.
    pub booked_foreign: bool,
}

/// A statement, report or notification being read.
#[derive(Debug)]
pub(super) struct StatementState {
    pub depth: usize,
    pub kind: Kind,
    pub position: Position,
    pub id: Option<String>,
    pub iban: Option<String>,
    pub other_id: Option<String>,
    pub currency: Option<Currency>,
    pub name: Option<String>,
    pub owner_name: Option<String>,
    pub servicer: Option<String>,
    pub from_date: Option<NaiveDate>,
    pub to_date: Option<NaiveDate>,
    /// `OPBD`, or `PRCD` (previously closed booked) when there is no `OPBD`.
    pub opening: Option<(Money, Position)>,
    pub previously_closed: Option<(Money, Position)>,
    pub closing: Option<(Money, Position)>,
    /// Whether the header went to the sink already.
    pub emitted: bool,
    pub summary: Summary,
    pub totals: Totals,
}

impl StatementState {
    pub fn new(depth: usize, kind: Kind, position: Position) -> Self {
        StatementState {
            depth,
            kind,
            position,
            id: None,
            iban: None,
            other_id: None,
            currency: None,
            name: None,
            owner_name: None,
            servicer: None,
            from_date: None,
            to_date: None,
            opening: None,
            previously_closed: None,
            closing: None,
            emitted: false,
            summary: Summary::default(),
            totals: Totals::default(),
        }
    }

    pub fn add_balance(&mut self, balance: &BalanceState) {
        let Some(money) = balance.signed() else {
            return;
        };
        let slot = match balance.code.as_deref() {
            Some("OPBD") => &mut self.opening,
            Some("PRCD") => &mut self.previously_closed,
            Some("CLBD") => &mut self.closing,
            _ => return,
        };
        *slot = Some((money, balance.position));
    }

    pub fn opening_balance(&self) -> Option<(Money, Position)> {
        self.opening.or(self.previously_closed)
    }

    /// Takes the header out for the sink; called once, before the first entry.
    pub fn header(&mut self) -> Statement {
        self.emitted = true;
        let opening = self.opening_balance().map(|(money, _)| money);
        let closing = self.closing.map(|(money, _)| money);
        Statement {
            id: self.id.take().unwrap_or_default(),
            account: Account {
                number: self
                    .iban
                    .take()
                    .or_else(|| self.other_id.take())
                    .unwrap_or_default(),
                servicer: self.servicer.take(),
                currency: self
                    .currency
                    .or(opening.map(|money| money.currency))
                    .or(closing.map(|money| money.currency)),
                name: self.name.take().or_else(|| self.owner_name.take()),
            },
            opening_balance: opening,
            closing_balance: closing,
            from_date: self.from_date,
            to_date: self.to_date,
            position: self.position,
        }
    }

    /// Adds a finished entry to the running totals.
    pub fn add_entry(&mut self, amount: Money, direction: Direction, status: EntryStatus) {
        let index = match direction {
            Direction::Credit => 1,
            Direction::Debit => 2,
        };
        self.totals.counts[0] += 1;
        self.totals.counts[index] += 1;
        add(&mut self.totals.sums[0], amount.amount);
        add(&mut self.totals.sums[index], amount.amount);
        if status != EntryStatus::Booked {
            return;
        }
        if let Some((opening, _)) = self.opening_balance() {
            self.totals.booked_foreign |= opening.currency != amount.currency;
        }
        match direction {
            Direction::Credit => add(&mut self.totals.booked_credits, amount.amount),
            Direction::Debit => add(&mut self.totals.booked_debits, amount.amount),
        }
    }

    /// CAMT.053: opening + booked credits − booked debits = closing. Returns whether
    /// the check could be made.
    pub fn check_balances(&self, options: &Options, diagnostics: &mut Diagnostics) -> bool {
        if self.kind != Kind::Statement {
            return false;
        }
        let (Some((opening, _)), Some((closing, closing_position))) =
            (self.opening_balance(), self.closing)
        else {
            return false;
        };
        let totals = &self.totals;
        let expected = opening
            .amount
            .checked_add(totals.booked_credits)
            .and_then(|sum| sum.checked_sub(totals.booked_debits))
            .unwrap_or(Decimal::MAX);
        let same_currency = opening.currency == closing.currency && !totals.booked_foreign;
        if same_currency && expected == closing.amount {
            return true;
        }
        let currency = opening.currency;
        let mut message = format!(
            "opening balance {} + booked credits {} - booked debits {} does not give the closing balance",
            opening,
            format_amount(totals.booked_credits, currency),
            format_amount(totals.booked_debits, currency),
        );
        if !same_currency {
            message.push_str(" (balances and booked entries are not all in one currency)");
        }
        let severity = if options.relaxed.balances {
            Severity::Warning
        } else {
            Severity::Error
        };
        diagnostics.push(Diagnostic {
            severity,
            ..Diagnostic::error(codes::CLOSING_BALANCE_MISMATCH, closing_position, message)
                .record("Bal")
                .field("CLBD")
                .expected(Money::new(expected, currency).to_string())
                .found(closing.to_string())
        });
        true
    }

    /// `TxsSummry` counts and sums against the entries read.
    pub fn check_summary(&self, options: &Options, diagnostics: &mut Diagnostics) {
        const GROUPS: [&str; 3] = ["TtlNtries", "TtlCdtNtries", "TtlDbtNtries"];
        let severity = if options.relaxed.control_totals {
            Severity::Warning
        } else {
            Severity::Error
        };
        for (index, group) in GROUPS.iter().enumerate() {
            if let Some((count, position)) = self.summary.counts[index] {
                let actual = self.totals.counts[index];
                if count != actual {
                    diagnostics.push(Diagnostic {
                        severity,
                        ..Diagnostic::error(
                            codes::SUMMARY_MISMATCH,
                            position,
                            format!(
                                "the summary counts {count} entries, the statement has {actual}"
                            ),
                        )
                        .record("TxsSummry")
                        .field(format!("{group}/NbOfNtries"))
                        .expected(actual.to_string())
                        .found(count.to_string())
                    });
                }
            }
            if let Some((sum, position)) = self.summary.sums[index] {
                let actual = self.totals.sums[index];
                if sum != actual {
                    diagnostics.push(Diagnostic {
                        severity,
                        ..Diagnostic::error(
                            codes::SUMMARY_MISMATCH,
                            position,
                            "the summary sum differs from the sum of the entries",
                        )
                        .record("TxsSummry")
                        .field(format!("{group}/Sum"))
                        .expected(actual.to_string())
                        .found(sum.to_string())
                    });
                }
            }
        }
    }
}
