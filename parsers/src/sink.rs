//! Where parsers put what they read, one statement header or transaction at a time.

use crate::model::{Statement, Transaction};

/// Receives a file's content as it is parsed. Every transaction belongs to the
/// statement most recently passed to [`Sink::statement`].
pub trait Sink {
    fn statement(&mut self, statement: Statement);
    fn transaction(&mut self, transaction: Transaction);
}

/// A sink that keeps everything in memory: for small files, tests and `check`.
#[derive(Debug, Default)]
pub struct Collect {
    pub statements: Vec<(Statement, Vec<Transaction>)>,
    /// Transactions that arrived before any statement (a parser bug if non-zero).
    pub orphans: Vec<Transaction>,
}

impl Collect {
    pub fn transactions(&self) -> impl Iterator<Item = &Transaction> {
        self.statements.iter().flat_map(|(_, txs)| txs.iter())
    }
}

impl Sink for Collect {
    fn statement(&mut self, statement: Statement) {
        self.statements.push((statement, Vec::new()));
    }

    fn transaction(&mut self, transaction: Transaction) {
        match self.statements.last_mut() {
            Some((_, transactions)) => transactions.push(transaction),
            None => self.orphans.push(transaction),
        }
    }
}
