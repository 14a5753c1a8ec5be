//! Reading an import CSV row by row with errors that name line, column and value.

use std::fmt;

/// One bad value in an import file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub column: String,
    pub value: String,
    pub why: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {} (found {:?})",
            self.line, self.column, self.why, self.value
        )
    }
}

/// An import file that was refused whole, with every problem found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ImportError {
    pub file: String,
    pub errors: Vec<RowError>,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} problem(s), nothing imported",
            self.file,
            self.errors.len()
        )?;
        for error in &self.errors {
            write!(f, "\n  {error}")?;
        }
        Ok(())
    }
}

/// Reads all records of `bytes`, checking the header is exactly `expected`.
/// Yields `(line, fields)` per non-empty row.
pub(crate) fn read_rows(
    bytes: &[u8],
    expected: &[&str],
    errors: &mut Vec<RowError>,
) -> Vec<(u64, Vec<String>)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rows = Vec::new();
    let mut header_seen = false;
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map(|p| p.line()).unwrap_or(0);
                errors.push(RowError {
                    line,
                    column: "-".into(),
                    value: String::new(),
                    why: format!("not valid CSV: {error}"),
                });
                break;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let fields: Vec<String> = record.iter().map(|f| f.trim().to_owned()).collect();
        if !header_seen {
            header_seen = true;
            if fields != expected {
                errors.push(RowError {
                    line,
                    column: "header".into(),
                    value: fields.join(","),
                    why: format!("expected the header {}", expected.join(",")),
                });
                return rows;
            }
            continue;
        }
        if fields.iter().all(String::is_empty) {
            continue;
        }
        if fields.len() != expected.len() {
            errors.push(RowError {
                line,
                column: "-".into(),
                value: record.iter().collect::<Vec<_>>().join(","),
                why: format!(
                    "expected {} columns, found {}",
                    expected.len(),
                    fields.len()
                ),
            });
            continue;
        }
        rows.push((line, fields));
    }
    if !header_seen {
        errors.push(RowError {
            line: 1,
            column: "header".into(),
            value: String::new(),
            why: format!(
                "the file is empty; expected the header {}",
                expected.join(",")
            ),
        });
    }
    rows
}

/// Splits a `;`-separated list, dropping empty entries and duplicates, sorted.
pub(crate) fn split_list(text: &str) -> Vec<String> {
    let mut values: Vec<String> = text
        .split(';')
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect();
    values.sort();
    values.dedup();
    values
}
