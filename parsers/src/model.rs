//! The common statement model every format parses into.
//!
//! A file holds statements; a statement belongs to one account and carries its
//! transactions. Parsers stream: they hand each statement header and each transaction
//! to a [`crate::Sink`] as soon as it is complete, so memory does not grow with the file.

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
pub struct RemittanceItem {
    pub kind: ReferenceKind,
    pub reference: String,
    /// Amount paid against this document.
    pub paid: Option<Money>,
    /// The document's total as the payer sees it.
    pub document_total: Option<Money>,
    /// Discount the payer took.
    pub discount: Option<Money>,
}

/// What the payer told us about the payment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Remittance {
    /// Unstructured text, one element per line as the file gives it.
    pub lines: Vec<String>,
    pub items: Vec<RemittanceItem>,
}

impl Remittance {
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.items.is_empty()
    }
}

/// An ACH return (addenda 99): this entry gives back an earlier one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReturnInfo {
    /// The trace number of the entry being returned.
    pub original_trace: String,
    /// R-code such as `R01`.
    pub reason_code: String,
}

/// One payment or other movement on an account.
#[derive(Debug, Clone, Serialize)]
pub struct Transaction {
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
    pub bank_ref: String,
    pub end_to_end_id: Option<String>,
    pub customer_ref: Option<String>,
    pub trace_number: Option<String>,
    pub payer_name: Option<String>,
    pub payer_account: Option<String>,
    /// The bank transaction code in the file's own scheme (CAMT domain/family/sub-family
    /// or proprietary code, BAI2 type code, NACHA transaction code + SEC code).
    pub bank_tx_code: Option<String>,
    pub remittance: Remittance,
    pub return_info: Option<ReturnInfo>,
    /// Where the transaction starts in the file.
    pub position: Position,
}
