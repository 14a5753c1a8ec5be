//! The recond-gen binary: `generate` a scenario, `score` recond on it.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
use recond_gen::cases::Case;
use recond_gen::generate::{generate, Settings};
use recond_gen::score::{self, report, run};

/// Realistic cash-application scenarios for recond, and a scorer that runs the real
/// pipeline on them and compares with the truth.
#[derive(Debug, Parser)]
#[command(name = "recond-gen", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write customers, invoices per day, bank files per day (CAMT.053, BAI2, NACHA,
    /// CSV), truth.csv and scenario.json into DIR. The same seed gives the same bytes.
    Generate {
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Bank transactions to generate (all cases, non-AR included).
        #[arg(long, default_value_t = 1000)]
        payments: usize,
        /// Business days of bank files.
        #[arg(long, default_value_t = 5)]
        days: u32,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Transactions per bank file before a day's file of one format is split.
        #[arg(long, default_value_t = 20_000)]
        file_transactions_max: usize,
    },
    /// Replay DIR through recond (import customers and each day's invoices, ingest each
    /// day's bank files with --today = that day) and compare the exports with truth.csv.
    Score {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// Database URL [default: a fresh SQLite file in DIR/.score]; must be empty.
        #[arg(long, value_name = "URL")]
        db: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Exit non-zero when recond made any wrong automatic application.
        #[arg(long)]
        fail_on_wrong: bool,
        /// Exit non-zero when the overall auto-apply rate (0-1) is below this.
        #[arg(long, value_name = "RATE")]
        min_auto_apply: Option<f64>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Json,
}

fn main() -> ExitCode {
    match run_cli(Cli::parse()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run_cli(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Generate {
            seed,
            payments,
            days,
            out,
            file_transactions_max,
        } => {
            let started = Instant::now();
            let scenario = generate(
                &Settings {
                    seed,
                    payments,
                    days,
                    file_transactions_max,
                },
                &out,
            )?;
            let seconds = started.elapsed().as_secs_f64();
            eprintln!(
                "generated {} transactions over {} days ({} customers, {} invoices, {} bank files) in {:.2} s ({:.0} payments/s)",
                scenario.payments,
                scenario.days,
                scenario.customers,
                scenario.invoices,
                scenario.bank_files.values().sum::<usize>(),
                seconds,
                scenario.payments as f64 / seconds.max(1e-9)
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Score {
            dir,
            db,
            format,
            fail_on_wrong,
            min_auto_apply,
        } => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            let actual = runtime.block_on(run::run(&dir, db, &mut std::io::stderr()))?;
            for (file, reason) in &actual.rejected {
                eprintln!("rejected {file}: {reason}");
            }
            let truth = run::read_truth(&dir)?;
            let order: Vec<&str> = Case::ALL.iter().map(|c| c.as_str()).collect();
            let report = score::compare(
                &truth,
                &actual.payments,
                &actual.applications,
                &actual.exceptions,
                &order,
            );
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            match format {
                Format::Table => report::write_table(&report, &mut out)?,
                Format::Json => report::write_json(&report, &mut out)?,
            }
            let mut failed = false;
            if fail_on_wrong && report.overall.wrong > 0 {
                eprintln!(
                    "failed: {} wrong automatic applications",
                    report.overall.wrong
                );
                failed = true;
            }
            if let Some(minimum) = min_auto_apply {
                let rate = report.overall.auto_apply_rate().unwrap_or(0.0);
                if rate < minimum {
                    eprintln!("failed: auto-apply rate {rate:.3} is below {minimum}");
                    failed = true;
                }
            }
            Ok(if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}
