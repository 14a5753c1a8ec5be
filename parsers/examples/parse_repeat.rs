//! Parses one file from memory several times and prints the best time: a harness
//! for `perf record` that leaves file reading and generation out of the profile.
//!
//! `cargo run --release -p parsers --example parse_repeat -- FILE [RUNS]`
//! (files to try come from `parsers-peers --write-to DIR`).

use std::time::Instant;

use parsers::{Options, Sink, Statement, Transaction};

#[derive(Default)]
struct Counting {
    transactions: u64,
}

impl Sink for Counting {
    fn statement(&mut self, statement: Statement) {
        drop(std::hint::black_box(statement));
    }
    fn transaction(&mut self, transaction: &Transaction<'_>) {
        self.transactions += 1;
        std::hint::black_box(transaction);
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: parse_repeat FILE [RUNS]");
    let runs: usize = args
        .next()
        .map_or(10, |runs| runs.parse().expect("RUNS is a number"));
    let bytes = std::fs::read(&path).expect("the file can be read");
    let format = parsers::detect(&bytes, false).expect("a format recond knows");
    let mut best = f64::INFINITY;
    let mut first_error = None;
    for _ in 0..runs {
        let mut sink = Counting::default();
        let start = Instant::now();
        let report = parsers::parse(format, &bytes[..], &Options::default(), &mut sink);
        best = best.min(start.elapsed().as_secs_f64());
        if !report.is_valid() {
            first_error = report.diagnostics.first().map(|d| d.to_string());
        }
        std::hint::black_box(sink.transactions);
    }
    println!(
        "{path}: {format:?}, best of {runs}: {best:.3} s, {:.0} MB/s",
        bytes.len() as f64 / best / 1e6
    );
    if let Some(error) = first_error {
        println!("the file is not valid: {error}");
    }
}
