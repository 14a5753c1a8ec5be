//! Reconcile throughput: generated workloads of 10k, 100k and 1M payments against as
//! many invoices (about a third of them without a usable reference), printing
//! payments/s, wall time against the target, the outcome mix and peak RSS.
//!
//! `cargo bench -p rules --bench reconcile [-- SIZE...]`. The machine has 2 cores
//! shared with other work: figures are a floor, not a ceiling.

use std::collections::BTreeMap;
use std::time::Instant;

use rules::synthetic::{generate, Workload};
use rules::{reconcile, RuleSet};

/// Peak resident set size of this process, from /proc (Linux), in MiB.
fn peak_rss_mib() -> Option<u64> {
    status_mib("VmHWM:")
}

/// A memory figure of this process from /proc/self/status, in MiB.
fn status_mib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with(field))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

/// CPU time (user + system) this process has used so far, in seconds, from /proc.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    // Clock ticks are 100 per second on Linux.
    Some((utime + stime) / 100.0)
}

fn target_seconds(size: usize) -> Option<f64> {
    match size {
        100_000 => Some(1.0),
        1_000_000 => Some(10.0),
        _ => None,
    }
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|arg| arg.replace('_', "").parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![10_000, 100_000, 1_000_000]
    } else {
        sizes
    };
    let rules = RuleSet::default();
    println!("threads: {}", rayon::current_num_threads());
    for size in sizes {
        let inputs = generate(Workload::realistic(size, size, 42));
        let without_reference = inputs
            .payments
            .iter()
            .filter(|p| {
                p.remittance.is_empty()
                    || p.remittance
                        .lines
                        .iter()
                        .all(|l| !l.contains("INV") && !l.contains("RF"))
                        && p.remittance.items.is_empty()
                        && p.end_to_end_id.is_none()
            })
            .count();
        let inputs_mib = status_mib("VmRSS:").unwrap_or(0);
        let cpu_before = cpu_seconds().unwrap_or(0.0);
        let started = Instant::now();
        let decisions = reconcile(&inputs, &rules);
        let seconds = started.elapsed().as_secs_f64();
        let cpu = cpu_seconds().unwrap_or(0.0) - cpu_before;
        let rate = size as f64 / seconds;
        let target = target_seconds(size).map_or_else(String::new, |t| {
            format!(
                " (target < {t:.0} s: {})",
                if seconds < t { "met" } else { "MISSED" }
            )
        });
        let mut statuses: BTreeMap<&str, usize> = BTreeMap::new();
        let mut rule_counts: BTreeMap<&str, usize> = BTreeMap::new();
        let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
        for decision in &decisions {
            *statuses.entry(decision.status.as_str()).or_default() += 1;
            *rule_counts.entry(decision.rule.as_str()).or_default() += 1;
            if let Some(reason) = decision.exception_reason {
                *reasons.entry(reason.as_str()).or_default() += 1;
            }
        }
        println!(
            "reconcile {size} payments x {size} invoices: {seconds:.3} s{target}, {rate:.0} payments/s; \
             {without_reference} ({:.0}%) without a usable invoice reference",
            100.0 * without_reference as f64 / size as f64
        );
        println!(
            "  CPU {cpu:.2} s over {seconds:.2} s wall: {:.0}% of the 2 cores (others compete for them)",
            100.0 * cpu / seconds / 2.0
        );
        println!("  status: {statuses:?}");
        println!("  rule:   {rule_counts:?}");
        println!("  reason: {reasons:?}");
        // `PEEK=rule_or_reason` prints a few explanations, to see what a rule does.
        if let Ok(peek) = std::env::var("PEEK") {
            let shown = decisions.iter().filter(|d| {
                d.rule.as_str() == peek || d.exception_reason.is_some_and(|r| r.as_str() == peek)
            });
            for decision in shown.take(8) {
                println!(
                    "  {} {}: {}",
                    decision.payment_id,
                    decision.status.as_str(),
                    decision.explanation
                );
            }
        }
        println!(
            "  peak RSS so far: {} MiB (the generated inputs alone: {inputs_mib} MiB)",
            peak_rss_mib().unwrap_or(0)
        );
    }
}
