//! `recond-gen generate`: plans the scenario day by day and streams it to disk:
//! customers.csv, per day the invoices issued (incremental) and the bank files, the
//! truth, and scenario.json. Only one day's transactions are in memory at a time.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Serialize;

use crate::cases::Case;
use crate::payment::{Channel, Payment};
use crate::plan::Planner;
use crate::rng::Rand;
use crate::world::format_cents;
use crate::write::{self, camt, Accounts, Rendered};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Settings {
    pub seed: u64,
    pub payments: usize,
    pub days: u32,
    /// Transactions per bank file before a day's file is split.
    pub file_transactions_max: usize,
}

/// The summary written to scenario.json.
#[derive(Debug, Serialize)]
pub struct Scenario {
    pub generator: String,
    pub seed: u64,
    pub payments: usize,
    pub days: u32,
    pub dates: Vec<String>,
    pub customers: usize,
    pub invoices: usize,
    /// `incremental`: each day's invoices.csv lists only the invoices first loaded that day.
    pub invoices_csv: String,
    pub bank_files: BTreeMap<String, usize>,
    pub duplicate_deliveries: usize,
    /// Transactions per case (`duplicate_file` counts re-delivered transactions).
    pub cases: BTreeMap<String, usize>,
    /// Truth rows per case.
    pub truth_rows: BTreeMap<String, usize>,
}

pub const TRUTH_HEADER: [&str; 8] = [
    "source_file",
    "bank_ref",
    "case",
    "expected_status",
    "invoice_id",
    "applied_amount",
    "writeoff_amount",
    "writeoff_reason",
];

/// A file written on the previous day, a candidate for re-delivery.
struct Delivered {
    name: String,
    path: PathBuf,
    channel: Channel,
    bank_refs: Vec<String>,
}

struct Output {
    truth: ::csv::Writer<BufWriter<File>>,
    scenario: Scenario,
}

impl Output {
    fn truth_rows(&mut self, file: &str, payment: &Payment, bank_ref: &str) -> anyhow::Result<()> {
        *self
            .scenario
            .cases
            .entry(payment.case.as_str().to_owned())
            .or_default() += 1;
        for expect in &payment.expect {
            *self
                .scenario
                .truth_rows
                .entry(payment.case.as_str().to_owned())
                .or_default() += 1;
            self.truth.write_record([
                file,
                bank_ref,
                payment.case.as_str(),
                expect.status,
                &expect.invoice,
                &expect.applied.map(format_cents).unwrap_or_default(),
                &expect.writeoff.map(format_cents).unwrap_or_default(),
                expect.writeoff_reason,
            ])?;
        }
        Ok(())
    }
}

fn day_dir_name(day: u32, days: u32) -> String {
    let width = days.to_string().len().max(2);
    format!("day-{day:0width$}")
}

/// Writes the whole scenario into `out` (created; existing generated files replaced).
pub fn generate(settings: &Settings, out: &Path) -> anyhow::Result<Scenario> {
    anyhow::ensure!(settings.days >= 1, "--days must be at least 1");
    anyhow::ensure!(settings.payments >= 1, "--payments must be at least 1");
    fs::create_dir_all(out).with_context(|| format!("could not create {}", out.display()))?;
    let mut planner = Planner::new(settings.seed, settings.payments, settings.days);
    let mut rng = Rand::new(settings.seed).fork(3);
    let mut accounts = Accounts::new(&mut rng);
    write_customers(&planner, &out.join("customers.csv"))?;
    let truth_path = out.join("truth.csv");
    let mut truth = ::csv::Writer::from_writer(BufWriter::new(
        File::create(&truth_path)
            .with_context(|| format!("could not create {}", truth_path.display()))?,
    ));
    truth.write_record(TRUTH_HEADER)?;
    let mut output = Output {
        truth,
        scenario: Scenario {
            generator: format!("recond-gen {}", env!("CARGO_PKG_VERSION")),
            seed: settings.seed,
            payments: settings.payments,
            days: settings.days,
            dates: planner.dates.iter().map(|d| d.to_string()).collect(),
            customers: planner.customers().len(),
            invoices: 0,
            invoices_csv: "incremental".to_owned(),
            bank_files: BTreeMap::new(),
            duplicate_deliveries: 0,
            cases: BTreeMap::new(),
            truth_rows: BTreeMap::new(),
        },
    };
    let mut previous: Vec<Delivered> = Vec::new();
    let mut control_number = 1u32;
    for day in 1..=settings.days {
        let date = planner.dates[day as usize - 1];
        let day_dir = out.join(day_dir_name(day, settings.days));
        let bank_dir = day_dir.join("bank");
        if day_dir.exists() {
            fs::remove_dir_all(&day_dir)
                .with_context(|| format!("could not clear {}", day_dir.display()))?;
        }
        fs::create_dir_all(&bank_dir)
            .with_context(|| format!("could not create {}", bank_dir.display()))?;
        let payments = planner.plan_day(day);
        output.scenario.invoices += write_invoices(&planner, day, &day_dir.join("invoices.csv"))?;
        planner.loads[day as usize - 1] = Vec::new();

        let mut delivered = Vec::new();
        let stamp = date.format("%Y%m%d").to_string();
        for channel in Channel::ALL {
            let mut mine: Vec<&Payment> =
                payments.iter().filter(|p| p.channel == channel).collect();
            rng.shuffle(&mut mine);
            for (part, chunk) in mine
                .chunks(settings.file_transactions_max.max(1))
                .enumerate()
            {
                let part = part + 1;
                let (name, rendered): (String, Rendered) = match channel {
                    Channel::Camt => {
                        let version = *rng.pick(&camt::Version::ALL);
                        let message_id = format!("MSG{stamp}{part:03}{}", rng.digits(6));
                        (
                            format!("camt053-v{}-{stamp}-{part}.xml", version.tag()),
                            camt::render(
                                version,
                                &mut accounts,
                                &mut rng,
                                date,
                                &message_id,
                                chunk,
                            ),
                        )
                    }
                    Channel::Bai2 => (
                        format!("bai2-{stamp}-{part}.txt"),
                        write::bai2::render(&mut accounts, &mut rng, date, "0630", chunk),
                    ),
                    Channel::Nacha => {
                        let rendered = write::nacha::render(
                            &accounts,
                            &mut rng,
                            date,
                            "0630",
                            'A',
                            control_number,
                            chunk,
                        );
                        control_number += chunk.len() as u32;
                        (format!("ach-{stamp}-{part}.ach"), rendered)
                    }
                    Channel::Csv => (
                        format!("bank-{stamp}-{part}.csv"),
                        write::csv::render(&mut accounts, date, chunk),
                    ),
                };
                let path = bank_dir.join(&name);
                fs::write(&path, &rendered.bytes)
                    .with_context(|| format!("could not write {}", path.display()))?;
                for (payment, bank_ref) in chunk.iter().zip(&rendered.bank_refs) {
                    output.truth_rows(&name, payment, bank_ref)?;
                }
                *output
                    .scenario
                    .bank_files
                    .entry(channel.as_str().to_owned())
                    .or_default() += 1;
                delivered.push(Delivered {
                    name,
                    path,
                    channel,
                    bank_refs: rendered.bank_refs,
                });
            }
        }
        redeliver(&mut rng, &previous, &bank_dir, day, &mut output)?;
        previous = delivered;
        drop(payments);
        planner.end_day();
    }
    output.truth.flush()?;
    let scenario = output.scenario;
    let json = serde_json::to_string_pretty(&scenario)?;
    fs::write(out.join("scenario.json"), format!("{json}\n"))
        .context("could not write scenario.json")?;
    Ok(scenario)
}

/// Re-delivers some of yesterday's files: the same bytes again (day 2 and then now and
/// then), or re-sent with a new header (day 3 and then now and then).
fn redeliver(
    rng: &mut Rand,
    previous: &[Delivered],
    bank_dir: &Path,
    day: u32,
    output: &mut Output,
) -> anyhow::Result<()> {
    if previous.is_empty() {
        return Ok(());
    }
    if day == 2 || rng.chance(200) {
        let file = &previous[rng.below(previous.len())];
        let (stem, ext) = file.name.rsplit_once('.').unwrap_or((&file.name, ""));
        let name = format!("{stem}-redelivered.{ext}");
        fs::copy(&file.path, bank_dir.join(&name))
            .with_context(|| format!("could not copy {}", file.path.display()))?;
        record_duplicate(output, &name, &file.bank_refs)?;
    }
    let resendable: Vec<&Delivered> = previous
        .iter()
        .filter(|f| f.channel != Channel::Csv)
        .collect();
    if !resendable.is_empty() && (day == 3 || rng.chance(150)) {
        let file = resendable[rng.below(resendable.len())];
        let bytes = fs::read(&file.path)
            .with_context(|| format!("could not read {}", file.path.display()))?;
        let resent = new_header(file.channel, &bytes);
        let (stem, ext) = file.name.rsplit_once('.').unwrap_or((&file.name, ""));
        let name = format!("{stem}-resent.{ext}");
        fs::write(bank_dir.join(&name), resent)
            .with_context(|| format!("could not write {name}"))?;
        record_duplicate(output, &name, &file.bank_refs)?;
    }
    Ok(())
}

fn record_duplicate(output: &mut Output, name: &str, bank_refs: &[String]) -> anyhow::Result<()> {
    output.scenario.duplicate_deliveries += 1;
    for bank_ref in bank_refs {
        *output
            .scenario
            .cases
            .entry(Case::DuplicateFile.as_str().to_owned())
            .or_default() += 1;
        *output
            .scenario
            .truth_rows
            .entry(Case::DuplicateFile.as_str().to_owned())
            .or_default() += 1;
        output.truth.write_record([
            name,
            bank_ref,
            Case::DuplicateFile.as_str(),
            "duplicate",
            "",
            "",
            "",
            "",
        ])?;
    }
    Ok(())
}

/// The same content with a new creation time and file id, as a bank re-sends a file.
fn new_header(channel: Channel, bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes).into_owned();
    match channel {
        Channel::Bai2 => {
            let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
            let mut fields: Vec<String> = first.split(',').map(str::to_owned).collect();
            if fields.len() > 5 {
                fields[4] = "1415".to_owned();
                fields[5] = format!("{}", fields[5].parse::<u32>().unwrap_or(0) + 500);
            }
            format!("{}\n{rest}", fields.join(",")).into_bytes()
        }
        Channel::Nacha => {
            let mut out = bytes.to_vec();
            out[29..33].copy_from_slice(b"1415");
            out[33] = if out[33] == b'Z' { b'0' } else { out[33] + 1 };
            out
        }
        Channel::Camt => text
            .replacen("</MsgId>", "R</MsgId>", 1)
            .replacen("T06:30:00</CreDtTm>", "T14:15:00</CreDtTm>", 1)
            .into_bytes(),
        Channel::Csv => bytes.to_vec(),
    }
}

fn write_customers(planner: &Planner, path: &Path) -> anyhow::Result<()> {
    let file =
        File::create(path).with_context(|| format!("could not create {}", path.display()))?;
    let mut writer = ::csv::Writer::from_writer(BufWriter::new(file));
    writer.write_record(recond::imports::customers::HEADER)?;
    for customer in planner.customers() {
        writer.write_record([
            customer.id.as_str(),
            customer.company.name.as_str(),
            &customer.aliases.join(";"),
            &customer.accounts.join(";"),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

fn write_invoices(planner: &Planner, day: u32, path: &Path) -> anyhow::Result<usize> {
    let file =
        File::create(path).with_context(|| format!("could not create {}", path.display()))?;
    let mut writer = ::csv::Writer::from_writer(BufWriter::new(file));
    writer.write_record(recond::imports::invoices::HEADER)?;
    let world = &planner.world;
    let loads = &planner.loads[day as usize - 1];
    for &index in loads {
        let invoice = &world.invoices[index as usize];
        let customer = &world.customers[invoice.customer as usize];
        let (percent, days) = match invoice.discount {
            Some((basis_points, days)) => {
                let percent = if basis_points % 100 == 0 {
                    format!("{}", basis_points / 100)
                } else {
                    format!("{}.{}", basis_points / 100, basis_points % 100 / 10)
                };
                (percent, days.to_string())
            }
            None => (String::new(), String::new()),
        };
        writer.write_record([
            invoice.no.render().as_str(),
            customer.id.as_str(),
            customer.company.name.as_str(),
            &format_cents(invoice.amount),
            customer.currency.code(),
            &invoice.issue.to_string(),
            &invoice.due.to_string(),
            &format_cents(invoice.erp_open),
            &world.po_text(index).unwrap_or_default(),
            &percent,
            &days,
        ])?;
    }
    writer.flush()?;
    Ok(loads.len())
}
