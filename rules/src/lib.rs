//! The cash-application engine: which invoices did each payment pay?
//!
//! Pure and deterministic: the shell builds [`Inputs`] (payments, invoices, customers,
//! `today`) from the store, calls [`reconcile`], and persists the [`Decision`]s. No I/O,
//! no clock, no logging, no database types; the same inputs give the same decisions
//! bit for bit, whatever the thread count.
//!
//! Boundary: `reconcile(&Inputs, &RuleSet) -> Vec<Decision>`, one decision per payment,
//! in payment-id order.
//!
//! Rules, in order: non-AR activity (`classify`), references (`decide`, with
//! `normalize` for invoice numbers and RF references), several invoices per payment
//! (`combination`), the payer without a reference (`similarity` for names), and
//! differences (`differences`). `engine` runs them in parallel and resolves conflicts.

#![deny(clippy::float_arithmetic)]

mod classify;
mod combination;
mod decide;
pub mod decision;
mod differences;
pub mod engine;
mod index;
pub mod input;
mod normalize;
pub mod ruleset;
mod similarity;
pub mod synthetic;

#[cfg(test)]
mod oracle;
#[cfg(test)]
mod scenarios;

pub use decision::{
    Application, Confidence, Decision, ExceptionReason, NonArKind, PaymentStatus, RuleId,
    Suggestion, WriteoffReason,
};
pub use engine::{check_invariants, reconcile, reconcile_batches};
pub use input::{Customer, DiscountTerms, Inputs, Invoice, Payment};
pub use ruleset::{RuleSet, RuleSetError, Tolerance};
