//! The common statement model every format parses into.
//!
//! A file holds statements; a statement belongs to one account and carries its
//! transactions. Parsers stream: they hand each statement header and each transaction
//! to a [`crate::Sink`] as soon as it is complete, so memory does not grow with the file.

use std::borrow::Cow;

use chrono::NaiveDate;
use serde::Serialize;

use crate::money::{Currency, Money};
use crate::position::Position;

/// Which file format a parser read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Camt,
    Bai2,
    Nacha,
    X12_820,
    Csv,
}

impl Format {
    /// Stable lower-case name used in the database, the CLI and JSON output.
    pub fn as_str(&self) -> &'static str {
        match self {
            Format::Camt => "camt",
            Format::Bai2 => "bai2",
            Format::Nacha => "nacha",
            Format::X12_820 => "x12_820",
            Format::Csv => "csv",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Credit (money in) or debit (money out), from the account holder's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Credit,
    Debit,
}

impl Direction {
    pub fn as_str(&self) -> &'static str {
        match self {
            Direction::Credit => "credit",
            Direction::Debit => "debit",
        }
    }
}

/// Whether the bank has booked the entry. Only booked entries are cash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    Booked,
    Pending,
    Info,
}

impl EntryStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            EntryStatus::Booked => "booked",
            EntryStatus::Pending => "pending",
            EntryStatus::Info => "info",
        }
    }
}

/// A bank account as the file identifies it (IBAN, or account number and bank id).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Account {
    /// IBAN or the bank's account number, without spaces.
    pub number: String,
    /// Routing number, BIC or other servicer id, when the file gives one.
    pub servicer: Option<String>,
    pub currency: Option<Currency>,
    pub name: Option<String>,
}

/// One statement, report or notification of one account: its header, balances and
/// identifiers. Transactions are streamed separately.
#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    /// The statement id the bank gives (CAMT `Stmt/Id`, BAI2 file id + account, …).
    pub id: String,
    pub account: Account,
    pub opening_balance: Option<Money>,
    pub closing_balance: Option<Money>,
    pub from_date: Option<NaiveDate>,
    pub to_date: Option<NaiveDate>,
    /// Where the statement starts in the file.
    pub position: Position,
}

/// What a referenced document in structured remittance is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceKind {
    /// An invoice (CTX `RMR*IV`, CAMT `RfrdDocInf` of type CINV).
    Invoice,
    /// An ISO 11649 creditor reference (`RF…`) or other structured creditor reference.
    CreditorReference,
    PurchaseOrder,
    CreditNote,
    Other,
}

/// One structured remittance line: which document is paid and with what amounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemittanceItem<'a> {
    pub kind: ReferenceKind,
    pub reference: Cow<'a, str>,
    /// Amount paid against this document.
    pub paid: Option<Money>,
    /// The document's total as the payer sees it.
    pub document_total: Option<Money>,
    /// Discount the payer took.
    pub discount: Option<Money>,
}

/// What the payer told us about the payment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Remittance<'a> {
    /// Unstructured text, one element per line as the file gives it.
    pub lines: Vec<Cow<'a, str>>,
    pub items: Vec<RemittanceItem<'a>>,
}

impl Remittance<'_> {
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.items.is_empty()
    }

    /// A copy that borrows nothing, for a consumer that keeps it.
    pub fn to_owned_remittance(&self) -> Remittance<'static> {
        Remittance {
            lines: self.lines.iter().map(|line| owned(line)).collect(),
            items: self
                .items
                .iter()
                .map(|item| RemittanceItem {
                    kind: item.kind,
                    reference: owned(&item.reference),
                    paid: item.paid,
                    document_total: item.document_total,
                    discount: item.discount,
                })
                .collect(),
        }
    }
}

/// A text that borrows nothing.
fn owned(text: &str) -> Cow<'static, str> {
    Cow::Owned(text.to_owned())
}

fn owned_opt(text: &Option<Cow<'_, str>>) -> Option<Cow<'static, str>> {
    text.as_deref().map(owned)
}

/// An ACH return (addenda 99): this entry gives back an earlier one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReturnInfo<'a> {
    /// The trace number of the entry being returned.
    pub original_trace: Cow<'a, str>,
    /// R-code such as `R01`.
    pub reason_code: Cow<'a, str>,
}

/// One payment or other movement on an account.
///
/// Its texts are `Cow`s so that a reader can lend a transaction whose texts borrow
/// the record it is reading (the line formats do: nothing is copied per field); a
/// consumer that keeps the transaction beyond [`crate::Sink::transaction`] takes
/// [`Transaction::to_owned_transaction`].
#[derive(Debug, Clone, Serialize)]
pub struct Transaction<'a> {
    pub direction: Direction,
    /// Always positive; `direction` gives the sign.
    pub amount: Money,
    pub status: EntryStatus,
    /// The bank marked this entry as the reversal of an earlier one.
    pub reversal: bool,
    pub booking_date: Option<NaiveDate>,
    pub value_date: Option<NaiveDate>,
    /// The bank's own id for this transaction (CAMT `AcctSvcrRef`, BAI2 bank reference,
    /// NACHA trace number, CSV `bank_ref`). Empty when the file has none.
    pub bank_ref: Cow<'a, str>,
    pub end_to_end_id: Option<Cow<'a, str>>,
    pub customer_ref: Option<Cow<'a, str>>,
    pub trace_number: Option<Cow<'a, str>>,
    pub payer_name: Option<Cow<'a, str>>,
    pub payer_account: Option<Cow<'a, str>>,
    /// The bank transaction code in the file's own scheme (CAMT domain/family/sub-family
    /// or proprietary code, BAI2 type code, NACHA transaction code + SEC code).
    pub bank_tx_code: Option<Cow<'a, str>>,
    pub remittance: Remittance<'a>,
    pub return_info: Option<ReturnInfo<'a>>,
    /// Where the transaction starts in the file.
    pub position: Position,
}

impl Transaction<'_> {
    /// A copy that borrows nothing, for a consumer that keeps the transaction (the
    /// reader lends it only for the duration of [`crate::Sink::transaction`]).
    pub fn to_owned_transaction(&self) -> Transaction<'static> {
        Transaction {
            direction: self.direction,
            amount: self.amount,
            status: self.status,
            reversal: self.reversal,
            booking_date: self.booking_date,
            value_date: self.value_date,
            bank_ref: owned(&self.bank_ref),
            end_to_end_id: owned_opt(&self.end_to_end_id),
            customer_ref: owned_opt(&self.customer_ref),
            trace_number: owned_opt(&self.trace_number),
            payer_name: owned_opt(&self.payer_name),
            payer_account: owned_opt(&self.payer_account),
            bank_tx_code: owned_opt(&self.bank_tx_code),
            remittance: self.remittance.to_owned_remittance(),
            return_info: self.return_info.as_ref().map(|info| ReturnInfo {
                original_trace: owned(&info.original_trace),
                reason_code: owned(&info.reason_code),
            }),
            position: self.position,
        }
    }
}
