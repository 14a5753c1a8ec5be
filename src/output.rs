//! Rendering rows for people (aligned tables) and machines (CSV, JSON).

use std::io::Write;

use clap::ValueEnum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns for a terminal.
    Table,
    /// RFC 4180 CSV with a header line.
    Csv,
    /// A JSON array of objects keyed by the column names.
    Json,
}

/// Named columns and string cells: the common shape of every listing.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&'static str]) -> Table {
        Table {
            headers: headers.to_vec(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<String>) {
        debug_assert_eq!(row.len(), self.headers.len());
        self.rows.push(row);
    }

    pub fn write(&self, format: OutputFormat, out: &mut dyn Write) -> anyhow::Result<()> {
        match format {
            OutputFormat::Table => self.write_aligned(out),
            OutputFormat::Csv => {
                let mut writer = csv::Writer::from_writer(out);
                writer.write_record(&self.headers)?;
                for row in &self.rows {
                    writer.write_record(row)?;
                }
                writer.flush()?;
                Ok(())
            }
            OutputFormat::Json => {
                let objects: Vec<serde_json::Map<String, serde_json::Value>> = self
                    .rows
                    .iter()
                    .map(|row| {
                        self.headers
                            .iter()
                            .zip(row)
                            .map(|(h, v)| (h.to_string(), serde_json::Value::String(v.clone())))
                            .collect()
                    })
                    .collect();
                serde_json::to_writer_pretty(&mut *out, &objects)?;
                writeln!(out)?;
                Ok(())
            }
        }
    }

    /// Numbers (cells that parse as decimals) align right, text left.
    fn write_aligned(&self, out: &mut dyn Write) -> anyhow::Result<()> {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let numeric: Vec<bool> = (0..self.headers.len())
            .map(|i| {
                !self.rows.is_empty()
                    && self.rows.iter().all(|row| {
                        row[i].is_empty() || parsers::money::parse_plain_decimal(&row[i]).is_some()
                    })
            })
            .collect();
        let line = |cells: Vec<&str>| -> String {
            let padded: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(i, cell)| {
                    if numeric[i] {
                        format!("{cell:>w$}", w = widths[i])
                    } else {
                        format!("{cell:<w$}", w = widths[i])
                    }
                })
                .collect();
            padded.join("  ").trim_end().to_owned()
        };
        writeln!(out, "{}", line(self.headers.clone()))?;
        writeln!(
            out,
            "{}",
            widths
                .iter()
                .map(|w| "-".repeat(*w))
                .collect::<Vec<_>>()
                .join("  ")
        )?;
        for row in &self.rows {
            writeln!(out, "{}", line(row.iter().map(String::as_str).collect()))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_line_up() {
        let mut table = Table::new(&["file", "amount"]);
        table.push(vec!["a.csv".into(), "5.00".into()]);
        table.push(vec!["bank.xml".into(), "1250.00".into()]);
        let mut out = Vec::new();
        table.write(OutputFormat::Table, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "file       amount\n--------  -------\na.csv        5.00\nbank.xml  1250.00\n"
        );
    }

    #[test]
    fn json_keys_are_the_headers() {
        let mut table = Table::new(&["a", "b"]);
        table.push(vec!["1".into(), "x".into()]);
        let mut out = Vec::new();
        table.write(OutputFormat::Json, &mut out).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value[0]["b"], "x");
    }
}
