//! The command line: names, flags and help text. Tooling outside this repo drives
//! recond through these commands, so names and output columns are stable.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::output::OutputFormat;

/// recond reconciles bank activity with accounts receivable: it parses bank files
/// (CAMT.053, BAI2, NACHA, CSV), applies incoming payments to open invoices, and keeps
/// what it cannot apply with confidence as exceptions for AR clerks.
///
/// A first run: `recond demo` loads sample customers, invoices and bank files into
/// ./recond-demo and shows what was applied.
#[derive(Debug, Parser)]
#[command(name = "recond", version, propagate_version = true)]
pub struct Cli {
    /// Database URL: sqlite://PATH or postgres://USER:PASSWORD@HOST/DB
    /// [default: sqlite://DATA_DIR/recond.db]
    #[arg(long, global = true, env = "RECOND_DATABASE_URL", value_name = "URL")]
    pub db: Option<String>,

    /// Configuration file (see config.example.toml for every key).
    #[arg(long, global = true, env = "RECOND_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Data directory holding recond.db [default: the working directory].
    #[arg(long, global = true, env = "RECOND_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// The business date for matching (discount windows) [default: today].
    /// Useful to replay past days.
    #[arg(long, global = true, value_name = "YYYY-MM-DD")]
    pub today: Option<NaiveDate>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import customers from the ERP: CSV with header customer_id,name,aliases,bank_accounts.
    Customers {
        #[command(subcommand)]
        action: ImportAction,
    },
    /// Import open invoices from the ERP: CSV with header
    /// invoice_id,customer_id,customer_name,amount,currency,issue_date,due_date,open_amount,po_number,discount_pct,discount_days.
    /// Re-runs matching for every payment not yet fully applied.
    Invoices {
        #[command(subcommand)]
        action: ImportAction,
    },
    /// Ingest bank files: detect the format from the content, parse, store, match.
    /// A file already ingested is recorded as a duplicate and skipped. Exits non-zero
    /// if any file was rejected; the others still go through.
    Ingest {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Validate bank files without storing anything: format, counts, totals per
    /// currency, balances, diagnostics. Exits non-zero if any file is invalid.
    Check {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// `table` for people; `json` prints one object per line per file.
        #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
        format: CheckFormat,
    },
    /// Export payments or applications for the ERP or for analysis.
    Export {
        #[arg(value_enum)]
        what: ExportWhat,
        #[arg(long, value_enum, default_value_t = OutputFormat::Csv)]
        format: OutputFormat,
        /// Write to this file instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Run the service: watch the inbox folders, ingest every complete file exactly
    /// once (archive/YYYY/MM/DD/ or quarantine/ with a .error.txt), take ERP CSVs from
    /// the ERP inbox, re-match nightly, and serve /healthz, /metrics and /api/*.
    /// Stops cleanly on SIGINT or SIGTERM after the current file.
    Serve {
        /// Address for the HTTP API [default: 127.0.0.1:8080, or daemon.listen].
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
    /// List file deliveries: ingested, duplicate, rejected (with the reason).
    Files {
        /// Only deliveries with this outcome.
        #[arg(long, value_enum)]
        outcome: Option<OutcomeFilter>,
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// List the exceptions queue: open exceptions, oldest first, with the reason, the
    /// engine's explanation and its ranked suggestions.
    Exceptions {
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Show counts of files, payments by status, open exceptions by reason, and the
    /// folders the service uses.
    Status {
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Check the configuration file without running anything.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Load the bundled sample customers, invoices and bank files into a fresh
    /// database in DIR and show what recond made of them.
    Demo(DemoArgs),
}

#[derive(Debug, Subcommand)]
pub enum ImportAction {
    /// Import a CSV file (all rows or none).
    Import {
        #[arg(value_name = "FILE.csv")]
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Parse and validate the file given with --config; print the effective settings.
    Validate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportWhat {
    /// One row per bank transaction: source_file,bank_ref,booking_date,amount,currency,payer_name,status,unapplied_amount,exception_reason
    Payments,
    /// One row per active application: source_file,bank_ref,invoice_id,applied_amount,writeoff_amount,writeoff_reason,rule,confidence
    Applications,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutcomeFilter {
    Ingested,
    Duplicate,
    Rejected,
}

impl OutcomeFilter {
    pub fn as_str(&self) -> &'static str {
        match self {
            OutcomeFilter::Ingested => "ingested",
            OutcomeFilter::Duplicate => "duplicate",
            OutcomeFilter::Rejected => "rejected",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to put the demo database (it is recreated).
    #[arg(long, default_value = "recond-demo", value_name = "DIR")]
    pub dir: PathBuf,
}
