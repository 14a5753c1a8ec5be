//! The recond binary: parse the command line, load the configuration, dispatch, and
//! print errors with their whole chain of context.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use recond::cli::{Cli, Command, ConfigAction, ImportAction};
use recond::commands::{self, ImportKind};
use recond::config::{Config, Overrides};
use recond::imports::ImportError;
use recond::store::Store;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: could not start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(error) => {
            if let Some(import_error) = error.downcast_ref::<ImportError>() {
                eprintln!("error: {import_error}");
            } else {
                eprintln!("error: {error:#}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let overrides = Overrides {
        data_dir: cli.data_dir.clone(),
        database_url: cli.db.clone(),
        listen: match &cli.command {
            Command::Serve { listen } => listen.clone(),
            _ => None,
        },
    };
    let today = cli
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if let Command::Demo(args) = &cli.command {
        commands::demo(&args.dir, &mut out).await?;
        return Ok(ExitCode::SUCCESS);
    }
    let config = Config::load(cli.config.as_deref(), &overrides)?;
    match cli.command {
        Command::Config {
            action: ConfigAction::Validate,
        } => {
            writeln!(out, "configuration is valid")?;
            writeln!(out, "data_dir      {}", config.data_dir.display())?;
            writeln!(
                out,
                "database_url  {}",
                recond::store::redact(&config.database_url)
            )?;
            writeln!(
                out,
                "csv_profiles  {}",
                config
                    .csv_profiles
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { files, format } => {
            let valid = commands::check_files(&config, &files, format, &mut out)?;
            Ok(if valid {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Customers {
            action: ImportAction::Import { file },
        } => import(&config, ImportKind::Customers, &file, today, &mut out).await,
        Command::Invoices {
            action: ImportAction::Import { file },
        } => import(&config, ImportKind::Invoices, &file, today, &mut out).await,
        Command::Ingest { files } => {
            let store = Store::connect(&config.database_url).await?;
            let reports = commands::ingest_files(&store, &config, &files, today).await?;
            commands::ingest_table(&reports)
                .write(recond::output::OutputFormat::Table, &mut out)?;
            for report in &reports {
                if let Some(reason) = &report.reason {
                    eprintln!("rejected {}: {reason}", report.file_name);
                }
            }
            store.close().await;
            Ok(if commands::any_rejected(&reports) {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Export {
            what,
            format,
            output,
        } => {
            let store = Store::connect(&config.database_url).await?;
            let table = commands::export(&store, what).await?;
            match output {
                Some(path) => {
                    let mut file = std::fs::File::create(&path)
                        .map_err(|e| anyhow::anyhow!("could not create {}: {e}", path.display()))?;
                    table.write(format, &mut file)?;
                }
                None => table.write(format, &mut out)?,
            }
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { .. } => {
            recond::telemetry::init(config.daemon.log_format);
            recond::daemon::serve(config).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Files { outcome, format } => {
            let store = Store::connect(&config.database_url).await?;
            let table = commands::files_table(&store, outcome.map(|o| o.as_str())).await?;
            table.write(format, &mut out)?;
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Exceptions { format } => {
            let store = Store::connect(&config.database_url).await?;
            let table = commands::exceptions_table(&store).await?;
            table.write(format, &mut out)?;
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Status { format } => {
            let store = Store::connect(&config.database_url).await?;
            let table = commands::status_table(&store, &config).await?;
            table.write(format, &mut out)?;
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo(_) => unreachable!("handled before loading the configuration"),
    }
}

async fn import(
    config: &Config,
    kind: ImportKind,
    file: &std::path::Path,
    today: chrono::NaiveDate,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let store = Store::connect(&config.database_url).await?;
    let result = commands::import(&store, config, kind, file, today).await;
    store.close().await;
    let (summary, run) = result?;
    commands::print_import(kind, &summary, &run, out)?;
    Ok(ExitCode::SUCCESS)
}
