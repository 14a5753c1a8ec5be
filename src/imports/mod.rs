//! ERP imports: customers and invoices from CSV.
//!
//! A file is all-or-nothing: every row is checked first and every bad row reported
//! (line, column, value, why); only a clean file is stored, in one transaction.
//! Importing the same file twice changes nothing.

pub mod customers;
pub mod invoices;
mod rows;

pub use rows::{ImportError, RowError};

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub rows: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl ImportSummary {
    fn count(&mut self, upserted: crate::store::customers::Upserted) {
        use crate::store::customers::Upserted;
        self.rows += 1;
        match upserted {
            Upserted::Inserted => self.inserted += 1,
            Upserted::Updated => self.updated += 1,
            Upserted::Unchanged => self.unchanged += 1,
        }
    }
}
