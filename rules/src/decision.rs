//! What the engine decides for each payment, with stable codes for every outcome.

use parsers::money::Money;
use serde::{Deserialize, Serialize};

/// How sure a rule is, in per-mille (0 to 1000). Integer so that decisions compare
/// and snapshot bit for bit; similarity scores are quantised into it at the rule
/// boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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

    /// Lowers the confidence by `per_mille`, stopping at zero.
    pub fn minus(self, per_mille: u16) -> Confidence {
        Confidence(self.0.saturating_sub(per_mille))
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
    /// An invoice number from structured remittance (CTX `RMR*IV`, CAMT `RfrdDocInf`).
    StructuredReference,
    /// An ISO 11649 `RF` creditor reference with valid check digits names the invoice.
    CreditorReference,
    /// The end-to-end id or customer reference is an invoice number.
    EndToEndReference,
    /// The exact invoice number appears in the remittance text.
    InvoiceReferenceExact,
    /// An invoice number appears in the text once case, separators, prefixes and
    /// leading zeros are normalised.
    InvoiceReferenceNormalized,
    /// An invoice number with one character wrong, confirmed by an equal amount.
    InvoiceReferenceOneChar,
    /// A purchase-order number of an invoice appears in the remittance.
    PoNumber,
    /// Several invoices listed in the remittance.
    RemittanceList,
    /// No list: a unique combination of the payer's open invoices sums to the payment.
    Combination,
    /// The payer's bank account identifies the customer; a unique open amount the invoice.
    PayerAccountAmount,
    /// The payer's name identifies the customer; a unique open amount the invoice.
    PayerNameAmount,
    /// Not customer cash: debits, fees, interest, transfers, card settlements, returns.
    NonAr,
    /// The run-wide conflict pass took back what this payment's rule proposed.
    ConflictResolution,
    /// No rule could decide.
    NoMatch,
}

impl RuleId {
    pub const ALL: [RuleId; 14] = [
        RuleId::StructuredReference,
        RuleId::CreditorReference,
        RuleId::EndToEndReference,
        RuleId::InvoiceReferenceExact,
        RuleId::InvoiceReferenceNormalized,
        RuleId::InvoiceReferenceOneChar,
        RuleId::PoNumber,
        RuleId::RemittanceList,
        RuleId::Combination,
        RuleId::PayerAccountAmount,
        RuleId::PayerNameAmount,
        RuleId::NonAr,
        RuleId::ConflictResolution,
        RuleId::NoMatch,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            RuleId::StructuredReference => "structured_reference",
            RuleId::CreditorReference => "creditor_reference",
            RuleId::EndToEndReference => "end_to_end_reference",
            RuleId::InvoiceReferenceExact => "invoice_reference_exact",
            RuleId::InvoiceReferenceNormalized => "invoice_reference_normalized",
            RuleId::InvoiceReferenceOneChar => "invoice_reference_one_char",
            RuleId::PoNumber => "po_number",
            RuleId::RemittanceList => "remittance_list",
            RuleId::Combination => "combination",
            RuleId::PayerAccountAmount => "payer_account_amount",
            RuleId::PayerNameAmount => "payer_name_amount",
            RuleId::NonAr => "non_ar",
            RuleId::ConflictResolution => "conflict_resolution",
            RuleId::NoMatch => "no_match",
        }
    }

    pub fn parse(text: &str) -> Option<RuleId> {
        RuleId::ALL.into_iter().find(|rule| rule.as_str() == text)
    }
}

/// What kind of non-AR activity a `non_ar` payment is. Exported, stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NonArKind {
    /// An ACH return: the shell reverses the applications of the returned payment
    /// (`Decision::returns_trace`).
    Return,
    /// Pending or information-only entry: not cash yet.
    NotBooked,
    /// Any other money going out.
    Debit,
    BankFee,
    Interest,
    /// Own-account transfer, sweep, zero-balancing.
    Transfer,
    CardSettlement,
}

impl NonArKind {
    pub const ALL: [NonArKind; 7] = [
        NonArKind::Return,
        NonArKind::NotBooked,
        NonArKind::Debit,
        NonArKind::BankFee,
        NonArKind::Interest,
        NonArKind::Transfer,
        NonArKind::CardSettlement,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            NonArKind::Return => "return",
            NonArKind::NotBooked => "not_booked",
            NonArKind::Debit => "debit",
            NonArKind::BankFee => "bank_fee",
            NonArKind::Interest => "interest",
            NonArKind::Transfer => "transfer",
            NonArKind::CardSettlement => "card_settlement",
        }
    }

    pub fn parse(text: &str) -> Option<NonArKind> {
        NonArKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
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
    /// Candidates were found but the rule was not sure enough to apply automatically.
    LowConfidence,
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
            ExceptionReason::LowConfidence => "low_confidence",
        }
    }

    pub const ALL: [ExceptionReason; 9] = [
        ExceptionReason::NoReference,
        ExceptionReason::Ambiguous,
        ExceptionReason::UnknownPayer,
        ExceptionReason::AmountMismatch,
        ExceptionReason::AlreadyPaid,
        ExceptionReason::OtherCustomer,
        ExceptionReason::Currency,
        ExceptionReason::Conflict,
        ExceptionReason::LowConfidence,
    ];

    pub fn parse(text: &str) -> Option<ExceptionReason> {
        ExceptionReason::ALL
            .into_iter()
            .find(|reason| reason.as_str() == text)
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
    /// Cash left on account after the applications: `available` less everything
    /// applied. Zero for `non_ar` (not customer cash).
    pub unapplied: Money,
    pub exception_reason: Option<ExceptionReason>,
    /// Ranked best first.
    pub suggestions: Vec<Suggestion>,
    pub rule: RuleId,
    pub confidence: Confidence,
    /// A sentence for a clerk: what was found and why it was (not) applied.
    pub explanation: String,
    /// For `non_ar`: what kind of activity it is.
    pub non_ar_kind: Option<NonArKind>,
    /// For an ACH return: the trace number of the payment it returns, whose
    /// applications the shell reverses.
    pub returns_trace: Option<String>,
}
