//! `recond-gen score`: replays a generated scenario through the real recond pipeline
//! ([`run`]) and compares what recond exported with `truth.csv` ([`compare`]).
//!
//! Definitions, per case and overall:
//! - *payments*: truth transactions (one per `source_file,bank_ref`);
//! - *wrong*: payments with at least one automatic application that the truth does not
//!   have (wrong invoice, wrong amount or write-off, or any application on a payment
//!   that must not be applied, including a re-delivered duplicate);
//! - *applied right*: payments that should be applied whose active applications equal
//!   the truth's exactly (invoices, amounts, write-offs and their reasons);
//! - *auto-apply*: applied right ÷ payments that should be applied;
//! - *suggestion hits*: among payments left as exceptions for which the truth names
//!   the right invoice, those where that invoice is among the suggestions.

pub mod compare;
pub mod report;
pub mod run;

pub use compare::{
    compare, ActualApplication, ActualException, ActualPayment, CaseScore, Report, TruthRow,
};
