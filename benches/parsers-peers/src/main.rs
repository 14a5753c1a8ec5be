//! Parser speed benchmark: recond's CAMT.053, BAI2, NACHA and CSV readers against the
//! bare tokenizer of each format and the crates.io parsers of each format, on
//! generated files of about `--size-mb` MB, all in one run on the same bytes in memory.
//!
//! ```text
//! cargo run --release -p parsers-peers -- [--size-mb 100] [--runs 5] [--formats camt,bai2,nacha,csv] [--only recond]
//! cargo run --release -p parsers-peers -- --size-mb 1000 --formats camt --write-to DIR
//! ```
//!
//! `--write-to DIR` writes the generated files (`DIR/generated.camt` …) and measures
//! nothing: for memory checks with `recond check` on files larger than memory allows
//! holding twice.
//!
//! Prints, per format, each contender's best and median CPU time (of this thread) and
//! wall time, MB/s and transactions/s, then recond's speed ratio to each peer next to
//! its target. Ratios use CPU time, which a loaded machine disturbs far less than wall
//! time; the rounds interleave the contenders so that load hits them alike. Exits 1
//! if recond reports any error diagnostic on a generated file.

mod contenders;
mod floor;
mod generate;
mod measure;

use contenders::{Contender, FormatBench, Input};
use measure::{Sample, Stats};

struct Args {
    size_mb: f64,
    runs: usize,
    formats: Option<Vec<String>>,
    only: Option<String>,
    write_to: Option<std::path::PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        size_mb: 100.0,
        runs: 5,
        formats: None,
        only: None,
        write_to: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--size-mb" => {
                args.size_mb = value()?.parse().map_err(|e| format!("--size-mb: {e}"))?
            }
            "--runs" => args.runs = value()?.parse().map_err(|e| format!("--runs: {e}"))?,
            "--formats" => args.formats = Some(value()?.split(',').map(str::to_owned).collect()),
            "--only" => args.only = Some(value()?),
            "--write-to" => args.write_to = Some(value()?.into()),
            "-h" | "--help" => {
                println!("cargo run --release -p parsers-peers -- [--size-mb 100] [--runs 5] [--formats camt,bai2,nacha,csv] [--only NAME] [--write-to DIR]");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    args.runs = args.runs.max(1);
    Ok(args)
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "n/a".to_owned())
}

fn generate(format: &str, target_bytes: usize) -> Input {
    let (bytes, transactions) = match format {
        "camt" => generate::camt::generate(target_bytes),
        "bai2" => generate::bai2::generate(target_bytes),
        "nacha" => generate::nacha::generate(target_bytes),
        _ => generate::csv::generate(target_bytes),
    };
    let text = String::from_utf8(bytes.clone()).expect("the generators write UTF-8");
    Input {
        bytes,
        text,
        transactions,
    }
}

/// What one contender did over all rounds.
struct Outcome {
    count: Result<u64, String>,
    samples: Vec<Sample>,
}

fn run_once(contender: &Contender, input: &Input) -> (Result<u64, String>, Sample) {
    let prepared = (contender.prepare)(input);
    let (result, sample) = measure::time(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            (contender.run)(input, prepared)
        }))
    });
    let result = result.unwrap_or_else(|_| Err("panicked".to_owned()));
    (result, sample)
}

fn bench(format: &FormatBench, input: &Input, args: &Args) -> Vec<Outcome> {
    let selected: Vec<bool> = format
        .contenders
        .iter()
        .map(|c| {
            args.only
                .as_ref()
                .is_none_or(|only| c.name.contains(only.as_str()))
        })
        .collect();
    let mut outcomes: Vec<Outcome> = format
        .contenders
        .iter()
        .map(|_| Outcome {
            count: Err("not run".to_owned()),
            samples: Vec::new(),
        })
        .collect();
    for round in 0..args.runs {
        // Rotate the order so that no contender always runs right after another.
        let n = format.contenders.len();
        for k in 0..n {
            let index = (k + round) % n;
            if !selected[index] || (round > 0 && outcomes[index].count.is_err()) {
                continue;
            }
            let (result, sample) = run_once(&format.contenders[index], input);
            let outcome = &mut outcomes[index];
            if result.is_ok() {
                outcome.samples.push(sample);
            }
            outcome.count = result;
        }
    }
    outcomes
}

fn print_format(format: &FormatBench, input: &Input, outcomes: &[Outcome]) -> Vec<(String, bool)> {
    let mb = input.bytes.len() as f64 / 1e6;
    println!(
        "\n== {}: {:.1} MB, {} transactions, {} lines",
        format.name,
        mb,
        input.transactions,
        memchr::memchr_iter(b'\n', &input.bytes).count()
    );
    println!(
        "  {:<27} {:>12} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>11}",
        "contender",
        "count",
        "cpu best",
        "cpu med",
        "wall best",
        "wall med",
        "MB/s",
        "MB/s med",
        "tx/s"
    );
    let cpu: Vec<Option<Stats>> = outcomes
        .iter()
        .map(|o| {
            (!o.samples.is_empty())
                .then(|| measure::stats(&o.samples.iter().map(|s| s.cpu).collect::<Vec<_>>()))
        })
        .collect();
    for ((contender, outcome), cpu) in format.contenders.iter().zip(outcomes).zip(&cpu) {
        match (&outcome.count, cpu) {
            (Ok(count), Some(cpu)) => {
                let wall =
                    measure::stats(&outcome.samples.iter().map(|s| s.wall).collect::<Vec<_>>());
                println!(
                    "  {:<27} {:>12} {:>8.3}s {:>8.3}s {:>8.3}s {:>8.3}s {:>9.1} {:>9.1} {:>11.0}",
                    contender.name,
                    format!("{count} {}", short(contender.counts)),
                    cpu.best,
                    cpu.median,
                    wall.best,
                    wall.median,
                    mb / cpu.best,
                    mb / cpu.median,
                    input.transactions as f64 / cpu.best,
                );
            }
            (Err(error), _) => println!("  {:<27} failed: {}", contender.name, first_line(error)),
            (Ok(_), None) => {}
        }
    }
    let index = |name: &str| format.contenders.iter().position(|c| c.name == name);
    let mut verdicts = Vec::new();
    let Some(ours) = index("recond").and_then(|i| cpu[i]) else {
        return verdicts;
    };
    for target in &format.targets {
        let Some(peer) = index(target.peer).and_then(|i| cpu[i]) else {
            println!(
                "  target recond ≥ {}× {}: not measured",
                target.ratio, target.peer
            );
            continue;
        };
        let best = peer.best / ours.best;
        let median = peer.median / ours.median;
        let met = best >= target.ratio;
        println!(
            "  target recond ≥ {:>4}× {:<27} best {:>6.2}×  median {:>6.2}×  {}",
            target.ratio,
            target.peer,
            best,
            median,
            if met { "met" } else { "NOT MET" }
        );
        verdicts.push((
            format!(
                "{} ≥ {}× {}: {:.2}×",
                format.name, target.ratio, target.peer, best
            ),
            met,
        ));
    }
    verdicts
}

fn short(counts: &str) -> &str {
    match counts {
        "transactions" => "tx",
        other => other,
    }
}

fn first_line(text: &str) -> &str {
    let line = text.lines().next().unwrap_or("");
    &line[..line.len().min(160)]
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(error) => {
            eprintln!("{error}");
            std::process::exit(2);
        }
    };
    let target_bytes = (args.size_mb * 1e6) as usize;
    if let Some(dir) = &args.write_to {
        if let Err(error) = std::fs::create_dir_all(dir) {
            eprintln!("could not create {}: {error}", dir.display());
            std::process::exit(1);
        }
        for format in ["camt", "bai2", "nacha", "csv"] {
            if args
                .formats
                .as_ref()
                .is_some_and(|formats| !formats.iter().any(|f| f == format))
            {
                continue;
            }
            let (bytes, transactions) = match format {
                "camt" => generate::camt::generate(target_bytes),
                "bai2" => generate::bai2::generate(target_bytes),
                "nacha" => generate::nacha::generate(target_bytes),
                _ => generate::csv::generate(target_bytes),
            };
            let path = dir.join(format!("generated.{format}"));
            if let Err(error) = std::fs::write(&path, &bytes) {
                eprintln!("could not write {}: {error}", path.display());
                std::process::exit(2);
            }
            println!(
                "{}: {} bytes, {transactions} transactions",
                path.display(),
                bytes.len()
            );
        }
        return;
    }
    // Peers that panic on a file are reported as failed; their panic text is noise.
    std::panic::set_hook(Box::new(|_| {}));
    println!(
        "parsers-peers: {} MB per format, {} runs, best and median of CPU time (this thread) and wall time; load average at start {}",
        args.size_mb,
        args.runs,
        load()
    );
    let mut verdicts = Vec::new();
    let mut invalid = false;
    for format in contenders::all() {
        if let Some(formats) = &args.formats {
            if !formats.iter().any(|f| f == format.name) {
                continue;
            }
        }
        let input = generate(format.name, target_bytes);
        let outcomes = bench(&format, &input, &args);
        if let Some(Err(error)) = format
            .contenders
            .iter()
            .zip(&outcomes)
            .find(|(c, _)| c.name == "recond")
            .map(|(_, o)| &o.count)
        {
            eprintln!(
                "recond failed on the generated {} file: {error}",
                format.name
            );
            invalid = true;
        }
        verdicts.extend(print_format(&format, &input, &outcomes));
    }
    println!(
        "\nload average at end {}, peak RSS {} MiB",
        load(),
        measure::peak_rss_mib()
    );
    for (verdict, met) in &verdicts {
        println!("  {} {verdict}", if *met { "met    " } else { "NOT MET" });
    }
    if invalid {
        std::process::exit(1);
    }
}
