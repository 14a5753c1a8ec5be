//! What the engine decides for each payment, with stable codes for every outcome.

use parsers::money::Money;
use serde::Serialize;

/// How sure a rule is, in per-mille (0 to 1000). Integer so that decisions compare
/// and snapshot bit for bit; similarity scores are quantised into it at the rule
/// boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Confidence(u16);

impl Confidence {
    pub const CERTAIN: Confidence = Confidence(1000);
    pub const NONE: Confidence = Confidence(0);

    /// Clamps to 1000.
    pub fn from_per_mille(per_mille: u16) -> Confidence {
        Confidence(per_mille.min(1000))
    }

    pub fn per_mille(&self) -> u16 {
        self.0
    }
}

impl std::fmt::Display for Confidence {
    /// `0.940`: three decimals, as exported.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:03}", self.0 / 1000, self.0 % 1000)
    }
}

/// The rule that made a decision. The snake_case names are exported and stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleId {
    /// The exact invoice number appears in the remittance and the amount is equal.
    InvoiceReferenceExact,
    /// Not customer cash: debits, fees, interest, transfers.
    NonAr,
    /// No rule could decide.
    NoMatch,
}

impl RuleId {
    pub fn as_str(&self) -> &'static str {
        match self {
            RuleId::InvoiceReferenceExact => "invoice_reference_exact",
            RuleId::NonAr => "non_ar",
            RuleId::NoMatch => "no_match",
        }
    }
}

/// What became of a payment. Exported as the `status` column; tooling relies on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// All of its cash went to invoices, possibly with write-offs.
    Applied,
    /// Part went to invoices; the rest is unapplied cash.
    PartiallyApplied,
    /// Customer cash on account, nothing applied.
    Unapplied,
    /// Waiting for a clerk.
    Exception,
    /// Not customer cash.
    NonAr,
}

impl PaymentStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            PaymentStatus::Applied => "applied",
            PaymentStatus::PartiallyApplied => "partially_applied",
            PaymentStatus::Unapplied => "unapplied",
            PaymentStatus::Exception => "exception",
            PaymentStatus::NonAr => "non_ar",
        }
    }

    pub fn parse(text: &str) -> Option<PaymentStatus> {
        [
            PaymentStatus::Applied,
            PaymentStatus::PartiallyApplied,
            PaymentStatus::Unapplied,
            PaymentStatus::Exception,
            PaymentStatus::NonAr,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }
}

/// Why a payment was not applied. Stable snake_case codes, exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionReason {
    /// No invoice reference found and no other rule identified the invoices.
    NoReference,
    /// Several invoices or combinations fit equally well.
    Ambiguous,
    /// The payer is not a known customer.
    UnknownPayer,
    /// An invoice was identified but the amount does not fit within tolerance.
    AmountMismatch,
    /// The referenced invoice is already settled.
    AlreadyPaid,
    /// The referenced invoice belongs to another customer and the amount differs.
    OtherCustomer,
    /// The invoice is in another currency than the payment.
    Currency,
    /// Another payment in the same run took the invoice first.
    Conflict,
}

impl ExceptionReason {
    pub fn as_str(&self) -> &'static str {
        match self {
            ExceptionReason::NoReference => "no_reference",
            ExceptionReason::Ambiguous => "ambiguous",
            ExceptionReason::UnknownPayer => "unknown_payer",
            ExceptionReason::AmountMismatch => "amount_mismatch",
            ExceptionReason::AlreadyPaid => "already_paid",
            ExceptionReason::OtherCustomer => "other_customer",
            ExceptionReason::Currency => "currency",
            ExceptionReason::Conflict => "conflict",
        }
    }
}

/// Why an amount was written off to settle an invoice. Exported, stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteoffReason {
    Discount,
    BankFee,
    Rounding,
    Other,
}

impl WriteoffReason {
    pub fn as_str(&self) -> &'static str {
        match self {
            WriteoffReason::Discount => "discount",
            WriteoffReason::BankFee => "bank_fee",
            WriteoffReason::Rounding => "rounding",
            WriteoffReason::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<WriteoffReason> {
        [
            WriteoffReason::Discount,
            WriteoffReason::BankFee,
            WriteoffReason::Rounding,
            WriteoffReason::Other,
        ]
        .into_iter()
        .find(|reason| reason.as_str() == text)
    }
}

/// Cash from one payment applied to one invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Application {
    pub invoice_id: String,
    /// Cash applied.
    pub applied: Money,
    /// Written off on top of the cash to settle the invoice (zero when none).
    pub writeoff: Money,
    pub writeoff_reason: Option<WriteoffReason>,
}

/// A candidate invoice shown to a clerk on an exception.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub invoice_id: String,
    pub score: Confidence,
    pub reason: String,
}

/// The engine's verdict on one payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub payment_id: i64,
    pub status: PaymentStatus,
    pub applications: Vec<Application>,
    /// Cash left on account after the applications.
    pub unapplied: Money,
    pub exception_reason: Option<ExceptionReason>,
    /// Ranked best first.
    pub suggestions: Vec<Suggestion>,
    pub rule: RuleId,
    pub confidence: Confidence,
    /// A sentence for a clerk: what was found and why it was (not) applied.
    pub explanation: String,
}
