//! `recond invoices import FILE.csv`, header
//! `invoice_id,customer_id,customer_name,amount,currency,issue_date,due_date,open_amount,po_number,discount_pct,discount_days`.

use std::collections::HashSet;

use chrono::NaiveDate;
use parsers::money::{parse_plain_decimal, Currency, Money};
use rust_decimal::Decimal;

use super::rows::{read_rows, ImportError, RowError};
use super::ImportSummary;
use crate::store::customers;
use crate::store::invoices::{self, InvoiceRecord};

/// The header, exactly. Tooling outside this repo writes it.
pub const HEADER: [&str; 11] = [
    "invoice_id",
    "customer_id",
    "customer_name",
    "amount",
    "currency",
    "issue_date",
    "due_date",
    "open_amount",
    "po_number",
    "discount_pct",
    "discount_days",
];

struct Row<'a> {
    line: u64,
    errors: &'a mut Vec<RowError>,
}

impl Row<'_> {
    fn fail(&mut self, column: &str, value: &str, why: impl Into<String>) {
        self.errors.push(RowError {
            line: self.line,
            column: column.into(),
            value: value.into(),
            why: why.into(),
        });
    }

    fn date(&mut self, column: &str, value: &str, required: bool) -> Option<NaiveDate> {
        if value.is_empty() {
            if required {
                self.fail(column, value, "a date is required (YYYY-MM-DD)");
            }
            return None;
        }
        let parsed = NaiveDate::parse_from_str(value, "%Y-%m-%d").ok();
        if parsed.is_none() {
            self.fail(column, value, "expected an ISO date YYYY-MM-DD");
        }
        parsed
    }

    fn money(&mut self, column: &str, value: &str, currency: Option<Currency>) -> Option<Money> {
        let Some(amount) = parse_plain_decimal(value) else {
            self.fail(
                column,
                value,
                "expected a decimal amount with '.' such as 1250.00",
            );
            return None;
        };
        if amount.is_sign_negative() {
            self.fail(column, value, "must not be negative");
            return None;
        }
        let money = Money::new(amount, currency?);
        if let Err(error) = money.to_minor() {
            self.fail(column, value, error.to_string());
            return None;
        }
        Some(money)
    }
}

/// Checks every row; returns the records or every problem found.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Vec<InvoiceRecord>, ImportError> {
    let mut errors = Vec::new();
    let rows = read_rows(bytes, &HEADER, &mut errors);
    let mut seen = HashSet::new();
    let mut records = Vec::with_capacity(rows.len());
    for (line, fields) in rows {
        let mut row = Row {
            line,
            errors: &mut errors,
        };
        let [invoice_id, customer_id, customer_name, amount, currency, issue_date, due_date, open_amount, po_number, discount_pct, discount_days] =
            <[String; 11]>::try_from(fields).unwrap_or_default();
        if invoice_id.is_empty() {
            row.fail("invoice_id", "", "invoice_id must not be empty");
        } else if !seen.insert(invoice_id.clone()) {
            row.fail(
                "invoice_id",
                &invoice_id,
                "invoice_id appears twice in the file",
            );
        }
        if customer_id.is_empty() {
            row.fail("customer_id", "", "customer_id must not be empty");
        }
        let currency_parsed = match Currency::from_code(&currency) {
            Ok(c) => Some(c),
            Err(_) => {
                row.fail(
                    "currency",
                    &currency,
                    "expected an ISO 4217 currency code such as USD",
                );
                None
            }
        };
        let amount_parsed = row.money("amount", &amount, currency_parsed);
        let open_parsed = if open_amount.is_empty() {
            amount_parsed
        } else {
            row.money("open_amount", &open_amount, currency_parsed)
        };
        if let (Some(total), Some(open)) = (amount_parsed, open_parsed) {
            if open.amount > total.amount {
                row.fail(
                    "open_amount",
                    &open_amount,
                    format!("must not exceed the amount {}", amount),
                );
            }
        }
        let issue = row.date("issue_date", &issue_date, true);
        let due = row.date("due_date", &due_date, false);
        if let (Some(issue), Some(due)) = (issue, due) {
            if due < issue {
                row.fail(
                    "due_date",
                    &due_date,
                    format!("must not be before the issue date {issue}"),
                );
            }
        }
        let pct = if discount_pct.is_empty() {
            None
        } else {
            match parse_plain_decimal(&discount_pct) {
                Some(p) if p > Decimal::ZERO && p < Decimal::ONE_HUNDRED => Some(p),
                _ => {
                    row.fail(
                        "discount_pct",
                        &discount_pct,
                        "expected a percentage between 0 and 100 such as 2 or 1.5",
                    );
                    None
                }
            }
        };
        let days = if discount_days.is_empty() {
            None
        } else {
            match discount_days.parse::<u32>() {
                Ok(d) if d <= 3650 => Some(d),
                _ => {
                    row.fail(
                        "discount_days",
                        &discount_days,
                        "expected a whole number of days such as 10",
                    );
                    None
                }
            }
        };
        if discount_pct.is_empty() != discount_days.is_empty() {
            row.fail(
                "discount_days",
                &discount_days,
                "discount_pct and discount_days go together: give both or neither",
            );
        }
        if let (Some(amount), Some(open_amount), Some(issue_date)) =
            (amount_parsed, open_parsed, issue)
        {
            records.push(InvoiceRecord {
                invoice_id,
                customer_name: if customer_name.is_empty() {
                    customer_id.clone()
                } else {
                    customer_name
                },
                customer_id,
                amount,
                open_amount,
                issue_date,
                due_date: due,
                po_number: (!po_number.is_empty()).then_some(po_number),
                discount_pct: pct,
                discount_days: days,
            });
        }
    }
    if errors.is_empty() {
        Ok(records)
    } else {
        Err(ImportError {
            file: file.to_owned(),
            errors,
        })
    }
}

/// Stores checked records through `conn`; customers the file names but the store does
/// not know yet are created from `customer_id` and `customer_name`.
pub async fn store(
    conn: &mut sqlx::AnyConnection,
    records: &[InvoiceRecord],
) -> anyhow::Result<ImportSummary> {
    let mut named: Vec<(&str, &str)> = records
        .iter()
        .map(|r| (r.customer_id.as_str(), r.customer_name.as_str()))
        .collect();
    named.sort();
    named.dedup_by(|a, b| a.0 == b.0);
    customers::ensure_many(conn, &named).await?;
    let counts = invoices::upsert_many(conn, records).await?;
    Ok(ImportSummary {
        rows: records.len(),
        inserted: counts.inserted,
        updated: counts.updated,
        unchanged: counts.unchanged,
    })
}

#[cfg(test)]
mod tests {
    const HEADER_LINE: &str = "invoice_id,customer_id,customer_name,amount,currency,issue_date,due_date,open_amount,po_number,discount_pct,discount_days\n";

    #[test]
    fn empty_open_amount_means_amount() {
        let text =
            format!("{HEADER_LINE}INV-1,C1,Acme,1250.00,USD,2026-10-01,2026-10-31,,PO-9,2,10\n");
        let records = super::parse("i.csv", text.as_bytes()).unwrap();
        assert_eq!(records[0].open_amount, records[0].amount);
        assert_eq!(records[0].discount_days, Some(10));
    }

    #[test]
    fn every_bad_value_is_reported_with_line_and_column() {
        let text = format!(
            "{HEADER_LINE}INV-1,C1,Acme,12.345,USD,2026-10-01,,,,,\nINV-2,C1,Acme,10,US,2026-02-30,,,,2,\nINV-3,C1,Acme,10,USD,2026-10-01,,11,,,\n"
        );
        let error = super::parse("i.csv", text.as_bytes()).unwrap_err();
        let found: Vec<(u64, &str)> = error
            .errors
            .iter()
            .map(|e| (e.line, e.column.as_str()))
            .collect();
        assert_eq!(
            found,
            vec![
                (2, "amount"),
                (3, "currency"),
                (3, "issue_date"),
                (3, "discount_days"),
                (4, "open_amount")
            ],
            "{error}"
        );
    }
}
