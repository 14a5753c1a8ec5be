//! The one-shot pipeline: a file is fingerprinted, parsed, stored and matched in one
//! database transaction; imports of customers and invoices re-run matching.
//!
//! Prefetch → decide → persist: a reconcile run loads the payments still to decide and
//! the invoices and customers from the store, calls the pure `rules::reconcile` on a
//! blocking thread, and writes every decision in the caller's transaction.

pub mod fingerprint;
pub mod ingest;
pub mod reconcile;
