//! The matching cases of BRIEF §3, each with its stable name, its share of the
//! generated payments and the bank files it can arrive in.

use crate::payment::Channel;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Case {
    ExactReference,
    ReferenceInText,
    ReferenceTypo,
    RfReference,
    PoNumber,
    StructuredRemittance,
    CombinationWithoutList,
    PartialPayment,
    EarlyPaymentDiscount,
    BankFeeDeducted,
    Overpayment,
    RoundingDifference,
    PayerAccountUniqueAmount,
    PayerNameUniqueAmount,
    ParentPaysSubsidiary,
    PaymentBeforeInvoice,
    AmbiguousAmount,
    UnknownPayer,
    OtherCustomerInvoice,
    AlreadyPaid,
    NonAr,
    AchReturn,
    DuplicateFile,
}

use Case::*;
use Channel::{Bai2, Camt, Csv, Nacha};

const ANY: &[Channel] = &[Camt, Bai2, Nacha, Csv];

impl Case {
    /// Every case, in the order reports list them.
    pub const ALL: [Case; 23] = [
        ExactReference,
        ReferenceInText,
        ReferenceTypo,
        RfReference,
        PoNumber,
        StructuredRemittance,
        CombinationWithoutList,
        PartialPayment,
        EarlyPaymentDiscount,
        BankFeeDeducted,
        Overpayment,
        RoundingDifference,
        PayerAccountUniqueAmount,
        PayerNameUniqueAmount,
        ParentPaysSubsidiary,
        PaymentBeforeInvoice,
        AmbiguousAmount,
        UnknownPayer,
        OtherCustomerInvoice,
        AlreadyPaid,
        NonAr,
        AchReturn,
        DuplicateFile,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExactReference => "exact_reference",
            ReferenceInText => "reference_in_text",
            ReferenceTypo => "reference_typo",
            RfReference => "rf_reference",
            PoNumber => "po_number",
            StructuredRemittance => "structured_remittance",
            CombinationWithoutList => "combination_without_list",
            PartialPayment => "partial_payment",
            EarlyPaymentDiscount => "early_payment_discount",
            BankFeeDeducted => "bank_fee_deducted",
            Overpayment => "overpayment",
            RoundingDifference => "rounding_difference",
            PayerAccountUniqueAmount => "payer_account_unique_amount",
            PayerNameUniqueAmount => "payer_name_unique_amount",
            ParentPaysSubsidiary => "parent_pays_subsidiary",
            PaymentBeforeInvoice => "payment_before_invoice",
            AmbiguousAmount => "ambiguous_amount",
            UnknownPayer => "unknown_payer",
            OtherCustomerInvoice => "other_customer_invoice",
            AlreadyPaid => "already_paid",
            NonAr => "non_ar",
            AchReturn => "ach_return",
            DuplicateFile => "duplicate_file",
        }
    }

    pub fn parse(text: &str) -> Option<Case> {
        Case::ALL.into_iter().find(|case| case.as_str() == text)
    }

    /// Share of drawn payments, per mille. `AchReturn` makes two transactions (the
    /// credit and its return); `DuplicateFile` is not drawn but decided per file.
    pub fn weight(self) -> u32 {
        match self {
            ExactReference => 290,
            ReferenceInText => 100,
            ReferenceTypo => 30,
            RfReference => 40,
            PoNumber => 30,
            StructuredRemittance => 50,
            CombinationWithoutList => 20,
            PartialPayment => 30,
            EarlyPaymentDiscount => 30,
            BankFeeDeducted => 20,
            Overpayment => 20,
            RoundingDifference => 20,
            PayerAccountUniqueAmount => 40,
            PayerNameUniqueAmount => 40,
            ParentPaysSubsidiary => 15,
            PaymentBeforeInvoice => 20,
            AmbiguousAmount => 25,
            UnknownPayer => 20,
            OtherCustomerInvoice => 15,
            AlreadyPaid => 20,
            NonAr => 100,
            AchReturn => 12,
            DuplicateFile => 0,
        }
    }

    /// The bank files a payment of this case can arrive in.
    pub fn channels(self) -> &'static [Channel] {
        match self {
            RfReference => &[Camt],
            StructuredRemittance => &[Camt, Nacha],
            CombinationWithoutList | PayerNameUniqueAmount | AmbiguousAmount => &[Camt, Csv, Nacha],
            BankFeeDeducted => &[Camt, Bai2],
            PayerAccountUniqueAmount | OtherCustomerInvoice => &[Camt, Csv],
            AchReturn => &[Nacha],
            _ => ANY,
        }
    }

    /// Whether a correct engine applies cash to invoices for this case.
    pub fn should_apply(self) -> bool {
        !matches!(
            self,
            AmbiguousAmount
                | UnknownPayer
                | OtherCustomerInvoice
                | AlreadyPaid
                | NonAr
                | AchReturn
                | DuplicateFile
        )
    }
}

/// Share of transactions per bank file, per mille, before case restrictions.
pub fn channel_weight(channel: Channel) -> u32 {
    match channel {
        Camt => 350,
        Bai2 => 250,
        Nacha => 250,
        Csv => 150,
    }
}
