//! Where parsers put what they read, one statement header or transaction at a time.

use crate::model::{Statement, Transaction};

/// Receives a file's content as it is parsed. Every transaction belongs to the
/// statement most recently passed to [`Sink::statement`].
///
/// A transaction is lent, not given, and its texts may borrow the reader's buffer of
/// the record being read (the line formats lend texts that are slices of the record;
/// CAMT and X12 refill one record per file and keep its strings' storage), so that
/// reading a file neither copies nor allocates its texts again and again. A sink that
/// keeps transactions takes [`Transaction::to_owned_transaction`] (like
/// `csv::Reader::read_byte_record`, whose record the caller reuses). Statements are
/// few and are handed over owned.
pub trait Sink {
    fn statement(&mut self, statement: Statement);
    fn transaction(&mut self, transaction: &Transaction<'_>);
}

/// A sink that keeps everything in memory: for small files, tests and `check`.
#[derive(Debug, Default)]
pub struct Collect {
    pub statements: Vec<(Statement, Vec<Transaction<'static>>)>,
    /// Transactions that arrived before any statement (a parser bug if non-zero).
    pub orphans: Vec<Transaction<'static>>,
}

impl Collect {
    pub fn transactions(&self) -> impl Iterator<Item = &Transaction<'static>> {
        self.statements.iter().flat_map(|(_, txs)| txs.iter())
    }
}

impl Sink for Collect {
    fn statement(&mut self, statement: Statement) {
        self.statements.push((statement, Vec::new()));
    }

    fn transaction(&mut self, transaction: &Transaction<'_>) {
        let transaction = transaction.to_owned_transaction();
        match self.statements.last_mut() {
            Some((_, transactions)) => transactions.push(transaction),
            None => self.orphans.push(transaction),
        }
    }
}

impl Collect {
    /// A stable, line-oriented text rendering of everything collected, for golden
    /// `.expected` files. One line per statement and per transaction; remittance lines
    /// and items indented below their transaction.
    pub fn dump(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let opt = |value: Option<&str>| value.unwrap_or("-").to_owned();
        let date = |value: &Option<chrono::NaiveDate>| {
            value
                .map(|d| d.to_string())
                .unwrap_or_else(|| "-".to_owned())
        };
        let money = |value: &Option<crate::Money>| {
            value
                .map(|m| m.to_string())
                .unwrap_or_else(|| "-".to_owned())
        };
        for (statement, transactions) in &self.statements {
            let account = &statement.account;
            let _ = writeln!(
                out,
                "statement id={:?} account={:?} servicer={} currency={} opening={} closing={} from={} to={} line={}",
                statement.id,
                account.number,
                opt(account.servicer.as_deref()),
                account.currency.map(|c| c.to_string()).unwrap_or_else(|| "-".to_owned()),
                money(&statement.opening_balance),
                money(&statement.closing_balance),
                date(&statement.from_date),
                date(&statement.to_date),
                statement.position.line,
            );
            for tx in transactions {
                let _ = writeln!(
                    out,
                    "  {} {} {} booked={} value={} bank_ref={:?} e2e={} cust_ref={} trace={} payer={:?} payer_account={} code={} reversal={} line={}",
                    tx.direction.as_str(),
                    tx.amount,
                    tx.status.as_str(),
                    date(&tx.booking_date),
                    date(&tx.value_date),
                    tx.bank_ref,
                    opt(tx.end_to_end_id.as_deref()),
                    opt(tx.customer_ref.as_deref()),
                    opt(tx.trace_number.as_deref()),
                    tx.payer_name.as_deref().unwrap_or(""),
                    opt(tx.payer_account.as_deref()),
                    opt(tx.bank_tx_code.as_deref()),
                    tx.reversal,
                    tx.position.line,
                );
                for line in &tx.remittance.lines {
                    let _ = writeln!(out, "    text {line:?}");
                }
                for item in &tx.remittance.items {
                    let _ = writeln!(
                        out,
                        "    item {:?} {:?} paid={} total={} discount={}",
                        item.kind,
                        item.reference,
                        money(&item.paid),
                        money(&item.document_total),
                        money(&item.discount),
                    );
                }
                if let Some(ret) = &tx.return_info {
                    let _ = writeln!(
                        out,
                        "    return of {} reason {}",
                        ret.original_trace, ret.reason_code
                    );
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::{Format, Options};

    /// Counts the texts lent borrowed and those lent owned.
    #[derive(Default)]
    struct Borrowing {
        borrowed: usize,
        owned: usize,
    }

    impl Borrowing {
        // The `Cow` itself is what is looked at, not the text.
        #[allow(clippy::ptr_arg)]
        fn see(&mut self, text: &Cow<'_, str>) {
            match text {
                Cow::Borrowed(_) => self.borrowed += 1,
                Cow::Owned(_) => self.owned += 1,
            }
        }
    }

    impl Sink for Borrowing {
        fn statement(&mut self, _: Statement) {}

        fn transaction(&mut self, tx: &Transaction<'_>) {
            self.see(&tx.bank_ref);
            for text in [&tx.customer_ref, &tx.payer_name, &tx.trace_number]
                .into_iter()
                .flatten()
            {
                self.see(text);
            }
            for line in &tx.remittance.lines {
                self.see(line);
            }
            for item in &tx.remittance.items {
                self.see(&item.reference);
            }
        }
    }

    fn lent(format: Format, bytes: &[u8], options: &Options) -> Borrowing {
        let mut sink = Borrowing::default();
        let report = crate::parse(format, bytes, options, &mut sink);
        assert!(report.is_valid(), "{:?}", report.diagnostics);
        sink
    }

    /// The line formats lend texts that borrow the record they read: nothing is copied
    /// per field (the point of `Transaction<'a>`).
    #[test]
    fn line_formats_lend_borrowed_texts() {
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
        let read = |path: &str| std::fs::read(fixtures.join(path)).unwrap();
        let options = Options::default();
        for (format, path) in [
            (Format::Bai2, "bai2/ok/0003-continuations.bai"),
            (Format::Nacha, "nacha/ok/0001-ccd-plus-rmr.ach"),
        ] {
            let sink = lent(format, &read(path), &options);
            assert!(sink.borrowed > 0, "{path}");
            assert_eq!(sink.owned, 0, "{path}");
        }
        let options = Options {
            csv_profile: Some(crate::csv_profile::CsvProfile::default_profile()),
            ..Options::default()
        };
        let csv = b"booking_date,value_date,amount,currency,bank_ref,payer_name,payer_account,description\n\
                    2026-11-02,,12.50,EUR,R1,ACME,DE00,INV-1\n";
        let sink = lent(Format::Csv, csv, &options);
        assert_eq!((sink.borrowed, sink.owned), (3, 0));
    }
}
