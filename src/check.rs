//! `recond check FILE...`: parse and validate bank files without storing anything,
//! and summarise each one for operations (counts, totals per currency, balances,
//! diagnostics). The JSON keys are a public contract.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use parsers::model::Direction;
use parsers::money::format_amount;
use parsers::{Currency, Sink, Statement, Transaction};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::config::Config;

/// Counts and totals over every entry the file reports, whatever its status, so they
/// can be held against the bank's own control totals. Keeps nothing else in memory.
#[derive(Debug, Default)]
struct Tally {
    statements: usize,
    accounts: BTreeSet<String>,
    transactions: usize,
    credit_count: usize,
    debit_count: usize,
    credit_total: BTreeMap<Currency, Decimal>,
    debit_total: BTreeMap<Currency, Decimal>,
    balances: Vec<BalanceLine>,
}

#[derive(Debug, Serialize)]
struct BalanceLine {
    statement: String,
    account: String,
    opening: Option<String>,
    closing: Option<String>,
}

impl Sink for Tally {
    fn statement(&mut self, statement: Statement) {
        self.statements += 1;
        self.accounts.insert(statement.account.number.clone());
        if statement.opening_balance.is_some() || statement.closing_balance.is_some() {
            self.balances.push(BalanceLine {
                statement: statement.id.clone(),
                account: statement.account.number.clone(),
                opening: statement.opening_balance.map(|m| m.to_string()),
                closing: statement.closing_balance.map(|m| m.to_string()),
            });
        }
    }

    fn transaction(&mut self, transaction: &Transaction) {
        self.transactions += 1;
        let (count, totals) = match transaction.direction {
            Direction::Credit => (&mut self.credit_count, &mut self.credit_total),
            Direction::Debit => (&mut self.debit_count, &mut self.debit_total),
        };
        *count += 1;
        *totals.entry(transaction.amount.currency).or_default() += transaction.amount.amount;
    }
}

#[derive(Debug, Serialize)]
struct DiagnosticLine {
    severity: &'static str,
    code: &'static str,
    line: u64,
    message: String,
}

/// The per-file summary; serialised as one JSON line per file.
#[derive(Debug, Serialize)]
pub struct CheckSummary {
    file: String,
    format: Option<&'static str>,
    version: Option<String>,
    valid: bool,
    statements: usize,
    accounts: usize,
    transactions: usize,
    credit_count: usize,
    debit_count: usize,
    credit_total: BTreeMap<String, String>,
    debit_total: BTreeMap<String, String>,
    balances: Vec<BalanceLine>,
    diagnostics: Vec<DiagnosticLine>,
    diagnostics_dropped: usize,
}

impl CheckSummary {
    pub fn is_valid(&self) -> bool {
        self.valid
    }
}

fn totals(map: &BTreeMap<Currency, Decimal>) -> BTreeMap<String, String> {
    map.iter()
        .map(|(c, a)| (c.code().to_owned(), format_amount(*a, *c)))
        .collect()
}

/// Parses one file, streaming, and summarises it.
pub fn check_file(config: &Config, path: &Path) -> anyhow::Result<CheckSummary> {
    let file = std::fs::File::open(path)
        .map_err(|e| anyhow::anyhow!("could not open {}: {e}", path.display()))?;
    let mut reader = BufReader::with_capacity(256 * 1024, file);
    let prefix = reader.fill_buf()?.to_vec();
    let options = config.parser_options_for(&prefix);
    let mut tally = Tally::default();
    let name = path.display().to_string();
    let Some(report) = parsers::detect_and_parse(reader, &options, &mut tally) else {
        return Ok(CheckSummary {
            file: name,
            format: None,
            version: None,
            valid: false,
            statements: 0,
            accounts: 0,
            transactions: 0,
            credit_count: 0,
            debit_count: 0,
            credit_total: BTreeMap::new(),
            debit_total: BTreeMap::new(),
            balances: Vec::new(),
            diagnostics: vec![DiagnosticLine {
                severity: "error",
                code: parsers::diagnostic::codes::UNKNOWN_FORMAT.as_str(),
                line: 1,
                message: "the content is not a format recond reads (CAMT.052/053/054, BAI2, NACHA, X12 820, or CSV with the default header or a configured profile)".into(),
            }],
            diagnostics_dropped: 0,
        });
    };
    Ok(CheckSummary {
        file: name,
        format: Some(report.format.as_str()),
        version: report.version.clone(),
        valid: report.is_valid(),
        statements: tally.statements,
        accounts: tally.accounts.len(),
        transactions: tally.transactions,
        credit_count: tally.credit_count,
        debit_count: tally.debit_count,
        credit_total: totals(&tally.credit_total),
        debit_total: totals(&tally.debit_total),
        balances: tally.balances,
        diagnostics: report
            .diagnostics
            .iter()
            .map(|d| DiagnosticLine {
                severity: d.severity.as_str(),
                code: d.code.as_str(),
                line: d.position.line,
                message: d.to_string(),
            })
            .collect(),
        diagnostics_dropped: report.diagnostics_dropped,
    })
}

/// Prints a summary for a person.
pub fn write_human(summary: &CheckSummary, out: &mut dyn Write) -> anyhow::Result<()> {
    let verdict = if summary.valid { "valid" } else { "INVALID" };
    writeln!(
        out,
        "{}: {} ({}{})",
        summary.file,
        verdict,
        summary.format.unwrap_or("unknown format"),
        summary
            .version
            .as_ref()
            .map(|v| format!(", {v}"))
            .unwrap_or_default()
    )?;
    writeln!(
        out,
        "  statements {}, accounts {}, transactions {}",
        summary.statements, summary.accounts, summary.transactions
    )?;
    let join = |m: &BTreeMap<String, String>| {
        if m.is_empty() {
            "-".to_owned()
        } else {
            m.iter()
                .map(|(c, a)| format!("{a} {c}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    writeln!(
        out,
        "  credits {:>6}  {}",
        summary.credit_count,
        join(&summary.credit_total)
    )?;
    writeln!(
        out,
        "  debits  {:>6}  {}",
        summary.debit_count,
        join(&summary.debit_total)
    )?;
    for balance in &summary.balances {
        writeln!(
            out,
            "  balance {} {}: opening {}, closing {}",
            balance.account,
            balance.statement,
            balance.opening.as_deref().unwrap_or("-"),
            balance.closing.as_deref().unwrap_or("-")
        )?;
    }
    for diagnostic in &summary.diagnostics {
        writeln!(out, "  {}", diagnostic.message)?;
    }
    if summary.diagnostics_dropped > 0 {
        writeln!(
            out,
            "  … and {} more diagnostics (raise limits.diagnostics_max to see them)",
            summary.diagnostics_dropped
        )?;
    }
    Ok(())
}
