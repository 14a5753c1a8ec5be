//! One bank transaction as the scenario plans it, before a format writer renders it,
//! together with what the truth says should become of it.

use crate::cases::Case;
use crate::world::{Cents, Currency};

/// Which bank file (and so which account and format) carries a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Channel {
    /// CAMT.053 statement of the euro account.
    Camt,
    /// BAI2 report of the US dollar account.
    Bai2,
    /// NACHA ACH receipts to the US dollar account.
    Nacha,
    /// CSV export of a second US dollar account.
    Csv,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::Camt, Channel::Bai2, Channel::Nacha, Channel::Csv];

    pub fn currency(self) -> Currency {
        match self {
            Channel::Camt => Currency::Eur,
            _ => Currency::Usd,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Camt => "camt",
            Channel::Bai2 => "bai2",
            Channel::Nacha => "nacha",
            Channel::Csv => "csv",
        }
    }
}

/// What kind of movement it is; writers turn this into bank transaction codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Customer payment by credit transfer / ACH.
    Transfer,
    /// Customer payment by wire (fees may be deducted on the way).
    Wire,
    /// Customer check through the lockbox.
    Lockbox,
    /// Customer check deposited at the branch.
    Check,
    /// Corporate trade exchange with X12 820 remittance (NACHA CTX).
    Ctx,
    Interest,
    BankFee,
    OwnTransferIn,
    OwnTransferOut,
    CardSettlement,
    Payroll,
    VendorPayment,
    /// An ACH return of an earlier credit (debit, addenda 99).
    AchReturn,
}

/// One structured remittance line (CTX RMR, CAMT Strd).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub invoice: String,
    pub paid: Cents,
    pub total: Cents,
    pub discount: Cents,
}

/// The truth for one application, or for a payment that must not be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expect {
    pub status: &'static str,
    pub invoice: String,
    pub applied: Option<Cents>,
    pub writeoff: Option<Cents>,
    pub writeoff_reason: &'static str,
}

impl Expect {
    pub fn applied(
        status: &'static str,
        invoice: String,
        applied: Cents,
        writeoff: Cents,
        reason: &'static str,
    ) -> Expect {
        Expect {
            status,
            invoice,
            applied: Some(applied),
            writeoff: Some(writeoff),
            writeoff_reason: reason,
        }
    }

    /// Not applied; `invoice` is the one a clerk would pick (empty when none).
    pub fn not_applied(status: &'static str, invoice: String) -> Expect {
        Expect {
            status,
            invoice,
            applied: None,
            writeoff: None,
            writeoff_reason: "",
        }
    }
}

/// A planned bank transaction.
#[derive(Debug, Clone)]
pub struct Payment {
    pub case: Case,
    pub channel: Channel,
    pub kind: Kind,
    pub credit: bool,
    pub amount: Cents,
    pub currency: Currency,
    /// As the bank writes it (already cut to the format's length).
    pub payer_name: String,
    pub payer_account: Option<String>,
    /// Unstructured remittance, one element per line.
    pub text: Vec<String>,
    pub items: Vec<Item>,
    /// ISO 11649 creditor reference in structured remittance.
    pub creditor_ref: Option<String>,
    /// NACHA: the payer's ODFI routing, company id and trace number.
    pub ach: Option<Ach>,
    pub expect: Vec<Expect>,
}

#[derive(Debug, Clone)]
pub struct Ach {
    pub company_id: String,
    pub odfi: String,
    pub trace: String,
    /// For returns: the returned entry's trace and the R-code.
    pub returns: Option<(String, &'static str)>,
}
