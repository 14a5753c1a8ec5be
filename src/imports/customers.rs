//! `recond customers import FILE.csv`, header `customer_id,name,aliases,bank_accounts`.

use std::collections::HashSet;

use super::rows::{read_rows, split_list, ImportError, RowError};
use super::ImportSummary;
use crate::store::customers::{self, CustomerRecord};

/// The header, exactly. Tooling outside this repo writes it.
pub const HEADER: [&str; 4] = ["customer_id", "name", "aliases", "bank_accounts"];

/// Checks every row; returns the records or every problem found.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Vec<CustomerRecord>, ImportError> {
    let mut errors = Vec::new();
    let rows = read_rows(bytes, &HEADER, &mut errors);
    let mut seen = HashSet::new();
    let mut records = Vec::with_capacity(rows.len());
    for (line, fields) in rows {
        let error = |column: &str, value: &str, why: &str| RowError {
            line,
            column: column.into(),
            value: value.into(),
            why: why.into(),
        };
        let [customer_id, name, aliases, bank_accounts] =
            <[String; 4]>::try_from(fields).unwrap_or_default();
        if customer_id.is_empty() {
            errors.push(error("customer_id", "", "customer_id must not be empty"));
        } else if !seen.insert(customer_id.clone()) {
            errors.push(error(
                "customer_id",
                &customer_id,
                "customer_id appears twice in the file",
            ));
        }
        if name.is_empty() {
            errors.push(error("name", "", "name must not be empty"));
        }
        records.push(CustomerRecord {
            customer_id,
            name,
            aliases: split_list(&aliases),
            bank_accounts: split_list(&bank_accounts)
                .into_iter()
                .map(|a| a.replace(' ', ""))
                .collect(),
        });
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

/// Stores checked records through `conn` (inside the caller's transaction).
pub async fn store(
    conn: &mut sqlx::AnyConnection,
    records: &[CustomerRecord],
) -> anyhow::Result<ImportSummary> {
    let mut summary = ImportSummary::default();
    for record in records {
        summary.count(customers::upsert(conn, record).await?);
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_bad_row_is_reported() {
        let text = "customer_id,name,aliases,bank_accounts\nC1,Acme,ACME CORP;Acme Inc,\n,NoId,,\nC1,Dup,,\nC3,,,\n";
        let error = super::parse("c.csv", text.as_bytes()).unwrap_err();
        let lines: Vec<u64> = error.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5], "{error}");
    }

    #[test]
    fn header_must_be_exact() {
        let error = super::parse("c.csv", b"id,name\n").unwrap_err();
        assert!(
            error
                .to_string()
                .contains("expected the header customer_id,name,aliases,bank_accounts"),
            "{error}"
        );
    }
}
