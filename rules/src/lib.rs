//! The cash-application engine: which invoices did each payment pay?
//!
//! Pure and deterministic: the shell builds [`Inputs`] (payments, invoices, customers,
//! `today`) from the store, calls [`reconcile`], and persists the [`Decision`]s. No I/O,
//! no clock, no logging, no database types; the same inputs give the same decisions
//! bit for bit, whatever the thread count.
//!
//! Boundary: `reconcile(&Inputs, &RuleSet) -> Vec<Decision>`, one decision per payment,
//! in payment-id order.

#![deny(clippy::float_arithmetic)]

pub mod decision;
pub mod engine;
pub mod input;
pub mod ruleset;

pub use decision::{
    Application, Confidence, Decision, ExceptionReason, PaymentStatus, RuleId, Suggestion,
    WriteoffReason,
};
pub use engine::reconcile;
pub use input::{Customer, DiscountTerms, Inputs, Invoice, Payment};
pub use ruleset::RuleSet;
