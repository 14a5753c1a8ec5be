//! What the engine decides on: plain data the shell builds from the store.

use chrono::NaiveDate;
use parsers::model::{Direction, EntryStatus, Format, Remittance};
use parsers::money::Money;
use rust_decimal::Decimal;

/// A bank transaction to decide on.
#[derive(Debug, Clone)]
pub struct Payment {
    /// Stable id (the store's transaction id); decisions and tie-breaks follow it.
    pub id: i64,
    pub format: Format,
    pub direction: Direction,
    pub status: EntryStatus,
    /// The transaction's full amount, always positive.
    pub amount: Money,
    /// What is still free to apply: `amount` less what earlier runs or clerks applied.
    pub available: Money,
    pub booking_date: Option<NaiveDate>,
    pub bank_ref: String,
    pub end_to_end_id: Option<String>,
    pub customer_ref: Option<String>,
    pub payer_name: Option<String>,
    pub payer_account: Option<String>,
    pub bank_tx_code: Option<String>,
    pub remittance: Remittance<'static>,
    /// For an ACH return: the trace number of the entry it returns (the parsers'
    /// `ReturnInfo::original_trace`). Such a payment is `non_ar` with kind `return`.
    pub return_of: Option<String>,
}

/// Early-payment terms such as 2/10 net 30: `percent` off when paid within `days` of
/// the issue date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiscountTerms {
    pub percent: Decimal,
    pub days: u32,
}

/// An invoice as the ERP issued it, with what is still open after every application
/// recond and clerks have made. Settled invoices are included (open amount zero) so
/// that a payment for an already-paid invoice is recognised as such.
#[derive(Debug, Clone)]
pub struct Invoice {
    pub id: String,
    pub customer_id: String,
    pub amount: Money,
    pub open_amount: Money,
    pub issue_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub po_number: Option<String>,
    pub discount: Option<DiscountTerms>,
}

/// A customer with the names and bank accounts it is known to pay from.
#[derive(Debug, Clone)]
pub struct Customer {
    pub id: String,
    pub name: String,
    /// Other names it pays under, from the ERP or taught by clerks.
    pub aliases: Vec<String>,
    /// Payer bank accounts (IBAN or account number), from the ERP or taught by clerks.
    pub bank_accounts: Vec<String>,
}

/// Everything one reconcile run sees.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub payments: Vec<Payment>,
    pub invoices: Vec<Invoice>,
    pub customers: Vec<Customer>,
    /// The run's date, for discount windows; passed in because the engine reads no clock.
    pub today: Option<NaiveDate>,
}
