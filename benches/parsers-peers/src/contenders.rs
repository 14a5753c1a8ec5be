//! What runs on each file: recond's reader, the bare tokenizer of the format (the
//! floor no parser can beat), and the crates.io parsers of the format. Each returns
//! the count of what it produced, as a check that it read the whole file.
//!
//! Peers that take `&str` get a string validated before timing, and peers that take
//! an owned `String` get a copy made before timing: both costs are left out, which
//! favours the peers.

use parsers::{Format, Options, Sink, Statement, Transaction};

/// The file as every contender sees it: the same bytes in memory.
pub struct Input {
    pub bytes: Vec<u8>,
    pub text: String,
    /// Transactions recond must emit.
    pub transactions: u64,
}

/// Takes the owned string a peer asks for, made outside the timed region.
pub enum Prepared {
    None,
    Owned(String),
}

pub struct Contender {
    pub name: &'static str,
    /// What the count column counts.
    pub counts: &'static str,
    pub prepare: fn(&Input) -> Prepared,
    pub run: fn(&Input, Prepared) -> Result<u64, String>,
}

fn nothing(_: &Input) -> Prepared {
    Prepared::None
}

fn owned_copy(input: &Input) -> Prepared {
    Prepared::Owned(input.text.clone())
}

fn take(prepared: Prepared) -> String {
    match prepared {
        Prepared::Owned(text) => text,
        Prepared::None => String::new(),
    }
}

/// Counts what arrives and drops it, as a streaming consumer would.
#[derive(Default)]
pub struct Counting {
    pub statements: u64,
    pub transactions: u64,
}

impl Sink for Counting {
    fn statement(&mut self, statement: Statement) {
        self.statements += 1;
        drop(std::hint::black_box(statement));
    }
    fn transaction(&mut self, transaction: &Transaction<'_>) {
        self.transactions += 1;
        std::hint::black_box(transaction);
    }
}

/// recond's reader, as `recond ingest` calls it: the whole file as a `&[u8]`.
pub fn recond(format: Format, input: &Input) -> Result<u64, String> {
    let mut sink = Counting::default();
    let report = parsers::parse(format, &input.bytes[..], &Options::default(), &mut sink);
    if !report.is_valid() {
        let first: Vec<String> = report
            .diagnostics
            .iter()
            .take(5)
            .map(|d| d.to_string())
            .collect();
        return Err(format!("recond found errors: {}", first.join("; ")));
    }
    if sink.transactions != input.transactions {
        return Err(format!(
            "recond emitted {} transactions, the generator wrote {}",
            sink.transactions, input.transactions
        ));
    }
    Ok(sink.transactions)
}

fn recond_camt(input: &Input, _: Prepared) -> Result<u64, String> {
    recond(Format::Camt, input)
}
fn recond_bai2(input: &Input, _: Prepared) -> Result<u64, String> {
    recond(Format::Bai2, input)
}
fn recond_nacha(input: &Input, _: Prepared) -> Result<u64, String> {
    recond(Format::Nacha, input)
}
fn recond_csv(input: &Input, _: Prepared) -> Result<u64, String> {
    recond(Format::Csv, input)
}

/// Every event of the borrowing quick-xml reader over the slice (no copy into a
/// buffer), touching each event's bytes and building nothing.
fn quick_xml_events(input: &Input, _: Prepared) -> Result<u64, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(&input.bytes[..]);
    let (mut events, mut touched) = (0u64, 0usize);
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(event) => {
                events += 1;
                touched = touched.wrapping_add(event.len());
            }
            Err(error) => return Err(error.to_string()),
        }
    }
    std::hint::black_box(touched);
    Ok(events)
}

/// The same loop through a reused buffer (`read_event_into`), the API a reader over
/// any `BufRead` has to use.
fn quick_xml_events_into(input: &Input, _: Prepared) -> Result<u64, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(&input.bytes[..]);
    let mut buffer = Vec::with_capacity(8 * 1024);
    let (mut events, mut touched) = (0u64, 0usize);
    loop {
        buffer.clear();
        match reader.read_event_into(&mut buffer) {
            Ok(Event::Eof) => break,
            Ok(event) => {
                events += 1;
                touched = touched.wrapping_add(event.len());
            }
            Err(error) => return Err(error.to_string()),
        }
    }
    std::hint::black_box(touched);
    Ok(events)
}

fn sepa_camt053(input: &Input, _: Prepared) -> Result<u64, String> {
    let limits = sepa::ParseLimits {
        input_bytes: usize::MAX / 2,
        nodes: usize::MAX / 2,
        depth: 64,
        text_bytes: 1 << 20,
        total_text_bytes: usize::MAX / 2,
        attributes: 64,
        attribute_bytes: 8 * 1024,
        total_attribute_bytes: usize::MAX / 2,
    };
    let document = sepa::camt053::parse_camt053_with_limits(&input.text, limits)
        .map_err(|error| error.to_string())?;
    Ok(document
        .statements
        .iter()
        .map(|statement| statement.entries.len() as u64)
        .sum())
}

fn camt053_crate(input: &Input, _: Prepared) -> Result<u64, String> {
    let document =
        camt053::Document::from_reader(&input.bytes[..]).map_err(|error| error.to_string())?;
    Ok(document
        .bank_to_customer_statement
        .statements
        .iter()
        .map(|statement| statement.entry.len() as u64)
        .sum())
}

fn memchr_lines(input: &Input, _: Prepared) -> Result<u64, String> {
    Ok(memchr::memchr_iter(b'\n', &input.bytes).count() as u64)
}

fn bai2_crate(_: &Input, prepared: Prepared) -> Result<u64, String> {
    let file = bai2::Bai2File::new(take(prepared)).map_err(str::to_owned)?;
    Ok(file.groups.len() as u64)
}

fn rs_ach(input: &Input, _: Prepared) -> Result<u64, String> {
    let file = rs_ach::AchFile::parse(&input.text).map_err(|error| error.to_string())?;
    Ok(file
        .batches
        .iter()
        .map(|batch| batch.entries.len() as u64)
        .sum())
}

fn nacha_crate(_: &Input, prepared: Prepared) -> Result<u64, String> {
    let file = nacha::NachaFile::new(take(prepared));
    Ok(file
        .batches
        .iter()
        .map(|batch| batch.detail_entries.len() as u64)
        .sum())
}

fn csv_byte_records(input: &Input, _: Prepared) -> Result<u64, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&input.bytes[..]);
    let mut record = csv::ByteRecord::new();
    let (mut records, mut fields) = (0u64, 0usize);
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {
                records += 1;
                fields += record.len();
            }
            Ok(false) => break,
            Err(error) => return Err(error.to_string()),
        }
    }
    std::hint::black_box(fields);
    Ok(records)
}

macro_rules! contender {
    ($name:expr, $counts:expr, $run:expr) => {
        Contender {
            name: $name,
            counts: $counts,
            prepare: nothing,
            run: $run,
        }
    };
    ($name:expr, $counts:expr, $run:expr, owned) => {
        Contender {
            name: $name,
            counts: $counts,
            prepare: owned_copy,
            run: $run,
        }
    };
}

/// A target: `recond` must be at least `ratio` times as fast as `peer`.
pub struct Target {
    pub peer: &'static str,
    pub ratio: f64,
}

pub struct FormatBench {
    pub name: &'static str,
    pub contenders: Vec<Contender>,
    pub targets: Vec<Target>,
}

pub fn all() -> Vec<FormatBench> {
    vec![
        FormatBench {
            name: "camt",
            contenders: vec![
                contender!("recond", "transactions", recond_camt),
                contender!("quick-xml read_event", "events", quick_xml_events),
                contender!("quick-xml read_event_into", "events", quick_xml_events_into),
                contender!("sepa 0.9", "entries", sepa_camt053),
                contender!("camt053 0.4", "entries", camt053_crate),
            ],
            targets: vec![
                Target {
                    peer: "quick-xml read_event",
                    ratio: 0.5,
                },
                Target {
                    peer: "sepa 0.9",
                    ratio: 5.0,
                },
                Target {
                    peer: "camt053 0.4",
                    ratio: 5.0,
                },
            ],
        },
        FormatBench {
            name: "bai2",
            contenders: vec![
                contender!("recond", "transactions", recond_bai2),
                contender!("memchr line count", "lines", memchr_lines),
                contender!("bai2 0.4", "groups", bai2_crate, owned),
                contender!(
                    "model floor (lines+model)",
                    "transactions",
                    crate::floor::bai2_model::<{ crate::floor::OWNED }>
                ),
                contender!(
                    "floor, fields not owned",
                    "transactions",
                    crate::floor::bai2_model::<{ crate::floor::NOT_OWNED }>
                ),
                contender!(
                    "floor, reused record",
                    "transactions",
                    crate::floor::bai2_model::<{ crate::floor::REUSED }>
                ),
            ],
            targets: vec![
                Target {
                    peer: "bai2 0.4",
                    ratio: 10.0,
                },
                Target {
                    peer: "memchr line count",
                    ratio: 0.1,
                },
            ],
        },
        FormatBench {
            name: "nacha",
            contenders: vec![
                contender!("recond", "transactions", recond_nacha),
                contender!("memchr line count", "lines", memchr_lines),
                contender!("rs-ach 0.1", "entries", rs_ach),
                contender!("nacha 1.5", "entries", nacha_crate, owned),
                contender!(
                    "model floor (lines+model)",
                    "transactions",
                    crate::floor::nacha_model::<{ crate::floor::OWNED }>
                ),
                contender!(
                    "floor, fields not owned",
                    "transactions",
                    crate::floor::nacha_model::<{ crate::floor::NOT_OWNED }>
                ),
                contender!(
                    "floor, reused record",
                    "transactions",
                    crate::floor::nacha_model::<{ crate::floor::REUSED }>
                ),
            ],
            targets: vec![
                Target {
                    peer: "rs-ach 0.1",
                    ratio: 1.5,
                },
                Target {
                    peer: "nacha 1.5",
                    ratio: 1.5,
                },
                Target {
                    peer: "memchr line count",
                    ratio: 0.1,
                },
            ],
        },
        FormatBench {
            name: "csv",
            contenders: vec![
                contender!("recond", "transactions", recond_csv),
                contender!("csv ByteRecord loop", "records", csv_byte_records),
                contender!(
                    "model floor (csv+model)",
                    "transactions",
                    crate::floor::csv_model::<{ crate::floor::OWNED }>
                ),
                contender!(
                    "floor, fields not owned",
                    "transactions",
                    crate::floor::csv_model::<{ crate::floor::NOT_OWNED }>
                ),
                contender!(
                    "floor, reused record",
                    "transactions",
                    crate::floor::csv_model::<{ crate::floor::REUSED }>
                ),
            ],
            targets: vec![Target {
                peer: "csv ByteRecord loop",
                ratio: 0.5,
            }],
        },
    ]
}
